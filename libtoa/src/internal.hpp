// SPDX-License-Identifier: MIT
//
// Internal to libtoa (and its unit tests): the uapi headers and the pure
// functions that turn kernel answers into libtoa types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

extern "C" {
#include <toa/netlink.h>
#include <toa/sockopt.h>
#include <toa/stats.h>
#include <toa/wire.h>
}

#include <toa/control.hpp>
#include <toa/peer.hpp>

namespace toa::detail {

// A TOA_SO_GET_PEER answer of @len bytes.
result<peer_info> decode_peer(const toa_peer_info &info, socklen_t len);

// Parsers of the genl replies (include/toa/netlink.h). Each takes one
// whole netlink message (header, genl header, attributes) and returns false
// when a required attribute is missing or malformed. Unknown attributes
// are skipped: newer modules may add some.
bool parse_stat_reply(const nlmsghdr *nlh, std::vector<stat_value> &out);
bool parse_config_reply(const nlmsghdr *nlh, config &out);
bool parse_socket_reply(const nlmsghdr *nlh, socket_entry &out);
// The extended-ACK message of an NLMSG_ERROR message, or "".
std::string parse_extack_msg(const nlmsghdr *nlh);

// Request builders: fill @buf (at least MNL_SOCKET_BUFFER_SIZE bytes) and
// return the message.
nlmsghdr *build_request(char *buf, std::uint16_t family, std::uint8_t cmd, std::uint16_t flags,
			std::uint32_t seq);
void put_config_change(nlmsghdr *nlh, const config_change &c);
void put_addr(nlmsghdr *nlh, std::uint16_t type, const endpoint &e);

} // namespace toa::detail
