// SPDX-License-Identifier: GPL-2.0
/*
 * toa-inject - a balancer simulator for the toa tests: it inserts a TOA
 * option carrying the client's address into TCP packets queued to it by
 * netfilter (NFQUEUE), the way an L4 balancer doing FULLNAT does, and a
 * UOA option into UDP datagrams.
 *
 * Files, one concern each:
 *   options.c  command line -> struct inject_config (usage text there)
 *   inject.c   per-packet decision: flows, modes, the option bytes
 *   udp.c      the same for UDP datagrams: a UOA option or wrapper
 *   packet.c   pure IPv4/IPv6/TCP editing: insert, checksums, MSS clamp
 *   flow.c     bounded flow table with expiry
 *   nfq.c      the NFQUEUE loop (libmnl + libnetfilter_queue)
 * README.md beside them says what each --malform kind should make toa.ko do.
 */
#include <stdio.h>

#include "flow.h"
#include "inject.h"
#include "nfq.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct inject_config cfg;
	struct inject_counters c = { 0 };
	struct flow_table flows;
	char msg[256];
	int rc;

	inject_config_init(&cfg);
	switch (options_parse(argc, argv, &cfg, msg, sizeof(msg))) {
	case OPTIONS_HELP:
		fputs(options_usage, stdout);
		return 0;
	case OPTIONS_ERROR:
		fprintf(stderr, "toa-inject: %s (try --help)\n", msg);
		return 2;
	case OPTIONS_OK:
		break;
	}
	if (flow_table_init(&flows, cfg.max_flows, (uint64_t)cfg.timeout_s * 1000)) {
		fprintf(stderr, "toa-inject: out of memory\n");
		return 1;
	}
	rc = nfq_run(&cfg, &flows, &c);
	if (rc != NFQ_SETUP_FAILED) {
		inject_counters_format(&c, msg, sizeof(msg));
		fprintf(stderr, "toa-inject: %s\n", msg);
	}
	flow_table_free(&flows);
	return rc == NFQ_STOPPED ? 0 : 1;
}
