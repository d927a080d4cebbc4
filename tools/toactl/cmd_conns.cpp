// SPDX-License-Identifier: MIT
//
// toactl conns: the live sockets that have TOA data, streamed from the
// kernel's dump (so 100k sockets cost no more memory than 10).
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "conns_output.hpp"
#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j|-p] [-n NETNS] conns [-H] [-c] [-A] [--port PORT]\n"
	"                                     [--client PREFIX] [--balancer PREFIX]\n"
	"List the TCP sockets of the network namespace for which toa.ko holds a\n"
	"client address: local end, balancer (the socket's peer), real client,\n"
	"option format and age since the handshake. JSON: {\"schema\":1,\n"
	"\"conns\":[...],\"count\":N}, with \"error\" (and a non-zero exit) if the\n"
	"dump failed part-way: the sockets before the failure are still listed.\n"
	"  -H, --no-header        no column header (one line per socket)\n"
	"  -c, --count            print only the number of sockets\n"
	"  -A, --all-netns        every namespace: the current one (shown as '-')\n"
	"                         and each one in /run/netns (needs CAP_SYS_ADMIN)\n"
	"  --port PORT            only sockets whose local port is PORT\n"
	"  --client PREFIX        only clients in PREFIX (10.0.0.0/8, fd00::/8, or\n"
	"                         one address); an IPv4 prefix also matches\n"
	"                         ::ffff:a.b.c.d\n"
	"  --balancer PREFIX      only balancers (the sockets' peers) in PREFIX\n"
	"Filters add up: a socket is listed when it passes all of them.\n";

namespace {

// "" (the current namespace) and the names in /run/netns that are not it.
std::vector<std::string> all_namespaces()
{
	std::vector<std::string> out{ "" };
	struct stat self;
	bool have_self = stat("/proc/self/ns/net", &self) == 0;
	DIR *d = opendir("/run/netns");

	if (!d)
		return out;
	std::vector<std::string> names;
	while (dirent *de = readdir(d)) {
		std::string name = de->d_name;
		struct stat st;
		if (name == "." || name == "..")
			continue;
		if (stat(("/run/netns/" + name).c_str(), &st) != 0)
			continue;
		if (have_self && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			continue;
		names.push_back(name);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	out.insert(out.end(), names.begin(), names.end());
	return out;
}

} // namespace

int cmd_conns(context &ctx, std::vector<std::string> args)
{
	conns_options o;
	parsed_args a;
	int code = parse_args(ctx, "conns", args,
			      { { "no-header", 'H', false },
				{ "count", 'c', false },
				{ "all-netns", 'A', false },
				{ "port", 0, true },
				{ "client", 0, true },
				{ "balancer", 0, true } },
			      a);
	if (code >= 0)
		return code;
	if (a.help) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	if (!a.positional.empty())
		return usage_error("conns", "unexpected argument '" + a.positional[0] + "'");
	for (auto &[name, value] : a.options) {
		if (name == "no-header") {
			o.header = false;
		} else if (name == "count") {
			o.count = true;
		} else if (name == "all-netns") {
			o.all = true;
		} else if (name == "port") {
			char *end = nullptr;
			unsigned long p = std::strtoul(value.c_str(), &end, 10);
			if (value.empty() || *end || value[0] == '-' || p > 65535)
				return usage_error("conns", "bad port '" + value + "' (0-65535)");
			o.port = static_cast<std::uint16_t>(p);
		} else {
			auto c = parse_cidr(value);
			if (!c)
				return usage_error(
					"conns",
					"bad " + name + " prefix '" + value +
						"' (ADDR or ADDR/LEN with zero host bits)");
			(name == "client" ? o.client : o.balancer) = *c;
		}
	}
	if (o.all && !ctx.netns.empty())
		return usage_error("conns", "-A and -n exclude each other");
#ifdef TOA_HAVE_BPF
	int bcode = bpf_conns(ctx, o);
	if (bcode >= 0)
		return bcode;
#endif

	std::vector<std::string> namespaces =
		o.all ? all_namespaces() : std::vector<std::string>{ ctx.netns };
	// Open every socket first: errors before any output.
	std::vector<toa::control> ctls;
	for (auto &ns : namespaces) {
		context c = ctx;
		c.netns = ns;
		auto ctl = open_control(c, &code);
		if (!ctl)
			return code;
		ctls.push_back(std::move(*ctl));
	}

	conns_printer p(ctx, o);
	for (std::size_t i = 0; i < ctls.size(); i++) {
		std::string label = namespaces[i].empty() ? "-" : namespaces[i];
		auto r = ctls[i].for_each_socket([&](const toa::socket_entry &e) {
			p.add(label, e);
			return true;
		});
		if (!r) {
			code = report(r.error(), "conns", ctls[i].last_message());
			p.finish(std::make_pair(code, last_error()));
			return code;
		}
	}
	p.finish();
	return EXIT_OK;
}

} // namespace toactl
