/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inject.h - what toa-inject does to one queued packet: its configuration,
 * counters, the option it builds and the per-flow decision. No I/O except
 * the optional verbose log stream.
 */
#ifndef TOA_INJECT_INJECT_H
#define TOA_INJECT_INJECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <toa/wire.h>

#include "flow.h"
#include "packet.h"

#ifdef __cplusplus
extern "C" {
#endif

enum inject_mode {
	INJECT_MODE_ACK = 0, /* the first non-SYN packet of each flow */
	INJECT_MODE_FIRST,   /* the first N non-SYN packets */
	INJECT_MODE_EVERY,   /* every non-SYN packet */
	INJECT_MODE_SEQ,     /* every non-SYN packet with seq == ISN + 1
				 * (the handshake ACK and first data segment,
				 * retransmissions too: what DPVS does) */
	INJECT_MODE_SYN,     /* the client's SYN only, never the packets a
				 * backend reads TOA from: a balancer that got
				 * it wrong, or a forger's (UDP: as ack) */
};

enum inject_malform {
	INJECT_MAL_NONE = 0,
	INJECT_MAL_TRUNCATED, /* kind, TOA len, port: runs past the end */
	INJECT_MAL_BADLEN,    /* kind, len 1 */
	INJECT_MAL_ZERO_PORT, /* well formed, port 0 */
	INJECT_MAL_ZERO_ADDR, /* well formed, address 0.0.0.0 / :: */
	INJECT_MAL_SHORT,     /* kind, len 7: no TOA length, plus a NOP */
	/* UDP protocol-248 wrappers only (they imply --uoa-mode proto248;
	 * TCP gets a normal option): */
	INJECT_MAL_OPP_VERSION, /* wrapper version 3 */
	INJECT_MAL_OPP_PROTO,	/* wrapper next protocol 6 (TCP) */
	INJECT_MAL_OPP_LENGTH,	/* wrapper length running into the UDP header */
	INJECT_MAL_OPP_CSUM,	/* a wrong checksum in the wrapped UDP header */
	/* TCP only (UDP gets a normal option): */
	INJECT_MAL_TWICE, /* the same well-formed option two times */
	INJECT_MAL_COUNT
};

/* How a UDP datagram carries the client (include/toa/uoa.h). */
enum inject_uoa_mode {
	INJECT_UOA_IPOPT = 0, /* an IPv4 header option (IPv6: proto248) */
	INJECT_UOA_PROTO248,  /* a protocol-248 wrapper */
};

/* What the balancer's own connection table (conntrack) knows of a packet:
 * the client of its flow, before any NAT. */
struct inject_origin {
	uint16_t family; /* TOA_AF_INET / TOA_AF_INET6 */
	uint16_t port;	 /* network byte order */
	uint8_t addr[16];
};

extern const char *const inject_malform_names[INJECT_MAL_COUNT];

struct inject_config {
	unsigned int queue;
	int format;	      /* enum toa_format, or -1: by address family */
	int have_addr;	      /* forge the address (--client ADDR) */
	uint16_t addr_family; /* TOA_AF_INET / TOA_AF_INET6 */
	uint8_t addr[16];
	int have_port; /* forge the port (--client A:P, --client-port) */
	uint16_t port; /* network byte order */
	enum inject_mode mode;
	unsigned int first_n; /* INJECT_MODE_FIRST */
	enum inject_malform malform;
	unsigned long count; /* exit after this many injections, 0: never */
	int mss_clamp;
	int verbose;
	unsigned int max_flows;
	unsigned int timeout_s;
	enum inject_uoa_mode uoa_mode; /* UDP datagrams */
};

struct inject_counters {
	unsigned long seen;	/* packets queued to us */
	unsigned long injected; /* packets that got an option */
	unsigned long clamped;	/* SYNs whose MSS was lowered */
	unsigned long passed;	/* packets returned unchanged (all below) */
	unsigned long no_room;	/* wanted an option, option space full */
	unsigned long unfit;	/* IPv6 client, 8-byte format: not encodable */
	unsigned long unparsed; /* not TCP, fragments, broken headers */
	unsigned long bad_csum; /* arrived with a wrong checksum: untouched */
	unsigned long flows;	/* client flows started (SYN or joined) */
	unsigned long reused;	/* ... of them on the 5-tuple of a flow seen
				 * before, told apart by sequence numbers */
};

void inject_config_init(struct inject_config *cfg);

/*
 * The option bytes for a packet described by @pi (its source is the real
 * client unless @cfg forges it). Returns their length (a multiple of 4, at
 * most 20, or 40 for --malform twice) and sets *@where, or returns 0 when the client address does not
 * fit the format (IPv6 client, 8-byte format).
 */
unsigned int inject_build_option(const struct inject_config *cfg, const struct pkt_info *pi,
				 uint8_t *out, enum pkt_where *where);

/*
 * Copy the encoded option @opt (@n bytes) to @out, broken as --malform @m
 * asks (TCP and IP options share the shapes; @nop is the padding byte of
 * that option space). Returns the bytes written and sets *@where: broken
 * lengths go last, so they really run past the end of the option space.
 */
unsigned int inject_malform_option(enum inject_malform m, const uint8_t *opt, unsigned int n,
				   uint8_t nop, uint8_t *out, enum pkt_where *where);

enum inject_action {
	INJECT_PASS = 0,     /* hand the packet back unchanged */
	INJECT_MODIFIED = 1, /* the buffer holds a new packet: *len bytes */
};

/*
 * Decide about one queued packet and edit it in place (@cap bytes of
 * room). @log, if not NULL, gets one line per modified packet. TCP
 * segments get a TOA option; UDP datagrams a UOA option (udp.c).
 */
enum inject_action inject_packet(const struct inject_config *cfg, struct flow_table *flows,
				 struct inject_counters *c, uint64_t now_ms, uint8_t *pkt,
				 size_t *len, size_t cap, FILE *log);

/*
 * The same, knowing the packet's client from conntrack (@orig, NULL if
 * unknown): a UDP datagram queued after SNAT no longer carries it. Used
 * for UDP only, unless --client forges it.
 */
enum inject_action inject_packet_from(const struct inject_config *cfg, struct flow_table *flows,
				      struct inject_counters *c, uint64_t now_ms, uint8_t *pkt,
				      size_t *len, size_t cap, FILE *log,
				      const struct inject_origin *orig);

/* "seen=... injected=..." on one line, no newline. */
void inject_counters_format(const struct inject_counters *c, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* TOA_INJECT_INJECT_H */
