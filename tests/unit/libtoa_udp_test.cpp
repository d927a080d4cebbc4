// SPDX-License-Identifier: MIT
//
// libtoa_udp_test.cpp - toa::udp's decoding of a datagram's ancillary data
// (decode_udp_cmsgs()), fed control buffers built here as the kernel
// builds them, plus the forged and broken ones no kernel sends; and a real
// round trip over loopback, without toa.ko, with the option set through
// IP_OPTIONS by the sender (needs CAP_NET_RAW: skipped otherwise).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <toa/toa_udp.h>
#include <toa/udp.hpp>

#include "udp_internal.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

/* A control buffer with the given messages, laid out by CMSG_* macros. */
struct Control {
	alignas(cmsghdr) char buf[512];
	msghdr mh{};

	Control()
	{
		std::memset(buf, 0, sizeof(buf));
		mh.msg_control = buf;
		mh.msg_controllen = 0;
	}
	void add(int level, int type, const void *data, size_t len)
	{
		size_t used = mh.msg_controllen;
		auto *c = reinterpret_cast<cmsghdr *>(buf + used);
		c->cmsg_level = level;
		c->cmsg_type = type;
		c->cmsg_len = CMSG_LEN(len);
		std::memcpy(CMSG_DATA(c), data, len);
		mh.msg_controllen = used + CMSG_SPACE(len);
	}
	void opts(const Bytes &o, int type = IP_RECVOPTS)
	{
		add(IPPROTO_IP, type, o.data(), o.size());
	}
	void pktinfo4(const char *a)
	{
		in_pktinfo pi{};
		inet_pton(AF_INET, a, &pi.ipi_addr);
		inet_pton(AF_INET, "192.0.2.99", &pi.ipi_spec_dst); /* not it */
		add(IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	}
	void pktinfo6(const char *a)
	{
		in6_pktinfo pi{};
		inet_pton(AF_INET6, a, &pi.ipi6_addr);
		add(IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	toa::detail::udp_cmsgs decode(uint16_t port = 9000) const
	{
		return toa::detail::decode_udp_cmsgs(mh, port);
	}
};

const Bytes v4opt = { 31, 8, 0x9c, 0x41, 10, 0, 1, 2 }; /* 10.0.1.2:40001 */
const Bytes v6opt = {
	31, 20, 0x15, 0xb3, 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7
}; /* [2001:db8:64::7]:5555 */

} // namespace

TEST(LibtoaUdpCmsg, OptionAndPktinfo)
{
	Control c;
	c.pktinfo4("10.0.2.2");
	c.opts(v4opt);
	auto d = c.decode();
	ASSERT_EQ(d.option, UOA_PARSE_FOUND);
	EXPECT_EQ(d.client.to_string(), "10.0.1.2:40001");
	EXPECT_EQ(d.local.to_string(), "10.0.2.2:9000");
	EXPECT_FALSE(d.truncated);
}

TEST(LibtoaUdpCmsg, Nat64ClientAmongOtherOptions)
{
	Control c;
	Bytes o = { 1, 1, 1, 1 }; /* what toa.ko's NOPs look like */
	o.insert(o.end(), v6opt.begin(), v6opt.end());
	c.opts(o);
	auto d = c.decode();
	ASSERT_EQ(d.option, UOA_PARSE_FOUND);
	EXPECT_EQ(d.client.to_string(), "[2001:db8:64::7]:5555");
	EXPECT_TRUE(d.local.empty()); /* no IP_PKTINFO asked */
}

TEST(LibtoaUdpCmsg, IpOptionsNameAndMappedClient)
{
	Control c;
	Bytes mapped = { 31, 20, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 1, 2 };
	c.opts(mapped, IP_OPTIONS); /* the other spelling */
	auto d = c.decode();
	ASSERT_EQ(d.option, UOA_PARSE_FOUND);
	EXPECT_EQ(d.client.family, AF_INET); /* one spelling, as toa::peer */
	EXPECT_EQ(d.client.to_string(), "10.0.1.2:80");
}

TEST(LibtoaUdpCmsg, BlankedMalformedAndAbsent)
{
	Control blank;
	blank.opts(Bytes(8, 1)); /* toa.ko blanked a rejected one */
	EXPECT_EQ(blank.decode().option, UOA_PARSE_NONE);

	Control bad;
	bad.opts({ 31, 8, 0, 0, 10, 0, 1, 2 }); /* port 0 */
	auto d = bad.decode();
	EXPECT_EQ(d.option, UOA_PARSE_MALFORMED);
	EXPECT_TRUE(d.client.empty());

	Control other;
	other.opts({ 7, 7, 4, 0, 0, 0, 0, 0 }); /* record route only */
	EXPECT_EQ(other.decode().option, UOA_PARSE_NONE);

	Control none;
	none.pktinfo4("10.0.2.2");
	EXPECT_EQ(none.decode().option, UOA_PARSE_NONE);

	msghdr empty{};
	EXPECT_EQ(toa::detail::decode_udp_cmsgs(empty, 0).option, UOA_PARSE_NONE);
}

TEST(LibtoaUdpCmsg, Ipv6AndDualStack)
{
	Control c;
	c.pktinfo6("fd02::2");
	EXPECT_EQ(c.decode(0).local.to_string(), "[fd02::2]:0");
	Control m;
	m.pktinfo6("::ffff:10.0.2.2"); /* IPv4 on a dual-stack socket */
	EXPECT_EQ(m.decode(0).local.to_string(), "10.0.2.2:0");
}

TEST(LibtoaUdpCmsg, HostileBuffers)
{
	/* unknown levels and types are skipped */
	Control c;
	int x = 5;
	c.add(SOL_SOCKET, SO_TIMESTAMP, &x, sizeof(x));
	c.add(IPPROTO_IP, IP_TTL, &x, sizeof(x));
	c.opts(v4opt);
	EXPECT_EQ(c.decode().option, UOA_PARSE_FOUND);

	/* a short IP_PKTINFO is ignored, not read past */
	Control s;
	s.add(IPPROTO_IP, IP_PKTINFO, &x, sizeof(x));
	EXPECT_TRUE(s.decode().local.empty());

	/* a cmsg_len beyond the buffer ends the walk */
	Control l;
	l.opts(v4opt);
	reinterpret_cast<cmsghdr *>(l.buf)->cmsg_len = 4096;
	EXPECT_EQ(l.decode().option, UOA_PARSE_NONE);

	/* more option bytes than IPv4 allows: only 40 are looked at */
	Control big;
	Bytes o(40, 1);
	o.insert(o.end(), v4opt.begin(), v4opt.end());
	big.opts(o);
	EXPECT_EQ(big.decode().option, UOA_PARSE_NONE);

	/* the kernel says control data was cut */
	Control t;
	t.opts(v4opt);
	t.mh.msg_flags = MSG_CTRUNC;
	EXPECT_TRUE(t.decode().truncated);
}

TEST(LibtoaUdp, Strings)
{
	EXPECT_STREQ(toa::udp::to_string(toa::udp::source::flow_map), "flow-map");
	EXPECT_STREQ(toa_udp_source_string(TOA_UDP_FROM_OPTION), "option");
	EXPECT_STREQ(toa_udp_source_string(99), "?");
}

// Over loopback, no toa.ko: a header option nobody vetted is ignored by
// default (the datagram is its sender's, module missing), and read only
// when the application opts in with options::unvetted_header.
TEST(LibtoaUdp, LoopbackRoundTrip)
{
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(rx, 0);
	ASSERT_GE(tx, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 0);
	socklen_t al = sizeof(a);
	getsockname(rx, reinterpret_cast<sockaddr *>(&a), &al);
	ASSERT_TRUE(toa::udp::enable(rx));

	char buf[64];
	ASSERT_EQ(sendto(tx, "plain", 5, 0, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 5);
	auto d = toa::udp::recv(rx, buf, sizeof(buf));
	ASSERT_TRUE(d);
	EXPECT_EQ(d->size, 5u);
	EXPECT_EQ(d->from, toa::udp::source::none);
	EXPECT_EQ(d->client, d->sender);
	EXPECT_EQ(d->local.address(), "127.0.0.1");

	struct toa_udp_datagram cd;
	if (setsockopt(tx, IPPROTO_IP, IP_OPTIONS, v4opt.data(), (socklen_t)v4opt.size()) != 0) {
		close(rx);
		close(tx);
		GTEST_SKIP() << "IP_OPTIONS with option 31 needs CAP_NET_RAW";
	}
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(sendto(tx, "with", 4, 0, reinterpret_cast<sockaddr *>(&a), sizeof(a)), 4);
	/* the C ABI: never an unvetted option */
	ASSERT_EQ(toa_udp_recv(rx, buf, 2, 0, &cd), 2); /* truncated */
	EXPECT_EQ(cd.source, (uint32_t)TOA_UDP_FROM_NONE);
	EXPECT_TRUE(cd.flags & TOA_UDP_TRUNCATED);
	EXPECT_TRUE(cd.flags & TOA_UDP_MODULE_MISSING);
	char s[TOA_ENDPOINT_STRLEN];
	toa_endpoint_format(&cd.client, s, sizeof(s));
	EXPECT_STREQ(s, ("127.0.0.1:" + std::to_string(d->sender.port)).c_str());
	/* C++ default: the same */
	d = toa::udp::recv(rx, buf, sizeof(buf));
	ASSERT_TRUE(d);
	EXPECT_EQ(d->from, toa::udp::source::none);
	EXPECT_EQ(d->client, d->sender);
	EXPECT_TRUE(d->module_missing);
	/* opted in, knowingly: the header option as sent */
	toa::udp::options unsafe;
	unsafe.unvetted_header = true;
	d = toa::udp::recv(rx, buf, sizeof(buf), 0, unsafe);
	ASSERT_TRUE(d);
	EXPECT_EQ(d->from, toa::udp::source::option);
	EXPECT_EQ(d->client.to_string(), "10.0.1.2:40001");
	close(rx);
	close(tx);
}
