// SPDX-License-Identifier: MIT
//
// toa/peer.hpp - who is really on the other end of an accepted TCP socket.
//
//	auto p = toa::peer(fd);
//	if (!p)
//		log("peer: %s", p.error().message().c_str());
//	else
//		log("client %s%s", p->client.to_string().c_str(),
//		    p->has_toa() ? " (via TOA)" : "");
//
// One getsockopt(TOA_SO_GET_PEER) call (include/toa/sockopt.h): no netlink,
// no allocation, safe to call for every connection. Works on IPv4 and
// IPv6 sockets, dual-stack listeners (an IPv4 client there is reported as
// AF_INET) and NAT64 (an IPv6 client on an IPv4 socket, which getpeername()
// cannot express).
#pragma once

#include <cstdint>

#include <toa/export.h>
#include <toa/endpoint.hpp>
#include <toa/result.hpp>

namespace toa {

enum class peer_status {
	toa,		// a TOA option was accepted: client is the real client
	no_option,	// toa.ko loaded, no (trusted) option on this connection:
			// client is the socket's peer
	module_missing, // toa.ko not loaded: client is the socket's peer
};

TOA_API const char *to_string(peer_status s) noexcept;

struct peer_info {
	peer_status status = peer_status::no_option;
	endpoint client;	   // the real client, or the socket's peer
	endpoint balancer;	   // who sent the option; empty without one
	bool nat64 = false;	   // IPv6 client on an IPv4 socket
	bool mapped = false;	   // IPv4 client on an IPv6 (dual-stack) socket
	std::uint8_t opt_kind = 0; // the TCP option that carried it (0: none)
	std::uint8_t opt_len = 0;

	bool has_toa() const noexcept { return status == peer_status::toa; }
	int family() const noexcept { return client.family; }
};

// The peer of connected TCP socket @fd. Errors (errno): EBADF, ENOTSOCK,
// ENOTCONN (not connected), EINVAL (not TCP, or a module speaking an
// incompatible struct). "No option" and "module missing" are not errors.
TOA_API result<peer_info> peer(int fd) noexcept;

} // namespace toa
