// SPDX-License-Identifier: GPL-2.0
/*
 * What the packets of a passive open tell toa.ko: the TOA option of the
 * packet that completed the handshake, recorded for the child socket.
 *
 * That packet is the third ACK, a data packet when that ACK was lost, or
 * the ACK a SYN cookie is checked against: all make the child through the
 * listener's syn_recv_sock (listen_ops.c). A listener with
 * TCP_DEFER_ACCEPT (nginx's "listen ... deferred") drops the bare third ACK in tcp_check_req(), and
 * makes the child from the first data packet: balancers in the LVS
 * family put the option on that ACK only, so its option is kept aside
 * (deferred.c) and given to the child when it is made.
 *
 * With two CPUs the third ACK (with the option) and the first data packet
 * (without) can reach the half-open connection at once: both make a
 * child, the kernel keeps the one hashed first and discards the other
 * (inet_csk_complete_hashdance() with own_req false). When the discarded
 * one came from the option's packet, the option is moved to the winner.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/mptcp.h>
#include <net/request_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "toa.h"

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
 * The option of @skb, vetted, into @hs (client, balancer, local).
 * Counts what it finds except the final verdict: returns
 * TOA_STAT_SYN_RECV_SOCK_TOA when @hs may be used, else the counter that
 * says why not (TOA_STAT_SYN_RECV_SOCK_NO_TOA when there was no option).
 */
static enum toa_stat toa_skb_option(struct net *net, struct sk_buff *skb,
				    struct toa_handshake *hs)
{
	const struct tcphdr *th = tcp_hdr(skb);

	/* TCP validated doff and pulled the whole header before we run. */
	switch (toa_parse_options((const u8 *)(th + 1),
				  th->doff * 4 - sizeof(*th),
				  READ_ONCE(toa_cfg.formats), &hs->client)) {
	case TOA_PARSE_NONE:
		return TOA_STAT_SYN_RECV_SOCK_NO_TOA;
	case TOA_PARSE_MALFORMED:
		toa_stat_inc(net, TOA_STAT_OPT_MALFORMED);
		return TOA_STAT_SYN_RECV_SOCK_NO_TOA;
	case TOA_PARSE_FOUND:
		break;
	}
	toa_stat_inc(net, TOA_STAT_OPT_SEEN);
	toa_skb_addrs(skb, th, &hs->balancer, &hs->local);
	if (!toa_trust_allows(hs->balancer.family, hs->balancer.addr))
		return TOA_STAT_OPT_UNTRUSTED;
	if (!READ_ONCE(toa_cfg.enabled))
		return TOA_STAT_OPT_PAUSED;
	return TOA_STAT_SYN_RECV_SOCK_TOA;
}

void toa_passive_open(struct sock *listener, struct sock *child,
		      struct sk_buff *skb)
{
	struct net *net = sock_net(child);
	struct toa_handshake hs = {};
	enum toa_stat verdict;

	/*
	 * Kernel sockets (nfsd, ksmbd...) authorise by the real peer. MPTCP
	 * subflows are never grafted to a struct socket of their own, so
	 * their entry would only wait for a release that never comes.
	 */
	if (child->sk_kern_sock || sk_is_mptcp(child)) {
		toa_stat_inc(net, TOA_STAT_SYN_RECV_SOCK_NO_TOA);
		return;
	}
	verdict = toa_skb_option(net, skb, &hs);
	if (verdict == TOA_STAT_SYN_RECV_SOCK_NO_TOA &&
	    toa_deferred_take(child, &hs))
		verdict = TOA_STAT_SYN_RECV_SOCK_TOA;
	if (verdict == TOA_STAT_SYN_RECV_SOCK_TOA) {
		if (toa_store_add(child, &hs))
			verdict = TOA_STAT_STORE_FAIL;
		else
			toa_listener_adopt_ops(listener);
	}
	if (verdict != TOA_STAT_SYN_RECV_SOCK_NO_TOA)
		toa_stat_inc(net, verdict);
	if (verdict != TOA_STAT_SYN_RECV_SOCK_TOA)
		toa_stat_inc(net, TOA_STAT_SYN_RECV_SOCK_NO_TOA);
}

void toa_passive_check_req(struct sock *listener, struct sk_buff *skb,
			   struct request_sock *req)
{
	u8 defer = READ_ONCE(inet_csk(listener)->icsk_accept_queue.rskq_defer_accept);
	struct net *net = sock_net(listener);
	struct toa_handshake hs = {};
	enum toa_stat verdict;

	/* tcp_check_req()'s own test for the bare ACK it is about to drop */
	if (likely(!defer) || req->num_timeout >= defer ||
	    TCP_SKB_CB(skb)->end_seq != tcp_rsk(req)->rcv_isn + 1 ||
	    listener->sk_kern_sock)
		return;
	verdict = toa_skb_option(net, skb, &hs);
	if (verdict == TOA_STAT_SYN_RECV_SOCK_TOA)
		toa_deferred_add(net, &hs, req);
	else if (verdict != TOA_STAT_SYN_RECV_SOCK_NO_TOA)
		toa_stat_inc(net, verdict);
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
						ntohs(th->dest),
						tcp_v6_iif_l3_slave(skb),
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
 * The winner may already be accepted, and may have given the module's ops
 * back at a getpeername() while it had no entry (or never got them, from
 * an accept() older than its listener's): give it the ops now. Under
 * sk_callback_lock, so that accept's graft (which holds it for writing)
 * comes either before, and is seen here, or after, and sees the entry.
 */
static void toa_winner_adopt(struct sock *winner)
{
	read_lock(&winner->sk_callback_lock);
	if (winner->sk_socket && toa_store_accept(winner))
		toa_peer_ops_swap(winner->sk_socket);
	read_unlock(&winner->sk_callback_lock);
}

void toa_passive_raced(struct sock *listener, struct sock *loser,
		       struct sk_buff *skb)
{
	struct net *net = sock_net(loser);
	struct toa_handshake hs = {};
	enum toa_stat verdict;
	struct sock *winner;

	if (loser->sk_kern_sock)
		return;
	verdict = toa_skb_option(net, skb, &hs);
	if (verdict != TOA_STAT_SYN_RECV_SOCK_TOA) {
		if (verdict != TOA_STAT_SYN_RECV_SOCK_NO_TOA)
			toa_stat_inc(net, verdict);
		return;
	}
	winner = toa_established_of(loser, skb);
	if (!winner)
		return;
	/* The winner's own option, if it had one, stands. */
	if (!toa_store_has(winner)) {
		if (toa_store_add(winner, &hs)) {
			toa_stat_inc(net, TOA_STAT_STORE_FAIL);
		} else {
			toa_stat_inc(net, TOA_STAT_OPT_RACED);
			toa_listener_adopt_ops(listener);
			toa_winner_adopt(winner);
		}
	}
	sock_gen_put(winner);
}
