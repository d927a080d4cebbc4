// SPDX-License-Identifier: GPL-2.0
/*
 * inject_udp_test.cpp - unit tests of toa-inject's UDP side
 * (tools/toa-inject/udp.c): parsing, the two carriers of the UOA option,
 * flows and modes, malformations. Links toa_inject_core.
 *
 * Datagrams are built here with checksums from an independent reference
 * implementation, and every edited datagram is checked against it and
 * decoded with include/toa/uoa.h, the parser toa.ko uses. For protocol
 * 248, removing the wrapper the way toa.ko does must give back the
 * original datagram byte for byte (its UDP checksum included).
 */
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "flow.h"
#include "inject.h"
#include "options.h"
#include "udp.h"

#include <toa/uoa.h>

namespace {

using Bytes = std::vector<uint8_t>;

uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t ref_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8) | (i + 1 < n ? p[i + 1] : 0);
	return s;
}

uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* A datagram as the kernel's SNAT left it: addresses, ports, payload,
 * a correct UDP checksum. IPv4 gets @ipopts as header options. */
struct Dgram {
	bool v6 = false;
	Bytes src = { 10, 0, 2, 1 }, dst = { 10, 0, 2, 2 };
	uint16_t sport = 41001, dport = 9000;
	std::string payload = "hello\n";
	Bytes ipopts;
};

uint16_t ref_udp_csum(bool v6, const Bytes &src, const Bytes &dst, const uint8_t *udp, size_t len)
{
	uint32_t s = ref_add(0, src.data(), src.size());
	s = ref_add(s, dst.data(), dst.size());
	s += 17 + (uint32_t)len;
	Bytes u(udp, udp + len);
	u[6] = u[7] = 0;
	s = ref_add(s, u.data(), u.size());
	uint16_t c = ref_fold(s);
	(void)v6;
	return c ? c : 0xffff;
}

Bytes build(const Dgram &d)
{
	Bytes udp(8 + d.payload.size());
	wr16(&udp[0], d.sport);
	wr16(&udp[2], d.dport);
	wr16(&udp[4], (uint16_t)udp.size());
	std::memcpy(&udp[8], d.payload.data(), d.payload.size());
	wr16(&udp[6], ref_udp_csum(d.v6, d.src, d.dst, udp.data(), udp.size()));
	Bytes p;
	if (!d.v6) {
		size_t ihl = 20 + d.ipopts.size();
		p.assign(ihl, 0);
		p[0] = (uint8_t)(0x40 | (ihl / 4));
		wr16(&p[2], (uint16_t)(ihl + udp.size()));
		p[8] = 64;
		p[9] = 17;
		std::memcpy(&p[12], d.src.data(), 4);
		std::memcpy(&p[16], d.dst.data(), 4);
		if (!d.ipopts.empty()) // memcpy from a null data() is UB
			std::memcpy(&p[20], d.ipopts.data(), d.ipopts.size());
		wr16(&p[10], ref_fold(ref_add(0, p.data(), ihl)));
	} else {
		p.assign(40, 0);
		p[0] = 0x60;
		wr16(&p[4], (uint16_t)udp.size());
		p[6] = 17;
		p[7] = 64;
		std::memcpy(&p[8], d.src.data(), 16);
		std::memcpy(&p[24], d.dst.data(), 16);
	}
	p.insert(p.end(), udp.begin(), udp.end());
	return p;
}

Dgram v6dgram()
{
	Dgram d;
	d.v6 = true;
	d.src = { 0xfd, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	d.dst = { 0xfd, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	return d;
}

/* The IPv4 header checksum is right. */
bool ip_csum_ok(const Bytes &p)
{
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	return ref_fold(ref_add(0, p.data(), ihl)) == 0;
}

/* What toa.ko does to a protocol-248 packet: remove the wrapper, fix the
 * IP header. */
Bytes unwrap(const Bytes &p)
{
	Bytes q = p;
	size_t nh = (q[0] >> 4) == 4 ? (size_t)(q[0] & 0xf) * 4 : 40;
	size_t wl = rd16(&q[nh + 2]);
	q.erase(q.begin() + (long)nh, q.begin() + (long)(nh + wl));
	if ((q[0] >> 4) == 4) {
		q[9] = 17;
		wr16(&q[2], (uint16_t)q.size());
		q[10] = q[11] = 0;
		wr16(&q[10], ref_fold(ref_add(0, q.data(), nh)));
	} else {
		q[6] = 17;
		wr16(&q[4], (uint16_t)(q.size() - 40));
	}
	return q;
}

struct Injector {
	struct inject_config cfg;
	struct flow_table flows;
	struct inject_counters c = {};
	uint64_t now = 1000;

	Injector()
	{
		inject_config_init(&cfg);
		flow_table_init(&flows, 64, 60000);
	}
	~Injector() { flow_table_free(&flows); }

	enum inject_action feed(Bytes &p, const struct inject_origin *o = nullptr)
	{
		size_t len = p.size();
		p.resize(len + 64);
		enum inject_action a = inject_packet_from(&cfg, &flows, &c, now, p.data(), &len,
							  p.size(), nullptr, o);
		p.resize(len);
		return a;
	}
};

/* The UOA option in an IPv4 header. */
enum uoa_parse_result header_option(const Bytes &p, struct uoa_client *c)
{
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	return uoa_parse_options(p.data() + 20, (unsigned)(ihl - 20), c);
}

std::string ep(const struct uoa_client &c)
{
	char a[64];
	inet_ntop(c.family == TOA_AF_INET ? AF_INET : AF_INET6, c.addr, a, sizeof(a));
	return std::string(a) + "/" + std::to_string(ntohs(c.port));
}

} // namespace

TEST(InjectUdp, Parse)
{
	Bytes p = build(Dgram());
	struct udp_info ui;

	ASSERT_EQ(udp_parse(p.data(), p.size(), &ui), PKT_OK);
	EXPECT_EQ(ui.udp_off, 20u);
	EXPECT_EQ(ui.udp_len, 14u);
	EXPECT_EQ(ntohs(ui.sport), 41001);
	EXPECT_TRUE(udp_csum_ok(p.data(), &ui));
	EXPECT_TRUE(udp_is_udp(p.data(), p.size()));

	Bytes p6 = build(v6dgram());
	ASSERT_EQ(udp_parse(p6.data(), p6.size(), &ui), PKT_OK);
	EXPECT_EQ(ui.udp_off, 40u);
	EXPECT_TRUE(udp_csum_ok(p6.data(), &ui));

	Bytes frag = p;
	frag[6] = 0x20;
	EXPECT_EQ(udp_parse(frag.data(), frag.size(), &ui), PKT_FRAGMENT);
	Bytes badlen = p;
	wr16(&badlen[24], 13); /* UDP length disagrees with IP */
	EXPECT_EQ(udp_parse(badlen.data(), badlen.size(), &ui), PKT_BAD);
	Bytes ext = p6;
	ext[6] = 60; /* destination options first */
	EXPECT_EQ(udp_parse(ext.data(), ext.size(), &ui), PKT_UNSUPPORTED);
	EXPECT_EQ(udp_parse(p.data(), 10, &ui), PKT_BAD);
	Bytes zero = p; /* IPv4: checksum 0 means none */
	zero[26] = zero[27] = 0;
	ASSERT_EQ(udp_parse(zero.data(), zero.size(), &ui), PKT_OK);
	EXPECT_TRUE(udp_csum_ok(zero.data(), &ui));
	zero[28] ^= 1;
	EXPECT_TRUE(udp_csum_ok(zero.data(), &ui));
	p[30] ^= 1;
	EXPECT_FALSE(udp_csum_ok(p.data(), &ui));
}

TEST(InjectUdp, IpOptionMode)
{
	Injector r;
	Bytes p = build(Dgram());
	Bytes orig = p;
	struct uoa_client c;

	ASSERT_EQ(r.feed(p), INJECT_MODIFIED);
	ASSERT_EQ(p.size(), orig.size() + 8);
	EXPECT_EQ(p[0], 0x47); /* IHL 7 */
	EXPECT_EQ(rd16(&p[2]), p.size());
	EXPECT_TRUE(ip_csum_ok(p));
	ASSERT_EQ(header_option(p, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(ep(c), "10.0.2.1/41001"); /* no conntrack: the source */
	/* the datagram itself is untouched, checksum included */
	EXPECT_TRUE(std::equal(orig.begin() + 20, orig.end(), p.begin() + 28));
	struct udp_info ui;
	ASSERT_EQ(udp_parse(p.data(), p.size(), &ui), PKT_OK);
	EXPECT_TRUE(udp_csum_ok(p.data(), &ui));
	EXPECT_EQ(r.c.injected, 1u);
	EXPECT_EQ(r.c.flows, 1u);
}

TEST(InjectUdp, ClientFromConntrackOrForged)
{
	Injector r;
	struct inject_origin o = {};
	struct uoa_client c;

	o.family = TOA_AF_INET;
	o.port = htons(40001);
	const uint8_t a[4] = { 10, 0, 1, 2 };
	std::memcpy(o.addr, a, 4);
	Bytes p = build(Dgram());
	ASSERT_EQ(r.feed(p, &o), INJECT_MODIFIED);
	ASSERT_EQ(header_option(p, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(ep(c), "10.0.1.2/40001");

	/* NAT64: --client with an IPv6 address, 20 bytes in an IPv4 header */
	Injector f;
	ASSERT_EQ(options_parse_endpoint("[2001:db8:64::7]:5555", &f.cfg.addr_family, f.cfg.addr,
					 &f.cfg.have_port, &f.cfg.port),
		  0);
	f.cfg.have_addr = 1;
	Bytes q = build(Dgram());
	ASSERT_EQ(f.feed(q, &o), INJECT_MODIFIED);
	EXPECT_EQ(q[0], 0x4a); /* IHL 10: 20 option bytes */
	ASSERT_EQ(header_option(q, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(ep(c), "2001:db8:64::7/5555");

	/* --format x/20 writes an IPv4 client v4-mapped */
	Injector m;
	m.cfg.format = TOA_FMT_254_V6;
	Bytes s = build(Dgram());
	ASSERT_EQ(m.feed(s, &o), INJECT_MODIFIED);
	ASSERT_EQ(header_option(s, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(ep(c), "::ffff:10.0.1.2/40001");
	/* ... and x/8 cannot carry an IPv6 client */
	Injector u;
	u.cfg.format = TOA_FMT_254_V4;
	Bytes s6 = build(v6dgram());
	EXPECT_EQ(u.feed(s6), INJECT_PASS);
	EXPECT_EQ(u.c.unfit, 1u);
}

TEST(InjectUdp, Proto248ModeUnwrapsToTheOriginal)
{
	for (bool v6 : { false, true }) {
		SCOPED_TRACE(v6 ? "IPv6" : "IPv4");
		Injector r;
		r.cfg.uoa_mode = INJECT_UOA_PROTO248;
		Bytes p = build(v6 ? v6dgram() : Dgram());
		Bytes orig = p;
		size_t nh = v6 ? 40 : 20, ol = v6 ? 20 : 8;

		ASSERT_EQ(r.feed(p), INJECT_MODIFIED);
		ASSERT_EQ(p.size(), orig.size() + 4 + ol);
		EXPECT_EQ(p[v6 ? 6 : 9], UOA_OPP_PROTO);
		if (!v6) {
			EXPECT_TRUE(ip_csum_ok(p));
		}
		struct uoa_opp o;
		ASSERT_EQ(uoa_parse_opp(&p[nh], (unsigned)(p.size() - nh), &o), UOA_OPP_OK);
		EXPECT_EQ(o.version, v6 ? 2 : 1);
		EXPECT_EQ(o.length, 4 + ol);
		struct uoa_client c;
		ASSERT_EQ(uoa_parse_options(&p[nh + 4], o.length - 4, &c), UOA_PARSE_FOUND);
		EXPECT_EQ(ep(c), v6 ? "fd02::1/41001" : "10.0.2.1/41001");
		/* toa.ko's unwrapping gives back the very datagram: the UDP
		 * checksum, computed over the addresses the backend sees,
		 * still verifies */
		EXPECT_EQ(unwrap(p), orig);
	}
}

TEST(InjectUdp, Ipv6AlwaysGetsAWrapper)
{
	Injector r; /* default: IP-option mode */
	Bytes p = build(v6dgram());

	ASSERT_EQ(r.feed(p), INJECT_MODIFIED);
	EXPECT_EQ(p[6], UOA_OPP_PROTO);
}

TEST(InjectUdp, Modes)
{
	Injector first;
	const char *argv[] = { "t", "-q", "0", "--mode", "first:2", nullptr };
	char err[128];
	ASSERT_EQ(options_parse(5, (char **)argv, &first.cfg, err, sizeof(err)), OPTIONS_OK);
	for (int i = 0; i < 4; i++) {
		Bytes p = build(Dgram());
		EXPECT_EQ(first.feed(p), i < 2 ? INJECT_MODIFIED : INJECT_PASS);
	}
	Dgram other;
	other.sport = 41002; /* another flow starts over */
	Bytes p = build(other);
	EXPECT_EQ(first.feed(p), INJECT_MODIFIED);
	EXPECT_EQ(first.c.flows, 2u);

	Injector ack; /* ack (and seq): the first datagram */
	Bytes a1 = build(Dgram()), a2 = build(Dgram());
	EXPECT_EQ(ack.feed(a1), INJECT_MODIFIED);
	EXPECT_EQ(ack.feed(a2), INJECT_PASS);
	ack.now += 61000; /* expired: a new flow */
	Bytes a3 = build(Dgram());
	EXPECT_EQ(ack.feed(a3), INJECT_MODIFIED);

	Injector syn; /* syn: no SYN in UDP, the first datagram as ack */
	syn.cfg.mode = INJECT_MODE_SYN;
	Bytes s1 = build(Dgram()), s2 = build(Dgram());
	EXPECT_EQ(syn.feed(s1), INJECT_MODIFIED);
	EXPECT_EQ(syn.feed(s2), INJECT_PASS);

	Injector every;
	every.cfg.mode = INJECT_MODE_EVERY;
	for (int i = 0; i < 3; i++) {
		Bytes e = build(Dgram());
		EXPECT_EQ(every.feed(e), INJECT_MODIFIED);
	}
	/* TCP and UDP flows of the same ports are different flows */
	EXPECT_EQ(every.c.flows, 1u);
}

TEST(InjectUdp, Malformations)
{
	struct Case {
		enum inject_malform m;
		enum inject_uoa_mode mode;
		int ipopt_result; /* uoa_parse_options on the header */
		int opp_result;	  /* uoa_parse_opp on the wrapper */
	} cases[] = {
		{ INJECT_MAL_ZERO_PORT, INJECT_UOA_IPOPT, UOA_PARSE_MALFORMED, 0 },
		{ INJECT_MAL_ZERO_ADDR, INJECT_UOA_IPOPT, UOA_PARSE_MALFORMED, 0 },
		{ INJECT_MAL_SHORT, INJECT_UOA_IPOPT, UOA_PARSE_MALFORMED, 0 },
		{ INJECT_MAL_TRUNCATED, INJECT_UOA_IPOPT, UOA_PARSE_MALFORMED, 0 },
		{ INJECT_MAL_BADLEN, INJECT_UOA_IPOPT, UOA_PARSE_MALFORMED, 0 },
		{ INJECT_MAL_TRUNCATED, INJECT_UOA_PROTO248, UOA_PARSE_MALFORMED, UOA_OPP_OK },
		{ INJECT_MAL_OPP_VERSION, INJECT_UOA_IPOPT, 0, UOA_OPP_BAD_VERSION },
		{ INJECT_MAL_OPP_PROTO, INJECT_UOA_IPOPT, 0, UOA_OPP_NOT_UDP },
		/* fits the packet, but runs into the UDP header: toa.ko
		 * finds the datagram's length wrong */
		{ INJECT_MAL_OPP_LENGTH, INJECT_UOA_IPOPT, UOA_PARSE_NONE, UOA_OPP_OK },
		/* a sound wrapper around a datagram whose checksum fails */
		{ INJECT_MAL_OPP_CSUM, INJECT_UOA_IPOPT, UOA_PARSE_FOUND, UOA_OPP_OK },
	};

	for (const Case &k : cases) {
		SCOPED_TRACE(inject_malform_names[k.m]);
		Injector r;
		r.cfg.malform = k.m;
		r.cfg.uoa_mode = k.mode;
		Bytes p = build(Dgram());
		ASSERT_EQ(r.feed(p), INJECT_MODIFIED);
		EXPECT_TRUE(ip_csum_ok(p));
		struct uoa_client c;
		if (p[9] == 17) {
			EXPECT_EQ(header_option(p, &c), k.ipopt_result);
			continue;
		}
		struct uoa_opp o = {};
		ASSERT_EQ(p[9], UOA_OPP_PROTO);
		EXPECT_EQ(uoa_parse_opp(&p[20], (unsigned)(p.size() - 20), &o), k.opp_result);
		if (k.opp_result == UOA_OPP_OK && k.ipopt_result) {
			EXPECT_EQ(uoa_parse_options(&p[24], o.length - 4, &c), k.ipopt_result);
		}
		if (k.m == INJECT_MAL_OPP_LENGTH) {
			Bytes q = unwrap(p); /* 4 bytes too many */
			EXPECT_NE(rd16(&q[24]), q.size() - 20);
		}
		if (k.m == INJECT_MAL_OPP_CSUM) {
			Bytes q = unwrap(p);
			struct udp_info ui;
			ASSERT_EQ(udp_parse(q.data(), q.size(), &ui), PKT_OK);
			EXPECT_NE(rd16(&q[26]), 0); /* not "no checksum" */
			EXPECT_FALSE(udp_csum_ok(q.data(), &ui));
		}
	}
}

TEST(InjectUdp, NoRoomAndBadChecksum)
{
	Injector r;
	Dgram d;
	d.ipopts.assign(36, 1); /* 36 bytes of NOPs */
	Bytes full = build(d);
	EXPECT_EQ(r.feed(full), INJECT_PASS);
	EXPECT_EQ(r.c.no_room, 1u);

	Bytes bad = build(Dgram());
	bad.back() ^= 0x55;
	Bytes before = bad;
	EXPECT_EQ(r.feed(bad), INJECT_PASS);
	EXPECT_EQ(bad, before);
	EXPECT_EQ(r.c.bad_csum, 1u);

	/* existing options stay, and an EOL among them stops nobody */
	Injector l;
	l.cfg.malform = INJECT_MAL_TRUNCATED; /* goes last */
	Dgram e;
	e.ipopts = { 1, 0, 0, 0 }; /* NOP, EOL, padding */
	Bytes p = build(e);
	ASSERT_EQ(l.feed(p), INJECT_MODIFIED);
	EXPECT_EQ(Bytes(p.begin() + 20, p.begin() + 28), Bytes({ 1, 1, 1, 1, 31, 8, 0xa0, 0x29 }));
}

TEST(InjectUdp, Options)
{
	struct inject_config cfg;
	char err[128];
	const char *ok[] = { "t",	 "-q",	      "3",	    "--uoa-mode",
			     "proto248", "--malform", "opp-length", nullptr };

	inject_config_init(&cfg);
	ASSERT_EQ(options_parse(7, (char **)ok, &cfg, err, sizeof(err)), OPTIONS_OK);
	EXPECT_EQ(cfg.uoa_mode, INJECT_UOA_PROTO248);
	EXPECT_EQ(cfg.malform, INJECT_MAL_OPP_LENGTH);
	const char *csum[] = { "t", "-q", "3", "-M", "opp-csum", nullptr };
	inject_config_init(&cfg);
	ASSERT_EQ(options_parse(5, (char **)csum, &cfg, err, sizeof(err)), OPTIONS_OK);
	EXPECT_EQ(cfg.malform, INJECT_MAL_OPP_CSUM);
	const char *bad[] = { "t", "-q", "3", "--uoa-mode", "gre", nullptr };
	inject_config_init(&cfg);
	EXPECT_EQ(options_parse(5, (char **)bad, &cfg, err, sizeof(err)), OPTIONS_ERROR);
	EXPECT_NE(std::string(err).find("uoa-mode"), std::string::npos);
}
