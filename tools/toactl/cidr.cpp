// SPDX-License-Identifier: MIT
//
// Address prefixes (cidr.hpp): toactl bpf's trusted balancers and conns'
// filters, apart from the libbpf code so the unit tests can link them.
#include <arpa/inet.h>

#include <algorithm>

#include <toa/wire.h>

#include "bpf_backend.hpp"
#include "cidr.hpp"
#include "toactl.hpp"

namespace toactl {

std::string cidr::to_string() const
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family == TOA_AF_INET ? AF_INET : AF_INET6, addr.data(), buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(prefix);
}

toa::result<cidr> parse_cidr(std::string_view s)
{
	cidr c;
	std::string a(s);
	std::size_t slash = a.find('/');
	std::string pfx = slash == std::string::npos ? "" : a.substr(slash + 1);

	if (slash != std::string::npos)
		a.resize(slash);
	if (inet_pton(AF_INET, a.c_str(), c.addr.data()) == 1)
		c.family = TOA_AF_INET;
	else if (inet_pton(AF_INET6, a.c_str(), c.addr.data()) == 1)
		c.family = TOA_AF_INET6;
	else
		return toa::errno_code(EINVAL);
	const unsigned int max = c.family == TOA_AF_INET ? 32 : 128;
	c.prefix = max;
	if (slash != std::string::npos) {
		if (pfx.empty() || pfx.size() > 3 ||
		    pfx.find_first_not_of("0123456789") != std::string::npos)
			return toa::errno_code(EINVAL);
		c.prefix = static_cast<unsigned int>(std::stoul(pfx));
		if (c.prefix > max)
			return toa::errno_code(EINVAL);
	}
	// host bits must be zero: "10.1.2.3/8" is a typo, not a network
	for (unsigned int bit = c.prefix; bit < max; bit++)
		if (c.addr[bit / 8] & (0x80 >> (bit % 8)))
			return toa::errno_code(EINVAL);
	return c;
}

bool cidr::contains(const toa::endpoint &e) const
{
	static const std::uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const std::uint8_t *a = e.addr.data();

	if (e.empty())
		return false;
	if (family == TOA_AF_INET && e.family == AF_INET6) {
		if (!std::equal(mapped, mapped + 12, a))
			return false;
		a += 12; // the IPv4 address inside ::ffff:a.b.c.d
	} else if ((family == TOA_AF_INET) != (e.family == AF_INET)) {
		return false;
	}
	for (unsigned int bit = 0; bit < prefix; bit++) {
		const std::uint8_t m = 0x80 >> (bit % 8);
		if ((a[bit / 8] & m) != (addr[bit / 8] & m))
			return false;
	}
	return true;
}

} // namespace toactl

namespace toactl::bpfmode {

std::vector<cidr> parse_cidr_list(const std::string &s)
{
	std::vector<cidr> out;

	if (s == "any")
		return out;
	for (auto &item : split_list(s)) {
		auto c = parse_cidr(item);
		if (!c)
			throw failure(EXIT_USAGE,
				      "bad trusted prefix '" + item +
					      "' (ADDR or ADDR/LEN with zero host bits)");
		out.push_back(*c);
	}
	return out;
}

} // namespace toactl::bpfmode
