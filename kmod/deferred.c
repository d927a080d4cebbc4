// SPDX-License-Identifier: GPL-2.0
/*
 * Options of bare ACKs that a TCP_DEFER_ACCEPT listener dropped.
 *
 * Such a listener makes no child from the third ACK: tcp_check_req()
 * drops it and waits for data, and the child is made from the first data
 * packet, which LVS-style balancers send without the option. passive.c
 * keeps the ACK's vetted option here, keyed by the connection (network
 * namespace, addresses, ports and both initial sequence numbers, which the
 * child still shows when it is made: a later connection on the same ports
 * can never match), and takes it back for the child.
 *
 * A connection that never sends data leaves its entry behind: entries
 * expire after TOA_DEFERRED_TTL, the table holds at most
 * TOA_DEFERRED_MAX, and an entry that does not fit is counted in
 * store_fail. The table is empty, and costs one read per passive open,
 * unless a deferred-accept listener gets options.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/request_sock.h>
#include <net/tcp.h>

#include "toa.h"

#define TOA_DEFERRED_BITS	8
#define TOA_DEFERRED_MAX	4096
#define TOA_DEFERRED_TTL	(300 * NSEC_PER_SEC)

struct toa_deferred_key {
	struct toa_addr balancer;	/* the packet's source */
	struct toa_addr local;
	u32 rcv_isn, snt_isn;
	const struct net *net;
};

struct toa_deferred {
	struct hlist_node node;
	struct toa_deferred_key key;
	struct toa_handshake hs;
	u64 kept_ns;			/* ktime_get_boottime_ns() */
};

static struct hlist_head toa_deferred_table[1 << TOA_DEFERRED_BITS];
static DEFINE_SPINLOCK(toa_deferred_lock);
static atomic_t toa_deferred_count = ATOMIC_INIT(0);
static bool toa_deferred_closed;	/* set by exit, under the lock */

static u32 toa_deferred_hash(const struct toa_deferred_key *k)
{
	return jhash(k, sizeof(*k), 0) >> (32 - TOA_DEFERRED_BITS);
}

static void toa_deferred_unlink(struct toa_deferred *d)
{
	hlist_del(&d->node);
	atomic_dec(&toa_deferred_count);
	kfree(d);
}

/* Drop the entries expired at @now, or @all of them; toa_deferred_lock held. */
static void toa_deferred_sweep(u64 now, bool all)
{
	struct toa_deferred *d;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(toa_deferred_table); i++)
		hlist_for_each_entry_safe(d, tmp, &toa_deferred_table[i], node)
			if (all || now - d->kept_ns > TOA_DEFERRED_TTL)
				toa_deferred_unlink(d);
}

static struct toa_deferred *toa_deferred_find(const struct toa_deferred_key *k)
{
	struct toa_deferred *d;

	hlist_for_each_entry(d, &toa_deferred_table[toa_deferred_hash(k)], node)
		if (!memcmp(&d->key, k, sizeof(*k)))
			return d;
	return NULL;
}

void toa_deferred_add(struct net *net, const struct toa_handshake *hs,
		      const struct request_sock *req)
{
	struct toa_deferred *d, *old;
	unsigned long flags;
	u64 now = ktime_get_boottime_ns();

	d = kzalloc(sizeof(*d), GFP_ATOMIC);
	if (!d) {
		toa_stat_inc(net, TOA_STAT_STORE_FAIL);
		return;
	}
	d->key.balancer = hs->balancer;
	d->key.local = hs->local;
	d->key.rcv_isn = tcp_rsk(req)->rcv_isn;
	d->key.snt_isn = tcp_rsk(req)->snt_isn;
	d->key.net = net;
	d->hs = *hs;
	d->kept_ns = now;

	spin_lock_irqsave(&toa_deferred_lock, flags);
	if (toa_deferred_closed)
		goto drop;
	old = toa_deferred_find(&d->key);
	if (old)
		toa_deferred_unlink(old);	/* the ACK again: the newer one */
	if (atomic_read(&toa_deferred_count) >= TOA_DEFERRED_MAX)
		toa_deferred_sweep(now, false);
	if (atomic_read(&toa_deferred_count) >= TOA_DEFERRED_MAX) {
		toa_stat_inc(net, TOA_STAT_STORE_FAIL);
		goto drop;
	}
	hlist_add_head(&d->node, &toa_deferred_table[toa_deferred_hash(&d->key)]);
	atomic_inc(&toa_deferred_count);
	spin_unlock_irqrestore(&toa_deferred_lock, flags);
	return;
drop:
	spin_unlock_irqrestore(&toa_deferred_lock, flags);
	kfree(d);
}

bool toa_deferred_take(const struct sock *child, struct toa_handshake *hs)
{
	const struct tcp_sock *tp = tcp_sk(child);
	struct toa_deferred_key k = {};
	struct toa_deferred *d;
	unsigned long flags;
	bool found = false;

	if (likely(!atomic_read(&toa_deferred_count)))
		return false;
	/* The child as tcp_create_openreq_child() made it: its addresses
	 * are the packet's, rcv_wup and snd_up still ISN + 1.
	 */
	toa_sock_addr(child, true, &k.balancer);
	toa_sock_addr(child, false, &k.local);
	k.rcv_isn = tp->rcv_wup - 1;
	k.snt_isn = tp->snd_up - 1;
	k.net = sock_net(child);

	spin_lock_irqsave(&toa_deferred_lock, flags);
	d = toa_deferred_find(&k);
	if (d) {
		found = ktime_get_boottime_ns() - d->kept_ns <=
			TOA_DEFERRED_TTL;
		if (found)
			*hs = d->hs;
		toa_deferred_unlink(d);
	}
	spin_unlock_irqrestore(&toa_deferred_lock, flags);
	return found;
}

/* After the hooks are gone. */
void toa_deferred_exit(void)
{
	unsigned long flags;

	spin_lock_irqsave(&toa_deferred_lock, flags);
	toa_deferred_closed = true;
	toa_deferred_sweep(0, true);
	spin_unlock_irqrestore(&toa_deferred_lock, flags);
}
