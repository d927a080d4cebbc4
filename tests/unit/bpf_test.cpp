// SPDX-License-Identifier: MIT
//
// The BPF mode's shared pieces, run natively: the option walk of
// <toa/bpf.h> (the code the sock_ops program runs step by step under
// bpf_loop) against wire.h's toa_parse_options(), the layouts the programs
// and userspace share, toa-inject's --malform twice, and toactl bpf's
// trusted-prefix parser.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <arpa/inet.h>

#include <toa/bpf.h>
#include <toa/sockopt.h>
#include <toa/stats.h>
#include <toa/wire.h>

#include "inject.h"

#include "bpf_backend.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes opt_v4(std::uint8_t kind, std::uint16_t port, const char *a)
{
	Bytes b = { kind, 8, static_cast<std::uint8_t>(port >> 8),
		    static_cast<std::uint8_t>(port) };
	std::uint8_t ip[4];
	inet_pton(AF_INET, a, ip);
	b.insert(b.end(), ip, ip + 4);
	return b;
}

Bytes opt_v6(std::uint8_t kind, std::uint16_t port, const char *a)
{
	Bytes b = { kind, 20, static_cast<std::uint8_t>(port >> 8),
		    static_cast<std::uint8_t>(port) };
	std::uint8_t ip[16];
	inet_pton(AF_INET6, a, ip);
	b.insert(b.end(), ip, ip + 16);
	return b;
}

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

const Bytes kNopNopTs = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };

int bpf_parse(const Bytes &o, toa_client *c, std::uint32_t mask = TOA_FMT_DEFAULT_MASK)
{
	std::memset(c, 0, sizeof(*c));
	return toa_bpf_parse_options(o.data(), static_cast<unsigned>(o.size()), mask, c);
}

int wire_parse(const Bytes &o, toa_client *c, std::uint32_t mask = TOA_FMT_DEFAULT_MASK)
{
	std::memset(c, 0, sizeof(*c));
	return toa_parse_options(o.data(), static_cast<unsigned>(o.size()), mask, c);
}

} // namespace

// The programs and userspace exchange these through maps and getsockopt:
// sizes and offsets are part of the contract.
TEST(BpfLayout, SharedStructs)
{
	EXPECT_EQ(sizeof(toa_bpf_entry), static_cast<size_t>(TOA_BPF_ENTRY_SIZE));
	EXPECT_EQ(offsetof(toa_bpf_entry, balancer), 20u);
	EXPECT_EQ(offsetof(toa_bpf_entry, format), 40u);
	EXPECT_EQ(offsetof(toa_bpf_entry, created_ns), 48u);
	EXPECT_EQ(sizeof(toa_bpf_config), 16u);
	// LPM keys: 32-bit prefix length, then the address bytes, unpadded
	EXPECT_EQ(sizeof(toa_bpf_trust4_key), 8u);
	EXPECT_EQ(sizeof(toa_bpf_trust6_key), 20u);
	EXPECT_EQ(sizeof(toa_peer_info), static_cast<size_t>(TOA_PEER_INFO_SIZE_V1));
	EXPECT_EQ(sizeof(toa_nat64_peer), static_cast<size_t>(TOA_NAT64_PEER_SIZE));
}

TEST(BpfLayout, CountersKept)
{
	// what toactl bpf stats prints: the TCP counters, less probe_missed
	// and opt_raced
	std::vector<std::string> used;
	for (int s = 0; s < TOA_STAT_COUNT; s++)
		if (TOA_BPF_STAT_USED(s))
			used.push_back(toa_stat_name(s));
	ASSERT_EQ(used.size(), 14u);
	EXPECT_EQ(used.front(), "syn_recv_sock_toa");
	EXPECT_EQ(used.back(), "store_in_use");
	EXPECT_FALSE(TOA_BPF_STAT_USED(TOA_STAT_PROBE_MISSED));
	EXPECT_FALSE(TOA_BPF_STAT_USED(TOA_STAT_OPT_RACED));
	EXPECT_FALSE(TOA_BPF_STAT_USED(TOA_STAT_UDP_OPT_SEEN));
}

TEST(BpfParse, EachFormat)
{
	toa_client c;

	ASSERT_EQ(bpf_parse(cat({ opt_v4(254, 40001, "10.0.1.2"), kNopNopTs }), &c),
		  TOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET);
	EXPECT_EQ(ntohs(c.port), 40001);
	EXPECT_EQ(c.format, TOA_FMT_254_V4);
	EXPECT_EQ(c.addr[0], 10);
	EXPECT_EQ(c.addr[3], 2);
	ASSERT_EQ(bpf_parse(cat({ kNopNopTs, opt_v4(200, 1, "198.51.100.7") }), &c),
		  TOA_PARSE_FOUND);
	EXPECT_EQ(c.format, TOA_FMT_200_V4);
	ASSERT_EQ(bpf_parse(opt_v6(254, 2, "fd01::2"), &c), TOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET6);
	EXPECT_EQ(c.format, TOA_FMT_254_V6);
	EXPECT_EQ(c.addr[15], 2);
	ASSERT_EQ(bpf_parse(opt_v6(253, 2, "fd01::2"), &c), TOA_PARSE_FOUND);
	EXPECT_EQ(c.format, TOA_FMT_253_V6);
	// 253/8 only when switched on, as in wire.h
	EXPECT_EQ(bpf_parse(opt_v4(253, 2, "10.0.1.2"), &c), TOA_PARSE_NONE);
	ASSERT_EQ(bpf_parse(opt_v4(253, 2, "10.0.1.2"), &c, TOA_FMT_ALL_MASK), TOA_PARSE_FOUND);
	EXPECT_EQ(c.format, TOA_FMT_253_V4);
}

TEST(BpfParse, TwoOptionsAreNone)
{
	toa_client c;
	Bytes a = opt_v4(254, 1, "10.0.1.2"), b = opt_v4(200, 2, "10.0.1.3");

	// neither wire.h (toa.ko) nor the BPF walk takes either
	EXPECT_EQ(wire_parse(cat({ a, b }), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(cat({ a, b }), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(cat({ a, kNopNopTs, a }), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(cat({ opt_v4(254, 1, "10.0.1.2"), opt_v6(254, 1, "fd01::2") }), &c),
		  TOA_PARSE_MALFORMED);
	// a second kind 254 that is not a TOA length is some other option
	EXPECT_EQ(bpf_parse(cat({ a, Bytes{ 254, 6, 0xf9, 0x89, 1, 2 }, Bytes{ 1, 1 } }), &c),
		  TOA_PARSE_FOUND);
	// a format switched off does not count as the second
	EXPECT_EQ(bpf_parse(cat({ a, b }), &c, TOA_FMT_BIT(TOA_FMT_254_V4)), TOA_PARSE_FOUND);
	// after an EOL nothing counts
	EXPECT_EQ(bpf_parse(cat({ a, Bytes{ 0, 0, 0, 0 }, b }), &c), TOA_PARSE_FOUND);
}

TEST(BpfParse, BogusAndBroken)
{
	toa_client c;

	EXPECT_EQ(bpf_parse(opt_v4(254, 0, "10.0.1.2"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v4(254, 1, "0.0.0.0"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v4(254, 1, "127.0.0.1"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v4(254, 1, "224.0.0.1"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "::"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "::1"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "ff02::1"), &c), TOA_PARSE_MALFORMED);
	// an IPv4 client in a 20-byte option is judged as IPv4
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "::ffff:127.0.0.1"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "::ffff:255.255.255.255"), &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(opt_v6(254, 1, "::ffff:10.0.1.2"), &c), TOA_PARSE_FOUND);
	EXPECT_EQ(bpf_parse(Bytes{ 254, 8, 0x9c, 0x40 }, &c), TOA_PARSE_MALFORMED); // truncated
	EXPECT_EQ(bpf_parse(Bytes{ 254, 1, 0, 0 }, &c), TOA_PARSE_MALFORMED);	    // badlen
	EXPECT_EQ(bpf_parse(Bytes{ 1, 1, 1 }, &c), TOA_PARSE_NONE);
	EXPECT_EQ(bpf_parse(Bytes{ 8 }, &c), TOA_PARSE_MALFORMED); // no length byte
	EXPECT_EQ(bpf_parse(Bytes{}, &c), TOA_PARSE_NONE);
	// a good option then a broken list: malformed, as in wire.h
	EXPECT_EQ(bpf_parse(cat({ opt_v4(254, 1, "10.0.1.2"), Bytes{ 8, 1 } }), &c),
		  TOA_PARSE_MALFORMED);
}

// Random option lists: the walk agrees with wire.h exactly, on the result
// and on the client (both refuse two honoured options and broken lists).
TEST(BpfParse, AgreesWithWireH)
{
	std::uint32_t rnd = 4242;
	auto next = [&rnd]() {
		rnd = rnd * 1103515245u + 12345u;
		return rnd >> 8;
	};
	const std::uint8_t kinds[] = { 0, 1, 2, 3, 4, 5, 8, 30, 200, 253, 254, 77 };
	unsigned found = 0, malformed = 0;

	for (int iter = 0; iter < 200000; iter++) {
		Bytes o;
		std::size_t len = next() % 41;
		// structured most of the time, so that options are often valid
		while (o.size() < len) {
			std::uint8_t k = kinds[next() % sizeof(kinds)];
			if (next() % 3 == 0) {
				Bytes t = next() % 2 ? opt_v4(k, static_cast<std::uint16_t>(next()),
							      "10.1.2.3")
						     : opt_v6(k, static_cast<std::uint16_t>(next()),
							      "fd00::9");
				o.insert(o.end(), t.begin(), t.end());
			} else if (k <= 1) {
				o.push_back(k);
			} else {
				std::uint8_t l = static_cast<std::uint8_t>(next() % 12);
				o.push_back(k);
				o.push_back(l);
				for (int i = 2; i < l; i++)
					o.push_back(static_cast<std::uint8_t>(next()));
			}
		}
		o.resize(len);
		if (next() % 8 == 0 && !o.empty())
			o[next() % o.size()] = static_cast<std::uint8_t>(next());
		std::uint32_t mask = next() % 4 ? TOA_FMT_DEFAULT_MASK : next() & TOA_FMT_ALL_MASK;

		toa_client wc, bc;
		int w = wire_parse(o, &wc, mask), b = bpf_parse(o, &bc, mask);
		ASSERT_EQ(w, b);
		if (w == TOA_PARSE_FOUND) {
			found++;
			ASSERT_EQ(wc.family, bc.family);
			ASSERT_EQ(wc.port, bc.port);
			ASSERT_EQ(wc.format, bc.format);
			ASSERT_EQ(0, std::memcmp(wc.addr, bc.addr, sizeof(wc.addr)));
		} else if (w == TOA_PARSE_MALFORMED) {
			malformed++;
		}
	}
	EXPECT_GT(found, 1000u);
	EXPECT_GT(malformed, 1000u);
}

// toa-inject --malform twice: the option two times, which wire.h and the
// BPF walk both refuse.
TEST(BpfParse, InjectTwice)
{
	struct inject_config cfg;
	struct pkt_info pi;
	std::uint8_t out[TOA_TCP_MAX_OPTION_SPACE];
	enum pkt_where where;
	toa_client c;

	inject_config_init(&cfg);
	std::memset(&pi, 0, sizeof(pi));
	pi.family = TOA_AF_INET;
	inet_pton(AF_INET, "10.0.1.2", pi.saddr);
	pi.sport = htons(40000);
	cfg.malform = INJECT_MAL_TWICE;
	unsigned n = inject_build_option(&cfg, &pi, out, &where);
	ASSERT_EQ(n, 16u);
	EXPECT_EQ(where, PKT_OPT_FIRST);
	Bytes o(out, out + n);
	EXPECT_EQ(Bytes(out, out + 8), Bytes(out + 8, out + 16));
	EXPECT_EQ(wire_parse(o, &c), TOA_PARSE_MALFORMED);
	EXPECT_EQ(bpf_parse(o, &c), TOA_PARSE_MALFORMED);
}

TEST(BpfCidr, Parse)
{
	using toactl::bpfmode::parse_cidr;

	auto a = parse_cidr("10.0.0.0/8");
	ASSERT_TRUE(a);
	EXPECT_EQ(a->family, TOA_AF_INET);
	EXPECT_EQ(a->prefix, 8u);
	EXPECT_EQ(a->to_string(), "10.0.0.0/8");
	auto b = parse_cidr("fd00::/8");
	ASSERT_TRUE(b);
	EXPECT_EQ(b->family, TOA_AF_INET6);
	EXPECT_EQ(b->to_string(), "fd00::/8");
	EXPECT_EQ(parse_cidr("10.0.2.1")->prefix, 32u);
	EXPECT_EQ(parse_cidr("fd02::1")->prefix, 128u);
	EXPECT_EQ(parse_cidr("0.0.0.0/0")->prefix, 0u);
	for (const char *bad : { "10.1.2.3/8", "10.0.0.0/33", "fd00::/129", "10.0.0.0/",
				 "10.0.0.0/x", "nonsense", "", "10.0.0.0/-1", "fd00::1/8" })
		EXPECT_FALSE(parse_cidr(bad)) << bad;
}

TEST(BpfCidr, List)
{
	using toactl::bpfmode::failure;
	using toactl::bpfmode::parse_cidr_list;

	EXPECT_TRUE(parse_cidr_list("any").empty());
	EXPECT_TRUE(parse_cidr_list("").empty());
	auto l = parse_cidr_list("10.0.0.0/8,fd00::/8");
	ASSERT_EQ(l.size(), 2u);
	EXPECT_EQ(l[1].to_string(), "fd00::/8");
	EXPECT_THROW(parse_cidr_list("10.0.0.0/8,bogus"), failure);
}
