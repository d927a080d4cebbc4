// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: every place toa.ko touches the kernel's TCP path.
 *
 *   tcp_v4_syn_recv_sock, tcp_v6_syn_recv_sock  (kretprobes)
 *       A passive open just made its child socket from the packet that
 *       completed the handshake: the third ACK, a data packet when that
 *       ACK was lost, or the ACK a SYN cookie is checked against. Parse
 *       the TOA option of that packet and record it for the child.
 *   inet_getname, inet6_getname  (kretprobes)
 *       accept(), getpeername() and SO_PEERNAME all end here: after the
 *       kernel has filled in the peer, replace it with the client.
 *   inet_sock_destruct  (kprobe)
 *       The last moment of every inet socket: drop its entry.
 *
 * Why probes: they are registered through a kernel API and never write to
 * read-only memory (no CR0 or page-table tricks, no ops-table patching,
 * which oops on hardened kernels and do not exist on arm64). Arguments are
 * read from pt_regs by position, so a stable kernel adding a trailing
 * argument to a probed function (as 6.1.0-56 did to syn_recv_sock) does
 * not break the build. Probe handlers run with preemption disabled, and
 * unregister_kretprobes() waits for them, so rmmod can never return while
 * one is still running module code.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/tcp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <net/ipv6.h>
#include <net/inet_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/tcp.h>

#include "toa.h"

/*
 * How many calls of one probed function may be in flight at once. getname
 * can sleep on the socket lock, so this is sized for many threads; a
 * call beyond it is not seen and is counted in probe_missed.
 */
static int toa_maxactive = 4096;
module_param_named(maxactive, toa_maxactive, int, 0444);
MODULE_PARM_DESC(maxactive, "in-flight calls tracked per probed function (default 4096)");

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

/* ---- passive open ------------------------------------------------------ */

/* The source address and ports of @skb, as balancer and local addresses. */
static void toa_skb_addrs(const struct sk_buff *skb, const struct tcphdr *th,
			  struct toa_addr *src, struct toa_addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	src->port = th->source;
	dst->port = th->dest;
	if (skb->protocol == htons(ETH_P_IP)) {
		src->family = TOA_AF_INET;
		dst->family = TOA_AF_INET;
		memcpy(src->addr, &ip_hdr(skb)->saddr, 4);
		memcpy(dst->addr, &ip_hdr(skb)->daddr, 4);
	} else {
		src->family = TOA_AF_INET6;
		dst->family = TOA_AF_INET6;
		memcpy(src->addr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(dst->addr, &ipv6_hdr(skb)->daddr, 16);
	}
}

/*
 * The established socket of @skb's connection, with a reference, or NULL:
 * the socket that won the race @skb's own child lost.
 *
 * TCP has already moved the IP control block into its own (tcp_v4_fill_cb(),
 * tcp_v6_fill_cb()), so IPCB()/IP6CB() hold sequence numbers by now: the
 * interfaces come from the TCP-layer helpers, not inet_sdif()/inet6_iif().
 */
static struct sock *toa_established_of(const struct sock *child,
				       struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct inet_hashinfo *h = tcp_or_dccp_get_hashinfo(child);
	struct net *net = sock_net(child);
	struct sock *sk;

	rcu_read_lock();
	if (skb->protocol == htons(ETH_P_IP))
		sk = __inet_lookup_established(net, h, ip_hdr(skb)->saddr,
					       th->source, ip_hdr(skb)->daddr,
					       ntohs(th->dest), inet_iif(skb),
					       tcp_v4_sdif(skb));
#if IS_ENABLED(CONFIG_IPV6)
	else
		sk = __inet6_lookup_established(net, h, &ipv6_hdr(skb)->saddr,
						th->source,
						&ipv6_hdr(skb)->daddr,
						ntohs(th->dest), tcp_v6_iif_l3_slave(skb),
						tcp_v6_sdif(skb));
#else
	else
		sk = NULL;
#endif
	rcu_read_unlock();
	if (sk && !sk_fullsock(sk)) {
		sock_gen_put(sk);
		sk = NULL;
	}
	return sk;
}

/*
 * Decide, for a new child socket, what its handshake packet tells us.
 * @own_req is false when another CPU completed the same handshake first
 * with another packet: this child is then discarded by the kernel, and an
 * option it carried belongs to the winner.
 */
static void toa_passive_open(struct sock *child, struct sk_buff *skb,
			     bool own_req)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct net *net = sock_net(child);
	struct toa_entry e = {}, old;
	struct sock *winner = NULL;
	enum toa_stat verdict;

	/* TCP validated doff and pulled the whole header before we run. */
	switch (toa_parse_options((const u8 *)(th + 1),
				  th->doff * 4 - sizeof(*th),
				  READ_ONCE(toa_cfg.formats), &e.client)) {
	case TOA_PARSE_NONE:
		if (own_req)
			toa_stat_inc(net, TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return;
	case TOA_PARSE_MALFORMED:
		toa_stat_inc(net, TOA_STAT_OPT_MALFORMED);
		if (own_req)
			toa_stat_inc(net, TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return;
	case TOA_PARSE_FOUND:
		break;
	}
	toa_stat_inc(net, TOA_STAT_OPT_SEEN);
	toa_skb_addrs(skb, th, &e.balancer, &e.local);

	if (!toa_trust_allows(e.balancer.family, e.balancer.addr)) {
		verdict = TOA_STAT_OPT_UNTRUSTED;
	} else if (!READ_ONCE(toa_cfg.enabled)) {
		verdict = TOA_STAT_OPT_PAUSED;
	} else if (!own_req) {
		winner = toa_established_of(child, skb);
		/* The winner's own option, if it had one, stands. */
		if (!winner || toa_store_get(winner, &old)) {
			if (winner)
				sock_gen_put(winner);
			return;
		}
		verdict = TOA_STAT_OPT_RACED;
	} else {
		verdict = TOA_STAT_SYN_RECV_SOCK_TOA;
	}
	if (verdict == TOA_STAT_SYN_RECV_SOCK_TOA || winner) {
		e.sk = winner ?: child;
		e.cookie = toa_sock_cookie(winner ?: child);
		write_pnet(&e.net, net);
		e.created_ns = ktime_get_boottime_ns();
		if (toa_store_add(&e))
			verdict = TOA_STAT_STORE_FAIL;
	}
	if (winner)
		sock_gen_put(winner);
	toa_stat_inc(net, verdict);
	if (own_req && verdict != TOA_STAT_SYN_RECV_SOCK_TOA)
		toa_stat_inc(net, TOA_STAT_SYN_RECV_SOCK_NO_TOA);
}

struct toa_synrecv_call {
	struct sk_buff *skb;
	bool *own_req;
};

static int toa_synrecv_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_synrecv_call *c = (void *)ri->data;

	c->skb = (struct sk_buff *)toa_kprobe_arg(regs, 1);
	/* the 6th argument on every supported kernel; a later one (6.1.0-56's
	 * seventh) does not move it
	 */
	c->own_req = (bool *)toa_kprobe_arg(regs, 5);
	return 0;
}

static int toa_synrecv4_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *child = (struct sock *)regs_return_value(regs);
	struct toa_synrecv_call *c = (void *)ri->data;

	if (child)
		toa_passive_open(child, c->skb, READ_ONCE(*c->own_req));
	return 0;
}

static int toa_synrecv6_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_synrecv_call *c = (void *)ri->data;

	/*
	 * An IPv4 packet on a dual-stack listener: tcp_v6_syn_recv_sock()
	 * had tcp_v4_syn_recv_sock() make the child, and that probe already
	 * recorded it.
	 */
	if (c->skb->protocol == htons(ETH_P_IP))
		return 0;
	return toa_synrecv4_ret(ri, regs);
}

/* ---- getname ----------------------------------------------------------- */

struct toa_getname_call {
	struct socket *sock;
	struct sockaddr *uaddr;
};

static int toa_getname_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_getname_call *c = (void *)ri->data;

	if (!toa_kprobe_arg(regs, 2))	/* getsockname(): not ours */
		return 1;		/* non-zero: skip the return handler */
	c->sock = (struct socket *)toa_kprobe_arg(regs, 0);
	c->uaddr = (struct sockaddr *)toa_kprobe_arg(regs, 1);
	return 0;
}

static void toa_rewrite_peer(struct sock *sk, struct sockaddr *uaddr)
{
	struct net *net = sock_net(sk);
	struct toa_entry e;

	switch (toa_lookup(sk, &e)) {
	case TOA_LOOKUP_NONE:
		toa_stat_inc(net, TOA_STAT_GETNAME_TOA_BYPASS);
		return;
	case TOA_LOOKUP_STALE:
		toa_stat_inc(net, TOA_STAT_GETNAME_TOA_MISMATCH);
		return;
	case TOA_LOOKUP_OK:
		break;
	}
	if (sk->sk_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)uaddr;

		if (e.client.family != TOA_AF_INET) {
			toa_stat_inc(net, TOA_STAT_GETNAME_TOA_NAT64);
			return;
		}
		sin->sin_port = e.client.port;
		memcpy(&sin->sin_addr, e.client.addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)uaddr;

		sin6->sin6_port = e.client.port;
		sin6->sin6_flowinfo = 0;
		sin6->sin6_scope_id = 0;
		if (e.client.family == TOA_AF_INET)
			ipv6_addr_set_v4mapped(*(__be32 *)e.client.addr,
					       &sin6->sin6_addr);
		else
			memcpy(&sin6->sin6_addr, e.client.addr, 16);
	}
	toa_stat_inc(net, TOA_STAT_GETNAME_TOA_OK);
}

static int toa_getname_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct toa_getname_call *c = (void *)ri->data;
	struct sock *sk = c->sock->sk;

	/* inet_getname() returns int: the register's upper half is not its
	 * sign, so the value is narrowed before the test.
	 */
	if ((int)regs_return_value(regs) < 0 || !sk ||
	    sk->sk_protocol != IPPROTO_TCP)
		return 0;
	toa_rewrite_peer(sk, c->uaddr);
	return 0;
}

/* ---- destruct ---------------------------------------------------------- */

static int toa_destruct_pre(struct kprobe *kp, struct pt_regs *regs)
{
	toa_store_del((struct sock *)toa_kprobe_arg(regs, 0));
	return 0;
}

/* ---- registration ------------------------------------------------------ */

static struct kprobe toa_destruct_probe = {
	.symbol_name = "inet_sock_destruct",
	.pre_handler = toa_destruct_pre,
};

#define TOA_KRETPROBE(sym, entry, ret, type)		\
	{						\
		.kp.symbol_name = sym,			\
		.entry_handler = entry,			\
		.handler = ret,				\
		.data_size = sizeof(type),		\
	}

/* Order matters: getname before syn_recv_sock, so a stored entry is
 * always both visible and freed.
 */
static struct kretprobe toa_getname_probes[] = {
	TOA_KRETPROBE("inet_getname", toa_getname_entry, toa_getname_ret,
		      struct toa_getname_call),
	TOA_KRETPROBE("inet6_getname", toa_getname_entry, toa_getname_ret,
		      struct toa_getname_call),
};

static struct kretprobe toa_synrecv_probes[] = {
	TOA_KRETPROBE("tcp_v4_syn_recv_sock", toa_synrecv_entry,
		      toa_synrecv4_ret, struct toa_synrecv_call),
	TOA_KRETPROBE("tcp_v6_syn_recv_sock", toa_synrecv_entry,
		      toa_synrecv6_ret, struct toa_synrecv_call),
};

static int toa_register_kretprobes(struct kretprobe *rps, int n)
{
	struct kretprobe *ptrs[4];
	int i, err;

	for (i = 0; i < n; i++) {
		rps[i].maxactive = toa_maxactive;
		ptrs[i] = &rps[i];
	}
	err = register_kretprobes(ptrs, n);
	if (err)
		pr_err("cannot probe %s: %d\n", rps[0].kp.symbol_name, err);
	return err;
}

static void toa_unregister_kretprobes(struct kretprobe *rps, int n)
{
	struct kretprobe *ptrs[4];
	int i;

	for (i = 0; i < n; i++)
		ptrs[i] = &rps[i];
	unregister_kretprobes(ptrs, n);
}

u64 toa_hooks_missed(void)
{
	u64 n = toa_destruct_probe.nmissed;
	int i;

	for (i = 0; i < ARRAY_SIZE(toa_getname_probes); i++)
		n += toa_getname_probes[i].nmissed +
		     toa_getname_probes[i].kp.nmissed;
	for (i = 0; i < ARRAY_SIZE(toa_synrecv_probes); i++)
		n += toa_synrecv_probes[i].nmissed +
		     toa_synrecv_probes[i].kp.nmissed;
	return n;
}

int toa_hooks_init(void)
{
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(toa_getname_probes) > 4 ||
		     ARRAY_SIZE(toa_synrecv_probes) > 4);
	err = register_kprobe(&toa_destruct_probe);
	if (err) {
		pr_err("cannot probe inet_sock_destruct: %d\n", err);
		return err;
	}
	err = toa_register_kretprobes(toa_getname_probes,
				      ARRAY_SIZE(toa_getname_probes));
	if (err)
		goto out_destruct;
	err = toa_register_kretprobes(toa_synrecv_probes,
				      ARRAY_SIZE(toa_synrecv_probes));
	if (err)
		goto out_getname;
	return 0;

out_getname:
	toa_unregister_kretprobes(toa_getname_probes,
				  ARRAY_SIZE(toa_getname_probes));
out_destruct:
	unregister_kprobe(&toa_destruct_probe);
	return err;
}

void toa_hooks_exit(void)
{
	/* Reverse order: first no new entries, then no readers, then the
	 * destructor. The store is freed by the caller afterwards.
	 */
	toa_unregister_kretprobes(toa_synrecv_probes,
				  ARRAY_SIZE(toa_synrecv_probes));
	toa_unregister_kretprobes(toa_getname_probes,
				  ARRAY_SIZE(toa_getname_probes));
	unregister_kprobe(&toa_destruct_probe);
}
