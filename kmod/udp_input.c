// SPDX-License-Identifier: GPL-2.0
/*
 * UDP: the netfilter hooks that decode a balancer's UOA option (formats:
 * include/toa/uoa.h), vet it, and record the flow's client in the flow map
 * (udp_map.c). Registered in every network namespace, only with udp=1:
 * they put every IPv4 and IPv6 packet through nf_hook_slow(), which a
 * TCP-only node should not pay for.
 *
 *   PRE_ROUTING, IPv4 and IPv6  (right after defragmentation, before raw,
 *   conntrack, NAT and filter)
 *       Protocol 248 to this host (a local, broadcast or multicast
 *       address, in any VRF): remove the wrapper, so that everything after
 *       (conntrack, NAT, firewall rules, the socket) sees a plain UDP
 *       datagram, and record the option. Wrappers from untrusted senders
 *       are dropped, never unwrapped. Packets to other hosts are left
 *       wrapped: the backend behind this host unwraps them itself.
 *   LOCAL_IN, first  (before mangle and filter)
 *       Protocol 248 that PRE_ROUTING did not unwrap: IPv4 fragments
 *       (without conntrack reassembled only here), and whatever routing
 *       found local that the address check did not. So the INPUT rules
 *       never see a wrapper.
 *   LOCAL_IN, after NAT (as DPVS's uoa)
 *       IP-option mode: record the option, keyed by the flow after any
 *       DNAT of this host, i.e. as the socket sees it. The option stays in
 *       the header for IP_RECVOPTS (libtoa decodes it there), unless toa.ko
 *       rejected it: then it is overwritten with NOPs, so that an option a
 *       socket sees has passed the allow-list.
 *       Protocol-248 flows that this host DNATs (Docker -p, NodePort,
 *       REDIRECT): their option was recorded before NAT, keyed as the
 *       datagram arrived; the mapping gets the key the socket sees too.
 *   FORWARD, IPv4 and IPv6  (module parameter udp_forward)
 *       Record the options of forwarded datagrams, changing nothing.
 *
 * IPv6 fragments of a wrapper: IPv6 reassembles after LOCAL_IN (the
 * fragment header is an upper layer to it), where a whole wrapper would
 * meet no protocol 248 and be dropped. So with udp=1 toa.ko enables
 * nf_defrag_ipv6 in every namespace, as conntrack does: fragments are
 * whole at PRE_ROUTING, before the unwrapping hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <toa/uoa.h>

#include "toa.h"
#include "udp.h"

static bool toa_udp_enabled;
module_param_named(udp, toa_udp_enabled, bool, 0444);
MODULE_PARM_DESC(udp, "decode UDP options (UOA): netfilter hooks in every namespace (load time, default off)");

static bool toa_udp_forward;
module_param_named(udp_forward, toa_udp_forward, bool, 0444);
MODULE_PARM_DESC(udp_forward,
		 "also record UDP options of forwarded datagrams (default off)");

unsigned int toa_udp_net_id __read_mostly;

static void toa_udp_key_of(const struct sk_buff *skb, u8 pf,
			   const struct udphdr *uh, struct toa_udp_key *k)
{
	memset(k, 0, sizeof(*k));
	k->sport = uh->source;
	k->dport = uh->dest;
	if (pf == NFPROTO_IPV4) {
		k->family = TOA_AF_INET;
		memcpy(k->saddr, &ip_hdr(skb)->saddr, 4);
		memcpy(k->daddr, &ip_hdr(skb)->daddr, 4);
	} else {
		k->family = TOA_AF_INET6;
		memcpy(k->saddr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(k->daddr, &ipv6_hdr(skb)->daddr, 16);
	}
}

/* Is the datagram's sender (the balancer) on the trusted list? */
static bool toa_udp_src_trusted(const struct sk_buff *skb, bool v4)
{
	if (v4)
		return toa_trust_allows(TOA_AF_INET,
					(const u8 *)&ip_hdr(skb)->saddr);
	return toa_trust_allows(TOA_AF_INET6,
				(const u8 *)&ipv6_hdr(skb)->saddr);
}

/*
 * Judge a parsed option of flow @k, whose sender is @trusted, and record
 * it. Returns false when the option was rejected (malformed or untrusted):
 * a local datagram must not carry it on to the socket.
 */
static bool toa_udp_accept(struct net *net, enum uoa_parse_result res,
			   bool trusted, const struct uoa_client *c,
			   const struct toa_udp_key *k, u32 flags)
{
	switch (res) {
	case UOA_PARSE_NONE:
		return true;
	case UOA_PARSE_MALFORMED:
		toa_stat_inc(net, TOA_STAT_UDP_OPT_MALFORMED);
		return false;
	case UOA_PARSE_FOUND:
		break;
	}
	toa_stat_inc(net, TOA_STAT_UDP_OPT_SEEN);
	if (!trusted) {
		toa_stat_inc(net, TOA_STAT_UDP_OPT_UNTRUSTED);
		return false;
	}
	if (!READ_ONCE(toa_cfg.enabled)) {
		/* paused: toa.ko does nothing but count */
		toa_stat_inc(net, TOA_STAT_UDP_OPT_PAUSED);
		return true;
	}
	toa_udp_record(net, k, c, flags);
	return true;
}

/*
 * IP-option mode. @local: the datagram is for this host; a rejected option
 * is then overwritten with NOPs (the socket may read the header through
 * IP_RECVOPTS). Returns NF_DROP only when that is impossible.
 */
static unsigned int toa_udp_ipopt(struct sk_buff *skb,
				  const struct nf_hook_state *st, bool local)
{
	unsigned int ihl = ip_hdrlen(skb);
	enum uoa_parse_result res;
	const struct udphdr *uh;
	struct udphdr _uh;
	struct uoa_client c;
	struct toa_udp_key k;
	struct iphdr *iph;

	/* ip_rcv() pulled the whole header into the linear area */
	res = uoa_parse_options((const u8 *)(ip_hdr(skb) + 1),
				ihl - sizeof(struct iphdr), &c);
	if (res == UOA_PARSE_NONE)
		return NF_ACCEPT;
	uh = skb_header_pointer(skb, ihl, sizeof(_uh), &_uh);
	if (!uh)
		return NF_ACCEPT;	/* truncated: UDP drops it */
	toa_udp_key_of(skb, st->pf, uh, &k);
	if (toa_udp_accept(st->net, res, toa_udp_src_trusted(skb, true), &c,
			   &k, UOA_FLOW_F_IPOPT) || !local)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, ihl)) {
		toa_stat_inc(st->net, TOA_STAT_UDP_DROP);
		return NF_DROP;
	}
	iph = ip_hdr(skb);
	/*
	 * Every option 31, not only the one the parser stopped at: a second
	 * one (a forged option beside the balancer's, or after a rejected
	 * one) would otherwise reach IP_RECVOPTS readers unchecked.
	 */
	uoa_blank_options((u8 *)(iph + 1), ihl - sizeof(struct iphdr));
	/* The header still sums to zero: a CHECKSUM_COMPLETE csum holds. */
	ip_send_check(iph);
	return NF_ACCEPT;
}

/*
 * Remove the @len bytes after the network header (@nhlen bytes, at
 * skb->data): the headers move forward over them, the UDP datagram stays
 * where it is. The link-layer header moves along, as VLAN untagging does,
 * so nothing downstream finds a gap between it and the IP header.
 */
static int toa_udp_strip(struct sk_buff *skb, unsigned int nhlen,
			 unsigned int len)
{
	unsigned int mac_len = 0;
	u8 *from;

	if (skb_network_offset(skb) ||
	    skb_ensure_writable(skb, nhlen + len + sizeof(struct udphdr)))
		return -ENOMEM;
	if (skb_mac_header_was_set(skb) &&
	    skb->mac_header <= skb->network_header &&
	    skb->network_header - skb->mac_header <= skb_headroom(skb))
		mac_len = skb->network_header - skb->mac_header;
	from = skb_network_header(skb) - mac_len;
	memmove(from + len, from, mac_len + nhlen);
	__skb_pull(skb, len);
	skb_reset_network_header(skb);
	if (mac_len)
		skb->mac_header += len;
	skb_set_transport_header(skb, nhlen);
	/*
	 * A device's CHECKSUM_COMPLETE sum covered the removed bytes, and no
	 * device can have checked a UDP checksum inside protocol 248: the
	 * caller verifies it. A local sender's CHECKSUM_PARTIAL stays valid:
	 * the UDP datagram did not move.
	 */
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/* After the strip: a UDP header, a length and a checksum that all fit. */
static bool toa_udp_inner_ok(struct sk_buff *skb,
			     const struct nf_hook_state *st,
			     unsigned int nhlen)
{
	const struct udphdr *uh = udp_hdr(skb);

	if (ntohs(uh->len) != skb->len - nhlen)
		return false;
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return true;	/* a local sender's: not computed yet */
	if (st->pf == NFPROTO_IPV4 && !uh->check)
		return true;	/* IPv4 UDP without a checksum */
	/* Leaves the skb CHECKSUM_COMPLETE and valid: UDP will not redo it. */
	return !nf_checksum(skb, st->hook, nhlen, IPPROTO_UDP, st->pf);
}

/*
 * Protocol-248 mode. @strip: the datagram is for this host: remove the
 * wrapper (a broken one, or one from an untrusted sender, drops the
 * packet, as the kernel would an unknown protocol). Otherwise only
 * record, changing nothing.
 */
static unsigned int toa_udp_opp(struct sk_buff *skb,
				const struct nf_hook_state *st, bool strip)
{
	bool v4 = st->pf == NFPROTO_IPV4;
	unsigned int nhlen = v4 ? ip_hdrlen(skb) : sizeof(struct ipv6hdr);
	unsigned int avail = skb->len - nhlen;
	u8 buf[UOA_OPP_MAX_LEN];
	enum uoa_parse_result res;
	const struct udphdr *uh;
	struct udphdr _uh;
	struct uoa_client c;
	struct toa_udp_key k;
	struct uoa_opp opp;
	const u8 *w;

	w = skb_header_pointer(skb, nhlen, min_t(unsigned int, avail,
						 sizeof(buf)), buf);
	if (!w || uoa_parse_opp(w, avail, &opp) != UOA_OPP_OK) {
		toa_stat_inc(st->net, TOA_STAT_UDP_OPT_MALFORMED);
		goto bad;
	}
	res = uoa_parse_options(w + UOA_OPP_HDR_LEN,
				opp.length - UOA_OPP_HDR_LEN, &c);
	if (!strip) {
		uh = skb_header_pointer(skb, nhlen + opp.length, sizeof(_uh),
					&_uh);
		if (uh) {
			toa_udp_key_of(skb, st->pf, uh, &k);
			toa_udp_accept(st->net, res,
				       toa_udp_src_trusted(skb, v4), &c, &k,
				       UOA_FLOW_F_PROTO248);
		}
		return NF_ACCEPT;
	}

	/*
	 * Only a trusted balancer's wrapper is removed. Anyone else's is
	 * dropped whole, as the kernel drops an unknown protocol: unwrapped,
	 * it would carry a datagram past rules written for protocol 248, and
	 * its option into the application's view of the header.
	 */
	if (!toa_udp_src_trusted(skb, v4)) {
		if (res == UOA_PARSE_FOUND)
			toa_stat_inc(st->net, TOA_STAT_UDP_OPT_SEEN);
		toa_stat_inc(st->net, TOA_STAT_UDP_OPT_UNTRUSTED);
		goto drop;
	}
	if (toa_udp_strip(skb, nhlen, opp.length))
		goto drop;
	if (v4) {
		struct iphdr *iph = ip_hdr(skb);

		iph->protocol = IPPROTO_UDP;
		iph->tot_len = htons(ntohs(iph->tot_len) - opp.length);
		ip_send_check(iph);
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		ip6h->nexthdr = IPPROTO_UDP;
		ip6h->payload_len = htons(ntohs(ip6h->payload_len) -
					  opp.length);
	}
	if (!toa_udp_inner_ok(skb, st, nhlen)) {
		/* the wrapper's length lied, or the datagram is corrupt */
		toa_stat_inc(st->net, TOA_STAT_UDP_OPT_MALFORMED);
		goto drop;
	}
	toa_stat_inc(st->net, TOA_STAT_UDP_UNWRAPPED);
	toa_udp_key_of(skb, st->pf, udp_hdr(skb), &k);
	/* the sender was found trusted above: the wrapper is gone */
	toa_udp_accept(st->net, res, true, &c, &k, UOA_FLOW_F_PROTO248);
	return NF_ACCEPT;

bad:
	if (!strip)
		return NF_ACCEPT;
drop:
	toa_stat_inc(st->net, TOA_STAT_UDP_DROP);
	return NF_DROP;
}

/*
 * PRE_ROUTING comes before routing: whether the datagram is for this host
 * is asked of the table its device belongs to (a VRF's own, or main).
 */
static bool toa_udp_for_us4(const struct sk_buff *skb,
			    const struct nf_hook_state *st)
{
	switch (inet_addr_type_dev_table(st->net, skb->dev,
					 ip_hdr(skb)->daddr)) {
	case RTN_LOCAL:
	case RTN_BROADCAST:
	case RTN_MULTICAST:
		return true;
	default:
		return false;
	}
}

static bool toa_udp_for_us6(const struct sk_buff *skb,
			    const struct nf_hook_state *st)
{
	const struct in6_addr *daddr = &ipv6_hdr(skb)->daddr;

	return ipv6_addr_is_multicast(daddr) ||
	       ipv6_chk_addr(st->net, daddr, NULL, 0);
}

/*
 * A protocol-248 option is recorded at PRE_ROUTING, before this host's
 * own DNAT, keyed as the datagram arrived. The socket sees the flow after
 * it and asks with that key: give the mapping the conntrack entry's NAT'd
 * key too. Both then live (and expire) side by side.
 */
static void toa_udp_follow_dnat(struct sk_buff *skb,
				const struct nf_hook_state *st,
				unsigned int nhlen)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	struct toa_udp_key pre, post;
	struct toa_udp_flow f, g;
	const struct udphdr *uh;
	struct udphdr _uh;
	struct nf_conn *ct;

	if (!toa_udp_net_flows(st->net))
		return;		/* nothing recorded in this namespace */
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL ||
	    !test_bit(IPS_DST_NAT_BIT, &ct->status))
		return;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	uh = skb_header_pointer(skb, nhlen, sizeof(_uh), &_uh);
	if (!uh || t->dst.protonum != IPPROTO_UDP)
		return;
	toa_udp_key_of(skb, st->pf, uh, &post);
	pre = post;
	pre.sport = t->src.u.udp.port;
	pre.dport = t->dst.u.udp.port;
	memset(pre.saddr, 0, sizeof(pre.saddr));
	memset(pre.daddr, 0, sizeof(pre.daddr));
	memcpy(pre.saddr, &t->src.u3, pre.family == TOA_AF_INET ? 4 : 16);
	memcpy(pre.daddr, &t->dst.u3, pre.family == TOA_AF_INET ? 4 : 16);
	if (!memcmp(&pre, &post, sizeof(pre)) ||
	    !toa_udp_find(st->net, &pre, &f))
		return;
	if (toa_udp_find(st->net, &post, &g) &&
	    toa_udp_same_client(&g.client, &f.client))
		return;		/* mapped already (and now refreshed) */
	toa_udp_record(st->net, &post, &f.client, f.flags);
#endif
}

static unsigned int toa_udp_pre4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	const struct iphdr *iph = ip_hdr(skb);

	/* Fragments are reassembled before LOCAL_IN and unwrapped there. */
	if (iph->protocol != UOA_OPP_PROTO || ip_is_fragment(iph) ||
	    !toa_udp_for_us4(skb, st))
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
}

static unsigned int toa_udp_unwrap_in4(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *st)
{
	if (ip_hdr(skb)->protocol != UOA_OPP_PROTO)
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
}

static unsigned int toa_udp_in4(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *st)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int verdict = NF_ACCEPT;

	if (iph->protocol != IPPROTO_UDP)
		return NF_ACCEPT;
	if (iph->ihl > 5)
		verdict = toa_udp_ipopt(skb, st, true);
	if (verdict == NF_ACCEPT)
		toa_udp_follow_dnat(skb, st, ip_hdrlen(skb));
	return verdict;
}

static unsigned int toa_udp_fwd4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (ip_is_fragment(iph))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_UDP && iph->ihl > 5)
		return toa_udp_ipopt(skb, st, false);
	if (iph->protocol == UOA_OPP_PROTO)
		return toa_udp_opp(skb, st, false);
	return NF_ACCEPT;
}

/* IPv6: protocol 248 right after the fixed header (as DPVS sends it). */
static unsigned int toa_udp_pre6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	if (ipv6_hdr(skb)->nexthdr != UOA_OPP_PROTO ||
	    !toa_udp_for_us6(skb, st))
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
}

static unsigned int toa_udp_unwrap_in6(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *st)
{
	if (ipv6_hdr(skb)->nexthdr != UOA_OPP_PROTO)
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
}

static unsigned int toa_udp_in6(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *st)
{
	if (ipv6_hdr(skb)->nexthdr == IPPROTO_UDP)
		toa_udp_follow_dnat(skb, st, sizeof(struct ipv6hdr));
	return NF_ACCEPT;
}

static unsigned int toa_udp_fwd6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	if (ipv6_hdr(skb)->nexthdr != UOA_OPP_PROTO)
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, false);
}

static const struct nf_hook_ops toa_udp_hooks[] = {
	{
		.hook = toa_udp_pre4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook = toa_udp_unwrap_in4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook = toa_udp_in4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_NAT_SRC + 1,
	},
	{
		.hook = toa_udp_pre6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook = toa_udp_unwrap_in6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook = toa_udp_in6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP6_PRI_NAT_SRC + 1,
	},
};

static const struct nf_hook_ops toa_udp_fwd_hooks[] = {
	{
		.hook = toa_udp_fwd4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER - 1,
	},
	{
		.hook = toa_udp_fwd6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
};

/*
 * nf_defrag_ipv6's per-namespace switch, looked up by name (symbol_get()):
 * a link to it would make insmod of toa.ko fail wherever nf_defrag_ipv6
 * is not loaded yet. NULL where it is not available: fragmented IPv6
 * wrappers are then unwrapped only where conntrack runs.
 */
static int (*toa_defrag6_enable)(struct net *net);
static void (*toa_defrag6_disable)(struct net *net);

static void toa_udp_defrag6_get(void)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	toa_defrag6_enable = symbol_request(nf_defrag_ipv6_enable);
	toa_defrag6_disable = symbol_get(nf_defrag_ipv6_disable);
	if (toa_defrag6_enable && toa_defrag6_disable)
		return;
	if (toa_defrag6_enable)
		symbol_put(nf_defrag_ipv6_enable);
	if (toa_defrag6_disable)
		symbol_put(nf_defrag_ipv6_disable);
	toa_defrag6_enable = NULL;
	toa_defrag6_disable = NULL;
#endif
	pr_warn("udp: nf_defrag_ipv6 unavailable: fragmented IPv6 wrappers are unwrapped only where conntrack runs\n");
}

static void toa_udp_defrag6_put(void)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	if (!toa_defrag6_enable)
		return;
	symbol_put(nf_defrag_ipv6_enable);
	symbol_put(nf_defrag_ipv6_disable);
	toa_defrag6_enable = NULL;
	toa_defrag6_disable = NULL;
#endif
}

static int __net_init toa_udp_net_init(struct net *net)
{
	struct toa_udp_net *un = toa_udp_net(net);
	int err;

	atomic_set(&un->flows, 0);
	un->defrag6 = false;
	err = nf_register_net_hooks(net, toa_udp_hooks,
				    ARRAY_SIZE(toa_udp_hooks));
	if (err)
		return err;
	if (toa_udp_forward) {
		err = nf_register_net_hooks(net, toa_udp_fwd_hooks,
					    ARRAY_SIZE(toa_udp_fwd_hooks));
		if (err) {
			nf_unregister_net_hooks(net, toa_udp_hooks,
						ARRAY_SIZE(toa_udp_hooks));
			return err;
		}
	}
	/* Not fatal: only fragmented IPv6 wrappers depend on it. */
	if (toa_defrag6_enable) {
		un->defrag6 = !toa_defrag6_enable(net);
		if (!un->defrag6)
			pr_warn_once("udp: nf_defrag_ipv6 not enabled in a namespace: its fragmented IPv6 wrappers are lost\n");
	}
	return 0;
}

static void __net_exit toa_udp_net_exit(struct net *net)
{
	if (toa_udp_net(net)->defrag6)
		toa_defrag6_disable(net);
	if (toa_udp_forward)
		nf_unregister_net_hooks(net, toa_udp_fwd_hooks,
					ARRAY_SIZE(toa_udp_fwd_hooks));
	nf_unregister_net_hooks(net, toa_udp_hooks, ARRAY_SIZE(toa_udp_hooks));
	/* No hook of this namespace runs any more: forget its flows. */
	toa_udp_forget_net(net);
}

static struct pernet_operations toa_udp_net_ops = {
	.init = toa_udp_net_init,
	.exit = toa_udp_net_exit,
	.id = &toa_udp_net_id,
	.size = sizeof(struct toa_udp_net),
};

int toa_udp_input_init(void)
{
	int err;

	if (!toa_udp_enabled)
		return 0;
	toa_udp_defrag6_get();
	err = register_pernet_subsys(&toa_udp_net_ops);
	if (err)
		toa_udp_defrag6_put();
	return err;
}

/* Unregisters every namespace's hooks (nf_unregister_net_hooks waits for
 * the running ones) and forgets its flows.
 */
void toa_udp_input_exit(void)
{
	if (!toa_udp_enabled)
		return;
	unregister_pernet_subsys(&toa_udp_net_ops);
	toa_udp_defrag6_put();
}
