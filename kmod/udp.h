/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the files of toa.ko's UDP part (overview: udp.c):
 *
 *   udp_map.c      the flow map: who the client of a flow is, its limits
 *                  (global and per namespace), expiry and GC
 *   udp_input.c    the netfilter hooks: options and protocol-248 wrappers
 *                  decoded, vetted and recorded into the map
 *   udp_sockopt.c  the getsockopt calls answered from the map
 */
#ifndef _TOA_KMOD_UDP_H
#define _TOA_KMOD_UDP_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/rculist.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <toa/uoa.h>

/* A flow as the backend sees it. Hashed without daddr: lookups may
 * leave it empty (a socket bound to INADDR_ANY does not know it).
 */
struct toa_udp_key {
	u16 family;		/* TOA_AF_INET or TOA_AF_INET6 */
	__be16 sport;		/* the balancer's port */
	__be16 dport;		/* the backend's */
	u16 pad;		/* zero: keys are compared as bytes */
	u8 saddr[16];		/* the balancer */
	u8 daddr[16];		/* the backend */
};

struct toa_udp_flow {
	struct hlist_node node;
	struct rcu_head rcu;
	possible_net_t net;
	struct toa_udp_key key;
	struct uoa_client client;
	u32 flags;		/* UOA_FLOW_F_IPOPT or _PROTO248 */
	unsigned long updated;	/* jiffies of the last option */
	unsigned long used;	/* jiffies of the last option or lookup */
};

/*
 * Per namespace, in the pernet data of udp_input.c's hooks (which exist
 * exactly while anything can be recorded): the namespace's share of the
 * map, checked against udp_netns_max_entries.
 */
struct toa_udp_net {
	atomic_t flows;
	bool defrag6;	/* nf_defrag_ipv6 enabled here by us (udp_input.c) */
};

extern unsigned int toa_udp_net_id;

static inline bool toa_udp_same_client(const struct uoa_client *a,
				       const struct uoa_client *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static inline struct toa_udp_net *toa_udp_net(const struct net *net)
{
	return net_generic(net, toa_udp_net_id);
}

/* ---- udp_map.c ---- */
int toa_udp_map_init(void);
void toa_udp_map_exit(void);
/* Record @c as the client of flow @k (softirq); counts what happened. */
void toa_udp_record(struct net *net, const struct toa_udp_key *k,
		    const struct uoa_client *c, u32 flags);
/*
 * The live mapping of @k (daddr all zero: any backend address), copied
 * into @out and refreshed. Any context.
 */
bool toa_udp_find(struct net *net, const struct toa_udp_key *k,
		  struct toa_udp_flow *out);
/* Forget every mapping of @net (its hooks are gone). Process context. */
void toa_udp_forget_net(struct net *net);
/* Mappings of @net stored now (0 when nothing was ever recorded there). */
static inline int toa_udp_net_flows(const struct net *net)
{
	return atomic_read(&toa_udp_net(net)->flows);
}

/* ---- udp_input.c ---- */
int toa_udp_input_init(void);
void toa_udp_input_exit(void);

/* ---- udp_sockopt.c ---- */
int toa_udp_sockopt_init(void);
void toa_udp_sockopt_exit(void);

#endif /* _TOA_KMOD_UDP_H */
