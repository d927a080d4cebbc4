// SPDX-License-Identifier: MIT
//
// toactl bpf - the module-free backend (bpf/toa.bpf.c): load the
// programs, attach them to a cgroup, pin everything under
// TOA_BPF_PIN_DIR (<toa/bpf.h>) so it outlives the tool, and read and
// change what is pinned. cmd_bpf.cpp presents it; this file owns libbpf.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <toa/control.hpp>
#include <toa/result.hpp>

#include "cidr.hpp"

namespace toactl::bpfmode {

// A failure, with the exit code toactl should return (toactl.hpp).
class failure : public std::runtime_error {
public:
	failure(int code, const std::string &msg) : std::runtime_error(msg), code_(code) {}
	int code() const noexcept { return code_; }

private:
	int code_;
};

using toactl::cidr;
using toactl::parse_cidr;

// "a,b,c" of CIDRs; "" or "any" is the empty list. Throws failure(2).
std::vector<cidr> parse_cidr_list(const std::string &s);

struct settings {
	std::uint32_t formats = 0; // TOA_FMT_BIT() mask
	bool enabled = true;
	std::vector<cidr> trusted; // empty: every sender trusted
};

struct change {
	std::optional<std::uint32_t> formats;
	std::optional<bool> enabled;
	std::optional<std::vector<cidr>> trusted;
};

struct link_state {
	std::string name; // "sockops", "getpeername4", ...
	std::uint32_t prog_id = 0;
	std::uint64_t cgroup_id = 0;
};

struct state {
	std::string pin_dir;
	std::vector<link_state> links;
	std::uint64_t cgroup_id = 0;
	std::string cgroup_path; // "" when not found on a cgroup2 mount
	settings cfg;
};

struct counter {
	std::string name;
	std::uint64_t value = 0;
};

// Every function throws failure. Not attached: failure(EXIT_NO_MODULE).
bool is_attached();
void attach(const std::string &cgroup, const change &initial);
void detach();
state status();
void configure(const change &c);
std::vector<counter> stats();
void reset_stats();
// The live sockets with TOA data, one call each (the iterator prog_conns
// over toa_sk): local end, balancer, client, format, age, cookie.
void for_each_connection(const std::function<void(const toa::socket_entry &)> &fn);

} // namespace toactl::bpfmode
