// SPDX-License-Identifier: MIT
//
// toactl config [show] | config set KEY=VALUE...
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j|-p] [-n NETNS] config [show]\n"
	"       toactl config set KEY=VALUE...\n"
	"Show or change the configuration of toa.ko (module-wide; the same\n"
	"values as /sys/module/toa/parameters/). Keys:\n"
	"  formats=LIST    honoured options as kind/len: 254/8, 200/8, 254/20,\n"
	"                  253/20, 253/8, or all, default, none (comma separated)\n"
	"  trusted=LIST    balancer CIDRs allowed to send the option, comma\n"
	"                  separated (10.0.0.0/8,fd00::/8); empty: any source\n"
	"  enabled=0|1     1 rewrites peers, 0 pauses (options only counted)\n"
	"Changes need CAP_NET_ADMIN and the initial network namespace (not -n, not\n"
	"from a container's netns), and apply to new connections; a request is\n"
	"applied whole or not at all.\n";

static int show(context &ctx, toa::control &ctl)
{
	auto c = ctl.get_config();
	if (!c)
		return report(c.error(), "config", ctl.last_message());
	if (ctx.json) {
		print_json(ctx, [&](json &j) {
			j.key("version").value(c->version);
			put_formats(j, c->formats);
			j.key("formats_mask").value(std::uint64_t{ c->formats });
			put_list(j, "trusted", c->trusted);
			j.key("enabled").value(c->enabled);
			j.key("max_entries").value(std::uint64_t{ c->max_entries });
		});
		return EXIT_OK;
	}
	std::printf("formats %s\n", toa::formats_to_string(c->formats).c_str());
	std::printf("trusted %s\n", c->trusted.empty() ? "any" : c->trusted.c_str());
	std::printf("enabled %d\n", c->enabled ? 1 : 0);
	std::printf("max_entries %u\n", c->max_entries);
	return EXIT_OK;
}

static int set(context &ctx, const std::vector<std::string> &kv)
{
	toa::config_change chg;

	if (kv.empty())
		return usage_error("config",
				   "'config set' needs KEY=VALUE (formats=, trusted=, enabled=)");
	for (auto &a : kv) {
		auto eq = a.find('=');
		if (eq == std::string::npos)
			return usage_error("config", "expected KEY=VALUE, got '" + a + "'");
		std::string k = a.substr(0, eq), v = a.substr(eq + 1);
		if (k == "formats") {
			auto m = toa::parse_formats(v);
			if (!m)
				return usage_error("config",
						   "bad formats '" + v +
							   "' (254/8, 200/8, 254/20, 253/20, "
							   "253/8, all, default, none)");
			chg.formats = *m;
		} else if (k == "trusted") {
			chg.trusted = v == "any" ? "" : v;
		} else if (k == "enabled") {
			auto b = parse_bool(v);
			if (!b)
				return usage_error("config", "bad enabled '" + v + "' (0 or 1)");
			chg.enabled = *b;
		} else {
			return usage_error("config",
					   "unknown key '" + k + "' (formats, trusted, enabled)");
		}
	}
	int code;
	auto ctl = open_control(ctx, &code);
	if (!ctl)
		return code;
	auto r = ctl->set_config(chg);
	if (!r)
		return report(r.error(), "config set", ctl->last_message());
	if (ctx.json)
		return show(ctx, *ctl);
	return EXIT_OK;
}

int cmd_config(context &ctx, std::vector<std::string> args)
{
	parsed_args a;
	int code = parse_args(ctx, "config", args, {}, a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	args = a.positional;
#ifdef TOA_HAVE_BPF
	// without toa.ko, the BPF mode's configuration (same keys)
	int bcode = bpf_instead(ctx, "config", args);
	if (bcode >= 0)
		return bcode;
#endif
	if (!args.empty() && args[0] == "set")
		return set(ctx, std::vector<std::string>(args.begin() + 1, args.end()));
	if (!args.empty() && args[0] != "show")
		return usage_error("config", "unknown subcommand '" + args[0] + "' (show, set)");
	if (args.size() > 1)
		return usage_error("config", "unexpected argument '" + args[1] + "'");
	auto ctl = open_control(ctx, &code);
	if (!ctl)
		return code;
	return show(ctx, *ctl);
}

} // namespace toactl
