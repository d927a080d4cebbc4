/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/stats.h - every counter toa.ko keeps, and what it means.
 *
 * The counters are per network namespace (each netns has its own
 * /proc/net/toa_stats), except the ones marked "global".
 *
 * The global gauges (toa_stat_is_global()) count the sockets, flows and
 * probe misses of every namespace together, so a reader in one namespace
 * could learn from them how busy the others are and, by sampling, when
 * they open connections. They are therefore shown, in /proc/net/toa_stats
 * and in TOA_CMD_GET_STATS replies, only to a reader in the initial network
 * namespace or holding CAP_NET_ADMIN over it (in the initial user
 * namespace; for /proc, the opener of the file; for netlink, the opener
 * and the sender). Anyone else gets neither their lines nor their names:
 * a missing gauge means "not yours to see", never zero. A namespace's own
 * counters, and its own live connections (TOA_CMD_GET_SOCKETS), stay
 * visible to every reader in it. The names in
 * toa_stat_name() are what /proc/net/toa_stats prints, what toactl shows
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
	/* Passive TCP opens with no honoured TOA option in that packet.
	 * Listeners of kernel sockets (nfsd, ksmbd...) are never looked at,
	 * so their connections count in neither.
	 */
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
	/* Handshake packets whose TCP option list was broken, that carried
	 * two or more honoured TOA options (a client's forged one beside the
	 * balancer's: which is which cannot be told, so neither is used), or
	 * whose TOA option carried port 0 or an impossible address: ignored.
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
	/* global: hook calls toa.ko skipped: ftrace's recursion guard
	 * refused them (a hooked function reached again from inside a hook).
	 * Should stay 0; non-zero means connections may have been missed.
	 */
	TOA_STAT_PROBE_MISSED,
	/* Options on a packet that lost the race to complete a handshake:
	 * with two CPUs, the third ACK (with the option) and the first data
	 * packet (without) can both reach the half-open connection at once,
	 * and the kernel keeps the socket made from the packet handled first.
	 * The option is then moved to that socket (which had been counted in
	 * syn_recv_sock_no_toa), so the client is still seen.
	 */
	TOA_STAT_OPT_RACED,
	/* ---- UDP (include/toa/uoa.h, kmod/udp*.c) ---- */
	/* Datagrams carrying a well-formed UOA option (IP-option or
	 * protocol-248 mode), whatever then happened to it.
	 */
	TOA_STAT_UDP_OPT_SEEN,
	/* Datagrams whose UOA option or protocol-248 wrapper was broken
	 * (a wrapper also when the UDP datagram it wraps does not fit its
	 * length, or fails its checksum), that carried two or more UOA
	 * options (which one the balancer wrote cannot be told), or whose
	 * option carried port 0 or an impossible address: the options are
	 * ignored (every option 31 blanked in the IP header), a broken
	 * wrapper's datagram dropped (also in udp_drop).
	 */
	TOA_STAT_UDP_OPT_MALFORMED,
	/* UOA options, and protocol-248 wrappers (with or without an
	 * option), from a source outside the trusted-balancer list: an IP
	 * option is ignored and blanked (every option 31 of the header), the
	 * datagram delivered without a mapping; a wrapper to this host is
	 * never removed: its datagram is dropped (also in udp_drop).
	 */
	TOA_STAT_UDP_OPT_UNTRUSTED,
	/* UOA options ignored because rewriting is paused (enabled=0). */
	TOA_STAT_UDP_OPT_PAUSED,
	/* Protocol-248 datagrams unwrapped into plain UDP datagrams. */
	TOA_STAT_UDP_UNWRAPPED,
	/* Datagrams dropped by toa.ko: a protocol-248 packet with a broken
	 * wrapper, whose inner UDP header, length or checksum is wrong, from
	 * an untrusted sender, or that could not be made writable (out of
	 * memory).
	 */
	TOA_STAT_UDP_DROP,
	/* Flow mappings created (a flow seen with an option for the first
	 * time, or again after it expired).
	 */
	TOA_STAT_UDP_MAP_NEW,
	/* Options that refreshed a live mapping (same client: its timeout
	 * restarts) or replaced it (the balancer reused the flow for another
	 * client).
	 */
	TOA_STAT_UDP_MAP_UPDATE,
	/* Options not recorded: the flow map at udp_max_entries (all
	 * namespaces together) once the expired mappings are reclaimed, or
	 * out of memory. The datagram itself is delivered.
	 */
	TOA_STAT_UDP_MAP_FULL,
	/* Mappings forgotten after udp_timeout seconds without an option or
	 * a lookup.
	 */
	TOA_STAT_UDP_MAP_EXPIRED,
	/* UDP lookups (UOA_SO_GET_LOOKUP, UOA_SO_GET_FLOW, TOA_SO_GET_PEER on
	 * a UDP socket) answered from the flow map.
	 */
	TOA_STAT_UDP_LOOKUP_OK,
	/* UDP lookups for a flow without a (live) mapping. */
	TOA_STAT_UDP_LOOKUP_MISS,
	/* global: flow mappings currently stored (a gauge). */
	TOA_STAT_UDP_MAP_IN_USE,
	/* Options not recorded because their namespace holds its share of
	 * the flow map (udp_netns_max_entries mappings) once its expired ones
	 * are reclaimed: a flood into one namespace cannot stop another's
	 * mappings. The datagram itself is delivered.
	 */
	TOA_STAT_UDP_MAP_NETNS_FULL,
	TOA_STAT_COUNT
};

/*
 * The name of counter @s (an enum toa_stat), NULL for an unknown one. A
 * function, not a table: every file that includes this header would get
 * an unused copy of the table (-Wunused-const-variable).
 */
static inline const char *toa_stat_name(unsigned int s)
{
	/* In enum toa_stat order (positional, so C++ can include this). */
	static const char *const names[TOA_STAT_COUNT] = {
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
		/* TOA_STAT_OPT_RACED */ "opt_raced",
		/* TOA_STAT_UDP_OPT_SEEN */ "udp_opt_seen",
		/* TOA_STAT_UDP_OPT_MALFORMED */ "udp_opt_malformed",
		/* TOA_STAT_UDP_OPT_UNTRUSTED */ "udp_opt_untrusted",
		/* TOA_STAT_UDP_OPT_PAUSED */ "udp_opt_paused",
		/* TOA_STAT_UDP_UNWRAPPED */ "udp_unwrapped",
		/* TOA_STAT_UDP_DROP */ "udp_drop",
		/* TOA_STAT_UDP_MAP_NEW */ "udp_map_new",
		/* TOA_STAT_UDP_MAP_UPDATE */ "udp_map_update",
		/* TOA_STAT_UDP_MAP_FULL */ "udp_map_full",
		/* TOA_STAT_UDP_MAP_EXPIRED */ "udp_map_expired",
		/* TOA_STAT_UDP_LOOKUP_OK */ "udp_lookup_ok",
		/* TOA_STAT_UDP_LOOKUP_MISS */ "udp_lookup_miss",
		/* TOA_STAT_UDP_MAP_IN_USE */ "udp_map_in_use",
		/* TOA_STAT_UDP_MAP_NETNS_FULL */ "udp_map_netns_full",
	};

	return s < TOA_STAT_COUNT ? names[s] : 0;
}

/* True for the counters that are global rather than per network namespace. */
static inline int toa_stat_is_global(unsigned int s)
{
	return s == TOA_STAT_STORE_IN_USE || s == TOA_STAT_PROBE_MISSED ||
	       s == TOA_STAT_UDP_MAP_IN_USE;
}

#endif /* _UAPI_TOA_STATS_H */
