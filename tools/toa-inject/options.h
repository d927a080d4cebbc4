/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h - the command line of toa-inject. No I/O: errors come back as
 * text for the caller to print.
 */
#ifndef TOA_INJECT_OPTIONS_H
#define TOA_INJECT_OPTIONS_H

#include <stddef.h>

#include "inject.h"

#ifdef __cplusplus
extern "C" {
#endif

enum options_result {
	OPTIONS_OK = 0,
	OPTIONS_HELP = 1,   /* --help: print options_usage, exit 0 */
	OPTIONS_ERROR = -1, /* @err holds a one-line message */
};

/* Fills @cfg (after inject_config_init) from argv. Uses getopt_long: it
 * resets optind itself, so it can be called more than once. */
enum options_result options_parse(int argc, char **argv, struct inject_config *cfg, char *err,
				  size_t errlen);

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT" or a bare IPv6 address.
 * 0 on success; *have_port says whether a port was given. */
int options_parse_endpoint(const char *s, uint16_t *family, uint8_t *addr, int *have_port,
			   uint16_t *port_be);

extern const char options_usage[];

#ifdef __cplusplus
}
#endif

#endif /* TOA_INJECT_OPTIONS_H */
