// SPDX-License-Identifier: GPL-2.0
/*
 * The listener's icsk_af_ops: how a passive open reaches toa.ko, for the
 * children of user TCP listeners only and without a global hook.
 *
 * Every child of a TCP listener is made by the listener's
 * icsk_af_ops->syn_recv_sock(): from the packet that completes the
 * handshake (tcp_check_req()), from a SYN cookie's ACK
 * (tcp_get_cookie_sock()), from a Fast Open SYN
 * (tcp_fastopen_create_child()). toa.ko keeps copies of the kernel's two
 * tables (ipv4_specific, ipv6_specific) with syn_recv_sock wrapped, and
 * points a user TCP listener at one when it starts listening (hook.c) and,
 * at load, every listener already there. The wrapper calls the kernel's
 * function and is then given, in one call, the listener, the packet, the
 * child and whether the child won its race (own_req): what passive.c
 * needs. MPTCP gives its subflows a table of its own the same way.
 *
 * A child starts as a copy of its listener (sk_clone_lock()), table
 * pointer included: the wrapper gives it the kernel's table back, so that
 * no established socket runs module code here.
 *
 * Unload is peer_ops.c's scheme: exit points the wrapped entry back at the
 * kernel's function, waits with synchronize_rcu_tasks() for a caller still
 * in the wrapper (a listener's backlog is processed in process context,
 * preemptible), and keeps the two tables (2 x 96 bytes per load), which
 * listeners still point at. A table left by an earlier load is then a
 * byte-for-byte copy of the kernel's and counts as the kernel's.
 *
 * Cost (QEMU's deterministic mode, bench/README.md): a loopback
 * connection without an option costs +319 instructions with toa.ko on 6.1
 * and +313 on 6.12 (0.995 of the rate), down from +738 and +824 with
 * ftrace callbacks on tcp_child_process and inet_csk_complete_hashdance
 * (replaced by this wrapper), tcp_check_req and security_sock_graft (now
 * hooked on demand, hook.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kmemleak.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "toa.h"

enum { TOA_AF_V4, TOA_AF_V6, TOA_AF_COUNT };

/* The kernel's tables, read off kernel sockets (ipv6_specific is static). */
static const struct inet_connection_sock_af_ops *toa_base_af[TOA_AF_COUNT];
/* Ours, kept after exit (see above); written by init and exit only. */
static const struct inet_connection_sock_af_ops *toa_af[TOA_AF_COUNT];

static int toa_af_of(const struct sock *sk)
{
	return sk->sk_family == AF_INET6 ? TOA_AF_V6 : TOA_AF_V4;
}

static struct sock *
toa_syn_recv_sock(const struct sock *sk, struct sk_buff *skb,
		  struct request_sock *req, struct dst_entry *dst,
		  struct request_sock *req_unhash, bool *own_req,
		  void (*opt_child_init)(struct sock *newsk,
					 const struct sock *sk))
{
	int i = toa_af_of(sk);
	const struct inet_connection_sock_af_ops *base = toa_base_af[i];
	struct sock *listener = (struct sock *)sk;
	struct sock *child;

	child = base->syn_recv_sock(sk, skb, req, dst, req_unhash, own_req,
				    opt_child_init);
	if (!child)
		return NULL;
	/* An IPv4-mapped child of an IPv6 listener has ipv6_mapped already. */
	if (READ_ONCE(inet_csk(child)->icsk_af_ops) == toa_af[i])
		WRITE_ONCE(inet_csk(child)->icsk_af_ops, base);
	/* A Fast Open child is made from the SYN, whose option never counts. */
	if (tcp_hdr(skb)->syn)
		return child;
	if (req_unhash)		/* from tcp_check_req(), not a cookie */
		toa_hooks_check_req_missed(req);
	if (*own_req)
		toa_passive_open(listener, child, skb);
	else
		toa_passive_raced(listener, child, skb);
	return child;
}

/*
 * Which table of family @i @ops stands for: ours, the kernel's, or an
 * earlier load's (identical to the kernel's by now).
 */
static bool toa_af_is_base(const struct inet_connection_sock_af_ops *ops,
			   int i)
{
	return ops && toa_base_af[i] &&
	       (ops == toa_base_af[i] ||
		!memcmp(ops, toa_base_af[i], sizeof(*ops)));
}

/* Give listener @sk the module's icsk_af_ops, if it holds the kernel's. */
static void toa_listen_ops_swap(struct sock *sk)
{
	const struct inet_connection_sock_af_ops *ops;
	int i = toa_af_of(sk);

	ops = READ_ONCE(inet_csk(sk)->icsk_af_ops);
	if (toa_af[i] && ops != toa_af[i] && toa_af_is_base(ops, i))
		WRITE_ONCE(inet_csk(sk)->icsk_af_ops, toa_af[i]);
}

/*
 * Is a thread blocked in accept() on @sk? inet_csk_wait_for_connect()
 * waits as an exclusive autoremove waiter, which poll, select and epoll
 * (whose entries have wake functions of their own) never are.
 */
static bool toa_accept_waiting(struct sock *sk)
{
	struct wait_queue_entry *we;
	struct socket_wq *wq;
	unsigned long flags;
	bool found = false;

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (wq) {
		spin_lock_irqsave(&wq->wait.lock, flags);
		list_for_each_entry(we, &wq->wait.head, entry)
			if (we->func == autoremove_wake_function &&
			    (we->flags & WQ_FLAG_EXCLUSIVE)) {
				found = true;
				break;
			}
		spin_unlock_irqrestore(&wq->wait.lock, flags);
	}
	rcu_read_unlock();
	return found;
}

/*
 * A listener that does not hold the module's proto_ops yet gets them, so
 * that every accept() from now on gives its TOA children the module's
 * getname (and, from 6.6 on, accept()'s own address). A thread already
 * waiting in accept() holds the ops it copied before: the graft hook then
 * fixes its child up (hook.c). Called at listen(), at load for the
 * listeners already there, and at a listener's TOA children (passive.c),
 * where it costs one test once the listener holds them.
 */
void toa_listener_adopt_ops(struct sock *sk)
{
	struct socket *sock;

	read_lock(&sk->sk_callback_lock);
	sock = sk->sk_socket;
	if (sock && !toa_peer_ops_held(sock) && toa_peer_ops_swap(sock) &&
	    toa_accept_waiting(sk))
		toa_hooks_want_graft();
	read_unlock(&sk->sk_callback_lock);
}

void toa_listener_adopt(struct sock *sk)
{
	toa_listen_ops_swap(sk);
	toa_listener_adopt_ops(sk);
	if (READ_ONCE(inet_csk(sk)->icsk_accept_queue.rskq_defer_accept))
		toa_hooks_want_check_req();
}

static void toa_listen_ops_adopt_table(struct inet_hashinfo *h)
{
	struct inet_listen_hashbucket *ilb;
	struct hlist_nulls_node *node;
	struct sock *sk;
	unsigned int i;

	for (i = 0; i <= h->lhash2_mask; i++) {
		ilb = &h->lhash2[i];
		if (hlist_nulls_empty(&ilb->nulls_head))
			continue;
		spin_lock_bh(&ilb->lock);
		sk_nulls_for_each(sk, node, &ilb->nulls_head)
			if (toa_user_tcp(sk))
				toa_listener_adopt(sk);
		spin_unlock_bh(&ilb->lock);
	}
}

void toa_listen_ops_adopt_all(void)
{
	bool global_done = false;
	struct inet_hashinfo *h;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		/* Namespaces without a table of their own share the global one. */
		h = net->ipv4.tcp_death_row.hashinfo;
		if (!h->pernet) {
			if (global_done)
				continue;
			global_done = true;
		}
		toa_listen_ops_adopt_table(h);
	}
	up_read(&net_rwsem);
}

int toa_listen_ops_init(void)
{
	struct inet_connection_sock_af_ops *ops;
	int i, err;

	BUILD_BUG_ON(!__same_type(toa_af[0]->syn_recv_sock,
				  &toa_syn_recv_sock));
	err = toa_kernel_tcp_tables(AF_INET, NULL, &toa_base_af[TOA_AF_V4]);
#if IS_ENABLED(CONFIG_IPV6)
	if (!err)
		err = toa_kernel_tcp_tables(AF_INET6, NULL,
					    &toa_base_af[TOA_AF_V6]);
#endif
	if (err)
		return err;
	for (i = 0; i < TOA_AF_COUNT; i++) {
		if (!toa_base_af[i])
			continue;
		ops = kmemdup(toa_base_af[i], sizeof(*ops), GFP_KERNEL);
		if (!ops) {
			kfree(toa_af[TOA_AF_V4]);
			toa_af[TOA_AF_V4] = NULL;
			return -ENOMEM;
		}
		ops->syn_recv_sock = toa_syn_recv_sock;
		toa_af[i] = ops;
	}
	return 0;
}

/* After the hooks that swap are gone (toa_hooks_exit()). */
void toa_listen_ops_exit(void)
{
	struct inet_connection_sock_af_ops *ops;
	int i;

	for (i = 0; i < TOA_AF_COUNT; i++) {
		/* The one place our tables are written while in use. */
		ops = (struct inet_connection_sock_af_ops *)toa_af[i];
		if (ops)
			WRITE_ONCE(ops->syn_recv_sock,
				   toa_base_af[i]->syn_recv_sock);
	}
	/* A caller that read the wrapper's address, or is preempted in it. */
	synchronize_rcu_tasks();
	for (i = 0; i < TOA_AF_COUNT; i++) {
		/* Still referenced by listeners: kept, see the top. */
		kmemleak_not_leak(toa_af[i]);
		toa_af[i] = NULL;
	}
}
