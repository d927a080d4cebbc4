// SPDX-License-Identifier: GPL-2.0
/*
 * options.c - the command line of toa-inject. See options.h and the usage
 * text below, which is the reference for every option.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

const char options_usage[] =
	"Usage: toa-inject --queue N [options]\n"
	"Insert a TOA option (the client's address and port) into TCP packets that\n"
	"netfilter queues to NFQUEUE N, like an L4 balancer doing FULLNAT; into UDP\n"
	"datagrams a UOA option, as an IPv4 option or in a protocol-248 wrapper.\n"
	"\n"
	"  -q, --queue N          NFQUEUE number to bind (0-65535, required)\n"
	"  -f, --format F         254/8 | 200/8 | 254/20 | 253/20 | 253/8 (default:\n"
	"                         254/8 for an IPv4 client, 254/20 for IPv6); an\n"
	"                         IPv4 client in a 20-byte format is ::ffff:a.b.c.d\n"
	"  -c, --client ADDR[:PORT]  put ADDR (and PORT) in the option instead of\n"
	"                         the packet's source; IPv6 as fd05::5 or\n"
	"                         [fd05::5]:1234 (NAT64: --client fd05::5 on IPv4)\n"
	"  -P, --client-port P    put port P in the option, the packet's address\n"
	"  -m, --mode M           ack: the first non-SYN packet of each flow\n"
	"                         (default); first:N: its first N non-SYN packets;\n"
	"                         every: all of them; seq: those with seq = ISN+1\n"
	"                         (the handshake ACK and first data segment);\n"
	"                         syn: the client's SYN only (no backend reads\n"
	"                         it there; queue SYNs too); UDP: ack, seq and\n"
	"                         syn mean the first datagram\n"
	"  -u, --uoa-mode M       UDP carrier: ipopt (an IPv4 option, default) or\n"
	"                         proto248 (a wrapper); IPv6 always gets proto248\n"
	"  -M, --malform KIND     write a broken option: truncated | badlen |\n"
	"                         zero-port | zero-addr | short | twice (TCP: the\n"
	"                         option two times); UDP wrappers:\n"
	"                         opp-version | opp-proto | opp-length |\n"
	"                         opp-csum (a wrong checksum in the UDP header)\n"
	"  -n, --count N          exit 0 after injecting N options\n"
	"  -s, --mss-clamp        lower the MSS of queued SYNs by the option length\n"
	"      --max-flows N      flow table size (default 4096)\n"
	"      --timeout S        forget a flow idle for S seconds (default 60)\n"
	"  -v, --verbose          one line on stderr per modified packet\n"
	"  -h, --help             this text\n"
	"Prints 'toa-inject: queue N ready' on stderr once bound; on SIGINT/SIGTERM\n"
	"(or --count) prints its counters and exits 0. Exit 2: bad arguments;\n"
	"exit 1: cannot bind the queue (permission, already bound).\n";

static enum options_result fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum options_result fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return OPTIONS_ERROR;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int options_parse_endpoint(const char *s, uint16_t *family, uint8_t *addr, int *have_port,
			   uint16_t *port_be)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *colon;
	unsigned long p;
	size_t n;

	*have_port = 0;
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close)
			return -1;
		n = (size_t)(close - s - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -1;
		s++;
	} else {
		colon = strchr(s, ':');
		/* exactly one colon: IPv4:PORT; more: a bare IPv6 address */
		if (colon && !strchr(colon + 1, ':')) {
			n = (size_t)(colon - s);
			port = colon + 1;
		} else {
			n = strlen(s);
		}
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = 0;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, host, addr) == 1)
		*family = TOA_AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*family = TOA_AF_INET6;
	else
		return -1;
	if (port) {
		if (parse_ulong(port, 65535, &p))
			return -1;
		*have_port = 1;
		*port_be = htons((uint16_t)p);
	}
	return 0;
}

static int parse_format(const char *s)
{
	int f;

	for (f = 0; f < TOA_FMT_COUNT; f++)
		if (!strcmp(s, toa_formats[f].name))
			return f;
	return -1;
}

enum {
	OPT_MAX_FLOWS = 256,
	OPT_TIMEOUT
};

static const struct option long_opts[] = { { "queue", required_argument, NULL, 'q' },
					   { "format", required_argument, NULL, 'f' },
					   { "client", required_argument, NULL, 'c' },
					   { "client-port", required_argument, NULL, 'P' },
					   { "mode", required_argument, NULL, 'm' },
					   { "uoa-mode", required_argument, NULL, 'u' },
					   { "malform", required_argument, NULL, 'M' },
					   { "count", required_argument, NULL, 'n' },
					   { "mss-clamp", no_argument, NULL, 's' },
					   { "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
					   { "timeout", required_argument, NULL, OPT_TIMEOUT },
					   { "verbose", no_argument, NULL, 'v' },
					   { "help", no_argument, NULL, 'h' },
					   { NULL, 0, NULL, 0 } };

enum options_result options_parse(int argc, char **argv, struct inject_config *cfg, char *err,
				  size_t errlen)
{
	int have_queue = 0, have_client = 0, have_cport = 0, opt, m;
	unsigned long v;

	opterr = 0;
	optind = 0; /* full glibc reset: parse again from argv[1] */
	while ((opt = getopt_long(argc, argv, ":q:f:c:P:m:u:M:n:svh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			if (parse_ulong(optarg, 65535, &v))
				return fail(err, errlen, "bad --queue '%s' (0-65535)", optarg);
			cfg->queue = (unsigned int)v;
			have_queue = 1;
			break;
		case 'f':
			cfg->format = parse_format(optarg);
			if (cfg->format < 0)
				return fail(err, errlen,
					    "bad --format '%s' (254/8, 200/8, "
					    "254/20, 253/20, 253/8)",
					    optarg);
			break;
		case 'c':
			if (options_parse_endpoint(optarg, &cfg->addr_family, cfg->addr,
						   &cfg->have_port, &cfg->port))
				return fail(err, errlen,
					    "bad --client '%s' (ADDR, ADDR:PORT, "
					    "[IPV6]:PORT)",
					    optarg);
			cfg->have_addr = 1;
			have_client = 1;
			break;
		case 'P':
			if (parse_ulong(optarg, 65535, &v))
				return fail(err, errlen, "bad --client-port '%s' (0-65535)",
					    optarg);
			cfg->port = htons((uint16_t)v);
			cfg->have_port = 1;
			have_cport = 1;
			break;
		case 'm':
			if (!strcmp(optarg, "ack")) {
				cfg->mode = INJECT_MODE_ACK;
			} else if (!strcmp(optarg, "every")) {
				cfg->mode = INJECT_MODE_EVERY;
			} else if (!strcmp(optarg, "seq")) {
				cfg->mode = INJECT_MODE_SEQ;
			} else if (!strcmp(optarg, "syn")) {
				cfg->mode = INJECT_MODE_SYN;
			} else if (!strncmp(optarg, "first:", 6) &&
				   !parse_ulong(optarg + 6, 1000000, &v) && v) {
				cfg->mode = INJECT_MODE_FIRST;
				cfg->first_n = (unsigned int)v;
			} else {
				return fail(err, errlen,
					    "bad --mode '%s' (ack, every, "
					    "first:N, seq, syn)",
					    optarg);
			}
			break;
		case 'u':
			if (!strcmp(optarg, "ipopt"))
				cfg->uoa_mode = INJECT_UOA_IPOPT;
			else if (!strcmp(optarg, "proto248"))
				cfg->uoa_mode = INJECT_UOA_PROTO248;
			else
				return fail(err, errlen,
					    "bad --uoa-mode '%s' (ipopt, "
					    "proto248)",
					    optarg);
			break;
		case 'M':
			for (m = 1; m < INJECT_MAL_COUNT; m++)
				if (!strcmp(optarg, inject_malform_names[m]))
					break;
			if (m == INJECT_MAL_COUNT)
				return fail(err, errlen,
					    "bad --malform '%s' (truncated, "
					    "badlen, zero-port, zero-addr, "
					    "short, twice, opp-version, "
					    "opp-proto, opp-length, opp-csum)",
					    optarg);
			cfg->malform = (enum inject_malform)m;
			break;
		case 'n':
			if (parse_ulong(optarg, 1000000000, &v) || !v)
				return fail(err, errlen,
					    "bad --count '%s' (a positive "
					    "number)",
					    optarg);
			cfg->count = v;
			break;
		case 's':
			cfg->mss_clamp = 1;
			break;
		case OPT_MAX_FLOWS:
			if (parse_ulong(optarg, 1u << 24, &v) || !v)
				return fail(err, errlen, "bad --max-flows '%s' (1-16777216)",
					    optarg);
			cfg->max_flows = (unsigned int)v;
			break;
		case OPT_TIMEOUT:
			if (parse_ulong(optarg, 86400, &v) || !v)
				return fail(err, errlen, "bad --timeout '%s' (1-86400 s)", optarg);
			cfg->timeout_s = (unsigned int)v;
			break;
		case 'v':
			cfg->verbose = 1;
			break;
		case 'h':
			return OPTIONS_HELP;
		case ':':
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return fail(err, errlen, "unknown option '-%c'", optopt);
			return fail(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (!have_queue)
		return fail(err, errlen, "--queue N is required");
	if (have_client && have_cport)
		return fail(err, errlen, "--client and --client-port exclude each other");
	if (cfg->have_addr && cfg->format >= 0 && toa_formats[cfg->format].family == TOA_AF_INET &&
	    cfg->addr_family == TOA_AF_INET6 &&
	    memcmp(cfg->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
		return fail(err, errlen, "--format %s carries IPv4, --client is IPv6",
			    toa_formats[cfg->format].name);
	return OPTIONS_OK;
}
