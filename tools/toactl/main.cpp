// SPDX-License-Identifier: MIT
//
// toactl - operate toa.ko: status, counters, TOA sockets, configuration.
// One file per command (cmd_*.cpp); this one parses the global options and
// dispatches. Output is iproute2-like text, or JSON with -j.
#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "toactl.hpp"

using namespace toactl;

static const char usage_text[] =
	"Usage: toactl [-j|-p] [-n NETNS] COMMAND [ARGS]\n"
	"Operate toa.ko, which gives TCP servers behind an L4 balancer the real\n"
	"client address from the TOA option.\n"
	"\n"
	"Commands:\n"
	"  status                     module loaded? version, configuration, entries\n"
	"  stats [--reset|--prometheus]\n"
	"                             counters of the network namespace\n"
	"  conns [-H] [-c] [-A] [--port N] [--client PFX] [--balancer PFX]\n"
	"                             live sockets with TOA data\n"
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
	"  -j, --json                 JSON output (every command): one object,\n"
	"                             \"schema\": 1 first; {\"error\": ...} on failure\n"
	"  -p, --pretty               JSON, indented\n"
	"  -n, --netns NAME           run in network namespace NAME\n"
	"                             (/run/netns/NAME, or a path such as\n"
	"                             /proc/PID/ns/net)\n"
	"  -V, --version              print the version\n"
	"  -h, --help                 this text; 'toactl COMMAND --help' for one\n"
	"\n"
	"Options go before or after the command; '--' ends them.\n"
	"Exit status: 0 success, 1 runtime error, 2 usage error, 3 toa.ko not\n"
	"loaded, 4 permission denied. See toactl(8).\n";

struct command {
	const char *name;
	command_fn fn;
};

static const command commands[] = {
	{ "status", cmd_status }, { "stats", cmd_stats },   { "conns", cmd_conns },
	{ "lookup", cmd_lookup }, { "config", cmd_config },
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

// The options before the command (the same ones also work after it).
static int global_options(context &ctx, int argc, char **argv, int *next)
{
	static const struct option longs[] = {
		{ "json", no_argument, nullptr, 'j' },
		{ "pretty", no_argument, nullptr, 'p' },
		{ "netns", required_argument, nullptr, 'n' },
		{ "version", no_argument, nullptr, 'V' },
		{ "help", no_argument, nullptr, 'h' },
		{ nullptr, 0, nullptr, 0 },
	};
	int c;

	opterr = 0;
	// '+': stop at the command's name, its options are its own
	while ((c = getopt_long(argc, argv, "+:jpn:Vh", longs, nullptr)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.json = ctx.pretty = true;
			break;
		case 'n':
			if (!*optarg)
				return usage_error("", "option --netns needs a namespace name");
			ctx.netns = optarg;
			break;
		case 'V':
			std::printf("toactl %s\n", toa::version());
			return EXIT_OK;
		case 'h':
			std::fputs(usage_text, stdout);
			return EXIT_OK;
		case ':':
			return usage_error("", "option '" + option_named(argv[optind - 1], optopt) +
						       "' needs a value");
		default:
			return usage_error("", "unknown option '" +
						       option_named(argv[optind - 1], optopt) +
						       "'");
		}
	}
	*next = optind;
	return -1;
}

static int run(context &ctx, int argc, char **argv)
{
	int i = 0;
	int code = global_options(ctx, argc, argv, &i);

	if (code >= 0)
		return code;
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
	context ctx;
	int code;

	try {
		code = run(ctx, argc, argv);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "toactl: %s\n", e.what());
		set_last_error(e.what());
		code = EXIT_RUNTIME;
	}
	// -j: a failure still prints one JSON object, for scripts.
	if (ctx.json && code != EXIT_OK && !json_printed()) {
		print_json(ctx, [&](json &j) {
			j.key("error").begin_object();
			j.key("exit").value(static_cast<std::uint64_t>(code));
			j.key("message").value(last_error());
			j.end_object();
		});
	}
	// A closed pipe or a full disk is an error too.
	if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
		if (errno != EPIPE)
			std::fprintf(stderr, "toactl: write error: %s\n", std::strerror(errno));
		return EXIT_RUNTIME;
	}
	return code;
}
