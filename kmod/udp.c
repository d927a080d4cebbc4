// SPDX-License-Identifier: GPL-2.0
/*
 * UDP: the real client of every datagram (formats and API: include/toa/uoa.h).
 *
 * A balancer that source-NATs a UDP flow writes the client into the
 * datagrams, as an IPv4 option or in a protocol-248 wrapper, on every
 * datagram or on the first ones only. toa.ko decodes it in netfilter hooks
 * (udp_input.c), keeps a flow map per network namespace (udp_map.c):
 *
 *   (balancer addr:port -> backend addr:port, as the backend sees it)
 *        -> real client, last option, last use
 *
 * and answers getsockopt() from it (udp_sockopt.c: UOA_SO_GET_LOOKUP,
 * DPVS's call; UOA_SO_GET_FLOW; TOA_SO_GET_PEER on a connected UDP
 * socket). Interfaces between the three: udp.h.
 *
 * Safe rmmod: the sockopt is unregistered first (callers hold a module
 * reference), then the hooks of every namespace (nf_unregister_net_hooks
 * waits for running hooks), each namespace's mappings forgotten, then the
 * GC work is cancelled and the map freed; entries unlinked before that are
 * freed by kfree_rcu, which needs no module code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "toa.h"
#include "udp.h"

int toa_udp_init(void)
{
	int err;

	err = toa_udp_map_init();
	if (err)
		return err;
	err = toa_udp_sockopt_init();
	if (err)
		goto out_map;
	err = toa_udp_input_init();
	if (err)
		goto out_sockopt;
	return 0;

out_sockopt:
	toa_udp_sockopt_exit();
out_map:
	toa_udp_map_exit();
	return err;
}

void toa_udp_exit(void)
{
	toa_udp_sockopt_exit();
	toa_udp_input_exit();
	toa_udp_map_exit();
}
