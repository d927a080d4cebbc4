// SPDX-License-Identifier: MIT
//
// toactl stats [--reset | --prometheus]: the counters of the network
// namespace.
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j|-p] [-n NETNS] stats [--reset | --prometheus]\n"
	"Print every counter of toa.ko for the network namespace (name, value;\n"
	"store_in_use, udp_map_in_use and probe_missed are module-wide, and\n"
	"listed only in the initial netns or with CAP_NET_ADMIN there). JSON:\n"
	"{\"schema\":1,\"counters\":{NAME: VALUE, ...}}. Meanings:\n"
	"include/toa/stats.h and toactl(8).\n"
	"  -r, --reset        zero the namespace's counters instead (CAP_NET_ADMIN)\n"
	"  -P, --prometheus   Prometheus text format, for node_exporter's textfile\n"
	"                     collector: toa_info{mode,version} 1, toa_NAME_total\n"
	"                     for each counter, toa_NAME for the gauges, each with\n"
	"                     its definition as HELP (a netns label with -n)\n";

int print_counters(const context &ctx, const std::vector<named_value> &counters,
		   const prometheus_source &src, bool prometheus)
{
	if (prometheus) {
		std::fputs(prometheus_text(counters, src).c_str(), stdout);
		return EXIT_OK;
	}
	if (ctx.json) {
		print_json(ctx, [&](json &j) {
			j.key("counters").begin_object();
			for (auto &c : counters)
				j.key(c.name).value(c.value);
			j.end_object();
		});
		return EXIT_OK;
	}
	for (auto &c : counters)
		std::printf("%-24s %llu\n", c.name.c_str(), (unsigned long long)c.value);
	return EXIT_OK;
}

int cmd_stats(context &ctx, std::vector<std::string> args)
{
	parsed_args a;
	int code = parse_args(ctx, "stats", args,
			      { { "reset", 'r', false }, { "prometheus", 'P', false } }, a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	if (!a.positional.empty())
		return usage_error("stats", "unexpected argument '" + a.positional[0] + "'");
	bool reset = false, prometheus = false;
	for (auto &[name, value] : a.options) {
		reset |= name == "reset";
		prometheus |= name == "prometheus";
	}
	if (reset && prometheus)
		return usage_error("stats", "--reset and --prometheus exclude each other");
	if (prometheus && ctx.json)
		return usage_error("stats", "--prometheus and -j exclude each other");
#ifdef TOA_HAVE_BPF
	std::vector<std::string> rest;
	if (reset)
		rest.push_back("--reset");
	if (prometheus)
		rest.push_back("--prometheus");
	int bcode = bpf_instead(ctx, "stats", rest);
	if (bcode >= 0)
		return bcode;
#endif
	auto ctl = open_control(ctx, &code);
	if (!ctl)
		return code;

	if (reset) {
		auto r = ctl->reset_stats();
		if (!r)
			return report(r.error(), "reset", ctl->last_message());
		if (ctx.json)
			print_json(ctx, [](json &j) { j.key("reset").value(true); });
		return EXIT_OK;
	}
	auto st = ctl->stats();
	if (!st)
		return report(st.error(), "stats", ctl->last_message());
	std::vector<named_value> counters;
	for (auto &s : *st)
		counters.push_back({ s.name, s.value });
	prometheus_source src{ "module", "", ctx.netns };
	if (prometheus) {
		auto cfg = ctl->get_config();
		if (!cfg)
			return report(cfg.error(), "config", ctl->last_message());
		src.version = cfg->version;
	}
	return print_counters(ctx, counters, src, prometheus);
}

} // namespace toactl
