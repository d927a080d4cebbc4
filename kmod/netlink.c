// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: generic netlink family "toa", specified command by
 * command in include/toa/netlink.h.
 *
 * Nothing here has state of its own: counters come from stats.c, the
 * configuration from config.c and trust.c through the setters the module
 * parameters use, sockets from store.c and the kernel's TCP tables.
 * Every handler is safe to run in parallel (parallel_ops): reads take
 * copies, and configuration changes are serialised with the module
 * parameters by kernel_param_lock().
 *
 * rmmod against a running dump: the dump holds a reference on this module
 * (genl passes .module to netlink_dump_start) from its start until it is
 * done or its socket closes, and its cursor lives in netlink_callback->args,
 * so there is never a pointer into the table between two parts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/tcp.h>
#include <toa/netlink.h>

#include "toa.h"

static struct genl_family toa_genl_family;

static const struct nla_policy toa_addr_policy[TOA_ADDR_A_MAX + 1] = {
	[TOA_ADDR_A_FAMILY]	= { .type = NLA_U16 },
	[TOA_ADDR_A_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[TOA_ADDR_A_PORT]	= { .type = NLA_BE16 },
};

/* Output-only attributes are rejected in requests. */
static const struct nla_policy toa_policy[TOA_A_MAX + 1] = {
	[TOA_A_PAD]		= { .type = NLA_REJECT },
	[TOA_A_VERSION]		= { .type = NLA_REJECT },
	[TOA_A_FORMATS]		= NLA_POLICY_MASK(NLA_U32, TOA_FMT_ALL_MASK),
	[TOA_A_TRUSTED]		= { .type = NLA_NUL_STRING,
				    .len = TOA_TRUSTED_MAX_LEN - 1 },
	[TOA_A_ENABLED]		= NLA_POLICY_MAX(NLA_U8, 1),
	[TOA_A_MAX_ENTRIES]	= { .type = NLA_REJECT },
	[TOA_A_STATS]		= { .type = NLA_REJECT },
	[TOA_A_SOCKET]		= { .type = NLA_REJECT },
	[TOA_A_LOCAL]		= NLA_POLICY_NESTED(toa_addr_policy),
	[TOA_A_REMOTE]		= NLA_POLICY_NESTED(toa_addr_policy),
};

/* ---- replies ----------------------------------------------------------- */

static int toa_nl_put_addr(struct sk_buff *skb, int type,
			   const struct toa_addr *a)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, TOA_ADDR_A_FAMILY, a->family) ||
	    nla_put(skb, TOA_ADDR_A_ADDR, a->family == TOA_AF_INET ? 4 : 16,
		    a->addr) ||
	    nla_put_be16(skb, TOA_ADDR_A_PORT, a->port)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int toa_nl_put_sock(struct sk_buff *skb, const struct toa_conn *c)
{
	struct toa_addr client = { .family = c->client.family,
				   .port = c->client.port };
	struct nlattr *nest;

	memcpy(client.addr, c->client.addr, sizeof(client.addr));
	nest = nla_nest_start(skb, TOA_A_SOCKET);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TOA_SOCK_A_COOKIE, c->cookie,
			      TOA_SOCK_A_PAD) ||
	    toa_nl_put_addr(skb, TOA_SOCK_A_LOCAL, &c->local) ||
	    toa_nl_put_addr(skb, TOA_SOCK_A_BALANCER, &c->balancer) ||
	    toa_nl_put_addr(skb, TOA_SOCK_A_CLIENT, &client) ||
	    nla_put_u8(skb, TOA_SOCK_A_FORMAT, c->client.format) ||
	    nla_put_u64_64bit(skb, TOA_SOCK_A_AGE_MS, c->age_ms,
			      TOA_SOCK_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A reply message for @info; *@hdr is where the attributes go. */
static struct sk_buff *toa_nl_reply_new(struct genl_info *info, u8 cmd,
					void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &toa_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int toa_nl_reply_send(struct sk_buff *msg, void *hdr,
			     struct genl_info *info)
{
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- stats ------------------------------------------------------------- */

static int toa_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *all, *one;
	struct sk_buff *msg;
	struct net *net = genl_info_net(info);
	bool global;
	u64 *v;
	void *hdr;
	int s, err = -EMSGSIZE;

	/* The socket opener's and the sender's capability (not current's). */
	global = toa_stats_global_visible(net,
					  netlink_ns_capable(skb,
							     init_net.user_ns,
							     CAP_NET_ADMIN));

	v = kcalloc(TOA_STAT_COUNT, sizeof(*v), GFP_KERNEL);
	msg = toa_nl_reply_new(info, TOA_CMD_GET_STATS, &hdr);
	if (!v || !msg) {
		err = -ENOMEM;
		goto fail;
	}
	toa_stats_read(net, v);
	all = nla_nest_start(msg, TOA_A_STATS);
	if (!all)
		goto fail;
	for (s = 0; s < TOA_STAT_COUNT; s++) {
		if (toa_stat_is_global(s) && !global)
			continue;
		one = nla_nest_start(msg, s + 1);
		if (!one ||
		    nla_put_u32(msg, TOA_STAT_A_ID, s) ||
		    nla_put_string(msg, TOA_STAT_A_NAME, toa_stat_name(s)) ||
		    nla_put_u64_64bit(msg, TOA_STAT_A_VALUE, v[s],
				      TOA_STAT_A_PAD) ||
		    (toa_stat_is_global(s) &&
		     nla_put_flag(msg, TOA_STAT_A_GLOBAL)))
			goto fail;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, all);
	kfree(v);
	return toa_nl_reply_send(msg, hdr, info);

fail:
	kfree(v);
	nlmsg_free(msg);
	return err;
}

static int toa_nl_reset_stats(struct sk_buff *skb, struct genl_info *info)
{
	toa_stats_reset(genl_info_net(info));
	return 0;
}

/* ---- config ------------------------------------------------------------ */

static int toa_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	const char *version = THIS_MODULE->version;
	struct sk_buff *msg;
	char *trusted;
	void *hdr;
	int err = -EMSGSIZE;

	trusted = kmalloc(TOA_TRUSTED_MAX_LEN, GFP_KERNEL);
	msg = toa_nl_reply_new(info, TOA_CMD_GET_CONFIG, &hdr);
	if (!trusted || !msg) {
		err = -ENOMEM;
		goto fail;
	}
	toa_trust_format(trusted, TOA_TRUSTED_MAX_LEN);
	if (nla_put_string(msg, TOA_A_VERSION, version ? version : "") ||
	    nla_put_u32(msg, TOA_A_FORMATS, READ_ONCE(toa_cfg.formats)) ||
	    nla_put_string(msg, TOA_A_TRUSTED, trusted) ||
	    nla_put_u8(msg, TOA_A_ENABLED, READ_ONCE(toa_cfg.enabled)) ||
	    nla_put_u32(msg, TOA_A_MAX_ENTRIES, toa_max_entries_param))
		goto fail;
	kfree(trusted);
	return toa_nl_reply_send(msg, hdr, info);

fail:
	kfree(trusted);
	nlmsg_free(msg);
	return err;
}

static int toa_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	int err = 0;

	/*
	 * GENL_ADMIN_PERM checks CAP_NET_ADMIN against the initial user
	 * namespace, but a process holding it may sit in any network
	 * namespace: a Kubernetes pod granted NET_ADMIN, for one. The
	 * settings are the node's, so only the node's own namespace may
	 * change them; a pod could otherwise widen the trust list of every
	 * other pod on the node.
	 */
	if (!net_eq(genl_info_net(info), &init_net)) {
		NL_SET_ERR_MSG(info->extack,
			       "global settings change only from the initial network namespace");
		return -EPERM;
	}

	kernel_param_lock(THIS_MODULE);
	/* The one setter that can fail goes first: all or nothing. */
	if (attrs[TOA_A_TRUSTED]) {
		err = toa_trust_set(nla_data(attrs[TOA_A_TRUSTED]));
		if (err == -E2BIG)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[TOA_A_TRUSTED],
					    "too many trusted CIDRs");
		else if (err)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[TOA_A_TRUSTED],
					    "not a list of address/prefix with zero host bits");
		if (err)
			goto out;
	}
	if (attrs[TOA_A_FORMATS])
		err = toa_config_set_formats(nla_get_u32(attrs[TOA_A_FORMATS]));
	if (!err && attrs[TOA_A_ENABLED])
		toa_config_set_enabled(nla_get_u8(attrs[TOA_A_ENABLED]));
out:
	kernel_param_unlock(THIS_MODULE);
	return err;
}

/* ---- socket dump ------------------------------------------------------- */

struct toa_nl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int toa_nl_dump_one(const struct toa_conn *c, void *arg)
{
	struct toa_nl_dump *d = arg;
	void *hdr;

	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &toa_genl_family, NLM_F_MULTI,
			  TOA_CMD_GET_SOCKETS);
	if (!hdr)
		return -EMSGSIZE;
	if (toa_nl_put_sock(d->skb, c)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int toa_nl_dump_sockets(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct toa_conns_cursor *cur = (struct toa_conns_cursor *)cb->args;
	struct toa_nl_dump d = { .skb = skb, .cb = cb };
	int err;

	BUILD_BUG_ON(sizeof(*cur) > sizeof(cb->args));
	err = toa_conns_walk(sock_net(skb->sk), cur, toa_nl_dump_one, &d);
	/* Full: send this part, the next call resumes at the cursor. */
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* ---- lookup ------------------------------------------------------------ */

static int toa_nl_parse_addr(struct nlattr *nla, struct toa_addr *a,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[TOA_ADDR_A_MAX + 1];
	int err, alen;

	err = nla_parse_nested(tb, TOA_ADDR_A_MAX, nla, toa_addr_policy,
			       extack);
	if (err)
		return err;
	if (!tb[TOA_ADDR_A_FAMILY] || !tb[TOA_ADDR_A_ADDR] ||
	    !tb[TOA_ADDR_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "an address needs family, address and port");
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a));
	a->family = nla_get_u16(tb[TOA_ADDR_A_FAMILY]);
	alen = a->family == TOA_AF_INET ? 4 : a->family == TOA_AF_INET6 ? 16 : 0;
	if (!alen || nla_len(tb[TOA_ADDR_A_ADDR]) != alen) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "family must be TOA_AF_INET (4-byte address) or TOA_AF_INET6 (16 bytes)");
		return -EINVAL;
	}
	memcpy(a->addr, nla_data(tb[TOA_ADDR_A_ADDR]), alen);
	a->port = nla_get_be16(tb[TOA_ADDR_A_PORT]);
	return 0;
}

/*
 * An IPv4 connection on a dual-stack socket lives in the IPv4 tables: a
 * 4-tuple spelled ::ffff:a.b.c.d (as ss and getsockname show it) is
 * looked up as IPv4.
 */
static void toa_nl_unmap(struct toa_addr *local, struct toa_addr *remote)
{
	static const u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct toa_addr *a[2] = { local, remote };
	int i;

	for (i = 0; i < 2; i++)
		if (a[i]->family != TOA_AF_INET6 ||
		    memcmp(a[i]->addr, v4mapped, sizeof(v4mapped)))
			return;
	for (i = 0; i < 2; i++) {
		memmove(a[i]->addr, a[i]->addr + 12, 4);
		memset(a[i]->addr + 4, 0, 12);
		a[i]->family = TOA_AF_INET;
	}
}

/* The established TCP socket (referenced) with this 4-tuple in @net. */
static struct sock *toa_nl_find_sock(struct net *net,
				     const struct toa_addr *local,
				     const struct toa_addr *remote)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	struct sock *sk = NULL;
	__be32 l4, r4;

	rcu_read_lock();
	if (local->family == TOA_AF_INET) {
		memcpy(&l4, local->addr, 4);
		memcpy(&r4, remote->addr, 4);
		sk = inet_lookup_established(net, hinfo, r4, remote->port,
					     l4, local->port, 0);
#if IS_ENABLED(CONFIG_IPV6)
	} else {
		sk = __inet6_lookup_established(net, hinfo,
						(const struct in6_addr *)remote->addr,
						remote->port,
						(const struct in6_addr *)local->addr,
						ntohs(local->port), 0, 0);
#endif
	}
	rcu_read_unlock();
	return sk;
}

static int toa_nl_lookup_socket(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct toa_addr local, remote;
	enum toa_lookup_result res;
	struct toa_conn c;
	struct sk_buff *msg;
	struct sock *sk;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, TOA_A_LOCAL) ||
	    GENL_REQ_ATTR_CHECK(info, TOA_A_REMOTE))
		return -EINVAL;
	err = toa_nl_parse_addr(attrs[TOA_A_LOCAL], &local, info->extack);
	if (!err)
		err = toa_nl_parse_addr(attrs[TOA_A_REMOTE], &remote,
					info->extack);
	if (err)
		return err;
	toa_nl_unmap(&local, &remote);
	if (local.family != remote.family) {
		NL_SET_ERR_MSG(info->extack,
			       "local and remote addresses of different families");
		return -EINVAL;
	}

	sk = toa_nl_find_sock(genl_info_net(info), &local, &remote);
	if (!sk) {
		NL_SET_ERR_MSG(info->extack,
			       "no established TCP socket with this 4-tuple");
		return -ENOENT;
	}
	/* TIME_WAIT and request sockets are no connection to report. */
	res = sk_fullsock(sk) ? toa_lookup(sk, &c) : TOA_LOOKUP_NONE;
	if (!sk_fullsock(sk))
		err = -ENOENT;
	sock_gen_put(sk);
	if (err) {
		NL_SET_ERR_MSG(info->extack,
			       "no established TCP socket with this 4-tuple");
		return err;
	}
	if (res != TOA_LOOKUP_OK) {
		NL_SET_ERR_MSG(info->extack, "the socket has no TOA data");
		return -ENODATA;
	}

	msg = toa_nl_reply_new(info, TOA_CMD_LOOKUP_SOCKET, &hdr);
	if (!msg)
		return -ENOMEM;
	if (toa_nl_put_sock(msg, &c)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return toa_nl_reply_send(msg, hdr, info);
}

/* ---- family ------------------------------------------------------------ */

static const struct genl_small_ops toa_genl_ops[] = {
	{
		.cmd = TOA_CMD_GET_STATS,
		.doit = toa_nl_get_stats,
	},
	{
		/* Per-netns counters: the netns owner may reset its own. */
		.cmd = TOA_CMD_RESET_STATS,
		.doit = toa_nl_reset_stats,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TOA_CMD_GET_CONFIG,
		.doit = toa_nl_get_config,
	},
	{
		/* Global configuration: CAP_NET_ADMIN in the init userns,
		 * asked from init_net (checked in the handler).
		 */
		.cmd = TOA_CMD_SET_CONFIG,
		.doit = toa_nl_set_config,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = TOA_CMD_GET_SOCKETS,
		.dumpit = toa_nl_dump_sockets,
	},
	{
		.cmd = TOA_CMD_LOOKUP_SOCKET,
		.doit = toa_nl_lookup_socket,
	},
};

static struct genl_family toa_genl_family __ro_after_init = {
	.name = TOA_GENL_NAME,
	.version = TOA_GENL_VERSION,
	.maxattr = TOA_A_MAX,
	.policy = toa_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = toa_genl_ops,
	.n_small_ops = ARRAY_SIZE(toa_genl_ops),
	/* Every command validates strictly, reserved header field included. */
	.resv_start_op = TOA_CMD_UNSPEC,
};

int __init toa_netlink_init(void)
{
	return genl_register_family(&toa_genl_family);
}

void toa_netlink_exit(void)
{
	genl_unregister_family(&toa_genl_family);
}
