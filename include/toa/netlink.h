/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/netlink.h - the control plane of toa.ko: a generic netlink family.
 *
 * Documentation
 * =============
 *
 * Family TOA_GENL_NAME ("toa"), version TOA_GENL_VERSION; no multicast
 * groups. Resolve the family id through the generic netlink controller
 * (CTRL_CMD_GETFAMILY), as for any genl family; when the family does not
 * exist, toa.ko is not loaded. The family is network-namespace aware:
 * counters and sockets are those of the namespace of the netlink socket
 * that sends the request; the configuration is global to the module.
 *
 * Every request is validated strictly against a policy: unknown
 * attributes, wrong types or lengths, and the output-only attributes
 * below are rejected with EINVAL (with an extended ACK message saying
 * which). Reads are allowed to everyone; changes need a capability, as
 * noted per command (EPERM otherwise). Byte order: integers are host
 * order except ports, which are network order (NLA_BE16) as on the wire.
 *
 * An address is a nest of enum toa_addr_attr:
 *
 *    TOA_ADDR_A_FAMILY: NLA_U16, TOA_AF_INET or TOA_AF_INET6
 *    TOA_ADDR_A_ADDR:   binary, exactly 4 (TOA_AF_INET) or 16 bytes, network
 *                       order; in replies, an IPv4 address on a dual-stack
 *                       socket is TOA_AF_INET, never ::ffff:a.b.c.d
 *    TOA_ADDR_A_PORT:   NLA_BE16
 *
 * TOA_CMD_GET_STATS
 * -----------------
 *
 * Do (no attributes). Replies with one message:
 *
 *    TOA_A_STATS: NLA_NESTED, one nest per counter (the type of each nest
 *                 is its index + 1 and carries no meaning):
 *        TOA_STAT_A_ID:     NLA_U32, enum toa_stat (include/toa/stats.h)
 *        TOA_STAT_A_NAME:   NLA_NUL_STRING, toa_stat_name(id)
 *        TOA_STAT_A_VALUE:  NLA_U64, the total over all CPUs
 *        TOA_STAT_A_GLOBAL: NLA_FLAG, present for a module-wide counter
 *                           (toa_stat_is_global()); others are per netns
 *
 * Every counter the module has is sent, including ones newer than this
 * header: readers show unknown ids by their name. The exception: the
 * global gauges are left out of the reply unless the request comes from
 * the initial network namespace or its sender holds CAP_NET_ADMIN over it
 * (include/toa/stats.h says why).
 *
 * TOA_CMD_RESET_STATS
 * -------------------
 *
 * Do (no attributes); needs CAP_NET_ADMIN in the user namespace that owns
 * the caller's network namespace (GENL_UNS_ADMIN_PERM), since it only
 * touches that namespace's counters. Zeroes them; the global gauges
 * (store_in_use, probe_missed) are not counters and are left alone.
 *
 * TOA_CMD_GET_CONFIG
 * ------------------
 *
 * Do (no attributes). Replies with one message:
 *
 *    TOA_A_VERSION:     NLA_NUL_STRING, toa.ko's version ("0.1.0")
 *    TOA_A_FORMATS:     NLA_U32, honoured formats, bits TOA_FMT_BIT(enum
 *                       toa_format) (include/toa/wire.h)
 *    TOA_A_TRUSTED:     NLA_NUL_STRING, the trusted-balancer list as the
 *                       "trusted" module parameter spells it:
 *                       "10.0.0.0/8,fd00::/8"; "" trusts every source
 *    TOA_A_ENABLED:     NLA_U8, 1 = rewriting on, 0 = paused
 *    TOA_A_MAX_ENTRIES: NLA_U32, the per-socket table limit (load time)
 *
 * The same values as /sys/module/toa/parameters/{formats,trusted,enabled,
 * max_entries}: both go through the same setters.
 *
 * TOA_CMD_SET_CONFIG
 * ------------------
 *
 * Do; needs CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM)
 * and a netlink socket in the initial network namespace: the
 * configuration is global, so neither a container's root nor a process
 * with CAP_NET_ADMIN in another network namespace (a Kubernetes pod
 * granted NET_ADMIN) can change it. From another namespace: EPERM, with
 * the extended ACK message "global settings change only from the initial
 * network namespace".
 * Any subset of:
 *
 *    TOA_A_FORMATS: NLA_U32, a mask within TOA_FMT_ALL_MASK (0 honours
 *                   nothing), replaces the honoured formats
 *    TOA_A_TRUSTED: NLA_NUL_STRING (at most TOA_TRUSTED_MAX_LEN bytes),
 *                   replaces the trusted list; same syntax as the module
 *                   parameter, "" trusts every source
 *    TOA_A_ENABLED: NLA_U8, 0 or 1
 *
 * The request is applied whole or not at all: if the list does not parse
 * (EINVAL) or is too long (E2BIG), nothing changes. Connections already
 * recorded keep their entries; the new settings apply to new handshakes.
 *
 * TOA_CMD_GET_SOCKETS
 * -------------------
 *
 * Dump only (NLM_F_REQUEST | NLM_F_DUMP; no attributes): every socket of
 * the caller's network namespace that has TOA data, one message
 * (NLM_F_MULTI) per socket, ended by NLMSG_DONE. Each message carries:
 *
 *    TOA_A_SOCKET: NLA_NESTED, enum toa_sock_attr:
 *        TOA_SOCK_A_COOKIE:   NLA_U64, the socket cookie (as ss -e shows)
 *        TOA_SOCK_A_LOCAL:    address nest, the socket's local end
 *        TOA_SOCK_A_BALANCER: address nest, the socket's peer: the
 *                             balancer that sent the option
 *        TOA_SOCK_A_CLIENT:   address nest, the client the option named
 *        TOA_SOCK_A_FORMAT:   NLA_U8, enum toa_format of the option
 *        TOA_SOCK_A_AGE_MS:   NLA_U64, milliseconds since the handshake
 *                             (counted in whole seconds by toa.ko)
 *
 * The dump walks the kernel's table of established TCP sockets (the one
 * "ss" walks) one hash bucket at a time, and resumes where the previous
 * message batch ended, so it scales to any number of sockets (100k and
 * more) without holding a lock across the table. Like every
 * netlink dump it is not a snapshot: a socket created or closed while the
 * dump runs may or may not appear.
 *
 * TOA_CMD_LOOKUP_SOCKET
 * ---------------------
 *
 * Do; the 4-tuple of an established TCP socket of the caller's network
 * namespace, as the socket sees it:
 *
 *    TOA_A_LOCAL:  address nest, the socket's local address and port
 *    TOA_A_REMOTE: address nest, its peer: for a TOA socket the balancer
 *
 * Both families must match. An IPv4 connection on a dual-stack socket is
 * looked up with TOA_AF_INET addresses, or with both spelled
 * ::ffff:a.b.c.d (TOA_AF_INET6) as ss shows them. Replies with one
 * message holding TOA_A_SOCKET as in TOA_CMD_GET_SOCKETS. Errors: ENOENT
 * when no established socket has this 4-tuple, ENODATA when the socket
 * exists but has no (current) TOA data.
 */
#ifndef _UAPI_TOA_NETLINK_H
#define _UAPI_TOA_NETLINK_H

#define TOA_GENL_NAME		"toa"
#define TOA_GENL_VERSION	1

/* Longest TOA_A_TRUSTED accepted, terminating NUL included. */
#define TOA_TRUSTED_MAX_LEN	4096

enum toa_cmd {
	TOA_CMD_UNSPEC,
	TOA_CMD_GET_STATS,
	TOA_CMD_RESET_STATS,
	TOA_CMD_GET_CONFIG,
	TOA_CMD_SET_CONFIG,
	TOA_CMD_GET_SOCKETS,
	TOA_CMD_LOOKUP_SOCKET,
	__TOA_CMD_MAX
};

#define TOA_CMD_MAX (__TOA_CMD_MAX - 1)

enum toa_attr {
	TOA_A_UNSPEC,
	TOA_A_PAD,		/* alignment of 64-bit values, never read */
	TOA_A_VERSION,		/* out: NLA_NUL_STRING */
	TOA_A_FORMATS,		/* in/out: NLA_U32 mask of TOA_FMT_BIT() */
	TOA_A_TRUSTED,		/* in/out: NLA_NUL_STRING CIDR list */
	TOA_A_ENABLED,		/* in/out: NLA_U8 0/1 */
	TOA_A_MAX_ENTRIES,	/* out: NLA_U32 */
	TOA_A_STATS,		/* out: NLA_NESTED of enum toa_stat_attr nests */
	TOA_A_SOCKET,		/* out: NLA_NESTED, enum toa_sock_attr */
	TOA_A_LOCAL,		/* in: address nest (lookup) */
	TOA_A_REMOTE,		/* in: address nest (lookup) */
	__TOA_A_LAST
};

#define TOA_A_MAX (__TOA_A_LAST - 1)

enum toa_stat_attr {
	TOA_STAT_A_UNSPEC,
	TOA_STAT_A_PAD,
	TOA_STAT_A_ID,		/* NLA_U32, enum toa_stat */
	TOA_STAT_A_NAME,	/* NLA_NUL_STRING */
	TOA_STAT_A_VALUE,	/* NLA_U64 */
	TOA_STAT_A_GLOBAL,	/* NLA_FLAG */
	__TOA_STAT_A_LAST
};

#define TOA_STAT_A_MAX (__TOA_STAT_A_LAST - 1)

enum toa_sock_attr {
	TOA_SOCK_A_UNSPEC,
	TOA_SOCK_A_PAD,
	TOA_SOCK_A_COOKIE,	/* NLA_U64 */
	TOA_SOCK_A_LOCAL,	/* address nest */
	TOA_SOCK_A_BALANCER,	/* address nest */
	TOA_SOCK_A_CLIENT,	/* address nest */
	TOA_SOCK_A_FORMAT,	/* NLA_U8, enum toa_format */
	TOA_SOCK_A_AGE_MS,	/* NLA_U64 */
	__TOA_SOCK_A_LAST
};

#define TOA_SOCK_A_MAX (__TOA_SOCK_A_LAST - 1)

enum toa_addr_attr {
	TOA_ADDR_A_UNSPEC,
	TOA_ADDR_A_FAMILY,	/* NLA_U16, TOA_AF_INET / TOA_AF_INET6 */
	TOA_ADDR_A_ADDR,	/* binary, 4 or 16 bytes */
	TOA_ADDR_A_PORT,	/* NLA_BE16 */
	__TOA_ADDR_A_LAST
};

#define TOA_ADDR_A_MAX (__TOA_ADDR_A_LAST - 1)

#endif /* _UAPI_TOA_NETLINK_H */
