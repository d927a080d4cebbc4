// SPDX-License-Identifier: MIT
/*
 * uoa_test.cpp - the UDP wire formats of include/toa/uoa.h: the option
 * parser and encoder, the protocol-248 wrapper check, and the byte layout
 * of the getsockopt structures that must match DPVS's.
 *
 * Every parse runs on an exact-size heap copy, so a build with
 * -fsanitize=address catches any read past @len.
 */
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include <toa/uoa.h>

namespace {

using Bytes = std::vector<uint8_t>;

enum uoa_parse_result parse(const Bytes &b, struct uoa_client *c)
{
	uint8_t *p = new uint8_t[b.size() ? b.size() : 1];

	if (!b.empty())
		std::memcpy(p, b.data(), b.size());
	std::memset(c, 0xee, sizeof(*c));
	enum uoa_parse_result r = uoa_parse_options(p, (unsigned)b.size(), c);
	delete[] p;
	return r;
}

enum uoa_opp_result opp(const Bytes &b, unsigned avail, struct uoa_opp *o)
{
	uint8_t *p = new uint8_t[b.size() ? b.size() : 1];

	if (!b.empty())
		std::memcpy(p, b.data(), b.size());
	enum uoa_opp_result r = uoa_parse_opp(p, avail, o);
	delete[] p;
	return r;
}

const Bytes v4opt = { 31, 8, 0x9c, 0x41, 10, 0, 1, 2 }; /* 10.0.1.2:40001 */
const Bytes v6opt = {
	31, 20, 0x15, 0xb3, 0xfd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
}; /* [fd01::2]:5555 */

Bytes cat(Bytes a, const Bytes &b)
{
	a.insert(a.end(), b.begin(), b.end());
	return a;
}

} // namespace

TEST(UoaParse, Ipv4Client)
{
	struct uoa_client c;

	ASSERT_EQ(parse(v4opt, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET);
	EXPECT_EQ(ntohs(c.port), 40001);
	const uint8_t want[16] = { 10, 0, 1, 2 };
	EXPECT_EQ(std::memcmp(c.addr, want, 16), 0); /* rest zeroed */
	EXPECT_EQ(c.opt_off, 0);
	EXPECT_EQ(c.opt_len, 8);
}

TEST(UoaParse, Ipv6Client)
{
	struct uoa_client c;

	ASSERT_EQ(parse(v6opt, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(c.family, TOA_AF_INET6);
	EXPECT_EQ(ntohs(c.port), 5555);
	EXPECT_EQ(std::memcmp(c.addr, v6opt.data() + 4, 16), 0);
	EXPECT_EQ(c.opt_len, 20);
}

TEST(UoaParse, AmongOtherOptions)
{
	struct uoa_client c;
	/* NOP, a record-route option (7, len 7, ptr 4, one slot), NOP, UOA */
	Bytes b = cat({ 1, 7, 7, 4, 0, 0, 0, 0, 1 }, v4opt);

	ASSERT_EQ(parse(b, &c), UOA_PARSE_FOUND);
	EXPECT_EQ(c.opt_off, 9);
	EXPECT_EQ(ntohs(c.port), 40001);
}

TEST(UoaParse, TwoOptionsAreMalformed)
{
	struct uoa_client c;
	Bytes forged = v4opt;

	forged[7] = 99;
	/* a forged option beside the balancer's, either order: neither */
	EXPECT_EQ(parse(cat(forged, v4opt), &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(c.opt_len, 0); /* no single option to blame */
	EXPECT_EQ(parse(cat(v4opt, forged), &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(cat(v6opt, v4opt), &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(cat(cat(v4opt, { 1, 7, 7, 4, 0, 0, 0, 0 }), v4opt), &c),
		  UOA_PARSE_MALFORMED);
	/* after an EOL is padding, not a second option */
	EXPECT_EQ(parse(cat(cat(v4opt, { 0 }), forged), &c), UOA_PARSE_FOUND);
	EXPECT_EQ(c.addr[3], 2);
}

TEST(UoaParse, BrokenAfterTheOptionIsMalformed)
{
	struct uoa_client c;

	EXPECT_EQ(parse(cat(v4opt, { 7, 40 }), &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(parse(cat(v4opt, { 7 }), &c), UOA_PARSE_MALFORMED);
}

namespace {

Bytes blanked(Bytes b, unsigned *n = nullptr)
{
	unsigned r = uoa_blank_options(b.data(), (unsigned)b.size());

	if (n)
		*n = r;
	return b;
}

} // namespace

TEST(UoaBlank, EveryOption31AndNothingElse)
{
	struct uoa_client c;
	const Bytes rr = { 7, 7, 4, 0, 0, 0, 0 }; /* record route */
	Bytes forged = v4opt;
	unsigned n;

	forged[7] = 99;
	Bytes b = cat(cat(cat(forged, rr), { 1 }), v4opt);
	Bytes got = blanked(b, &n);
	EXPECT_EQ(n, 16u);
	EXPECT_EQ(got, cat(cat(cat(Bytes(8, 1), rr), { 1 }), Bytes(8, 1)));
	EXPECT_EQ(parse(got, &c), UOA_PARSE_NONE);
	/* none there: untouched */
	EXPECT_EQ(blanked(cat(rr, { 1 })), cat(rr, { 1 }));
	/* an EOL ends the list: padding after it is left alone */
	EXPECT_EQ(blanked(cat({ 0 }, v4opt)), cat({ 0 }, v4opt));
}

TEST(UoaBlank, FromABreakToTheEnd)
{
	/* a good option 31, then a length running past the end */
	Bytes b = cat(v4opt, { 7, 40, 31, 8 });
	unsigned n;
	Bytes got = blanked(b, &n);

	EXPECT_EQ(n, 12u);
	EXPECT_EQ(got, Bytes(12, 1));
	EXPECT_EQ(blanked({ 31, 1, 0, 0 }), Bytes(4, 1));
}

TEST(UoaParse, None)
{
	struct uoa_client c;

	EXPECT_EQ(parse({}, &c), UOA_PARSE_NONE);
	EXPECT_EQ(parse({ 1, 1, 1, 1 }, &c), UOA_PARSE_NONE);
	/* an EOL ends the list: what follows is padding */
	EXPECT_EQ(parse(cat({ 0, 1, 1, 1 }, v4opt), &c), UOA_PARSE_NONE);
	EXPECT_EQ(parse(cat({ 1 }, { 0 }), &c), UOA_PARSE_NONE);
	/* TOA's TCP kinds mean nothing here */
	EXPECT_EQ(parse({ 254, 8, 0x9c, 0x41, 10, 0, 1, 2 }, &c), UOA_PARSE_NONE);
	EXPECT_EQ(c.opt_len, 0);
}

TEST(UoaParse, BrokenListIsMalformed)
{
	struct uoa_client c;

	/* the option runs past the list: where a TOA length is, no room */
	EXPECT_EQ(parse({ 31, 8, 0x9c, 0x41 }, &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(c.opt_len, 0); /* nothing to blank: structure broken */
	EXPECT_EQ(parse({ 31, 1, 0, 0 }, &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(parse({ 7, 0 }, &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(parse({ 1, 1, 1, 68 }, &c), UOA_PARSE_MALFORMED); /* no len */
	EXPECT_EQ(parse({ 7, 9, 4, 0, 0, 0, 0, 0 }, &c), UOA_PARSE_MALFORMED);
}

TEST(UoaParse, WrongLengthIsMalformedAndLocated)
{
	struct uoa_client c;
	/* code 31, length 7, then a NOP: a list the kernel accepts */
	Bytes b = { 1, 1, 1, 1, 31, 7, 0x9c, 0x41, 10, 0, 1, 1 };

	EXPECT_EQ(parse(b, &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(c.opt_off, 4);
	EXPECT_EQ(c.opt_len, 7);
	Bytes twelve = { 31, 12, 0x9c, 0x41, 10, 0, 1, 2, 10, 0, 1, 3 };
	EXPECT_EQ(parse(twelve, &c), UOA_PARSE_MALFORMED);
	EXPECT_EQ(c.opt_len, 12);
}

TEST(UoaParse, ImpossibleAddressesAreMalformed)
{
	struct uoa_client c;
	const Bytes bogus4[] = {
		{ 31, 8, 0, 0, 10, 0, 1, 2 },	      /* port 0 */
		{ 31, 8, 0, 80, 0, 0, 0, 0 },	      /* 0.0.0.0 */
		{ 31, 8, 0, 80, 127, 0, 0, 1 },	      /* loopback */
		{ 31, 8, 0, 80, 224, 0, 0, 1 },	      /* multicast */
		{ 31, 8, 0, 80, 255, 255, 255, 255 }, /* broadcast */
	};

	for (const Bytes &b : bogus4) {
		EXPECT_EQ(parse(b, &c), UOA_PARSE_MALFORMED);
		EXPECT_EQ(c.opt_len, 8); /* toa.ko blanks these 8 bytes */
	}
	Bytes v6 = v6opt;
	std::memset(&v6[4], 0, 16); /* :: */
	EXPECT_EQ(parse(v6, &c), UOA_PARSE_MALFORMED);
	v6[19] = 1; /* ::1 */
	EXPECT_EQ(parse(v6, &c), UOA_PARSE_MALFORMED);
	v6[4] = 0xff; /* ff00::1 */
	EXPECT_EQ(parse(v6, &c), UOA_PARSE_MALFORMED);
	/* a v4-mapped client is a real one */
	Bytes mapped = v6opt;
	std::memset(&mapped[4], 0, 16);
	mapped[14] = mapped[15] = 0xff;
	mapped[16] = 10;
	mapped[19] = 2;
	EXPECT_EQ(parse(mapped, &c), UOA_PARSE_FOUND);
	/* ... judged by IPv4's rules: a mapped loopback or broadcast is not */
	mapped[16] = 127;
	mapped[19] = 1;
	EXPECT_EQ(parse(mapped, &c), UOA_PARSE_MALFORMED);
	std::memset(&mapped[16], 0xff, 4);
	EXPECT_EQ(parse(mapped, &c), UOA_PARSE_MALFORMED);
}

TEST(UoaEncode, RoundTrip)
{
	struct uoa_client in = {}, out;
	uint8_t buf[UOA_OPT_LEN_V6];

	in.family = TOA_AF_INET;
	in.port = htons(40001);
	const uint8_t a4[4] = { 10, 0, 1, 2 };
	std::memcpy(in.addr, a4, 4);
	ASSERT_EQ(uoa_encode_option(buf, &in), 8u);
	EXPECT_EQ(Bytes(buf, buf + 8), v4opt);

	in.family = TOA_AF_INET6;
	in.port = htons(5555);
	std::memcpy(in.addr, v6opt.data() + 4, 16);
	ASSERT_EQ(uoa_encode_option(buf, &in), 20u);
	EXPECT_EQ(Bytes(buf, buf + 20), v6opt);
	ASSERT_EQ(parse(Bytes(buf, buf + 20), &out), UOA_PARSE_FOUND);
	EXPECT_EQ(out.port, in.port);

	in.family = 7;
	EXPECT_EQ(uoa_encode_option(buf, &in), 0u);
}

TEST(UoaOpp, Wrapper)
{
	struct uoa_opp o;
	uint8_t hdr[4];

	uoa_encode_opp(hdr, UOA_OPP_VER_V4, 17, 8);
	EXPECT_EQ(Bytes(hdr, hdr + 4), Bytes({ 0x10, 17, 0, 12 }));
	Bytes w = cat(Bytes(hdr, hdr + 4), v4opt);
	/* wrapper (12) + UDP header (8) + 6 bytes of payload */
	ASSERT_EQ(opp(w, 26, &o), UOA_OPP_OK);
	EXPECT_EQ(o.version, 1);
	EXPECT_EQ(o.protocol, 17);
	EXPECT_EQ(o.length, 12);
	/* exactly room for the UDP header, an empty datagram */
	EXPECT_EQ(opp(w, 20, &o), UOA_OPP_OK);
	EXPECT_EQ(opp(w, 19, &o), UOA_OPP_BAD_LENGTH);

	uoa_encode_opp(hdr, UOA_OPP_VER_V6, 17, 20);
	EXPECT_EQ(Bytes(hdr, hdr + 4), Bytes({ 0x20, 17, 0, 24 }));
	/* version and option length need not agree: the option says */
	Bytes v1v6 = cat({ 0x10, 17, 0, 24 }, v6opt);
	EXPECT_EQ(opp(v1v6, 40, &o), UOA_OPP_OK);
	/* reserved bits are ignored */
	Bytes rsvd = w;
	rsvd[0] = 0x1f;
	EXPECT_EQ(opp(rsvd, 26, &o), UOA_OPP_OK);
	/* no options at all is a wrapper too (length 4) */
	EXPECT_EQ(opp({ 0x10, 17, 0, 4 }, 12, &o), UOA_OPP_OK);
}

TEST(UoaOpp, Broken)
{
	struct uoa_opp o;

	EXPECT_EQ(opp({ 0x10, 17, 0, 12 }, 11, &o), UOA_OPP_SHORT);
	EXPECT_EQ(opp({ 0x10 }, 1, &o), UOA_OPP_SHORT);
	for (uint8_t v : { 0x00, 0x30, 0x40, 0xf0 })
		EXPECT_EQ(opp({ v, 17, 0, 12 }, 26, &o), UOA_OPP_BAD_VERSION);
	EXPECT_EQ(opp({ 0x10, 6, 0, 12 }, 26, &o), UOA_OPP_NOT_UDP);
	EXPECT_EQ(opp({ 0x10, 17, 0, 3 }, 26, &o), UOA_OPP_BAD_LENGTH);
	EXPECT_EQ(opp({ 0x10, 17, 0, 0 }, 26, &o), UOA_OPP_BAD_LENGTH);
	EXPECT_EQ(opp({ 0x10, 17, 0, 48 }, 100, &o), UOA_OPP_BAD_LENGTH);
	EXPECT_EQ(opp({ 0x10, 17, 0xff, 0xff }, 100, &o), UOA_OPP_BAD_LENGTH);
	EXPECT_EQ(opp({ 0x10, 17, 0, 44 }, 52, &o), UOA_OPP_OK);
}

TEST(UoaAbi, DpvsParamMapLayout)
{
	/* DPVS's packed struct uoa_param_map, byte for byte */
	EXPECT_EQ(sizeof(struct uoa_param_map), (size_t)UOA_PARAM_MAP_SIZE);
	EXPECT_EQ(offsetof(struct uoa_param_map, af), 0u);
	EXPECT_EQ(offsetof(struct uoa_param_map, saddr), 2u);
	EXPECT_EQ(offsetof(struct uoa_param_map, daddr), 18u);
	EXPECT_EQ(offsetof(struct uoa_param_map, sport), 34u);
	EXPECT_EQ(offsetof(struct uoa_param_map, dport), 36u);
	EXPECT_EQ(offsetof(struct uoa_param_map, real_af), 38u);
	EXPECT_EQ(offsetof(struct uoa_param_map, real_saddr), 40u);
	EXPECT_EQ(offsetof(struct uoa_param_map, real_sport), 56u);
	EXPECT_EQ(UOA_SO_GET_LOOKUP, 2048);
}

TEST(UoaAbi, FlowInfoLayout)
{
	EXPECT_EQ(sizeof(struct uoa_flow_info), (size_t)UOA_FLOW_INFO_SIZE_V1);
	EXPECT_EQ(offsetof(struct uoa_flow_info, balancer), 8u);
	EXPECT_EQ(offsetof(struct uoa_flow_info, local), 28u);
	EXPECT_EQ(offsetof(struct uoa_flow_info, client), 48u);
	EXPECT_EQ(offsetof(struct uoa_flow_info, age_ms), 68u);
	/* the UDP range must not overlap the TCP one (nf_register_sockopt) */
	EXPECT_LT(UOA_SO_GET_MAX, TOA_SO_BASE);
}
