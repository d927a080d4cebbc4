/* SPDX-License-Identifier: GPL-2.0 */
/*
 * packet.h - pure IPv4/IPv6 + TCP packet editing for toa-inject.
 *
 * No I/O, no allocation, no global state: every function works on a
 * caller-owned buffer that holds one packet starting at the IP header (what
 * NFQUEUE hands out). The unit tests (tests/unit/inject_test.cpp) drive
 * these directly.
 */
#ifndef TOA_INJECT_PACKET_H
#define TOA_INJECT_PACKET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TCP flag bits (byte 13 of the TCP header). */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

#define PKT_TCP_HDR_MIN 20
#define PKT_MAX_LEN	0xffff /* largest IPv4 total length / IPv6 packet we edit */

/* Result of pkt_parse(). */
enum pkt_status {
	PKT_OK = 0,
	PKT_NOT_TCP,	 /* valid IP, another protocol */
	PKT_FRAGMENT,	 /* an IP fragment: left alone */
	PKT_BAD,	 /* too short, bad version, lengths inconsistent */
	PKT_UNSUPPORTED, /* IPv6 jumbogram, routing header in use, ... */
};

/* What pkt_parse() learnt; offsets are from the start of the buffer. */
struct pkt_info {
	int family;	      /* TOA_AF_INET or TOA_AF_INET6 */
	unsigned int ip_len;  /* the packet's length per its IP header */
	unsigned int tcp_off; /* offset of the TCP header */
	unsigned int tcp_len; /* TCP header + payload: ip_len - tcp_off */
	unsigned int thl;     /* TCP header length, data offset * 4 */
	uint8_t saddr[16];    /* IPv4: first 4 bytes, rest zero */
	uint8_t daddr[16];
	uint16_t sport; /* network byte order */
	uint16_t dport; /* network byte order */
	uint32_t seq;	/* host byte order */
	uint8_t flags;	/* PKT_TCP_* */
};

enum pkt_status pkt_parse(const uint8_t *pkt, size_t len, struct pkt_info *pi);
const char *pkt_status_name(enum pkt_status st);

/* Internet checksum helpers (RFC 1071). */
uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t pkt_csum_fold(uint32_t sum);

/* The IPv4 header checksum of a 20..60 byte header (its check field is
 * skipped, so it can be compared with the stored value). Checksums are
 * returned as the 16-bit value the field holds read big-endian. */
uint16_t pkt_ipv4_hdr_csum(const uint8_t *iph, unsigned int ihl_bytes);

/* The TCP checksum the segment should carry (pseudo-header included; the
 * stored check field is skipped). */
uint16_t pkt_tcp_csum(const uint8_t *pkt, const struct pkt_info *pi);

/* 1 when the stored IPv4 header (if any) and TCP checksums are right. */
int pkt_csum_ok(const uint8_t *pkt, const struct pkt_info *pi);

/* Store a freshly computed TCP checksum. */
void pkt_tcp_csum_update(uint8_t *pkt, const struct pkt_info *pi);

/* Where pkt_insert_option() puts the new bytes. */
enum pkt_where {
	PKT_OPT_FIRST = 0, /* right after the fixed TCP header (DPVS) */
	PKT_OPT_LAST = 1,  /* after the existing options; an EOL and its
				 * padding among them become NOPs so a parser
				 * walks on to the new bytes */
};

/*
 * Insert @optlen bytes (a multiple of 4, so the data offset stays exact and
 * existing options keep their alignment) into the TCP option space of the
 * packet in @pkt (@*len bytes, room for @cap). Fixes the IPv4 total length
 * and header checksum or the IPv6 payload length, the TCP data offset, and
 * recomputes the TCP checksum; refreshes @pi and @*len.
 *
 * Returns 0, -ENOSPC when the option space (40 bytes) has no room,
 * -EMSGSIZE when the result would exceed @cap or 65535 bytes, -EINVAL for a
 * bad @optlen.
 */
int pkt_insert_option(uint8_t *pkt, size_t *len, size_t cap, struct pkt_info *pi,
		      const uint8_t *opt, unsigned int optlen, enum pkt_where where);

/*
 * Lower the MSS option (kind 2, len 4) of the segment by @by bytes and fix
 * the TCP checksum. Returns 1 if changed, 0 when there is no MSS option
 * (or it is not larger than @by + 64), -EINVAL on a broken option list.
 */
int pkt_clamp_mss(uint8_t *pkt, const struct pkt_info *pi, unsigned int by);

/* Read the MSS option: returns it (host order) or 0 if absent. */
unsigned int pkt_get_mss(const uint8_t *pkt, const struct pkt_info *pi);

#ifdef __cplusplus
}
#endif

#endif /* TOA_INJECT_PACKET_H */
