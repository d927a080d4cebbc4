/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/bpf.h - the module-free backend: what the BPF programs of bpf/ and
 * their user side (toactl bpf, libtoa) share. Plain C on top of
 * <toa/wire.h>, included by the BPF programs (after vmlinux.h), by toactl,
 * libtoa and the unit tests.
 *
 * WHERE THINGS ARE
 * ----------------
 * `toactl bpf attach --cgroup PATH` loads bpf/toa.bpf.c and pins, under
 * TOA_BPF_PIN_DIR, every program (prog_NAME), every map (by its name below)
 * and every cgroup link (link_NAME). The links keep the programs attached
 * after toactl exits; unpinning them (`toactl bpf detach`) detaches.
 *
 *   toa_sk       BPF_MAP_TYPE_SK_STORAGE: struct toa_bpf_entry per socket,
 *                written at the passive open, freed with the socket by the
 *                kernel. store_in_use counts the entries of sockets not yet
 *                closed (TCP_CLOSE): toactl counts them with the conns
 *                iterator (toa_bpf_config.track_close says when it cannot).
 *                Userspace looks an entry up with the socket's fd as the
 *                key.
 *   toa_config   BPF_MAP_TYPE_ARRAY, one struct toa_bpf_config (key 0).
 *   toa_trust4   BPF_MAP_TYPE_LPM_TRIE, struct toa_bpf_trust4_key -> __u8 1
 *   toa_trust6   BPF_MAP_TYPE_LPM_TRIE, struct toa_bpf_trust6_key -> __u8 1
 *                the trusted balancers; toa_config.trusted counts the
 *                entries of both, 0 meaning "trust every sender" (as toa.ko
 *                with an empty `trusted`).
 *   toa_stats    BPF_MAP_TYPE_PERCPU_ARRAY of __u64, indexed by enum
 *                toa_stat (<toa/stats.h>); the per-CPU values add up. Only
 *                the counters TOA_BPF_STAT_USED() names are kept.
 *
 * Counters and the trust list are per attachment, not per network
 * namespace: cgroup programs see the sockets of their cgroup in any netns.
 */
#ifndef _UAPI_TOA_BPF_H
#define _UAPI_TOA_BPF_H

#include <linux/types.h>
#include <toa/sockopt.h>
#include <toa/stats.h>
#include <toa/wire.h>

#define TOA_BPF_PIN_DIR		"/sys/fs/bpf/toa"

#define TOA_BPF_TRUST_MAX	1024	/* entries of each trie */

struct toa_bpf_entry {
	struct toa_addr client;		/* from the option */
	struct toa_addr balancer;	/* the socket's peer at the handshake */
	__u8 format;			/* enum toa_format that matched */
	__u8 closed;			/* reached TCP_CLOSE (track_close only) */
	__u8 __pad[6];
	__u64 created_ns;		/* CLOCK_BOOTTIME of the handshake */
};

#define TOA_BPF_ENTRY_SIZE	56

/*
 * What the iterator program prog_conns (SEC("iter/bpf_sk_storage_map"),
 * pinned beside the others, run over toa_sk) writes for each socket whose
 * entry is not closed: one record after the other, read from the fd of
 * bpf_iter_create() (`toactl conns` in the BPF mode).
 */
struct toa_bpf_conn {
	struct toa_addr local;		/* the socket's local end */
	struct toa_addr balancer;	/* its peer at the handshake */
	struct toa_addr client;		/* from the option */
	__u8 format;			/* enum toa_format */
	__u8 __pad[3];
	__u64 cookie;			/* the socket's cookie (ss -e) */
	__u64 created_ns;		/* CLOCK_BOOTTIME of the handshake */
};

#define TOA_BPF_CONN_SIZE	80

struct toa_bpf_config {
	__u32 formats;		/* TOA_FMT_BIT() mask of honoured formats */
	__u32 enabled;		/* 0: options counted (opt_paused), not used */
	__u32 trusted;		/* entries in toa_trust4 + toa_trust6; 0 = any */
	/*
	 * 1: the sock_ops program follows each TOA socket to TCP_CLOSE
	 * (state callbacks, about 4 program runs a connection) to keep
	 * store_in_use in toa_stats. Set by `toactl bpf attach` only where
	 * the kernel refused the conns iterator; with it (0), toactl counts
	 * store_in_use as the iterator's records instead.
	 */
	__u32 track_close;
};

struct toa_bpf_trust4_key {
	__u32 prefixlen;	/* 0..32 */
	__u8 addr[4];
};

struct toa_bpf_trust6_key {
	__u32 prefixlen;	/* 0..128 */
	__u8 addr[16];
};

/*
 * The counters of <toa/stats.h> the BPF programs maintain: the TCP ones,
 * less probe_missed (no probes) and opt_raced (a handshake ACK whose
 * option lost the two-CPU race is not recovered in this mode: bpf/).
 */
#define TOA_BPF_STAT_USED(s) \
	((s) <= TOA_STAT_STORE_IN_USE)

/* Size of the option buffer of struct toa_bpf_walk (see there). */
#define TOA_BPF_OPT_BUF		64
#define TOA_BPF_OPT_MASK	(TOA_BPF_OPT_BUF - 1)

/*
 * The BPF programs' option parser: the rules of toa_parse_options()
 * (<toa/wire.h>), with its format table and address checks: the whole list
 * is read, and a segment carrying two honoured TOA options (nobody can
 * tell which one the balancer wrote and which a client forged beside it),
 * or a list broken anywhere, even after a good option, is MALFORMED.
 *
 * It is cut into steps (one option each) because the verifier cannot
 * follow a 40-step loop with branches in one program within its budget:
 * the BPF side runs toa_bpf_walk_step() under bpf_loop(), which verifies
 * one step once; userspace and the unit tests run it in a plain loop
 * (toa_bpf_parse_options()). @opt holds the @len (<= 40) option bytes and
 * zeros after them; every index is masked into the buffer, which is what
 * lets the verifier accept reads at a position it cannot bound, and never
 * changes a result since every read is also checked against @len.
 */
struct toa_bpf_walk {
	__u8 opt[TOA_BPF_OPT_BUF];
	__u32 len;		/* option bytes in @opt, <= 40 */
	__u32 mask;		/* honoured formats */
	__u32 i;		/* position */
	__s32 result;		/* enum toa_parse_result so far */
	struct toa_client client; /* valid when @result is FOUND */
};

/* Every step consumes a byte at least; one more sees the end. */
#define TOA_BPF_WALK_STEPS	(TOA_TCP_MAX_OPTION_SPACE + 1)

/* One option of the list: 0 to go on, 1 when @w->result is final. */
static inline int toa_bpf_walk_step(struct toa_bpf_walk *w)
{
	unsigned int i = w->i, len = w->len, k, alen;
	__u8 kind, olen;
	int f;

	if (len > TOA_TCP_MAX_OPTION_SPACE || i >= len)
		return 1;
	kind = w->opt[i & TOA_BPF_OPT_MASK];
	if (kind == TOA_TCPOPT_EOL)
		return 1;
	if (kind == TOA_TCPOPT_NOP) {
		w->i = i + 1;
		return 0;
	}
	/* a broken list spoils the segment, whatever came before */
	if (len - i < 2) {
		w->result = TOA_PARSE_MALFORMED;
		return 1;
	}
	olen = w->opt[(i + 1) & TOA_BPF_OPT_MASK];
	if (olen < 2 || olen > len - i) {
		w->result = TOA_PARSE_MALFORMED;
		return 1;
	}
	f = toa_format_lookup(kind, olen, w->mask);
	if (f >= 0) {
		if (w->result == TOA_PARSE_FOUND) {
			w->result = TOA_PARSE_MALFORMED;	/* a second one */
			return 1;
		}
		alen = toa_formats[f].family == TOA_AF_INET ? 4 : 16;
		w->client.family = toa_formats[f].family;
		w->client.format = (__u8)f;
		((__u8 *)&w->client.port)[0] = w->opt[(i + 2) & TOA_BPF_OPT_MASK];
		((__u8 *)&w->client.port)[1] = w->opt[(i + 3) & TOA_BPF_OPT_MASK];
		for (k = 0; k < 16; k++)
			w->client.addr[k] = k < alen ?
				w->opt[(i + 4 + k) & TOA_BPF_OPT_MASK] : 0;
		if (w->client.port == 0 ||
		    toa_addr_is_bogus(w->client.family, w->client.addr)) {
			w->result = TOA_PARSE_MALFORMED;
			return 1;
		}
		w->result = TOA_PARSE_FOUND;
	}
	w->i = i + olen;
	return 0;
}

/* Start a walk over @len option bytes (copied, at most 40). */
static inline void toa_bpf_walk_init(struct toa_bpf_walk *w, const __u8 *opt,
				     unsigned int len, __u32 mask)
{
	unsigned int k;

	for (k = 0; k < TOA_BPF_OPT_BUF; k++)
		w->opt[k] = k < len && k < TOA_TCP_MAX_OPTION_SPACE ? opt[k] : 0;
	w->len = len > TOA_TCP_MAX_OPTION_SPACE ? TOA_TCP_MAX_OPTION_SPACE : len;
	w->mask = mask;
	w->i = 0;
	w->result = TOA_PARSE_NONE;
}

/* The whole walk in a plain loop: what the BPF programs compute. */
static inline enum toa_parse_result
toa_bpf_parse_options(const __u8 *opt, unsigned int len, __u32 mask,
		      struct toa_client *out)
{
	struct toa_bpf_walk w;
	unsigned int step;

	toa_bpf_walk_init(&w, opt, len, mask);
	for (step = 0; step < TOA_BPF_WALK_STEPS; step++)
		if (toa_bpf_walk_step(&w))
			break;
	if (w.result == TOA_PARSE_FOUND)
		*out = w.client;
	return (enum toa_parse_result)w.result;
}

#endif /* _UAPI_TOA_BPF_H */
