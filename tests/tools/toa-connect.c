// SPDX-License-Identifier: GPL-2.0
/*
 * toa-connect - the client of the VM scenarios: connect, send a message,
 * read the echo back from toa-peer-server, with exit codes a script can
 * trust.
 *
 *   toa-connect ADDR PORT [-n N] [-c] [-m MSG] [-b SRCADDR] [-s SPORT]
 *                         [-t SECS] [-u] [-v]
 *
 *   ADDR      10.0.2.2, fd02::2 or [fd02::2]
 *   -n N      make N connections (default 1), one after the other
 *   -c        ... all open at once: connect all N, then send on each, then
 *             read each echo
 *   -m MSG    what to send (default "hello\n"; \n, \t and \\ are unescaped)
 *   -b ADDR   bind this source address
 *   -s SPORT  bind source port SPORT (SPORT+i for the i-th connection), so
 *             a scenario knows the port the server must report
 *   -t SECS   give up on a connect or an echo after SECS s (default 10)
 *   -u        UDP: send one datagram per "connection", wait for the echo
 *   -v        print "local=EP" (the connection's own address) per connection
 *
 * Each connection sends MSG, half-closes (shutdown SHUT_WR) and reads until
 * EOF; the echo must equal MSG. Prints nothing else on success and exits 0.
 * Otherwise one line "toa-connect: ..." on stderr and exit 1 (connect
 * failed, timeout, short or wrong echo); exit 2 for bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#define MAX_CONN 1024

static const char usage[] = "usage: toa-connect ADDR PORT [-n N] [-c] [-m MSG] [-b SRCADDR] "
			    "[-s SPORT] [-t SECS] [-u] [-v]\n";

static struct {
	struct sockaddr_storage dst;
	socklen_t dstlen;
	const char *src;
	long sport;
	int timeout_ms;
	int udp;
	int verbose;
	char msg[4096];
	size_t msglen;
	char dstname[ENDPOINT_STRLEN];
} o;

static void die_usage(const char *msg)
{
	fprintf(stderr, "toa-connect: %s\n%s", msg, usage);
	exit(2);
}

static void fail(int i, const char *what, int err)
{
	if (err)
		fprintf(stderr, "toa-connect: %s %s (connection %d): %s\n", what, o.dstname, i + 1,
			strerror(err));
	else
		fprintf(stderr, "toa-connect: %s %s (connection %d)\n", what, o.dstname, i + 1);
	exit(1);
}

static void unescape(const char *s)
{
	size_t n = 0;

	for (; *s && n < sizeof(o.msg); s++) {
		if (*s == '\\' && s[1]) {
			s++;
			o.msg[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else {
			o.msg[n++] = *s;
		}
	}
	o.msglen = n;
}

/* poll one fd for @ev within the timeout: 0 ready, else an errno. */
static int wait_fd(int fd, short ev)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do {
		r = poll(&p, 1, o.timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	return r ? 0 : ETIMEDOUT;
}

static int open_one(int i)
{
	struct sockaddr_storage src, local;
	socklen_t sl = 0, ll = sizeof(local);
	int fd, one = 1, err = 0, flags;
	char ep[ENDPOINT_STRLEN];

	fd = socket(o.dst.ss_family, o.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		fail(i, "socket for", errno);
	if (o.src || o.sport) {
		sl = parse_sockaddr(o.src			 ? o.src
				    : o.dst.ss_family == AF_INET ? "0.0.0.0"
								 : "::",
				    (unsigned int)(o.sport ? o.sport + i : 0), &src);
		if (!sl || src.ss_family != o.dst.ss_family)
			die_usage("-b SRCADDR is not of ADDR's family");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, sl) < 0)
			fail(i, "bind for", errno);
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&o.dst, o.dstlen) < 0) {
		if (errno != EINPROGRESS)
			fail(i, "connect", errno);
		err = wait_fd(fd, POLLOUT);
		if (!err) {
			socklen_t el = sizeof(err);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		}
		if (err)
			fail(i, "connect", err);
	}
	fcntl(fd, F_SETFL, flags);
	if (o.verbose) {
		memset(&local, 0, sizeof(local));
		getsockname(fd, (struct sockaddr *)&local, &ll);
		format_sockaddr(ep, sizeof(ep), &local);
		printf("local=%s\n", ep);
		fflush(stdout);
	}
	return fd;
}

static void send_one(int i, int fd)
{
	size_t off = 0;
	ssize_t n;

	if (o.udp) {
		if (send(fd, o.msg, o.msglen, 0) < 0)
			fail(i, "send to", errno);
		return;
	}
	while (off < o.msglen) {
		n = write(fd, o.msg + off, o.msglen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(i, "send to", errno);
		off += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
}

static void recv_one(int i, int fd)
{
	static char buf[sizeof(o.msg) + 1];
	size_t used = 0;
	ssize_t n;
	int err;

	for (;;) {
		err = wait_fd(fd, POLLIN);
		if (err)
			fail(i, err == ETIMEDOUT ? "no echo from" : "poll",
			     err == ETIMEDOUT ? 0 : err);
		n = read(fd, buf + used, sizeof(buf) - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(i, "read from", errno);
		used += (size_t)n;
		if (n == 0 || o.udp || used == sizeof(buf))
			break;
	}
	if (used != o.msglen || memcmp(buf, o.msg, used)) {
		fprintf(stderr,
			"toa-connect: bad echo from %s (connection "
			"%d): sent %zu bytes, got %zu\n",
			o.dstname, i + 1, o.msglen, used);
		exit(1);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	long n = 1, port, t = 10;
	int opt, concurrent = 0, i;
	static int fds[MAX_CONN];

	unescape("hello\\n");
	while ((opt = getopt(argc, argv, "n:cm:b:s:t:uvh")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_num(optarg, 1, MAX_CONN);
			if (n < 0)
				die_usage("bad -n N (1-1024)");
			break;
		case 'c':
			concurrent = 1;
			break;
		case 'm':
			unescape(optarg);
			break;
		case 'b':
			o.src = optarg;
			break;
		case 's':
			o.sport = parse_num(optarg, 1, 65535);
			if (o.sport < 0)
				die_usage("bad -s SPORT");
			break;
		case 't':
			t = parse_num(optarg, 1, 3600);
			if (t < 0)
				die_usage("bad -t SECS");
			break;
		case 'u':
			o.udp = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage("bad option");
		}
	}
	if (argc - optind != 2)
		die_usage("need ADDR and PORT");
	port = parse_num(argv[optind + 1], 1, 65535);
	if (port < 0)
		die_usage("bad PORT");
	o.dstlen = parse_sockaddr(argv[optind], (unsigned int)port, &o.dst);
	if (!o.dstlen)
		die_usage("bad ADDR (an IPv4 or IPv6 address)");
	if (o.sport && o.sport + n - 1 > 65535)
		die_usage("-s SPORT + N runs past 65535");
	if (o.msglen == 0 && !o.udp)
		die_usage("-m MSG must not be empty");
	o.timeout_ms = (int)t * 1000;
	format_sockaddr(o.dstname, sizeof(o.dstname), &o.dst);

	if (concurrent) {
		for (i = 0; i < n; i++)
			fds[i] = open_one(i);
		for (i = 0; i < n; i++)
			send_one(i, fds[i]);
		for (i = 0; i < n; i++)
			recv_one(i, fds[i]);
	} else {
		for (i = 0; i < n; i++) {
			int fd = open_one(i);

			send_one(i, fd);
			recv_one(i, fd);
		}
	}
	return 0;
}
