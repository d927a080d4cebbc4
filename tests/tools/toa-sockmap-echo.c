// SPDX-License-Identifier: GPL-2.0
/*
 * toa-sockmap-echo - a TOA socket in a BPF sockmap, for scenario 29.
 *
 *   toa-sockmap-echo -p PORT [-t SECS]
 *
 * Listens on PORT (dual-stack), prints "ready", accepts one connection and
 * puts it into a sockmap whose stream verdict program (sockmap_echo.bpf.c)
 * redirects everything the socket receives back out of it: the kernel
 * echoes, the program never reads. Prints "added" once the socket is in
 * the map: the client must wait for it before sending (a socket that got
 * its peer's FIN can no longer join a sockmap). Once the peer has closed
 * its side (or after SECS, default 30), prints one line
 *
 *   accept=EP peer=EP inmap=EP after=EP
 *
 * what accept() returned, and getpeername() before the socket joined the
 * map, while it was in it, and once the traffic had passed; then takes it
 * out of the map and closes it. Exit 1 with a message on any failure,
 * 2 for bad arguments.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "sockmap_echo.skel.h"

static void die(const char *what)
{
	fprintf(stderr, "toa-sockmap-echo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void peer_of(int fd, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		snprintf(buf, size, "%s", strerror(errno));
	else
		format_sockaddr(buf, size, &ss);
}

int main(int argc, char **argv)
{
	char acc[ENDPOINT_STRLEN], peer[ENDPOINT_STRLEN], inmap[ENDPOINT_STRLEN],
		after[ENDPOINT_STRLEN];
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockmap_echo *skel;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	long port = -1, secs = 30;
	int opt, lfd, fd, map_fd, off = 0, one = 1;
	__u32 key = 0;
	__u64 value;
	struct pollfd pfd;

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		switch (opt) {
		case 'p':
			port = parse_num(optarg, 1, 65535);
			break;
		case 't':
			secs = parse_num(optarg, 1, 3600);
			break;
		default:
			port = -1;
			optind = argc;
		}
	}
	if (port < 0 || secs < 0 || optind != argc) {
		fputs("usage: toa-sockmap-echo -p PORT [-t SECS]\n", stderr);
		return 2;
	}

	skel = sockmap_echo__open_and_load();
	if (!skel)
		die("loading the sockmap program");
	map_fd = bpf_map__fd(skel->maps.echo_map);
	if (bpf_prog_attach(bpf_program__fd(skel->progs.echo_verdict), map_fd,
			    BPF_SK_SKB_STREAM_VERDICT, 0))
		die("attaching the stream verdict program");

	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("socket");
	sin6.sin6_port = htons((unsigned short)port);
	if (bind(lfd, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(lfd, 16))
		die("bind/listen");
	printf("ready\n");
	fflush(stdout);

	fd = accept(lfd, (struct sockaddr *)&ss, &len);
	if (fd < 0)
		die("accept");
	format_sockaddr(acc, sizeof(acc), &ss);
	peer_of(fd, peer, sizeof(peer));
	value = (__u64)fd;
	if (bpf_map_update_elem(map_fd, &key, &value, BPF_ANY))
		die("adding the socket to the sockmap");
	peer_of(fd, inmap, sizeof(inmap));
	printf("added\n");
	fflush(stdout);

	/* The kernel echoes; the peer then half-closes. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLRDHUP };
	if (poll(&pfd, 1, (int)secs * 1000) <= 0) {
		fprintf(stderr, "toa-sockmap-echo: the peer did not close within %lds\n", secs);
		return 1;
	}
	peer_of(fd, after, sizeof(after));
	printf("accept=%s peer=%s inmap=%s after=%s\n", acc, peer, inmap, after);
	if (bpf_map_delete_elem(map_fd, &key))
		die("removing the socket from the sockmap");
	close(fd);
	close(lfd);
	sockmap_echo__destroy(skel);
	return 0;
}
