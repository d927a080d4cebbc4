// SPDX-License-Identifier: MIT
// Unit tests of the TOA wire parser and encoder (include/toa/wire.h): the
// same code the kernel module runs, compiled in userspace.
#include <toa/wire.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

namespace {

using Bytes = std::vector<__u8>;

struct Parsed {
	toa_parse_result result;
	toa_client client;
};

Parsed parse(const Bytes &opts, __u32 mask = TOA_FMT_DEFAULT_MASK)
{
	Parsed p{};
	std::memset(&p.client, 0xAA, sizeof(p.client));
	// Copy into an exactly-sized heap buffer so ASan catches any overread.
	auto *buf = new __u8[opts.size() ? opts.size() : 1];
	if (!opts.empty()) // memcpy from an empty vector's null data() is UB
		std::memcpy(buf, opts.data(), opts.size());
	p.result = toa_parse_options(buf, static_cast<unsigned>(opts.size()), mask, &p.client);
	delete[] buf;
	return p;
}

const Bytes kV4Opt = { 254, 8, 0x1f, 0x90, 192, 0, 2, 7 }; // 192.0.2.7:8080
const Bytes kV6Opt = { 254, 20, 0x00, 0x50, 0x20, 0x01, 0x0d, 0xb8, 0, 0,
		       0,   0,	0,    0,    0,	  0,	0,    0,    0, 0x09 }; // [2001:db8::9]:80

Bytes concat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

TEST(WireParse, FindsIpv4Option254)
{
	auto p = parse(kV4Opt);
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(p.client.family, TOA_AF_INET);
	EXPECT_EQ(p.client.format, TOA_FMT_254_V4);
	const __u8 port[2] = { 0x1f, 0x90 };
	EXPECT_EQ(std::memcmp(&p.client.port, port, 2), 0);
	const __u8 addr[16] = { 192, 0, 2, 7 };
	EXPECT_EQ(std::memcmp(p.client.addr, addr, 16), 0) << "tail must be zeroed";
}

TEST(WireParse, FindsEveryDefaultFormat)
{
	struct Case {
		__u8 kind, len;
		toa_format fmt;
	};
	for (auto c : { Case{ 254, 8, TOA_FMT_254_V4 }, Case{ 200, 8, TOA_FMT_200_V4 },
			Case{ 254, 20, TOA_FMT_254_V6 }, Case{ 253, 20, TOA_FMT_253_V6 } }) {
		Bytes o = c.len == 8 ? kV4Opt : kV6Opt;
		o[0] = c.kind;
		auto p = parse(o);
		ASSERT_EQ(p.result, TOA_PARSE_FOUND) << int(c.kind) << "/" << int(c.len);
		EXPECT_EQ(p.client.format, c.fmt);
		EXPECT_EQ(p.client.family, c.len == 8 ? TOA_AF_INET : TOA_AF_INET6);
	}
}

TEST(WireParse, Ipv6AddressCopiedWhole)
{
	auto p = parse(kV6Opt);
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(std::memcmp(p.client.addr, kV6Opt.data() + 4, 16), 0);
}

TEST(WireParse, UcloudAkamaiFormatOnlyWhenEnabled)
{
	Bytes o = kV4Opt;
	o[0] = 253;
	EXPECT_EQ(parse(o).result, TOA_PARSE_NONE);
	auto p = parse(o, TOA_FMT_ALL_MASK);
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(p.client.format, TOA_FMT_253_V4);
}

TEST(WireParse, MaskDisablesAFormat)
{
	Bytes o = kV4Opt;
	o[0] = 200;
	EXPECT_EQ(parse(o, TOA_FMT_BIT(TOA_FMT_254_V4)).result, TOA_PARSE_NONE);
	EXPECT_EQ(parse(o, 0).result, TOA_PARSE_NONE);
}

TEST(WireParse, SkipsNopsAndOtherOptions)
{
	// NOP NOP TS(10) then TOA: the usual third ACK.
	Bytes ts = { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	auto p = parse(concat({ ts, kV4Opt }));
	EXPECT_EQ(p.result, TOA_PARSE_FOUND);
}

TEST(WireParse, TwoOptionsOfOneFormatAreMalformed)
{
	// A client's forged option ahead of the balancer's: neither is used.
	Bytes second = kV4Opt;
	second[7] = 99;
	auto p = parse(concat({ kV4Opt, second }));
	EXPECT_EQ(p.result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(p.client.family, 0xAAAA) << "malformed must not write the result";
	// The same option twice is no better.
	EXPECT_EQ(parse(concat({ kV4Opt, kV4Opt })).result, TOA_PARSE_MALFORMED);
	// Anywhere in the list, with other options around and between them.
	Bytes ts = { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 };
	EXPECT_EQ(parse(concat({ kV4Opt, ts, second })).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, TwoOptionsOfDifferentFormatsAreMalformed)
{
	Bytes tencent = kV4Opt;
	tencent[0] = 200;
	EXPECT_EQ(parse(concat({ tencent, kV4Opt })).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(concat({ kV4Opt, tencent })).result, TOA_PARSE_MALFORMED);
	// An IPv4 and an IPv6 option: 28 bytes, fits the option space.
	EXPECT_EQ(parse(concat({ kV4Opt, kV6Opt })).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(concat({ kV6Opt, kV4Opt })).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, OnlyHonouredFormatsCountAsASecondOption)
{
	// 200/8 switched off is just an unknown option: the 254/8 one stands.
	Bytes tencent = kV4Opt;
	tencent[0] = 200;
	tencent[7] = 99;
	auto p = parse(concat({ tencent, kV4Opt }), TOA_FMT_BIT(TOA_FMT_254_V4));
	ASSERT_EQ(p.result, TOA_PARSE_FOUND);
	EXPECT_EQ(p.client.addr[3], 7);
	// A TOA kind with a non-TOA length is some other option, not a second.
	Bytes exp = { 254, 6, 0xf9, 0x89, 0xde, 0xad };
	EXPECT_EQ(parse(concat({ kV4Opt, exp })).result, TOA_PARSE_FOUND);
}

TEST(WireParse, SecondOptionAfterEolIsNotRead)
{
	// EOL ends the list: bytes after it are padding, as for the kernel.
	auto p = parse(concat({ kV4Opt, { 0 }, kV4Opt }));
	EXPECT_EQ(p.result, TOA_PARSE_FOUND);
}

TEST(WireParse, EolStopsTheWalk)
{
	EXPECT_EQ(parse(concat({ { 0 }, kV4Opt })).result, TOA_PARSE_NONE);
}

TEST(WireParse, EmptyAndPaddingOnly)
{
	EXPECT_EQ(parse({}).result, TOA_PARSE_NONE);
	EXPECT_EQ(parse({ 1, 1, 1, 1 }).result, TOA_PARSE_NONE);
}

TEST(WireParse, NonToaLengthOfToaKindIsSkipped)
{
	// RFC 6994 experimental option (TFO cookie, ExID 0xF989) with kind 254.
	Bytes exp = { 254, 6, 0xf9, 0x89, 0xde, 0xad };
	EXPECT_EQ(parse(exp).result, TOA_PARSE_NONE);
	EXPECT_EQ(parse(concat({ exp, kV4Opt })).result, TOA_PARSE_FOUND);
	EXPECT_EQ(parse({ 254, 7, 0, 80, 1, 2, 3 }).result, TOA_PARSE_NONE);
}

TEST(WireParse, TruncatedOptionIsMalformed)
{
	for (size_t cut = 1; cut < kV4Opt.size(); ++cut) {
		Bytes o(kV4Opt.begin(), kV4Opt.begin() + cut);
		EXPECT_EQ(parse(o).result, TOA_PARSE_MALFORMED) << "cut at " << cut;
	}
	for (size_t cut = 1; cut < kV6Opt.size(); ++cut) {
		Bytes o(kV6Opt.begin(), kV6Opt.begin() + cut);
		EXPECT_EQ(parse(o).result, TOA_PARSE_MALFORMED) << "cut at " << cut;
	}
}

TEST(WireParse, LengthBelowTwoIsMalformed)
{
	EXPECT_EQ(parse({ 254, 1, 0, 0 }).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse({ 8, 0, 0, 0 }).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(concat({ { 1, 1, 2, 1 }, kV4Opt })).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, OptionOverrunningTheEndIsMalformed)
{
	EXPECT_EQ(parse({ 2, 40, 0, 0 }).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, MalformedAfterAMatchIsMalformed)
{
	// The whole list is read: a broken tail could hide a second option.
	EXPECT_EQ(parse(concat({ kV4Opt, { 2, 40 } })).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(concat({ kV4Opt, { 8 } })).result, TOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(concat({ kV4Opt, { 8, 1 } })).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, ImpossibleAddressesAreMalformed)
{
	const std::array<std::array<__u8, 4>, 5> bad4 = { { { 0, 0, 0, 0 },
							    { 127, 0, 0, 1 },
							    { 224, 0, 0, 1 },
							    { 255, 255, 255, 255 },
							    { 0, 1, 2, 3 } } };
	for (auto a : bad4) {
		Bytes o = kV4Opt;
		std::copy(a.begin(), a.end(), o.begin() + 4);
		EXPECT_EQ(parse(o).result, TOA_PARSE_MALFORMED) << int(a[0]);
	}
	Bytes zero6 = kV6Opt;
	std::fill(zero6.begin() + 4, zero6.end(), 0);
	EXPECT_EQ(parse(zero6).result, TOA_PARSE_MALFORMED);
	Bytes loop6 = kV6Opt;
	std::fill(loop6.begin() + 4, loop6.end(), 0);
	loop6[loop6.size() - 1] = 1; // ::1 (not .back(): GCC 12 -O3 -Warray-bounds false positive)
	EXPECT_EQ(parse(loop6).result, TOA_PARSE_MALFORMED);
	Bytes mcast6 = kV6Opt;
	mcast6[4] = 0xff;
	EXPECT_EQ(parse(mcast6).result, TOA_PARSE_MALFORMED);
	// ::ffff:a.b.c.d (an IPv4 client in a 20-byte option) follows IPv4's
	// rules: the bad IPv4 addresses stay bad, a real one passes.
	for (auto a : bad4) {
		Bytes o = kV6Opt;
		std::fill(o.begin() + 4, o.begin() + 14, 0);
		o[14] = 0xff;
		o[15] = 0xff;
		std::copy(a.begin(), a.end(), o.begin() + 16);
		EXPECT_EQ(parse(o).result, TOA_PARSE_MALFORMED) << "::ffff:" << int(a[0]);
	}
	Bytes mapped = kV6Opt;
	std::fill(mapped.begin() + 4, mapped.begin() + 14, 0);
	mapped[14] = 0xff;
	mapped[15] = 0xff;
	const std::array<__u8, 4> good = { 10, 0, 1, 2 };
	std::copy(good.begin(), good.end(), mapped.begin() + 16);
	EXPECT_EQ(parse(mapped).result, TOA_PARSE_FOUND);
}

TEST(WireParse, ZeroPortIsMalformed)
{
	Bytes o = kV4Opt;
	o[2] = o[3] = 0;
	EXPECT_EQ(parse(o).result, TOA_PARSE_MALFORMED);
}

TEST(WireParse, FullFortyByteOptionSpace)
{
	// 20 bytes of NOP then the IPv6 option ends exactly at 40.
	Bytes o(20, 1);
	o = concat({ o, kV6Opt });
	ASSERT_EQ(o.size(), size_t{ TOA_TCP_MAX_OPTION_SPACE });
	EXPECT_EQ(parse(o).result, TOA_PARSE_FOUND);
}

TEST(WireEncode, RoundTripsEveryFormat)
{
	for (int f = 0; f < TOA_FMT_COUNT; ++f) {
		toa_client c{};
		c.family = toa_formats[f].family;
		const __u8 port[2] = { 0x12, 0x34 };
		std::memcpy(&c.port, port, 2);
		for (int i = 0; i < 16; ++i)
			c.addr[i] = static_cast<__u8>(10 + i);
		if (c.family == TOA_AF_INET)
			std::memset(c.addr + 4, 0, 12);
		__u8 buf[TOA_OPT_LEN_V6];
		unsigned n = toa_encode_option(buf, static_cast<toa_format>(f), &c);
		ASSERT_EQ(n, toa_formats[f].len);
		Bytes o(buf, buf + n);
		auto p = parse(o, TOA_FMT_ALL_MASK);
		ASSERT_EQ(p.result, TOA_PARSE_FOUND) << toa_formats[f].name;
		// 253/8 and 254/8 etc. are distinct (kind, len) pairs: exact format back.
		EXPECT_EQ(p.client.format, f);
		EXPECT_EQ(std::memcmp(p.client.addr, c.addr, 16), 0);
		EXPECT_EQ(p.client.port, c.port);
	}
}

TEST(WireEncode, RejectsFamilyMismatchAndBadFormat)
{
	toa_client c{};
	c.family = TOA_AF_INET6;
	__u8 buf[TOA_OPT_LEN_V6];
	EXPECT_EQ(toa_encode_option(buf, TOA_FMT_254_V4, &c), 0u);
	EXPECT_EQ(toa_encode_option(buf, TOA_FMT_COUNT, &c), 0u);
}

TEST(WireFormats, NamesAreUniqueAndLookupAgrees)
{
	for (int f = 0; f < TOA_FMT_COUNT; ++f) {
		EXPECT_EQ(toa_format_lookup(toa_formats[f].kind, toa_formats[f].len,
					    TOA_FMT_ALL_MASK),
			  f);
		for (int g = f + 1; g < TOA_FMT_COUNT; ++g)
			EXPECT_STRNE(toa_formats[f].name, toa_formats[g].name);
	}
}

} // namespace
