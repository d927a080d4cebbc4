// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP flow map: for each flow a balancer wrote an option into,
 *
 *   (namespace, balancer addr:port -> backend addr:port, as the backend
 *    sees it)  ->  real client, last option, last use
 *
 * One hash table for every namespace (16k buckets, striped locks), read
 * under RCU. Mappings are refreshed by every option and every successful
 * lookup, and forgotten after udp_timeout seconds without either: lookups
 * ignore an expired mapping at once, a work item frees them every second.
 *
 * Limits, so that no sender can make the map refuse everyone else:
 *   udp_max_entries        mappings of all namespaces together;
 *   udp_netns_max_entries  mappings of one namespace (0: no own limit),
 *                          so that a flood into one pod cannot stop the
 *                          mapping of another's flows.
 * A new flow over either limit first reclaims the expired mappings of
 * its own bucket; when that is not enough it is not recorded (counted in
 * udp_map_full or udp_map_netns_full, its datagrams delivered all the
 * same) and the GC is run at once, so that the expired mappings elsewhere
 * make room within milliseconds rather than at the next second.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/netns/hash.h>

#include "toa.h"
#include "udp.h"

static unsigned int toa_udp_timeout = 360;
module_param_named(udp_timeout, toa_udp_timeout, uint, 0644);
MODULE_PARM_DESC(udp_timeout,
		 "seconds a UDP flow mapping lives without an option or a lookup (default 360, as DPVS)");

static unsigned int toa_udp_max_entries = 65536;
module_param_named(udp_max_entries, toa_udp_max_entries, uint, 0644);
MODULE_PARM_DESC(udp_max_entries, "most UDP flow mappings at once, all namespaces together (default 65536)");

static unsigned int toa_udp_netns_max_entries = 16384;
module_param_named(udp_netns_max_entries, toa_udp_netns_max_entries, uint, 0644);
MODULE_PARM_DESC(udp_netns_max_entries,
		 "most UDP flow mappings of one network namespace (default 16384, 0: only udp_max_entries)");

#define TOA_UDP_BITS	14		/* 16k buckets */
#define TOA_UDP_LOCKS	256		/* striped bucket locks */
#define TOA_UDP_GC_EVERY HZ

static struct hlist_head *toa_udp_buckets;
static spinlock_t toa_udp_locks[TOA_UDP_LOCKS];
static atomic_long_t toa_udp_entries = ATOMIC_LONG_INIT(0);
static u32 toa_udp_seed __read_mostly;
static struct delayed_work toa_udp_gc_work;

long toa_udp_count(void)
{
	return atomic_long_read(&toa_udp_entries);
}

static unsigned long toa_udp_timeout_jiffies(void)
{
	return (unsigned long)max(READ_ONCE(toa_udp_timeout), 1U) * HZ;
}

static bool toa_udp_expired(const struct toa_udp_flow *f, unsigned long now)
{
	return time_after(now, READ_ONCE(f->used) + toa_udp_timeout_jiffies());
}

static unsigned int toa_udp_bucket(const struct net *net,
				   const struct toa_udp_key *k)
{
	u32 a[4];

	memcpy(a, k->saddr, sizeof(a));
	return jhash_3words(a[0] ^ a[1] ^ a[2] ^ a[3],
			    ((u32)ntohs(k->sport) << 16) | ntohs(k->dport),
			    net_hash_mix(net) ^ k->family, toa_udp_seed) >>
	       (32 - TOA_UDP_BITS);
}

static spinlock_t *toa_udp_lock_of(unsigned int bucket)
{
	return &toa_udp_locks[bucket % TOA_UDP_LOCKS];
}

/* The entry of exactly @k in bucket @b, or NULL. Under RCU or the lock. */
static struct toa_udp_flow *toa_udp_lookup_exact(const struct net *net,
						 const struct toa_udp_key *k,
						 unsigned int b)
{
	struct toa_udp_flow *f;

	hlist_for_each_entry_rcu(f, &toa_udp_buckets[b], node, true)
		if (net_eq(read_pnet(&f->net), net) &&
		    !memcmp(&f->key, k, sizeof(*k)))
			return f;
	return NULL;
}

/* Same client again: restart the flow's timeout, in place. */
static void toa_udp_refresh(struct toa_udp_flow *f, u32 flags,
			    unsigned long now)
{
	WRITE_ONCE(f->flags, flags);
	WRITE_ONCE(f->updated, now);
	WRITE_ONCE(f->used, now);
}

/*
 * Unlink @f (bucket lock held) and free it after a grace period. Its
 * namespace is alive: a namespace's exit forgets its mappings before its
 * pernet data goes, under the same bucket locks.
 */
static void toa_udp_unlink(struct toa_udp_flow *f, bool expired)
{
	struct net *net = read_pnet(&f->net);

	hlist_del_rcu(&f->node);
	atomic_long_dec(&toa_udp_entries);
	atomic_dec(&toa_udp_net(net)->flows);
	if (expired)
		toa_stat_inc(net, TOA_STAT_UDP_MAP_EXPIRED);
	kfree_rcu(f, rcu);
}

/* The expired mappings of bucket @b (its lock held), unlinked: how many. */
static int toa_udp_reclaim_bucket(unsigned int b, unsigned long now)
{
	struct toa_udp_flow *f;
	struct hlist_node *tmp;
	int n = 0;

	hlist_for_each_entry_safe(f, tmp, &toa_udp_buckets[b], node) {
		if (toa_udp_expired(f, now)) {
			toa_udp_unlink(f, true);
			n++;
		}
	}
	return n;
}

/*
 * Take room for one more mapping of @net (bucket @b's lock held), or
 * false with the counter of the limit that refused it in @refused.
 * Expired mappings of the bucket are reclaimed first; a refusal also runs
 * the GC now for the others.
 */
static bool toa_udp_take_room(struct net *net, unsigned int b,
			      unsigned long now, enum toa_stat *refused)
{
	struct toa_udp_net *un = toa_udp_net(net);
	unsigned int netns_max = READ_ONCE(toa_udp_netns_max_entries);
	bool reclaimed = false;

	for (;;) {
		if (atomic_long_inc_return(&toa_udp_entries) >
		    READ_ONCE(toa_udp_max_entries)) {
			atomic_long_dec(&toa_udp_entries);
		} else if (netns_max &&
			   atomic_inc_return(&un->flows) > netns_max) {
			atomic_dec(&un->flows);
			atomic_long_dec(&toa_udp_entries);
		} else {
			if (!netns_max)
				atomic_inc(&un->flows);
			return true;
		}
		if (reclaimed || !toa_udp_reclaim_bucket(b, now))
			break;
		reclaimed = true;
	}
	mod_delayed_work(system_power_efficient_wq, &toa_udp_gc_work, 0);
	*refused = atomic_long_read(&toa_udp_entries) >=
		   READ_ONCE(toa_udp_max_entries) ? TOA_STAT_UDP_MAP_FULL :
						    TOA_STAT_UDP_MAP_NETNS_FULL;
	return false;
}

void toa_udp_record(struct net *net, const struct toa_udp_key *k,
		    const struct uoa_client *c, u32 flags)
{
	unsigned int b = toa_udp_bucket(net, k);
	unsigned long now = jiffies;
	struct toa_udp_flow *f, *n, *old = NULL;
	enum toa_stat verdict;

	/* Every-packet mode repeats the same client: no lock, no allocation. */
	rcu_read_lock();
	f = toa_udp_lookup_exact(net, k, b);
	if (f && toa_udp_same_client(&f->client, c)) {
		verdict = toa_udp_expired(f, now) ? TOA_STAT_UDP_MAP_NEW :
						    TOA_STAT_UDP_MAP_UPDATE;
		toa_udp_refresh(f, flags, now);
		rcu_read_unlock();
		toa_stat_inc(net, verdict);
		return;
	}
	rcu_read_unlock();

	n = kmalloc(sizeof(*n), GFP_ATOMIC);
	if (!n) {
		toa_stat_inc(net, TOA_STAT_UDP_MAP_FULL);
		return;
	}
	write_pnet(&n->net, net);
	n->key = *k;
	n->client = *c;
	n->flags = flags;
	n->updated = now;
	n->used = now;

	spin_lock_bh(toa_udp_lock_of(b));
	f = toa_udp_lookup_exact(net, k, b);
	if (f) {
		verdict = toa_udp_expired(f, now) ? TOA_STAT_UDP_MAP_NEW :
						    TOA_STAT_UDP_MAP_UPDATE;
		if (toa_udp_same_client(&f->client, c)) {
			toa_udp_refresh(f, flags, now);	/* lost a race */
		} else {
			/* The balancer reused the flow for another client:
			 * replaced whole, so readers copy one or the other.
			 */
			hlist_replace_rcu(&f->node, &n->node);
			old = f;
			n = NULL;
		}
		spin_unlock_bh(toa_udp_lock_of(b));
		kfree(n);
		if (old)
			kfree_rcu(old, rcu);
		toa_stat_inc(net, verdict);
		return;
	}
	if (!toa_udp_take_room(net, b, now, &verdict)) {
		spin_unlock_bh(toa_udp_lock_of(b));
		kfree(n);
		toa_stat_inc(net, verdict);
		return;
	}
	hlist_add_head_rcu(&n->node, &toa_udp_buckets[b]);
	spin_unlock_bh(toa_udp_lock_of(b));
	toa_stat_inc(net, TOA_STAT_UDP_MAP_NEW);
}

/*
 * A flow the application still asks about is in use even when the
 * balancer sends options only on its first datagrams: a lookup refreshes.
 */
bool toa_udp_find(struct net *net, const struct toa_udp_key *k,
		  struct toa_udp_flow *out)
{
	static const u8 any[16];
	unsigned int b = toa_udp_bucket(net, k);
	bool wild = !memcmp(k->daddr, any, sizeof(any));
	unsigned long now = jiffies;
	struct toa_udp_flow *f;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(f, &toa_udp_buckets[b], node) {
		if (!net_eq(read_pnet(&f->net), net) ||
		    f->key.family != k->family || f->key.sport != k->sport ||
		    f->key.dport != k->dport ||
		    memcmp(f->key.saddr, k->saddr, sizeof(k->saddr)) ||
		    (!wild && memcmp(f->key.daddr, k->daddr, sizeof(k->daddr))))
			continue;
		if (toa_udp_expired(f, now))
			continue;
		out->key = f->key;
		out->client = f->client;
		out->flags = READ_ONCE(f->flags);
		out->updated = READ_ONCE(f->updated);
		out->used = READ_ONCE(f->used);
		WRITE_ONCE(f->used, now);
		found = true;
		break;
	}
	rcu_read_unlock();
	return found;
}

/*
 * Unlink the mappings of @net (NULL: of every namespace), all of them or
 * (@expired_only) the expired ones, which are counted. Bucket by bucket:
 * process context, may sleep between buckets.
 */
static void toa_udp_sweep(const struct net *net, bool expired_only)
{
	struct toa_udp_flow *f;
	struct hlist_node *tmp;
	unsigned long now = jiffies;
	unsigned int i;

	for (i = 0; i < (1U << TOA_UDP_BITS); i++) {
		if (hlist_empty(&toa_udp_buckets[i]))
			goto next;
		spin_lock_bh(toa_udp_lock_of(i));
		hlist_for_each_entry_safe(f, tmp, &toa_udp_buckets[i], node) {
			if (net && !net_eq(read_pnet(&f->net), net))
				continue;
			if (expired_only && !toa_udp_expired(f, now))
				continue;
			toa_udp_unlink(f, expired_only);
		}
		spin_unlock_bh(toa_udp_lock_of(i));
next:
		if ((i & 1023) == 1023)
			cond_resched();
	}
}

void toa_udp_forget_net(struct net *net)
{
	if (toa_udp_net_flows(net))
		toa_udp_sweep(net, false);
}

static void toa_udp_gc(struct work_struct *work)
{
	if (atomic_long_read(&toa_udp_entries))
		toa_udp_sweep(NULL, true);
	queue_delayed_work(system_power_efficient_wq, &toa_udp_gc_work,
			   round_jiffies_relative(TOA_UDP_GC_EVERY));
}

int toa_udp_map_init(void)
{
	unsigned int i;

	toa_udp_buckets = kvcalloc(1U << TOA_UDP_BITS,
				   sizeof(*toa_udp_buckets), GFP_KERNEL);
	if (!toa_udp_buckets)
		return -ENOMEM;
	for (i = 0; i < TOA_UDP_LOCKS; i++)
		spin_lock_init(&toa_udp_locks[i]);
	toa_udp_seed = get_random_u32();
	INIT_DELAYED_WORK(&toa_udp_gc_work, toa_udp_gc);
	queue_delayed_work(system_power_efficient_wq, &toa_udp_gc_work,
			   round_jiffies_relative(TOA_UDP_GC_EVERY));
	return 0;
}

/*
 * After the hooks of every namespace are gone, and with them every
 * mapping (toa_udp_forget_net): nothing can be recorded any more.
 */
void toa_udp_map_exit(void)
{
	cancel_delayed_work_sync(&toa_udp_gc_work);
	WARN_ON_ONCE(atomic_long_read(&toa_udp_entries));
	synchronize_rcu();			/* lockless readers of buckets */
	kvfree(toa_udp_buckets);
	toa_udp_buckets = NULL;
}
