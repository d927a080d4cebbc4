// SPDX-License-Identifier: GPL-2.0
/*
 * toa-peer-server - the backend of the VM scenarios: accepts connections
 * and prints, for each, every way an application can learn its peer, so a
 * scenario can compare one line with what it expects.
 *
 *   toa-peer-server [-4|-6|-d] [-b ADDR] -p PORT [-n COUNT] [-t SECS] [-u] [-v]
 *
 *   -4        IPv4 socket (default, unless -b is an IPv6 address)
 *   -6        IPv6 socket, IPV6_V6ONLY=1
 *   -d        dual-stack IPv6 socket bound to :: (IPV6_V6ONLY=0): IPv4
 *             peers appear as [::ffff:a.b.c.d]
 *   -b ADDR   bind address (default 0.0.0.0 or ::)
 *   -p PORT   listening port (required)
 *   -n COUNT  exit 0 after COUNT connections (default 1; 0 = never)
 *   -t SECS   exit 1 if no connection comes for SECS seconds (default: wait)
 *   -u        UDP instead of TCP (see below)
 *   -v        append " opt=KIND/LEN" (the option toa.ko reports) to each line
 *
 * OUTPUT (stdout, line buffered; a scenario compares these lines exactly)
 * ------
 * "ready" once the socket listens. Then one line per connection, five
 * space-separated key=value pairs, always in this order:
 *
 *   accept=EP peer=EP soname=EP lookup=EP|ERR info=FLAGS,EP,EP|ERR
 *
 *   accept   the address accept() returned
 *   peer     getpeername()
 *   soname   getsockopt(SOL_SOCKET, SO_PEERNAME)
 *   lookup   getsockopt(IPPROTO_IP, TOA_SO_GET_LOOKUP): the NAT64 client
 *            (struct toa_nat64_peer, always IPv6), or the errno name
 *   info     getsockopt(IPPROTO_IP, TOA_SO_GET_PEER): flags, client,
 *            balancer (struct toa_peer_info), or the errno name
 *
 * EP is 10.0.1.2:1234, [fd05::5]:1234 or [::ffff:10.0.1.2]:1234; ERR an
 * errno name such as ENOPROTOOPT (no toa.ko) or ENOTCONN; "-" stands for an
 * empty toa_addr (family 0). FLAGS is "none" or the set bits joined by
 * '+', in this order: toa, nat64, mapped (unknown bits as 0xN).
 * Examples:
 *
 *   accept=10.0.1.2:40000 peer=10.0.1.2:40000 soname=10.0.1.2:40000 lookup=ENOTCONN info=toa,10.0.1.2:40000,10.0.2.1:40000
 *   accept=10.0.2.1:40000 peer=10.0.2.1:40000 soname=10.0.2.1:40000 lookup=ENOPROTOOPT info=ENOPROTOOPT
 *
 * After printing, the server reads what the client sends until EOF (or 5 s
 * of silence, or 64 KiB), writes it back and closes.
 *
 * With -u it receives COUNT datagrams and for each prints "from=EP" and
 * echoes the datagram back. (The UDP lookup, UOA_SO_GET_LOOKUP, joins this
 * line once include/toa defines its structure.)
 *
 * Errors go to stderr prefixed "toa-peer-server: "; exit 1 (socket, bind,
 * timeout) or 2 (bad arguments).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <toa/sockopt.h>

#include "common.h"

#define ECHO_MAX	65536
#define ECHO_IDLE_S	5

static const char usage[] =
	"usage: toa-peer-server [-4|-6|-d] [-b ADDR] -p PORT [-n COUNT] "
	"[-t SECS] [-u] [-v]\n";

static int verbose;

static void die_usage(const char *msg)
{
	fprintf(stderr, "toa-peer-server: %s\n%s", msg, usage);
	exit(2);
}

static void put_toa_addr(char *buf, size_t size, const struct toa_addr *a)
{
	if (a->family == 0)
		snprintf(buf, size, "-");
	else
		format_endpoint(buf, size, a->family, a->addr, a->port);
}

static void put_flags(char *buf, size_t size, __u32 flags)
{
	static const struct { __u32 bit; const char *name; } names[] = {
		{ TOA_PEER_F_TOA, "toa" },
		{ TOA_PEER_F_NAT64, "nat64" },
		{ TOA_PEER_F_MAPPED, "mapped" },
	};
	size_t i, used = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 used ? "+" : "", names[i].name);
		flags &= ~names[i].bit;
		if (used >= size)
			return;
	}
	if (flags)
		used += (size_t)snprintf(buf + used, size - used, "%s0x%x",
					 used ? "+" : "", flags);
	if (!used)
		snprintf(buf, size, "none");
}

static void report(int fd, const struct sockaddr_storage *from)
{
	char acc[ENDPOINT_STRLEN], peer[ENDPOINT_STRLEN], son[ENDPOINT_STRLEN];
	char look[ENDPOINT_STRLEN], fl[64], cli[ENDPOINT_STRLEN];
	char bal[ENDPOINT_STRLEN], eb[32], opt[32] = "";
	struct sockaddr_storage ss;
	struct toa_nat64_peer np;
	struct toa_peer_info info;
	socklen_t len;

	format_sockaddr(acc, sizeof(acc), from);

	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
		format_sockaddr(peer, sizeof(peer), &ss);
	else
		snprintf(peer, sizeof(peer), "%s", errno_name(errno, eb, sizeof(eb)));

	/* SO_PEERNAME answers EINVAL to a buffer larger than the address */
	len = from->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					  : sizeof(struct sockaddr_in6);
	memset(&ss, 0, sizeof(ss));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &ss, &len) == 0)
		format_sockaddr(son, sizeof(son), &ss);
	else
		snprintf(son, sizeof(son), "%s", errno_name(errno, eb, sizeof(eb)));

	len = sizeof(np);
	memset(&np, 0, sizeof(np));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &np, &len) == 0)
		format_endpoint(look, sizeof(look), AF_INET6, np.saddr,
				np.sport);
	else
		snprintf(look, sizeof(look), "%s", errno_name(errno, eb, sizeof(eb)));

	len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_PEER, &info, &len) == 0) {
		put_flags(fl, sizeof(fl), info.flags);
		put_toa_addr(cli, sizeof(cli), &info.client);
		put_toa_addr(bal, sizeof(bal), &info.balancer);
		if (verbose)
			snprintf(opt, sizeof(opt), " opt=%u/%u", info.opt_kind,
				 info.opt_len);
		printf("accept=%s peer=%s soname=%s lookup=%s info=%s,%s,%s%s\n",
		       acc, peer, son, look, fl, cli, bal, opt);
	} else {
		printf("accept=%s peer=%s soname=%s lookup=%s info=%s\n",
		       acc, peer, son, look, errno_name(errno, eb, sizeof(eb)));
	}
	fflush(stdout);
}

static void echo(int fd)
{
	static char buf[ECHO_MAX];
	struct timeval tv = { .tv_sec = ECHO_IDLE_S };
	size_t used = 0, off = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (used < sizeof(buf)) {
		n = read(fd, buf + used, sizeof(buf) - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* EOF, timeout or reset */
		used += (size_t)n;
	}
	while (off < used) {
		n = write(fd, buf + off, used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

/* Wait for @fd to be readable; 0 on timeout. @secs 0: forever. */
static int wait_readable(int fd, long secs)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, secs ? (int)(secs * 1000) : -1);
	} while (r < 0 && errno == EINTR);
	return r;
}

int main(int argc, char **argv)
{
	const char *bind_addr = NULL;
	long port = -1, count = 1, timeout = 0, done;
	int mode = 0, udp = 0, opt, fd, one = 1, v6only;
	struct sockaddr_storage ss;
	socklen_t sl;
	char ep[ENDPOINT_STRLEN];

	while ((opt = getopt(argc, argv, "46db:p:n:t:uvh")) != -1) {
		switch (opt) {
		case '4':
		case '6':
		case 'd':
			if (mode && mode != opt)
				die_usage("-4, -6 and -d exclude each other");
			mode = opt;
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'p':
			port = parse_num(optarg, 0, 65535);
			if (port < 0)
				die_usage("bad -p PORT");
			break;
		case 'n':
			count = parse_num(optarg, 0, 1000000);
			if (count < 0)
				die_usage("bad -n COUNT");
			break;
		case 't':
			timeout = parse_num(optarg, 1, 86400);
			if (timeout < 0)
				die_usage("bad -t SECS");
			break;
		case 'u':
			udp = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage("bad option");
		}
	}
	if (optind < argc)
		die_usage("unexpected argument");
	if (port < 0)
		die_usage("-p PORT is required");

	if (bind_addr) {
		sl = parse_sockaddr(bind_addr, (unsigned int)port, &ss);
		if (!sl)
			die_usage("bad -b ADDR");
		if (!mode)
			mode = ss.ss_family == AF_INET ? '4' : '6';
		if ((mode == '4') != (ss.ss_family == AF_INET))
			die_usage("-b ADDR does not match -4/-6/-d");
	} else {
		if (!mode)
			mode = '4';
		sl = parse_sockaddr(mode == '4' ? "0.0.0.0" : "::",
				    (unsigned int)port, &ss);
	}

	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0) {
		perror("toa-peer-server: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) {
		v6only = mode == '6';
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			       sizeof(v6only)) < 0) {
			perror("toa-peer-server: IPV6_V6ONLY");
			return 1;
		}
	}
	format_sockaddr(ep, sizeof(ep), &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		fprintf(stderr, "toa-peer-server: bind %s: %s\n", ep,
			strerror(errno));
		return 1;
	}
	if (!udp && listen(fd, 128) < 0) {
		perror("toa-peer-server: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	for (done = 0; !count || done < count; done++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int c;

		if (wait_readable(fd, timeout) == 0) {
			fprintf(stderr, "toa-peer-server: timeout after %ld s "
				"(%ld of %ld)\n", timeout, done, count);
			return 1;
		}
		memset(&from, 0, sizeof(from));
		if (udp) {
			static char buf[ECHO_MAX];
			ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &fl);

			if (n < 0) {
				if (errno == EINTR)
					done--;
				else
					perror("toa-peer-server: recvfrom");
				continue;
			}
			format_sockaddr(ep, sizeof(ep), &from);
			printf("from=%s\n", ep);
			fflush(stdout);
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			       fl);
			continue;
		}
		c = accept(fd, (struct sockaddr *)&from, &fl);
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED) {
				done--;
				continue;
			}
			perror("toa-peer-server: accept");
			return 1;
		}
		report(c, &from);
		echo(c);
		close(c);
	}
	close(fd);
	return 0;
}
