// SPDX-License-Identifier: GPL-2.0
/*
 * inject_test.cpp - unit tests of toa-inject's I/O-free parts.
 *
 * Needs: tools/toa-inject/{packet,flow,inject,options}.c, i.e. link the
 * static library target `toa_inject_core` defined in
 * tools/toa-inject/CMakeLists.txt (it also puts tools/toa-inject/ and
 * include/ on the include path), plus GTest::gtest_main. No libmnl or
 * libnetfilter_queue needed.
 *
 * Packets are built by hand here, with checksums computed by an
 * independent reference implementation (ref_* below), so an error in
 * packet.c's checksum code cannot hide behind itself.
 */
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <errno.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "flow.h"
#include "inject.h"
#include "options.h"
#include "packet.h"

#include <toa/wire.h>

namespace {

using Bytes = std::vector<uint8_t>;

/* ---- reference checksums (straightforward RFC 1071) ---- */

uint16_t ref_sum(const Bytes &b)
{
	uint64_t s = 0;

	for (size_t i = 0; i < b.size(); i += 2) {
		uint16_t w = (uint16_t)(b[i] << 8);

		if (i + 1 < b.size())
			w |= b[i + 1];
		s += w;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Offset of the TCP header: IPv4 IHL, or IPv6 + the extension chain. */
size_t tcp_offset(const Bytes &p)
{
	if ((p[0] >> 4) == 4)
		return (size_t)(p[0] & 0xf) * 4;
	size_t off = 40;
	uint8_t nh = p[6];
	while (nh != 6) {
		nh = p[off];
		off += ((size_t)p[off + 1] + 1) * 8;
	}
	return off;
}

/* The TCP checksum @p should carry, computed from scratch. */
uint16_t ref_tcp_csum(const Bytes &p)
{
	size_t th = tcp_offset(p);
	Bytes s;
	size_t tcplen;

	if ((p[0] >> 4) == 4) {
		tcplen = rd16(&p[2]) - th;
		s.insert(s.end(), p.begin() + 12, p.begin() + 20);
		s.push_back(0);
		s.push_back(6);
		s.push_back((uint8_t)(tcplen >> 8));
		s.push_back((uint8_t)tcplen);
	} else {
		tcplen = 40 + rd16(&p[4]) - th;
		s.insert(s.end(), p.begin() + 8, p.begin() + 40);
		s.push_back(0);
		s.push_back(0);
		s.push_back((uint8_t)(tcplen >> 8));
		s.push_back((uint8_t)tcplen);
		s.push_back(0);
		s.push_back(0);
		s.push_back(0);
		s.push_back(6);
	}
	Bytes seg(p.begin() + (long)th, p.begin() + (long)(th + tcplen));
	seg[16] = seg[17] = 0;
	s.insert(s.end(), seg.begin(), seg.end());
	return ref_sum(s);
}

uint16_t ref_ip_csum(const Bytes &p)
{
	Bytes h(p.begin(), p.begin() + (p[0] & 0xf) * 4);

	h[10] = h[11] = 0;
	return ref_sum(h);
}

/* Both checksums right and the lengths consistent with the buffer. */
::testing::AssertionResult WellFormed(const Bytes &p)
{
	size_t th = tcp_offset(p);

	if ((p[0] >> 4) == 4) {
		if (rd16(&p[2]) != p.size())
			return ::testing::AssertionFailure() << "IPv4 total length";
		if (ref_ip_csum(p) != rd16(&p[10]))
			return ::testing::AssertionFailure() << "IPv4 checksum";
	} else if (40u + rd16(&p[4]) != p.size()) {
		return ::testing::AssertionFailure() << "IPv6 payload length";
	}
	if ((size_t)(p[th + 12] >> 4) * 4 + th > p.size())
		return ::testing::AssertionFailure() << "data offset";
	if (ref_tcp_csum(p) != rd16(&p[th + 16]))
		return ::testing::AssertionFailure()
		       << "TCP checksum " << std::hex << rd16(&p[th + 16]) << " want "
		       << ref_tcp_csum(p);
	return ::testing::AssertionSuccess();
}

/* ---- packet builders ---- */

struct Tcp {
	uint16_t sport = 40000, dport = 80;
	uint32_t seq = 1000, ack = 5000;
	uint8_t flags = PKT_TCP_ACK;
	Bytes opts; /* padded by the caller to a multiple of 4 */
	std::string payload;
};

Bytes tcp_bytes(const Tcp &t)
{
	/* sized up front: GCC 12's -Warray-bounds misfires on insert() */
	Bytes b(20 + t.opts.size() + t.payload.size(), 0);

	wr16(&b[0], t.sport);
	wr16(&b[2], t.dport);
	b[4] = (uint8_t)(t.seq >> 24);
	b[5] = (uint8_t)(t.seq >> 16);
	b[6] = (uint8_t)(t.seq >> 8);
	b[7] = (uint8_t)t.seq;
	b[8] = (uint8_t)(t.ack >> 24);
	b[9] = (uint8_t)(t.ack >> 16);
	b[10] = (uint8_t)(t.ack >> 8);
	b[11] = (uint8_t)t.ack;
	b[12] = (uint8_t)(((20 + t.opts.size()) / 4) << 4);
	b[13] = t.flags;
	wr16(&b[14], 64240);
	std::copy(t.opts.begin(), t.opts.end(), b.begin() + 20);
	std::copy(t.payload.begin(), t.payload.end(), b.begin() + 20 + (long)t.opts.size());
	return b;
}

Bytes v4(const Tcp &t, const char *src = "10.0.1.2", const char *dst = "10.0.2.2",
	 Bytes ipopts = {})
{
	Bytes seg = tcp_bytes(t);
	size_t ihl = 20 + ipopts.size();
	Bytes p(ihl, 0);

	p[0] = (uint8_t)(0x40 | (ihl / 4));
	wr16(&p[2], (uint16_t)(ihl + seg.size()));
	wr16(&p[4], 0x1234);
	p[6] = 0x40; /* DF */
	p[8] = 64;
	p[9] = 6;
	inet_pton(AF_INET, src, &p[12]);
	inet_pton(AF_INET, dst, &p[16]);
	std::copy(ipopts.begin(), ipopts.end(), p.begin() + 20);
	p.insert(p.end(), seg.begin(), seg.end());
	wr16(&p[10], ref_ip_csum(p));
	wr16(&p[ihl + 16], ref_tcp_csum(p));
	return p;
}

Bytes v6(const Tcp &t, const char *src = "fd01::2", const char *dst = "fd02::2", Bytes ext = {})
{
	Bytes seg = tcp_bytes(t);
	Bytes p(40, 0);

	p[0] = 0x60;
	wr16(&p[4], (uint16_t)(ext.size() + seg.size()));
	p[6] = ext.empty() ? 6 : 0; /* ext is one hop-by-hop header */
	p[7] = 64;
	inet_pton(AF_INET6, src, &p[8]);
	inet_pton(AF_INET6, dst, &p[24]);
	p.insert(p.end(), ext.begin(), ext.end());
	p.insert(p.end(), seg.begin(), seg.end());
	wr16(&p[tcp_offset(p) + 16], ref_tcp_csum(p));
	return p;
}

const Bytes kNopNopTs = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };

/* Parse the TOA option back with the project's one parser. */
enum toa_parse_result parse_back(const Bytes &p, struct toa_client *c,
				 uint32_t mask = TOA_FMT_ALL_MASK)
{
	size_t th = tcp_offset(p);
	unsigned int thl = (unsigned int)(p[th + 12] >> 4) * 4;

	memset(c, 0, sizeof(*c));
	return toa_parse_options(&p[th + 20], thl - 20, mask, c);
}

/* Insert @opt into @p through pkt_insert_option. */
int insert(Bytes &p, const Bytes &opt, enum pkt_where where = PKT_OPT_FIRST, size_t cap = 70000)
{
	struct pkt_info pi;
	size_t len = p.size();

	EXPECT_EQ(pkt_parse(p.data(), len, &pi), PKT_OK);
	p.resize(cap);
	int err = pkt_insert_option(p.data(), &len, cap, &pi, opt.data(), (unsigned int)opt.size(),
				    where);
	p.resize(err ? p.size() : len);
	return err;
}

Bytes toa_v4(uint16_t port, const char *addr, uint8_t kind = 254)
{
	Bytes o = { kind, 8, (uint8_t)(port >> 8), (uint8_t)port, 0, 0, 0, 0 };

	inet_pton(AF_INET, addr, &o[4]);
	return o;
}

std::string payload_of(const Bytes &p)
{
	size_t th = tcp_offset(p);
	size_t thl = (size_t)(p[th + 12] >> 4) * 4;

	return std::string(p.begin() + (long)(th + thl), p.end());
}

std::string ntop(int fam, const uint8_t *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(fam == TOA_AF_INET ? AF_INET : AF_INET6, a, s, sizeof(s));
	return s;
}

} // namespace

/* ================= packet.c ================= */

TEST(InjectPacket, BuildersMakeValidPackets)
{
	Tcp t;
	t.opts = kNopNopTs;
	t.payload = "abc"; /* odd length */
	EXPECT_TRUE(WellFormed(v4(t)));
	EXPECT_TRUE(WellFormed(v6(t)));

	Bytes p = v4(t);
	struct pkt_info pi;
	ASSERT_EQ(pkt_parse(p.data(), p.size(), &pi), PKT_OK);
	EXPECT_TRUE(pkt_csum_ok(p.data(), &pi));
	EXPECT_EQ(pkt_tcp_csum(p.data(), &pi), rd16(&p[36]));
	p[p.size() - 1] ^= 1;
	EXPECT_FALSE(pkt_csum_ok(p.data(), &pi));
}

TEST(InjectPacket, ParseV4)
{
	Tcp t;
	t.opts = kNopNopTs;
	t.payload = "hello";
	Bytes p = v4(t);
	struct pkt_info pi;

	ASSERT_EQ(pkt_parse(p.data(), p.size(), &pi), PKT_OK);
	EXPECT_EQ(pi.family, TOA_AF_INET);
	EXPECT_EQ(pi.ip_len, p.size());
	EXPECT_EQ(pi.tcp_off, 20u);
	EXPECT_EQ(pi.thl, 32u);
	EXPECT_EQ(pi.tcp_len, 37u);
	EXPECT_EQ(ntohs(pi.sport), 40000);
	EXPECT_EQ(ntohs(pi.dport), 80);
	EXPECT_EQ(pi.seq, 1000u);
	EXPECT_EQ(pi.flags, PKT_TCP_ACK);
	EXPECT_EQ(ntop(TOA_AF_INET, pi.saddr), "10.0.1.2");
	EXPECT_EQ(ntop(TOA_AF_INET, pi.daddr), "10.0.2.2");
}

TEST(InjectPacket, ParseRejects)
{
	Tcp t;
	Bytes p = v4(t);
	struct pkt_info pi;

	EXPECT_EQ(pkt_parse(p.data(), 10, &pi), PKT_BAD);
	Bytes frag = p;
	frag[6] = 0x20; /* MF */
	EXPECT_EQ(pkt_parse(frag.data(), frag.size(), &pi), PKT_FRAGMENT);
	Bytes udp = p;
	udp[9] = 17;
	EXPECT_EQ(pkt_parse(udp.data(), udp.size(), &pi), PKT_NOT_TCP);
	Bytes badoff = p;
	badoff[32] = 0xf0; /* data offset 60 > segment */
	EXPECT_EQ(pkt_parse(badoff.data(), badoff.size(), &pi), PKT_BAD);
	Bytes longer = p;
	wr16(&longer[2], (uint16_t)(p.size() + 4));
	EXPECT_EQ(pkt_parse(longer.data(), longer.size(), &pi), PKT_BAD);
	Bytes p6 = v6(t);
	Bytes frag6 = p6;
	frag6[6] = 44;
	EXPECT_EQ(pkt_parse(frag6.data(), frag6.size(), &pi), PKT_FRAGMENT);
	Bytes ver = p;
	ver[0] = 0x55;
	EXPECT_EQ(pkt_parse(ver.data(), ver.size(), &pi), PKT_BAD);
}

TEST(InjectPacket, InsertV4PureAck)
{
	Tcp t;
	Bytes p = v4(t);
	size_t before = p.size();

	ASSERT_EQ(insert(p, toa_v4(40000, "10.0.1.2")), 0);
	EXPECT_EQ(p.size(), before + 8);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(p[32] >> 4, 7); /* data offset 28 bytes */
	const Bytes want = { 254, 8, 0x9c, 0x40, 10, 0, 1, 2 };
	EXPECT_EQ(Bytes(p.begin() + 40, p.begin() + 48), want);

	struct toa_client c;
	ASSERT_EQ(parse_back(p, &c), TOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET);
	EXPECT_EQ(ntohs(c.port), 40000);
	EXPECT_EQ(ntop(TOA_AF_INET, c.addr), "10.0.1.2");
	EXPECT_EQ(c.format, TOA_FMT_254_V4);
}

TEST(InjectPacket, InsertV4WithTimestampsAndPayload)
{
	Tcp t;
	t.opts = kNopNopTs;
	t.payload = "hello world\n";
	Bytes p = v4(t);

	ASSERT_EQ(insert(p, toa_v4(1234, "192.0.2.7", 200)), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(p[32] >> 4, 10); /* 20 + 8 + 12 */
	EXPECT_EQ(payload_of(p), "hello world\n");
	/* TOA first, the NOP-padded timestamps keep their 4-byte alignment */
	EXPECT_EQ(p[40], 200);
	EXPECT_EQ(Bytes(p.begin() + 48, p.begin() + 60), kNopNopTs);

	struct toa_client c;
	ASSERT_EQ(parse_back(p, &c), TOA_PARSE_FOUND);
	EXPECT_EQ(c.format, TOA_FMT_200_V4);
	EXPECT_EQ(ntohs(c.port), 1234);
	EXPECT_EQ(ntop(TOA_AF_INET, c.addr), "192.0.2.7");
}

TEST(InjectPacket, InsertV4WithIpOptions)
{
	Tcp t;
	t.payload = "x";
	Bytes p = v4(t, "10.0.1.2", "10.0.2.2", { 1, 1, 1, 0 });

	ASSERT_EQ(insert(p, toa_v4(9, "10.0.1.2")), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(p[44], 254); /* 24-byte IP header + 20 */
	EXPECT_EQ(payload_of(p), "x");
}

TEST(InjectPacket, InsertV6)
{
	Tcp t;
	t.opts = kNopNopTs;
	t.payload = "data";
	Bytes p = v6(t);
	Bytes opt = { 254, 20, 0x9c, 0x40 };
	uint8_t a[16];

	inet_pton(AF_INET6, "fd01::2", a);
	opt.insert(opt.end(), a, a + 16);
	ASSERT_EQ(insert(p, opt), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(rd16(&p[4]), 20 + 20 + 12 + 4);
	EXPECT_EQ(p[52] >> 4, 13);
	EXPECT_EQ(payload_of(p), "data");

	struct toa_client c;
	ASSERT_EQ(parse_back(p, &c), TOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET6);
	EXPECT_EQ(ntop(TOA_AF_INET6, c.addr), "fd01::2");
}

TEST(InjectPacket, InsertV6AfterHopByHop)
{
	Tcp t;
	t.payload = "hbh";
	/* hop-by-hop: next header TCP, len 0 (8 bytes), PadN */
	Bytes p = v6(t, "fd01::2", "fd02::2", { 6, 0, 1, 4, 0, 0, 0, 0 });

	ASSERT_TRUE(WellFormed(p));
	struct pkt_info pi;
	ASSERT_EQ(pkt_parse(p.data(), p.size(), &pi), PKT_OK);
	EXPECT_EQ(pi.tcp_off, 48u);
	ASSERT_EQ(insert(p, toa_v4(7, "10.0.1.2")), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(payload_of(p), "hbh");
}

TEST(InjectPacket, NoRoom)
{
	Tcp t;
	/* timestamps + SACK with 3 blocks (26) = 38 bytes, EOL-padded to 40 */
	t.opts = kNopNopTs;
	Bytes sack = { 5, 26 };
	sack.resize(26, 0x11);
	t.opts.insert(t.opts.end(), sack.begin(), sack.end());
	t.opts.push_back(0);
	t.opts.push_back(0);
	ASSERT_EQ(t.opts.size(), 40u);
	Bytes p = v4(t), orig = p;

	EXPECT_EQ(insert(p, toa_v4(1, "10.0.1.2")), -ENOSPC);
	EXPECT_EQ(Bytes(p.begin(), p.begin() + (long)orig.size()), orig);

	/* 24 bytes of options leave 16: a 20-byte option does not fit ... */
	Tcp u;
	u.opts = kNopNopTs;
	u.opts.insert(u.opts.end(), { 5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1 });
	Bytes q = v6(u);
	EXPECT_EQ(insert(q, Bytes(20, 1)), -ENOSPC);
	/* ... an 8-byte one does, and 24 + 8 + 8 = 40 exactly fits too */
	EXPECT_EQ(insert(q, toa_v4(1, "10.0.1.2")), 0);
	EXPECT_TRUE(WellFormed(q));
	EXPECT_EQ(insert(q, Bytes(8, 1)), 0);
	EXPECT_TRUE(WellFormed(q));
	EXPECT_EQ(q[52] >> 4, 15);
	EXPECT_EQ(insert(q, Bytes{ 1, 1, 1, 1 }), -ENOSPC);
}

TEST(InjectPacket, TooBigOrBadLength)
{
	Tcp t;
	Bytes p = v4(t);

	EXPECT_EQ(insert(p, toa_v4(1, "10.0.1.2"), PKT_OPT_FIRST, p.size() + 4), -EMSGSIZE);
	p = v4(t);
	EXPECT_EQ(insert(p, Bytes{ 254, 7, 0, 1, 2, 3, 4 }), -EINVAL);

	Tcp big;
	big.payload.assign(65535 - 40 - 4, 'x');
	Bytes q = v4(big);
	EXPECT_EQ(insert(q, toa_v4(1, "10.0.1.2")), -EMSGSIZE);
}

TEST(InjectPacket, InsertLastTurnsEolPaddingIntoNops)
{
	Tcp t;
	t.opts = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0 }; /* EOL */
	Bytes p = v4(t);

	ASSERT_EQ(insert(p, toa_v4(80, "10.0.1.2"), PKT_OPT_LAST), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(Bytes(p.begin() + 52, p.begin() + 56), Bytes(4, 1));
	EXPECT_EQ(p[56], 254);
	struct toa_client c;
	EXPECT_EQ(parse_back(p, &c), TOA_PARSE_FOUND);
}

TEST(InjectPacket, MssClamp)
{
	Tcp t;
	t.flags = PKT_TCP_SYN;
	t.opts = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	Bytes p = v4(t);
	struct pkt_info pi;

	ASSERT_EQ(pkt_parse(p.data(), p.size(), &pi), PKT_OK);
	EXPECT_EQ(pkt_get_mss(p.data(), &pi), 1460u);
	EXPECT_EQ(pkt_clamp_mss(p.data(), &pi, 8), 1);
	EXPECT_EQ(pkt_get_mss(p.data(), &pi), 1452u);
	EXPECT_TRUE(WellFormed(p));

	Tcp n;
	n.flags = PKT_TCP_SYN;
	n.opts = kNopNopTs;
	Bytes q = v6(n);
	ASSERT_EQ(pkt_parse(q.data(), q.size(), &pi), PKT_OK);
	EXPECT_EQ(pkt_clamp_mss(q.data(), &pi, 20), 0);
}

TEST(InjectPacket, RandomOptionListsAndPayloads)
{
	uint32_t rnd = 12345;
	auto next = [&rnd]() {
		rnd = rnd * 1103515245u + 12345u;
		return rnd >> 8;
	};

	for (int iter = 0; iter < 2000; iter++) {
		Tcp t;
		t.seq = next();
		t.opts.resize((next() % 11) * 4, 1); /* NOPs, 0..40 bytes */
		if (t.opts.size() >= 12 && next() % 2)
			std::copy(kNopNopTs.begin(), kNopNopTs.end(), t.opts.begin());
		t.payload.assign(next() % 1500, (char)next());
		bool six = next() % 2;
		Bytes p = six ? v6(t) : v4(t), orig = p;
		Bytes opt = toa_v4((uint16_t)(next() | 1), "10.0.1.2");
		if (next() % 2) {
			opt.assign({ 254, 20, 0, 1 });
			opt.resize(20, 0x11);
		}
		int err = insert(p, opt);
		if (t.opts.size() + opt.size() > 40) {
			ASSERT_EQ(err, -ENOSPC);
			ASSERT_EQ(Bytes(p.begin(), p.begin() + (long)orig.size()), orig);
			continue;
		}
		ASSERT_EQ(err, 0);
		ASSERT_TRUE(WellFormed(p));
		ASSERT_EQ(p.size(), orig.size() + opt.size());
		ASSERT_EQ(payload_of(p), t.payload);
		struct toa_client c;
		ASSERT_EQ(parse_back(p, &c), TOA_PARSE_FOUND);
	}
}

/* ================= inject.c: the option bytes ================= */

namespace {

struct pkt_info info_of(const Bytes &p)
{
	struct pkt_info pi;

	EXPECT_EQ(pkt_parse(p.data(), p.size(), &pi), PKT_OK);
	return pi;
}

struct inject_config cfg_default()
{
	struct inject_config cfg;

	inject_config_init(&cfg);
	return cfg;
}

Bytes build(const struct inject_config &cfg, const Bytes &p, enum pkt_where *where = nullptr)
{
	struct pkt_info pi = info_of(p);
	uint8_t out[40];
	enum pkt_where w = PKT_OPT_FIRST;
	unsigned int n = inject_build_option(&cfg, &pi, out, &w);

	if (where)
		*where = w;
	return Bytes(out, out + n);
}

} // namespace

TEST(InjectBuild, DefaultsFollowTheClientFamily)
{
	Tcp t;
	struct inject_config cfg = cfg_default();

	EXPECT_EQ(build(cfg, v4(t)), toa_v4(40000, "10.0.1.2"));
	Bytes o6 = build(cfg, v6(t));
	ASSERT_EQ(o6.size(), 20u);
	EXPECT_EQ(o6[0], 254);
	EXPECT_EQ(o6[1], 20);
	EXPECT_EQ(ntop(TOA_AF_INET6, &o6[4]), "fd01::2");
}

TEST(InjectBuild, ForgedNat64Client)
{
	Tcp t;
	struct inject_config cfg = cfg_default();
	char *argv[] = { (char *)"toa-inject", (char *)"-q0", (char *)"--client",
			 (char *)"[fd05::5]:1234", nullptr };
	char err[128];

	ASSERT_EQ(options_parse(4, argv, &cfg, err, sizeof(err)), OPTIONS_OK);
	Bytes p = v4(t);
	Bytes o = build(cfg, p);
	ASSERT_EQ(o.size(), 20u); /* IPv6 client: 254/20 by default */
	ASSERT_EQ(insert(p, o), 0);
	EXPECT_TRUE(WellFormed(p));
	struct toa_client c;
	ASSERT_EQ(parse_back(p, &c, TOA_FMT_DEFAULT_MASK), TOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET6);
	EXPECT_EQ(c.format, TOA_FMT_254_V6);
	EXPECT_EQ(ntohs(c.port), 1234);
	EXPECT_EQ(ntop(TOA_AF_INET6, c.addr), "fd05::5");
}

TEST(InjectBuild, FormatsAndMapping)
{
	Tcp t;
	struct inject_config cfg = cfg_default();

	cfg.format = TOA_FMT_253_V6; /* IPv4 client: ::ffff:a.b.c.d */
	Bytes o = build(cfg, v4(t));
	ASSERT_EQ(o.size(), 20u);
	EXPECT_EQ(o[0], 253);
	EXPECT_EQ(ntop(TOA_AF_INET6, &o[4]), "::ffff:10.0.1.2");

	cfg.format = TOA_FMT_253_V4;
	EXPECT_EQ(build(cfg, v4(t)), toa_v4(40000, "10.0.1.2", 253));

	cfg.format = TOA_FMT_254_V4; /* IPv6 client does not fit */
	EXPECT_TRUE(build(cfg, v6(t)).empty());
	/* unless it is v4-mapped */
	EXPECT_EQ(build(cfg, v6(t, "::ffff:10.0.1.9")), toa_v4(40000, "10.0.1.9"));

	cfg = cfg_default();
	cfg.have_port = 1;
	cfg.port = htons(7);
	EXPECT_EQ(build(cfg, v4(t)), toa_v4(7, "10.0.1.2"));
}

TEST(InjectBuild, MalformKinds)
{
	struct Case {
		enum inject_malform m;
		enum toa_parse_result want;
		size_t len;
		enum pkt_where where;
	} cases[] = {
		{ INJECT_MAL_TRUNCATED, TOA_PARSE_MALFORMED, 4, PKT_OPT_LAST },
		{ INJECT_MAL_BADLEN, TOA_PARSE_MALFORMED, 4, PKT_OPT_LAST },
		{ INJECT_MAL_ZERO_PORT, TOA_PARSE_MALFORMED, 8, PKT_OPT_FIRST },
		{ INJECT_MAL_ZERO_ADDR, TOA_PARSE_MALFORMED, 8, PKT_OPT_FIRST },
		{ INJECT_MAL_SHORT, TOA_PARSE_NONE, 8, PKT_OPT_FIRST },
	};

	for (const Case &k : cases) {
		SCOPED_TRACE(inject_malform_names[k.m]);
		for (int v6pkt = 0; v6pkt < 2; v6pkt++) {
			Tcp t;
			t.opts = kNopNopTs;
			t.payload = "p";
			Bytes p = v6pkt ? v6(t) : v4(t);
			struct inject_config cfg = cfg_default();
			enum pkt_where where;

			cfg.malform = k.m;
			Bytes o = build(cfg, p, &where);
			ASSERT_EQ(
				o.size(),
				k.len + (v6pkt && k.len == 8 && k.m != INJECT_MAL_SHORT ? 12 : 0));
			EXPECT_EQ(where, k.where);
			EXPECT_EQ(o[0], 254);
			ASSERT_EQ(insert(p, o, where), 0);
			EXPECT_TRUE(WellFormed(p));
			struct toa_client c;
			EXPECT_EQ(parse_back(p, &c, TOA_FMT_DEFAULT_MASK), k.want);
			EXPECT_EQ(payload_of(p), "p");
		}
	}
	/* the exact bytes of the structural ones */
	Tcp t;
	struct inject_config cfg = cfg_default();
	cfg.malform = INJECT_MAL_TRUNCATED;
	EXPECT_EQ(build(cfg, v4(t)), (Bytes{ 254, 8, 0x9c, 0x40 }));
	cfg.malform = INJECT_MAL_BADLEN;
	EXPECT_EQ(build(cfg, v4(t)), (Bytes{ 254, 1, 0, 0 }));
	cfg.malform = INJECT_MAL_SHORT;
	EXPECT_EQ(build(cfg, v4(t)), (Bytes{ 254, 7, 0x9c, 0x40, 10, 0, 1, 1 }));
}

/* --malform twice: one segment with two honoured options is malformed. */
TEST(InjectBuild, MalformTwice)
{
	Tcp t;
	t.opts = kNopNopTs;
	t.payload = "p";
	Bytes p = v4(t);
	struct inject_config cfg = cfg_default();
	enum pkt_where where;
	struct toa_client c;

	cfg.malform = INJECT_MAL_TWICE;
	Bytes o = build(cfg, p, &where);
	Bytes one = toa_v4(40000, "10.0.1.2");
	Bytes both = one;
	both.insert(both.end(), one.begin(), one.end());
	EXPECT_EQ(o, both);
	ASSERT_EQ(insert(p, o, where), 0);
	EXPECT_TRUE(WellFormed(p));
	EXPECT_EQ(parse_back(p, &c, TOA_FMT_DEFAULT_MASK), TOA_PARSE_MALFORMED);
	EXPECT_EQ(payload_of(p), "p");
}

/* ================= inject.c: flows and modes ================= */

namespace {

struct Injector {
	struct inject_config cfg = cfg_default();
	struct flow_table ft;
	struct inject_counters c = {};
	uint64_t now = 1000;

	Injector() { EXPECT_EQ(flow_table_init(&ft, 64, 60000), 0); }
	~Injector() { flow_table_free(&ft); }

	/* Feeds @p; returns 1 if modified (and @p is the new packet). */
	int feed(Bytes &p)
	{
		size_t len = p.size();

		p.resize(len + 40);
		int r = inject_packet(&cfg, &ft, &c, now, p.data(), &len, p.size(), nullptr);
		p.resize(len);
		return r;
	}
};

bool has_toa(const Bytes &p)
{
	struct toa_client c;

	return parse_back(p, &c) == TOA_PARSE_FOUND;
}

Tcp seg(uint8_t flags, uint32_t seq, std::string payload = "", uint16_t sport = 40000,
	uint16_t dport = 80)
{
	Tcp t;

	t.flags = flags;
	t.seq = seq;
	t.sport = sport;
	t.dport = dport;
	t.opts = kNopNopTs;
	t.payload = std::move(payload);
	return t;
}

} // namespace

TEST(InjectFlow, ModeAckInjectsOnlyTheHandshakeAck)
{
	Injector r;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes synack = v4(seg(PKT_TCP_SYN | PKT_TCP_ACK, 7, "", 80, 40000), "10.0.2.2", "10.0.1.2");
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	Bytes data = v4(seg(PKT_TCP_ACK | PKT_TCP_PSH, 1000, "hello"));
	Bytes reply = v4(seg(PKT_TCP_ACK, 8, "hi", 80, 40000), "10.0.2.2", "10.0.1.2");

	EXPECT_EQ(r.feed(syn), INJECT_PASS);
	EXPECT_EQ(r.feed(synack), INJECT_PASS);
	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	EXPECT_TRUE(WellFormed(ack));
	EXPECT_TRUE(has_toa(ack));
	EXPECT_EQ(r.feed(data), INJECT_PASS);
	EXPECT_EQ(r.feed(reply), INJECT_PASS); /* reverse direction */
	EXPECT_EQ(r.c.seen, 5u);
	EXPECT_EQ(r.c.injected, 1u);
	EXPECT_EQ(r.c.passed, 4u);
	EXPECT_EQ(r.c.flows, 1u);
}

TEST(InjectFlow, LostAckMeansFirstDataPacket)
{
	Injector r;
	Bytes syn = v6(seg(PKT_TCP_SYN, 999));
	Bytes data = v6(seg(PKT_TCP_ACK | PKT_TCP_PSH, 1000, "hello"));

	r.feed(syn);
	EXPECT_EQ(r.feed(data), INJECT_MODIFIED);
	EXPECT_TRUE(WellFormed(data));
	EXPECT_TRUE(has_toa(data));
	EXPECT_EQ(payload_of(data), "hello");
}

TEST(InjectFlow, JoinsFlowsWhoseSynWasNotQueued)
{
	/* tests/vm's lb_queue queues no SYN: the first packet seen counts */
	Injector r;
	r.cfg.mode = INJECT_MODE_SEQ;
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	Bytes data = v4(seg(PKT_TCP_ACK | PKT_TCP_PSH, 1000, "hello"));
	Bytes more = v4(seg(PKT_TCP_ACK | PKT_TCP_PSH, 1005, "again"));

	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	EXPECT_TRUE(has_toa(ack));
	EXPECT_EQ(r.feed(data), INJECT_MODIFIED); /* seq == ISN + 1 too */
	EXPECT_EQ(r.feed(more), INJECT_PASS);
	EXPECT_EQ(r.c.flows, 1u);
}

TEST(InjectFlow, ServerDirectionNeverGetsOption)
{
	Injector r;
	r.cfg.mode = INJECT_MODE_EVERY;
	Bytes synack = v6(seg(PKT_TCP_SYN | PKT_TCP_ACK, 7, "", 80, 40000), "fd02::2", "fd01::2");
	Bytes reply = v6(seg(PKT_TCP_ACK, 8, "hi", 80, 40000), "fd02::2", "fd01::2");

	EXPECT_EQ(r.feed(synack), INJECT_PASS);
	EXPECT_EQ(r.feed(reply), INJECT_PASS);
	EXPECT_EQ(r.c.flows, 0u);
}

TEST(InjectFlow, ModesFirstEverySeq)
{
	for (int mode : { INJECT_MODE_FIRST, INJECT_MODE_EVERY, INJECT_MODE_SEQ }) {
		SCOPED_TRACE(mode);
		Injector r;
		r.cfg.mode = (enum inject_mode)mode;
		r.cfg.first_n = 2;
		Bytes syn = v4(seg(PKT_TCP_SYN, 999));
		r.feed(syn);
		std::vector<Bytes> pk = {
			v4(seg(PKT_TCP_ACK, 1000)),
			v4(seg(PKT_TCP_ACK, 1000, "one")),
			v4(seg(PKT_TCP_ACK, 1003, "two")),
			v4(seg(PKT_TCP_ACK, 1006, "three")),
		};
		std::vector<int> got;
		for (Bytes &p : pk) {
			got.push_back(r.feed(p));
			EXPECT_TRUE(WellFormed(p));
		}
		std::vector<int> want = mode == INJECT_MODE_EVERY ? std::vector<int>{ 1, 1, 1, 1 }
								  : std::vector<int>{ 1, 1, 0, 0 };
		EXPECT_EQ(got, want);
	}
}

TEST(InjectFlow, SynModeWritesTheClientSynOnly)
{
	Injector r;
	r.cfg.mode = INJECT_MODE_SYN;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes synack = v4(seg(PKT_TCP_SYN | PKT_TCP_ACK, 7, "", 80, 40000), "10.0.2.2", "10.0.1.2");
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	Bytes data = v4(seg(PKT_TCP_ACK | PKT_TCP_PSH, 1000, "hello"));

	EXPECT_EQ(r.feed(syn), INJECT_MODIFIED);
	EXPECT_TRUE(WellFormed(syn));
	EXPECT_TRUE(has_toa(syn));
	EXPECT_EQ(r.feed(synack), INJECT_PASS);
	EXPECT_FALSE(has_toa(synack));
	EXPECT_EQ(r.feed(ack), INJECT_PASS);
	EXPECT_FALSE(has_toa(ack));
	EXPECT_EQ(r.feed(data), INJECT_PASS);
	EXPECT_EQ(r.c.injected, 1u);

	/* a retransmitted SYN gets it again: it starts the flow over */
	Bytes again = v4(seg(PKT_TCP_SYN, 999));
	EXPECT_EQ(r.feed(again), INJECT_MODIFIED);
	EXPECT_TRUE(has_toa(again));
}

TEST(InjectFlow, FinFirstPacketGetsOptionThenFlowEnds)
{
	Injector r;
	r.cfg.mode = INJECT_MODE_EVERY;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes fin = v4(seg(PKT_TCP_ACK | PKT_TCP_FIN, 1000, "bye"));
	Bytes after = v4(seg(PKT_TCP_ACK, 1004));

	r.feed(syn);
	EXPECT_EQ(r.feed(fin), INJECT_MODIFIED);
	EXPECT_TRUE(has_toa(fin));
	EXPECT_EQ(r.feed(after), INJECT_PASS);
}

TEST(InjectFlow, RstEndsFlow)
{
	Injector r;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes rst = v4(seg(PKT_TCP_RST, 1000));
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));

	r.feed(syn);
	EXPECT_EQ(r.feed(rst), INJECT_PASS);
	EXPECT_EQ(r.feed(ack), INJECT_PASS);
	EXPECT_EQ(r.c.injected, 0u);
}

TEST(InjectFlow, PortUsedAgainAfterCloseIsANewFlow)
{
	/* No SYN queued (lb_queue): the client's next connection on the same
	 * port, an RST having cut the TIME_WAIT short, is told by its seq. */
	Injector r;
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	Bytes fin = v4(seg(PKT_TCP_ACK | PKT_TCP_FIN, 1000, "hello"));
	Bytes last = v4(seg(PKT_TCP_ACK, 1006));		/* acks the server's FIN */
	Bytes again = v4(seg(PKT_TCP_ACK | PKT_TCP_FIN, 1005)); /* FIN again */
	Bytes next = v4(seg(PKT_TCP_ACK, 0x9000000));
	Bytes next_data = v4(seg(PKT_TCP_ACK, 0x9000000, "x"));

	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	EXPECT_EQ(r.feed(fin), INJECT_PASS);
	EXPECT_EQ(r.feed(last), INJECT_PASS);
	EXPECT_EQ(r.feed(again), INJECT_PASS);
	EXPECT_EQ(r.c.reused, 0u);
	EXPECT_EQ(r.feed(next), INJECT_MODIFIED);
	EXPECT_TRUE(has_toa(next));
	EXPECT_EQ(r.feed(next_data), INJECT_PASS);
	EXPECT_EQ(r.c.flows, 2u);
	EXPECT_EQ(r.c.reused, 1u);
}

TEST(InjectFlow, PortUsedAgainWithoutASeenCloseIsANewFlow)
{
	/* The old connection ended with an RST the queue skipped: still live
	 * here. Its own packets, even past a gap, stay its own. */
	Injector r;
	Bytes syn = v6(seg(PKT_TCP_SYN, 999));
	Bytes ack = v6(seg(PKT_TCP_ACK, 1000));
	Bytes gap = v6(seg(PKT_TCP_ACK, 1000 + 500000, "after a gap"));
	Bytes retrans = v6(seg(PKT_TCP_ACK, 1000, "old"));
	Bytes next = v6(seg(PKT_TCP_ACK, 0xa0000000));
	Bytes stray_rst = v6(seg(PKT_TCP_RST, 0x50000000));

	r.feed(syn);
	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	EXPECT_EQ(r.feed(gap), INJECT_PASS);
	EXPECT_EQ(r.feed(retrans), INJECT_PASS);
	EXPECT_EQ(r.feed(stray_rst), INJECT_PASS); /* no flow of its own */
	EXPECT_EQ(r.c.reused, 0u);
	EXPECT_EQ(r.feed(next), INJECT_MODIFIED);
	EXPECT_EQ(r.c.flows, 2u);
	EXPECT_EQ(r.c.reused, 1u);
}

TEST(InjectFlow, SequenceNumbersWrapAround)
{
	Injector r;
	r.cfg.mode = INJECT_MODE_SEQ;
	Bytes syn = v4(seg(PKT_TCP_SYN, 0xfffffff0));
	Bytes ack = v4(seg(PKT_TCP_ACK, 0xfffffff1));
	Bytes wrapped = v4(seg(PKT_TCP_ACK, 0xfffffff1, std::string(40, 'w')));
	Bytes after = v4(seg(PKT_TCP_ACK, 0x19, "z"));
	Bytes retrans = v4(seg(PKT_TCP_ACK, 0xfffffff9, "r"));

	r.feed(syn);
	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	EXPECT_EQ(r.feed(wrapped), INJECT_MODIFIED); /* seq == ISN + 1 */
	EXPECT_EQ(r.feed(after), INJECT_PASS);
	EXPECT_EQ(r.feed(retrans), INJECT_PASS);
	EXPECT_EQ(r.c.flows, 1u);
	EXPECT_EQ(r.c.reused, 0u);
}

TEST(InjectFlow, ExpiredFlowIsForgotten)
{
	Injector r;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	Bytes data = v4(seg(PKT_TCP_ACK, 1000, "x"));
	Bytes late = v4(seg(PKT_TCP_ACK, 1001, "y"));

	r.feed(syn);
	EXPECT_EQ(r.feed(ack), INJECT_MODIFIED);
	r.now += 59000;
	EXPECT_EQ(r.feed(data), INJECT_PASS); /* refreshes the entry */
	r.now += 60001;
	EXPECT_EQ(r.feed(late), INJECT_MODIFIED); /* a new, joined flow */
	EXPECT_EQ(r.c.flows, 2u);
}

TEST(InjectFlow, BadChecksumAndFragmentsPassUntouched)
{
	Injector r;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Bytes ack = v4(seg(PKT_TCP_ACK, 1000));
	r.feed(syn);
	ack[37] ^= 0xff; /* break the TCP checksum */
	Bytes orig = ack;
	EXPECT_EQ(r.feed(ack), INJECT_PASS);
	EXPECT_EQ(ack, orig);
	EXPECT_EQ(r.c.bad_csum, 1u);

	Bytes frag = v4(seg(PKT_TCP_ACK, 1000));
	frag[6] |= 0x20;
	EXPECT_EQ(r.feed(frag), INJECT_PASS);
	EXPECT_EQ(r.c.unparsed, 1u);
}

TEST(InjectFlow, NoRoomAndUnfitAreCounted)
{
	Injector r;
	Bytes syn = v4(seg(PKT_TCP_SYN, 999));
	Tcp full = seg(PKT_TCP_ACK, 1000);
	full.opts.insert(full.opts.end(), { 5, 26 });
	full.opts.resize(38, 0x22); /* SACK, 3 blocks */
	full.opts.insert(full.opts.end(), { 1, 1 });
	Bytes ack = v4(full);

	r.feed(syn);
	EXPECT_EQ(r.feed(ack), INJECT_PASS);
	EXPECT_EQ(r.c.no_room, 1u);

	Injector u;
	u.cfg.format = TOA_FMT_200_V4;
	Bytes syn6 = v6(seg(PKT_TCP_SYN, 999));
	Bytes ack6 = v6(seg(PKT_TCP_ACK, 1000));
	u.feed(syn6);
	EXPECT_EQ(u.feed(ack6), INJECT_PASS);
	EXPECT_EQ(u.c.unfit, 1u);
}

TEST(InjectFlow, MssClampOnSyn)
{
	Injector r;
	r.cfg.mss_clamp = 1;
	Tcp t = seg(PKT_TCP_SYN, 999);
	t.opts = { 2, 4, 0x05, 0xa0, 1, 1, 4, 2 }; /* MSS 1440 */
	Bytes syn6 = v6(t);

	EXPECT_EQ(r.feed(syn6), INJECT_MODIFIED);
	EXPECT_TRUE(WellFormed(syn6));
	struct pkt_info pi = info_of(syn6);
	EXPECT_EQ(pkt_get_mss(syn6.data(), &pi), 1420u);
	EXPECT_EQ(r.c.clamped, 1u);
	EXPECT_EQ(r.c.flows, 1u);
}

TEST(InjectFlow, GarbageNeverCrashes)
{
	/* random bytes behind plausible IPv4/IPv6 headers, every mode and
	 * malformation: must pass or edit cleanly (run under ASan/UBSan) */
	uint32_t rnd = 777;
	auto next = [&rnd]() {
		rnd = rnd * 1103515245u + 12345u;
		return rnd >> 8;
	};

	unsigned long edited = 0;

	for (int iter = 0; iter < 20000; iter++) {
		Injector r;
		r.cfg.mode = (enum inject_mode)(next() % 5);
		r.cfg.first_n = 3;
		r.cfg.malform = (enum inject_malform)(next() % INJECT_MAL_COUNT);
		r.cfg.mss_clamp = next() % 2;
		Tcp t = seg((uint8_t)next(), next());
		t.opts.resize((next() % 11) * 4);
		for (auto &b : t.opts)
			b = (uint8_t)next();
		Bytes p = next() % 2 ? v6(t) : v4(t);
		size_t n = next() % 4;
		for (size_t i = 0; i < n; i++)
			p[next() % p.size()] = (uint8_t)next();
		if (next() % 4 == 0)
			p.resize(next() % (p.size() + 1));
		if (p.empty())
			continue;
		struct pkt_info pi;
		if (next() % 2 && pkt_parse(p.data(), p.size(), &pi) == PKT_OK) {
			/* valid checksums: reach the editing paths */
			pkt_tcp_csum_update(p.data(), &pi);
			if (pi.family == TOA_AF_INET)
				wr16(&p[10], ref_ip_csum(p));
		}
		for (int k = 0; k < 3; k++) {
			Bytes q = p;
			size_t before = r.c.injected + r.c.clamped;

			if (r.feed(q) == INJECT_MODIFIED) {
				ASSERT_TRUE(WellFormed(q));
				ASSERT_EQ(r.c.injected + r.c.clamped, before + 1);
				edited++;
			}
		}
	}
	EXPECT_GT(edited, 1000u); /* the editing paths were reached */
}

/* ================= flow.c ================= */

TEST(InjectFlowTable, InsertLookupRemoveEvict)
{
	struct flow_table t;
	ASSERT_EQ(flow_table_init(&t, 8, 1000), 0);
	EXPECT_EQ(t.size, 8u);

	std::vector<struct flow_key> keys(20);
	for (size_t i = 0; i < keys.size(); i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].family = TOA_AF_INET;
		keys[i].sport = htons((uint16_t)(1000 + i));
		keys[i].dport = htons(80);
	}
	struct flow *f = flow_insert(&t, &keys[0], 10);
	f->isn = 42;
	ASSERT_EQ(flow_lookup(&t, &keys[0], 20), f);
	EXPECT_EQ(flow_lookup(&t, &keys[1], 20), nullptr);
	EXPECT_EQ(flow_insert(&t, &keys[0], 30), f); /* reset, not a copy */
	EXPECT_EQ(f->isn, 0u);
	EXPECT_EQ(t.count, 1u);
	flow_remove(&t, f);
	EXPECT_EQ(flow_lookup(&t, &keys[0], 40), nullptr);
	EXPECT_EQ(t.count, 0u);

	/* more flows than slots: bounded, the oldest are evicted */
	for (size_t i = 0; i < keys.size(); i++)
		flow_insert(&t, &keys[i], 100 + i);
	EXPECT_LE(t.count, 8u);
	EXPECT_EQ(t.evicted, keys.size() - 8);
	EXPECT_NE(flow_lookup(&t, &keys[19], 200), nullptr);
	EXPECT_EQ(flow_lookup(&t, &keys[0], 200), nullptr);
	/* everything expires */
	EXPECT_EQ(flow_lookup(&t, &keys[19], 100 + 19 + 1001), nullptr);
	flow_table_free(&t);
}

/* ================= options.c ================= */

namespace {

enum options_result parse(std::vector<const char *> args, struct inject_config *cfg,
			  std::string *err = nullptr)
{
	std::vector<char *> argv = { (char *)"toa-inject" };
	char msg[256] = "";

	for (const char *a : args)
		argv.push_back((char *)a);
	argv.push_back(nullptr);
	inject_config_init(cfg);
	enum options_result r =
		options_parse((int)argv.size() - 1, argv.data(), cfg, msg, sizeof(msg));
	if (err)
		*err = msg;
	return r;
}

} // namespace

TEST(InjectOptions, Good)
{
	struct inject_config cfg;

	ASSERT_EQ(parse({ "--queue", "3" }, &cfg), OPTIONS_OK);
	EXPECT_EQ(cfg.queue, 3u);
	EXPECT_EQ(cfg.format, -1);
	EXPECT_EQ(cfg.mode, INJECT_MODE_ACK);
	EXPECT_FALSE(cfg.have_addr);

	ASSERT_EQ(
		parse({ "-q", "0", "--format", "253/20", "--client", "10.9.8.7:99", "--mode",
			"first:3", "--malform", "zero-port", "--count", "5", "--mss-clamp", "-v" },
		      &cfg),
		OPTIONS_OK);
	EXPECT_EQ(cfg.format, TOA_FMT_253_V6);
	EXPECT_EQ(cfg.addr_family, TOA_AF_INET);
	EXPECT_EQ(ntop(TOA_AF_INET, cfg.addr), "10.9.8.7");
	EXPECT_TRUE(cfg.have_port);
	EXPECT_EQ(ntohs(cfg.port), 99);
	EXPECT_EQ(cfg.mode, INJECT_MODE_FIRST);
	EXPECT_EQ(cfg.first_n, 3u);
	EXPECT_EQ(cfg.malform, INJECT_MAL_ZERO_PORT);
	EXPECT_EQ(cfg.count, 5ul);
	EXPECT_TRUE(cfg.mss_clamp);
	EXPECT_TRUE(cfg.verbose);

	ASSERT_EQ(parse({ "-q", "1", "--client", "fd05::5" }, &cfg), OPTIONS_OK);
	EXPECT_EQ(cfg.addr_family, TOA_AF_INET6);
	EXPECT_FALSE(cfg.have_port);
	ASSERT_EQ(parse({ "-q", "1", "--client-port", "4242", "-m", "seq" }, &cfg), OPTIONS_OK);
	EXPECT_FALSE(cfg.have_addr);
	EXPECT_EQ(ntohs(cfg.port), 4242);
	EXPECT_EQ(cfg.mode, INJECT_MODE_SEQ);
	ASSERT_EQ(parse({ "-q", "1", "--mode", "syn" }, &cfg), OPTIONS_OK);
	EXPECT_EQ(cfg.mode, INJECT_MODE_SYN);
	EXPECT_EQ(parse({ "--help" }, &cfg), OPTIONS_HELP);
}

TEST(InjectOptions, Bad)
{
	struct inject_config cfg;
	std::string err;
	const std::vector<std::vector<const char *>> bad = {
		{},
		{ "-q", "65536" },
		{ "-q", "-1" },
		{ "-q", "1x" },
		{ "-q", "1", "--format", "254/9" },
		{ "-q", "1", "--mode", "first:0" },
		{ "-q", "1", "--mode", "sometimes" },
		{ "-q", "1", "--malform", "weird" },
		{ "-q", "1", "--client", "10.0.0.300" },
		{ "-q", "1", "--client", "[fd05::5" },
		{ "-q", "1", "--client", "1.2.3.4:70000" },
		{ "-q", "1", "--client", "1.2.3.4", "--client-port", "5" },
		{ "-q", "1", "--format", "254/8", "--client", "fd05::5" },
		{ "-q", "1", "--count", "0" },
		{ "-q", "1", "extra" },
		{ "-q", "1", "--bogus" },
		{ "-q" },
	};

	for (const auto &args : bad) {
		EXPECT_EQ(parse(args, &cfg, &err), OPTIONS_ERROR)
			<< (args.empty() ? "(none)" : args.back());
		EXPECT_FALSE(err.empty());
		EXPECT_EQ(err.find('\n'), std::string::npos);
	}
}

TEST(InjectOptions, Endpoints)
{
	uint16_t fam = 0, port = 0;
	uint8_t a[16];
	int hp = 0;

	ASSERT_EQ(options_parse_endpoint("[fd05::5]:1234", &fam, a, &hp, &port), 0);
	EXPECT_EQ(fam, TOA_AF_INET6);
	EXPECT_TRUE(hp);
	EXPECT_EQ(ntohs(port), 1234);
	ASSERT_EQ(options_parse_endpoint("[::ffff:10.0.1.2]", &fam, a, &hp, &port), 0);
	EXPECT_FALSE(hp);
	EXPECT_EQ(ntop(TOA_AF_INET6, a), "::ffff:10.0.1.2");
	ASSERT_EQ(options_parse_endpoint("10.0.1.2", &fam, a, &hp, &port), 0);
	EXPECT_EQ(fam, TOA_AF_INET);
	EXPECT_NE(options_parse_endpoint("", &fam, a, &hp, &port), 0);
	EXPECT_NE(options_parse_endpoint("[fd05::5]x", &fam, a, &hp, &port), 0);
	EXPECT_NE(options_parse_endpoint("host:80", &fam, a, &hp, &port), 0);
}
