/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nfq.h - the NFQUEUE side of toa-inject (libmnl + libnetfilter_queue).
 */
#ifndef TOA_INJECT_NFQ_H
#define TOA_INJECT_NFQ_H

#include "flow.h"
#include "inject.h"

enum nfq_result {
	NFQ_STOPPED = 0,  /* SIGINT/SIGTERM or --count: a clean stop */
	NFQ_SETUP_FAILED, /* never got ready (reported on stderr) */
	NFQ_FAILED,	  /* a netlink error after ready (reported) */
};

/*
 * Bind queue cfg->queue, print the ready line, and hand every queued packet
 * to inject_packet() until SIGINT/SIGTERM or cfg->count injections.
 */
enum nfq_result nfq_run(const struct inject_config *cfg, struct flow_table *flows,
			struct inject_counters *c);

#endif /* TOA_INJECT_NFQ_H */
