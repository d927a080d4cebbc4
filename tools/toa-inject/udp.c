// SPDX-License-Identifier: GPL-2.0
/*
 * udp.c - the UDP side of toa-inject. See udp.h; the wire formats and the
 * option encoder are include/toa/uoa.h's, the ones toa.ko parses with.
 *
 * A UDP flow is one direction of a 5-tuple; its first datagram starts it
 * (UDP has no handshake), and its datagrams are numbered from 1 for
 * --mode. The client is what the balancer knows: --client if forged, else
 * the conntrack original source that nfq.c passes in (the queue may sit
 * after SNAT, where the packet no longer carries it), else the packet's
 * source.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <toa/uoa.h>

#include "udp.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int udp_is_udp(const uint8_t *pkt, size_t len)
{
	if (len >= 20 && (pkt[0] >> 4) == 4)
		return pkt[9] == 17;
	if (len >= 40 && (pkt[0] >> 4) == 6)
		return pkt[6] == 17;
	return 0;
}

enum pkt_status udp_parse(const uint8_t *pkt, size_t len, struct udp_info *ui)
{
	memset(ui, 0, sizeof(*ui));
	if (len < 1)
		return PKT_BAD;
	if ((pkt[0] >> 4) == 4) {
		unsigned int ihl = (unsigned int)(pkt[0] & 0x0f) * 4;

		if (len < 20 || ihl < 20 || ihl > len)
			return PKT_BAD;
		ui->family = TOA_AF_INET;
		ui->ip_len = get16(pkt + 2);
		if (ui->ip_len < ihl || ui->ip_len > len)
			return PKT_BAD;
		if (get16(pkt + 6) & 0x3fff)
			return PKT_FRAGMENT;
		if (pkt[9] != 17)
			return PKT_NOT_TCP;
		memcpy(ui->saddr, pkt + 12, 4);
		memcpy(ui->daddr, pkt + 16, 4);
		ui->udp_off = ihl;
	} else if ((pkt[0] >> 4) == 6) {
		if (len < 40)
			return PKT_BAD;
		ui->family = TOA_AF_INET6;
		if (get16(pkt + 4) == 0)
			return PKT_UNSUPPORTED; /* jumbogram */
		ui->ip_len = 40 + get16(pkt + 4);
		if (ui->ip_len > len)
			return PKT_BAD;
		if (pkt[6] == 44)
			return PKT_FRAGMENT;
		if (pkt[6] != 17)
			return pkt[6] == 0 || pkt[6] == 43 || pkt[6] == 60 ? PKT_UNSUPPORTED
									   : PKT_NOT_TCP;
		memcpy(ui->saddr, pkt + 8, 16);
		memcpy(ui->daddr, pkt + 24, 16);
		ui->udp_off = 40;
	} else {
		return PKT_BAD;
	}
	if (ui->ip_len < ui->udp_off + 8)
		return PKT_BAD;
	ui->udp_len = ui->ip_len - ui->udp_off;
	if (get16(pkt + ui->udp_off + 4) != ui->udp_len)
		return PKT_BAD;
	memcpy(&ui->sport, pkt + ui->udp_off, 2);
	memcpy(&ui->dport, pkt + ui->udp_off + 2, 2);
	return PKT_OK;
}

/* Pseudo-header + datagram, the check field (bytes 6..7) left out. */
static uint32_t udp_sum(const uint8_t *pkt, const struct udp_info *ui)
{
	const uint8_t *uh = pkt + ui->udp_off;
	unsigned int alen = ui->family == TOA_AF_INET ? 4 : 16;
	uint8_t ph[4] = { 0, 0, 0, 17 };
	uint32_t sum;

	sum = pkt_csum_add(0, ui->saddr, alen);
	sum = pkt_csum_add(sum, ui->daddr, alen);
	/* IPv4: zero, protocol, length; IPv6: 32-bit length, zeros, next
	 * header. Both sum to length + 17. */
	sum = pkt_csum_add(sum, ph, 4);
	put16(ph, (uint16_t)ui->udp_len);
	sum = pkt_csum_add(sum, ph, 2);
	sum = pkt_csum_add(sum, uh, 6);
	return pkt_csum_add(sum, uh + 8, ui->udp_len - 8);
}

uint16_t udp_csum(const uint8_t *pkt, const struct udp_info *ui)
{
	uint16_t c = (uint16_t)~pkt_csum_fold(udp_sum(pkt, ui));

	return c ? c : 0xffff;
}

int udp_csum_ok(const uint8_t *pkt, const struct udp_info *ui)
{
	uint16_t stored = get16(pkt + ui->udp_off + 6);
	uint32_t sum;

	if (ui->family == TOA_AF_INET && pkt_ipv4_hdr_csum(pkt, ui->udp_off) != get16(pkt + 10))
		return 0;
	if (ui->family == TOA_AF_INET && stored == 0)
		return 1;
	sum = pkt_csum_add(udp_sum(pkt, ui), pkt + ui->udp_off + 6, 2);
	return pkt_csum_fold(sum) == 0xffff;
}

int udp_insert_ipopt(uint8_t *pkt, size_t *len, size_t cap, struct udp_info *ui, const uint8_t *opt,
		     unsigned int optlen, enum pkt_where where)
{
	unsigned int ihl = ui->udp_off, old = ihl - 20, at, i;

	if (ui->family != TOA_AF_INET || optlen == 0 || optlen % 4 ||
	    optlen > UOA_IP_MAX_OPTION_SPACE)
		return -EINVAL;
	if (old + optlen > UOA_IP_MAX_OPTION_SPACE)
		return -ENOSPC;
	if (ui->ip_len + optlen > PKT_MAX_LEN || ui->ip_len + optlen > cap)
		return -EMSGSIZE;

	memmove(pkt + ihl + optlen, pkt + ihl, ui->ip_len - ihl);
	if (where == PKT_OPT_FIRST) {
		at = 20;
		memmove(pkt + at + optlen, pkt + at, old);
	} else {
		at = ihl;
		/* bytes after an EOL are padding: make the list walkable */
		for (i = 20; i < at;) {
			if (pkt[i] == UOA_IPOPT_EOL) {
				memset(pkt + i, UOA_IPOPT_NOP, at - i);
				break;
			}
			if (pkt[i] == UOA_IPOPT_NOP || at - i < 2 || pkt[i + 1] < 2)
				i++;
			else
				i += pkt[i + 1];
		}
	}
	memcpy(pkt + at, opt, optlen);

	ui->udp_off += optlen;
	ui->ip_len += optlen;
	pkt[0] = (uint8_t)(0x40 | (ui->udp_off / 4));
	put16(pkt + 2, (uint16_t)ui->ip_len);
	put16(pkt + 10, pkt_ipv4_hdr_csum(pkt, ui->udp_off));
	*len = ui->ip_len;
	return 0;
}

int udp_wrap_opp(uint8_t *pkt, size_t *len, size_t cap, struct udp_info *ui, const uint8_t *wrapper,
		 unsigned int wlen)
{
	unsigned int at = ui->udp_off;

	if (wlen == 0 || wlen > UOA_OPP_MAX_LEN)
		return -EINVAL;
	if (ui->ip_len + wlen > PKT_MAX_LEN || ui->ip_len + wlen > cap)
		return -EMSGSIZE;
	memmove(pkt + at + wlen, pkt + at, ui->ip_len - at);
	memcpy(pkt + at, wrapper, wlen);
	ui->udp_off += wlen;
	ui->ip_len += wlen;
	if (ui->family == TOA_AF_INET) {
		pkt[9] = UOA_OPP_PROTO;
		put16(pkt + 2, (uint16_t)ui->ip_len);
		put16(pkt + 10, pkt_ipv4_hdr_csum(pkt, at));
	} else {
		pkt[6] = UOA_OPP_PROTO;
		put16(pkt + 4, (uint16_t)(ui->ip_len - 40));
	}
	*len = ui->ip_len;
	return 0;
}

unsigned int udp_build_option(const struct inject_config *cfg, const struct udp_info *ui,
			      const struct inject_origin *orig, uint8_t *out, enum pkt_where *where)
{
	uint16_t fam = (uint16_t)ui->family;
	const uint8_t *a = ui->saddr;
	struct uoa_client c;
	uint8_t opt[UOA_OPT_LEN_V6];
	unsigned int n;

	memset(&c, 0, sizeof(c));
	if (cfg->have_addr) {
		fam = cfg->addr_family;
		a = cfg->addr;
	} else if (orig) {
		fam = orig->family;
		a = orig->addr;
	}
	c.port = cfg->have_port ? cfg->port : orig ? orig->port : ui->sport;
	/* --format picks the length: 20 carries an IPv4 client mapped */
	c.family = fam;
	if (cfg->format >= 0)
		c.family = toa_formats[cfg->format].family;
	if (c.family == fam) {
		memcpy(c.addr, a, fam == TOA_AF_INET ? 4 : 16);
	} else if (c.family == TOA_AF_INET6) {
		memcpy(c.addr, v4mapped_prefix, 12);
		memcpy(c.addr + 12, a, 4);
	} else if (!memcmp(a, v4mapped_prefix, 12)) {
		memcpy(c.addr, a + 12, 4);
	} else {
		return 0;
	}
	if (cfg->malform == INJECT_MAL_ZERO_PORT)
		c.port = 0;
	if (cfg->malform == INJECT_MAL_ZERO_ADDR)
		memset(c.addr, 0, sizeof(c.addr));
	n = uoa_encode_option(opt, &c);

	return inject_malform_option(cfg->malform, opt, n, UOA_IPOPT_NOP, out, where);
}

int udp_use_opp(const struct inject_config *cfg, const struct udp_info *ui)
{
	return cfg->uoa_mode == INJECT_UOA_PROTO248 || ui->family == TOA_AF_INET6 ||
	       cfg->malform == INJECT_MAL_OPP_VERSION || cfg->malform == INJECT_MAL_OPP_PROTO ||
	       cfg->malform == INJECT_MAL_OPP_LENGTH || cfg->malform == INJECT_MAL_OPP_CSUM;
}

/* The wrapper for option @opt (what version says: the client's family). */
static unsigned int build_opp(const struct inject_config *cfg, const uint8_t *opt,
			      unsigned int optlen, uint8_t *out)
{
	uint8_t ver = optlen == UOA_OPT_LEN_V6 ? UOA_OPP_VER_V6 : UOA_OPP_VER_V4;
	unsigned int wlen = UOA_OPP_HDR_LEN + optlen;

	uoa_encode_opp(out, ver, 17, optlen);
	memcpy(out + UOA_OPP_HDR_LEN, opt, optlen);
	switch (cfg->malform) {
	case INJECT_MAL_OPP_VERSION:
		out[0] = 3 << 4;
		break;
	case INJECT_MAL_OPP_PROTO:
		out[1] = 6;
		break;
	case INJECT_MAL_OPP_LENGTH:
		put16(out + 2, (uint16_t)(wlen + 4)); /* into the UDP header */
		break;
	default:
		break;
	}
	return wlen;
}

/*
 * Makes the UDP checksum wrong, and not 0 (an IPv4 datagram without one)
 * nor the other encoding of the right one (0xffff for 0): a datagram a
 * router corrupted, or a balancer that summed it before wrapping.
 */
static void break_udp_csum(uint8_t *pkt, const struct udp_info *ui)
{
	uint8_t *check = pkt + ui->udp_off + 6;
	uint16_t bad = get16(check) ^ 0x0101;

	if (bad == 0 || bad == 0xffff)
		bad ^= 0x0303;
	put16(check, bad);
}

static void log_udp(FILE *log, const struct udp_info *ui, const char *what, const uint8_t *b,
		    unsigned int n)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = ui->family == TOA_AF_INET ? AF_INET : AF_INET6;
	unsigned int i;

	inet_ntop(af, ui->saddr, s, sizeof(s));
	inet_ntop(af, ui->daddr, d, sizeof(d));
	fprintf(log,
		af == AF_INET ? "toa-inject: udp %s:%u > %s:%u %s"
			      : "toa-inject: udp [%s]:%u > [%s]:%u %s",
		s, ntohs(ui->sport), d, ntohs(ui->dport), what);
	for (i = 0; i < n; i++)
		fprintf(log, "%s%02x", i ? "" : " ", b[i]);
	fputc('\n', log);
}

static int want_option(const struct inject_config *cfg, const struct flow *f)
{
	switch (cfg->mode) {
	case INJECT_MODE_FIRST:
		return f->packets <= cfg->first_n;
	case INJECT_MODE_EVERY:
		return 1;
	case INJECT_MODE_ACK:
	case INJECT_MODE_SEQ:
	case INJECT_MODE_SYN:
		break;
	}
	return f->packets == 1;
}

enum inject_action inject_udp(const struct inject_config *cfg, struct flow_table *flows,
			      struct inject_counters *c, uint64_t now_ms, uint8_t *pkt, size_t *len,
			      size_t cap, FILE *log, const struct inject_origin *orig)
{
	uint8_t opt[UOA_OPT_LEN_V6], w[UOA_OPP_MAX_LEN];
	enum pkt_where where;
	struct udp_info ui;
	struct flow_key k;
	struct flow *f;
	unsigned int n, wlen = 0;
	int err, opp;

	if (udp_parse(pkt, *len, &ui) != PKT_OK) {
		c->unparsed++;
		c->passed++;
		return INJECT_PASS;
	}
	if (!udp_csum_ok(pkt, &ui)) {
		c->bad_csum++;
		c->passed++;
		if (log)
			log_udp(log, &ui, "bad checksum, untouched", NULL, 0);
		return INJECT_PASS;
	}

	memset(&k, 0, sizeof(k));
	k.family = (uint16_t)ui.family;
	k.sport = ui.sport;
	k.dport = ui.dport;
	k.proto = 17;
	memcpy(k.saddr, ui.saddr, sizeof(k.saddr));
	memcpy(k.daddr, ui.daddr, sizeof(k.daddr));
	f = flow_lookup(flows, &k, now_ms);
	if (!f) {
		f = flow_insert(flows, &k, now_ms);
		f->state = FLOW_CLIENT;
		c->flows++;
	}
	f->last_ms = now_ms;
	f->packets++;
	if (!want_option(cfg, f)) {
		c->passed++;
		return INJECT_PASS;
	}

	n = udp_build_option(cfg, &ui, orig, opt, &where);
	if (!n) {
		c->unfit++;
		c->passed++;
		return INJECT_PASS;
	}
	opp = udp_use_opp(cfg, &ui);
	if (opp) {
		wlen = build_opp(cfg, opt, n, w);
		err = udp_wrap_opp(pkt, len, cap, &ui, w, wlen);
		if (!err && cfg->malform == INJECT_MAL_OPP_CSUM)
			break_udp_csum(pkt, &ui);
	} else {
		err = udp_insert_ipopt(pkt, len, cap, &ui, opt, n, where);
	}
	if (err) {
		c->no_room++;
		c->passed++;
		if (log)
			log_udp(log, &ui, "no room", NULL, 0);
		return INJECT_PASS;
	}
	f->injected++;
	c->injected++;
	if (log)
		log_udp(log, &ui, opp ? "+248" : "+ipopt", opp ? w : opt, opp ? wlen : n);
	return INJECT_MODIFIED;
}
