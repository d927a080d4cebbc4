// SPDX-License-Identifier: MIT
//
// Addresses and format names: the spellings toactl and the C ABI accept
// and print.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <toa/toa.h>
#include <toa/toa.hpp>

extern "C" {
#include <toa/wire.h>
}

TEST(Endpoint, ParseAndFormat)
{
	for (const char *s :
	     { "10.0.0.1:80", "[fd00::1]:443", "[::ffff:1.2.3.4]:1", "0.0.0.0:0", "[::]:65535" }) {
		auto e = toa::endpoint::parse(s);
		ASSERT_TRUE(e) << s;
		EXPECT_EQ(e->to_string(), s);
	}
	auto e = toa::endpoint::parse("192.0.2.1:8080");
	ASSERT_TRUE(e);
	EXPECT_EQ(e->family, AF_INET);
	EXPECT_EQ(e->port, 8080);
	EXPECT_EQ(e->address(), "192.0.2.1");
	EXPECT_EQ(toa::endpoint{}.to_string(), "-");
}

TEST(Endpoint, RejectsGarbage)
{
	for (const char *s : { "", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1",
			       "1.2.3.4:+1", "fd00::1:80", "[fd00::1]", "[fd00::1]80", "[fd00::1",
			       "host:80", "1.2.3.4:80x", "1.2.3.4:0080000", ":80", "[]:80" })
		EXPECT_FALSE(toa::endpoint::parse(s)) << s;
}

TEST(Endpoint, SockaddrRoundTrip)
{
	auto e = toa::endpoint::parse("[2001:db8::7]:9");
	ASSERT_TRUE(e);
	sockaddr_storage ss;
	socklen_t len = e->to_sockaddr(ss);
	EXPECT_EQ(len, sizeof(sockaddr_in6));
	EXPECT_EQ(toa::endpoint::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), len), *e);
	EXPECT_EQ(toa::endpoint{}.to_sockaddr(ss), 0u);
	// Too short for its family: empty, not a read past the end.
	EXPECT_TRUE(toa::endpoint::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), 8).empty());
	EXPECT_TRUE(toa::endpoint::from_sockaddr(nullptr, 0).empty());
}

TEST(Endpoint, CApi)
{
	toa_endpoint c;
	char buf[TOA_ENDPOINT_STRLEN];
	ASSERT_EQ(toa_endpoint_parse("[fd01::2]:5000", &c), 0);
	EXPECT_EQ(c.family, AF_INET6);
	EXPECT_EQ(c.port, 5000);
	EXPECT_EQ(toa_endpoint_format(&c, buf, sizeof(buf)), 14);
	EXPECT_STREQ(buf, "[fd01::2]:5000");
	EXPECT_EQ(toa_endpoint_format(&c, buf, 5), -1); // does not fit
	EXPECT_EQ(toa_endpoint_parse("nope", &c), -1);
	EXPECT_EQ(toa_endpoint_parse(nullptr, &c), -1);
	// The longest IPv6 spelling fits TOA_ENDPOINT_STRLEN.
	ASSERT_EQ(toa_endpoint_parse("[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535", &c),
		  0);
	EXPECT_GT(toa_endpoint_format(&c, buf, sizeof(buf)), 0);
}

TEST(Formats, ToAndFromString)
{
	EXPECT_EQ(toa::formats_to_string(TOA_FMT_DEFAULT_MASK), "254/8,200/8,254/20,253/20");
	EXPECT_EQ(toa::formats_to_string(0), "none");
	EXPECT_EQ(*toa::parse_formats("all"), TOA_FMT_ALL_MASK);
	EXPECT_EQ(*toa::parse_formats("default"), TOA_FMT_DEFAULT_MASK);
	EXPECT_EQ(*toa::parse_formats("none"), 0u);
	EXPECT_EQ(*toa::parse_formats("254/8, 253/8"),
		  TOA_FMT_BIT(TOA_FMT_254_V4) | TOA_FMT_BIT(TOA_FMT_253_V4));
	EXPECT_EQ(*toa::parse_formats(toa::formats_to_string(0x15)), 0x15u);
	auto bad = toa::parse_formats("254/9");
	ASSERT_FALSE(bad);
	EXPECT_EQ(bad.error(), std::errc::invalid_argument);
	EXPECT_EQ(toa::format_name(TOA_FMT_200_V4), "200/8");
	EXPECT_EQ(toa::format_name(99), "?");

	uint32_t m;
	char buf[64];
	EXPECT_EQ(toa_formats_from_string("200/8", &m), 0);
	EXPECT_EQ(m, TOA_FMT_BIT(TOA_FMT_200_V4));
	EXPECT_EQ(toa_formats_from_string("x", &m), -EINVAL);
	EXPECT_GT(toa_formats_to_string(TOA_FMT_ALL_MASK, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "254/8,200/8,254/20,253/20,253/8");
}
