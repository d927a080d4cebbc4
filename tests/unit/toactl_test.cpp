// SPDX-License-Identifier: MIT
//
// toactl's output helpers: JSON that parses, ages, argument spellings.
#include <gtest/gtest.h>

#include "toactl.hpp"

using namespace toactl;

TEST(Toactl, JsonEscapesAndSeparates)
{
	std::string out;
	json j(out);
	j.begin_object();
	j.key("a\"b").value("x\\y\n\x01");
	j.key("n").value(std::uint64_t{ 42 });
	j.key("t").value(true);
	j.key("list").begin_array().value("1").value("2").end_array();
	j.key("none").value(toa::endpoint{});
	j.key("ep").value(*toa::endpoint::parse("[fd00::1]:80"));
	j.key("empty").begin_array().end_array();
	j.end_object();
	EXPECT_EQ(out, "{\"a\\\"b\":\"x\\\\y\\n\\u0001\",\"n\":42,\"t\":true,"
		       "\"list\":[\"1\",\"2\"],\"none\":null,"
		       "\"ep\":{\"addr\":\"fd00::1\",\"port\":80},\"empty\":[]}");
}

TEST(Toactl, Age)
{
	EXPECT_EQ(format_age(0), "0.0s");
	EXPECT_EQ(format_age(3250), "3.2s");
	EXPECT_EQ(format_age(312000), "5m12s");
	EXPECT_EQ(format_age(2 * 3600000 + 3 * 60000), "2h03m");
	EXPECT_EQ(format_age(3 * 86400000ull + 4 * 3600000), "3d04h");
}

TEST(Toactl, Arguments)
{
	EXPECT_EQ(parse_bool("1"), true);
	EXPECT_EQ(parse_bool("off"), false);
	EXPECT_FALSE(parse_bool("2").has_value());
	EXPECT_FALSE(parse_bool("").has_value());
	EXPECT_EQ(split_list("a,,b,"), (std::vector<std::string>{ "a", "b" }));
	EXPECT_TRUE(split_list("").empty());

	context ctx;
	std::vector<std::string> args{ "-j", "x", "--help" };
	EXPECT_TRUE(common_options(ctx, args));
	EXPECT_TRUE(ctx.json);
	EXPECT_EQ(args, std::vector<std::string>{ "x" });
}

TEST(Toactl, Table)
{
	table t({ "A", "Long" });
	t.add({ "xyz", "1" });
	EXPECT_EQ(t.render(true), "A    Long\nxyz  1\n");
	EXPECT_EQ(t.render(false), "xyz  1\n");
}
