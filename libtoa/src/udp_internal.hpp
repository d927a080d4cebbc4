// SPDX-License-Identifier: MIT
//
// Internal to libtoa's UDP part (and its unit tests): the pure decoding of
// a received datagram's ancillary data.
#pragma once

#include <sys/socket.h>

#include <toa/udp.hpp>

extern "C" {
#include <toa/uoa.h>
}

namespace toa::detail {

// What the control messages of one datagram say.
struct udp_cmsgs {
	endpoint local;		     // IP_PKTINFO / IPV6_PKTINFO, or empty
	int option = UOA_PARSE_NONE; // enum uoa_parse_result of the header
	endpoint client;	     // UOA_PARSE_FOUND: the option's client
	bool truncated = false;	     // MSG_CTRUNC: some were lost
};

// Walk @mh's control messages: IP_RECVOPTS (Linux) or IP_OPTIONS (the
// same bytes under the name other systems use) through the uoa.h parser,
// IP_PKTINFO's ipi_addr, IPV6_PKTINFO's ipi6_addr. @local_port: the port
// to put in local (the socket's). An IPv4 destination seen by an IPv6
// socket is reported as IPv4. Never reads past a message's cmsg_len.
udp_cmsgs decode_udp_cmsgs(const msghdr &mh, std::uint16_t local_port) noexcept;

// An endpoint for the flow map: v4-mapped IPv6 becomes IPv4.
endpoint udp_unmap(const endpoint &e) noexcept;

} // namespace toa::detail
