// SPDX-License-Identifier: GPL-2.0
/*
 * Counters and /proc/net/toa_stats.
 *
 * Every counter is defined, with its meaning, in include/toa/stats.h.
 * Counters are per network namespace (a Kubernetes node runs each pod in
 * its own) and per CPU: this_cpu_inc() is safe in any context, preemptible
 * or not, so there is no smp_processor_id() race to get wrong.
 *
 * /proc/net/toa_stats prints one line per counter: name, total, then one
 * column per possible CPU. Global gauges print their total only, and only
 * where toa_stats_global_visible() allows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/netns/generic.h>

#include "toa.h"

struct toa_pcpu_stats {
	u64 v[TOA_STAT_COUNT];
};

/*
 * Teardown of a namespace's counters (the namespace dying, or rmmod):
 * toa_stat_inc() runs on the packet path and in syscalls of that
 * namespace, possibly at the very moment it goes away, so it reads the
 * pointer under RCU. toa_net_pre_exit() clears the pointer first; the
 * netns core then waits for a grace period (synchronize_rcu() between the
 * pre_exit and exit methods, in cleanup_net() and in
 * unregister_pernet_subsys() alike: "a synchronize_rcu() is guaranteed
 * between the calls", include/net/net_namespace.h), so by toa_net_exit()
 * no reader can
 * still hold it and the memory is freed. Freeing first, or without the
 * grace period, let a reader increment freed per-CPU memory.
 */
struct toa_net {
	struct toa_pcpu_stats __percpu __rcu *stats;
	/* set by pre_exit, freed by exit (after the grace period) */
	struct toa_pcpu_stats __percpu *dying;
};

static unsigned int toa_net_id __read_mostly;

static struct toa_net *toa_net(const struct net *net)
{
	return net_generic(net, toa_net_id);
}

void toa_stat_inc(const struct net *net, enum toa_stat s)
{
	struct toa_pcpu_stats __percpu *st;

	rcu_read_lock();
	st = rcu_dereference(toa_net(net)->stats);
	/* NULL once the namespace (or the module) is on its way out. */
	if (likely(st))
		this_cpu_inc(st->v[s]);
	rcu_read_unlock();
}

static u64 toa_stat_global(enum toa_stat s)
{
	switch (s) {
	case TOA_STAT_STORE_IN_USE:
		return toa_store_count();
	case TOA_STAT_PROBE_MISSED:
		return toa_hooks_missed();
	case TOA_STAT_UDP_MAP_IN_USE:
		return toa_udp_count();
	default:
		return 0;
	}
}

/*
 * The gauges count the sockets and flows of every namespace: shown to a
 * reader in another namespace, they would tell it how busy its neighbours
 * are (and, sampled, when they connect). So only the node's own namespace,
 * or a reader holding CAP_NET_ADMIN over it, sees them; the counters of a
 * reader's own namespace are always visible.
 */
bool toa_stats_global_visible(const struct net *net, bool init_admin)
{
	return net_eq(net, &init_net) || init_admin;
}

void toa_stats_read(const struct net *net, u64 *out)
{
	struct toa_pcpu_stats __percpu *st;
	int s, cpu;

	rcu_read_lock();
	st = rcu_dereference(toa_net(net)->stats);
	for (s = 0; s < TOA_STAT_COUNT; s++) {
		out[s] = 0;
		if (toa_stat_is_global(s)) {
			out[s] = toa_stat_global(s);
			continue;
		}
		for_each_possible_cpu(cpu)
			if (st)
				out[s] += per_cpu_ptr(st, cpu)->v[s];
	}
	rcu_read_unlock();
}

void toa_stats_reset(const struct net *net)
{
	struct toa_pcpu_stats __percpu *st;
	int cpu;

	rcu_read_lock();
	st = rcu_dereference(toa_net(net)->stats);
	for_each_possible_cpu(cpu)
		if (st)
			memset(per_cpu_ptr(st, cpu), 0,
			       sizeof(struct toa_pcpu_stats));
	rcu_read_unlock();
}

static int toa_stats_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct toa_pcpu_stats __percpu *st;
	u64 total[TOA_STAT_COUNT];
	bool global;
	int s, cpu;

	/* The opener's credentials, not current's: a passed-on fd is not
	 * a way round the check.
	 */
	global = toa_stats_global_visible(net,
					  file_ns_capable(seq->file,
							  init_net.user_ns,
							  CAP_NET_ADMIN));
	toa_stats_read(net, total);
	seq_printf(seq, "%-24s %12s", "counter", "total");
	for_each_possible_cpu(cpu)
		seq_printf(seq, " %11s%d", "CPU", cpu);
	seq_putc(seq, '\n');
	/* seq_printf() does not sleep: the whole table under one section. */
	rcu_read_lock();
	st = rcu_dereference(toa_net(net)->stats);
	for (s = 0; s < TOA_STAT_COUNT; s++) {
		if (toa_stat_is_global(s) && !global)
			continue;	/* not even the name: nothing to infer */
		seq_printf(seq, "%-24s %12llu", toa_stat_name(s), total[s]);
		if (!toa_stat_is_global(s))
			for_each_possible_cpu(cpu)
				seq_printf(seq, " %12llu",
					   st ? per_cpu_ptr(st, cpu)->v[s] : 0);
		seq_putc(seq, '\n');
	}
	rcu_read_unlock();
	return 0;
}

static int __net_init toa_net_init(struct net *net)
{
	struct toa_pcpu_stats __percpu *st = alloc_percpu(struct toa_pcpu_stats);

	if (!st)
		return -ENOMEM;
	if (!proc_create_net_single("toa_stats", 0444, net->proc_net,
				    toa_stats_show, NULL)) {
		free_percpu(st);
		return -ENOMEM;
	}
	/* Published last: readers see NULL or fully set-up counters. */
	rcu_assign_pointer(toa_net(net)->stats, st);
	return 0;
}

/* Unpublish; the netns core waits for a grace period before exit. */
static void __net_exit toa_net_pre_exit(struct net *net)
{
	struct toa_net *tn = toa_net(net);

	remove_proc_entry("toa_stats", net->proc_net);
	tn->dying = rcu_dereference_protected(tn->stats, 1);
	RCU_INIT_POINTER(tn->stats, NULL);
}

/* No reader can hold the pointer any more (see the top of this file). */
static void __net_exit toa_net_exit(struct net *net)
{
	struct toa_net *tn = toa_net(net);

	free_percpu(tn->dying);
	tn->dying = NULL;
}

static struct pernet_operations toa_net_ops = {
	.init = toa_net_init,
	.pre_exit = toa_net_pre_exit,
	.exit = toa_net_exit,
	.id = &toa_net_id,
	.size = sizeof(struct toa_net),
};

int toa_stats_init(void)
{
	return register_pernet_subsys(&toa_net_ops);
}

void toa_stats_exit(void)
{
	unregister_pernet_subsys(&toa_net_ops);
}
