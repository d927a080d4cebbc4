// SPDX-License-Identifier: GPL-2.0
/*
 * Per-socket proto_ops: how getpeername() reaches toa.ko on TOA sockets
 * only.
 *
 * The kernel itself gives live sockets new proto_ops (kTLS does it in
 * update_sk_prot(), IPV6_ADDRFORM too), so toa.ko keeps two tables of its
 * own, copies of inet_stream_ops and inet6_stream_ops with getname,
 * release, connect and setsockopt wrapped, and points a socket at one:
 *
 *   - a TCP listener, when it starts listening (or, for one opened before
 *     toa.ko was loaded or reloaded, at load, listen_ops.c): accept()
 *     copies the listener's ops into the new socket before it waits, and
 *     from 6.6 on it asks the listener's ops for the peer address it
 *     returns;
 *   - an accepted socket keeps the table accept() gave it: a TOA socket
 *     for good, any other until its first getname of a peer, which gives
 *     it the kernel's (toa_not_toa()). Where accept() may have copied the
 *     kernel's table before the listener got ours (a thread already
 *     blocked in accept() when toa.ko was loaded), the graft hook
 *     (hook.c) gives a TOA child the module's table.
 *
 * A plain socket therefore enters module code at most at its first
 * getpeername() and at close (one hash probe each). A TOA socket's
 * getpeername() is one hash lookup (store.c) and no socket lock (see
 * toa_getname4()); getsockname() on it costs a jump.
 *
 * The tables are never written while in use except by
 * toa_peer_ops_exit(), which points every wrapped entry back at the
 * kernel's function: a socket that still holds a table then behaves as
 * if toa.ko had never been there. Exit then waits for every caller that
 * may be inside a wrapper (synchronize_rcu_tasks() for a task preempted
 * in one, synchronize_srcu() for one sleeping in toa_getname_slow()), the
 * pair ftrace and BPF trampolines rely on. Every other wrapper reaches the
 * kernel's function, which may sleep, by a tail call, so that no frame of
 * the module is on a sleeping stack: scripts/check-tailcalls.sh checks
 * that in every build the tests use. The two
 * tables themselves must outlive the module, since sockets and accept()
 * calls in flight point at them: they are kept (2 x sizeof(struct
 * proto_ops), about 0.5 KiB per load that swapped a socket), never freed.
 *
 * The table is given up, before the kernel acts, where a socket could
 * otherwise carry it somewhere exit cannot find:
 *   - TCP_ULP (kTLS builds its own ops from the socket's current ones and
 *     would copy the wrappers' addresses);
 *   - IPV6_ADDRFORM (replaces the ops with inet_stream_ops);
 *   - connect(AF_UNSPEC) (disconnects: the peer is no longer the client).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf-cgroup.h>
#include <linux/kmemleak.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/tcp.h>
#include <linux/in6.h>
#include <net/inet_common.h>
#include <net/inet_connection_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "toa.h"

enum { TOA_OPS_V4, TOA_OPS_V6, TOA_OPS_COUNT };

/* The kernel's tables (inet6_stream_ops is not exported: read off a socket). */
static const struct proto_ops *toa_base_ops[TOA_OPS_COUNT];
/*
 * Ours, kept after exit (see above). Const to every reader: only init
 * and exit write them (kmalloc'd memory), through TOA_OPS_SET().
 */
static const struct proto_ops *toa_ops[TOA_OPS_COUNT];

/*
 * Store @fn into @slot, a function pointer in one of our tables: the one
 * place that casts their const away. WRITE_ONCE(): exit writes into
 * tables that live sockets point at. The cast hides the types, so
 * toa_peer_ops_init() checks them at build time.
 */
#define TOA_OPS_SET(slot, fn)	WRITE_ONCE(*(void **)&(slot), (void *)(fn))

DEFINE_STATIC_SRCU(toa_ops_srcu);

/* The client @c as an IPv4 peer: false if it does not fit (NAT64). */
static bool toa_put_peer4(struct sockaddr_in *sin, const struct toa_client *c)
{
	if (c->family != TOA_AF_INET)
		return false;
	sin->sin_port = c->port;
	memcpy(&sin->sin_addr, c->addr, 4);
	return true;
}

/* The client @c as an IPv6 peer (::ffff:a.b.c.d for an IPv4 one). */
static void toa_put_peer6(struct sockaddr_in6 *sin6, const struct toa_client *c)
{
	sin6->sin6_port = c->port;
	sin6->sin6_flowinfo = 0;
	sin6->sin6_scope_id = 0;
	if (c->family == TOA_AF_INET)
		ipv6_addr_set_v4mapped(*(__be32 *)c->addr, &sin6->sin6_addr);
	else
		memcpy(&sin6->sin6_addr, c->addr, 16);
}

static void toa_rewrite_peer(struct sock *sk, struct sockaddr *uaddr)
{
	struct net *net = sock_net(sk);
	struct toa_client c;

	if (!toa_store_client(sk, &c)) {
		toa_stat_inc(net, TOA_STAT_GETNAME_TOA_BYPASS);
		return;
	}
	if (sk->sk_family == AF_INET) {
		if (!toa_put_peer4((struct sockaddr_in *)uaddr, &c)) {
			toa_stat_inc(net, TOA_STAT_GETNAME_TOA_NAT64);
			return;
		}
	} else {
		toa_put_peer6((struct sockaddr_in6 *)uaddr, &c);
	}
	toa_stat_inc(net, TOA_STAT_GETNAME_TOA_OK);
}

/* The kernel's getname, then the client in place of the balancer. */
static int toa_getname_slow(struct socket *sock, struct sockaddr *uaddr,
			    int peer,
			    int (*base)(struct socket *, struct sockaddr *, int))
{
	int ret, idx;

	/* base may sleep on the socket lock: exit waits for this section */
	idx = srcu_read_lock(&toa_ops_srcu);
	ret = base(sock, uaddr, peer);
	if (ret >= 0)
		toa_rewrite_peer(sock->sk, uaddr);
	srcu_read_unlock(&toa_ops_srcu, idx);
	return ret;
}

/*
 * inet_getname()'s answer for a connected TOA socket, made without it:
 * the same -ENOTCONN test (peer 2 is accept(), which takes a closed
 * socket too), the client's address and port. inet_getname() takes the
 * socket lock only so that cgroup BPF getpeername programs run under it;
 * while any is attached (the static key is on), and for a socket without
 * a usable entry, the slow path runs the kernel's own getname.
 */
static bool toa_peer_connected(const struct sock *sk, int peer)
{
	return READ_ONCE(inet_sk(sk)->inet_dport) &&
	       !(((1 << READ_ONCE(sk->sk_state)) & (TCPF_CLOSE | TCPF_SYN_SENT)) &&
		 peer == 1);
}

#ifdef CONFIG_CGROUP_BPF
#define toa_bpf_getpeername(type)	cgroup_bpf_enabled(type)
#else
#define toa_bpf_getpeername(type)	false
#endif

/*
 * What toa_peer4/6() return for a socket that holds our table without
 * being a TOA socket: an accepted plain socket (accept() gave it its
 * listener's table) or a TOA socket whose entry is gone. It gets the
 * kernel's table back here, at its first getname of a peer, so that it
 * never runs module code again; the caller then jumps to the kernel's
 * getname.
 */
#define TOA_GETNAME_KERNEL	INT_MIN

static int toa_not_toa(struct socket *sock)
{
	toa_peer_ops_unswap(sock);
	toa_stat_inc(sock_net(sock->sk), TOA_STAT_GETNAME_TOA_BYPASS);
	return TOA_GETNAME_KERNEL;
}

/*
 * The peer of a socket holding our table: a TOA socket, or a listener
 * (accept() asks the listener's ops for the new socket's peer from 6.6
 * on: toa_getname*() below send only a socket holding our table itself
 * here).
 */
static noinline int toa_peer4(struct socket *sock, struct sockaddr *uaddr,
			      int peer)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;
	struct sock *sk = sock->sk;
	struct toa_client c;

	if (!toa_store_client(sk, &c))
		return toa_not_toa(sock);
	if (toa_bpf_getpeername(CGROUP_INET4_GETPEERNAME) ||
	    c.family != TOA_AF_INET)
		return toa_getname_slow(sock, uaddr, peer, inet_getname);
	if (!toa_peer_connected(sk, peer))
		return -ENOTCONN;
	sin->sin_family = AF_INET;
	toa_put_peer4(sin, &c);
	memset(sin->sin_zero, 0, sizeof(sin->sin_zero));
	toa_stat_inc(sock_net(sk), TOA_STAT_GETNAME_TOA_OK);
	return sizeof(*sin);
}

#if IS_ENABLED(CONFIG_IPV6)
static noinline int toa_peer6(struct socket *sock, struct sockaddr *uaddr,
			      int peer)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;
	struct sock *sk = sock->sk;
	struct toa_client c;

	if (!toa_store_client(sk, &c))
		return toa_not_toa(sock);
	if (toa_bpf_getpeername(CGROUP_INET6_GETPEERNAME))
		return toa_getname_slow(sock, uaddr, peer, inet6_getname);
	if (!toa_peer_connected(sk, peer))
		return -ENOTCONN;
	sin6->sin6_family = AF_INET6;
	toa_put_peer6(sin6, &c);
	toa_stat_inc(sock_net(sk), TOA_STAT_GETNAME_TOA_OK);
	return sizeof(*sin6);
}
#endif

/*
 * The ops' getname: two tests and a jump, so that getsockname() and the
 * kernel's sockets reached through a listener's table pay no frame; the
 * frame of toa_peer4/6() is gone before the kernel's getname, which may
 * sleep, is reached (by a jump).
 */
static int toa_getname4(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	int ret;

	if (peer && READ_ONCE(sock->ops) == toa_ops[TOA_OPS_V4]) {
		ret = toa_peer4(sock, uaddr, peer);
		if (ret != TOA_GETNAME_KERNEL)
			return ret;
	}
	return inet_getname(sock, uaddr, peer);
}

#if IS_ENABLED(CONFIG_IPV6)
static int toa_getname6(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	int ret;

	if (peer && READ_ONCE(sock->ops) == toa_ops[TOA_OPS_V6]) {
		ret = toa_peer6(sock, uaddr, peer);
		if (ret != TOA_GETNAME_KERNEL)
			return ret;
	}
	return inet6_getname(sock, uaddr, peer);
}
#endif

/*
 * Which of our tables @ops is, or the kernel's table it stands for: -1 if
 * neither. A table left by an earlier load of toa.ko counts as the
 * kernel's: that load's exit pointed every entry back at the kernel's
 * functions, so it is a byte-for-byte copy of the kernel's table. Without
 * this a listener opened before a reload would keep the old table, and
 * its children the balancer's address, until the server restarted.
 */
static int toa_ops_index(const struct proto_ops *ops)
{
	int i;

	if (!ops)
		return -1;
	for (i = 0; i < TOA_OPS_COUNT; i++)
		if (ops == toa_ops[i] || ops == toa_base_ops[i])
			return i;
	for (i = 0; i < TOA_OPS_COUNT; i++)
		if (toa_base_ops[i] &&
		    !memcmp(ops, toa_base_ops[i], sizeof(*ops)))
			return i;
	return -1;
}

/* Give @sock the kernel's table back, if it holds ours. */
void toa_peer_ops_unswap(struct socket *sock)
{
	int i = toa_ops_index(READ_ONCE(sock->ops));

	if (i >= 0)
		WRITE_ONCE(sock->ops, toa_base_ops[i]);
}

/*
 * The socket leaves our table for good (see the top): its entry goes now,
 * since the module's release will not run for it.
 */
static void toa_ops_give_up(struct socket *sock)
{
	toa_peer_ops_unswap(sock);
	if (sock->sk)
		toa_store_del(sock->sk);
}

/*
 * The end of a socket holding our table: its entry is freed here, before
 * the kernel's release (an entry of a child never accepted is freed by
 * the inet_child_forget hook, hook.c). sk is NULL when accept() failed
 * after giving the new socket the listener's ops.
 */
static int toa_release4(struct socket *sock)
{
	if (sock->sk)
		toa_store_del(sock->sk);
	return inet_release(sock);
}

#if IS_ENABLED(CONFIG_IPV6)
static int toa_release6(struct socket *sock)
{
	if (sock->sk)
		toa_store_del(sock->sk);
	return inet6_release(sock);
}
#endif

static int toa_setsockopt(struct socket *sock, int level, int optname,
			  sockptr_t optval, unsigned int optlen)
{
	if ((level == SOL_TCP && optname == TCP_ULP) ||
	    (level == SOL_IPV6 && optname == IPV6_ADDRFORM))
		toa_ops_give_up(sock);
	else if (level == SOL_TCP && optname == TCP_DEFER_ACCEPT)
		toa_hooks_want_check_req();
	return sock_common_setsockopt(sock, level, optname, optval, optlen);
}

static int toa_connect(struct socket *sock, struct sockaddr *uaddr,
		       int addr_len, int flags)
{
	if (addr_len >= (int)sizeof(uaddr->sa_family) &&
	    uaddr->sa_family == AF_UNSPEC)
		toa_ops_give_up(sock);
	return inet_stream_connect(sock, uaddr, addr_len, flags);
}

bool toa_peer_ops_swap(struct socket *sock)
{
	int i = toa_ops_index(READ_ONCE(sock->ops));

	if (i < 0)
		return false;
	WRITE_ONCE(sock->ops, toa_ops[i]);
	return true;
}

bool toa_peer_ops_held(const struct socket *sock)
{
	const struct proto_ops *ops = READ_ONCE(sock->ops);

	return ops && (ops == toa_ops[TOA_OPS_V4] || ops == toa_ops[TOA_OPS_V6]);
}

int toa_kernel_tcp_tables(int family, const struct proto_ops **ops,
			  const struct inet_connection_sock_af_ops **af)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP,
			       &sock);
	if (err)
		return err;
	if (ops)
		*ops = sock->ops;
	if (af)
		*af = inet_csk(sock->sk)->icsk_af_ops;
	sock_release(sock);
	return 0;
}

#if !IS_ENABLED(CONFIG_IPV6)
#define toa_getname6 NULL	/* never used: no IPv6 table */
#define toa_release6 NULL
#define inet6_release NULL
#endif

int toa_peer_ops_init(void)
{
	int i, err;

	/* What TOA_OPS_SET() stores: each wrapper has its slot's type. */
	BUILD_BUG_ON(!__same_type(toa_ops[0]->setsockopt, &toa_setsockopt));
	BUILD_BUG_ON(!__same_type(toa_ops[0]->connect, &toa_connect));
	BUILD_BUG_ON(!__same_type(toa_ops[0]->getname, &toa_getname4));
	BUILD_BUG_ON(!__same_type(toa_ops[0]->getname, &toa_getname6));
	BUILD_BUG_ON(!__same_type(toa_ops[0]->release, &toa_release4));
	BUILD_BUG_ON(!__same_type(toa_ops[0]->release, &toa_release6));

	err = toa_kernel_tcp_tables(AF_INET, &toa_base_ops[TOA_OPS_V4], NULL);
	if (err)
		return err;
#if IS_ENABLED(CONFIG_IPV6)
	err = toa_kernel_tcp_tables(AF_INET6, &toa_base_ops[TOA_OPS_V6], NULL);
	if (err)
		return err;
#endif
	for (i = 0; i < TOA_OPS_COUNT; i++) {
		if (!toa_base_ops[i])
			continue;
		/* The wrappers call these directly: no other kernel's tables. */
		if (toa_base_ops[i]->setsockopt != sock_common_setsockopt ||
		    toa_base_ops[i]->connect != inet_stream_connect ||
		    toa_base_ops[i]->release !=
		    (i == TOA_OPS_V4 ? inet_release : inet6_release)) {
			pr_err("unexpected TCP proto_ops (family %d)\n",
			       toa_base_ops[i]->family);
			err = -EOPNOTSUPP;
			goto fail;
		}
		toa_ops[i] = kmemdup(toa_base_ops[i], sizeof(*toa_ops[i]),
				     GFP_KERNEL);
		if (!toa_ops[i]) {
			err = -ENOMEM;
			goto fail;
		}
		TOA_OPS_SET(toa_ops[i]->setsockopt, toa_setsockopt);
		TOA_OPS_SET(toa_ops[i]->connect, toa_connect);
		TOA_OPS_SET(toa_ops[i]->getname,
			    i == TOA_OPS_V4 ? toa_getname4 : toa_getname6);
		TOA_OPS_SET(toa_ops[i]->release,
			    i == TOA_OPS_V4 ? toa_release4 : toa_release6);
	}
	return 0;
fail:
	/* Nothing holds them yet. */
	for (i = 0; i < TOA_OPS_COUNT; i++) {
		kfree(toa_ops[i]);
		toa_ops[i] = NULL;
	}
	return err;
}

/* After every hook that swaps is gone (toa_hooks_exit()). */
void toa_peer_ops_exit(void)
{
	int i;

	for (i = 0; i < TOA_OPS_COUNT; i++) {
		if (!toa_ops[i])
			continue;
		TOA_OPS_SET(toa_ops[i]->getname, toa_base_ops[i]->getname);
		TOA_OPS_SET(toa_ops[i]->setsockopt,
			    toa_base_ops[i]->setsockopt);
		TOA_OPS_SET(toa_ops[i]->connect, toa_base_ops[i]->connect);
		TOA_OPS_SET(toa_ops[i]->release, toa_base_ops[i]->release);
	}
	/* Tasks that read a wrapper's address, or are preempted in one
	 * outside the SRCU section; then those inside it; then those
	 * preempted between its end and their return.
	 */
	synchronize_rcu_tasks();
	synchronize_srcu(&toa_ops_srcu);
	synchronize_rcu_tasks();
	for (i = 0; i < TOA_OPS_COUNT; i++) {
		/* Still referenced by sockets: kept, see the top. */
		kmemleak_not_leak(toa_ops[i]);
		toa_ops[i] = NULL;
	}
}
