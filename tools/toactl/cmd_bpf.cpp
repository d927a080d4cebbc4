// SPDX-License-Identifier: MIT
//
// toactl bpf attach|detach|status|config|stats: the module-free mode
// (bpf/toa.bpf.c), for nodes that cannot load toa.ko. Presentation only:
// bpf_backend.cpp does the work.
#include <cstdio>

#include <toa/toa.hpp>
#include <toa/bpf.h>
#include <toa/wire.h>

#include "bpf_backend.hpp"
#include "conns_output.hpp"
#include "toactl.hpp"

namespace toactl {

using namespace bpfmode;

static const char help[] =
	"Usage: toactl [-j|-p] bpf attach --cgroup PATH [--trusted LIST] [--formats LIST]\n"
	"       toactl [-j] bpf detach\n"
	"       toactl [-j] bpf status\n"
	"       toactl [-j] bpf config [show]\n"
	"       toactl [-j] bpf config set KEY=VALUE...   (or --trusted/--formats/--enabled)\n"
	"       toactl [-j] bpf stats [--reset | --prometheus]\n"
	"TOA without toa.ko: BPF programs attached to a cgroup v2 give the\n"
	"servers running in it (and its descendants) the real client in accept(),\n"
	"getpeername() and the getsockopt API, as the module does. Programs,\n"
	"maps and links are pinned under " TOA_BPF_PIN_DIR ", so they stay\n"
	"attached after toactl exits; 'detach' removes them. Needs root and a\n"
	"BPF file system at /sys/fs/bpf.\n"
	"  --cgroup PATH    cgroup v2 directory (e.g. /sys/fs/cgroup/web.slice)\n"
	"  --trusted LIST   balancer CIDRs (10.0.0.0/8,fd00::/8); empty or 'any':\n"
	"                   any sender (a warning in status)\n"
	"  --formats LIST   as for 'toactl config' (default: 254/8,200/8,254/20,253/20)\n"
	"  --enabled 0|1    0 pauses rewriting (options only counted)\n"
	"Counters are those of toa.ko's TCP path, for the attachment as a whole\n"
	"(not per network namespace). Without toa.ko, 'toactl status', 'stats',\n"
	"'config' and 'conns' answer from the BPF mode. Exit status 3 when not\n"
	"attached.\n";

static int fail(const failure &f)
{
	if (f.code() == EXIT_USAGE)
		return usage_error("bpf", f.what());
	report_message(std::string("bpf: ") + f.what());
	return f.code();
}

static void put_trusted(json &j, const settings &s)
{
	j.key("trusted").begin_array();
	for (auto &t : s.trusted)
		j.value(t.to_string());
	j.end_array();
}

static std::string trusted_text(const settings &s)
{
	std::string out;

	for (auto &t : s.trusted)
		out += (out.empty() ? "" : ",") + t.to_string();
	return out.empty() ? "any" : out;
}

static const char any_warning[] = "trusted list empty: an option from any sender is believed";

// --trusted X / --formats X / --enabled X / KEY=VALUE into @c. Returns
// false (with a usage error printed, *code set) on a bad one.
static bool parse_change(const std::vector<std::string> &args, std::size_t from, change &c,
			 std::string *cgroup, int *code)
{
	for (std::size_t i = from; i < args.size(); i++) {
		std::string k = args[i], v;
		auto eq = k.find('=');
		if (k.rfind("--", 0) == 0) {
			k = k.substr(2);
			eq = k.find('=');
			if (eq != std::string::npos) {
				v = k.substr(eq + 1);
				k.resize(eq);
			} else if (i + 1 < args.size()) {
				v = args[++i];
			} else {
				*code = usage_error("bpf", "option --" + k + " needs a value");
				return false;
			}
		} else if (eq != std::string::npos) {
			v = k.substr(eq + 1);
			k.resize(eq);
		} else {
			*code = usage_error("bpf", "unexpected argument '" + k + "'");
			return false;
		}
		if (k == "cgroup" && cgroup) {
			if (v.empty()) {
				*code = usage_error("bpf", "--cgroup needs a path");
				return false;
			}
			*cgroup = v;
		} else if (k == "formats") {
			auto m = toa::parse_formats(v);
			if (!m) {
				*code = usage_error("bpf",
						    "bad formats '" + v +
							    "' (254/8, 200/8, 254/20, 253/20, "
							    "253/8, all, default, none)");
				return false;
			}
			c.formats = *m;
		} else if (k == "trusted") {
			c.trusted = parse_cidr_list(v); // throws failure(usage)
		} else if (k == "enabled") {
			auto b = parse_bool(v);
			if (!b) {
				*code = usage_error("bpf", "bad enabled '" + v + "' (0 or 1)");
				return false;
			}
			c.enabled = *b;
		} else {
			*code = usage_error("bpf", "unknown option '" + k + "'");
			return false;
		}
	}
	return true;
}

static int show_status(context &ctx, bool for_module_status = false)
{
	state s;
	try {
		s = status();
	} catch (const failure &f) {
		if (f.code() != EXIT_NO_MODULE)
			throw;
		if (ctx.json)
			print_json(ctx, [](json &j) { j.key("attached").value(false); });
		else
			std::printf("bpf: not attached\n");
		return EXIT_NO_MODULE;
	}
	std::uint64_t entries = 0;
	for (auto &c : stats())
		if (c.name == "store_in_use")
			entries = c.value;
	if (ctx.json) {
		print_json(ctx, [&](json &j) {
			if (for_module_status) {
				// `toactl status` keys first: the module is not loaded
				j.key("loaded").value(false);
				j.key("backend").value("bpf");
			}
			j.key("attached").value(true);
			j.key("version").value(toa::version());
			j.key("pin_dir").value(s.pin_dir);
			j.key("cgroup").value(s.cgroup_path);
			j.key("cgroup_id").value(s.cgroup_id);
			j.key("programs").begin_array();
			for (auto &l : s.links)
				j.value(l.name);
			j.end_array();
			j.key("enabled").value(s.cfg.enabled);
			put_formats(j, s.cfg.formats);
			put_trusted(j, s.cfg);
			j.key("entries").value(entries);
			j.key("warnings").begin_array();
			if (s.cfg.trusted.empty())
				j.value(any_warning);
			j.end_array();
		});
		return EXIT_OK;
	}
	if (for_module_status)
		std::printf("toa.ko: not loaded; the BPF mode answers\n");
	std::printf("bpf: attached to %s (cgroup id %llu), pinned in %s\n",
		    s.cgroup_path.empty() ? "?" : s.cgroup_path.c_str(),
		    (unsigned long long)s.cgroup_id, s.pin_dir.c_str());
	std::string progs;
	for (auto &l : s.links)
		progs += (progs.empty() ? "" : " ") + l.name;
	std::printf("programs: %s\n", progs.c_str());
	std::printf("rewriting: %s\n", s.cfg.enabled ? "enabled" : "paused");
	std::printf("formats: %s\n", toa::formats_to_string(s.cfg.formats).c_str());
	std::printf("trusted: %s\n", trusted_text(s.cfg).c_str());
	std::printf("entries: %llu\n", (unsigned long long)entries);
	if (s.cfg.trusted.empty())
		std::printf("warning: %s\n", any_warning);
	return EXIT_OK;
}

static int show_config(context &ctx)
{
	auto s = status();
	if (ctx.json) {
		print_json(ctx, [&](json &j) {
			put_formats(j, s.cfg.formats);
			j.key("formats_mask").value(std::uint64_t{ s.cfg.formats });
			put_trusted(j, s.cfg);
			j.key("enabled").value(s.cfg.enabled);
		});
		return EXIT_OK;
	}
	std::printf("formats %s\n", toa::formats_to_string(s.cfg.formats).c_str());
	std::printf("trusted %s\n", trusted_text(s.cfg).c_str());
	std::printf("enabled %d\n", s.cfg.enabled ? 1 : 0);
	return EXIT_OK;
}

static int run(context &ctx, std::vector<std::string> &args)
{
	if (args.empty())
		return usage_error("bpf",
				   "missing subcommand (attach, detach, status, config, stats)");
	const std::string sub = args[0];
	int code = EXIT_OK;

	if (sub == "attach") {
		change c;
		std::string cgroup;
		if (!parse_change(args, 1, c, &cgroup, &code))
			return code;
		if (cgroup.empty())
			return usage_error("bpf", "attach needs --cgroup PATH");
		attach(cgroup, c);
		return ctx.json ? show_status(ctx) : EXIT_OK;
	}
	if (sub == "detach") {
		if (args.size() > 1)
			return usage_error("bpf", "unexpected argument '" + args[1] + "'");
		detach();
		if (ctx.json)
			print_json(ctx, [](json &j) { j.key("attached").value(false); });
		return EXIT_OK;
	}
	if (sub == "status") {
		if (args.size() > 1)
			return usage_error("bpf", "unexpected argument '" + args[1] + "'");
		return show_status(ctx);
	}
	if (sub == "config") {
		std::size_t from = 1;
		if (args.size() > 1 && (args[1] == "show" || args[1] == "set"))
			from = 2;
		if (args.size() > 1 && args[1] == "show") {
			if (args.size() > 2)
				return usage_error("bpf", "unexpected argument '" + args[2] + "'");
			return show_config(ctx);
		}
		if (args.size() == 1)
			return show_config(ctx);
		change c;
		if (!parse_change(args, from, c, nullptr, &code))
			return code;
		if (!c.formats && !c.trusted && !c.enabled)
			return usage_error(
				"bpf",
				"'config set' needs KEY=VALUE (formats=, trusted=, enabled=)");
		configure(c);
		return ctx.json ? show_config(ctx) : EXIT_OK;
	}
	if (sub == "stats") {
		bool reset = false, prometheus = false;
		for (std::size_t i = 1; i < args.size(); i++) {
			if (args[i] == "--reset")
				reset = true;
			else if (args[i] == "--prometheus")
				prometheus = true;
			else
				return usage_error("bpf", "unexpected argument '" + args[i] + "'");
		}
		if (reset && prometheus)
			return usage_error("bpf", "--reset and --prometheus exclude each other");
		if (prometheus && ctx.json)
			return usage_error("bpf", "--prometheus and -j exclude each other");
		if (reset) {
			reset_stats();
			if (ctx.json)
				print_json(ctx, [](json &j) { j.key("reset").value(true); });
			return EXIT_OK;
		}
		std::vector<named_value> counters;
		for (auto &c : stats())
			counters.push_back({ c.name, c.value });
		return print_counters(ctx, counters, { "bpf", toa::version(), "" }, prometheus);
	}
	return usage_error("bpf", "unknown subcommand '" + sub +
					  "' (attach, detach, status, config, stats)");
}

// Whether the BPF mode answers for a module command: toa.ko missing and
// the mode attached. Not with -n: cgroup programs are not per namespace,
// so -n asks about the module. Throws failure (a pin directory it may not
// read).
static bool bpf_answers(const context &ctx)
{
	if (!ctx.netns.empty())
		return false;
	auto ctl = toa::control::open();
	if (ctl || !toa::is_module_missing(ctl.error()))
		return false;
	return is_attached();
}

int bpf_instead(context &ctx, const std::string &cmd, std::vector<std::string> args)
{
	try {
		if (!bpf_answers(ctx))
			return -1;
		if (cmd == "status")
			return args.empty() ? show_status(ctx, true) : -1;
		args.insert(args.begin(), cmd);
		return run(ctx, args);
	} catch (const failure &f) {
		return fail(f);
	}
}

int bpf_conns(const context &ctx, const conns_options &o)
{
	if (o.all)
		return -1;
	try {
		if (!bpf_answers(ctx))
			return -1;
		conns_printer p(ctx, o);
		try {
			for_each_connection([&](const toa::socket_entry &e) { p.add("-", e); });
		} catch (const failure &f) {
			int code = fail(f);
			p.finish(std::make_pair(code, last_error()));
			return code;
		}
		p.finish();
		return EXIT_OK;
	} catch (const failure &f) {
		return fail(f);
	}
}

int cmd_bpf(context &ctx, std::vector<std::string> args)
{
	parsed_args a;
	int code = parse_args(ctx, "bpf", args,
			      { { "cgroup", 0, true },
				{ "trusted", 0, true },
				{ "formats", 0, true },
				{ "enabled", 0, true },
				{ "reset", 'r', false },
				{ "prometheus", 'P', false } },
			      a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	if (!ctx.netns.empty())
		return usage_error("bpf", "-n does not apply: cgroup programs see every namespace");
	// The subcommand and its KEY=VALUE words, then the options the same
	// way (--trusted X is trusted=X), for parse_change() and stats.
	args = a.positional;
	for (auto &[name, value] : a.options) {
		if (name == "reset" || name == "prometheus")
			args.push_back("--" + name);
		else
			args.push_back(name + "=" + value);
	}
	try {
		return run(ctx, args);
	} catch (const failure &f) {
		return fail(f);
	}
}

} // namespace toactl
