// SPDX-License-Identifier: MIT
//
// toactl - shared pieces of the commands: the context every command gets,
// exit codes, error reporting, output helpers (text columns, JSON).
// toactl is presentation only: everything it knows comes from libtoa.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <string>
#include <system_error>
#include <vector>

#include <toa/toa.hpp>

namespace toactl {

class json;

// Exit codes, as documented in --help and toactl(8).
enum exit_code {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,   // the request failed (message on stderr)
	EXIT_USAGE = 2,	    // bad command line
	EXIT_NO_MODULE = 3, // toa.ko is not loaded
	EXIT_PERM = 4,	    // permission denied
};

struct context {
	bool json = false;
	bool pretty = false; // -p: JSON indented (implies json)
	std::string netns;   // -n NAME, "" = current
};

// The schema version every JSON object toactl prints starts with
// ("schema": 1). It grows when a key changes meaning or goes away; new
// keys may appear within a version. Documented in toactl(8).
constexpr std::uint64_t json_schema = 1;

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
int report(const std::error_code &ec, const std::string &what, const std::string &kernel_msg = "");
// "toactl: MSG" on stderr for a failure that is not an error code.
void report_message(const std::string &msg);
// One socket's keys, as conns and lookup print them: local, balancer,
// client, format, age_ms, cookie.
void put_socket(json &j, const toa::socket_entry &e);
// "formats": ["254/8", ...] of a TOA_FMT_BIT() mask, as every command
// prints it.
void put_formats(json &j, std::uint32_t mask);
// "KEY": [...] of a comma-separated list ("trusted").
void put_list(json &j, const std::string &key, const std::string &csv);
// Open the control socket for @ctx, or report why not (*code set): with
// -n, entering the namespace needs CAP_SYS_ADMIN, and the message says so.
std::optional<toa::control> open_control(const context &ctx, int *code);
// The same report for a toa::control::open(ctx.netns) that failed with @ec.
int report_open_error(const context &ctx, const std::error_code &ec);

// A command's own option, for parse_args(): "--name" (and "-c" when
// @short_name), with a value when @has_value.
struct option_spec {
	const char *name;
	char short_name; // 0: long form only
	bool has_value;
};

// What parse_args() found: the command's options in command-line order
// (by long name; "" as the value of a flag) and the other arguments.
struct parsed_args {
	std::vector<std::pair<std::string, std::string>> options;
	std::vector<std::string> positional;
	bool help = false;
};

// getopt_long over @args of command @cmd: the options every command takes
// (-j/--json, -p/--pretty, -n/--netns NAME, -h/--help: before or after
// the command) plus @spec, combined short flags (-Hc), --name=value, and
// "--" ending the options. Returns -1, or the exit code of the one-line
// usage error it printed.
int parse_args(context &ctx, const std::string &cmd, const std::vector<std::string> &args,
	       const std::vector<option_spec> &spec, parsed_args &out);

// The option getopt_long() stopped at, for a message: "--name" as
// written, or "-c" for a short one (also inside "-abc"). @arg is
// argv[optind - 1], @opt optopt.
std::string option_named(const char *arg, int opt);

// Print one JSON object: {"schema":1, what @body writes}, compact or
// indented as @ctx asks, and a line feed.
void print_json(const context &ctx, const std::function<void(class json &)> &body);
// Whether any JSON went to stdout; at exit toactl prints an error object
// {"schema":1,"error":{"exit":N,"message":"..."}} for a failed -j command
// that printed none, so a script always reads one JSON object.
void note_json_printed();
bool json_printed();
// The last message usage_error() or report() printed (without "toactl: ").
const std::string &last_error();
void set_last_error(const std::string &msg);

// One counter as toa.ko or the BPF mode reports it.
struct named_value {
	std::string name; // toa_stat_names[] ("opt_seen")
	std::uint64_t value = 0;
};

// Where the counters of prometheus_text() come from.
struct prometheus_source {
	std::string mode; // "module" or "bpf"
	std::string version;
	std::string netns; // -n NAME, "" for none (no label)
};

// The counters in Prometheus' text format (node_exporter's textfile
// collector): toa_info{mode,version} 1, then toa_NAME_total (counters) or
// toa_NAME (gauges), each with HELP from include/toa/stats.h.
std::string prometheus_text(const std::vector<named_value> &counters, const prometheus_source &src);
// stats' output, for toa.ko's counters and the BPF mode's alike: text,
// JSON ({"counters":{...}}) or, when @prometheus, prometheus_text().
int print_counters(const context &ctx, const std::vector<named_value> &counters,
		   const prometheus_source &src, bool prometheus);
// The definition of counter @id (enum toa_stat) as one line, and whether
// it is a gauge; nullptr past the known counters.
const char *stat_help_text(std::size_t id, bool *gauge);

// "3.2s", "5m12s", "2h03m", "3d04h".
std::string format_age(std::uint64_t ms);
// "yes"/"1"/"on"/"true" and "no"/"0"/"off"/"false".
std::optional<bool> parse_bool(const std::string &s);
// Split "a,b,c" (empty parts dropped).
std::vector<std::string> split_list(const std::string &s);

// Minimal streaming JSON writer: commas, escaping (UTF-8 checked: a
// broken sequence becomes U+FFFD) and, when @pretty, indentation are its
// business. @out may be written out and cleared between calls (conns
// streams that way): the writer keeps its state apart.
class json {
public:
	explicit json(std::string &out, bool pretty = false) : out_(out), pretty_(pretty) {}
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
	void newline(std::size_t depth);
	json &close(char c);
	std::string &out_;
	bool pretty_;
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
