// SPDX-License-Identifier: MIT
//
// toactl lookup LOCAL REMOTE: the TOA data of one socket, by its 4-tuple.
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j|-p] [-n NETNS] lookup LOCAL REMOTE\n"
	"Find the established TCP socket whose local end is LOCAL and whose peer\n"
	"is REMOTE (for a TOA socket: the balancer), as ADDR:PORT or\n"
	"[IPV6]:PORT, and print its real client. An IPv4 connection on a\n"
	"dual-stack socket can be given as IPv4 or as [::ffff:a.b.c.d]:port.\n"
	"Exit status 1 when there is no such socket or it has no TOA data.\n";

int cmd_lookup(context &ctx, std::vector<std::string> args)
{
	parsed_args a;
	int code = parse_args(ctx, "lookup", args, {}, a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	args = a.positional;
	if (args.size() != 2)
		return usage_error("lookup", "expected LOCAL and REMOTE (ADDR:PORT each)");
	auto local = toa::endpoint::parse(args[0]);
	if (!local)
		return usage_error("lookup",
				   "bad LOCAL '" + args[0] + "' (ADDR:PORT or [IPV6]:PORT)");
	auto remote = toa::endpoint::parse(args[1]);
	if (!remote)
		return usage_error("lookup",
				   "bad REMOTE '" + args[1] + "' (ADDR:PORT or [IPV6]:PORT)");
	if (local->family != remote->family)
		return usage_error("lookup", "LOCAL and REMOTE must be of the same address family");

	auto ctl = open_control(ctx, &code);
	if (!ctl)
		return code;
	auto r = ctl->lookup(*local, *remote);
	if (!r) {
		if (r.error() == std::errc::no_such_file_or_directory) {
			report_message("lookup: no established TCP socket " + local->to_string() +
				       " <- " + remote->to_string());
			return EXIT_RUNTIME;
		}
		if (r.error() == std::errc::no_message_available) {
			report_message("lookup: socket " + local->to_string() + " <- " +
				       remote->to_string() + " has no TOA data");
			return EXIT_RUNTIME;
		}
		return report(r.error(), "lookup", ctl->last_message());
	}
	if (ctx.json) {
		print_json(ctx, [&](json &j) { put_socket(j, *r); });
		return EXIT_OK;
	}
	table t({ "Local", "Balancer", "Client", "Format", "Age" });
	t.add({ r->local.to_string(), r->balancer.to_string(), r->client.to_string(),
		toa::format_name(r->format), format_age(r->age_ms) });
	std::fputs(t.render(true).c_str(), stdout);
	return EXIT_OK;
}

} // namespace toactl
