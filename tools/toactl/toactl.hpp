// SPDX-License-Identifier: MIT
//
// toactl - shared pieces of the commands: the context every command gets,
// exit codes, error reporting, output helpers (text columns, JSON).
// toactl is presentation only: everything it knows comes from libtoa.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include <toa/toa.hpp>

namespace toactl {

// Exit codes, as documented in --help and toactl(8).
enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,	// the request failed (message on stderr)
	EXIT_USAGE = 2,		// bad command line
	EXIT_NO_MODULE = 3,	// toa.ko is not loaded
	EXIT_PERM = 4,		// permission denied
};

struct context {
	bool json = false;
	std::string netns;	// -n NAME, "" = current
};

// A command: arguments after its name. Returns an exit code.
using command_fn = int (*)(context &ctx, std::vector<std::string> args);

int cmd_status(context &ctx, std::vector<std::string> args);
int cmd_stats(context &ctx, std::vector<std::string> args);
int cmd_conns(context &ctx, std::vector<std::string> args);
int cmd_lookup(context &ctx, std::vector<std::string> args);
int cmd_config(context &ctx, std::vector<std::string> args);
// Only when built with the BPF programs (TOA_BUILD_BPF).
int cmd_bpf(context &ctx, std::vector<std::string> args);
// toa.ko missing and the BPF mode attached: `toactl CMD ARGS` (status,
// stats, config) answered by the BPF mode, as `toactl bpf CMD ARGS`.
// Returns -1, having printed nothing, in every other case.
int bpf_instead(context &ctx, const std::string &cmd, std::vector<std::string> args);

// One-line usage error on stderr ("toactl: MSG (try 'toactl CMD --help')").
int usage_error(const std::string &cmd, const std::string &msg);
// Report @ec for @what on stderr and return its exit code (module missing
// -> 3, EPERM/EACCES -> 4, else 1). @kernel_msg: extended ACK text.
int report(const std::error_code &ec, const std::string &what,
	   const std::string &kernel_msg = "");
// Open the control socket for @ctx, or report why not (*code set).
std::optional<toa::control> open_control(const context &ctx, int *code);

// Pull the options every command takes (-j/--json, -h/--help) out of
// @args. Returns true if help was asked for.
bool common_options(context &ctx, std::vector<std::string> &args);

// "3.2s", "5m12s", "2h03m", "3d04h".
std::string format_age(std::uint64_t ms);
// "yes"/"1"/"on"/"true" and "no"/"0"/"off"/"false".
std::optional<bool> parse_bool(const std::string &s);
// Split "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string &s);

// Minimal streaming JSON writer: commas and escaping are its business.
class json {
public:
	explicit json(std::string &out) : out_(out) {}
	json &begin_object();
	json &end_object();
	json &begin_array();
	json &end_array();
	json &key(const std::string &k);
	json &value(const std::string &s);
	json &value(const char *s) { return value(std::string(s)); }
	json &value(std::uint64_t v);
	json &value(bool b);
	json &null();
	// {"addr": "10.0.0.1", "port": 80} or null.
	json &value(const toa::endpoint &e);
	static std::string escape(const std::string &s);

private:
	void sep();
	std::string &out_;
	std::vector<bool> first_ = {};
	bool after_key_ = false;
};

// Text table with left-aligned columns sized to their content.
class table {
public:
	explicit table(std::vector<std::string> header) : header_(std::move(header)) {}
	void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
	std::string render(bool with_header) const;

private:
	std::vector<std::string> header_;
	std::vector<std::vector<std::string>> rows_;
};

} // namespace toactl
