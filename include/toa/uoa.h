/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/uoa.h - UDP Option of Address (UOA): the wire formats that carry a UDP
 * client's address through an L4 balancer, the one parser and encoder for
 * them, and the getsockopt() API of toa.ko for UDP. Shared, unchanged, by
 * the kernel module (kmod/udp.c), libtoa, toa-inject, the unit tests and
 * the fuzzer. Compatible with DPVS's uoa (the open format balancers ship).
 *
 * WHAT IS ON THE WIRE
 * -------------------
 * A balancer that source-NATs a UDP flow writes the client's address into
 * the datagrams themselves, on every datagram of the flow or only on its
 * first ones (the backend remembers it per flow, see THE FLOW MAP). The
 * address travels in one option, port before address, network byte order:
 *
 *      0        1        2        3        4 ...
 *   +--------+--------+--------+--------+--------------------------+
 *   |  code  |  len   |   port (be16)   |  address (4 or 16 bytes) |
 *   +--------+--------+--------+--------+--------------------------+
 *   code 31 (UOA_OPT_CODE, DPVS's "31 | IPOPT_CONTROL": class 0, copy
 *   flag clear); len 8 for an IPv4 client, 20 for an IPv6 client (NAT64:
 *   an IPv6 client in an IPv4 packet).
 *
 * in one of two carriers:
 *
 * 1. IP-option mode (IPv4 only): the option is an IPv4 header option, among
 *    the header's other options.
 *
 *      [IPv4 header, IHL > 5: ... UOA option ...][UDP header][payload]
 *
 * 2. Private-protocol mode, for networks whose switches drop or rate-limit
 *    IP options: the IP protocol (IPv4) or next header (IPv6, directly
 *    after the fixed header) is 248 (UOA_OPP_PROTO) and a wrapper sits
 *    between the IP header and the untouched UDP datagram:
 *
 *       0       4        8               16                              31
 *      +-------+--------+---------------+-------------------------------+
 *      |  ver  |  rsvd  | next protocol |   length (be16)               |
 *      +-------+--------+---------------+-------------------------------+
 *      :  options (length - 4 bytes; IPv4 option syntax, with the UOA   :
 *      :  option among them)                                            :
 *      +----------------------------------------------------------------+
 *      |  the UDP datagram (header + payload), as the balancer sent it  |
 *
 *    ver is 1 or 2 (DPVS writes 1 for an IPv4 client, 2 for an IPv6 one;
 *    the option's own length already says which, so either is accepted
 *    with either option); rsvd is ignored; next protocol must be UDP (17);
 *    length covers the fixed 4 bytes and the options, never the datagram.
 *    The datagram's UDP checksum was computed by the balancer over the
 *    addresses of the packet it sent (its own after SNAT, the backend's),
 *    the same addresses the backend sees, so removing the wrapper leaves a
 *    datagram whose checksum verifies unchanged.
 *
 * PARSING RULES
 * -------------
 * uoa_parse_options() walks an option list (the IPv4 header's options, or
 * a wrapper's): EOL (0) ends it, NOP (1) is one byte, every other option
 * has a length byte >= 2 that must fit in what is left. The whole list is
 * read, and an option with code 31 is the UOA option:
 *  - UOA_PARSE_FOUND: exactly one, length 8 or 20, a real port and address;
 *  - UOA_PARSE_MALFORMED: a structurally broken list (anywhere), two or
 *    more options with code 31 (as for TCP in <toa/wire.h>: a sender's
 *    forged option beside the balancer's, and no way to tell which is
 *    which), or a UOA option with another length, port 0 or an address no
 *    client has (toa_addr_is_bogus(): unspecified, loopback, multicast...);
 *  - UOA_PARSE_NONE: no option with code 31.
 * Malformed never yields an address and never reads past @len. When one
 * bad option is to blame, @out->opt_off/opt_len say where it is; otherwise
 * opt_len is 0. toa.ko blanks a rejected list with uoa_blank_options(),
 * which overwrites every option 31 in it, not just one.
 *
 * uoa_parse_opp() checks a wrapper: UOA_OPP_OK, or why not (version, next
 * protocol, length shorter than 4, longer than UOA_OPP_MAX_LEN, or running
 * into the last 8 bytes, where the UDP header must be).
 *
 * WHAT TOA.KO DOES WITH THEM (kmod/udp.c)
 * --------------------------------------
 *  - IP-option mode: the option is read at LOCAL_IN (after the backend's
 *    own DNAT, so the flow is keyed as the socket sees it) and left in the
 *    header: a socket with IP_RECVOPTS sees it, which is how libtoa
 *    decodes every datagram. When toa.ko does not accept the option
 *    (untrusted source, malformed, two of them), every option 31 in the
 *    header is overwritten with NOPs first (uoa_blank_options()), so a UOA
 *    option a socket sees there has passed the same checks.
 *  - Private-protocol mode: the wrapper is removed at PRE_ROUTING, before
 *    conntrack, NAT and firewall rules, which then see a plain UDP
 *    datagram; the IP header's protocol or next header, total or payload
 *    length and checksum are fixed, the UDP checksum verified. Packets to
 *    another host are left wrapped (the backend behind unwraps them)
 *    unless toa.ko's udp_forward is set. A broken wrapper is dropped (the
 *    kernel would drop an unknown protocol anyway); a good wrapper with a
 *    broken, untrusted or missing option still delivers its datagram.
 *
 * THE FLOW MAP AND ITS GETSOCKOPT API
 * -----------------------------------
 * toa.ko keeps, per network namespace, the flow as the backend sees it
 * (balancer address and port -> backend address and port) -> real client,
 * refreshed by every option and every successful lookup, forgotten after
 * udp_timeout seconds without either (module parameters udp_timeout,
 * udp_max_entries). Calls are getsockopt(fd, IPPROTO_IP, OPTNAME, &buf,
 * &len) on an IPv4 or IPv6 UDP socket of the namespace, and answer only
 * for flows to that socket's own bound port: the port the datagram
 * arrived on, so a server asks on the socket it received it with. Asking
 * about another port, or on a socket that is not UDP or not bound, is
 * EPERM (the map holds every UDP client of the namespace: no process may
 * learn who talks to another service). Without toa.ko the kernel answers
 * ENOPROTOOPT.
 *
 * UOA_SO_GET_LOOKUP (2048) - DPVS's call, byte-compatible.
 *   buf: struct uoa_param_map, len >= UOA_PARAM_MAP_SIZE. In: af, saddr,
 *   sport (the datagram's source, as recvfrom() gave it), daddr, dport
 *   (its destination; daddr all zero matches any, for sockets bound to
 *   INADDR_ANY). Out: real_af, real_saddr, real_sport; len set to
 *   UOA_PARAM_MAP_SIZE. af and real_af are AF_INET (2) or AF_INET6 (10) in
 *   host byte order (DPVS declares them __be16 but stores the host
 *   value). A v4-mapped IPv6 flow (a dual-stack socket) is looked up as
 *   the IPv4 flow it is. Errors: EINVAL (len too small, bad af), EFAULT,
 *   EPERM (dport is not the socket's bound port, or not a UDP socket),
 *   ENOENT (no mapping for that flow).
 *
 * UOA_SO_GET_FLOW (2049) - the versioned call.
 *   buf: struct uoa_flow_info, len >= UOA_FLOW_INFO_SIZE_V1. In: version,
 *   balancer, local (local.family 0 or an all-zero address: any address;
 *   local.port 0: the port of the socket called on, so a server needs no
 *   getsockname()). The kernel writes min(len, sizeof its struct) bytes
 *   and sets len to that; fields are only ever appended and @version says
 *   which are valid. Errors as above (EPERM when local.port is given and
 *   is not the socket's own).
 *
 * TOA_SO_GET_PEER (4097, <toa/sockopt.h>) also answers on a connected UDP
 * socket, from the flow of its peer and local address.
 */
#ifndef _UAPI_TOA_UOA_H
#define _UAPI_TOA_UOA_H

#include <linux/types.h>
#include <toa/wire.h>
#include <toa/sockopt.h>

#define UOA_OPT_CODE		31	/* 31 | IPOPT_CONTROL (0x00) */
#define UOA_OPT_LEN_V4		8	/* code, len, port, IPv4 */
#define UOA_OPT_LEN_V6		20	/* code, len, port, IPv6 */
#define UOA_IPOPT_EOL		0
#define UOA_IPOPT_NOP		1
#define UOA_IP_MAX_OPTION_SPACE	40	/* IPv4 IHL 15 words - 5 */

#define UOA_OPP_PROTO		248	/* DPVS's IPPROTO_OPT */
#define UOA_OPP_HDR_LEN		4
#define UOA_OPP_VER_V4		1	/* IPv4 client */
#define UOA_OPP_VER_V6		2	/* IPv6 client */
/* A wrapper's options follow the IPv4 option syntax: at most as many. */
#define UOA_OPP_MAX_LEN		(UOA_OPP_HDR_LEN + UOA_IP_MAX_OPTION_SPACE)
#define UOA_UDP_HDR_LEN		8

/*
 * A decoded UOA option. @addr holds 4 bytes for TOA_AF_INET (the rest
 * zero) or 16 for TOA_AF_INET6, network byte order as on the wire.
 * @opt_off / @opt_len: where the option is in the parsed list (see
 * PARSING RULES; opt_len 0: unknown).
 */
struct uoa_client {
	__u16 family;
	__be16 port;
	__u8 addr[16];
	__u8 opt_off;
	__u8 opt_len;
};

enum uoa_parse_result {
	UOA_PARSE_NONE = 0,		/* no UOA option */
	UOA_PARSE_FOUND = 1,		/* *out filled in */
	UOA_PARSE_MALFORMED = -1,	/* broken list or impossible option */
};

/*
 * Decode the one UOA option in the option list @opt of @len bytes, by the
 * PARSING RULES above. *@out's address fields are written only for
 * UOA_PARSE_FOUND; opt_off/opt_len always (opt_len 0: no single option to
 * point at).
 */
static inline enum uoa_parse_result
uoa_parse_options(const __u8 *opt, unsigned int len, struct uoa_client *out)
{
	struct uoa_client c;
	unsigned int i = 0, alen, k;
	int found = 0;
	__u8 olen;

	out->opt_len = 0;
	while (i < len) {
		if (opt[i] == UOA_IPOPT_EOL)
			break;
		if (opt[i] == UOA_IPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i) {
			out->opt_len = 0;	/* broken: no option to point at */
			return UOA_PARSE_MALFORMED;
		}
		olen = opt[i + 1];
		if (opt[i] != UOA_OPT_CODE) {
			i += olen;
			continue;
		}
		if (found) {
			/* a second one: which is the balancer's is unknowable */
			out->opt_len = 0;
			return UOA_PARSE_MALFORMED;
		}
		found = 1;
		out->opt_off = (__u8)i;
		out->opt_len = olen;
		if (olen != UOA_OPT_LEN_V4 && olen != UOA_OPT_LEN_V6)
			return UOA_PARSE_MALFORMED;
		c.family = olen == UOA_OPT_LEN_V4 ? TOA_AF_INET : TOA_AF_INET6;
		alen = olen - 4;
		/* byte copy: stays big-endian on any host */
		((__u8 *)&c.port)[0] = opt[i + 2];
		((__u8 *)&c.port)[1] = opt[i + 3];
		for (k = 0; k < 16; k++)
			c.addr[k] = k < alen ? opt[i + 4 + k] : 0;
		if (c.port == 0 || toa_addr_is_bogus(c.family, c.addr))
			return UOA_PARSE_MALFORMED;
		i += olen;
	}
	if (!found)
		return UOA_PARSE_NONE;
	out->family = c.family;
	out->port = c.port;
	for (k = 0; k < 16; k++)
		out->addr[k] = c.addr[k];
	return UOA_PARSE_FOUND;
}

/*
 * Overwrite with NOPs every UOA option in the option list @opt of @len
 * bytes, and everything from a structural break to the end (what follows
 * a break cannot be read as options, so nothing there may reach a
 * reader). Returns the number of bytes overwritten. What a socket then
 * sees in the header has no UOA option toa.ko did not accept.
 */
static inline unsigned int uoa_blank_options(__u8 *opt, unsigned int len)
{
	unsigned int i = 0, n = 0, k;
	__u8 olen;

	while (i < len) {
		if (opt[i] == UOA_IPOPT_EOL)
			break;
		if (opt[i] == UOA_IPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i) {
			for (k = i; k < len; k++)
				opt[k] = UOA_IPOPT_NOP;
			return n + (len - i);
		}
		olen = opt[i + 1];
		if (opt[i] == UOA_OPT_CODE) {
			for (k = i; k < i + olen; k++)
				opt[k] = UOA_IPOPT_NOP;
			n += olen;
		}
		i += olen;
	}
	return n;
}

/* The fixed part of a protocol-248 wrapper, decoded (@length host order). */
struct uoa_opp {
	__u8 version;
	__u8 protocol;
	__u16 length;
};

enum uoa_opp_result {
	UOA_OPP_OK = 0,
	UOA_OPP_SHORT = -1,	/* fewer bytes than a wrapper + UDP header */
	UOA_OPP_BAD_VERSION = -2, /* version not 1 or 2 */
	UOA_OPP_NOT_UDP = -3,	/* next protocol is not UDP */
	UOA_OPP_BAD_LENGTH = -4, /* < 4, > UOA_OPP_MAX_LEN, or no room
				  * left for the UDP header
				  */
};

/*
 * Check the wrapper at @p: @avail bytes from its start to the end of the
 * IP packet (at least min(@avail, UOA_OPP_HDR_LEN) readable). On
 * UOA_OPP_OK, the options are p[4 .. out->length).
 */
static inline enum uoa_opp_result
uoa_parse_opp(const __u8 *p, unsigned int avail, struct uoa_opp *out)
{
	if (avail < UOA_OPP_HDR_LEN + UOA_UDP_HDR_LEN)
		return UOA_OPP_SHORT;
	out->version = p[0] >> 4;
	out->protocol = p[1];
	out->length = (__u16)((p[2] << 8) | p[3]);
	if (out->version != UOA_OPP_VER_V4 && out->version != UOA_OPP_VER_V6)
		return UOA_OPP_BAD_VERSION;
	if (out->protocol != 17)
		return UOA_OPP_NOT_UDP;
	if (out->length < UOA_OPP_HDR_LEN || out->length > UOA_OPP_MAX_LEN ||
	    out->length > avail - UOA_UDP_HDR_LEN)
		return UOA_OPP_BAD_LENGTH;
	return UOA_OPP_OK;
}

/*
 * Encode @c as a UOA option into @buf (room for UOA_OPT_LEN_V6 bytes):
 * returns 8 (TOA_AF_INET) or 20 (TOA_AF_INET6), or 0 for another family.
 * The port and address are copied as given, with no validity check, so
 * tests can build forged and bogus options.
 */
static inline unsigned int uoa_encode_option(__u8 *buf,
					     const struct uoa_client *c)
{
	unsigned int k, olen;

	if (c->family == TOA_AF_INET)
		olen = UOA_OPT_LEN_V4;
	else if (c->family == TOA_AF_INET6)
		olen = UOA_OPT_LEN_V6;
	else
		return 0;
	buf[0] = UOA_OPT_CODE;
	buf[1] = (__u8)olen;
	buf[2] = ((const __u8 *)&c->port)[0];
	buf[3] = ((const __u8 *)&c->port)[1];
	for (k = 0; k < olen - 4; k++)
		buf[4 + k] = c->addr[k];
	return olen;
}

/* Write the fixed 4 bytes of a wrapper whose options are @optlen bytes. */
static inline void uoa_encode_opp(__u8 *buf, __u8 version, __u8 protocol,
				  unsigned int optlen)
{
	unsigned int length = UOA_OPP_HDR_LEN + optlen;

	buf[0] = (__u8)(version << 4);
	buf[1] = protocol;
	buf[2] = (__u8)(length >> 8);
	buf[3] = (__u8)length;
}

/* ---- getsockopt API (see the top of this file) --------------------- */

#define UOA_SO_BASE		2048
#define UOA_SO_GET_LOOKUP	2048	/* struct uoa_param_map (DPVS) */
#define UOA_SO_GET_FLOW		2049	/* struct uoa_flow_info */
#define UOA_SO_GET_MAX		UOA_SO_GET_FLOW

/*
 * DPVS's struct, byte for byte: packed, 58 bytes. Each address field is
 * DPVS's union inet_addr (struct in_addr or struct in6_addr: 16 bytes;
 * an IPv4 address in the first 4, the rest zero). Ports are network byte
 * order; af and real_af host order (see UOA_SO_GET_LOOKUP).
 */
struct uoa_param_map {
	/* input */
	__u16 af;
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	/* output */
	__u16 real_af;
	__u8 real_saddr[16];
	__be16 real_sport;
} __attribute__((__packed__));

#define UOA_PARAM_MAP_SIZE	58

#define UOA_FLOW_INFO_V1	1

enum uoa_flow_flags {
	UOA_FLOW_F_IPOPT	= 1 << 0,	/* last option: an IPv4 option */
	UOA_FLOW_F_PROTO248	= 1 << 1,	/* last option: in a wrapper */
	UOA_FLOW_F_NAT64	= 1 << 2,	/* IPv6 client, IPv4 flow */
};

struct uoa_flow_info {
	__u32 version;		/* in: UOA_FLOW_INFO_V1; out: answered */
	__u32 flags;		/* out: enum uoa_flow_flags */
	struct toa_addr balancer; /* in: the datagram's source */
	/* in: the datagram's destination (family 0 / zero address: any;
	 * port 0: the calling socket's own port)
	 */
	struct toa_addr local;
	struct toa_addr client;	/* out: the real client */
	__u32 age_ms;		/* out: since the last option for the flow */
	__u32 idle_ms;		/* out: since the last option or lookup
				 * before this one (udp_timeout: forgotten)
				 */
};

#define UOA_FLOW_INFO_SIZE_V1	76

#endif /* _UAPI_TOA_UOA_H */
