// SPDX-License-Identifier: GPL-2.0
/*
 * toa-peer-server - the backend of the VM scenarios: accepts connections
 * and prints, for each, every way an application can learn its peer, so a
 * scenario can compare one line with what it expects.
 *
 *   toa-peer-server [-4|-6|-d] [-b ADDR] [-I DEV] -p PORT [-n COUNT] [-t SECS] [-D SECS]
 *                   [-u] [-v]
 *
 *   -4        IPv4 socket (default, unless -b is an IPv6 address)
 *   -6        IPv6 socket, IPV6_V6ONLY=1
 *   -d        dual-stack IPv6 socket bound to :: (IPV6_V6ONLY=0): IPv4
 *             peers appear as [::ffff:a.b.c.d]
 *   -b ADDR   bind address (default 0.0.0.0 or ::)
 *   -I DEV    bind the socket to device DEV (SO_BINDTODEVICE; a VRF device:
 *             receive and answer in that VRF)
 *   -p PORT   listening port (required)
 *   -n COUNT  exit 0 after COUNT connections (default 1; 0 = never)
 *   -t SECS   exit 1 if no connection comes for SECS seconds (default: wait)
 *   -D SECS   TCP_DEFER_ACCEPT of SECS seconds on the listener (as nginx's
 *             "deferred"): a connection is accepted once its data comes
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
 * With -u it receives COUNT datagrams and echoes each back, after one line
 * of four key=value pairs, always in this order:
 *
 *   from=EP lookup=EP|ERR flow=FLAGS,EP|ERR ipopt=EP|none|malformed
 *
 *   from     the source recvmsg() returned (the balancer after SNAT)
 *   lookup   getsockopt(IPPROTO_IP, UOA_SO_GET_LOOKUP) (DPVS's call) for
 *            the flow from -> the datagram's destination (IP_PKTINFO):
 *            the real client, or the errno name (ENOENT: no mapping)
 *   flow     getsockopt(IPPROTO_IP, UOA_SO_GET_FLOW): flags and client,
 *            or the errno name. FLAGS: "none" or ipopt, proto248, nat64
 *            joined by '+'
 *   ipopt    the UOA option in the datagram's IPv4 header, as the socket
 *            reads it with IP_RECVOPTS (what libtoa decodes itself):
 *            the client, "none", or "malformed"
 *
 *   from=10.0.2.1:40001 lookup=10.0.1.2:40001 flow=ipopt,10.0.1.2:40001 ipopt=10.0.1.2:40001
 *
 * Errors go to stderr prefixed "toa-peer-server: "; exit 1 (socket, bind,
 * timeout) or 2 (bad arguments).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <toa/sockopt.h>
#include <toa/uoa.h>

#include "common.h"

#define ECHO_MAX    65536
#define ECHO_IDLE_S 5

static const char usage[] =
	"usage: toa-peer-server [-4|-6|-d] [-b ADDR] [-I DEV] -p PORT [-n COUNT] "
	"[-t SECS] [-D SECS] [-u] [-v]\n";

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
	static const struct {
		__u32 bit;
		const char *name;
	} names[] = {
		{ TOA_PEER_F_TOA, "toa" },
		{ TOA_PEER_F_NAT64, "nat64" },
		{ TOA_PEER_F_MAPPED, "mapped" },
		{ TOA_PEER_F_UOA, "uoa" },
	};
	size_t i, used = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "+" : "",
					 names[i].name);
		flags &= ~names[i].bit;
		if (used >= size)
			return;
	}
	if (flags)
		used += (size_t)snprintf(buf + used, size - used, "%s0x%x", used ? "+" : "", flags);
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
	len = from->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	memset(&ss, 0, sizeof(ss));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &ss, &len) == 0)
		format_sockaddr(son, sizeof(son), &ss);
	else
		snprintf(son, sizeof(son), "%s", errno_name(errno, eb, sizeof(eb)));

	len = sizeof(np);
	memset(&np, 0, sizeof(np));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_LOOKUP, &np, &len) == 0)
		format_endpoint(look, sizeof(look), AF_INET6, np.saddr, np.sport);
	else
		snprintf(look, sizeof(look), "%s", errno_name(errno, eb, sizeof(eb)));

	len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_PEER, &info, &len) == 0) {
		put_flags(fl, sizeof(fl), info.flags);
		put_toa_addr(cli, sizeof(cli), &info.client);
		put_toa_addr(bal, sizeof(bal), &info.balancer);
		if (verbose)
			snprintf(opt, sizeof(opt), " opt=%u/%u", info.opt_kind, info.opt_len);
		printf("accept=%s peer=%s soname=%s lookup=%s info=%s,%s,%s%s\n", acc, peer, son,
		       look, fl, cli, bal, opt);
	} else {
		printf("accept=%s peer=%s soname=%s lookup=%s info=%s\n", acc, peer, son, look,
		       errno_name(errno, eb, sizeof(eb)));
	}
	fflush(stdout);
}

/* Fill @a (TOA_AF_*, mapped IPv6 kept as such) from a sockaddr. */
static void sockaddr_to_toa(const struct sockaddr_storage *ss, struct toa_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		a->family = TOA_AF_INET;
		a->port = s->sin_port;
		memcpy(a->addr, &s->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		a->family = TOA_AF_INET6;
		a->port = s->sin6_port;
		memcpy(a->addr, &s->sin6_addr, 16);
	}
}

/* The -u report line of one datagram (see the top comment). */
static void udp_report(int fd, const struct msghdr *mh, const struct sockaddr_storage *from)
{
	static const struct {
		__u32 bit;
		const char *name;
	} names[] = {
		{ UOA_FLOW_F_IPOPT, "ipopt" },
		{ UOA_FLOW_F_PROTO248, "proto248" },
		{ UOA_FLOW_F_NAT64, "nat64" },
	};
	char src[ENDPOINT_STRLEN], look[ENDPOINT_STRLEN], cli[ENDPOINT_STRLEN];
	char opt[ENDPOINT_STRLEN] = "none", fl[64] = "", eb[32];
	struct sockaddr_storage local;
	struct uoa_param_map m;
	struct uoa_flow_info fi;
	struct uoa_client c;
	struct toa_addr bal, loc;
	struct cmsghdr *cm;
	socklen_t len = sizeof(local);
	size_t i, used = 0;

	format_sockaddr(src, sizeof(src), from);
	sockaddr_to_toa(from, &bal);
	memset(&local, 0, sizeof(local));
	getsockname(fd, (struct sockaddr *)&local, &len);
	sockaddr_to_toa(&local, &loc);
	memset(loc.addr, 0, sizeof(loc.addr)); /* any, unless PKTINFO */
	for (cm = CMSG_FIRSTHDR((struct msghdr *)mh); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			if (bal.family == TOA_AF_INET) {
				memcpy(loc.addr, &pi.ipi_addr, 4);
			} else { /* an IPv4 datagram on a dual-stack socket */
				loc.addr[10] = loc.addr[11] = 0xff;
				memcpy(loc.addr + 12, &pi.ipi_addr, 4);
			}
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(loc.addr, &pi.ipi6_addr, 16);
		} else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVOPTS) {
			switch (uoa_parse_options(CMSG_DATA(cm), cm->cmsg_len - CMSG_LEN(0), &c)) {
			case UOA_PARSE_FOUND:
				format_endpoint(opt, sizeof(opt), c.family, c.addr, c.port);
				break;
			case UOA_PARSE_MALFORMED:
				snprintf(opt, sizeof(opt), "malformed");
				break;
			case UOA_PARSE_NONE:
				break;
			}
		}
	}

	memset(&m, 0, sizeof(m));
	m.af = bal.family;
	memcpy(m.saddr, bal.addr, 16);
	memcpy(m.daddr, loc.addr, 16);
	m.sport = bal.port;
	m.dport = loc.port;
	len = sizeof(m);
	if (getsockopt(fd, IPPROTO_IP, UOA_SO_GET_LOOKUP, &m, &len) == 0)
		format_endpoint(look, sizeof(look), m.real_af, m.real_saddr, m.real_sport);
	else
		snprintf(look, sizeof(look), "%s", errno_name(errno, eb, sizeof(eb)));

	memset(&fi, 0, sizeof(fi));
	fi.version = UOA_FLOW_INFO_V1;
	fi.balancer = bal;
	fi.local = loc;
	len = sizeof(fi);
	if (getsockopt(fd, IPPROTO_IP, UOA_SO_GET_FLOW, &fi, &len) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (fi.flags & names[i].bit)
				used += (size_t)snprintf(fl + used, sizeof(fl) - used, "%s%s",
							 used ? "+" : "", names[i].name);
		format_endpoint(cli, sizeof(cli), fi.client.family, fi.client.addr, fi.client.port);
		printf("from=%s lookup=%s flow=%s,%s ipopt=%s\n", src, look, used ? fl : "none",
		       cli, opt);
	} else {
		printf("from=%s lookup=%s flow=%s ipopt=%s\n", src, look,
		       errno_name(errno, eb, sizeof(eb)), opt);
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
			break; /* EOF, timeout or reset */
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
	const char *bind_addr = NULL, *dev = NULL;
	long port = -1, count = 1, timeout = 0, defer = 0, done;
	int mode = 0, udp = 0, opt, fd, one = 1, v6only;
	struct sockaddr_storage ss;
	socklen_t sl;
	char ep[ENDPOINT_STRLEN];

	while ((opt = getopt(argc, argv, "46db:I:p:n:t:D:uvh")) != -1) {
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
		case 'I':
			dev = optarg;
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
		case 'D':
			defer = parse_num(optarg, 1, 3600);
			if (defer < 0)
				die_usage("bad -D SECS");
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
		sl = parse_sockaddr(mode == '4' ? "0.0.0.0" : "::", (unsigned int)port, &ss);
	}

	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0) {
		perror("toa-peer-server: socket");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6) {
		v6only = mode == '6';
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0) {
			perror("toa-peer-server: IPV6_V6ONLY");
			return 1;
		}
	}
	if (dev && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0) {
		fprintf(stderr, "toa-peer-server: SO_BINDTODEVICE %s: %s\n", dev, strerror(errno));
		return 1;
	}
	format_sockaddr(ep, sizeof(ep), &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		fprintf(stderr, "toa-peer-server: bind %s: %s\n", ep, strerror(errno));
		return 1;
	}
	if (defer && (udp || setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &(int){ (int)defer },
					sizeof(int)) < 0)) {
		fprintf(stderr, "toa-peer-server: TCP_DEFER_ACCEPT: %s\n",
			udp ? "not for UDP" : strerror(errno));
		return 1;
	}
	/* The kernel caps it at net.core.somaxconn: a scenario that piles up
	 * connections before accepting them raises that.
	 */
	if (!udp && listen(fd, 65535) < 0) {
		perror("toa-peer-server: listen");
		return 1;
	}
	if (udp) {
		/* IPv4 datagrams (on IPv6 sockets too): their destination and
		 * header options; IPv6 ones: their destination. */
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IP, IP_RECVOPTS, &one, sizeof(one));
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	}
	printf("ready\n");
	fflush(stdout);

	for (done = 0; !count || done < count; done++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		int c;

		if (wait_readable(fd, timeout) == 0) {
			fprintf(stderr,
				"toa-peer-server: timeout after %ld s "
				"(%ld of %ld)\n",
				timeout, done, count);
			return 1;
		}
		memset(&from, 0, sizeof(from));
		if (udp) {
			static char buf[ECHO_MAX];
			static char ctl[512];
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr mh = {
				.msg_name = &from,
				.msg_namelen = fl,
				.msg_iov = &iov,
				.msg_iovlen = 1,
				.msg_control = ctl,
				.msg_controllen = sizeof(ctl),
			};
			ssize_t n = recvmsg(fd, &mh, 0);

			if (n < 0) {
				if (errno == EINTR)
					done--;
				else
					perror("toa-peer-server: recvmsg");
				continue;
			}
			udp_report(fd, &mh, &from);
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, mh.msg_namelen);
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
