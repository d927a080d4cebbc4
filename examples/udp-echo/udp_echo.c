// SPDX-License-Identifier: MIT
/*
 * udp-echo - a UDP echo server that logs the real client of every
 * datagram, through libtoa's C ABI (<toa/toa_udp.h>).
 *
 *   udp-echo [-4|-6] [-c] [-n COUNT] PORT
 *
 *   -4 / -6   IPv4 socket (default) / dual-stack IPv6 socket
 *   -c        after the first datagram, connect() the socket to its sender
 *             and also ask toa_get_peer() (TOA_SO_GET_PEER, answered for a
 *             connected UDP socket from toa.ko's flow map)
 *   -n COUNT  exit after COUNT datagrams (default: never)
 *
 * Prints "ready", then one line per datagram:
 *
 *   client=10.0.1.2:41001 via=option sender=10.0.2.1:41001
 *   client=[2001:db8::7]:5555 via=flow-map sender=10.0.2.1:41002 nat64
 *   client=10.0.1.2:41003 via=flow-map sender=10.0.2.1:41003 peer=10.0.1.2:41003,toa
 *
 * via: option (the datagram's IPv4 header), flow-map (toa.ko), none (the
 * client is the sender; "module-missing" is appended without toa.ko).
 * The echo goes back to the sender: the balancer forwards it to the client.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <toa/toa.h>
#include <toa/toa_udp.h>

static int to_sockaddr(const struct toa_endpoint *e, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (e->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(e->port);
		memcpy(&s->sin_addr, e->addr, 4);
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(e->port);
		memcpy(&s->sin6_addr, e->addr, 16);
		*len = sizeof(*s);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int opt, v6 = 0, conn = 0, fd, off = 0;
	long count = -1, done;
	struct sockaddr_storage ss;
	socklen_t sl;
	char buf[65536];

	while ((opt = getopt(argc, argv, "46cn:")) != -1) {
		switch (opt) {
		case '4':
			v6 = 0;
			break;
		case '6':
			v6 = 1;
			break;
		case 'c':
			conn = 1;
			break;
		case 'n':
			count = atol(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udp-echo: socket");
		return 1;
	}
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		s->sin6_family = AF_INET6;
		s->sin6_port = htons((unsigned short)atoi(argv[optind]));
		sl = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons((unsigned short)atoi(argv[optind]));
		sl = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		perror("udp-echo: bind");
		return 1;
	}
	if (toa_udp_enable(fd) < 0) {
		perror("udp-echo: toa_udp_enable");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	for (done = 0; count < 0 || done < count; done++) {
		struct toa_udp_datagram d;
		char client[TOA_ENDPOINT_STRLEN], sender[TOA_ENDPOINT_STRLEN];
		char peer[TOA_ENDPOINT_STRLEN + 32] = "";
		ssize_t n = toa_udp_recv(fd, buf, sizeof(buf), 0, &d);

		if (n < 0) {
			perror("udp-echo: recv");
			return 1;
		}
		toa_endpoint_format(&d.client, client, sizeof(client));
		toa_endpoint_format(&d.sender, sender, sizeof(sender));
		if (conn && done > 0) {
			struct toa_peer p;
			int st = toa_get_peer(fd, &p);
			char pc[TOA_ENDPOINT_STRLEN];

			toa_endpoint_format(&p.client, pc, sizeof(pc));
			snprintf(peer, sizeof(peer), " peer=%s,%s", pc, toa_peer_status_string(st));
		}
		printf("client=%s via=%s sender=%s%s%s%s\n", client,
		       toa_udp_source_string(d.source), sender,
		       d.flags & TOA_UDP_NAT64 ? " nat64" : "",
		       d.flags & TOA_UDP_MODULE_MISSING ? " module-missing" : "", peer);
		fflush(stdout);
		to_sockaddr(&d.sender, &ss, &sl);
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, sl);
		if (conn && done == 0 && connect(fd, (struct sockaddr *)&ss, sl) < 0) {
			perror("udp-echo: connect");
			return 1;
		}
	}
	close(fd);
	return 0;

usage:
	fprintf(stderr, "usage: udp-echo [-4|-6] [-c] [-n COUNT] PORT\n");
	return 2;
}
