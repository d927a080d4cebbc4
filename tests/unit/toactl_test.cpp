// SPDX-License-Identifier: MIT
//
// toactl's helpers: option parsing, JSON that parses (pretty, UTF-8),
// Prometheus text, prefixes, ages, argument spellings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include <toa/stats.h>

#include "cidr.hpp"
#include "conns_output.hpp"
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
}

// parse_args: getopt_long's rules, the common options anywhere.
static parsed_args parse(context &ctx, std::vector<std::string> args, int *code = nullptr)
{
	parsed_args a;
	int c = parse_args(
		ctx, "conns", args,
		{ { "no-header", 'H', false }, { "count", 'c', false }, { "port", 0, true } }, a);
	if (code)
		*code = c;
	return a;
}

TEST(Toactl, OptionsCombinedAndAnywhere)
{
	context ctx;
	int code = 0;
	auto a = parse(ctx, { "-Hcj", "x", "--port=80", "-n", "a", "y" }, &code);
	EXPECT_EQ(code, -1);
	EXPECT_TRUE(ctx.json);
	EXPECT_FALSE(ctx.pretty);
	EXPECT_EQ(ctx.netns, "a");
	EXPECT_EQ(a.positional, (std::vector<std::string>{ "x", "y" }));
	ASSERT_EQ(a.options.size(), 3u);
	EXPECT_EQ(a.options[0], (std::pair<std::string, std::string>{ "no-header", "" }));
	EXPECT_EQ(a.options[1].first, "count");
	EXPECT_EQ(a.options[2], (std::pair<std::string, std::string>{ "port", "80" }));

	context c2;
	a = parse(c2, { "--port", "81", "-p", "--", "-H", "--count" }, &code);
	EXPECT_EQ(code, -1);
	EXPECT_TRUE(c2.json && c2.pretty); // -p implies JSON
	EXPECT_EQ(a.positional, (std::vector<std::string>{ "-H", "--count" }));
	ASSERT_EQ(a.options.size(), 1u);
	EXPECT_EQ(a.options[0].second, "81");

	context c3;
	a = parse(c3, { "help" }, &code);
	EXPECT_TRUE(a.help);
	a = parse(c3, { "-h" }, &code);
	EXPECT_TRUE(a.help);
	// a second parse starts afresh (getopt's state is global)
	a = parse(c3, { "-c" }, &code);
	EXPECT_EQ(code, -1);
	EXPECT_FALSE(a.help);
	EXPECT_EQ(a.options.size(), 1u);
}

TEST(Toactl, OptionErrorsAreUsageErrors)
{
	for (auto args : std::vector<std::vector<std::string>>{ { "-Z" },
								{ "--bogus" },
								{ "--port" },
								{ "-n" },
								{ "--netns=" },
								{ "-Hx" },
								{ "--count=3" } }) {
		context ctx;
		int code = 0;
		testing::internal::CaptureStderr();
		parse(ctx, args, &code);
		std::string err = testing::internal::GetCapturedStderr();
		EXPECT_EQ(code, EXIT_USAGE) << args[0];
		EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
		EXPECT_EQ(err.rfind("toactl: ", 0), 0u) << err;
		EXPECT_NE(last_error().find("--help"), std::string::npos);
	}
	context ctx;
	int code = 0;
	testing::internal::CaptureStderr();
	parse(ctx, { "--port" }, &code);
	EXPECT_NE(testing::internal::GetCapturedStderr().find("'--port' needs a value"),
		  std::string::npos);
	testing::internal::CaptureStderr();
	parse(ctx, { "-x" }, &code);
	EXPECT_NE(testing::internal::GetCapturedStderr().find("unknown option '-x'"),
		  std::string::npos);
}

TEST(Toactl, JsonPretty)
{
	std::string out;
	json j(out, true);
	j.begin_object();
	j.key("a").value(std::uint64_t{ 1 });
	j.key("l").begin_array().value("x").begin_object().key("k").null().end_object().end_array();
	j.key("e").begin_array().end_array();
	j.key("o").begin_object().end_object();
	j.end_object();
	EXPECT_EQ(out, "{\n"
		       "  \"a\": 1,\n"
		       "  \"l\": [\n"
		       "    \"x\",\n"
		       "    {\n"
		       "      \"k\": null\n"
		       "    }\n"
		       "  ],\n"
		       "  \"e\": [],\n"
		       "  \"o\": {}\n"
		       "}");
}

TEST(Toactl, JsonStringsAreUtf8)
{
	// valid sequences pass, broken ones become U+FFFD, DEL is escaped
	EXPECT_EQ(json::escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	EXPECT_EQ(json::escape("a\xff"
			       "b"),
		  "\"a\\ufffdb\"");
	EXPECT_EQ(json::escape("\xc3"), "\"\\ufffd\"");			      // truncated
	EXPECT_EQ(json::escape("\xc0\xaf"), "\"\\ufffd\\ufffd\"");	      // overlong '/'
	EXPECT_EQ(json::escape("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); // surrogate
	EXPECT_EQ(json::escape("\xf4\x90\x80\x80"),
		  "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); // > U+10FFFF
	EXPECT_EQ(json::escape("\x7f"), "\"\\u007f\"");
}

TEST(Toactl, PrintJsonHasSchema)
{
	context ctx;
	ctx.json = true;
	testing::internal::CaptureStdout();
	print_json(ctx, [](json &j) { j.key("x").value(true); });
	EXPECT_EQ(testing::internal::GetCapturedStdout(), "{\"schema\":1,\"x\":true}\n");
	EXPECT_TRUE(json_printed());
}

TEST(Toactl, Prometheus)
{
	std::vector<named_value> c{ { "syn_recv_sock_toa", 3 },
				    { "store_in_use", 2 },
				    { "future_counter", 7 },
				    { "Bad Name", 1 } };
	std::string t = prometheus_text(c, { "module", "0.1.0", "pod\"1" });
	EXPECT_NE(t.find("# TYPE toa_info gauge\n"
			 "toa_info{netns=\"pod\\\"1\",mode=\"module\",version=\"0.1.0\"} 1\n"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("# HELP toa_syn_recv_sock_toa_total Passive TCP opens whose "
			 "handshake-completing packet carried an accepted TOA option"),
		  std::string::npos)
		<< t;
	EXPECT_NE(t.find("# TYPE toa_syn_recv_sock_toa_total counter\n"
			 "toa_syn_recv_sock_toa_total{netns=\"pod\\\"1\"} 3\n"),
		  std::string::npos);
	EXPECT_NE(t.find("# TYPE toa_store_in_use gauge\ntoa_store_in_use{netns=\"pod\\\"1\"} 2\n"),
		  std::string::npos);
	EXPECT_NE(t.find("toa_future_counter_total{netns=\"pod\\\"1\"} 7\n"), std::string::npos);
	EXPECT_EQ(t.find("Bad Name"), std::string::npos);
	// one HELP and one TYPE per sample, every line a comment or a sample
	EXPECT_EQ(prometheus_text({}, { "bpf", "0.1.0", "" }),
		  "# HELP toa_info What answers for TOA on this node (mode: module for toa.ko, bpf "
		  "for "
		  "the module-free mode) and its version; always 1.\n"
		  "# TYPE toa_info gauge\n"
		  "toa_info{mode=\"bpf\",version=\"0.1.0\"} 1\n");
}

TEST(Toactl, EveryCounterHasHelp)
{
	for (std::size_t i = 0; i < TOA_STAT_COUNT; i++) {
		bool gauge = true;
		const char *h = stat_help_text(i, &gauge);
		ASSERT_NE(h, nullptr) << toa_stat_name(i);
		EXPECT_GT(std::strlen(h), 10u) << toa_stat_name(i);
		// only the ones kept as current values are gauges
		EXPECT_EQ(gauge, i == TOA_STAT_STORE_IN_USE || i == TOA_STAT_UDP_MAP_IN_USE)
			<< toa_stat_name(i);
	}
	EXPECT_EQ(stat_help_text(TOA_STAT_COUNT, nullptr), nullptr);
}

TEST(Toactl, PrefixContains)
{
	auto v4 = *parse_cidr("10.1.0.0/16");
	EXPECT_TRUE(v4.contains(*toa::endpoint::parse("10.1.2.3:80")));
	EXPECT_FALSE(v4.contains(*toa::endpoint::parse("10.2.0.1:80")));
	EXPECT_TRUE(v4.contains(*toa::endpoint::parse("[::ffff:10.1.9.9]:80")));
	EXPECT_FALSE(v4.contains(*toa::endpoint::parse("[fd00::a01:203]:80")));
	EXPECT_FALSE(v4.contains(toa::endpoint{}));
	auto v6 = *parse_cidr("fd00::/8");
	EXPECT_TRUE(v6.contains(*toa::endpoint::parse("[fd12::1]:1")));
	EXPECT_FALSE(v6.contains(*toa::endpoint::parse("10.1.2.3:1")));
	EXPECT_TRUE(parse_cidr("0.0.0.0/0")->contains(*toa::endpoint::parse("1.2.3.4:5")));
	EXPECT_TRUE(parse_cidr("10.1.2.3")->contains(*toa::endpoint::parse("10.1.2.3:5")));
	EXPECT_FALSE(parse_cidr("10.1.2.3")->contains(*toa::endpoint::parse("10.1.2.4:5")));
}

TEST(Toactl, Table)
{
	table t({ "A", "Long" });
	t.add({ "xyz", "1" });
	EXPECT_EQ(t.render(true), "A    Long\nxyz  1\n");
	EXPECT_EQ(t.render(false), "xyz  1\n");
}

static toa::socket_entry sock(const char *local, const char *bal, const char *cli)
{
	toa::socket_entry e;
	e.local = *toa::endpoint::parse(local);
	e.balancer = *toa::endpoint::parse(bal);
	e.client = *toa::endpoint::parse(cli);
	e.cookie = 7;
	return e;
}

TEST(Toactl, ConnsJsonStaysValidWhenTheDumpFails)
{
	context ctx;
	ctx.json = true;
	conns_options o;
	o.port = 80;
	testing::internal::CaptureStdout();
	{
		conns_printer p(ctx, o);
		p.add("-", sock("10.0.0.2:80", "10.0.0.1:5000", "192.0.2.1:6000"));
		p.add("-", sock("10.0.0.2:81", "10.0.0.1:5001", "192.0.2.1:6001")); // filtered out
		p.finish(std::make_pair(1, std::string("conns: No buffer space available")));
	}
	EXPECT_EQ(testing::internal::GetCapturedStdout(),
		  "{\"schema\":1,\"conns\":[{\"local\":{\"addr\":\"10.0.0.2\",\"port\":80},"
		  "\"balancer\":{\"addr\":\"10.0.0.1\",\"port\":5000},"
		  "\"client\":{\"addr\":\"192.0.2.1\",\"port\":6000},\"format\":\"254/8\","
		  "\"age_ms\":0,\"cookie\":7}],\"count\":1,"
		  "\"error\":{\"exit\":1,\"message\":\"conns: No buffer space available\"}}\n");
	EXPECT_TRUE(json_printed());

	o.count = true;
	testing::internal::CaptureStdout();
	{
		conns_printer p(ctx, o);
		p.finish();
	}
	EXPECT_EQ(testing::internal::GetCapturedStdout(), "{\"schema\":1,\"count\":0}\n");
}
