/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flow.h - a small, bounded table of TCP flows for toa-inject.
 *
 * Open addressing over a power-of-two array; a key lives in one of the
 * FLOW_PROBE slots after its hash, and lookups scan all of them, so a
 * removal just clears its slot (no tombstones). An entry idle longer than
 * the timeout is dead: lookups ignore it and inserts reuse it. A full probe
 * window evicts its least recently seen entry. No I/O; time is passed in.
 */
#ifndef TOA_INJECT_FLOW_H
#define TOA_INJECT_FLOW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FLOW_PROBE		8
#define FLOW_DEFAULT_SIZE	4096
#define FLOW_DEFAULT_TIMEOUT_MS 60000

/* One direction of a TCP connection or UDP flow: the client -> server
 * 5-tuple. */
struct flow_key {
	uint16_t family; /* TOA_AF_INET / TOA_AF_INET6 */
	uint16_t sport;	 /* network byte order */
	uint16_t dport;
	uint16_t proto; /* 0 for TCP, 17 for UDP (hashed as bytes) */
	uint8_t saddr[16];
	uint8_t daddr[16];
};

enum flow_state {
	FLOW_CLIENT = 1, /* client -> server: gets options */
	FLOW_SERVER,	 /* server -> client (began with a SYN-ACK) */
	FLOW_CLOSED,	 /* FIN or RST seen: remembered, never again */
};

struct flow {
	struct flow_key key;
	uint64_t last_ms;  /* last packet seen */
	uint32_t isn;	   /* the client's SYN sequence number (or the
				 * first seen packet's minus one) */
	uint32_t snd_end;  /* one past the highest sequence number the
				 * client has used (SYN, data and FIN count) */
	uint32_t packets;  /* non-SYN packets seen so far */
	uint32_t injected; /* options written into this flow */
	uint8_t used;
	uint8_t state; /* enum flow_state */
};

struct flow_table {
	struct flow *slots;
	unsigned int size;  /* power of two */
	unsigned int count; /* slots in use (live or expired) */
	uint64_t timeout_ms;
	unsigned long evicted; /* live entries pushed out by a full window */
};

/* @size is rounded up to a power of two (minimum FLOW_PROBE). 0 or -ENOMEM. */
int flow_table_init(struct flow_table *t, unsigned int size, uint64_t timeout_ms);
void flow_table_free(struct flow_table *t);

/* The live entry for @k, or NULL. */
struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k, uint64_t now_ms);

/* A fresh zeroed entry for @k (an existing one for @k is reset). */
struct flow *flow_insert(struct flow_table *t, const struct flow_key *k, uint64_t now_ms);

void flow_remove(struct flow_table *t, struct flow *f);

#ifdef __cplusplus
}
#endif

#endif /* TOA_INJECT_FLOW_H */
