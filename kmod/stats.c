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
 * column per possible CPU. Global gauges print their total only.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/netns/generic.h>

#include "toa.h"

struct toa_pcpu_stats {
	u64 v[TOA_STAT_COUNT];
};

struct toa_net {
	struct toa_pcpu_stats __percpu *stats;
};

static unsigned int toa_net_id __read_mostly;

static struct toa_pcpu_stats __percpu *toa_net_stats(const struct net *net)
{
	struct toa_net *tn = net_generic(net, toa_net_id);

	return tn->stats;
}

void toa_stat_inc(const struct net *net, enum toa_stat s)
{
	struct toa_pcpu_stats __percpu *st = toa_net_stats(net);

	/* NULL only for a kernel socket outliving our pernet exit. */
	if (likely(st))
		this_cpu_inc(st->v[s]);
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

void toa_stats_read(const struct net *net, u64 *out)
{
	struct toa_pcpu_stats __percpu *st = toa_net_stats(net);
	int s, cpu;

	for (s = 0; s < TOA_STAT_COUNT; s++) {
		out[s] = 0;
		if (TOA_STAT_IS_GLOBAL(s)) {
			out[s] = toa_stat_global(s);
			continue;
		}
		for_each_possible_cpu(cpu)
			out[s] += per_cpu_ptr(st, cpu)->v[s];
	}
}

void toa_stats_reset(const struct net *net)
{
	struct toa_pcpu_stats __percpu *st = toa_net_stats(net);
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(st, cpu), 0, sizeof(struct toa_pcpu_stats));
}

static int toa_stats_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	struct toa_pcpu_stats __percpu *st = toa_net_stats(net);
	u64 total[TOA_STAT_COUNT];
	int s, cpu;

	toa_stats_read(net, total);
	seq_printf(seq, "%-24s %12s", "counter", "total");
	for_each_possible_cpu(cpu)
		seq_printf(seq, " %11s%d", "CPU", cpu);
	seq_putc(seq, '\n');
	for (s = 0; s < TOA_STAT_COUNT; s++) {
		seq_printf(seq, "%-24s %12llu", toa_stat_names[s], total[s]);
		if (!TOA_STAT_IS_GLOBAL(s))
			for_each_possible_cpu(cpu)
				seq_printf(seq, " %12llu",
					   per_cpu_ptr(st, cpu)->v[s]);
		seq_putc(seq, '\n');
	}
	return 0;
}

static int __net_init toa_net_init(struct net *net)
{
	struct toa_net *tn = net_generic(net, toa_net_id);

	tn->stats = alloc_percpu(struct toa_pcpu_stats);
	if (!tn->stats)
		return -ENOMEM;
	if (!proc_create_net_single("toa_stats", 0444, net->proc_net,
				    toa_stats_show, NULL)) {
		free_percpu(tn->stats);
		tn->stats = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit toa_net_exit(struct net *net)
{
	struct toa_net *tn = net_generic(net, toa_net_id);

	remove_proc_entry("toa_stats", net->proc_net);
	free_percpu(tn->stats);
	tn->stats = NULL;
}

static struct pernet_operations toa_net_ops = {
	.init = toa_net_init,
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
