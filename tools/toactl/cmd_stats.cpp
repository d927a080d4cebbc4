// SPDX-License-Identifier: MIT
//
// toactl stats [--reset]: the counters of the network namespace.
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j] [-n NETNS] stats [--reset]\n"
	"Print every counter of toa.ko for the network namespace (name, value;\n"
	"store_in_use, udp_map_in_use and probe_missed are module-wide, and\n"
	"listed only in the initial netns or with CAP_NET_ADMIN there). JSON: an\n"
	"object keyed\n"
	"by counter name. Meanings: include/toa/stats.h and toactl(8).\n"
	"  -r, --reset   zero the namespace's counters instead (CAP_NET_ADMIN)\n";

int cmd_stats(context &ctx, std::vector<std::string> args)
{
	bool reset = false;

	if (common_options(ctx, args)) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	for (auto &a : args) {
		if (a == "-r" || a == "--reset")
			reset = true;
		else
			return usage_error("stats", "unexpected argument '" + a + "'");
	}
#ifdef TOA_HAVE_BPF
	int bcode = bpf_instead(ctx, "stats", args);
	if (bcode >= 0)
		return bcode;
#endif
	int code;
	auto ctl = open_control(ctx, &code);
	if (!ctl)
		return code;

	if (reset) {
		auto r = ctl->reset_stats();
		if (!r)
			return report(r.error(), "reset", ctl->last_message());
		if (ctx.json)
			std::printf("{\"reset\":true}\n");
		return EXIT_OK;
	}
	auto st = ctl->stats();
	if (!st)
		return report(st.error(), "stats", ctl->last_message());
	if (ctx.json) {
		std::string out;
		json j(out);
		j.begin_object();
		for (auto &s : *st)
			j.key(s.name).value(s.value);
		j.end_object();
		std::printf("%s\n", out.c_str());
		return EXIT_OK;
	}
	for (auto &s : *st)
		std::printf("%-24s %llu\n", s.name.c_str(),
			    (unsigned long long)s.value);
	return EXIT_OK;
}

} // namespace toactl
