// SPDX-License-Identifier: MIT
/*
 * toa_peer_server [-4] PORT [COUNT] - accept COUNT connections (default 1)
 * on a dual-stack socket (-4: an IPv4 one) and print, for each, who the
 * client really is.
 *
 *   cc -o toa_peer_server toa_peer_server.c $(pkg-config --cflags --libs toa)
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <toa/toa.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	int fd, conn, count, v4 = 0, zero = 0, one = 1;

	if (argc > 1 && !strcmp(argv[1], "-4")) {
		v4 = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: toa_peer_server [-4] PORT [COUNT]\n");
		return 2;
	}
	sa4.sin_port = sa6.sin6_port = htons(atoi(argv[1]));
	count = argc > 2 ? atoi(argv[2]) : 1;
	fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM, 0);
	if (!v4)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((v4 ? bind(fd, (struct sockaddr *)&sa4, sizeof(sa4))
		: bind(fd, (struct sockaddr *)&sa6, sizeof(sa6))) ||
	    listen(fd, 16)) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	while (count-- > 0 && (conn = accept(fd, NULL, NULL)) >= 0) {
		char client[TOA_ENDPOINT_STRLEN], balancer[TOA_ENDPOINT_STRLEN];
		struct toa_peer p;
		int status = toa_get_peer(conn, &p);

		if (status == TOA_PEER_ERROR) {
			perror("toa_get_peer");
			close(conn);
			continue;
		}
		toa_endpoint_format(&p.client, client, sizeof(client));
		toa_endpoint_format(&p.balancer, balancer, sizeof(balancer));
		printf("status=%s client=%s balancer=%s%s\n", toa_peer_status_string(status),
		       client, balancer, p.flags & TOA_PEER_IS_NAT64 ? " nat64" : "");
		fflush(stdout);
		close(conn);
	}
	close(fd);
	return 0;
}
