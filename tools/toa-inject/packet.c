// SPDX-License-Identifier: GPL-2.0
/*
 * packet.c - pure IPv4/IPv6 + TCP packet editing for toa-inject.
 * See packet.h; no I/O here.
 */
#include <errno.h>
#include <string.h>

#include <toa/wire.h>

#include "packet.h"

/* IPv6 extension headers we walk through to reach TCP. */
#define IPV6_NH_HOPOPTS	 0
#define IPV6_NH_TCP	 6
#define IPV6_NH_ROUTING	 43
#define IPV6_NH_FRAGMENT 44
#define IPV6_NH_DSTOPTS	 60

#define TCPOPT_MSS  2
#define TCPOLEN_MSS 4

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

const char *pkt_status_name(enum pkt_status st)
{
	switch (st) {
	case PKT_OK:
		return "ok";
	case PKT_NOT_TCP:
		return "not-tcp";
	case PKT_FRAGMENT:
		return "fragment";
	case PKT_BAD:
		return "bad";
	case PKT_UNSUPPORTED:
		return "unsupported";
	}
	return "?";
}

static enum pkt_status parse_tcp(const uint8_t *pkt, struct pkt_info *pi)
{
	const uint8_t *th;

	if (pi->ip_len < pi->tcp_off + PKT_TCP_HDR_MIN)
		return PKT_BAD;
	th = pkt + pi->tcp_off;
	pi->tcp_len = pi->ip_len - pi->tcp_off;
	pi->thl = (unsigned int)(th[12] >> 4) * 4;
	if (pi->thl < PKT_TCP_HDR_MIN || pi->thl > pi->tcp_len)
		return PKT_BAD;
	memcpy(&pi->sport, th, 2);
	memcpy(&pi->dport, th + 2, 2);
	pi->seq = get32(th + 4);
	pi->flags = th[13];
	return PKT_OK;
}

static enum pkt_status parse_v4(const uint8_t *pkt, size_t len, struct pkt_info *pi)
{
	unsigned int ihl = (unsigned int)(pkt[0] & 0x0f) * 4;

	if (len < 20 || ihl < 20 || ihl > len)
		return PKT_BAD;
	pi->family = TOA_AF_INET;
	pi->ip_len = get16(pkt + 2);
	if (pi->ip_len < ihl || pi->ip_len > len)
		return PKT_BAD;
	memcpy(pi->saddr, pkt + 12, 4);
	memcpy(pi->daddr, pkt + 16, 4);
	if (get16(pkt + 6) & 0x3fff) /* MF or a fragment offset */
		return PKT_FRAGMENT;
	if (pkt[9] != IPV6_NH_TCP)
		return PKT_NOT_TCP;
	pi->tcp_off = ihl;
	return parse_tcp(pkt, pi);
}

static enum pkt_status parse_v6(const uint8_t *pkt, size_t len, struct pkt_info *pi)
{
	unsigned int off = 40, plen;
	uint8_t nh;

	if (len < 40)
		return PKT_BAD;
	pi->family = TOA_AF_INET6;
	plen = get16(pkt + 4);
	if (plen == 0)
		return PKT_UNSUPPORTED; /* jumbogram */
	pi->ip_len = 40 + plen;
	if (pi->ip_len > len)
		return PKT_BAD;
	memcpy(pi->saddr, pkt + 8, 16);
	memcpy(pi->daddr, pkt + 24, 16);
	nh = pkt[6];
	for (;;) {
		unsigned int hlen;

		switch (nh) {
		case IPV6_NH_TCP:
			pi->tcp_off = off;
			return parse_tcp(pkt, pi);
		case IPV6_NH_FRAGMENT:
			return PKT_FRAGMENT;
		case IPV6_NH_HOPOPTS:
		case IPV6_NH_ROUTING:
		case IPV6_NH_DSTOPTS:
			if (pi->ip_len < off + 8)
				return PKT_BAD;
			hlen = ((unsigned int)pkt[off + 1] + 1) * 8;
			if (pi->ip_len < off + hlen)
				return PKT_BAD;
			/* the pseudo-header would need the final address */
			if (nh == IPV6_NH_ROUTING && pkt[off + 3] != 0)
				return PKT_UNSUPPORTED;
			nh = pkt[off];
			off += hlen;
			break;
		default:
			return PKT_NOT_TCP;
		}
	}
}

enum pkt_status pkt_parse(const uint8_t *pkt, size_t len, struct pkt_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	if (len < 1)
		return PKT_BAD;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_v4(pkt, len, pi);
	case 6:
		return parse_v6(pkt, len, pi);
	}
	return PKT_BAD;
}

uint32_t pkt_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t pkt_ipv4_hdr_csum(const uint8_t *iph, unsigned int ihl_bytes)
{
	uint32_t sum;

	sum = pkt_csum_add(0, iph, 10); /* skip check at 10..11 */
	sum = pkt_csum_add(sum, iph + 12, ihl_bytes - 12);
	return (uint16_t)~pkt_csum_fold(sum);
}

/* Sum of the pseudo-header and the segment, check field excluded. */
static uint32_t tcp_sum(const uint8_t *pkt, const struct pkt_info *pi)
{
	const uint8_t *th = pkt + pi->tcp_off;
	uint8_t ph[8];
	uint32_t sum;

	if (pi->family == TOA_AF_INET) {
		sum = pkt_csum_add(0, pi->saddr, 4);
		sum = pkt_csum_add(sum, pi->daddr, 4);
		ph[0] = 0;
		ph[1] = IPV6_NH_TCP;
		put16(ph + 2, (uint16_t)pi->tcp_len);
		sum = pkt_csum_add(sum, ph, 4);
	} else {
		sum = pkt_csum_add(0, pi->saddr, 16);
		sum = pkt_csum_add(sum, pi->daddr, 16);
		ph[0] = (uint8_t)(pi->tcp_len >> 24);
		ph[1] = (uint8_t)(pi->tcp_len >> 16);
		ph[2] = (uint8_t)(pi->tcp_len >> 8);
		ph[3] = (uint8_t)pi->tcp_len;
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = IPV6_NH_TCP;
		sum = pkt_csum_add(sum, ph, 8);
	}
	sum = pkt_csum_add(sum, th, 16); /* check at 16..17 */
	return pkt_csum_add(sum, th + 18, pi->tcp_len - 18);
}

uint16_t pkt_tcp_csum(const uint8_t *pkt, const struct pkt_info *pi)
{
	return (uint16_t)~pkt_csum_fold(tcp_sum(pkt, pi));
}

void pkt_tcp_csum_update(uint8_t *pkt, const struct pkt_info *pi)
{
	put16(pkt + pi->tcp_off + 16, pkt_tcp_csum(pkt, pi));
}

int pkt_csum_ok(const uint8_t *pkt, const struct pkt_info *pi)
{
	uint32_t sum;

	if (pi->family == TOA_AF_INET && pkt_ipv4_hdr_csum(pkt, pi->tcp_off) != get16(pkt + 10))
		return 0;
	/* a correct segment sums, check included, to 0xffff */
	sum = tcp_sum(pkt, pi);
	sum = pkt_csum_add(sum, pkt + pi->tcp_off + 16, 2);
	return pkt_csum_fold(sum) == 0xffff;
}

/* Refresh the IP length fields after the packet grew by @diff bytes. */
static void fix_ip_lengths(uint8_t *pkt, struct pkt_info *pi, unsigned int diff)
{
	pi->ip_len += diff;
	pi->tcp_len += diff;
	if (pi->family == TOA_AF_INET) {
		put16(pkt + 2, (uint16_t)pi->ip_len);
		put16(pkt + 10, pkt_ipv4_hdr_csum(pkt, pi->tcp_off));
	} else {
		put16(pkt + 4, (uint16_t)(pi->ip_len - 40));
	}
}

int pkt_insert_option(uint8_t *pkt, size_t *len, size_t cap, struct pkt_info *pi,
		      const uint8_t *opt, unsigned int optlen, enum pkt_where where)
{
	unsigned int th = pi->tcp_off, old_opts = pi->thl - PKT_TCP_HDR_MIN;
	unsigned int at, i;

	if (optlen == 0 || optlen % 4 || optlen > TOA_TCP_MAX_OPTION_SPACE)
		return -EINVAL;
	if (old_opts + optlen > TOA_TCP_MAX_OPTION_SPACE)
		return -ENOSPC;
	if (pi->ip_len + optlen > PKT_MAX_LEN || pi->ip_len + optlen > cap)
		return -EMSGSIZE;

	/* open a gap at the end of the TCP header (moves the payload) */
	memmove(pkt + th + pi->thl + optlen, pkt + th + pi->thl, pi->ip_len - th - pi->thl);
	if (where == PKT_OPT_FIRST) {
		at = th + PKT_TCP_HDR_MIN;
		memmove(pkt + at + optlen, pkt + at, old_opts);
	} else {
		at = th + pi->thl;
		/* bytes after an EOL are padding: make the list walkable */
		for (i = th + PKT_TCP_HDR_MIN; i < at;) {
			uint8_t kind = pkt[i];

			if (kind == TOA_TCPOPT_EOL) {
				memset(pkt + i, TOA_TCPOPT_NOP, at - i);
				break;
			}
			if (kind == TOA_TCPOPT_NOP || at - i < 2 || pkt[i + 1] < 2)
				i++;
			else
				i += pkt[i + 1];
		}
	}
	memcpy(pkt + at, opt, optlen);

	pi->thl += optlen;
	pkt[th + 12] = (uint8_t)(((pi->thl / 4) << 4) | (pkt[th + 12] & 0x0f));
	fix_ip_lengths(pkt, pi, optlen);
	pkt_tcp_csum_update(pkt, pi);
	*len = pi->ip_len;
	return 0;
}

/* Offset of the MSS option value, 0 if absent, -1 if the list is broken. */
static int find_mss(const uint8_t *pkt, const struct pkt_info *pi)
{
	unsigned int i = pi->tcp_off + PKT_TCP_HDR_MIN;
	unsigned int end = pi->tcp_off + pi->thl;

	while (i < end) {
		uint8_t kind = pkt[i], olen;

		if (kind == TOA_TCPOPT_EOL)
			return 0;
		if (kind == TOA_TCPOPT_NOP) {
			i++;
			continue;
		}
		if (end - i < 2)
			return -1;
		olen = pkt[i + 1];
		if (olen < 2 || olen > end - i)
			return -1;
		if (kind == TCPOPT_MSS && olen == TCPOLEN_MSS)
			return (int)(i + 2);
		i += olen;
	}
	return 0;
}

unsigned int pkt_get_mss(const uint8_t *pkt, const struct pkt_info *pi)
{
	int at = find_mss(pkt, pi);

	return at > 0 ? get16(pkt + at) : 0;
}

int pkt_clamp_mss(uint8_t *pkt, const struct pkt_info *pi, unsigned int by)
{
	int at = find_mss(pkt, pi);
	unsigned int mss;

	if (at < 0)
		return -EINVAL;
	if (at == 0)
		return 0;
	mss = get16(pkt + at);
	if (mss <= by + 64)
		return 0;
	put16(pkt + at, (uint16_t)(mss - by));
	pkt_tcp_csum_update(pkt, pi);
	return 1;
}
