// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - the per-packet decision of toa-inject. See inject.h.
 *
 * Flows are one direction of a connection (the 5-tuple as the packet
 * carries it). A client SYN (SYN without ACK) starts or restarts a flow and
 * records its ISN; a SYN-ACK marks the reverse direction as the server's,
 * which never gets an option. A non-SYN packet of an unknown flow starts
 * one too ("joined": the queue rule may well skip SYNs, as tests/vm's
 * lb_queue does), taking its own seq as ISN + 1. The non-SYN packets of a
 * flow are numbered from 1 and the mode picks which get the option. FIN
 * and RST close a flow: the FIN packet itself is still considered (a
 * data+FIN first packet gets its option), then nothing more until a new
 * SYN or the entry expires.
 *
 * Without its SYN, a new connection on the same 5-tuple (a client port
 * used again, as soon as its TIME_WAIT ends or an RST cut it short) is
 * told by its sequence numbers: a closed flow's own packets never go past
 * the FIN, a live flow's stay near what was seen, while a new connection
 * starts at a random ISN. Such a packet starts the flow afresh (joined).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "inject.h"
#include "udp.h"

const char *const inject_malform_names[INJECT_MAL_COUNT] = {
	[INJECT_MAL_NONE] = "none",
	[INJECT_MAL_TRUNCATED] = "truncated",
	[INJECT_MAL_BADLEN] = "badlen",
	[INJECT_MAL_ZERO_PORT] = "zero-port",
	[INJECT_MAL_ZERO_ADDR] = "zero-addr",
	[INJECT_MAL_SHORT] = "short",
	[INJECT_MAL_OPP_VERSION] = "opp-version",
	[INJECT_MAL_OPP_PROTO] = "opp-proto",
	[INJECT_MAL_OPP_LENGTH] = "opp-length",
	[INJECT_MAL_OPP_CSUM] = "opp-csum",
	[INJECT_MAL_TWICE] = "twice",
};

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void inject_config_init(struct inject_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->format = -1;
	cfg->mode = INJECT_MODE_ACK;
	cfg->first_n = 1;
	cfg->max_flows = FLOW_DEFAULT_SIZE;
	cfg->timeout_s = FLOW_DEFAULT_TIMEOUT_MS / 1000;
}

unsigned int inject_malform_option(enum inject_malform m, const uint8_t *opt, unsigned int n,
				   uint8_t nop, uint8_t *out, enum pkt_where *where)
{
	*where = PKT_OPT_FIRST;
	switch (m) {
	case INJECT_MAL_TRUNCATED:
		/* claims the full length, only 4 bytes are there */
		memcpy(out, opt, 4);
		*where = PKT_OPT_LAST;
		return 4;
	case INJECT_MAL_BADLEN:
		out[0] = opt[0];
		out[1] = 1;
		out[2] = 0;
		out[3] = 0;
		*where = PKT_OPT_LAST;
		return 4;
	case INJECT_MAL_SHORT:
		memcpy(out, opt, 7);
		out[1] = 7;
		out[7] = nop;
		return 8;
	default:
		memcpy(out, opt, n);
		return n;
	}
}

unsigned int inject_build_option(const struct inject_config *cfg, const struct pkt_info *pi,
				 uint8_t *out, enum pkt_where *where)
{
	struct toa_client c;
	uint16_t fam = (uint16_t)pi->family;
	const uint8_t *a = pi->saddr;
	enum toa_format f;
	uint8_t opt[TOA_OPT_LEN_V6];
	unsigned int n;

	memset(&c, 0, sizeof(c));
	if (cfg->have_addr) {
		fam = cfg->addr_family;
		a = cfg->addr;
	}
	c.port = cfg->have_port ? cfg->port : pi->sport;
	if (cfg->format >= 0)
		f = (enum toa_format)cfg->format;
	else
		f = fam == TOA_AF_INET ? TOA_FMT_254_V4 : TOA_FMT_254_V6;

	c.family = toa_formats[f].family;
	if (c.family == fam) {
		memcpy(c.addr, a, fam == TOA_AF_INET ? 4 : 16);
	} else if (c.family == TOA_AF_INET6) {
		/* IPv4 client in a 20-byte format: ::ffff:a.b.c.d */
		memcpy(c.addr, v4mapped_prefix, 12);
		memcpy(c.addr + 12, a, 4);
	} else if (!memcmp(a, v4mapped_prefix, 12)) {
		memcpy(c.addr, a + 12, 4); /* mapped IPv6 -> IPv4 */
	} else {
		return 0;
	}

	switch (cfg->malform) {
	case INJECT_MAL_ZERO_PORT:
		c.port = 0;
		break;
	case INJECT_MAL_ZERO_ADDR:
		memset(c.addr, 0, sizeof(c.addr));
		break;
	default:
		break;
	}
	n = toa_encode_option(opt, f, &c);
	if (!n)
		return 0;
	if (cfg->malform == INJECT_MAL_TWICE) {
		/* a forged option ahead of the balancer's, or a balancer
		 * behind another: two honoured options in one segment */
		memcpy(out, opt, n);
		memcpy(out + n, opt, n);
		*where = PKT_OPT_FIRST;
		return 2 * n;
	}

	return inject_malform_option(cfg->malform, opt, n, TOA_TCPOPT_NOP, out, where);
}

static void fmt_ep(char *buf, size_t size, int family, const uint8_t *addr, uint16_t port_be)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == TOA_AF_INET ? AF_INET : AF_INET6, addr, a, sizeof(a));
	snprintf(buf, size, family == TOA_AF_INET ? "%s:%u" : "[%s]:%u", a, ntohs(port_be));
}

static void log_packet(FILE *log, const struct pkt_info *pi, const char *what, const uint8_t *opt,
		       unsigned int optlen)
{
	char s[64], d[64];
	unsigned int i;

	fmt_ep(s, sizeof(s), pi->family, pi->saddr, pi->sport);
	fmt_ep(d, sizeof(d), pi->family, pi->daddr, pi->dport);
	fprintf(log, "toa-inject: %s > %s seq=%u %s", s, d, pi->seq, what);
	for (i = 0; i < optlen; i++)
		fprintf(log, "%s%02x", i ? "" : " ", opt[i]);
	fputc('\n', log);
}

static int want_option(const struct inject_config *cfg, const struct flow *f,
		       const struct pkt_info *pi)
{
	switch (cfg->mode) {
	case INJECT_MODE_ACK:
		return f->packets == 1;
	case INJECT_MODE_FIRST:
		return f->packets <= cfg->first_n;
	case INJECT_MODE_EVERY:
		return 1;
	case INJECT_MODE_SEQ:
		return pi->seq == f->isn + 1;
	case INJECT_MODE_SYN:
		return 0; /* see insert_into_syn() */
	}
	return 0;
}

/* How far from the end of the sequence space seen a live flow's packet
 * may start and still be that flow's. Ahead: packets queued to us that we
 * never got (a full netlink socket drops them) leave such gaps, and the
 * netlink buffer holds at most about this much. Behind: retransmissions,
 * once the flow has sent more than 4 GiB and the space has wrapped. A new
 * connection's random ISN lands in the window with a chance of 2^-11. */
#define FLOW_SEQ_SLACK (1u << 20)

/* Whether @seq belongs to flow @f (see the top of this file). */
static int flow_owns_seq(const struct flow *f, uint32_t seq)
{
	if (seq - f->isn <= f->snd_end - f->isn)
		return 1; /* inside the space it has used */
	if (f->state == FLOW_CLOSED)
		return 0; /* nothing comes after a FIN or an RST */
	return seq - f->snd_end <= FLOW_SEQ_SLACK || f->snd_end - seq <= FLOW_SEQ_SLACK;
}

/* Records the sequence space the packet @pi uses in flow @f. */
static void flow_note_seq(struct flow *f, const struct pkt_info *pi)
{
	uint32_t end = pi->seq + (pi->tcp_len - pi->thl);

	if (pi->flags & (PKT_TCP_SYN | PKT_TCP_FIN))
		end++;
	if ((int32_t)(end - f->snd_end) > 0)
		f->snd_end = end;
}

/* Writes the option into the segment @pi describes; whether it did (the
 * counters say why not). */
static int insert_option(const struct inject_config *cfg, struct inject_counters *c,
			 struct pkt_info *pi, uint8_t *pkt, size_t *len, size_t cap, FILE *log)
{
	uint8_t opt[TOA_TCP_MAX_OPTION_SPACE];
	enum pkt_where where;
	unsigned int optlen;

	optlen = inject_build_option(cfg, pi, opt, &where);
	if (!optlen) {
		c->unfit++;
		return 0;
	}
	if (pkt_insert_option(pkt, len, cap, pi, opt, optlen, where)) {
		c->no_room++;
		if (log)
			log_packet(log, pi, "no room", NULL, 0);
		return 0;
	}
	c->injected++;
	if (log)
		log_packet(log, pi, "+", opt, optlen);
	return 1;
}

static enum inject_action pass(struct inject_counters *c)
{
	c->passed++;
	return INJECT_PASS;
}

enum inject_action inject_packet(const struct inject_config *cfg, struct flow_table *flows,
				 struct inject_counters *c, uint64_t now_ms, uint8_t *pkt,
				 size_t *len, size_t cap, FILE *log)
{
	return inject_packet_from(cfg, flows, c, now_ms, pkt, len, cap, log, NULL);
}

enum inject_action inject_packet_from(const struct inject_config *cfg, struct flow_table *flows,
				      struct inject_counters *c, uint64_t now_ms, uint8_t *pkt,
				      size_t *len, size_t cap, FILE *log,
				      const struct inject_origin *orig)
{
	struct pkt_info pi;
	struct flow_key k;
	struct flow *f;
	uint8_t opt[TOA_TCP_MAX_OPTION_SPACE];
	enum pkt_where where;
	unsigned int optlen;
	int reused;
	enum inject_action act = INJECT_PASS;

	c->seen++;
	if (udp_is_udp(pkt, *len))
		return inject_udp(cfg, flows, c, now_ms, pkt, len, cap, log, orig);
	if (pkt_parse(pkt, *len, &pi) != PKT_OK) {
		c->unparsed++;
		return pass(c);
	}
	if (!pkt_csum_ok(pkt, &pi)) {
		c->bad_csum++;
		if (log)
			log_packet(log, &pi, "bad checksum, untouched", NULL, 0);
		return pass(c);
	}

	memset(&k, 0, sizeof(k));
	k.family = (uint16_t)pi.family;
	k.sport = pi.sport;
	k.dport = pi.dport;
	memcpy(k.saddr, pi.saddr, sizeof(k.saddr));
	memcpy(k.daddr, pi.daddr, sizeof(k.daddr));

	if (pi.flags & PKT_TCP_SYN) {
		f = NULL;
		if (!(pi.flags & PKT_TCP_RST)) {
			f = flow_insert(flows, &k, now_ms);
			f->isn = pi.seq;
			f->snd_end = pi.seq + 1;
			if (pi.flags & PKT_TCP_ACK) {
				f->state = FLOW_SERVER;
			} else {
				f->state = FLOW_CLIENT;
				c->flows++;
			}
		}
		if (cfg->mss_clamp) {
			optlen = inject_build_option(cfg, &pi, opt, &where);
			if (optlen && pkt_clamp_mss(pkt, &pi, optlen) > 0) {
				c->clamped++;
				act = INJECT_MODIFIED;
				if (log)
					log_packet(log, &pi, "mss clamped", NULL, 0);
			}
		}
		if (cfg->mode == INJECT_MODE_SYN && f && f->state == FLOW_CLIENT &&
		    insert_option(cfg, c, &pi, pkt, len, cap, log)) {
			f->injected++;
			act = INJECT_MODIFIED;
		}
		return act == INJECT_MODIFIED ? act : pass(c);
	}

	f = flow_lookup(flows, &k, now_ms);
	reused = f && f->state != FLOW_SERVER && !flow_owns_seq(f, pi.seq);
	if (!f || reused) {
		if (pi.flags & PKT_TCP_RST)
			return pass(c);		    /* starts nothing, so counts as no flow */
		f = flow_insert(flows, &k, now_ms); /* joined */
		f->state = FLOW_CLIENT;
		f->isn = pi.seq - 1;
		f->snd_end = pi.seq;
		c->flows++;
		c->reused += reused; /* the 5-tuple's next connection */
	}
	f->last_ms = now_ms;
	if (f->state != FLOW_CLIENT)
		return pass(c);
	flow_note_seq(f, &pi);
	if (pi.flags & PKT_TCP_RST) {
		f->state = FLOW_CLOSED;
		return pass(c);
	}
	f->packets++;
	if (want_option(cfg, f, &pi) && insert_option(cfg, c, &pi, pkt, len, cap, log)) {
		f->injected++;
		act = INJECT_MODIFIED;
	}
	if (pi.flags & PKT_TCP_FIN)
		f->state = FLOW_CLOSED;
	return act == INJECT_MODIFIED ? act : pass(c);
}

void inject_counters_format(const struct inject_counters *c, char *buf, size_t size)
{
	snprintf(buf, size,
		 "seen=%lu injected=%lu clamped=%lu passed=%lu no-room=%lu "
		 "unfit=%lu unparsed=%lu bad-csum=%lu flows=%lu reused=%lu",
		 c->seen, c->injected, c->clamped, c->passed, c->no_room, c->unfit, c->unparsed,
		 c->bad_csum, c->flows, c->reused);
}
