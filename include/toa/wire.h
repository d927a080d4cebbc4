/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * toa/wire.h - the TCP Option Address (TOA) wire formats, and the one
 * parser and encoder for them. Shared, unchanged, by the kernel module
 * (kmod/), libtoa, toa-inject, the unit tests and the fuzzer.
 *
 * WHAT IS ON THE WIRE
 * -------------------
 * An L4 balancer that source-NATs a TCP flow writes the client's address
 * into a TCP option of the packet that completes the three-way handshake
 * (the client's third ACK; when that ACK is lost, the first data packet).
 * Every format in the field has the same shape, port before address, all
 * in network byte order:
 *
 *      0        1        2        3        4 ...
 *   +--------+--------+--------+--------+--------------------------+
 *   |  kind  |  len   |   port (be16)   |  address (4 or 16 bytes) |
 *   +--------+--------+--------+--------+--------------------------+
 *
 * The formats this header knows, indexed by enum toa_format:
 *
 *   format             kind len address  sent by
 *   TOA_FMT_254_V4      254   8  IPv4    LVS FULLNAT, DPVS, Huawei ELB
 *   TOA_FMT_200_V4      200   8  IPv4    Tencent CLB (TencentOS), UCloud
 *   TOA_FMT_254_V6      254  20  IPv6    DPVS IPv6 and NAT64
 *   TOA_FMT_253_V6      253  20  IPv6    LVS IPv6
 *   TOA_FMT_253_V4      253   8  IPv4    UCloud "akamai" compat (off by
 *                                        default: it shares kind 253)
 *
 * Which formats are honoured is a bit mask over enum toa_format
 * (TOA_FMT_BIT()); TOA_FMT_DEFAULT_MASK is the first four. An option whose
 * (kind, len) pair is not honoured is skipped like any unknown option, so
 * kind 254 used as an RFC 6994 experimental option (TCP Fast Open's 0xF989,
 * length 6..18 on a SYN) never matches a TOA format by accident unless it
 * has exactly a TOA length.
 *
 * PARSING RULES (toa_parse_options)
 * --------------------------------
 *  - Walk the whole option list: EOL ends it, NOP is one byte, every other
 *    option has a length byte >= 2 that must fit in what is left.
 *  - Exactly one option matching an honoured format is TOA_PARSE_FOUND.
 *  - Two or more honoured options in one segment are TOA_PARSE_MALFORMED,
 *    whatever their formats and addresses. A balancer adds its option to
 *    the options the client sent; if the first match won, a client could
 *    put a forged option ahead of the balancer's and choose the address the
 *    server sees (and the last match winning would only move the problem
 *    to a balancer that inserts rather than appends). Neither can be told
 *    apart from the other on the wire, so the segment yields no address.
 *  - A structurally broken list (missing or too small length byte, an option
 *    running past the end) anywhere is TOA_PARSE_MALFORMED, also after a
 *    match: the broken part could hide a second option, and a balancer
 *    writes well-formed lists. So is a matched option carrying port 0 or an
 *    unspecified / multicast / loopback / limited-broadcast address, which
 *    no real client has (in a 20-byte option, ::ffff:a.b.c.d is judged
 *    as the IPv4 address it maps).
 *    Malformed never writes *out and never reads past @len.
 */
#ifndef _UAPI_TOA_WIRE_H
#define _UAPI_TOA_WIRE_H

#include <linux/types.h>

#define TOA_TCPOPT_EOL		0
#define TOA_TCPOPT_NOP		1
#define TOA_TCP_MAX_OPTION_SPACE 40	/* TCP data offset 15 words - 5 */

#define TOA_OPT_LEN_V4		8	/* kind, len, port, IPv4 */
#define TOA_OPT_LEN_V6		20	/* kind, len, port, IPv6 */

/* Address family numbers used in every toa structure (Linux values). */
#define TOA_AF_INET		2
#define TOA_AF_INET6		10

enum toa_format {
	TOA_FMT_254_V4 = 0,
	TOA_FMT_200_V4 = 1,
	TOA_FMT_254_V6 = 2,
	TOA_FMT_253_V6 = 3,
	TOA_FMT_253_V4 = 4,
	TOA_FMT_COUNT
};

#define TOA_FMT_BIT(f)		(1U << (f))
#define TOA_FMT_DEFAULT_MASK	(TOA_FMT_BIT(TOA_FMT_254_V4) | \
				 TOA_FMT_BIT(TOA_FMT_200_V4) | \
				 TOA_FMT_BIT(TOA_FMT_254_V6) | \
				 TOA_FMT_BIT(TOA_FMT_253_V6))
#define TOA_FMT_ALL_MASK	((1U << TOA_FMT_COUNT) - 1)

struct toa_format_desc {
	__u8 kind;
	__u8 len;
	__u16 family;		/* TOA_AF_INET or TOA_AF_INET6 */
	const char *name;	/* "254/8": the spelling config and tools use */
};

/*
 * The table of (kind, len) pairs, in enum toa_format order (positional, not
 * designated, so that C++ includes this header too).
 */
static const struct toa_format_desc toa_formats[TOA_FMT_COUNT] = {
	/* TOA_FMT_254_V4 */ { 254, TOA_OPT_LEN_V4, TOA_AF_INET,  "254/8" },
	/* TOA_FMT_200_V4 */ { 200, TOA_OPT_LEN_V4, TOA_AF_INET,  "200/8" },
	/* TOA_FMT_254_V6 */ { 254, TOA_OPT_LEN_V6, TOA_AF_INET6, "254/20" },
	/* TOA_FMT_253_V6 */ { 253, TOA_OPT_LEN_V6, TOA_AF_INET6, "253/20" },
	/* TOA_FMT_253_V4 */ { 253, TOA_OPT_LEN_V4, TOA_AF_INET,  "253/8" },
};

/*
 * A decoded client address. @addr holds 4 bytes for TOA_AF_INET (the rest
 * zero) or 16 for TOA_AF_INET6, in network byte order, as on the wire.
 */
struct toa_client {
	__u16 family;
	__be16 port;
	__u8 addr[16];
	__u8 format;		/* enum toa_format that matched */
};

enum toa_parse_result {
	TOA_PARSE_NONE = 0,	/* no honoured option present */
	TOA_PARSE_FOUND = 1,	/* *out filled in */
	TOA_PARSE_MALFORMED = -1, /* broken list or impossible address */
};

/* Returns the enum toa_format of (kind, len) if it is in @mask, else -1. */
static inline int toa_format_lookup(__u8 kind, __u8 len, __u32 mask)
{
	int f;

	for (f = 0; f < (int)TOA_FMT_COUNT; f++)
		if ((mask & TOA_FMT_BIT(f)) && toa_formats[f].kind == kind &&
		    toa_formats[f].len == len)
			return f;
	return -1;
}

/* 0.0.0.0/8, loopback, multicast, class E and limited broadcast. */
static inline int toa_addr4_is_bogus(const __u8 *a)
{
	return (a[0] == 0) || (a[0] == 127) || (a[0] >= 224);
}

/* True for addresses no client can have: a forged or corrupt option. */
static inline int toa_addr_is_bogus(__u16 family, const __u8 *a)
{
	int i, zero = 1;

	if (family == TOA_AF_INET)
		return toa_addr4_is_bogus(a);
	for (i = 0; i < 16; i++)
		if (a[i])
			zero = 0;
	if (zero)
		return 1;			/* :: */
	if (a[0] == 0xff)
		return 1;			/* multicast */
	for (i = 0; i < 10; i++)
		if (a[i])
			break;
	/* ::ffff:a.b.c.d, an IPv4 client in a 20-byte option: IPv4's rules */
	if (i == 10 && a[10] == 0xff && a[11] == 0xff)
		return toa_addr4_is_bogus(a + 12);
	for (i = 0; i < 15; i++)
		if (a[i])
			return 0;
	return a[15] == 1;			/* ::1 */
}

/*
 * Decode the one honoured TOA option in the TCP option bytes @opt (the
 * bytes after the fixed 20-byte TCP header, @len of them), following the
 * rules above. *@out is written only for TOA_PARSE_FOUND.
 */
static inline enum toa_parse_result
toa_parse_options(const __u8 *opt, unsigned int len, __u32 mask,
		  struct toa_client *out)
{
	struct toa_client c;
	unsigned int i = 0, alen, k;
	int f, found = 0;

	while (i < len) {
		__u8 kind = opt[i];
		__u8 olen;

		if (kind == TOA_TCPOPT_EOL)
			break;
		if (kind == TOA_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return TOA_PARSE_MALFORMED;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return TOA_PARSE_MALFORMED;
		f = toa_format_lookup(kind, olen, mask);
		if (f >= 0) {
			/* a second one: which is the balancer's is unknowable */
			if (found)
				return TOA_PARSE_MALFORMED;
			found = 1;
			alen = toa_formats[f].family == TOA_AF_INET ? 4 : 16;
			c.family = toa_formats[f].family;
			c.format = (__u8)f;
			/* byte copy: stays big-endian on any host */
			((__u8 *)&c.port)[0] = opt[i + 2];
			((__u8 *)&c.port)[1] = opt[i + 3];
			for (k = 0; k < 16; k++)
				c.addr[k] = k < alen ? opt[i + 4 + k] : 0;
			if (c.port == 0 || toa_addr_is_bogus(c.family, c.addr))
				return TOA_PARSE_MALFORMED;
		}
		i += olen;
	}
	if (!found)
		return TOA_PARSE_NONE;
	*out = c;
	return TOA_PARSE_FOUND;
}

/*
 * Encode @c as format @f into @buf (room for toa_formats[f].len bytes).
 * Returns the number of bytes written, or 0 if @f is out of range or the
 * address family does not fit the format. Used by toa-inject and the tests;
 * the port and address are copied as given, with no validity check, so
 * tests can build forged and bogus options.
 */
static inline unsigned int toa_encode_option(__u8 *buf, enum toa_format f,
					     const struct toa_client *c)
{
	unsigned int k, alen;

	if ((unsigned int)f >= TOA_FMT_COUNT ||
	    toa_formats[f].family != c->family)
		return 0;
	alen = c->family == TOA_AF_INET ? 4 : 16;
	buf[0] = toa_formats[f].kind;
	buf[1] = toa_formats[f].len;
	buf[2] = ((const __u8 *)&c->port)[0];
	buf[3] = ((const __u8 *)&c->port)[1];
	for (k = 0; k < alen; k++)
		buf[4 + k] = c->addr[k];
	return toa_formats[f].len;
}

#endif /* _UAPI_TOA_WIRE_H */
