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
 * An entry is made for a child before accept() (listen_ops.c); the
 * socket gets the module's proto_ops from accept() (peer_ops.c), or from
 * the graft hook, which marks the entry accepted (toa_store_accept(), the
 * cookie checked there); getname reads the entry with a plain compare of
 * the cookie (toa_store_client()).
 *
 * Memory: 64 bytes a TOA socket. An entry holds only what the socket
 * cannot tell later (the client, a digest of its peer at handshake, its
 * age); the addresses and namespace a dump shows are read off the socket
 * (conns.c). It has no rcu_head of its own: an unlinked entry is retired
 * onto a lock-free list through the half of its list node that RCU
 * walkers never read (node.pprev), and a batch of them is freed after one
 * grace period (toa_retire_work()). Entries come from a cache of their
 * own ("toa_entry" in /proc/slabinfo when the kernel does not merge it),
 * exactly their size, so what the module holds is seen apart from the
 * rest of the kernel (the soak scenarios boot with slab_nomerge to count
 * it). The buckets are sized for max_entries (a quarter as many: chains
 * of at most about four at the cap), 8 bytes each, allocated at load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sock_diag.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/mm.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>

#include "toa.h"

#define TOA_STORE_MIN_BITS	10
#define TOA_STORE_MAX_BITS	20
#define TOA_STORE_LOCKS		256	/* striped bucket locks */

static struct hlist_head *toa_buckets;
static unsigned int toa_store_bits;
static spinlock_t toa_locks[TOA_STORE_LOCKS];
static atomic_long_t toa_count = ATOMIC_LONG_INIT(0);
/* Entries of children not yet accepted: accept() looks only when > 0. */
static atomic_long_t toa_unaccepted = ATOMIC_LONG_INIT(0);
static unsigned int toa_max_entries;
static struct kmem_cache *toa_entry_cache;

/*
 * Retired entries: unlinked, still possibly under an RCU walker. New ones
 * go on toa_retiring; the holder of TOA_RETIRE_QUEUED moves them to
 * toa_retired and queues toa_retire_rwork, which frees that batch one
 * grace period later and starts the next.
 */
static LLIST_HEAD(toa_retiring);
static struct llist_node *toa_retired;	/* owned by the QUEUED bit's holder */
static unsigned long toa_retire_flags;
#define TOA_RETIRE_QUEUED	0
static struct rcu_work toa_retire_rwork;

static unsigned int toa_bucket(const struct sock *sk)
{
	return hash_ptr((void *)sk, toa_store_bits);
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

u32 toa_addr_hash(const struct toa_addr *a)
{
	BUILD_BUG_ON(sizeof(*a) % 4);
	return jhash2((const u32 *)a, sizeof(*a) / 4, 0);
}

static void toa_entries_free(struct llist_node *list)
{
	struct toa_entry *e, *tmp;

	llist_for_each_entry_safe(e, tmp, list, retired.free)
		kmem_cache_free(toa_entry_cache, e);
}

/* Seal what is retiring into the next batch; TOA_RETIRE_QUEUED held. */
static void toa_retire_seal(void)
{
	toa_retired = llist_del_all(&toa_retiring);
	queue_rcu_work(system_wq, &toa_retire_rwork);
}

/* A grace period after the seal: no walker can still see the batch. */
static void toa_retire_work(struct work_struct *work)
{
	toa_entries_free(toa_retired);
	toa_retired = NULL;
	clear_bit(TOA_RETIRE_QUEUED, &toa_retire_flags);
	/* pairs with the barrier of llist_add() in toa_entry_retire() */
	smp_mb__after_atomic();
	if (!llist_empty(&toa_retiring) &&
	    !test_and_set_bit(TOA_RETIRE_QUEUED, &toa_retire_flags))
		toa_retire_seal();
}

/*
 * Free @e, unlinked, once no RCU walker can hold it. node.next stays as
 * it was (a walker standing on @e goes on from it); node.pprev, which
 * walkers never read, becomes the retired list's link.
 */
static void toa_entry_retire(struct toa_entry *e)
{
	BUILD_BUG_ON(offsetof(struct toa_entry, retired.next) !=
		     offsetof(struct toa_entry, node.next));
	BUILD_BUG_ON(offsetof(struct toa_entry, retired.free) !=
		     offsetof(struct toa_entry, node.pprev));
	llist_add(&e->retired.free, &toa_retiring);
	if (!test_and_set_bit(TOA_RETIRE_QUEUED, &toa_retire_flags))
		toa_retire_seal();
}

int toa_store_init(unsigned int max_entries)
{
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct toa_entry) > 64);
	/* a quarter as many buckets as entries at the cap */
	toa_store_bits = clamp_t(int, order_base_2(max(max_entries, 1U)) - 2,
				 TOA_STORE_MIN_BITS, TOA_STORE_MAX_BITS);
	toa_entry_cache = KMEM_CACHE(toa_entry, 0);
	if (!toa_entry_cache)
		return -ENOMEM;
	toa_buckets = kvcalloc(1U << toa_store_bits, sizeof(*toa_buckets),
			       GFP_KERNEL);
	if (!toa_buckets) {
		kmem_cache_destroy(toa_entry_cache);
		return -ENOMEM;
	}
	for (i = 0; i < TOA_STORE_LOCKS; i++)
		spin_lock_init(&toa_locks[i]);
	INIT_RCU_WORK(&toa_retire_rwork, toa_retire_work);
	toa_max_entries = max_entries;
	return 0;
}

/* Called after every hook is gone and an RCU grace period has passed. */
void toa_store_exit(void)
{
	struct toa_entry *e;
	struct hlist_node *tmp;
	unsigned int i;

	/* a batch in flight frees itself, and may seal the next one */
	while (test_bit(TOA_RETIRE_QUEUED, &toa_retire_flags))
		flush_rcu_work(&toa_retire_rwork);
	/* no walker is left: what still retires is freed at once */
	toa_entries_free(llist_del_all(&toa_retiring));
	for (i = 0; i < (1U << toa_store_bits); i++) {
		hlist_for_each_entry_safe(e, tmp, &toa_buckets[i], node) {
			hlist_del(&e->node);
			kmem_cache_free(toa_entry_cache, e);
		}
	}
	atomic_long_set(&toa_count, 0);
	atomic_long_set(&toa_unaccepted, 0);
	kvfree(toa_buckets);
	toa_buckets = NULL;
	kmem_cache_destroy(toa_entry_cache);
	toa_entry_cache = NULL;
}

int toa_store_add(struct sock *sk, const struct toa_handshake *hs)
{
	unsigned int b = toa_bucket(sk);
	struct toa_entry *e, *old;
	unsigned long flags;

	e = kmem_cache_alloc(toa_entry_cache, GFP_ATOMIC);
	if (!e)
		return -ENOMEM;
	e->sk = sk;
	e->cookie = toa_sock_cookie(sk);
	e->client = hs->client;
	e->accepted = false;
	e->peer_hash = toa_addr_hash(&hs->balancer);
	e->created_s = (u32)ktime_get_boottime_seconds();

	spin_lock_irqsave(toa_lock_of(b), flags);
	hlist_for_each_entry(old, &toa_buckets[b], node) {
		if (old->sk == e->sk) {
			if (old->accepted)
				atomic_long_inc(&toa_unaccepted);
			hlist_replace_rcu(&old->node, &e->node);
			spin_unlock_irqrestore(toa_lock_of(b), flags);
			toa_entry_retire(old);
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
	toa_entry_retire(e);
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

/*
 * The entry of @sk, made with the cookie @cookie, or NULL; under
 * rcu_read_lock(). The cookie is read off the socket, not made: a socket
 * with an entry had its cookie made with it (toa_sock_cookie()), and one
 * without has none (0, which no entry holds). A socket that got the
 * module's ops without its entry being checked at accept (a callback
 * skipped) never reads a stale one.
 */
static struct toa_entry *toa_store_find_rcu(const struct sock *sk,
					    u64 cookie)
{
	struct toa_entry *e;

	hlist_for_each_entry_rcu(e, &toa_buckets[toa_bucket(sk)], node)
		if (e->sk == sk && e->cookie == cookie)
			return e;
	return NULL;
}

/* The current entry of @sk copied into @out. */
static bool toa_store_get(const struct sock *sk, struct toa_entry *out)
{
	struct toa_entry *e;

	rcu_read_lock();
	e = toa_store_find_rcu(sk, atomic64_read(&sk->sk_cookie));
	if (e)
		*out = *e;
	rcu_read_unlock();
	return e;
}

bool toa_store_client(const struct sock *sk, struct toa_client *out)
{
	struct toa_entry *e;

	rcu_read_lock();
	e = toa_store_find_rcu(sk, atomic64_read(&sk->sk_cookie));
	if (e)
		*out = e->client;
	rcu_read_unlock();
	return e;
}

bool toa_store_has(const struct sock *sk)
{
	bool found;

	rcu_read_lock();
	found = toa_store_find_rcu(sk, atomic64_read(&sk->sk_cookie));
	rcu_read_unlock();
	return found;
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

enum toa_lookup_result toa_lookup(const struct sock *sk, struct toa_conn *out)
{
	u32 now = (u32)ktime_get_boottime_seconds();
	struct toa_entry e;

	if (!toa_store_get(sk, &e))
		return TOA_LOOKUP_NONE;
	/* Does @sk still talk to the balancer that sent the option? */
	toa_sock_addr(sk, true, &out->balancer);
	if (toa_addr_hash(&out->balancer) != e.peer_hash)
		return TOA_LOOKUP_STALE;
	toa_sock_addr(sk, false, &out->local);
	out->cookie = e.cookie;
	out->client = e.client;
	out->age_ms = (u64)(u32)(now - e.created_s) * MSEC_PER_SEC;
	return TOA_LOOKUP_OK;
}
