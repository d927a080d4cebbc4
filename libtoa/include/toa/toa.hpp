// SPDX-License-Identifier: MIT
//
// toa/toa.hpp - libtoa, the userspace side of toa.ko, for C++17.
//   toa::peer(fd)     the real client of a socket (peer.hpp)
//   toa::control      counters, configuration, socket table (control.hpp)
//   toa::udp::recv()  the real client of a UDP datagram (udp.hpp)
// The C ABI over the same library is <toa/toa.h>.
#pragma once

#include <toa/export.h>
#include <toa/control.hpp>
#include <toa/endpoint.hpp>
#include <toa/peer.hpp>
#include <toa/result.hpp>
#include <toa/udp.hpp>

namespace toa {
// The library's version, "0.1.0".
TOA_API const char *version() noexcept;
} // namespace toa
