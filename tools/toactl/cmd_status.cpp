// SPDX-License-Identifier: MIT
//
// toactl status: is toa.ko loaded, its version and configuration, and how
// many sockets it holds data for.
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j|-p] [-n NETNS] status\n"
	"Whether toa.ko is loaded, its version and protocol, the configuration\n"
	"(rewriting on or paused, honoured formats, trusted balancers) and the\n"
	"number of sockets with TOA data (all namespaces; hidden outside the initial\n"
	"netns without CAP_NET_ADMIN there) against the limit, and a\n"
	"warning line (JSON: trusts_any_source) while every source is trusted.\n"
	"Exit status 3 (with 'not loaded' printed) when the module is missing.\n";

int cmd_status(context &ctx, std::vector<std::string> args)
{
	parsed_args a;
	int code = parse_args(ctx, "status", args, {}, a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	if (!a.positional.empty())
		return usage_error("status", "unexpected argument '" + a.positional[0] + "'");

	auto r = toa::control::open(ctx.netns);
	if (!r && toa::is_module_missing(r.error())) {
#ifdef TOA_HAVE_BPF
		int bcode = bpf_instead(ctx, "status", {});
		if (bcode >= 0)
			return bcode;
#endif
		if (ctx.json)
			print_json(ctx, [](json &j) { j.key("loaded").value(false); });
		else
			std::printf("toa.ko: not loaded\n");
		return EXIT_NO_MODULE;
	}
	if (!r)
		return report_open_error(ctx, r.error());
	auto &ctl = *r;
	auto cfg = ctl.get_config();
	if (!cfg)
		return report(cfg.error(), "config", ctl.last_message());
	auto st = ctl.stats();
	if (!st)
		return report(st.error(), "stats", ctl.last_message());
	// The module-wide gauges are absent outside the initial netns unless
	// the reader has CAP_NET_ADMIN there (include/toa/stats.h).
	std::uint64_t entries = 0, missed = 0;
	bool gauges = false;
	for (auto &s : *st) {
		if (s.name == "store_in_use") {
			entries = s.value;
			gauges = true;
		} else if (s.name == "probe_missed") {
			missed = s.value;
		}
	}

	if (ctx.json) {
		print_json(ctx, [&](json &j) {
			j.key("loaded").value(true);
			j.key("version").value(cfg->version);
			j.key("protocol").value(std::uint64_t{ ctl.protocol_version() });
			j.key("enabled").value(cfg->enabled);
			put_formats(j, cfg->formats);
			put_list(j, "trusted", cfg->trusted);
			j.key("trusts_any_source").value(cfg->trusted.empty());
			if (gauges)
				j.key("entries").value(entries);
			else
				j.key("entries").null();
			j.key("max_entries").value(std::uint64_t{ cfg->max_entries });
			if (gauges)
				j.key("probe_missed").value(missed);
			else
				j.key("probe_missed").null();
		});
		return EXIT_OK;
	}
	std::printf("toa.ko: loaded, version %s, protocol %u\n", cfg->version.c_str(),
		    ctl.protocol_version());
	std::printf("rewriting: %s\n", cfg->enabled ? "enabled" : "paused");
	std::printf("formats: %s\n", toa::formats_to_string(cfg->formats).c_str());
	std::printf("trusted: %s\n", cfg->trusted.empty() ? "any" : cfg->trusted.c_str());
	if (gauges)
		std::printf("entries: %llu of %u\n", (unsigned long long)entries, cfg->max_entries);
	else
		std::printf("entries: hidden in this netns (module-wide: shown in the initial "
			    "netns or with CAP_NET_ADMIN there), limit %u\n",
			    cfg->max_entries);
	// The default, but unsafe wherever clients can bypass the balancer.
	if (cfg->trusted.empty())
		std::printf("warning: trusted is empty: options are honoured from any source; a "
			    "client reaching this host directly can claim any address (set "
			    "trusted=BALANCER_CIDRS)\n");
	if (missed)
		std::printf("warning: %llu probe hits missed (see probe_missed in toactl stats)\n",
			    (unsigned long long)missed);
	return EXIT_OK;
}

} // namespace toactl
