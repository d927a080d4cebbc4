// SPDX-License-Identifier: GPL-2.0
/*
 * flow.c - a small, bounded table of TCP flows for toa-inject. See flow.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

static uint32_t flow_hash(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*k); i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

static int flow_live(const struct flow_table *t, const struct flow *f, uint64_t now_ms)
{
	return f->used && now_ms - f->last_ms <= t->timeout_ms;
}

int flow_table_init(struct flow_table *t, unsigned int size, uint64_t timeout_ms)
{
	unsigned int n = FLOW_PROBE;

	while (n < size && n < (1u << 24))
		n <<= 1;
	memset(t, 0, sizeof(*t));
	t->slots = calloc(n, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->size = n;
	t->timeout_ms = timeout_ms;
	return 0;
}

void flow_table_free(struct flow_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k, uint64_t now_ms)
{
	uint32_t h = flow_hash(k);
	unsigned int i;

	for (i = 0; i < FLOW_PROBE; i++) {
		struct flow *f = &t->slots[(h + i) & (t->size - 1)];

		if (f->used && !memcmp(&f->key, k, sizeof(*k))) {
			if (flow_live(t, f, now_ms))
				return f;
			flow_remove(t, f);
			return NULL;
		}
	}
	return NULL;
}

struct flow *flow_insert(struct flow_table *t, const struct flow_key *k, uint64_t now_ms)
{
	uint32_t h = flow_hash(k);
	struct flow *victim = NULL, *f;
	unsigned int i;

	for (i = 0; i < FLOW_PROBE; i++) {
		f = &t->slots[(h + i) & (t->size - 1)];
		if (f->used && !memcmp(&f->key, k, sizeof(*k))) {
			victim = f; /* same flow again: reset it */
			break;
		}
		if (!flow_live(t, f, now_ms)) {
			if (!victim || flow_live(t, victim, now_ms))
				victim = f; /* free or expired beats live */
		} else if (!victim ||
			   (flow_live(t, victim, now_ms) && f->last_ms < victim->last_ms)) {
			victim = f;
		}
	}
	if (flow_live(t, victim, now_ms) && memcmp(&victim->key, k, sizeof(*k)))
		t->evicted++;
	if (!victim->used)
		t->count++;
	memset(victim, 0, sizeof(*victim));
	victim->key = *k;
	victim->used = 1;
	victim->last_ms = now_ms;
	return victim;
}

void flow_remove(struct flow_table *t, struct flow *f)
{
	if (f->used)
		t->count--;
	memset(f, 0, sizeof(*f));
}
