// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP getsockopt calls (include/toa/uoa.h), answered from the flow
 * map: UOA_SO_GET_LOOKUP (DPVS's call, byte-compatible), UOA_SO_GET_FLOW
 * (the versioned one), and TOA_SO_GET_PEER on a connected UDP socket
 * (through sockopt.c). Callers hold a reference on the module (the
 * nf_sockopt owner), so rmmod waits for them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter.h>
#include <linux/uaccess.h>
#include <net/inet_sock.h>
#include <toa/uoa.h>

#include "toa.h"
#include "udp.h"

static const u8 toa_v4mapped[12] = { [10] = 0xff, [11] = 0xff };

/*
 * A caller's address as the map keys it: a v4-mapped IPv6 address is the
 * IPv4 address it carries (what a dual-stack socket reports). Returns the
 * family, or 0 for an unknown one.
 */
static u16 toa_udp_norm(u16 family, const u8 *addr, u8 *out)
{
	memset(out, 0, 16);
	if (family == TOA_AF_INET) {
		memcpy(out, addr, 4);
		return TOA_AF_INET;
	}
	if (family != TOA_AF_INET6)
		return 0;
	if (!memcmp(addr, toa_v4mapped, sizeof(toa_v4mapped))) {
		memcpy(out, addr + 12, 4);
		return TOA_AF_INET;
	}
	memcpy(out, addr, 16);
	return TOA_AF_INET6;
}

/* The key of a query; @lfamily 0 or an all-zero @laddr: any backend. */
static int toa_udp_query_key(u16 bfamily, const u8 *baddr, __be16 bport,
			     u16 lfamily, const u8 *laddr, __be16 lport,
			     struct toa_udp_key *k)
{
	static const u8 any[16];
	u8 l[16];

	memset(k, 0, sizeof(*k));
	k->family = toa_udp_norm(bfamily, baddr, k->saddr);
	if (!k->family)
		return -EINVAL;
	k->sport = bport;
	k->dport = lport;
	if (!lfamily)
		return 0;
	lfamily = toa_udp_norm(lfamily, laddr, l);
	if (!lfamily)
		return -EINVAL;
	if (!memcmp(l, any, sizeof(l)))
		return 0;
	if (lfamily != k->family)
		return -EINVAL;
	memcpy(k->daddr, l, sizeof(l));
	return 0;
}

/*
 * A lookup answers only for flows to the caller's own port: the flow map
 * holds every UDP client of the namespace, and without this any process
 * could ask who talks to any other service (a DNS server's clients, say)
 * by naming its port. The socket asked on must be a UDP socket bound to
 * the queried destination port, which is what a server does: it asks on
 * the socket the datagram arrived on. -EPERM otherwise, told apart from
 * -ENOENT (no mapping), and not counted as a lookup.
 */
static int toa_udp_query_allowed(const struct sock *sk,
				 const struct toa_udp_key *k)
{
	if (sk->sk_protocol != IPPROTO_UDP || !inet_sk(sk)->inet_sport ||
	    inet_sk(sk)->inet_sport != k->dport)
		return -EPERM;
	return 0;
}

static bool toa_udp_query(struct sock *sk, const struct toa_udp_key *k,
			  struct toa_udp_flow *f)
{
	bool found = toa_udp_find(sock_net(sk), k, f);

	toa_stat_inc(sock_net(sk), found ? TOA_STAT_UDP_LOOKUP_OK :
					   TOA_STAT_UDP_LOOKUP_MISS);
	return found;
}

/* UOA_SO_GET_LOOKUP: DPVS's call, byte-compatible. */
static int toa_udp_get_lookup(struct sock *sk, void __user *user, int *len)
{
	struct uoa_param_map m;
	struct toa_udp_key k;
	struct toa_udp_flow f;

	BUILD_BUG_ON(sizeof(m) != UOA_PARAM_MAP_SIZE);
	if (*len < (int)sizeof(m))
		return -EINVAL;
	if (copy_from_user(&m, user, sizeof(m)))
		return -EFAULT;
	if (toa_udp_query_key(m.af, m.saddr, m.sport, m.af, m.daddr, m.dport,
			      &k))
		return -EINVAL;
	if (toa_udp_query_allowed(sk, &k))
		return -EPERM;
	if (!toa_udp_query(sk, &k, &f))
		return -ENOENT;
	m.real_af = f.client.family;
	memcpy(m.real_saddr, f.client.addr, sizeof(m.real_saddr));
	m.real_sport = f.client.port;
	if (copy_to_user(user, &m, sizeof(m)))
		return -EFAULT;
	*len = sizeof(m);
	return 0;
}

static void toa_udp_client_addr(const struct uoa_client *c, struct toa_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = c->family;
	a->port = c->port;
	memcpy(a->addr, c->addr, sizeof(a->addr));
}

/* UOA_SO_GET_FLOW: the versioned call. */
static int toa_udp_get_flow(struct sock *sk, void __user *user, int *len)
{
	struct uoa_flow_info in, out = { .version = UOA_FLOW_INFO_V1 };
	unsigned long now = jiffies;
	struct toa_udp_key k;
	struct toa_udp_flow f;
	int n;

	BUILD_BUG_ON(sizeof(out) != UOA_FLOW_INFO_SIZE_V1);
	if (*len < UOA_FLOW_INFO_SIZE_V1)
		return -EINVAL;
	if (copy_from_user(&in, user, UOA_FLOW_INFO_SIZE_V1))
		return -EFAULT;
	/* local port 0: the caller's own, as for its datagrams */
	if (in.version < UOA_FLOW_INFO_V1 ||
	    toa_udp_query_key(in.balancer.family, in.balancer.addr,
			      in.balancer.port, in.local.family, in.local.addr,
			      in.local.port ?: inet_sk(sk)->inet_sport, &k))
		return -EINVAL;
	if (toa_udp_query_allowed(sk, &k))
		return -EPERM;
	if (!toa_udp_query(sk, &k, &f))
		return -ENOENT;
	out.flags = f.flags;
	if (k.family == TOA_AF_INET && f.client.family == TOA_AF_INET6)
		out.flags |= UOA_FLOW_F_NAT64;
	out.balancer = in.balancer;
	out.local = in.local;
	toa_udp_client_addr(&f.client, &out.client);
	out.age_ms = jiffies_to_msecs(now - f.updated);
	out.idle_ms = jiffies_to_msecs(now - f.used);
	n = min_t(int, *len, sizeof(out));
	if (copy_to_user(user, &out, n))
		return -EFAULT;
	*len = n;
	return 0;
}

int toa_udp_peer_info(struct sock *sk, struct toa_peer_info *info)
{
	struct toa_addr peer, local;
	struct toa_udp_key k;
	struct toa_udp_flow f;

	if (!inet_sk(sk)->inet_dport)
		return -ENOTCONN;
	toa_sock_addr(sk, true, &peer);
	toa_sock_addr(sk, false, &local);
	if (toa_udp_query_key(peer.family, peer.addr, peer.port,
			      local.family == peer.family ? local.family : 0,
			      local.addr, local.port, &k))
		return -EINVAL;
	if (!toa_udp_query(sk, &k, &f)) {
		info->client = peer;	/* no mapping: the socket's peer */
		return 0;
	}
	info->flags = TOA_PEER_F_TOA | TOA_PEER_F_UOA;
	toa_udp_client_addr(&f.client, &info->client);
	info->balancer = peer;
	info->opt_kind = UOA_OPT_CODE;
	info->opt_len = f.client.family == TOA_AF_INET ? UOA_OPT_LEN_V4 :
							 UOA_OPT_LEN_V6;
	if (sk->sk_family == AF_INET && f.client.family == TOA_AF_INET6)
		info->flags |= TOA_PEER_F_NAT64;
	if (sk->sk_family == AF_INET6 && f.client.family == TOA_AF_INET)
		info->flags |= TOA_PEER_F_MAPPED;
	return 0;
}

static int toa_udp_sockopt_get(struct sock *sk, int optval, void __user *user,
			       int *len)
{
	switch (optval) {
	case UOA_SO_GET_LOOKUP:
		return toa_udp_get_lookup(sk, user, len);
	case UOA_SO_GET_FLOW:
		return toa_udp_get_flow(sk, user, len);
	default:
		return -ENOPROTOOPT;
	}
}

static struct nf_sockopt_ops toa_udp_sockopt_ops = {
	.pf = PF_INET,
	.get_optmin = UOA_SO_BASE,
	.get_optmax = UOA_SO_GET_MAX + 1,
	.get = toa_udp_sockopt_get,
	.owner = THIS_MODULE,
};

int toa_udp_sockopt_init(void)
{
	int err;

	BUILD_BUG_ON(UOA_SO_GET_MAX >= TOA_SO_BASE);
	err = nf_register_sockopt(&toa_udp_sockopt_ops);
	if (err == -EBUSY)
		pr_err("getsockopt %d..%d is taken: is DPVS's uoa loaded?\n",
		       UOA_SO_BASE, UOA_SO_GET_MAX);
	return err;
}

void toa_udp_sockopt_exit(void)
{
	nf_unregister_sockopt(&toa_udp_sockopt_ops);
}
