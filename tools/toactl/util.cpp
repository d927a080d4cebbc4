// SPDX-License-Identifier: MIT
//
// Helpers shared by the toactl commands (see toactl.hpp).
#include <getopt.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "toactl.hpp"

namespace toactl {

namespace {

struct output_state {
	bool json_printed = false;
	std::string last_error;
} state;

// "toactl: MSG" on stderr, remembered for the JSON error object.
void error_line(const std::string &msg)
{
	std::fprintf(stderr, "toactl: %s\n", msg.c_str());
	state.last_error = msg;
}

} // namespace

void report_message(const std::string &msg)
{
	error_line(msg);
}

void put_socket(json &j, const toa::socket_entry &e)
{
	j.key("local").value(e.local);
	j.key("balancer").value(e.balancer);
	j.key("client").value(e.client);
	j.key("format").value(toa::format_name(e.format));
	j.key("age_ms").value(e.age_ms);
	j.key("cookie").value(e.cookie);
}

void put_formats(json &j, std::uint32_t mask)
{
	j.key("formats").begin_array();
	for (auto &f : split_list(toa::formats_to_string(mask)))
		if (f != "none")
			j.value(f);
	j.end_array();
}

void put_list(json &j, const std::string &key, const std::string &csv)
{
	j.key(key).begin_array();
	for (auto &t : split_list(csv))
		j.value(t);
	j.end_array();
}

void note_json_printed()
{
	state.json_printed = true;
}
bool json_printed()
{
	return state.json_printed;
}
const std::string &last_error()
{
	return state.last_error;
}
void set_last_error(const std::string &msg)
{
	state.last_error = msg;
}

void print_json(const context &ctx, const std::function<void(json &)> &body)
{
	std::string out;
	json j(out, ctx.pretty);

	j.begin_object();
	j.key("schema").value(json_schema);
	body(j);
	j.end_object();
	out += '\n';
	std::fputs(out.c_str(), stdout);
	note_json_printed();
}

int usage_error(const std::string &cmd, const std::string &msg)
{
	error_line(msg + " (try 'toactl " + cmd + (cmd.empty() ? "" : " ") + "--help')");
	return EXIT_USAGE;
}

int report(const std::error_code &ec, const std::string &what, const std::string &kernel_msg)
{
	const std::string extra = kernel_msg.empty() ? "" : ": " + kernel_msg;

	if (toa::is_module_missing(ec)) {
		struct stat st;
		if (stat("/sys/module/toa", &st) == 0)
			error_line("toa.ko is loaded but has no netlink control plane (older "
				   "version?)");
		else
			error_line("toa.ko is not loaded (load it with 'modprobe toa')");
		return EXIT_NO_MODULE;
	}
	if (ec == std::errc::operation_not_permitted || ec == std::errc::permission_denied) {
		// The kernel says why when it is not the capability (a change
		// asked from another network namespace than the node's).
		if (!kernel_msg.empty())
			error_line(what + ": permission denied" + extra);
		else
			error_line(what + ": permission denied (needs CAP_NET_ADMIN; run as root)");
		return EXIT_PERM;
	}
	error_line(what + ": " + ec.message() + extra);
	return EXIT_RUNTIME;
}

int report_open_error(const context &ctx, const std::error_code &ec)
{
	if (ctx.netns.empty() || toa::is_module_missing(ec))
		return report(ec, "netlink");
	// Opening a netlink socket needs no privilege: a refusal here is
	// setns(2) (or the /run/netns file), which needs CAP_SYS_ADMIN, not
	// the CAP_NET_ADMIN of the requests.
	if (ec == std::errc::operation_not_permitted || ec == std::errc::permission_denied) {
		error_line(
			"netns " + ctx.netns +
			": permission denied (entering a network namespace needs CAP_SYS_ADMIN)");
		return EXIT_PERM;
	}
	return report(ec, "netns " + ctx.netns);
}

std::optional<toa::control> open_control(const context &ctx, int *code)
{
	auto r = toa::control::open(ctx.netns);

	if (r)
		return std::move(*r);
	*code = report_open_error(ctx, r.error());
	return std::nullopt;
}

// Long options without a short form get getopt values from here up.
constexpr int long_only_base = 256;

std::string option_named(const char *arg, int opt)
{
	if (std::strncmp(arg, "--", 2) == 0 || opt <= 0 || opt >= long_only_base)
		return arg;
	return std::string("-") + static_cast<char>(opt);
}

int parse_args(context &ctx, const std::string &cmd, const std::vector<std::string> &args,
	       const std::vector<option_spec> &spec, parsed_args &out)
{
	static const option_spec common[] = {
		{ "json", 'j', false },
		{ "pretty", 'p', false },
		{ "netns", 'n', true },
		{ "help", 'h', false },
	};
	std::vector<option_spec> all(std::begin(common), std::end(common));
	all.insert(all.end(), spec.begin(), spec.end());

	// ':' first: a missing value is told apart from an unknown option.
	std::string shorts = ":";
	std::vector<struct option> longs;
	for (std::size_t i = 0; i < all.size(); i++) {
		int val = all[i].short_name ? all[i].short_name
					    : long_only_base + static_cast<int>(i);
		if (all[i].short_name) {
			shorts += all[i].short_name;
			if (all[i].has_value)
				shorts += ':';
		}
		longs.push_back({ all[i].name, all[i].has_value ? required_argument : no_argument,
				  nullptr, val });
	}
	longs.push_back({ nullptr, 0, nullptr, 0 });

	std::vector<std::string> store;
	store.push_back("toactl " + cmd);
	store.insert(store.end(), args.begin(), args.end());
	std::vector<char *> argv;
	for (auto &a : store)
		argv.push_back(a.data());
	argv.push_back(nullptr);

	out = parsed_args{};
	optind = 0; // glibc: start over, as for a new argv
	opterr = 0;
	int c;
	while ((c = getopt_long(static_cast<int>(store.size()), argv.data(), shorts.c_str(),
				longs.data(), nullptr)) != -1) {
		if (c == '?' || c == ':') {
			// a short option by its letter, a long one as written
			std::string which = option_named(argv[optind - 1], optopt);
			auto eq = which.find('=');
			if (eq != std::string::npos) {
				which.resize(eq);
				for (auto &o : all)
					if (which == std::string("--") + o.name)
						return usage_error(cmd, "option '" + which +
										"' takes no value");
			}
			if (c == ':')
				return usage_error(cmd, "option '" + which + "' needs a value");
			return usage_error(cmd, "unknown option '" + which + "'");
		}
		const option_spec *o = nullptr;
		for (std::size_t i = 0; i < all.size(); i++)
			if (c == (all[i].short_name ? all[i].short_name
						    : long_only_base + static_cast<int>(i)))
				o = &all[i];
		if (!o)
			return usage_error(cmd, "unexpected option");
		std::string name = o->name, value = o->has_value && optarg ? optarg : "";
		if (name == "json") {
			ctx.json = true;
		} else if (name == "pretty") {
			ctx.json = ctx.pretty = true;
		} else if (name == "netns") {
			if (value.empty())
				return usage_error(cmd, "option --netns needs a namespace name");
			ctx.netns = value;
		} else if (name == "help") {
			out.help = true;
		} else {
			out.options.emplace_back(name, value);
		}
	}
	for (int i = optind; i < static_cast<int>(store.size()); i++)
		out.positional.push_back(argv[i]); // getopt permuted argv, not store
	// "toactl help CMD" and "toactl CMD help" alike
	if (!out.positional.empty() && out.positional[0] == "help" && cmd != "") {
		out.help = true;
		out.positional.erase(out.positional.begin());
	}
	return -1;
}

std::string format_age(std::uint64_t ms)
{
	char buf[32];
	std::uint64_t s = ms / 1000;

	if (s < 60)
		std::snprintf(buf, sizeof(buf), "%llu.%llus", (unsigned long long)s,
			      (unsigned long long)(ms % 1000) / 100);
	else if (s < 3600)
		std::snprintf(buf, sizeof(buf), "%llum%02llus", (unsigned long long)s / 60,
			      (unsigned long long)s % 60);
	else if (s < 86400)
		std::snprintf(buf, sizeof(buf), "%lluh%02llum", (unsigned long long)s / 3600,
			      (unsigned long long)(s % 3600) / 60);
	else
		std::snprintf(buf, sizeof(buf), "%llud%02lluh", (unsigned long long)s / 86400,
			      (unsigned long long)(s % 86400) / 3600);
	return buf;
}

std::optional<bool> parse_bool(const std::string &s)
{
	if (s == "1" || s == "yes" || s == "on" || s == "true")
		return true;
	if (s == "0" || s == "no" || s == "off" || s == "false")
		return false;
	return std::nullopt;
}

std::vector<std::string> split_list(const std::string &s)
{
	std::vector<std::string> out;
	std::size_t i = 0;

	while (i <= s.size()) {
		std::size_t end = s.find(',', i);
		if (end == std::string::npos)
			end = s.size();
		if (end > i)
			out.push_back(s.substr(i, end - i));
		i = end + 1;
	}
	return out;
}

// ---- json ----

// The length of the valid UTF-8 sequence at @s[i], or 0 if broken
// (overlong forms, surrogates and values past U+10FFFF included).
static std::size_t utf8_length(const std::string &s, std::size_t i)
{
	const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
	const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
	const unsigned char c = b(0);

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return cont(1) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (!cont(1) || !cont(2))
			return 0;
		if ((c == 0xe0 && b(1) < 0xa0) || (c == 0xed && b(1) > 0x9f))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (!cont(1) || !cont(2) || !cont(3))
			return 0;
		if ((c == 0xf0 && b(1) < 0x90) || (c == 0xf4 && b(1) > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

std::string json::escape(const std::string &s)
{
	std::string out = "\"";

	for (std::size_t i = 0; i < s.size();) {
		const unsigned char c = static_cast<unsigned char>(s[i]);
		const std::size_t n = utf8_length(s, i);
		if (n == 0) {
			out += "\\ufffd"; // not UTF-8: a namespace or cgroup name's bytes
			i++;
			continue;
		}
		if (n > 1) {
			out.append(s, i, n);
			i += n;
			continue;
		}
		i++;
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\t':
			out += "\\t";
			break;
		case '\r':
			out += "\\r";
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char buf[8];
				std::snprintf(buf, sizeof(buf), "\\u%04x", c);
				out += buf;
			} else {
				out += static_cast<char>(c);
			}
		}
	}
	return out + "\"";
}

void json::newline(std::size_t depth)
{
	if (!pretty_)
		return;
	out_ += '\n';
	out_.append(2 * depth, ' ');
}

void json::sep()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (!first_.empty()) {
		if (!first_.back())
			out_ += ',';
		first_.back() = false;
		newline(first_.size());
	}
}

json &json::begin_object()
{
	sep();
	out_ += '{';
	first_.push_back(true);
	return *this;
}

json &json::close(char c)
{
	const bool empty = first_.back();

	first_.pop_back();
	if (!empty)
		newline(first_.size());
	out_ += c;
	return *this;
}

json &json::end_object()
{
	return close('}');
}

json &json::begin_array()
{
	sep();
	out_ += '[';
	first_.push_back(true);
	return *this;
}

json &json::end_array()
{
	return close(']');
}

json &json::key(const std::string &k)
{
	sep();
	out_ += escape(k);
	out_ += pretty_ ? ": " : ":";
	after_key_ = true;
	return *this;
}

json &json::value(const std::string &s)
{
	sep();
	out_ += escape(s);
	return *this;
}

json &json::value(std::uint64_t v)
{
	sep();
	out_ += std::to_string(v);
	return *this;
}

json &json::value(bool b)
{
	sep();
	out_ += b ? "true" : "false";
	return *this;
}

json &json::null()
{
	sep();
	out_ += "null";
	return *this;
}

json &json::value(const toa::endpoint &e)
{
	if (e.empty())
		return null();
	begin_object();
	key("addr").value(e.address());
	key("port").value(static_cast<std::uint64_t>(e.port));
	return end_object();
}

// ---- table ----

std::string table::render(bool with_header) const
{
	std::vector<std::size_t> w(header_.size(), 0);
	std::string out;

	auto widen = [&](const std::vector<std::string> &r) {
		for (std::size_t i = 0; i < r.size() && i < w.size(); i++)
			w[i] = std::max(w[i], r[i].size());
	};
	if (with_header)
		widen(header_);
	for (auto &r : rows_)
		widen(r);
	auto line = [&](const std::vector<std::string> &r) {
		for (std::size_t i = 0; i < r.size(); i++) {
			out += r[i];
			if (i + 1 < r.size())
				out.append(w[i] - r[i].size() + 2, ' ');
		}
		out += '\n';
	};
	if (with_header)
		line(header_);
	for (auto &r : rows_)
		line(r);
	return out;
}

} // namespace toactl
