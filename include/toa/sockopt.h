/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/sockopt.h - the getsockopt() API of toa.ko.
 *
 * All calls are getsockopt(fd, IPPROTO_IP, OPTNAME, &buf, &len) on a
 * connected TCP socket of any family (IPv4, IPv6, dual-stack), answered by
 * toa.ko through nf_register_sockopt(). Without the module loaded the
 * kernel answers ENOPROTOOPT: that is how a caller tells "module missing"
 * from "no option on this connection".
 *
 * TOA_SO_GET_LOOKUP (4096) - NAT64 lookup, ABI-compatible with DPVS's toa
 *   module (and the nginx / Tencent hybrid-cloud code that calls it).
 *   buf: struct toa_nat64_peer, len >= sizeof(struct toa_nat64_peer).
 *   Succeeds only for a socket whose option carried an IPv6 client
 *   (NAT64: IPv6 client, IPv4 socket; or an IPv6 client on an IPv6
 *   socket). getpeername() on such an IPv4 socket keeps returning the
 *   balancer, since an IPv6 address does not fit a sockaddr_in.
 *   Errors: EINVAL (len too small), ENOTCONN (no IPv6 client recorded for
 *   this socket), EFAULT (bad buffer).
 *
 * TOA_SO_GET_PEER (4097) - everything toa.ko knows about the connection.
 *   buf: struct toa_peer_info; len >= TOA_PEER_INFO_SIZE_V1. The kernel
 *   writes min(len, sizeof its struct) bytes and sets len to that; fields
 *   are only ever appended, and @version says which are valid, so old
 *   binaries keep working with new modules and the reverse.
 *   Succeeds for every connected TCP socket: without a TOA option @flags
 *   lacks TOA_PEER_F_TOA, @client is the socket's own peer and @balancer
 *   is empty (family 0). Errors: EINVAL (len too small), ENOTCONN (socket
 *   not connected), EFAULT.
 *
 * TOA_SO_GET_PEER on a UDP socket: a connected one is answered from the
 *   UDP flow map of toa.ko (include/toa/uoa.h) for the flow of its peer
 *   and local address: @flags TOA_PEER_F_TOA | TOA_PEER_F_UOA, @client the
 *   real client, @balancer the peer, @opt_kind/@opt_len the UOA option
 *   (31, 8 or 20); without a mapping as a TCP socket without an option.
 *   Same layout, same errors; ENOTCONN for an unconnected UDP socket,
 *   whose datagrams each have their own peer: for those, the UDP calls
 *   UOA_SO_GET_LOOKUP (2048, DPVS uoa compatible) and UOA_SO_GET_FLOW
 *   (2049) take the flow as input, see include/toa/uoa.h.
 */
#ifndef _UAPI_TOA_SOCKOPT_H
#define _UAPI_TOA_SOCKOPT_H

#include <linux/types.h>
#include <toa/wire.h>

#define TOA_SO_BASE		4096
#define TOA_SO_GET_LOOKUP	4096	/* struct toa_nat64_peer (DPVS) */
#define TOA_SO_GET_PEER		4097	/* struct toa_peer_info */
#define TOA_SO_GET_MAX		TOA_SO_GET_PEER

/*
 * DPVS layout, kept byte for byte: the IPv6 client address and its port in
 * network byte order. DPVS declares saddr as struct in6_addr, whose 4-byte
 * alignment pads the struct to 20 bytes; the padding is explicit here so
 * sizeof is 20 on every ABI, as callers compiled against DPVS expect.
 */
struct toa_nat64_peer {
	__u8 saddr[16];		/* struct in6_addr in DPVS; same bytes */
	__be16 sport;
	__u16 __pad;		/* zero */
};

#define TOA_NAT64_PEER_SIZE	20

/*
 * An address and port. @family is TOA_AF_INET (first 4 bytes of @addr
 * used, the rest zero), TOA_AF_INET6, or 0 for "none".
 */
struct toa_addr {
	__u16 family;
	__be16 port;
	__u8 addr[16];
};

#define TOA_PEER_INFO_V1	1

enum toa_peer_flags {
	TOA_PEER_F_TOA		= 1 << 0,	/* a TOA option was accepted */
	TOA_PEER_F_NAT64	= 1 << 1,	/* IPv6 client, IPv4 socket */
	TOA_PEER_F_MAPPED	= 1 << 2,	/* IPv4 client on an IPv6 socket:
						 * getpeername gives ::ffff:a.b.c.d
						 */
	TOA_PEER_F_UOA		= 1 << 3,	/* UDP: the client comes from the
						 * flow map (a UOA option)
						 */
};

struct toa_peer_info {
	__u32 version;		/* out: TOA_PEER_INFO_V1 */
	__u32 flags;		/* out: enum toa_peer_flags */
	struct toa_addr client;	/* the real client (or the peer, no TOA) */
	struct toa_addr balancer; /* who sent the option: the socket's peer */
	__u8 opt_kind;		/* the option that carried it, 0 if none */
	__u8 opt_len;
	__u16 reserved;		/* zero */
};

#define TOA_PEER_INFO_SIZE_V1	52

#endif /* _UAPI_TOA_SOCKOPT_H */
