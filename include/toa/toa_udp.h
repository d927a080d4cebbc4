/* SPDX-License-Identifier: MIT */
/*
 * toa/toa_udp.h - the C ABI of libtoa for UDP (the C++ API is
 * <toa/udp.hpp>, which says where the client comes from and what to trust).
 * Link with -ltoa.
 *
 *	toa_udp_enable(fd);
 *	struct toa_udp_datagram d;
 *	ssize_t n = toa_udp_recv(fd, buf, sizeof(buf), 0, &d);
 *	if (n >= 0)
 *		printf("client %s via %s\n", ..d.client.., toa_udp_source_string(d.source));
 *	sendto(fd, buf, n, 0, ..d.sender..);	// replies go to the sender
 *
 * No allocation, thread-safe, one recvmsg() plus one getsockopt() (toa.ko's
 * flow map, which also vouches for an option in the IPv4 header). An
 * option toa.ko has not vetted (the module is not loaded) is never
 * reported here: the datagram then comes from its sender, with
 * TOA_UDP_MODULE_MISSING.
 */
#ifndef TOA_TOA_UDP_H
#define TOA_TOA_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <toa/toa.h>

#ifdef __cplusplus
extern "C" {
#endif

enum toa_udp_source {
	TOA_UDP_FROM_NONE = 0,		/* client is the sender */
	TOA_UDP_FROM_OPTION = 1,	/* its IPv4 header option, vetted */
	TOA_UDP_FROM_FLOW_MAP = 2,	/* toa.ko's flow map */
};

enum toa_udp_flags {
	TOA_UDP_TRUNCATED = 1 << 0,	/* payload longer than the buffer */
	TOA_UDP_NAT64 = 1 << 1,		/* IPv6 client, IPv4 datagram */
	TOA_UDP_MODULE_MISSING = 1 << 2, /* toa.ko not loaded */
};

struct toa_udp_datagram {
	struct toa_endpoint sender;	/* recvmsg()'s source: reply there */
	struct toa_endpoint local;	/* destination address (port 0) */
	struct toa_endpoint client;	/* the real client */
	uint32_t source;		/* enum toa_udp_source */
	uint32_t flags;			/* enum toa_udp_flags */
};

/* IP_RECVOPTS, IP_PKTINFO (and IPV6_RECVPKTINFO): 0, or -1 and errno. */
TOA_API int toa_udp_enable(int fd);

/*
 * recvmsg() one datagram into @buf with @flags and fill @out. Returns the
 * payload bytes in @buf, or -1 and errno (EAGAIN, EINTR, ...).
 */
TOA_API ssize_t toa_udp_recv(int fd, void *buf, size_t len, int flags,
		     struct toa_udp_datagram *out);

/*
 * The flow map alone: the client of flow @sender -> @local (NULL or family
 * 0: any local address). 0, or -1 and errno: ENOENT (no mapping),
 * ENOPROTOOPT (toa.ko not loaded).
 */
TOA_API int toa_udp_lookup(int fd, const struct toa_endpoint *sender,
		   const struct toa_endpoint *local, struct toa_endpoint *out);

/* "none", "option", "flow-map". */
TOA_API const char *toa_udp_source_string(uint32_t source);

#ifdef __cplusplus
}
#endif

#endif /* TOA_TOA_UDP_H */
