// SPDX-License-Identifier: MIT
//
// An address prefix as toactl takes it on the command line: the BPF mode's
// trusted balancers (bpf_backend.hpp) and conns' --client/--balancer.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <toa/endpoint.hpp>
#include <toa/result.hpp>

namespace toactl {

struct cidr {
	std::uint16_t family = 0; // TOA_AF_INET or TOA_AF_INET6
	std::array<std::uint8_t, 16> addr{};
	unsigned int prefix = 0;

	std::string to_string() const;
	bool operator==(const cidr &o) const
	{
		return family == o.family && addr == o.addr && prefix == o.prefix;
	}
	// Whether @e's address is in the prefix. An IPv4 prefix also holds
	// the IPv4-mapped IPv6 spelling (::ffff:a.b.c.d) of its addresses, as
	// a dual-stack socket reports them.
	bool contains(const toa::endpoint &e) const;
};

// "10.0.0.0/8", "fd00::/8", or an address alone (/32, /128). Host bits
// set are an error, as for toa.ko's `trusted`. EINVAL if not a CIDR.
toa::result<cidr> parse_cidr(std::string_view s);

} // namespace toactl
