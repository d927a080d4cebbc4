// SPDX-License-Identifier: GPL-2.0
/*
 * toa.ko - TCP Option Address: accept() and getpeername() return the real
 * client behind an L4 balancer that SNATs the flow and writes the client's
 * address into a TCP option (see include/toa/wire.h).
 *
 * This file only wires the parts together: init in dependency order, and
 * unwind in reverse, on failure and on exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "toa.h"

static int __init toa_init(void)
{
	char formats[64], trusted[128];
	int err;

	err = toa_store_init(toa_max_entries_param);
	if (err)
		goto out_trust;
	err = toa_stats_init();
	if (err)
		goto out_store;
	err = toa_udp_init();
	if (err)
		goto out_stats;
	err = toa_sockopt_init();
	if (err)
		goto out_udp;
	err = toa_netlink_init();
	if (err)
		goto out_sockopt;
	err = toa_peer_ops_init();
	if (err)
		goto out_netlink;
	err = toa_listen_ops_init();
	if (err)
		goto out_peer_ops;
	/* Last: once the hooks are live, everything they use must be. */
	err = toa_hooks_init();
	if (err)
		goto out_listen_ops;

	toa_formats_format(READ_ONCE(toa_cfg.formats), formats, sizeof(formats));
	toa_trust_format(trusted, sizeof(trusted));
	pr_info("loaded: formats=%s trusted=%s%s\n", formats,
		trusted[0] ? trusted : "any",
		READ_ONCE(toa_cfg.enabled) ? "" : " (paused)");
	if (toa_trust_is_empty())
		toa_trust_warn_any();
	return 0;

out_listen_ops:
	toa_listen_ops_exit();
out_peer_ops:
	toa_peer_ops_exit();
	toa_deferred_exit();
out_netlink:
	toa_netlink_exit();
out_sockopt:
	toa_sockopt_exit();
out_udp:
	toa_udp_exit();
out_stats:
	toa_stats_exit();
out_store:
	toa_store_exit();
out_trust:
	toa_trust_exit();
	return err;
}

static void __exit toa_exit(void)
{
	toa_hooks_exit();	/* returns once no callback is running */
	toa_listen_ops_exit();	/* listeners' passive opens: the kernel's */
	toa_peer_ops_exit();	/* sockets holding our ops now run the kernel's */
	toa_deferred_exit();
	toa_netlink_exit();	/* dumps in progress hold a module ref */
	toa_sockopt_exit();	/* waits for callers through the module ref */
	toa_udp_exit();		/* after sockopt: TOA_SO_GET_PEER reads UDP flows */
	toa_stats_exit();
	toa_store_exit();
	toa_trust_exit();
	pr_info("unloaded\n");
}

module_init(toa_init);
module_exit(toa_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCP Option Address: real client addresses behind L4 balancers");
MODULE_VERSION(TOA_VERSION);	/* from ../VERSION, by Kbuild */
