// SPDX-License-Identifier: MIT
//
// toa/udp.hpp - the real client of every UDP datagram, behind an L4
// balancer that writes it into the datagrams (UOA, include/toa/uoa.h).
//
//	toa::udp::enable(fd);			// once per socket
//	char buf[2048];
//	auto d = toa::udp::recv(fd, buf, sizeof(buf));
//	if (d)
//		log("%zu bytes from %s", d->size,
//		    d->client.to_string().c_str());
//	sendto(fd, buf, d->size, 0, ...d->sender...);	// reply to the sender
//
// Where the client comes from:
//  1. toa.ko's flow map (getsockopt UOA_SO_GET_FLOW, one call): for a
//     datagram carrying a UOA option in its IPv4 header (read from the
//     IP_RECVOPTS ancillary data) it confirms the option: source::option
//     when they agree, source::flow_map when the map knows better; it
//     also answers for options that came in a protocol-248 wrapper, for
//     IPv6, and for the datagrams of a flow after the first ones when the
//     balancer sends the option only there;
//  2. otherwise the sender itself (source::none).
//
// Trust: only options toa.ko has vetted are ever reported by default.
// toa.ko checks each option (trusted-balancer list, format, a second
// option) and records the ones it accepts in its flow map; it overwrites
// with NOPs every option it rejects. A header option is reported only
// when the map, asked for that datagram's flow, vouches for it: with
// toa.ko paused (enabled=0) or its map full, header options are not used
// either. Without toa.ko nobody has checked the option, and anyone who can
// reach the port could claim any client: recv() then ignores it
// (module_missing is set) unless the application passes
// options{.unvetted_header = true}, which is UNSAFE unless a firewall lets
// only the balancers reach the port.
#pragma once

#include <cstddef>
#include <cstdint>

#include <toa/export.h>
#include <toa/endpoint.hpp>
#include <toa/result.hpp>

namespace toa::udp {

enum class source {
	none,	  // no option, no mapping: client is the sender
	option,	  // the datagram's own IPv4 header option
	flow_map, // toa.ko's flow map
};

TOA_API const char *to_string(source s) noexcept; // "none", "option", "flow-map"

struct datagram {
	std::size_t size = 0;	// payload bytes in the buffer
	bool truncated = false; // the payload was longer than the buffer
	endpoint sender;	// recvmsg()'s source: the balancer after SNAT;
				// replies go there
	endpoint local;		// its destination (IP_PKTINFO / IPV6_PKTINFO);
				// empty if enable() was not called
	endpoint client;	// the real client (the sender: source::none)
	source from = source::none;
	bool nat64 = false;	     // an IPv6 client behind an IPv4 datagram
	bool module_missing = false; // toa.ko is not loaded (a lookup said so)
};

struct options {
	bool header = true; // use the IPv4 header option, once vetted
	bool lookup = true; // ask toa.ko's flow map for datagrams without
			    // a header option too
	// UNSAFE: without toa.ko, believe the header option nobody checked
	// (any host reaching the port can then claim any client). Only for
	// ports a firewall opens to the balancers alone.
	bool unvetted_header = false;
};

// Ask the kernel for what recv() decodes: IP_RECVOPTS and IP_PKTINFO, and
// IPV6_RECVPKTINFO on an IPv6 socket (IPv4 datagrams of a dual-stack socket
// come with the IPv4 ones). Errors: EBADF, ENOTSOCK, ENOPROTOOPT.
TOA_API result<void> enable(int fd) noexcept;

// Receive one datagram into @buf (recvmsg() with @flags; EAGAIN and EINTR
// come back as errors) and find its client.
TOA_API result<datagram> recv(int fd, void *buf, std::size_t len, int flags = 0,
			      const options &opt = options()) noexcept;

// The flow map alone, for a datagram received some other way: the client
// of the flow @sender -> @local (local may be empty: any). ENOENT: no
// mapping; ENOPROTOOPT: toa.ko is not loaded; EPERM: @fd is not a UDP
// socket bound to the flow's port (local.port, or @fd's own when 0): toa.ko
// answers only about the caller's own flows.
TOA_API result<endpoint> lookup(int fd, const endpoint &sender, const endpoint &local) noexcept;

} // namespace toa::udp
