/* SPDX-License-Identifier: GPL-2.0 */
/*
 * udp.h - the UDP side of toa-inject: a UOA option (include/toa/uoa.h)
 * carrying the client, as an IPv4 header option or in a protocol-248
 * wrapper, written into queued UDP datagrams the way DPVS does.
 *
 * Pure functions on a caller-owned buffer that holds one packet starting
 * at the IP header (what NFQUEUE hands out), like packet.h; the unit tests
 * (tests/unit/inject_test.cpp) drive them directly.
 */
#ifndef TOA_INJECT_UDP_H
#define TOA_INJECT_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "inject.h"
#include "packet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What udp_parse() learnt; offsets are from the start of the buffer. */
struct udp_info {
	int family;	      /* TOA_AF_INET or TOA_AF_INET6 */
	unsigned int ip_len;  /* the packet's length per its IP header */
	unsigned int udp_off; /* IPv4: IHL * 4; IPv6: 40 */
	unsigned int udp_len; /* UDP header + payload */
	uint8_t saddr[16];    /* IPv4: first 4 bytes, rest zero */
	uint8_t daddr[16];
	uint16_t sport; /* network byte order */
	uint16_t dport;
};

/* A quick look: an IPv4 packet of protocol 17, or an IPv6 packet whose
 * fixed header's next header is 17. */
int udp_is_udp(const uint8_t *pkt, size_t len);

/*
 * PKT_OK for an unfragmented IPv4 or IPv6 UDP datagram whose lengths agree
 * (UDP length = what the IP header leaves); PKT_NOT_TCP (another protocol),
 * PKT_FRAGMENT, PKT_BAD, or PKT_UNSUPPORTED (IPv6 extension headers, a
 * jumbogram).
 */
enum pkt_status udp_parse(const uint8_t *pkt, size_t len, struct udp_info *ui);

/* The UDP checksum the datagram should carry (never 0: 0xffff then). */
uint16_t udp_csum(const uint8_t *pkt, const struct udp_info *ui);

/* 1 when the IPv4 header checksum (if any) and the UDP checksum are right
 * (an IPv4 UDP checksum of 0, "none", is right). */
int udp_csum_ok(const uint8_t *pkt, const struct udp_info *ui);

/*
 * Insert @optlen bytes (a multiple of 4) into the IPv4 header options of
 * the datagram, before (PKT_OPT_FIRST) or after (PKT_OPT_LAST; an EOL among
 * them becomes NOPs) the existing ones; fixes IHL, total length and header
 * checksum, refreshes @ui and @*len. The UDP checksum does not cover IP
 * options and stays as it is. Returns 0, -ENOSPC (over 40 bytes of
 * options), -EMSGSIZE (over @cap or 65535 bytes), -EINVAL (IPv6, bad
 * @optlen).
 */
int udp_insert_ipopt(uint8_t *pkt, size_t *len, size_t cap, struct udp_info *ui, const uint8_t *opt,
		     unsigned int optlen, enum pkt_where where);

/*
 * Put the @wlen bytes of @wrapper between the IP header and the UDP
 * datagram and make the IP protocol / next header 248; fixes the IPv4
 * total length and header checksum or the IPv6 payload length. @ui keeps
 * describing the (moved) datagram. Returns 0, -EMSGSIZE or -EINVAL.
 */
int udp_wrap_opp(uint8_t *pkt, size_t *len, size_t cap, struct udp_info *ui, const uint8_t *wrapper,
		 unsigned int wlen);

/*
 * The UOA option for a datagram from the client @ui / @orig / --client
 * (in this order of preference, reversed), and the malformation of @cfg.
 * Returns its length (4, 8 or 20; a multiple of 4) and sets *@where, or 0
 * when the client does not fit the format (IPv6 client, --format x/8).
 */
unsigned int udp_build_option(const struct inject_config *cfg, const struct udp_info *ui,
			      const struct inject_origin *orig, uint8_t *out,
			      enum pkt_where *where);

/* Does this datagram get a protocol-248 wrapper rather than an IP option? */
int udp_use_opp(const struct inject_config *cfg, const struct udp_info *ui);

/*
 * The whole decision for one queued UDP datagram (inject_packet_from()
 * calls it; c->seen is already counted): flows keyed by the 5-tuple,
 * --mode ack (the first datagram), first:N, every (seq: as ack).
 */
enum inject_action inject_udp(const struct inject_config *cfg, struct flow_table *flows,
			      struct inject_counters *c, uint64_t now_ms, uint8_t *pkt, size_t *len,
			      size_t cap, FILE *log, const struct inject_origin *orig);

#ifdef __cplusplus
}
#endif

#endif /* TOA_INJECT_UDP_H */
