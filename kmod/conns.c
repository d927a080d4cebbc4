// SPDX-License-Identifier: GPL-2.0
/*
 * The TOA sockets of a network namespace, for the netlink dump
 * (TOA_CMD_GET_SOCKETS, "toactl conns").
 *
 * The walk goes over the kernel's own table of established TCP sockets,
 * the one inet_diag ("ss") walks, and asks the store about each: the
 * socket's addresses and namespace are read from the socket itself, under
 * its bucket's lock, so the store need not keep copies of them (store.c),
 * and an entry left by a socket whose end went unseen is never shown.
 * Children not yet accepted are in that table too, and shown. The walk
 * costs one pass over the namespace's TCP sockets (the whole machine's
 * for namespaces sharing the initial one's table), as "ss" does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <net/inet_hashtables.h>
#include <net/netns/ipv4.h>
#include <net/sock.h>

#include "toa.h"

/* What toa.ko knows of @sk, if it is a TOA socket of @net. */
static bool toa_conn_of(struct sock *sk, const struct net *net,
			struct toa_conn *c)
{
	/* time-wait and request sockets share the table: no TOA socket */
	if (!sk_fullsock(sk) || !net_eq(sock_net(sk), net) ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return false;
	return toa_lookup(sk, c) == TOA_LOOKUP_OK;
}

int toa_conns_walk(const struct net *net, struct toa_conns_cursor *cur,
		   int (*fn)(const struct toa_conn *c, void *arg), void *arg)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct inet_ehash_bucket *head;
	struct hlist_nulls_node *node;
	struct toa_conn c;
	struct sock *sk;
	unsigned long i;
	int ret = 0;

	for (; cur->bucket <= h->ehash_mask; cur->bucket++) {
		head = &h->ehash[cur->bucket];
		if ((cur->bucket & 1023) == 1023)
			cond_resched();
		if (hlist_nulls_empty(&head->chain))
			continue;
		i = 0;
		spin_lock_bh(inet_ehash_lockp(h, cur->bucket));
		sk_nulls_for_each(sk, node, &head->chain) {
			if (i++ < cur->index)
				continue;
			if (toa_conn_of(sk, net, &c)) {
				ret = fn(&c, arg);
				if (ret)
					break;
			}
			cur->index++;
		}
		spin_unlock_bh(inet_ehash_lockp(h, cur->bucket));
		if (ret)
			return ret;
		cur->index = 0;
	}
	return 0;
}
