// SPDX-License-Identifier: MIT
//
// toa/control.hpp - the control plane of toa.ko (generic netlink family
// "toa", include/toa/netlink.h) over libmnl: counters, configuration, the
// table of TOA sockets and single-socket lookups.
//
//	auto ctl = toa::control::open();
//	if (!ctl)
//		return toa::is_module_missing(ctl.error()) ? 3 : 1;
//	for (auto &s : ctl->stats().value())
//		printf("%s %llu\n", s.name.c_str(), (unsigned long long)s.value);
//
// Every call is one request and its answer on a netlink socket the object
// owns (move-only; not for concurrent use from several threads). Counters
// and sockets are those of the network namespace the socket was opened in.
// On failure, last_message() holds the kernel's explanation (extended ACK),
// if it gave one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toa/export.h>
#include <toa/endpoint.hpp>
#include <toa/result.hpp>

namespace toa {

struct stat_value {
	std::uint32_t id = 0; // enum toa_stat (<toa/stats.h>)
	std::string name;     // "syn_recv_sock_toa"
	std::uint64_t value = 0;
	bool global = false; // module-wide rather than per netns
};

struct config {
	std::string version;	   // toa.ko's version
	std::uint32_t formats = 0; // TOA_FMT_BIT() mask
	std::string trusted;	   // "10.0.0.0/8,fd00::/8"; "" = any
	bool enabled = true;	   // false: rewriting paused
	std::uint32_t max_entries = 0;
};

// What TOA_CMD_SET_CONFIG should change; unset members stay as they are.
struct config_change {
	std::optional<std::uint32_t> formats;
	std::optional<std::string> trusted;
	std::optional<bool> enabled;
};

struct socket_entry {
	std::uint64_t cookie = 0; // socket cookie (ss -e)
	endpoint local;		  // the socket's local end
	endpoint balancer;	  // its peer, which sent the option
	endpoint client;	  // the real client
	unsigned int format = 0;  // enum toa_format of the option
	std::uint64_t age_ms = 0; // since the handshake
};

class TOA_API control {
public:
	// A control socket in the current network namespace, or (@netns set)
	// in /run/netns/NETNS, or in the namespace file @netns names when it
	// contains a '/' (e.g. /proc/PID/ns/net); the calling thread returns
	// to its own namespace before this returns. Errors: ENOPROTOOPT when
	// toa.ko is not loaded (is_module_missing()), ENOENT for an unknown
	// netns, EPERM when entering it is not allowed.
	static result<control> open(const std::string &netns = "");

	control(control &&) noexcept;
	control &operator=(control &&) noexcept;
	~control();

	// Protocol version the module speaks (TOA_GENL_VERSION).
	std::uint32_t protocol_version() const noexcept;

	result<std::vector<stat_value>> stats();
	result<void> reset_stats(); // needs CAP_NET_ADMIN (netns)
	result<config> get_config();
	result<void> set_config(const config_change &c); // CAP_NET_ADMIN

	// Streams the TOA sockets of the namespace to @fn, one multi-part
	// dump (fine with 100k sockets); @fn returns false to stop early.
	// Returns how many entries @fn was given. An exception from @fn stops
	// the walk and is rethrown once the dump is drained.
	result<std::size_t> for_each_socket(const std::function<bool(const socket_entry &)> &fn);
	result<std::vector<socket_entry>> sockets();

	// The established socket with this 4-tuple (local end, remote end as
	// the socket sees it: the balancer). ENOENT: no such socket; ENODATA:
	// the socket has no TOA data.
	result<socket_entry> lookup(const endpoint &local, const endpoint &remote);

	// The kernel's extended-ACK message for the last failed call, or "".
	const std::string &last_message() const noexcept;

	struct impl;

private:
	TOA_LOCAL explicit control(std::unique_ptr<impl> p) noexcept;
	std::unique_ptr<impl> p_;
};

} // namespace toa
