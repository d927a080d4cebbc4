// SPDX-License-Identifier: GPL-2.0
/*
 * UDP: the real client of every datagram (formats and API: include/toa/uoa.h).
 *
 * A balancer that source-NATs a UDP flow writes the client into the
 * datagrams, as an IPv4 option or in a protocol-248 wrapper, on every
 * datagram or on the first ones only. toa.ko decodes it in netfilter hooks
 * and keeps a flow map, per network namespace:
 *
 *   (balancer addr:port -> backend addr:port, as the backend sees it)
 *        -> real client, last option, last use
 *
 * which getsockopt() answers from (UOA_SO_GET_LOOKUP, DPVS's call;
 * UOA_SO_GET_FLOW; TOA_SO_GET_PEER on a connected UDP socket).
 *
 * The hooks, registered in every network namespace:
 *
 *   IPv4 PRE_ROUTING, IPv6 PRE_ROUTING  (right after defragmentation,
 *   before raw, conntrack, NAT and filter)
 *       Protocol 248 to a local address: remove the wrapper, so that
 *       everything after (conntrack, NAT, firewall rules, the socket)
 *       sees a plain UDP datagram, and record the option. Packets to other
 *       hosts are left wrapped: the backend behind this host unwraps them
 *       in its own namespace.
 *   IPv4 LOCAL_IN  (after the local NAT hooks, as DPVS's uoa)
 *       IP-option mode: record the option, keyed by the flow after any
 *       DNAT of this host, i.e. as the socket sees it. The option stays in
 *       the header for IP_RECVOPTS (libtoa decodes it there), unless toa.ko
 *       rejected it: then it is overwritten with NOPs, so that an option a
 *       socket sees has passed the allow-list. Also unwraps protocol 248
 *       that arrived fragmented (reassembled only here without conntrack).
 *   IPv4 / IPv6 FORWARD  (module parameter udp_forward)
 *       Record the options of forwarded datagrams, changing nothing.
 *
 * Mappings are refreshed by every option and every successful lookup,
 * and forgotten after udp_timeout seconds without either: lookups ignore
 * an expired mapping at once, a work item frees them every second. The
 * map holds at most udp_max_entries mappings (all namespaces together);
 * beyond that new flows are counted in udp_map_full and not recorded, and
 * their datagrams pass all the same.
 *
 * Safe rmmod: the sockopt is unregistered first (callers hold a module
 * reference), then the hooks of every namespace (nf_unregister_net_hooks
 * waits for running hooks), then the GC work is cancelled and the map
 * freed; entries unlinked before that are freed by kfree_rcu, which needs
 * no module code.
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
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/addrconf.h>
#include <net/route.h>
#include <net/netns/hash.h>
#include <net/inet_sock.h>
#include <toa/uoa.h>

#include "toa.h"

static unsigned int toa_udp_timeout = 360;
module_param_named(udp_timeout, toa_udp_timeout, uint, 0644);
MODULE_PARM_DESC(udp_timeout,
		 "seconds a UDP flow mapping lives without an option or a lookup (default 360, as DPVS)");

static unsigned int toa_udp_max_entries = 65536;
module_param_named(udp_max_entries, toa_udp_max_entries, uint, 0644);
MODULE_PARM_DESC(udp_max_entries, "most UDP flow mappings at once (default 65536)");

/*
 * The netfilter hooks put every IPv4 and IPv6 packet of every namespace
 * through nf_hook_slow(): registered only when UDP decoding is asked for,
 * so that a TCP-only node pays nothing in netfilter. Without them the
 * flow map stays empty and the UOA getsockopt calls find no flow.
 */
static bool toa_udp_enabled;
module_param_named(udp, toa_udp_enabled, bool, 0444);
MODULE_PARM_DESC(udp, "decode UDP options (UOA): netfilter hooks in every namespace (load time, default off)");

static bool toa_udp_forward;
module_param_named(udp_forward, toa_udp_forward, bool, 0444);
MODULE_PARM_DESC(udp_forward,
		 "also record UDP options of forwarded datagrams (default off)");

#define TOA_UDP_BITS	14		/* 16k buckets */
#define TOA_UDP_LOCKS	256		/* striped bucket locks */
#define TOA_UDP_GC_EVERY HZ

/* A flow as the backend sees it. Hashed without daddr: lookups may
 * leave it empty (a socket bound to INADDR_ANY does not know it).
 */
struct toa_udp_key {
	u16 family;		/* TOA_AF_INET or TOA_AF_INET6 */
	__be16 sport;		/* the balancer's port */
	__be16 dport;		/* the backend's */
	u16 pad;		/* zero: keys are compared as bytes */
	u8 saddr[16];		/* the balancer */
	u8 daddr[16];		/* the backend */
};

struct toa_udp_flow {
	struct hlist_node node;
	struct rcu_head rcu;
	possible_net_t net;
	struct toa_udp_key key;
	struct uoa_client client;
	u32 flags;		/* UOA_FLOW_F_IPOPT or _PROTO248 */
	unsigned long updated;	/* jiffies of the last option */
	unsigned long used;	/* jiffies of the last option or lookup */
};

static struct hlist_head *toa_udp_buckets;
static spinlock_t toa_udp_locks[TOA_UDP_LOCKS];
static atomic_long_t toa_udp_entries = ATOMIC_LONG_INIT(0);
static u32 toa_udp_seed __read_mostly;
static struct delayed_work toa_udp_gc_work;

long toa_udp_count(void)
{
	return atomic_long_read(&toa_udp_entries);
}

/* ---- the flow map ------------------------------------------------------ */

static unsigned long toa_udp_timeout_jiffies(void)
{
	return (unsigned long)max(READ_ONCE(toa_udp_timeout), 1U) * HZ;
}

static bool toa_udp_expired(const struct toa_udp_flow *f, unsigned long now)
{
	return time_after(now, READ_ONCE(f->used) + toa_udp_timeout_jiffies());
}

static unsigned int toa_udp_bucket(const struct net *net,
				   const struct toa_udp_key *k)
{
	u32 a[4];

	memcpy(a, k->saddr, sizeof(a));
	return jhash_3words(a[0] ^ a[1] ^ a[2] ^ a[3],
			    ((u32)ntohs(k->sport) << 16) | ntohs(k->dport),
			    net_hash_mix(net) ^ k->family, toa_udp_seed) >>
	       (32 - TOA_UDP_BITS);
}

static spinlock_t *toa_udp_lock_of(unsigned int bucket)
{
	return &toa_udp_locks[bucket % TOA_UDP_LOCKS];
}

static bool toa_udp_same_client(const struct uoa_client *a,
				const struct uoa_client *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* The entry of exactly @k in bucket @b, or NULL. Under RCU or the lock. */
static struct toa_udp_flow *toa_udp_lookup_exact(const struct net *net,
						 const struct toa_udp_key *k,
						 unsigned int b)
{
	struct toa_udp_flow *f;

	hlist_for_each_entry_rcu(f, &toa_udp_buckets[b], node, true)
		if (net_eq(read_pnet(&f->net), net) &&
		    !memcmp(&f->key, k, sizeof(*k)))
			return f;
	return NULL;
}

/* Same client again: restart the flow's timeout, in place. */
static void toa_udp_refresh(struct toa_udp_flow *f, u32 flags,
			    unsigned long now)
{
	WRITE_ONCE(f->flags, flags);
	WRITE_ONCE(f->updated, now);
	WRITE_ONCE(f->used, now);
}

/* Record @c as the client of flow @k; counts what happened. */
static void toa_udp_record(struct net *net, const struct toa_udp_key *k,
			   const struct uoa_client *c, u32 flags)
{
	unsigned int b = toa_udp_bucket(net, k);
	unsigned long now = jiffies;
	struct toa_udp_flow *f, *n, *old = NULL;
	enum toa_stat verdict;

	/* Every-packet mode repeats the same client: no lock, no allocation. */
	rcu_read_lock();
	f = toa_udp_lookup_exact(net, k, b);
	if (f && toa_udp_same_client(&f->client, c)) {
		verdict = toa_udp_expired(f, now) ? TOA_STAT_UDP_MAP_NEW :
						    TOA_STAT_UDP_MAP_UPDATE;
		toa_udp_refresh(f, flags, now);
		rcu_read_unlock();
		toa_stat_inc(net, verdict);
		return;
	}
	rcu_read_unlock();

	n = kmalloc(sizeof(*n), GFP_ATOMIC);
	if (!n) {
		toa_stat_inc(net, TOA_STAT_UDP_MAP_FULL);
		return;
	}
	write_pnet(&n->net, net);
	n->key = *k;
	n->client = *c;
	n->flags = flags;
	n->updated = now;
	n->used = now;

	spin_lock_bh(toa_udp_lock_of(b));
	f = toa_udp_lookup_exact(net, k, b);
	if (f) {
		verdict = toa_udp_expired(f, now) ? TOA_STAT_UDP_MAP_NEW :
						    TOA_STAT_UDP_MAP_UPDATE;
		if (toa_udp_same_client(&f->client, c)) {
			toa_udp_refresh(f, flags, now);	/* lost a race */
		} else {
			/* The balancer reused the flow for another client:
			 * replaced whole, so readers copy one or the other.
			 */
			hlist_replace_rcu(&f->node, &n->node);
			old = f;
			n = NULL;
		}
		spin_unlock_bh(toa_udp_lock_of(b));
		kfree(n);
		if (old)
			kfree_rcu(old, rcu);
		toa_stat_inc(net, verdict);
		return;
	}
	if (atomic_long_inc_return(&toa_udp_entries) >
	    READ_ONCE(toa_udp_max_entries)) {
		atomic_long_dec(&toa_udp_entries);
		spin_unlock_bh(toa_udp_lock_of(b));
		kfree(n);
		toa_stat_inc(net, TOA_STAT_UDP_MAP_FULL);
		return;
	}
	hlist_add_head_rcu(&n->node, &toa_udp_buckets[b]);
	spin_unlock_bh(toa_udp_lock_of(b));
	toa_stat_inc(net, TOA_STAT_UDP_MAP_NEW);
}

/*
 * The live mapping of @k (daddr all zero: any backend address), copied
 * into @out, and refreshed: a flow the application still asks about is in
 * use even when the balancer sends options only on its first datagrams.
 * Any context.
 */
static bool toa_udp_find(struct net *net, const struct toa_udp_key *k,
			 struct toa_udp_flow *out)
{
	static const u8 any[16];
	unsigned int b = toa_udp_bucket(net, k);
	bool wild = !memcmp(k->daddr, any, sizeof(any));
	unsigned long now = jiffies;
	struct toa_udp_flow *f;
	bool found = false;

	rcu_read_lock();
	hlist_for_each_entry_rcu(f, &toa_udp_buckets[b], node) {
		if (!net_eq(read_pnet(&f->net), net) ||
		    f->key.family != k->family || f->key.sport != k->sport ||
		    f->key.dport != k->dport ||
		    memcmp(f->key.saddr, k->saddr, sizeof(k->saddr)) ||
		    (!wild && memcmp(f->key.daddr, k->daddr, sizeof(k->daddr))))
			continue;
		if (toa_udp_expired(f, now))
			continue;
		out->key = f->key;
		out->client = f->client;
		out->flags = READ_ONCE(f->flags);
		out->updated = READ_ONCE(f->updated);
		out->used = READ_ONCE(f->used);
		WRITE_ONCE(f->used, now);
		found = true;
		break;
	}
	rcu_read_unlock();
	return found;
}

/*
 * Unlink the entries of @net (NULL: of every namespace), all of them or
 * (@expired_only) the expired ones, which are counted. Bucket by bucket:
 * process context, may sleep between buckets.
 */
static void toa_udp_sweep(const struct net *net, bool expired_only)
{
	struct toa_udp_flow *f;
	struct hlist_node *tmp;
	unsigned long now = jiffies;
	unsigned int i;

	for (i = 0; i < (1U << TOA_UDP_BITS); i++) {
		if (hlist_empty(&toa_udp_buckets[i]))
			goto next;
		spin_lock_bh(toa_udp_lock_of(i));
		hlist_for_each_entry_safe(f, tmp, &toa_udp_buckets[i], node) {
			if (net && !net_eq(read_pnet(&f->net), net))
				continue;
			if (expired_only && !toa_udp_expired(f, now))
				continue;
			hlist_del_rcu(&f->node);
			atomic_long_dec(&toa_udp_entries);
			/* The namespace is alive: its exit sweeps first. */
			if (expired_only)
				toa_stat_inc(read_pnet(&f->net),
					     TOA_STAT_UDP_MAP_EXPIRED);
			kfree_rcu(f, rcu);
		}
		spin_unlock_bh(toa_udp_lock_of(i));
next:
		if ((i & 1023) == 1023)
			cond_resched();
	}
}

static void toa_udp_gc(struct work_struct *work)
{
	if (atomic_long_read(&toa_udp_entries))
		toa_udp_sweep(NULL, true);
	queue_delayed_work(system_power_efficient_wq, &toa_udp_gc_work,
			   round_jiffies_relative(TOA_UDP_GC_EVERY));
}

/* ---- the packet path ---------------------------------------------------- */

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

/*
 * Judge a parsed option of flow @k and record it. Returns false when the
 * option was rejected (malformed or untrusted): a local datagram must not
 * carry it on to the socket.
 */
static bool toa_udp_accept(struct net *net, enum uoa_parse_result res,
			   const struct uoa_client *c,
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
	if (!toa_trust_allows(k->family, k->saddr)) {
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
	if (toa_udp_accept(st->net, res, &c, &k, UOA_FLOW_F_IPOPT) || !local)
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
 * wrapper (a broken one drops the packet, as the kernel would an unknown
 * protocol). Otherwise only record, changing nothing.
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
			toa_udp_accept(st->net, res, &c, &k,
				       UOA_FLOW_F_PROTO248);
		}
		return NF_ACCEPT;
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
	toa_udp_accept(st->net, res, &c, &k, UOA_FLOW_F_PROTO248);
	return NF_ACCEPT;

bad:
	if (!strip)
		return NF_ACCEPT;
drop:
	toa_stat_inc(st->net, TOA_STAT_UDP_DROP);
	return NF_DROP;
}

static unsigned int toa_udp_pre4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *st)
{
	const struct iphdr *iph = ip_hdr(skb);

	/* Fragments are reassembled before LOCAL_IN and unwrapped there. */
	if (iph->protocol != UOA_OPP_PROTO || ip_is_fragment(iph) ||
	    inet_addr_type(st->net, iph->daddr) != RTN_LOCAL)
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
}

static unsigned int toa_udp_in4(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *st)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (iph->protocol == IPPROTO_UDP && iph->ihl > 5)
		return toa_udp_ipopt(skb, st, true);
	if (iph->protocol == UOA_OPP_PROTO)
		return toa_udp_opp(skb, st, true);
	return NF_ACCEPT;
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
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	if (ip6h->nexthdr != UOA_OPP_PROTO ||
	    !ipv6_chk_addr(st->net, &ip6h->daddr, NULL, 0))
		return NF_ACCEPT;
	return toa_udp_opp(skb, st, true);
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

static int __net_init toa_udp_net_init(struct net *net)
{
	int err;

	err = nf_register_net_hooks(net, toa_udp_hooks,
				    ARRAY_SIZE(toa_udp_hooks));
	if (err || !toa_udp_forward)
		return err;
	err = nf_register_net_hooks(net, toa_udp_fwd_hooks,
				    ARRAY_SIZE(toa_udp_fwd_hooks));
	if (err)
		nf_unregister_net_hooks(net, toa_udp_hooks,
					ARRAY_SIZE(toa_udp_hooks));
	return err;
}

static void __net_exit toa_udp_net_exit(struct net *net)
{
	if (toa_udp_forward)
		nf_unregister_net_hooks(net, toa_udp_fwd_hooks,
					ARRAY_SIZE(toa_udp_fwd_hooks));
	nf_unregister_net_hooks(net, toa_udp_hooks, ARRAY_SIZE(toa_udp_hooks));
	/* No hook of this namespace runs any more: forget its flows. */
	toa_udp_sweep(net, false);
}

static struct pernet_operations toa_udp_net_ops = {
	.init = toa_udp_net_init,
	.exit = toa_udp_net_exit,
};

/* ---- getsockopt ----------------------------------------------------------- */

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

/* ---- init and exit -------------------------------------------------------- */

int toa_udp_init(void)
{
	unsigned int i;
	int err;

	BUILD_BUG_ON(UOA_SO_GET_MAX >= TOA_SO_BASE);
	toa_udp_buckets = kvcalloc(1U << TOA_UDP_BITS,
				   sizeof(*toa_udp_buckets), GFP_KERNEL);
	if (!toa_udp_buckets)
		return -ENOMEM;
	for (i = 0; i < TOA_UDP_LOCKS; i++)
		spin_lock_init(&toa_udp_locks[i]);
	toa_udp_seed = get_random_u32();
	INIT_DELAYED_WORK(&toa_udp_gc_work, toa_udp_gc);

	err = nf_register_sockopt(&toa_udp_sockopt_ops);
	if (err) {
		if (err == -EBUSY)
			pr_err("getsockopt %d..%d is taken: is DPVS's uoa loaded?\n",
			       UOA_SO_BASE, UOA_SO_GET_MAX);
		goto out_free;
	}
	if (toa_udp_enabled) {
		err = register_pernet_subsys(&toa_udp_net_ops);
		if (err)
			goto out_sockopt;
	}
	queue_delayed_work(system_power_efficient_wq, &toa_udp_gc_work,
			   round_jiffies_relative(TOA_UDP_GC_EVERY));
	return 0;

out_sockopt:
	nf_unregister_sockopt(&toa_udp_sockopt_ops);
out_free:
	kvfree(toa_udp_buckets);
	toa_udp_buckets = NULL;
	return err;
}

void toa_udp_exit(void)
{
	nf_unregister_sockopt(&toa_udp_sockopt_ops);
	/* Unregisters every namespace's hooks and forgets its flows. */
	if (toa_udp_enabled)
		unregister_pernet_subsys(&toa_udp_net_ops);
	cancel_delayed_work_sync(&toa_udp_gc_work);
	toa_udp_sweep(NULL, false);	/* nothing should be left */
	synchronize_rcu();			/* lockless readers of buckets */
	kvfree(toa_udp_buckets);
	toa_udp_buckets = NULL;
}
