// SPDX-License-Identifier: GPL-2.0
/*
 * uoa-lookup - ask toa.ko's UDP flow map about one flow, from a socket of
 * the caller's choosing, to test who may ask:
 *
 *   uoa-lookup [-t] [-F] -b BINDPORT BALANCER BPORT LOCAL LPORT
 *
 * Opens an IPv4 UDP socket (-t: TCP) bound to 0.0.0.0:BINDPORT (0: not
 * bound), then getsockopt(IPPROTO_IP, UOA_SO_GET_LOOKUP) for the flow
 * BALANCER:BPORT -> LOCAL:LPORT (LOCAL 0.0.0.0: any address), or with -F
 * UOA_SO_GET_FLOW (LPORT 0: the socket's own port). Prints one line,
 * "client=10.0.1.2:41001" or the errno name ("EPERM", "ENOENT"), and
 * exits 0; exit 1 only when the socket cannot be made or bound, 2 on bad
 * usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <toa/uoa.h>

#include "common.h"

static int usage(void)
{
	fprintf(stderr, "usage: uoa-lookup [-t] [-F] -b BINDPORT BALANCER BPORT LOCAL LPORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_in bal, loc, me = { .sin_family = AF_INET };
	char out[ENDPOINT_STRLEN], eb[32];
	int tcp = 0, flow = 0, c, fd, r;
	long bind_port = -1, bport, lport;
	socklen_t len;

	while ((c = getopt(argc, argv, "tFb:")) != -1) {
		switch (c) {
		case 't':
			tcp = 1;
			break;
		case 'F':
			flow = 1;
			break;
		case 'b':
			bind_port = parse_num(optarg, 0, 65535);
			if (bind_port < 0)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (bind_port < 0 || argc - optind != 4)
		return usage();
	bport = parse_num(argv[optind + 1], 1, 65535);
	lport = parse_num(argv[optind + 3], 0, 65535);
	memset(&bal, 0, sizeof(bal));
	memset(&loc, 0, sizeof(loc));
	if (bport < 0 || lport < 0 || inet_pton(AF_INET, argv[optind], &bal.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[optind + 2], &loc.sin_addr) != 1)
		return usage();

	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("uoa-lookup: socket");
		return 1;
	}
	me.sin_port = htons((unsigned short)bind_port);
	if (bind_port && bind(fd, (struct sockaddr *)&me, sizeof(me))) {
		perror("uoa-lookup: bind");
		return 1;
	}
	if (flow) {
		struct uoa_flow_info fi;

		memset(&fi, 0, sizeof(fi));
		fi.version = UOA_FLOW_INFO_V1;
		fi.balancer.family = TOA_AF_INET;
		memcpy(fi.balancer.addr, &bal.sin_addr, 4);
		fi.balancer.port = htons((unsigned short)bport);
		fi.local.family = TOA_AF_INET;
		memcpy(fi.local.addr, &loc.sin_addr, 4);
		fi.local.port = htons((unsigned short)lport);
		len = sizeof(fi);
		r = getsockopt(fd, IPPROTO_IP, UOA_SO_GET_FLOW, &fi, &len);
		if (!r)
			format_endpoint(out, sizeof(out), fi.client.family, fi.client.addr,
					fi.client.port);
	} else {
		struct uoa_param_map m;

		memset(&m, 0, sizeof(m));
		m.af = TOA_AF_INET;
		memcpy(m.saddr, &bal.sin_addr, 4);
		memcpy(m.daddr, &loc.sin_addr, 4);
		m.sport = htons((unsigned short)bport);
		m.dport = htons((unsigned short)lport);
		len = sizeof(m);
		r = getsockopt(fd, IPPROTO_IP, UOA_SO_GET_LOOKUP, &m, &len);
		if (!r)
			format_endpoint(out, sizeof(out), m.real_af, m.real_saddr, m.real_sport);
	}
	if (r)
		printf("%s\n", errno_name(errno, eb, sizeof(eb)));
	else
		printf("client=%s\n", out);
	close(fd);
	return 0;
}
