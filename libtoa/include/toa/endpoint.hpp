// SPDX-License-Identifier: MIT
//
// toa/endpoint.hpp - an IP address and port, as every libtoa call reports
// them, and the names of the TOA option formats.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

#include <toa/export.h>
#include <toa/result.hpp>

namespace toa {

struct endpoint {
	int family = 0;			     // AF_INET, AF_INET6, or 0: none
	std::uint16_t port = 0;		     // host byte order
	std::array<std::uint8_t, 16> addr{}; // network order; AF_INET: 4 bytes

	bool empty() const noexcept { return family == 0; }
	// "10.0.0.1", "fd00::1" (no port); "" when empty.
	std::string address() const;
	// "10.0.0.1:80", "[fd00::1]:80"; "-" when empty.
	std::string to_string() const;
	// The sockaddr_in / sockaddr_in6 for it; returns its length, 0 if empty.
	socklen_t to_sockaddr(sockaddr_storage &ss) const noexcept;
	// From a sockaddr_in / sockaddr_in6 (other families give an empty one).
	static endpoint from_sockaddr(const sockaddr *sa, socklen_t len) noexcept;
	// "10.0.0.1:80", "[fd00::1]:80" (the port is required); ::ffff:a.b.c.d
	// is kept as IPv6. nullopt when it does not parse.
	static std::optional<endpoint> parse(std::string_view s);

	friend bool operator==(const endpoint &a, const endpoint &b) noexcept
	{
		return a.family == b.family && a.port == b.port && a.addr == b.addr;
	}
	friend bool operator!=(const endpoint &a, const endpoint &b) noexcept { return !(a == b); }
};

// The honoured-format mask (bits of enum toa_format, <toa/wire.h>) as the
// module parameter spells it: "254/8,200/8"; "none" for 0.
TOA_API std::string formats_to_string(std::uint32_t mask);
// Parse "254/8,200/8", "all", "default" or "none" (comma or space
// separated, combinable). EINVAL on an unknown name.
TOA_API result<std::uint32_t> parse_formats(std::string_view s);
// "254/8" for one enum toa_format value, "?" if unknown.
TOA_API std::string format_name(unsigned int format);

} // namespace toa
