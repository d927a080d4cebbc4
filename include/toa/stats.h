/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/stats.h - every counter toa.ko keeps, and what it means.
 *
 * The counters are per network namespace (each netns has its own
 * /proc/net/toa_stats), except the ones marked "global". The names in
 * toa_stat_names[] are what /proc/net/toa_stats prints, what toactl shows
 * and the keys of its JSON output; the first names are the ones other TOA
 * modules print, so existing dashboards and greps keep working.
 * Identifiers are stable: new counters are only ever appended.
 */
#ifndef _UAPI_TOA_STATS_H
#define _UAPI_TOA_STATS_H

enum toa_stat {
	/* Passive TCP opens whose handshake-completing packet carried an
	 * accepted TOA option: the sockets whose peer toa.ko rewrites.
	 */
	TOA_STAT_SYN_RECV_SOCK_TOA,
	/* Passive TCP opens with no honoured TOA option in that packet. */
	TOA_STAT_SYN_RECV_SOCK_NO_TOA,
	/* accept()/getpeername()/SO_PEERNAME answers rewritten to the client. */
	TOA_STAT_GETNAME_TOA_OK,
	/* getname on a socket with TOA data whose current peer no longer is
	 * the balancer recorded at handshake: left alone (never a wrong
	 * address).
	 */
	TOA_STAT_GETNAME_TOA_MISMATCH,
	/* getname of a peer on a TCP socket that has no TOA data: answered by
	 * the kernel unchanged.
	 */
	TOA_STAT_GETNAME_TOA_BYPASS,
	/* getname on an IPv4 socket whose client is IPv6 (NAT64): an IPv6
	 * address does not fit sockaddr_in, so the balancer is returned and
	 * the client is available through TOA_SO_GET_LOOKUP / _GET_PEER.
	 */
	TOA_STAT_GETNAME_TOA_NAT64,
	/* Handshake packets carrying an honoured TOA option, whatever then
	 * happened to it (accepted, untrusted, paused, not stored).
	 */
	TOA_STAT_OPT_SEEN,
	/* Handshake packets whose TCP option list was broken, or whose TOA
	 * option carried port 0 or an impossible address: ignored.
	 */
	TOA_STAT_OPT_MALFORMED,
	/* Options from a source outside the trusted-balancer list: ignored
	 * (a client forging the option, or a misconfigured list).
	 */
	TOA_STAT_OPT_UNTRUSTED,
	/* Options ignored because rewriting is paused by configuration. */
	TOA_STAT_OPT_PAUSED,
	/* Options accepted but not stored: out of memory or the per-socket
	 * table at its size limit (max_entries).
	 */
	TOA_STAT_STORE_FAIL,
	/* getsockopt lookups answered with TOA data. */
	TOA_STAT_LOOKUP_OK,
	/* getsockopt lookups on sockets without (matching) TOA data. */
	TOA_STAT_LOOKUP_MISS,
	/* global: per-socket entries currently stored (a gauge). */
	TOA_STAT_STORE_IN_USE,
	/* global: hook hits the kernel could not deliver to toa.ko (kprobe
	 * and kretprobe misses). Should stay 0; non-zero means connections
	 * may have been missed and maxactive should grow.
	 */
	TOA_STAT_PROBE_MISSED,
	TOA_STAT_COUNT
};

/* In enum toa_stat order (positional, so C++ can include this header). */
static const char *const toa_stat_names[TOA_STAT_COUNT] = {
	/* TOA_STAT_SYN_RECV_SOCK_TOA */ "syn_recv_sock_toa",
	/* TOA_STAT_SYN_RECV_SOCK_NO_TOA */ "syn_recv_sock_no_toa",
	/* TOA_STAT_GETNAME_TOA_OK */ "getname_toa_ok",
	/* TOA_STAT_GETNAME_TOA_MISMATCH */ "getname_toa_mismatch",
	/* TOA_STAT_GETNAME_TOA_BYPASS */ "getname_toa_bypass",
	/* TOA_STAT_GETNAME_TOA_NAT64 */ "getname_toa_nat64",
	/* TOA_STAT_OPT_SEEN */ "opt_seen",
	/* TOA_STAT_OPT_MALFORMED */ "opt_malformed",
	/* TOA_STAT_OPT_UNTRUSTED */ "opt_untrusted",
	/* TOA_STAT_OPT_PAUSED */ "opt_paused",
	/* TOA_STAT_STORE_FAIL */ "store_fail",
	/* TOA_STAT_LOOKUP_OK */ "lookup_ok",
	/* TOA_STAT_LOOKUP_MISS */ "lookup_miss",
	/* TOA_STAT_STORE_IN_USE */ "store_in_use",
	/* TOA_STAT_PROBE_MISSED */ "probe_missed",
};

/* True for the counters that are global rather than per network namespace. */
#define TOA_STAT_IS_GLOBAL(s) \
	((s) == TOA_STAT_STORE_IN_USE || (s) == TOA_STAT_PROBE_MISSED)

#endif /* _UAPI_TOA_STATS_H */
