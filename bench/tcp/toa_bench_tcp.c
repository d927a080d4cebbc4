// SPDX-License-Identifier: MIT
/*
 * toa-bench-tcp - the cost of toa.ko on the two paths it hooks.
 *
 *   toa-bench-tcp accept [-n N]
 *       N loopback connections, each connect() + accept() + close() in one
 *       process: every one goes through tcp_v4_syn_recv_sock (probed) and
 *       accept's getname (probed). Prints conn/s.
 *   toa-bench-tcp getname -p PORT [-n N]
 *       Accepts one connection on PORT (any address, dual-stack), then
 *       calls getpeername() N times on it: with toa.ko and a TOA option,
 *       every call is rewritten. Prints calls/s and what the peer was,
 *       then the same for getsockname() on that socket.
 *   toa-bench-tcp serve -p PORT [-n N]
 *       Accepts N connections, echoes each one's greeting and closes it:
 *       the backend of connections through the balancer. Prints conn/s
 *       from the first accept to the last close.
 *
 * Output is one line "bench NAME rate=R/s n=N secs=S [peer=...]" so the
 * runner can compute ratios between runs made in the same VM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "toa-bench-tcp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listener(int family, int port)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	int one = 1, zero = 0;
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		a6.sin6_port = htons(port);
		if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)))
			die("bind");
	} else {
		a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a4.sin_port = htons(port);
		if (bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
			die("bind");
	}
	if (listen(fd, 1024))
		die("listen");
	return fd;
}

static int bench_accept(long n)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int lfd = listener(AF_INET, 0);
	double t0, dt;
	long i;

	if (getsockname(lfd, (struct sockaddr *)&a, &alen))
		die("getsockname");
	t0 = now();
	for (i = 0; i < n; i++) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		int c = socket(AF_INET, SOCK_STREAM, 0), s;

		if (c < 0)
			die("socket");
		if (connect(c, (struct sockaddr *)&a, sizeof(a)))
			die("connect");
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			die("accept");
		/* RST instead of FIN: no TIME_WAIT pile-up, no port exhaustion */
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
		close(s);
	}
	dt = now() - t0;
	printf("bench accept rate=%.0f/s n=%ld secs=%.2f ns=%.0f\n", n / dt, n, dt, dt * 1e9 / n);
	return 0;
}

/*
 * N connections from elsewhere (the balancer's clients): accept, echo the
 * greeting, close. Timed from the first accept to the last close.
 */
static int bench_serve(int port, long n)
{
	int lfd = listener(AF_INET6, port);
	double t0 = 0, dt;
	char buf[256];
	long i;

	printf("ready\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
		int s = accept(lfd, NULL, NULL);
		ssize_t r;

		if (s < 0)
			die("accept");
		if (!i)
			t0 = now();
		r = read(s, buf, sizeof(buf));
		if (r > 0 && write(s, buf, r) != r)
			die("write");
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
	}
	dt = now() - t0;
	printf("bench serve rate=%.0f/s n=%ld secs=%.2f ns=%.0f\n", (n - 1) / dt, n, dt,
	       dt * 1e9 / (n - 1));
	return 0;
}

/* Seconds for N getpeername() (@peer) or getsockname() calls on @s. */
static double time_getname(int s, int peer, long n, struct sockaddr_storage *ss)
{
	double t0 = now();
	socklen_t len;
	long i;

	for (i = 0; i < n; i++) {
		len = sizeof(*ss);
		if (peer ? getpeername(s, (struct sockaddr *)ss, &len)
			 : getsockname(s, (struct sockaddr *)ss, &len))
			die(peer ? "getpeername" : "getsockname");
	}
	return now() - t0;
}

static int bench_getname(int port, long n)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN] = "?";
	int lfd = listener(AF_INET6, port), s;
	double dt;

	printf("ready\n");
	fflush(stdout);
	s = accept(lfd, NULL, NULL);
	if (s < 0)
		die("accept");
	dt = time_getname(s, 1, n, &ss);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	printf("bench getname rate=%.0f/s n=%ld secs=%.2f ns=%.1f peer=%s\n", n / dt, n, dt,
	       dt * 1e9 / n, host);
	/* getsockname on the same socket: never rewritten */
	dt = time_getname(s, 0, n, &ss);
	printf("bench getsockname rate=%.0f/s n=%ld secs=%.2f ns=%.1f\n", n / dt, n, dt,
	       dt * 1e9 / n);
	/* echo the client's greeting: toa-connect checks it */
	{
		char buf[256];
		ssize_t r = read(s, buf, sizeof(buf));

		if (r > 0 && write(s, buf, r) != r)
			die("write");
	}
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 0;
	int port = 0, opt;

	if (argc < 2) {
		fprintf(stderr, "usage: toa-bench-tcp accept|getname|serve [-n N] [-p PORT]\n");
		return 2;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!strcmp(argv[1], "accept"))
		return bench_accept(n > 0 ? n : 2000);
	if (!strcmp(argv[1], "getname") && port > 0)
		return bench_getname(port, n > 0 ? n : 200000);
	if (!strcmp(argv[1], "serve") && port > 0)
		return bench_serve(port, n > 1 ? n : 300);
	fprintf(stderr, "toa-bench-tcp: unknown mode or missing -p\n");
	return 2;
}
