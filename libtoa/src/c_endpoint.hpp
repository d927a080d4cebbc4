// SPDX-License-Identifier: MIT
//
// Internal to libtoa: converting endpoints between the C ABI
// (struct toa_endpoint, <toa/toa.h>) and C++ (toa::endpoint). Shared by the
// TCP/control C ABI (c_api.cpp) and the UDP one (udp_c.cpp).
#pragma once

#include <cstdint>
#include <cstring>

#include <toa/endpoint.hpp>
#include <toa/toa.h>

namespace toa::detail {

inline toa_endpoint to_c(const endpoint &e)
{
	toa_endpoint c{};
	c.family = static_cast<uint16_t>(e.family);
	c.port = e.port;
	std::memcpy(c.addr, e.addr.data(), sizeof(c.addr));
	return c;
}

inline endpoint from_c(const toa_endpoint &c)
{
	endpoint e;
	e.family = c.family;
	e.port = c.port;
	std::memcpy(e.addr.data(), c.addr, sizeof(c.addr));
	return e;
}

} // namespace toa::detail
