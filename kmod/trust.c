// SPDX-License-Identifier: GPL-2.0
/*
 * Trusted-balancer allow-list.
 *
 * Anybody can put a TOA option in a packet, so a backend reachable from
 * anywhere but through the balancer can be lied to about who its client
 * is. When this list is set, options whose packet comes from any other
 * source address are ignored and counted (opt_untrusted). An empty list
 * trusts every source, which is what other TOA modules do and what keeps
 * an upgrade from them working unchanged.
 *
 * The list is replaced as a whole (RCU), so the packet path reads it
 * without locks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/mutex.h>

#include "toa.h"

#define TOA_TRUST_MAX	64

struct toa_cidr {
	u16 family;
	u8 prefix;
	u8 addr[16];
};

struct toa_trust_list {
	struct rcu_head rcu;
	unsigned int n;
	struct toa_cidr cidr[];
};

static struct toa_trust_list __rcu *toa_trust;
static DEFINE_MUTEX(toa_trust_lock);
/*
 * Set by toa_trust_exit(), under toa_trust_lock. The "trusted" file in
 * /sys/module/toa/parameters/ outlives module_exit: the module core
 * removes it only afterwards, in free_module(), and its writes take no
 * module reference. Without this, a write landing between
 * toa_trust_exit() and that removal would install a list nobody frees.
 */
static bool toa_trust_closed;

static bool toa_prefix_match(const u8 *a, const u8 *net, unsigned int bits)
{
	unsigned int bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, net, bytes))
		return false;
	if (!rem)
		return true;
	return ((a[bytes] ^ net[bytes]) & (0xff00 >> rem)) == 0;
}

bool toa_trust_allows(u16 family, const void *addr)
{
	static const u8 v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct toa_trust_list *t;
	const u8 *a = addr;
	bool ok = false;
	unsigned int i;

	/* An IPv4 balancer seen on a dual-stack socket is ::ffff:a.b.c.d. */
	if (family == TOA_AF_INET6 && !memcmp(a, v4mapped, 12)) {
		family = TOA_AF_INET;
		a += 12;
	}
	rcu_read_lock();
	t = rcu_dereference(toa_trust);
	if (!t || !t->n) {
		ok = true;
	} else {
		for (i = 0; i < t->n && !ok; i++)
			ok = t->cidr[i].family == family &&
			     toa_prefix_match(a, t->cidr[i].addr,
					      t->cidr[i].prefix);
	}
	rcu_read_unlock();
	return ok;
}

/*
 * The empty list is the default (what other TOA modules do, and what keeps
 * an upgrade from them working), but it lets any host that reaches this one
 * without the balancer choose the client address the server sees: a
 * warning in the log, not a silent default.
 */
void toa_trust_warn_any(void)
{
	pr_warn("trusted is empty: TOA options are honoured from every source, so a client reaching this host directly can claim any address; set trusted= to the balancers' CIDRs\n");
}

bool toa_trust_is_empty(void)
{
	const struct toa_trust_list *t;
	bool empty;

	rcu_read_lock();
	t = rcu_dereference(toa_trust);
	empty = !t || !t->n;
	rcu_read_unlock();
	return empty;
}

/* Parse one "addr[/prefix]" into @c; host bits must be zero. */
static int toa_cidr_parse(char *s, struct toa_cidr *c)
{
	char *slash = strchr(s, '/');
	unsigned int max, prefix, i;
	const char *end;

	if (slash)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (in4_pton(s, -1, c->addr, -1, &end) && !*end) {
		c->family = TOA_AF_INET;
		max = 32;
	} else if (in6_pton(s, -1, c->addr, -1, &end) && !*end) {
		c->family = TOA_AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	prefix = max;
	if (slash && (kstrtouint(slash + 1, 10, &prefix) || prefix > max))
		return -EINVAL;
	c->prefix = prefix;
	for (i = prefix; i < max; i++)
		if (c->addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	return 0;
}

int toa_trust_set(const char *list)
{
	struct toa_trust_list *t, *old;
	char *copy, *cur, *tok;
	int err = 0;

	t = kzalloc(struct_size(t, cidr, TOA_TRUST_MAX), GFP_KERNEL);
	copy = kstrdup(list, GFP_KERNEL);
	if (!t || !copy) {
		err = -ENOMEM;
		goto out;
	}
	cur = strim(copy);
	while ((tok = strsep(&cur, " ,\n")) != NULL) {
		if (!*tok)
			continue;
		if (t->n == TOA_TRUST_MAX) {
			err = -E2BIG;
			goto out;
		}
		err = toa_cidr_parse(tok, &t->cidr[t->n]);
		if (err) {
			pr_warn("trusted: '%s' is not an address/prefix with zero host bits\n",
				tok);
			goto out;
		}
		t->n++;
	}
	mutex_lock(&toa_trust_lock);
	if (toa_trust_closed) {
		mutex_unlock(&toa_trust_lock);
		err = -ENODEV;		/* the module is being removed */
		goto out;
	}
	old = rcu_replace_pointer(toa_trust, t,
				  lockdep_is_held(&toa_trust_lock));
	/*
	 * Emptying a list that had entries is when a node silently starts
	 * trusting clients: say so. The initial (load-time) empty list is
	 * reported by toa_init() once the module is up.
	 */
	if (old && old->n && !t->n)
		toa_trust_warn_any();
	mutex_unlock(&toa_trust_lock);
	if (old)
		kfree_rcu(old, rcu);	/* after packet-path readers are done */
	kfree(copy);
	return 0;
out:
	kfree(t);
	kfree(copy);
	return err;
}

int toa_trust_format(char *buf, size_t size)
{
	const struct toa_trust_list *t;
	unsigned int i;
	int n = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	rcu_read_lock();
	t = rcu_dereference(toa_trust);
	for (i = 0; t && i < t->n && n < size; i++) {
		const struct toa_cidr *c = &t->cidr[i];

		if (c->family == TOA_AF_INET)
			n += scnprintf(buf + n, size - n, "%s%pI4/%u",
				       i ? "," : "", c->addr, c->prefix);
		else
			n += scnprintf(buf + n, size - n, "%s%pI6c/%u",
				       i ? "," : "", c->addr, c->prefix);
	}
	rcu_read_unlock();
	return n;
}

void toa_trust_exit(void)
{
	struct toa_trust_list *old;

	mutex_lock(&toa_trust_lock);
	toa_trust_closed = true;	/* later setters refuse: see above */
	old = rcu_replace_pointer(toa_trust, NULL,
				  lockdep_is_held(&toa_trust_lock));
	mutex_unlock(&toa_trust_lock);
	synchronize_rcu();
	kfree(old);
}
