// SPDX-License-Identifier: GPL-2.0
/*
 * toa.bpf.c - TOA without a kernel module: the same features as toa.ko for
 * the sockets of one cgroup, from cgroup BPF programs.
 *
 *   packet that completes the handshake
 *      └─> toa_sockops (BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB): copy the TCP
 *          options, toa_bpf_walk_step() under bpf_loop() (<toa/bpf.h>, on top of
 *          <toa/wire.h>'s formats and address rules), trust (LPM tries),
 *          store in toa_sk (sk_storage: the kernel frees it with the socket)
 *   accept() / getpeername()
 *      └─> toa_getpeername4 / toa_getpeername6: the client instead of the
 *          balancer, if the socket's peer still is the balancer
 *   getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP / TOA_SO_GET_PEER)
 *      └─> toa_getsockopt: toa.ko's answers (<toa/sockopt.h>), when the
 *          kernel itself had none (no module: ENOPROTOOPT)
 *
 * Maps, pins and the counters: include/toa/bpf.h. The programs only run for
 * sockets created by processes of the cgroup they are attached to (a
 * child socket belongs to its listener's cgroup).
 */
#include "vmlinux.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include <toa/bpf.h>
#include <toa/sockopt.h>
#include <toa/stats.h>

/* Not in vmlinux.h: macros of the kernel's headers. */
#define AF_INET		2
#define AF_INET6	10
#define SOL_IP		0
#define ENOPROTOOPT	92
#define EINVAL		22
#define ENOTCONN	107

/*
 * The layouts userspace reads, as clang lays them out for BPF (bpf_test.cpp
 * checks the host compiler's side): the kernel's BUILD_BUG_ON(), a
 * negative array size when @cond holds.
 */
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))

static __always_inline void layout_checks(void)
{
	BUILD_BUG_ON(sizeof(struct toa_bpf_entry) != TOA_BPF_ENTRY_SIZE);
	BUILD_BUG_ON(sizeof(struct toa_bpf_conn) != TOA_BPF_CONN_SIZE);
	BUILD_BUG_ON(sizeof(struct toa_peer_info) != TOA_PEER_INFO_SIZE_V1);
	BUILD_BUG_ON(sizeof(struct toa_nat64_peer) != TOA_NAT64_PEER_SIZE);
	BUILD_BUG_ON(TOA_AF_INET != AF_INET || TOA_AF_INET6 != AF_INET6);
	/* balancer_is() and the copies out read the addresses as words */
	BUILD_BUG_ON(__builtin_offsetof(struct toa_bpf_entry, balancer.addr) % 4 ||
		     __builtin_offsetof(struct toa_bpf_entry, client.addr) % 4);
}

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct toa_bpf_entry);
} toa_sk SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct toa_bpf_config);
} toa_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TOA_BPF_TRUST_MAX);
	__type(key, struct toa_bpf_trust4_key);
	__type(value, __u8);
} toa_trust4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, TOA_BPF_TRUST_MAX);
	__type(key, struct toa_bpf_trust6_key);
	__type(value, __u8);
} toa_trust6 SEC(".maps");

/*
 * The option walk's state lives in a per-CPU map value, not on the stack.
 * Before 6.8 the verifier checked a bpf_loop() callback once, with the
 * caller's stack as it was at the call (no option found yet, position 0),
 * and removed the branches that state made unreachable: the refusal of a
 * second TOA option among them (seen on 6.1, where the first one was then
 * used). It knows nothing of a map value's contents, so every branch stays.
 *
 * Two walks per CPU: a handshake handled in process context (a listener's
 * backlog, run by release_sock() with softirqs enabled) can be interrupted
 * by one handled in softirq on the same CPU; nothing nests deeper.
 * @depth picks the walk; the interrupting run ends before the interrupted
 * one goes on, so plain increments are enough.
 */
struct toa_bpf_walks {
	struct toa_bpf_walk walk[2];
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct toa_bpf_walks);
} toa_walks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TOA_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} toa_stats SEC(".maps");

static __always_inline void stat_add(__u32 id, __s64 n)
{
	__u64 *v = bpf_map_lookup_elem(&toa_stats, &id);

	if (v)
		*v += n;	/* per-CPU: no other writer */
}

static __always_inline void stat_inc(__u32 id)
{
	stat_add(id, 1);
}

static __always_inline const struct toa_bpf_config *get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&toa_config, &zero);
}

static __always_inline int is_v4mapped(const __u32 ip6[4])
{
	return ip6[0] == 0 && ip6[1] == 0 && ip6[2] == bpf_htonl(0xffff);
}

/*
 * An address as the toa structures hold it: an IPv4 peer of a dual-stack
 * socket (::ffff:a.b.c.d) is TOA_AF_INET, as toa.ko records it from the
 * packet's own family.
 */
static __always_inline void addr_from(struct toa_addr *a, __u32 family,
				      __u32 ip4, const __u32 ip6[4],
				      __u16 port_be)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->port = port_be;
	if (family == AF_INET6 && !is_v4mapped(ip6)) {
		a->family = TOA_AF_INET6;
		__builtin_memcpy(a->addr, ip6, 16);
		return;
	}
	a->family = TOA_AF_INET;
	if (family == AF_INET6)
		ip4 = ip6[3];
	__builtin_memcpy(a->addr, &ip4, 4);
}

/* memcmp: clang has no BPF library to call */
static __always_inline int addr_equal(const struct toa_addr *a,
				      const struct toa_addr *b)
{
	int k;

	if (a->family != b->family || a->port != b->port)
		return 0;
	for (k = 0; k < 16; k++)
		if (a->addr[k] != b->addr[k])
			return 0;
	return 1;
}

/*
 * Whether @e's balancer is the peer @ip (IPv4: @ip[0] alone), @port: in
 * 32-bit compares, the address being at a 4-byte offset of an 8-byte
 * aligned map value (layout_checks()). getpeername's test, on every call.
 */
static __always_inline int balancer_is(const struct toa_bpf_entry *e,
				       __u16 family, const __u32 ip[4],
				       __u16 port_be)
{
	const __u32 *b = (const __u32 *)e->balancer.addr;

	if (e->balancer.family != family || e->balancer.port != port_be ||
	    b[0] != ip[0])
		return 0;
	return family == TOA_AF_INET ||
	       (b[1] == ip[1] && b[2] == ip[2] && b[3] == ip[3]);
}

static __always_inline int trusted(const struct toa_bpf_config *cfg,
				   const struct toa_addr *bal)
{
	if (!cfg->trusted)
		return 1;		/* empty list: trust every sender */
	if (bal->family == TOA_AF_INET) {
		struct toa_bpf_trust4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, bal->addr, 4);
		return !!bpf_map_lookup_elem(&toa_trust4, &k);
	}
	struct toa_bpf_trust6_key k6 = { .prefixlen = 128 };

	__builtin_memcpy(k6.addr, bal->addr, 16);
	return !!bpf_map_lookup_elem(&toa_trust6, &k6);
}

/* ---- the passive open -------------------------------------------------- */

/* bpf_loop()'s context must be on the stack: it points to the walk. */
struct toa_bpf_walk_ref {
	struct toa_bpf_walk *walk;
};

static long walk_cb(__u32 index, void *ctx)
{
	struct toa_bpf_walk_ref *ref = ctx;

	(void)index;	/* the walk keeps its own position */
	return toa_bpf_walk_step(ref->walk);
}

/* What happened to a handshake segment: the counter of its socket. */
static __always_inline void count_open(__u32 verdict)
{
	stat_inc(verdict);
	if (verdict != TOA_STAT_SYN_RECV_SOCK_TOA)
		stat_inc(TOA_STAT_SYN_RECV_SOCK_NO_TOA);
}

/*
 * The TCP options of skops's segment, walked in @w: parse, trust, store.
 * Returns the parse result; all but NONE are counted here.
 */
static __always_inline int parse_segment(struct bpf_sock_ops *skops,
					 const struct toa_bpf_config *cfg,
					 struct toa_bpf_walk *w)
{
	struct toa_bpf_walk_ref ref;
	struct toa_bpf_entry *stored;
	struct toa_bpf_entry e = {};
	struct bpf_sock *sk;
	void *data, *end;
	unsigned int k, optlen;
	struct tcphdr *th;
	__u32 ip6[4];

	/* skb_data..skb_data_end: the segment's TCP header */
	data = (void *)(long)skops->skb_data;
	end = (void *)(long)skops->skb_data_end;
	th = data;
	if (data + sizeof(*th) > end)
		return TOA_PARSE_NONE;
	/* the option space ends where the header says (never payload) */
	optlen = th->doff * 4 > sizeof(*th) ? th->doff * 4 - sizeof(*th) : 0;
	w->i = 0;
	w->result = TOA_PARSE_NONE;
	/* A word at a time: the option space is whole 32-bit words (doff
	 * counts them), a quarter of a byte loop's instructions.
	 */
	for (k = 0; k < TOA_TCP_MAX_OPTION_SPACE; k += 4) {
		__u32 *p = (__u32 *)((__u8 *)data + sizeof(*th) + k);

		if (k >= optlen || (void *)(p + 1) > end)
			break;
		__builtin_memcpy(&w->opt[k], p, 4);
	}
	w->len = k;
	w->mask = cfg->formats;
	ref.walk = w;
	bpf_loop(TOA_BPF_WALK_STEPS, walk_cb, &ref, 0);
	if (w->result == TOA_PARSE_MALFORMED) {
		count_open(TOA_STAT_OPT_MALFORMED);
		return TOA_PARSE_MALFORMED;
	}
	if (w->result != TOA_PARSE_FOUND)
		return TOA_PARSE_NONE;
	stat_inc(TOA_STAT_OPT_SEEN);
	/* one 4-byte load each: the only size the context allows */
	ip6[0] = skops->remote_ip6[0];
	ip6[1] = skops->remote_ip6[1];
	ip6[2] = skops->remote_ip6[2];
	ip6[3] = skops->remote_ip6[3];
	/* remote_port holds the network-order port in its upper 16 bits on
	 * little-endian hosts (a historical quirk): ntohl gives host order
	 * on either byte order
	 */
	addr_from(&e.balancer, skops->family, skops->remote_ip4, ip6,
		  bpf_htons(bpf_ntohl(skops->remote_port)));
	if (!trusted(cfg, &e.balancer)) {
		count_open(TOA_STAT_OPT_UNTRUSTED);
		return TOA_PARSE_FOUND;
	}
	if (!cfg->enabled) {
		count_open(TOA_STAT_OPT_PAUSED);
		return TOA_PARSE_FOUND;
	}
	e.client.family = w->client.family;
	e.client.port = w->client.port;
	__builtin_memcpy(e.client.addr, w->client.addr, 16);
	e.format = w->client.format;
	e.created_ns = bpf_ktime_get_boot_ns();
	sk = skops->sk;
	stored = sk ? bpf_sk_storage_get(&toa_sk, sk, 0,
					 BPF_SK_STORAGE_GET_F_CREATE) : NULL;
	if (!stored) {
		count_open(TOA_STAT_STORE_FAIL);
		return TOA_PARSE_FOUND;
	}
	__builtin_memcpy(stored, &e, sizeof(e));
	count_open(TOA_STAT_SYN_RECV_SOCK_TOA);
	if (cfg->track_close) {
		/* no iterator to count with: follow the socket to its close
		 * to keep store_in_use a gauge (toa_bpf_config)
		 */
		stat_inc(TOA_STAT_STORE_IN_USE);
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
						 BPF_SOCK_OPS_STATE_CB_FLAG);
	}
	return TOA_PARSE_FOUND;
}

/* The walk for this run's depth, then parse_segment(). */
static __always_inline int handle_segment(struct bpf_sock_ops *skops)
{
	const struct toa_bpf_config *cfg = get_config();
	struct toa_bpf_walks *walks;
	__u32 zero = 0, depth;
	int ret;

	walks = bpf_map_lookup_elem(&toa_walks, &zero);
	if (!cfg || !walks)
		return TOA_PARSE_NONE;
	depth = walks->depth;
	if (depth > 1)
		return TOA_PARSE_NONE;	/* cannot happen (see toa_walks) */
	walks->depth = depth + 1;
	ret = parse_segment(skops, cfg, &walks->walk[depth]);
	walks->depth = depth;
	return ret;
}

/*
 * Not handled here (README): with two CPUs, the handshake ACK (with the
 * option) and the first data segment (without) can reach the half-open
 * connection at once; when the data segment wins, the kernel hands the
 * ACK to the new socket as an old segment and drops it before any
 * sock_ops callback sees it. toa.ko recovers that option (opt_raced); here
 * it is lost unless the balancer also writes the first data segment, as
 * DPVS does.
 */
static __always_inline void passive_open(struct bpf_sock_ops *skops)
{
	if (handle_segment(skops) == TOA_PARSE_NONE)
		stat_inc(TOA_STAT_SYN_RECV_SOCK_NO_TOA);
}

SEC("sockops")
int toa_sockops(struct bpf_sock_ops *skops)
{
	struct toa_bpf_entry *e;
	struct bpf_sock *sk;

	layout_checks();
	switch (skops->op) {
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		/* skb: the segment that completed the handshake (the third
		 * ACK, the first data segment when that ACK was lost, or the
		 * SYN-cookie ACK)
		 */
		passive_open(skops);
		break;
	case BPF_SOCK_OPS_STATE_CB:
		/* Only with track_close (parse_segment() asks for it).
		 * args[1]: the new state. The entry stays until the kernel
		 * frees the socket: accept() still answers for a connection
		 * reset while it waited in the queue, as with toa.ko.
		 */
		if (skops->args[1] != BPF_TCP_CLOSE)
			break;
		sk = skops->sk;
		e = sk ? bpf_sk_storage_get(&toa_sk, sk, 0, 0) : NULL;
		if (e && !e->closed) {
			e->closed = 1;
			stat_add(TOA_STAT_STORE_IN_USE, -1);
		}
		break;
	}
	return 1;
}

/* ---- getpeername ------------------------------------------------------- */

/*
 * The entry of @sk, or NULL (counted as a bypass when @getname: the
 * getpeername programs; getsockopt has its own counters).
 */
static __always_inline struct toa_bpf_entry *stored_entry(struct bpf_sock *sk,
							  int getname)
{
	struct toa_bpf_entry *e;

	if (!sk)
		return NULL;
	e = bpf_sk_storage_get(&toa_sk, sk, 0, 0);
	if (!e && getname)
		stat_inc(TOA_STAT_GETNAME_TOA_BYPASS);
	return e;
}

/*
 * getsockopt's entry of @sk: only if the socket's peer still is the
 * balancer recorded at the handshake (as toa.ko's TOA_LOOKUP_OK).
 */
static __always_inline struct toa_bpf_entry *
lookup(struct bpf_sock *sk, const struct toa_addr *peer)
{
	struct toa_bpf_entry *e = stored_entry(sk, 0);

	return e && addr_equal(&e->balancer, peer) ? e : NULL;
}

/*
 * The storage first, the peer's address after: most sockets have no
 * entry, and their getpeername() costs one helper call (bench/README.md).
 */
SEC("cgroup/getpeername4")
int toa_getpeername4(struct bpf_sock_addr *ctx)
{
	struct toa_bpf_entry *e;
	__u32 ip[4] = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 1;
	e = stored_entry(ctx->sk, 1);
	if (!e)
		return 1;
	ip[0] = ctx->user_ip4;
	if (!balancer_is(e, TOA_AF_INET, ip, (__u16)ctx->user_port)) {
		stat_inc(TOA_STAT_GETNAME_TOA_MISMATCH);
		return 1;
	}
	if (e->client.family != TOA_AF_INET) {
		/* NAT64: an IPv6 client does not fit a sockaddr_in */
		stat_inc(TOA_STAT_GETNAME_TOA_NAT64);
		return 1;
	}
	ctx->user_ip4 = *(const __u32 *)e->client.addr;
	ctx->user_port = e->client.port;
	stat_inc(TOA_STAT_GETNAME_TOA_OK);
	return 1;
}

SEC("cgroup/getpeername6")
int toa_getpeername6(struct bpf_sock_addr *ctx)
{
	const __u32 *c;
	struct toa_bpf_entry *e;
	__u32 ip6[4], a[4];
	int same;

	if (ctx->protocol != IPPROTO_TCP)
		return 1;
	e = stored_entry(ctx->sk, 1);
	if (!e)
		return 1;
	ip6[0] = ctx->user_ip6[0];
	ip6[1] = ctx->user_ip6[1];
	ip6[2] = ctx->user_ip6[2];
	ip6[3] = ctx->user_ip6[3];
	if (is_v4mapped(ip6)) {
		/* an IPv4 balancer on a dual-stack socket (as addr_from()) */
		ip6[0] = ip6[3];
		same = balancer_is(e, TOA_AF_INET, ip6, (__u16)ctx->user_port);
	} else {
		same = balancer_is(e, TOA_AF_INET6, ip6, (__u16)ctx->user_port);
	}
	if (!same) {
		stat_inc(TOA_STAT_GETNAME_TOA_MISMATCH);
		return 1;
	}
	c = (const __u32 *)e->client.addr;
	if (e->client.family == TOA_AF_INET) {
		/* dual-stack socket: ::ffff:a.b.c.d */
		a[0] = 0;
		a[1] = 0;
		a[2] = bpf_htonl(0xffff);
		a[3] = c[0];
	} else {
		a[0] = c[0];
		a[1] = c[1];
		a[2] = c[2];
		a[3] = c[3];
	}
	ctx->user_ip6[0] = a[0];
	ctx->user_ip6[1] = a[1];
	ctx->user_ip6[2] = a[2];
	ctx->user_ip6[3] = a[3];
	ctx->user_port = e->client.port;
	stat_inc(TOA_STAT_GETNAME_TOA_OK);
	return 1;
}

/* ---- getsockopt -------------------------------------------------------- */

/* The socket's peer, or family 0 when not connected. */
static __always_inline void sock_peer(struct bpf_sock *sk, struct toa_addr *a)
{
	__u32 ip6[4];

	if (!sk->dst_port) {
		__builtin_memset(a, 0, sizeof(*a));
		return;
	}
	ip6[0] = sk->dst_ip6[0];
	ip6[1] = sk->dst_ip6[1];
	ip6[2] = sk->dst_ip6[2];
	ip6[3] = sk->dst_ip6[3];
	/* dst_port: network byte order in the low 16 bits */
	addr_from(a, sk->family, sk->dst_ip4, ip6, (__u16)sk->dst_port);
}

static __always_inline void get_lookup(struct bpf_sockopt *ctx,
				       struct bpf_sock *sk)
{
	struct toa_nat64_peer *out = ctx->optval;
	struct toa_bpf_entry *e;
	struct toa_addr peer;

	if (ctx->optlen < (int)sizeof(*out)) {
		ctx->retval = -EINVAL;
		return;
	}
	if ((void *)(out + 1) > ctx->optval_end)
		return;		/* len above a page: the kernel's answer */
	sock_peer(sk, &peer);
	e = peer.family ? lookup(sk, &peer) : NULL;
	if (!e || e->client.family != TOA_AF_INET6) {
		stat_inc(TOA_STAT_LOOKUP_MISS);
		ctx->retval = -ENOTCONN;
		return;
	}
	__builtin_memcpy(out->saddr, e->client.addr, 16);
	out->sport = e->client.port;
	out->__pad = 0;
	ctx->optlen = sizeof(*out);
	ctx->retval = 0;
	stat_inc(TOA_STAT_LOOKUP_OK);
}

static __always_inline void get_peer(struct bpf_sockopt *ctx,
				     struct bpf_sock *sk)
{
	struct toa_peer_info *out = ctx->optval;
	/* loaded once: clang would otherwise derive a pointer into the
	 * socket from one field's address, which the verifier refuses
	 */
	__u32 family = sk->family;
	struct toa_bpf_entry *e;
	struct toa_addr peer;

	if (ctx->optlen < TOA_PEER_INFO_SIZE_V1) {
		ctx->retval = -EINVAL;
		return;
	}
	if ((void *)(out + 1) > ctx->optval_end)
		return;
	sock_peer(sk, &peer);
	if (!peer.family) {
		ctx->retval = -ENOTCONN;
		return;
	}
	__builtin_memset(out, 0, sizeof(*out));
	out->version = TOA_PEER_INFO_V1;
	e = lookup(sk, &peer);
	if (e) {
		out->flags = TOA_PEER_F_TOA;
		__builtin_memcpy(&out->client, &e->client, sizeof(out->client));
		__builtin_memcpy(&out->balancer, &e->balancer,
				 sizeof(out->balancer));
		if (e->format < TOA_FMT_COUNT) {
			out->opt_kind = toa_formats[e->format].kind;
			out->opt_len = toa_formats[e->format].len;
		}
		if (family == AF_INET && e->client.family == TOA_AF_INET6)
			out->flags |= TOA_PEER_F_NAT64;
		if (family == AF_INET6 && e->client.family == TOA_AF_INET)
			out->flags |= TOA_PEER_F_MAPPED;
		stat_inc(TOA_STAT_LOOKUP_OK);
	} else {
		__builtin_memcpy(&out->client, &peer, sizeof(out->client));
		stat_inc(TOA_STAT_LOOKUP_MISS);
	}
	ctx->optlen = sizeof(*out);
	ctx->retval = 0;
}

SEC("cgroup/getsockopt")
int toa_getsockopt(struct bpf_sockopt *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->level != SOL_IP ||
	    (ctx->optname != TOA_SO_GET_LOOKUP &&
	     ctx->optname != TOA_SO_GET_PEER))
		return 1;
	/* toa.ko loaded as well (or anything else answering): keep that */
	if (ctx->retval != -ENOPROTOOPT || !sk ||
	    sk->protocol != IPPROTO_TCP)
		return 1;
	if (ctx->optname == TOA_SO_GET_LOOKUP)
		get_lookup(ctx, sk);
	else
		get_peer(ctx, sk);
	return 1;
}

/*
 * `toactl conns`: one struct toa_bpf_conn per live entry of toa_sk, for
 * the reader of a bpf_iter_create() fd, and what toactl counts as
 * store_in_use. The local end is read from the socket itself; closed
 * sockets (their storage waits for the last reference) are left out, as
 * toa.ko's dump leaves them: the socket's own state says so, no state
 * callback needed.
 */
SEC("iter/bpf_sk_storage_map")
int toa_conns(struct bpf_iter__bpf_sk_storage_map *ctx)
{
	struct toa_bpf_entry *e = ctx->value;
	struct sock *sk = ctx->sk;
	struct toa_bpf_conn c = {};

	if (!sk || !e || e->closed ||
	    sk->__sk_common.skc_state == TCP_CLOSE)
		return 0;
	c.local.family = sk->__sk_common.skc_family;
	c.local.port = bpf_htons(sk->__sk_common.skc_num);
	if (c.local.family == AF_INET)
		__builtin_memcpy(c.local.addr, &sk->__sk_common.skc_rcv_saddr, 4);
	else
		__builtin_memcpy(c.local.addr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
	c.balancer = e->balancer;
	c.client = e->client;
	c.format = e->format;
	c.created_ns = e->created_ns;
	c.cookie = bpf_get_socket_cookie(sk);
	bpf_seq_write(ctx->meta->seq, &c, sizeof(c));
	return 0;
}
