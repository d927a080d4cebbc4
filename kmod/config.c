// SPDX-License-Identifier: GPL-2.0
/*
 * Runtime configuration: module parameters, writable at any time through
 * /sys/module/toa/parameters/ and through netlink (netlink.c), which calls
 * the same setters so both always agree.
 *
 *   formats=254/8,200/8,254/20,253/20   honoured (kind/len) pairs, or "all"
 *   trusted=10.0.0.0/8,fd00::/8          balancer allow-list ("" = all)
 *   enabled=1                            0 pauses rewriting (still counted)
 *   max_entries=1048576                  per-socket table limit (load time)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/slab.h>

#include "toa.h"

struct toa_config toa_cfg = {
	.formats = TOA_FMT_DEFAULT_MASK,
	.enabled = true,
};

/* Parse "254/8,200/8" (or "all", "default") into a format mask. */
int toa_formats_parse(const char *s, u32 *mask)
{
	char *copy, *cur, *tok;
	u32 m = 0;
	int f, err = 0;

	copy = kstrdup(s, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	cur = strim(copy);
	while ((tok = strsep(&cur, " ,\n")) != NULL) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "all")) {
			m |= TOA_FMT_ALL_MASK;
			continue;
		}
		if (!strcmp(tok, "default")) {
			m |= TOA_FMT_DEFAULT_MASK;
			continue;
		}
		for (f = 0; f < TOA_FMT_COUNT; f++)
			if (!strcmp(tok, toa_formats[f].name))
				break;
		if (f == TOA_FMT_COUNT) {
			pr_warn("formats: unknown format '%s'\n", tok);
			err = -EINVAL;
			break;
		}
		m |= TOA_FMT_BIT(f);
	}
	kfree(copy);
	if (!err)
		*mask = m;
	return err;
}

int toa_formats_format(u32 mask, char *buf, size_t size)
{
	int f, n = 0;

	buf[0] = '\0';
	for (f = 0; f < TOA_FMT_COUNT; f++)
		if (mask & TOA_FMT_BIT(f))
			n += scnprintf(buf + n, size - n, "%s%s", n ? "," : "",
				       toa_formats[f].name);
	return n;
}

/*
 * The setters: module parameters and netlink (netlink.c) both change the
 * configuration through these, under kernel_param_lock(THIS_MODULE), so
 * the two interfaces can never disagree. The trusted list's setter is
 * toa_trust_set() in trust.c.
 */
int toa_config_set_formats(u32 mask)
{
	if (mask & ~TOA_FMT_ALL_MASK)
		return -EINVAL;
	WRITE_ONCE(toa_cfg.formats, mask);
	return 0;
}

void toa_config_set_enabled(bool enabled)
{
	WRITE_ONCE(toa_cfg.enabled, enabled);
}

static int toa_param_formats_set(const char *val, const struct kernel_param *kp)
{
	u32 mask;
	int err = toa_formats_parse(val, &mask);

	if (!err)
		err = toa_config_set_formats(mask);
	return err;
}

static int toa_param_formats_get(char *buf, const struct kernel_param *kp)
{
	int n = toa_formats_format(READ_ONCE(toa_cfg.formats), buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	return n;
}

static const struct kernel_param_ops toa_formats_ops = {
	.set = toa_param_formats_set,
	.get = toa_param_formats_get,
};
module_param_cb(formats, &toa_formats_ops, NULL, 0644);
MODULE_PARM_DESC(formats,
		 "honoured TOA options as kind/len: 254/8,200/8,254/20,253/20,253/8 or all (default: the first four)");

static int toa_param_trusted_set(const char *val, const struct kernel_param *kp)
{
	return toa_trust_set(val);
}

static int toa_param_trusted_get(char *buf, const struct kernel_param *kp)
{
	int n = toa_trust_format(buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	return n;
}

static const struct kernel_param_ops toa_trusted_ops = {
	.set = toa_param_trusted_set,
	.get = toa_param_trusted_get,
};
module_param_cb(trusted, &toa_trusted_ops, NULL, 0644);
MODULE_PARM_DESC(trusted,
		 "trusted balancer CIDRs, comma separated, IPv4 and IPv6 (empty: trust every source)");

static int toa_param_enabled_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (!err)
		toa_config_set_enabled(on);
	return err;
}

static int toa_param_enabled_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n", READ_ONCE(toa_cfg.enabled) ? 'Y' : 'N');
}

static const struct kernel_param_ops toa_enabled_ops = {
	.set = toa_param_enabled_set,
	.get = toa_param_enabled_get,
};
module_param_cb(enabled, &toa_enabled_ops, NULL, 0644);
MODULE_PARM_DESC(enabled, "rewrite peers from TOA options (0: pause, options only counted)");

unsigned int toa_max_entries_param = 1U << 20;
module_param_named(max_entries, toa_max_entries_param, uint, 0444);
MODULE_PARM_DESC(max_entries, "most sockets with TOA data at once (default 1048576)");
