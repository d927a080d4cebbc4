/* SPDX-License-Identifier: MIT */
/*
 * toa/toa.h - the C ABI of libtoa, for C, Go (cgo), Python (ctypes) and
 * anything else that can call C. Link with -ltoa (pkg-config toa).
 *
 * THE PEER OF A SOCKET
 *
 *	struct toa_peer p;
 *	switch (toa_get_peer(fd, &p)) {
 *	case TOA_PEER_TOA:		// p.client is the real client
 *	case TOA_PEER_NO_OPTION:	// p.client is the socket's peer
 *	case TOA_PEER_MODULE_MISSING:	// same, and toa.ko is not loaded
 *		break;
 *	default:			// -1: errno says why (ENOTCONN...)
 *		perror("toa_get_peer");
 *	}
 *
 * One getsockopt() call, no allocation, thread-safe. "No option" and
 * "module missing" are results, not errors.
 *
 * THE CONTROL PLANE
 *
 * A struct toa_ctl is a netlink socket to toa.ko (generic netlink family
 * "toa", include/toa/netlink.h). Functions return 0 or a negative errno;
 * -ENOPROTOOPT from toa_ctl_open() means toa.ko is not loaded, -EPERM that
 * the caller lacks CAP_NET_ADMIN for a change. toa_ctl_message() then may
 * hold the kernel's explanation. One toa_ctl must not be used by two
 * threads at once.
 *
 * ABI: structures only ever grow at their end in a new TOA_ABI_VERSION;
 * the library never reads past the fields of the version it was built for.
 */
#ifndef TOA_TOA_H
#define TOA_TOA_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TOA_ABI_VERSION 1

/* Returns the library's version, "0.1.0". */
TOA_API const char *toa_version(void);

/* An address and port. */
struct toa_endpoint {
	uint16_t family;	/* AF_INET (2), AF_INET6 (10), or 0: none */
	uint16_t port;		/* host byte order */
	uint8_t addr[16];	/* network order; AF_INET uses 4 bytes */
};

/* Longest toa_endpoint_format() output, NUL included: "[v6]:65535". */
#define TOA_ENDPOINT_STRLEN 54

/*
 * "10.0.0.1:80", "[fd00::1]:80", "-" for none, into @buf of @len bytes.
 * Returns the string length, or -1 if it did not fit.
 */
TOA_API int toa_endpoint_format(const struct toa_endpoint *e, char *buf, size_t len);
/* Parse "10.0.0.1:80" or "[fd00::1]:80": 0, or -1 (EINVAL). */
TOA_API int toa_endpoint_parse(const char *s, struct toa_endpoint *out);

/* ---- peer ----------------------------------------------------------- */

enum toa_peer_status {
	TOA_PEER_ERROR = -1,		/* errno is set */
	TOA_PEER_TOA = 0,		/* TOA option accepted */
	TOA_PEER_NO_OPTION = 1,		/* no option on this connection */
	TOA_PEER_MODULE_MISSING = 2,	/* toa.ko not loaded */
};

enum toa_peer_flags_c {
	TOA_PEER_HAS_TOA = 1 << 0,	/* status TOA_PEER_TOA */
	TOA_PEER_IS_NAT64 = 1 << 1,	/* IPv6 client, IPv4 socket */
	TOA_PEER_IS_MAPPED = 1 << 2,	/* IPv4 client, IPv6 socket */
};

struct toa_peer {
	struct toa_endpoint client;	/* real client, or the socket's peer */
	struct toa_endpoint balancer;	/* sender of the option, or none */
	uint32_t flags;			/* enum toa_peer_flags_c */
	uint8_t opt_kind;		/* TCP option kind, 0: none */
	uint8_t opt_len;
	uint16_t reserved;
};

/* Fill @out for connected TCP socket @fd; returns enum toa_peer_status. */
TOA_API int toa_get_peer(int fd, struct toa_peer *out);
/* "toa", "no-option", "module-missing", "error". */
TOA_API const char *toa_peer_status_string(int status);

/* ---- formats ---------------------------------------------------------- */

/*
 * The honoured-format mask (bit N = enum toa_format N in <toa/wire.h>:
 * 254/8, 200/8, 254/20, 253/20, 253/8) as text ("254/8,200/8", "none"), and
 * back ("all", "default", "none" and names, comma separated).
 */
TOA_API int toa_formats_to_string(uint32_t mask, char *buf, size_t len);
TOA_API int toa_formats_from_string(const char *s, uint32_t *mask);	/* 0 / -EINVAL */

/* ---- control plane ------------------------------------------------------ */

struct toa_ctl;

/*
 * Open a control socket in the current network namespace (@netns NULL or
 * ""), in /run/netns/NETNS, or in the namespace file @netns names if it
 * contains a '/'. Entering a namespace needs CAP_SYS_ADMIN.
 */
TOA_API int toa_ctl_open(struct toa_ctl **out, const char *netns);
TOA_API void toa_ctl_close(struct toa_ctl *ctl);
/* The kernel's message about the last failed call, or "". */
TOA_API const char *toa_ctl_message(const struct toa_ctl *ctl);

struct toa_stat_value {
	uint32_t id;		/* enum toa_stat (<toa/stats.h>) */
	uint32_t global;	/* 1: module-wide, 0: this netns */
	uint64_t value;
	char name[48];
};

/*
 * Up to @max counters into @out; *@count gets how many the module has
 * (more than @max: call again with a bigger array).
 */
TOA_API int toa_ctl_stats(struct toa_ctl *ctl, struct toa_stat_value *out,
		  size_t max, size_t *count);
TOA_API int toa_ctl_reset_stats(struct toa_ctl *ctl);

struct toa_config_info {
	uint32_t formats;	/* mask, see toa_formats_to_string() */
	uint32_t enabled;	/* 0: rewriting paused */
	uint32_t max_entries;
	char version[32];	/* toa.ko's version */
	char trusted[4096];	/* "10.0.0.0/8,fd00::/8"; "" = any source */
};

TOA_API int toa_ctl_get_config(struct toa_ctl *ctl, struct toa_config_info *out);

enum toa_config_set {
	TOA_SET_FORMATS = 1 << 0,
	TOA_SET_TRUSTED = 1 << 1,
	TOA_SET_ENABLED = 1 << 2,
};

struct toa_config_change {
	uint32_t set;		/* enum toa_config_set: what to change */
	uint32_t formats;
	uint32_t enabled;
	const char *trusted;
};

TOA_API int toa_ctl_set_config(struct toa_ctl *ctl,
		       const struct toa_config_change *change);

struct toa_socket_info {
	uint64_t cookie;	/* socket cookie */
	uint64_t age_ms;	/* since the handshake */
	struct toa_endpoint local;
	struct toa_endpoint balancer;
	struct toa_endpoint client;
	uint32_t format;	/* enum toa_format */
};

/*
 * Call @fn for every TOA socket of the namespace (a streamed dump: fine
 * with 100k sockets); @fn returns non-zero to stop early. Returns the
 * number of sockets given to @fn, or a negative errno.
 */
TOA_API long toa_ctl_sockets(struct toa_ctl *ctl,
		     int (*fn)(const struct toa_socket_info *s, void *arg),
		     void *arg);

/*
 * The established socket whose local end is @local and peer @remote.
 * -ENOENT: none; -ENODATA: it has no TOA data.
 */
TOA_API int toa_ctl_lookup(struct toa_ctl *ctl, const struct toa_endpoint *local,
		   const struct toa_endpoint *remote,
		   struct toa_socket_info *out);

#ifdef __cplusplus
}
#endif

#endif /* TOA_TOA_H */
