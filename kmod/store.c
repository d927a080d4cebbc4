// SPDX-License-Identifier: GPL-2.0
/*
 * Per-socket TOA entries.
 *
 * Why a module-owned table and not a field of the socket: sk_user_data
 * belongs to sockmap, tunnels and others (and the kernel keeps flag bits
 * in that pointer), and replacing sk_destruct skips the IPv6 clean-up of
 * newer kernels. So entries live here, in an RCU hash table keyed by the
 * socket's address, and are removed when the socket is released, or when
 * it dies unaccepted (hook.c, peer_ops.c).
 *
 * The address alone is not an identity: TCP sockets come from a
 * SLAB_TYPESAFE_BY_RCU cache and a freed one is soon reused. Each entry
 * therefore also records the socket cookie, a 64-bit number the kernel
 * never hands out twice, and a lookup only answers when the cookie (and
 * the caller's 4-tuple check) match. A socket that reuses the memory of a
 * socket whose destruction we missed can never inherit its client; its
 * own entry replaces the stale one, an accepted socket at its address
 * removes it (toa_store_accept()), and the table is bounded by
 * max_entries whatever happens.
 *
 * An entry is made for a child before accept() (hook.c); accept() marks
 * it (toa_store_accept(), the cookie checked there) and the socket gets
 * the module's proto_ops (peer_ops.c); getname reads the entry with a
 * plain compare of the cookie (toa_store_client()).
 *
 * Entries come from a cache of their own ("toa_entry" in /proc/slabinfo
 * when the kernel does not merge it): exactly their size rather than the
 * next kmalloc size up (192 bytes), and what the module holds is seen
 * apart from the rest of the kernel (the soak scenarios boot with
 * slab_nomerge to count it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sock_diag.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>

#include "toa.h"

#define TOA_STORE_BITS	16		/* 64k buckets: 100k+ sockets stay short */
#define TOA_STORE_LOCKS	256		/* striped bucket locks */

static struct hlist_head *toa_buckets;
static spinlock_t toa_locks[TOA_STORE_LOCKS];
static atomic_long_t toa_count = ATOMIC_LONG_INIT(0);
/* Entries of children not yet accepted: accept() looks only when > 0. */
static atomic_long_t toa_unaccepted = ATOMIC_LONG_INIT(0);
static unsigned int toa_max_entries;
static struct kmem_cache *toa_entry_cache;

static unsigned int toa_bucket(const struct sock *sk)
{
	return hash_ptr((void *)sk, TOA_STORE_BITS);
}

static spinlock_t *toa_lock_of(unsigned int bucket)
{
	return &toa_locks[bucket % TOA_STORE_LOCKS];
}

u64 toa_sock_cookie(struct sock *sk)
{
	u32 c[2];

	/* sock_gen_cookie() is not exported; this is its exported wrapper. */
	sock_diag_save_cookie(sk, c);
	return ((u64)c[1] << 32) | c[0];
}

int toa_store_init(unsigned int max_entries)
{
	unsigned int i;

	toa_entry_cache = KMEM_CACHE(toa_entry, 0);
	if (!toa_entry_cache)
		return -ENOMEM;
	toa_buckets = kvcalloc(1U << TOA_STORE_BITS, sizeof(*toa_buckets),
			       GFP_KERNEL);
	if (!toa_buckets) {
		kmem_cache_destroy(toa_entry_cache);
		return -ENOMEM;
	}
	for (i = 0; i < TOA_STORE_LOCKS; i++)
		spin_lock_init(&toa_locks[i]);
	toa_max_entries = max_entries;
	return 0;
}

/*
 * Not kfree_rcu(): the cache is destroyed at exit, and rcu_barrier() waits
 * for call_rcu() callbacks only (kfree_rcu() batches its own until 6.12's
 * kvfree_rcu_barrier()).
 */
static void toa_entry_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(toa_entry_cache,
			container_of(head, struct toa_entry, rcu));
}

/* Called after every probe is gone and an RCU grace period has passed. */
void toa_store_exit(void)
{
	struct toa_entry *e;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < (1U << TOA_STORE_BITS); i++) {
		hlist_for_each_entry_safe(e, tmp, &toa_buckets[i], node) {
			hlist_del(&e->node);
			kmem_cache_free(toa_entry_cache, e);
		}
	}
	atomic_long_set(&toa_count, 0);
	atomic_long_set(&toa_unaccepted, 0);
	kvfree(toa_buckets);
	toa_buckets = NULL;
	/* the entries freed after a grace period, and their callback's text */
	rcu_barrier();
	kmem_cache_destroy(toa_entry_cache);
	toa_entry_cache = NULL;
}

int toa_store_add(const struct toa_entry *src)
{
	unsigned int b = toa_bucket(src->sk);
	struct toa_entry *e, *old;
	unsigned long flags;

	e = kmem_cache_alloc(toa_entry_cache, GFP_ATOMIC);
	if (!e)
		return -ENOMEM;
	*e = *src;

	e->accepted = false;
	spin_lock_irqsave(toa_lock_of(b), flags);
	hlist_for_each_entry(old, &toa_buckets[b], node) {
		if (old->sk == e->sk) {
			if (old->accepted)
				atomic_long_inc(&toa_unaccepted);
			hlist_replace_rcu(&old->node, &e->node);
			spin_unlock_irqrestore(toa_lock_of(b), flags);
			call_rcu(&old->rcu, toa_entry_free_rcu);
			return 0;
		}
	}
	if (atomic_long_inc_return(&toa_count) > toa_max_entries) {
		atomic_long_dec(&toa_count);
		spin_unlock_irqrestore(toa_lock_of(b), flags);
		kmem_cache_free(toa_entry_cache, e);
		return -ENOSPC;
	}
	atomic_long_inc(&toa_unaccepted);
	hlist_add_head_rcu(&e->node, &toa_buckets[b]);
	spin_unlock_irqrestore(toa_lock_of(b), flags);
	return 0;
}

/* Remove @e from its bucket and the counts; its bucket lock held. */
static void toa_store_unlink(struct toa_entry *e)
{
	hlist_del_rcu(&e->node);
	atomic_long_dec(&toa_count);
	if (!e->accepted)
		atomic_long_dec(&toa_unaccepted);
	call_rcu(&e->rcu, toa_entry_free_rcu);
}

bool toa_store_accept(struct sock *sk)
{
	unsigned int b;
	struct toa_entry *e;
	unsigned long flags;
	bool ours = false;

	if (!atomic_long_read(&toa_unaccepted))
		return false;
	b = toa_bucket(sk);
	spin_lock_irqsave(toa_lock_of(b), flags);
	hlist_for_each_entry(e, &toa_buckets[b], node) {
		if (e->sk != sk)
			continue;
		/*
		 * A stale entry of an earlier socket at this address, whose
		 * end went unseen: it goes now.
		 */
		if (e->cookie != toa_sock_cookie(sk)) {
			toa_store_unlink(e);
			break;
		}
		if (!e->accepted) {
			e->accepted = true;
			atomic_long_dec(&toa_unaccepted);
		}
		ours = true;
		break;
	}
	spin_unlock_irqrestore(toa_lock_of(b), flags);
	return ours;
}

bool toa_store_client(const struct sock *sk, struct toa_client *out)
{
	/* Made when the entry was (toa_sock_cookie()): a plain read here.
	 * A socket that got the module's ops without its entry being
	 * checked at accept (a callback skipped) never reads a stale one.
	 */
	u64 cookie = atomic64_read(&sk->sk_cookie);
	struct toa_entry *e;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &toa_buckets[toa_bucket(sk)], node) {
		if (e->sk == sk && e->cookie == cookie) {
			*out = e->client;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

bool toa_store_get(const struct sock *sk, struct toa_entry *out)
{
	unsigned int b = toa_bucket(sk);
	struct toa_entry *e;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &toa_buckets[b], node) {
		if (e->sk == sk) {
			*out = *e;
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	/* A stale entry of an earlier socket at this address is no answer. */
	return found && out->cookie == toa_sock_cookie((struct sock *)sk);
}

void toa_store_del(const struct sock *sk)
{
	unsigned int b = toa_bucket(sk);
	struct toa_entry *e;
	unsigned long flags;

	/* Lock-free miss: listeners and plain children pass here. */
	if (!atomic_long_read(&toa_count))
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(e, &toa_buckets[b], node)
		if (e->sk == sk)
			break;
	rcu_read_unlock();
	if (!e)
		return;

	spin_lock_irqsave(toa_lock_of(b), flags);
	hlist_for_each_entry(e, &toa_buckets[b], node) {
		if (e->sk == sk) {
			toa_store_unlink(e);
			spin_unlock_irqrestore(toa_lock_of(b), flags);
			return;
		}
	}
	spin_unlock_irqrestore(toa_lock_of(b), flags);
}

long toa_store_count(void)
{
	return atomic_long_read(&toa_count);
}

/*
 * The dump iterator (netlink.c): one bucket at a time under RCU, resumed
 * from a (bucket, index) cursor, so a dump of any size never holds a lock
 * or the RCU read side across the table, and a reader that stops half-way
 * (or goes away) leaves nothing behind. Entries added or removed in a
 * bucket between two walks may shift the index: such an entry can be
 * missed or seen twice, as in any netlink dump.
 */
int toa_store_walk(struct toa_store_cursor *cur,
		   int (*fn)(const struct toa_entry *e, void *arg), void *arg)
{
	struct toa_entry *e;
	unsigned long i;
	int ret = 0;

	for (; cur->bucket < (1UL << TOA_STORE_BITS); cur->bucket++) {
		i = 0;
		rcu_read_lock();
		hlist_for_each_entry_rcu(e, &toa_buckets[cur->bucket], node) {
			if (i++ < cur->index)
				continue;
			ret = fn(e, arg);
			if (ret)
				break;
			cur->index++;
		}
		rcu_read_unlock();
		if (ret)
			return ret;
		cur->index = 0;
		if ((cur->bucket & 1023) == 1023)
			cond_resched();
	}
	return 0;
}

void toa_sock_addr(const struct sock *sk, bool peer, struct toa_addr *a)
{
	const struct inet_sock *inet = inet_sk(sk);

	memset(a, 0, sizeof(*a));
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(peer ? &sk->sk_v6_daddr : &sk->sk_v6_rcv_saddr)) {
		a->family = TOA_AF_INET6;
		a->port = peer ? inet->inet_dport : inet->inet_sport;
		memcpy(a->addr, peer ? &sk->sk_v6_daddr : &sk->sk_v6_rcv_saddr,
		       16);
		return;
	}
#endif
	a->family = TOA_AF_INET;
	a->port = peer ? inet->inet_dport : inet->inet_sport;
	memcpy(a->addr, peer ? &inet->inet_daddr : &inet->inet_rcv_saddr, 4);
}

/* Does @sk still talk to the balancer that sent the option? */
static bool toa_entry_current(const struct sock *sk, const struct toa_entry *e)
{
	struct toa_addr now;

	toa_sock_addr(sk, true, &now);
	return !memcmp(&now, &e->balancer, sizeof(now));
}

enum toa_lookup_result toa_lookup(struct sock *sk, struct toa_entry *e)
{
	if (!toa_store_get(sk, e))
		return TOA_LOOKUP_NONE;
	return toa_entry_current(sk, e) ? TOA_LOOKUP_OK : TOA_LOOKUP_STALE;
}
