// SPDX-License-Identifier: MIT
/*
 * toa-bench-udp - the CPU cost of receiving UDP datagrams over loopback,
 * with and without the UOA decoding of toa.ko and libtoa, as datagrams
 * per second of one CPU.
 *
 *   toa-bench-udp SEND RECV [-n N] [-p PORT]
 *
 *   SEND  what is sent to 127.0.0.1:PORT, from one flow:
 *           plain     plain UDP datagrams
 *           ipopt     each with a UOA IPv4 option (set with IP_OPTIONS)
 *           proto248  each in a protocol-248 wrapper (raw socket)
 *           first     the option on the first datagram only, then plain
 *   RECV  how they are received, one call per datagram:
 *           recvmsg   recvmsg() and nothing else
 *           libtoa    toa::udp::recv(): the client of every datagram
 *
 * One thread, two timed phases, so that no wake-up or scheduling gets
 * into the figures: "kernel" sends N datagrams (sendmmsg, 32 at a time)
 * into a receive queue big enough for all of them - loopback runs the
 * whole receive path, netfilter and toa.ko's hooks included, right there
 * in the sender's system call; "app" then drains the queue. rate is
 * N / (kernel + app time): what one CPU receives and decodes per second.
 * All N must arrive (else exit 1: the queue overflowed).
 *
 * The client written in the options is 10.9.8.7:4242; with libtoa every
 * datagram must decode to it (else exit 1: a benchmark that decodes the
 * wrong thing measures nothing). Prints one line:
 *
 *   bench udp send=ipopt recv=libtoa rate=R/s kernel=K/s app=A/s n=N via=option
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <toa/udp.hpp>

extern "C" {
#include <toa/uoa.h>
}

namespace {

const char payload[] = "0123456789abcdef0123456789abcdef"; /* 32 bytes */
const std::uint8_t client_addr[4] = { 10, 9, 8, 7 };
const std::uint16_t client_port = 4242;

[[noreturn]] void die(const char *what)
{
	std::fprintf(stderr, "toa-bench-udp: %s: %s\n", what, std::strerror(errno));
	std::exit(1);
}

unsigned int uoa_option(std::uint8_t *buf)
{
	uoa_client c{};

	c.family = TOA_AF_INET;
	c.port = htons(client_port);
	std::memcpy(c.addr, client_addr, 4);
	return uoa_encode_option(buf, &c);
}

std::uint16_t csum_fold(std::uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return static_cast<std::uint16_t>(~s);
}

std::uint32_t csum_add(std::uint32_t s, const std::uint8_t *p, std::size_t n)
{
	for (std::size_t i = 0; i < n; i += 2)
		s += static_cast<std::uint32_t>(p[i] << 8) | (i + 1 < n ? p[i + 1] : 0);
	return s;
}

/* A wrapped datagram 127.0.0.1:sport -> 127.0.0.1:dport, as the payload
 * of a raw IPPROTO 248 socket (the kernel adds the IPv4 header). */
std::vector<std::uint8_t> wrapped(int sport, int dport)
{
	std::uint8_t opt[UOA_OPT_LEN_V6];
	unsigned int ol = uoa_option(opt);
	std::vector<std::uint8_t> b(UOA_OPP_HDR_LEN + ol + 8 + sizeof(payload) - 1);

	uoa_encode_opp(b.data(), UOA_OPP_VER_V4, IPPROTO_UDP, ol);
	std::memcpy(&b[4], opt, ol);
	std::uint8_t *u = &b[4 + ol];
	std::size_t ulen = 8 + sizeof(payload) - 1;
	u[0] = static_cast<std::uint8_t>(sport >> 8);
	u[1] = static_cast<std::uint8_t>(sport);
	u[2] = static_cast<std::uint8_t>(dport >> 8);
	u[3] = static_cast<std::uint8_t>(dport);
	u[4] = static_cast<std::uint8_t>(ulen >> 8);
	u[5] = static_cast<std::uint8_t>(ulen);
	std::memcpy(u + 8, payload, sizeof(payload) - 1);
	const std::uint8_t lo[4] = { 127, 0, 0, 1 };
	std::uint32_t s = csum_add(0, lo, 4);
	s = csum_add(s, lo, 4);
	s += IPPROTO_UDP + static_cast<std::uint32_t>(ulen);
	s = csum_add(s, u, ulen);
	std::uint16_t c = csum_fold(s);
	if (!c)
		c = 0xffff;
	u[6] = static_cast<std::uint8_t>(c >> 8);
	u[7] = static_cast<std::uint8_t>(c);
	return b;
}

double seconds_since(std::chrono::steady_clock::time_point t0)
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/* Phase 1: send @n datagrams of kind @mode; returns the seconds taken. */
double send_all(const std::string &mode, int port, unsigned long n)
{
	sockaddr_in dst{};
	dst.sin_family = AF_INET;
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons(static_cast<std::uint16_t>(port));
	std::vector<std::uint8_t> buf(payload, payload + sizeof(payload) - 1);
	int fd;

	if (mode == "proto248") {
		fd = socket(AF_INET, SOCK_RAW, UOA_OPP_PROTO);
		if (fd < 0)
			die("raw socket");
		shutdown(fd, SHUT_RD);
		buf = wrapped(port + 1, port);
	} else {
		sockaddr_in src = dst;
		int one = 1;

		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			die("socket");
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		src.sin_port = htons(static_cast<std::uint16_t>(port + 1));
		if (bind(fd, reinterpret_cast<sockaddr *>(&src), sizeof(src)))
			die("bind sender");
		if (mode != "plain") {
			std::uint8_t opt[UOA_OPT_LEN_V6];
			unsigned int ol = uoa_option(opt);

			if (setsockopt(fd, IPPROTO_IP, IP_OPTIONS, opt, ol))
				die("IP_OPTIONS (needs CAP_NET_RAW)");
		}
	}

	const unsigned long batch = 32;
	iovec iov{ buf.data(), buf.size() };
	mmsghdr msgs[batch];
	std::memset(msgs, 0, sizeof(msgs));
	for (auto &m : msgs) {
		m.msg_hdr.msg_name = &dst;
		m.msg_hdr.msg_namelen = sizeof(dst);
		m.msg_hdr.msg_iov = &iov;
		m.msg_hdr.msg_iovlen = 1;
	}
	unsigned long sent = 0;
	if (mode == "first") {
		/* the option on the very first datagram only */
		if (sendto(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr *>(&dst),
			   sizeof(dst)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_OPTIONS, nullptr, 0))
			die("first datagram");
		sent = 1;
	}
	auto t0 = std::chrono::steady_clock::now();
	while (sent < n) {
		int k = sendmmsg(fd, msgs, static_cast<unsigned int>(std::min(batch, n - sent)), 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			die("sendmmsg");
		}
		sent += static_cast<unsigned long>(k);
	}
	double t = seconds_since(t0);
	close(fd);
	return t;
}

} // namespace

int main(int argc, char **argv)
{
	unsigned long n = 40000;
	int port = 9100, opt;

	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		switch (opt) {
		case 'n':
			n = std::strtoul(optarg, nullptr, 10);
			break;
		case 'p':
			port = std::atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2 || n < 64)
		goto usage;
	{
		std::string send = argv[optind], recv = argv[optind + 1];
		if ((send != "plain" && send != "ipopt" && send != "proto248" && send != "first") ||
		    (recv != "recvmsg" && recv != "libtoa"))
			goto usage;

		/* room for all n: a small datagram takes ~1 KiB of queue */
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		int rcvbuf = static_cast<int>(std::min(n * 2048, 1UL << 30));
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons(static_cast<std::uint16_t>(port));
		if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)))
			die("bind receiver");
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
			die("SO_RCVBUFFORCE (needs CAP_NET_ADMIN)");
		if (recv == "libtoa" && !toa::udp::enable(fd))
			die("toa::udp::enable");

		double tk = send_all(send, port, n);

		char buf[2048];
		unsigned long got = 0, wrong = 0, via[3] = {};
		msghdr mh{};
		iovec iov{ buf, sizeof(buf) };
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		auto t0 = std::chrono::steady_clock::now();
		for (;;) {
			if (recv == "recvmsg") {
				if (recvmsg(fd, &mh, MSG_DONTWAIT) < 0)
					break;
			} else {
				auto d = toa::udp::recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (!d)
					break;
				via[static_cast<int>(d->from)]++;
				if (send != "plain" && d->client.to_string() != "10.9.8.7:4242")
					wrong++;
			}
			got++;
		}
		double ta = seconds_since(t0);
		if (errno != EAGAIN)
			die("receiving");
		close(fd);
		const char *most = "-";
		if (recv == "libtoa")
			most = via[2] > via[1] ? "flow-map" : via[1] > via[0] ? "option" : "none";
		std::printf("bench udp send=%s recv=%s rate=%.0f/s kernel=%.0f/s "
			    "app=%.0f/s n=%lu via=%s\n",
			    send.c_str(), recv.c_str(), got / (tk + ta), n / tk, got / ta, got,
			    most);
		if (got != n) {
			std::fprintf(stderr,
				     "toa-bench-udp: %lu of %lu datagrams "
				     "arrived\n",
				     got, n);
			return 1;
		}
		if (wrong) {
			std::fprintf(stderr,
				     "toa-bench-udp: %lu of %lu datagrams "
				     "decoded to another client\n",
				     wrong, n);
			return 1;
		}
		return 0;
	}
usage:
	std::fprintf(stderr, "usage: toa-bench-udp plain|ipopt|proto248|first "
			     "recvmsg|libtoa [-n N >= 64] [-p PORT]\n");
	return 2;
}
