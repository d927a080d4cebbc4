// SPDX-License-Identifier: MIT
#include <toa/endpoint.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

extern "C" {
#include <toa/wire.h>
}

namespace toa {

std::string endpoint::address() const
{
	char buf[INET6_ADDRSTRLEN];

	if (family != AF_INET && family != AF_INET6)
		return "";
	if (!inet_ntop(family, addr.data(), buf, sizeof(buf)))
		return "";
	return buf;
}

std::string endpoint::to_string() const
{
	if (family != AF_INET && family != AF_INET6)
		return "-";
	if (family == AF_INET6)
		return "[" + address() + "]:" + std::to_string(port);
	return address() + ":" + std::to_string(port);
}

socklen_t endpoint::to_sockaddr(sockaddr_storage &ss) const noexcept
{
	std::memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		std::memcpy(&sin->sin_addr, addr.data(), 4);
		return sizeof(*sin);
	}
	if (family == AF_INET6) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		std::memcpy(&sin6->sin6_addr, addr.data(), 16);
		return sizeof(*sin6);
	}
	return 0;
}

endpoint endpoint::from_sockaddr(const sockaddr *sa, socklen_t len) noexcept
{
	endpoint e;

	if (!sa)
		return e;
	if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
		auto *sin = reinterpret_cast<const sockaddr_in *>(sa);
		e.family = AF_INET;
		e.port = ntohs(sin->sin_port);
		std::memcpy(e.addr.data(), &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
		auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(sa);
		e.family = AF_INET6;
		e.port = ntohs(sin6->sin6_port);
		std::memcpy(e.addr.data(), &sin6->sin6_addr, 16);
	}
	return e;
}

std::optional<endpoint> endpoint::parse(std::string_view s)
{
	std::string host, port;
	endpoint e;

	if (!s.empty() && s.front() == '[') {
		auto close = s.find(']');
		if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
			return std::nullopt;
		host = std::string(s.substr(1, close - 1));
		port = std::string(s.substr(close + 2));
	} else {
		auto colon = s.rfind(':');
		if (colon == std::string_view::npos)
			return std::nullopt;
		host = std::string(s.substr(0, colon));
		port = std::string(s.substr(colon + 1));
		if (host.find(':') != std::string::npos)
			return std::nullopt; // bare IPv6 needs brackets
	}
	if (port.empty() || port.size() > 5 ||
	    port.find_first_not_of("0123456789") != std::string::npos)
		return std::nullopt;
	unsigned long p = std::stoul(port);
	if (p > 65535)
		return std::nullopt;
	if (inet_pton(AF_INET, host.c_str(), e.addr.data()) == 1)
		e.family = AF_INET;
	else if (inet_pton(AF_INET6, host.c_str(), e.addr.data()) == 1)
		e.family = AF_INET6;
	else
		return std::nullopt;
	e.port = static_cast<std::uint16_t>(p);
	return e;
}

std::string format_name(unsigned int format)
{
	if (format >= TOA_FMT_COUNT)
		return "?";
	return toa_formats[format].name;
}

std::string formats_to_string(std::uint32_t mask)
{
	std::string out;

	for (unsigned int f = 0; f < TOA_FMT_COUNT; f++) {
		if (!(mask & TOA_FMT_BIT(f)))
			continue;
		if (!out.empty())
			out += ',';
		out += toa_formats[f].name;
	}
	return out.empty() ? "none" : out;
}

result<std::uint32_t> parse_formats(std::string_view s)
{
	std::uint32_t mask = 0;
	std::size_t i = 0;

	while (i <= s.size()) {
		std::size_t end = s.find_first_of(", ", i);
		if (end == std::string_view::npos)
			end = s.size();
		std::string_view tok = s.substr(i, end - i);
		i = end + 1;
		if (tok.empty())
			continue;
		if (tok == "all") {
			mask |= TOA_FMT_ALL_MASK;
		} else if (tok == "default") {
			mask |= TOA_FMT_DEFAULT_MASK;
		} else if (tok != "none") {
			unsigned int f;
			for (f = 0; f < TOA_FMT_COUNT; f++)
				if (tok == toa_formats[f].name)
					break;
			if (f == TOA_FMT_COUNT)
				return errno_code(EINVAL);
			mask |= TOA_FMT_BIT(f);
		}
	}
	return mask;
}

} // namespace toa
