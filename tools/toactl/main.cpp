// SPDX-License-Identifier: MIT
//
// toactl - operate toa.ko: status, counters, TOA sockets, configuration.
// One file per command (cmd_*.cpp); this one parses the global options and
// dispatches. Output is iproute2-like text, or JSON with -j.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "toactl.hpp"

using namespace toactl;

static const char usage_text[] =
	"Usage: toactl [-j] [-n NETNS] COMMAND [ARGS]\n"
	"Operate toa.ko, which gives TCP servers behind an L4 balancer the real\n"
	"client address from the TOA option.\n"
	"\n"
	"Commands:\n"
	"  status                     module loaded? version, configuration, entries\n"
	"  stats [--reset]            counters of the network namespace\n"
	"  conns [-H] [-c] [-A]       live sockets with TOA data\n"
	"  lookup LOCAL REMOTE        the TOA data of one socket, by 4-tuple\n"
	"  config [show]              the configuration\n"
	"  config set KEY=VALUE...    change it: formats=, trusted=, enabled=\n"
#ifdef TOA_HAVE_BPF
	"  bpf attach|detach|status|config|stats\n"
	"                             module-free mode: BPF programs on a cgroup\n"
#endif
	"  help [COMMAND]             this text, or a command's\n"
	"\n"
	"Options:\n"
	"  -j, --json                 JSON output (every command)\n"
	"  -n, --netns NAME           run in network namespace NAME\n"
	"                             (/run/netns/NAME, or a path such as\n"
	"                             /proc/PID/ns/net)\n"
	"  -V, --version              print the version\n"
	"  -h, --help                 this text; 'toactl COMMAND --help' for one\n"
	"\n"
	"Exit status: 0 success, 1 runtime error, 2 usage error, 3 toa.ko not\n"
	"loaded, 4 permission denied. See toactl(8).\n";

struct command {
	const char *name;
	command_fn fn;
};

static const command commands[] = {
	{ "status", cmd_status }, { "stats", cmd_stats },
	{ "conns", cmd_conns },	  { "lookup", cmd_lookup },
	{ "config", cmd_config },
#ifdef TOA_HAVE_BPF
	{ "bpf", cmd_bpf },
#endif
};

static const command *find_command(const std::string &name)
{
	for (auto &c : commands)
		if (name == c.name)
			return &c;
	return nullptr;
}

static int run(int argc, char **argv)
{
	context ctx;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		std::string a = argv[i];
		if (a == "-j" || a == "--json") {
			ctx.json = true;
		} else if (a == "-n" || a == "--netns") {
			if (i + 1 >= argc || !argv[i + 1][0])
				return usage_error("", "option " + a + " needs a namespace name");
			ctx.netns = argv[++i];
		} else if (a.rfind("--netns=", 0) == 0) {
			ctx.netns = a.substr(8);
			if (ctx.netns.empty())
				return usage_error("", "option --netns needs a namespace name");
		} else if (a == "-h" || a == "--help") {
			std::fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (a == "-V" || a == "--version") {
			std::printf("toactl %s\n", toa::version());
			return EXIT_OK;
		} else if (a == "--") {
			i++;
			break;
		} else {
			return usage_error("", "unknown option '" + a + "'");
		}
	}
	if (i >= argc)
		return usage_error("", "missing command (status, stats, conns, lookup, config)");
	std::string name = argv[i++];
	std::vector<std::string> args(argv + i, argv + argc);
	if (name == "help") {
		if (args.empty()) {
			std::fputs(usage_text, stdout);
			return EXIT_OK;
		}
		name = args[0];
		args = { "--help" };
	}
	const command *c = find_command(name);
	if (!c)
		return usage_error("", "unknown command '" + name + "'");
	return c->fn(ctx, std::move(args));
}

int main(int argc, char **argv)
{
	int code;

	try {
		code = run(argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "toactl: %s\n", e.what());
		return EXIT_RUNTIME;
	}
	// A closed pipe or a full disk is an error too.
	if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
		if (errno != EPIPE)
			std::fprintf(stderr, "toactl: write error: %s\n",
				     std::strerror(errno));
		return EXIT_RUNTIME;
	}
	return code;
}
