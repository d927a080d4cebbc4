// SPDX-License-Identifier: GPL-2.0
/*
 * The getsockopt() API, specified in include/toa/sockopt.h.
 *
 * Registered with nf_register_sockopt() for PF_INET, so it answers
 * getsockopt(fd, IPPROTO_IP, ...) on IPv4 and on IPv6 sockets alike (the
 * kernel routes SOL_IP on an IPv6 socket to ip_getsockopt()). The
 * registration holds a reference on this module during each call, which
 * is what makes rmmod safe against a caller in the middle of one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter.h>
#include <linux/uaccess.h>
#include <linux/in.h>
#include <net/sock.h>
#include <net/inet_sock.h>

#include "toa.h"

static bool toa_sock_connected(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP && inet_sk(sk)->inet_dport;
}

/* TOA_SO_GET_LOOKUP: DPVS's NAT64 call, byte-compatible. */
static int toa_get_nat64(struct sock *sk, void __user *user, int *len)
{
	struct toa_nat64_peer out = {};
	struct toa_conn conn;

	BUILD_BUG_ON(sizeof(out) != TOA_NAT64_PEER_SIZE);
	if (*len < (int)sizeof(out))
		return -EINVAL;
	if (!toa_sock_connected(sk) || toa_lookup(sk, &conn) != TOA_LOOKUP_OK ||
	    conn.client.family != TOA_AF_INET6) {
		toa_stat_inc(sock_net(sk), TOA_STAT_LOOKUP_MISS);
		return -ENOTCONN;
	}
	memcpy(out.saddr, conn.client.addr, sizeof(out.saddr));
	out.sport = conn.client.port;
	if (copy_to_user(user, &out, sizeof(out)))
		return -EFAULT;
	*len = sizeof(out);
	toa_stat_inc(sock_net(sk), TOA_STAT_LOOKUP_OK);
	return 0;
}

/* TOA_SO_GET_PEER: the versioned call, see include/toa/sockopt.h. */
static int toa_get_peer(struct sock *sk, void __user *user, int *len)
{
	struct toa_peer_info info = { .version = TOA_PEER_INFO_V1 };
	struct toa_conn conn;
	int n;

	BUILD_BUG_ON(sizeof(info) != TOA_PEER_INFO_SIZE_V1);
	if (*len < TOA_PEER_INFO_SIZE_V1)
		return -EINVAL;
	if (sk->sk_protocol == IPPROTO_UDP) {
		n = toa_udp_peer_info(sk, &info);	/* the UDP flow map */
		if (n)
			return n;
		goto out;
	}
	if (!toa_sock_connected(sk))
		return -ENOTCONN;
	if (toa_lookup(sk, &conn) == TOA_LOOKUP_OK) {
		info.flags = TOA_PEER_F_TOA;
		info.client.family = conn.client.family;
		info.client.port = conn.client.port;
		memcpy(info.client.addr, conn.client.addr, sizeof(info.client.addr));
		info.balancer = conn.balancer;
		info.opt_kind = toa_formats[conn.client.format].kind;
		info.opt_len = toa_formats[conn.client.format].len;
		if (sk->sk_family == AF_INET && conn.client.family == TOA_AF_INET6)
			info.flags |= TOA_PEER_F_NAT64;
		if (sk->sk_family == AF_INET6 && conn.client.family == TOA_AF_INET)
			info.flags |= TOA_PEER_F_MAPPED;
		toa_stat_inc(sock_net(sk), TOA_STAT_LOOKUP_OK);
	} else {
		toa_sock_addr(sk, true, &info.client);
		toa_stat_inc(sock_net(sk), TOA_STAT_LOOKUP_MISS);
	}
out:
	n = min_t(int, *len, sizeof(info));
	if (copy_to_user(user, &info, n))
		return -EFAULT;
	*len = n;
	return 0;
}

static int toa_sockopt_get(struct sock *sk, int optval, void __user *user,
			   int *len)
{
	switch (optval) {
	case TOA_SO_GET_LOOKUP:
		return toa_get_nat64(sk, user, len);
	case TOA_SO_GET_PEER:
		return toa_get_peer(sk, user, len);
	default:
		return -ENOPROTOOPT;
	}
}

static struct nf_sockopt_ops toa_sockopt_ops = {
	.pf = PF_INET,
	.get_optmin = TOA_SO_BASE,
	.get_optmax = TOA_SO_GET_MAX + 1,
	.get = toa_sockopt_get,
	.owner = THIS_MODULE,
};

int toa_sockopt_init(void)
{
	int err = nf_register_sockopt(&toa_sockopt_ops);

	if (err == -EBUSY)
		pr_err("getsockopt %d..%d is taken: is another TOA module (DPVS toa?) loaded?\n",
		       TOA_SO_BASE, TOA_SO_GET_MAX);
	return err;
}

void toa_sockopt_exit(void)
{
	nf_unregister_sockopt(&toa_sockopt_ops);
}
