// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for toa_parse_options(): the parser the kernel runs on
 * every handshake packet. The input's first byte picks the honoured-format
 * mask, the rest is the TCP option space (copied to an exact-size buffer
 * so ASan sees any overread). Checks the parser's contract, not just that
 * it does not crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <toa/wire.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toa_client c;
	__u32 mask;
	__u8 *opt;
	int r;

	if (size < 1)
		return 0;
	mask = data[0] & TOA_FMT_ALL_MASK;
	size--;
	opt = malloc(size ? size : 1);
	if (!opt)
		return 0;
	memcpy(opt, data + 1, size);
	memset(&c, 0, sizeof(c));
	r = toa_parse_options(opt, (unsigned int)size, mask, &c);
	if (r == TOA_PARSE_FOUND) {
		/* A found option is an honoured format with a real address. */
		if (c.format >= TOA_FMT_COUNT || !(mask & TOA_FMT_BIT(c.format)))
			abort();
		if (c.family != toa_formats[c.format].family || c.port == 0 ||
		    toa_addr_is_bogus(c.family, c.addr))
			abort();
		if (c.family == TOA_AF_INET) {
			static const __u8 zero[12];

			if (memcmp(c.addr + 4, zero, 12))
				abort();
		}
	} else if (r != TOA_PARSE_NONE && r != TOA_PARSE_MALFORMED) {
		abort();
	}
	free(opt);
	return 0;
}
