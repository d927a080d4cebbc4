/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between the files of toa.ko. Each file owns one concern:
 *
 *   hook.c     every hook in the kernel: ftrace callbacks on the passive
 *              open, listen and accept paths, and for unaccepted children
 *   listen_ops.c the listener's icsk_af_ops: each passive open's child
 *   passive.c  what a handshake's packet says: the option, for the child
 *   deferred.c options of bare ACKs a TCP_DEFER_ACCEPT listener dropped
 *   peer_ops.c the module's proto_ops: getpeername() on TOA sockets
 *   store.c    per-socket TOA entries, keyed by (sock, cookie)
 *   conns.c    the TOA sockets of a namespace, for the netlink dump
 *   trust.c    trusted-balancer allow-list
 *   config.c   runtime configuration (module parameters)
 *   stats.c    counters and /proc/net/toa_stats
 *   sockopt.c  getsockopt() API
 *   netlink.c  generic netlink control plane (include/toa/netlink.h)
 *   udp*.c     UDP: UOA options (udp_input.c), the flow map (udp_map.c),
 *              its getsockopt API (udp_sockopt.c); overview in udp.c
 *   main.c     init order and unwind
 */
#ifndef _TOA_KMOD_TOA_H
#define _TOA_KMOD_TOA_H

#include <linux/types.h>
#include <linux/llist.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <toa/wire.h>
#include <toa/sockopt.h>
#include <toa/stats.h>

#include "compat.h"

/* ---- config.c ---- */
struct toa_config {
	u32 formats;		/* honoured enum toa_format bits */
	bool enabled;		/* false: options are counted, not used */
};

extern struct toa_config toa_cfg;	/* read with READ_ONCE() */
extern unsigned int toa_max_entries_param;
int toa_formats_parse(const char *s, u32 *mask);
int toa_formats_format(u32 mask, char *buf, size_t size);
/* Setters shared by the module parameters and netlink. */
int toa_config_set_formats(u32 mask);	/* -EINVAL outside TOA_FMT_ALL_MASK */
void toa_config_set_enabled(bool enabled);

/* ---- trust.c ---- */
/* The list is set by the "trusted" parameter before init runs; after
 * toa_trust_exit() setting it fails with -ENODEV.
 */
void toa_trust_exit(void);
/* Replace the allow-list with @list ("CIDR,CIDR,..."; "" = trust all). */
int toa_trust_set(const char *list);
/* Print the list as it would be parsed back; returns bytes written. */
int toa_trust_format(char *buf, size_t size);
/* Is @addr (TOA_AF_INET: 4 bytes, TOA_AF_INET6: 16) a trusted source? */
bool toa_trust_allows(u16 family, const void *addr);
/* True when the list is empty, i.e. every source is trusted. */
bool toa_trust_is_empty(void);
/* The log warning for an empty list (at load, and when it becomes empty). */
void toa_trust_warn_any(void);

/* ---- store.c ---- */
/*
 * What the packet that completed a handshake said (passive.c, deferred.c):
 * the vetted client, and the packet's own addresses.
 */
struct toa_handshake {
	struct toa_client client;
	struct toa_addr balancer;	/* the packet's source */
	struct toa_addr local;		/* its destination */
};

/*
 * The entry of one TOA socket: all the memory toa.ko holds for it, 64
 * bytes (one cache line; store.c checks the size at build time). What
 * the socket itself knows (its addresses, its namespace) is read from it
 * when asked, never copied here.
 */
struct toa_entry {
	union {
		struct hlist_node node;	/* in its bucket */
		struct {		/* unlinked, awaiting a grace period */
			struct hlist_node *next; /* node.next: walkers read it */
			struct llist_node free;	 /* in node.pprev's place */
		} retired;
	};
	const struct sock *sk;	/* identity only, never dereferenced */
	u64 cookie;		/* sk's socket cookie: never reused */
	struct toa_client client;
	bool accepted;		/* set by toa_store_accept(), under the lock */
	u32 peer_hash;		/* toa_addr_hash() of the peer at handshake */
	u32 created_s;		/* ktime_get_boottime_seconds() */
};

/* What toa.ko reports of a TOA socket (sockopt.c, netlink.c). */
struct toa_conn {
	u64 cookie;
	struct toa_client client;
	struct toa_addr balancer;	/* the socket's peer */
	struct toa_addr local;
	u64 age_ms;			/* since the handshake, 1 s resolution */
};

int toa_store_init(unsigned int max_entries);
void toa_store_exit(void);
/* Record the client of @hs for @sk; replaces any older entry of it. */
int toa_store_add(struct sock *sk, const struct toa_handshake *hs);
/* Does @sk have a (current) entry? Any context. */
bool toa_store_has(const struct sock *sk);
/*
 * accept() is grafting @sk: true if it has a (current) entry, now marked
 * accepted. Cheap when no entry waits for accept().
 */
bool toa_store_accept(struct sock *sk);
/* The client of @sk, a socket holding the module's ops; false if none. */
bool toa_store_client(const struct sock *sk, struct toa_client *out);
void toa_store_del(const struct sock *sk);
long toa_store_count(void);
u64 toa_sock_cookie(struct sock *sk);
/* A 32-bit digest of @a, to tell whether a socket's peer changed. */
u32 toa_addr_hash(const struct toa_addr *a);

/* ---- stats.c ---- */
int toa_stats_init(void);
void toa_stats_exit(void);
void toa_stat_inc(const struct net *net, enum toa_stat s);
/* Fill @out[TOA_STAT_COUNT] with the totals for @net (globals included). */
void toa_stats_read(const struct net *net, u64 *out);
/*
 * May a reader in @net, with (@init_admin) or without CAP_NET_ADMIN over
 * the initial network namespace, see the global gauges? (See
 * include/toa/stats.h.)
 */
bool toa_stats_global_visible(const struct net *net, bool init_admin);
void toa_stats_reset(const struct net *net);

/* ---- hook.c ---- */
int toa_hooks_init(void);
void toa_hooks_exit(void);
/* Hook calls skipped (ftrace recursion): feeds TOA_STAT_PROBE_MISSED. */
u64 toa_hooks_missed(void);
/* A deferred-accept listener exists: hook tcp_check_req (soon). */
void toa_hooks_want_check_req(void);
/* An accept() may have copied the kernel's ops: hook accept's graft. */
void toa_hooks_want_graft(void);
/* A child of @req is made: count its bare ACK if it went unhooked. */
void toa_hooks_check_req_missed(const struct request_sock *req);

/* A socket of a user's TCP: kernel sockets (nfsd, ksmbd...) are left alone. */
static inline bool toa_user_tcp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP && sk->sk_type == SOCK_STREAM &&
	       !sk->sk_kern_sock;
}

/* ---- listen_ops.c ---- */
int toa_listen_ops_init(void);
void toa_listen_ops_exit(void);
/* toa_listener_adopt() for every listener already there (at load). */
void toa_listen_ops_adopt_all(void);
/* Listener @sk gets the module's tables (both), and the hooks it needs. */
void toa_listener_adopt(struct sock *sk);
/* Listener @sk gets the module's proto_ops, if it holds the kernel's. */
void toa_listener_adopt_ops(struct sock *sk);

/* ---- passive.c ---- */
/* A passive open made @child from @skb on @listener: record its option. */
void toa_passive_open(struct sock *listener, struct sock *child,
		      struct sk_buff *skb);
/*
 * @loser, made from @skb, lost the race to complete its handshake to
 * another packet's child: move @skb's option to that winner.
 */
void toa_passive_raced(struct sock *listener, struct sock *loser,
		       struct sk_buff *skb);
/* tcp_check_req() got @skb for @req: keep the option a deferred-accept
 * listener is about to drop with the bare ACK.
 */
void toa_passive_check_req(struct sock *listener, struct sk_buff *skb,
			   struct request_sock *req);

/* ---- deferred.c ---- */
void toa_deferred_exit(void);
/* Keep @hs, seen in @net, for the connection of @req. */
void toa_deferred_add(struct net *net, const struct toa_handshake *hs,
		      const struct request_sock *req);
/* Take what was kept for @child's connection into @hs; false if none. */
bool toa_deferred_take(const struct sock *child, struct toa_handshake *hs);

/* ---- peer_ops.c ---- */
int toa_peer_ops_init(void);
void toa_peer_ops_exit(void);
/* Give @sock the module's ops (true), if it holds inet TCP ops. */
bool toa_peer_ops_swap(struct socket *sock);
/* Give @sock the kernel's ops back, if it holds the module's. */
void toa_peer_ops_unswap(struct socket *sock);
bool toa_peer_ops_held(const struct socket *sock);
/*
 * The kernel's own tables for TCP sockets of @family, read off a kernel
 * socket (inet6_stream_ops and ipv6_specific are not exported); either
 * output may be NULL.
 */
struct inet_connection_sock_af_ops;
int toa_kernel_tcp_tables(int family, const struct proto_ops **ops,
			  const struct inet_connection_sock_af_ops **af);

/* ---- sockopt.c ---- */
int toa_sockopt_init(void);
void toa_sockopt_exit(void);

enum toa_lookup_result {
	TOA_LOOKUP_NONE,	/* no entry for this socket */
	/* an entry, but the socket's peer is not the balancer recorded:
	 * never answer with it
	 */
	TOA_LOOKUP_STALE,
	TOA_LOOKUP_OK,
};

/* What toa.ko knows of @sk, a full socket, into @out. Any context. */
enum toa_lookup_result toa_lookup(const struct sock *sk, struct toa_conn *out);

/* Fill @a with the peer (@peer true) or local address of @sk. */
void toa_sock_addr(const struct sock *sk, bool peer, struct toa_addr *a);

/* ---- conns.c: the TOA sockets of a namespace, for the dump ---- */
/* Where a walk stopped: fits in netlink_callback->args. */
struct toa_conns_cursor {
	unsigned long bucket;	/* in the kernel's established table */
	unsigned long index;	/* sockets of that bucket already done */
};

/*
 * Call @fn on each TOA socket of @net from @cur on, one bucket of the
 * kernel's established-socket table at a time under its lock (process
 * context: may sleep between buckets). @fn must not sleep; it returns 0 to
 * go on, or non-zero to stop with the cursor left on that socket, so that
 * the next walk starts with it. Returns @fn's non-zero value, or 0 once
 * the table is done.
 */
int toa_conns_walk(const struct net *net, struct toa_conns_cursor *cur,
		   int (*fn)(const struct toa_conn *c, void *arg), void *arg);

/* ---- netlink.c ---- */
int toa_netlink_init(void);
void toa_netlink_exit(void);

/* ---- udp.c ---- */
/* Hooks in every netns, getsockopt UOA_SO_*, the flow map and its GC. */
int toa_udp_init(void);
void toa_udp_exit(void);
/* Flow mappings stored: feeds TOA_STAT_UDP_MAP_IN_USE. */
long toa_udp_count(void);
/*
 * TOA_SO_GET_PEER on a UDP socket: fill @info (version set, rest zero)
 * from the mapping of the flow of its peer and local address, or with the
 * peer when there is none. 0, or -ENOTCONN (not connected).
 */
int toa_udp_peer_info(struct sock *sk, struct toa_peer_info *info);

#endif /* _TOA_KMOD_TOA_H */
