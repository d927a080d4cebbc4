// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for include/toa/uoa.h: uoa_parse_options(), which toa.ko
 * runs on the IPv4 options of every UDP datagram that has some, and
 * uoa_parse_opp(), run on every protocol-248 packet. The input's first
 * byte picks what to parse: bit 0 clear, the rest is an option list;
 * set, the rest is a packet's payload after its IP header (wrapper, then
 * whatever follows), and the options of a valid wrapper are parsed as
 * toa.ko parses them. Inputs are copied to exact-size buffers so ASan sees
 * any overread; the parsers' contracts are checked, not just survival.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <toa/uoa.h>

static void check_options(const __u8 *opt, unsigned int len)
{
	static const __u8 zero[12];
	struct uoa_client c;
	int r;

	memset(&c, 0xee, sizeof(c));
	r = uoa_parse_options(opt, len, &c);
	switch (r) {
	case UOA_PARSE_FOUND:
		if (c.opt_len != (c.family == TOA_AF_INET ? UOA_OPT_LEN_V4 : UOA_OPT_LEN_V6) ||
		    (c.family != TOA_AF_INET && c.family != TOA_AF_INET6))
			abort();
		if ((unsigned int)c.opt_off + c.opt_len > len || opt[c.opt_off] != UOA_OPT_CODE ||
		    opt[c.opt_off + 1] != c.opt_len)
			abort();
		if (c.port == 0 || toa_addr_is_bogus(c.family, c.addr))
			abort();
		if (c.family == TOA_AF_INET && memcmp(c.addr + 4, zero, 12))
			abort();
		break;
	case UOA_PARSE_MALFORMED:
		/* what toa.ko would blank must be inside the list */
		if (c.opt_len &&
		    ((unsigned int)c.opt_off + c.opt_len > len || opt[c.opt_off] != UOA_OPT_CODE))
			abort();
		break;
	case UOA_PARSE_NONE:
		if (c.opt_len)
			abort();
		break;
	default:
		abort();
	}
	/* What toa.ko leaves of a rejected list holds no UOA option. */
	if (len) {
		__u8 *copy = malloc(len);

		if (!copy)
			return;
		memcpy(copy, opt, len);
		uoa_blank_options(copy, len);
		if (uoa_parse_options(copy, len, &c) != UOA_PARSE_NONE)
			abort();
		free(copy);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoa_opp o;
	__u8 *buf;
	int r;

	if (size < 1)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (!(data[0] & 1)) {
		check_options(buf, (unsigned int)(size - 1));
	} else {
		r = uoa_parse_opp(buf, (unsigned int)(size - 1), &o);
		if (r == UOA_OPP_OK) {
			if ((o.version != UOA_OPP_VER_V4 && o.version != UOA_OPP_VER_V6) ||
			    o.protocol != 17 || o.length < UOA_OPP_HDR_LEN ||
			    o.length > UOA_OPP_MAX_LEN || o.length + UOA_UDP_HDR_LEN > size - 1)
				abort();
			check_options(buf + UOA_OPP_HDR_LEN, o.length - UOA_OPP_HDR_LEN);
		} else if (r != UOA_OPP_SHORT && r != UOA_OPP_BAD_VERSION && r != UOA_OPP_NOT_UDP &&
			   r != UOA_OPP_BAD_LENGTH) {
			abort();
		}
	}
	free(buf);
	return 0;
}
