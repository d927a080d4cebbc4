// SPDX-License-Identifier: MIT
//
// The genl protocol as libtoa speaks it (include/toa/netlink.h): replies
// built here the way toa.ko builds them are parsed back; unknown attributes
// are skipped, missing or malformed ones refused; requests carry what the
// kernel's policy expects. Also: the control client's behaviour without
// the module.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include <vector>

#include <toa/toa.h>
#include <toa/toa.hpp>

#include "internal.hpp"

namespace {

struct msgbuf {
	std::vector<char> buf = std::vector<char>(MNL_SOCKET_BUFFER_SIZE);
	nlmsghdr *nlh;
	explicit msgbuf(uint8_t cmd)
	{
		nlh = toa::detail::build_request(buf.data(), 0x20, cmd, 0, 1);
	}
};

void put_addr(nlmsghdr *nlh, uint16_t type, int family, const char *a, uint16_t port,
	      int len_override = -1)
{
	uint8_t raw[16] = {};
	inet_pton(family, a, raw);
	nlattr *n = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u16(nlh, TOA_ADDR_A_FAMILY, family);
	mnl_attr_put(nlh, TOA_ADDR_A_ADDR,
		     len_override >= 0	 ? len_override
		     : family == AF_INET ? 4
					 : 16,
		     raw);
	mnl_attr_put_u16(nlh, TOA_ADDR_A_PORT, htons(port));
	mnl_attr_nest_end(nlh, n);
}

void put_socket(nlmsghdr *nlh, int addr_len_override = -1, bool with_client = true)
{
	nlattr *s = mnl_attr_nest_start(nlh, TOA_A_SOCKET);
	mnl_attr_put_u64(nlh, TOA_SOCK_A_COOKIE, 0x1234567890ull);
	put_addr(nlh, TOA_SOCK_A_LOCAL, AF_INET, "10.0.2.2", 8000);
	put_addr(nlh, TOA_SOCK_A_BALANCER, AF_INET, "10.0.2.1", 41000, addr_len_override);
	if (with_client)
		put_addr(nlh, TOA_SOCK_A_CLIENT, AF_INET6, "2001:db8::9", 51000);
	mnl_attr_put_u8(nlh, TOA_SOCK_A_FORMAT, TOA_FMT_254_V6);
	mnl_attr_put_u64(nlh, TOA_SOCK_A_AGE_MS, 1500);
	mnl_attr_put_u32(nlh, 200, 7); // from a future module: skipped
	mnl_attr_nest_end(nlh, s);
}

TEST(Msg, SocketReply)
{
	msgbuf m(TOA_CMD_GET_SOCKETS);
	put_socket(m.nlh);
	toa::socket_entry e;
	ASSERT_TRUE(toa::detail::parse_socket_reply(m.nlh, e));
	EXPECT_EQ(e.cookie, 0x1234567890ull);
	EXPECT_EQ(e.local.to_string(), "10.0.2.2:8000");
	EXPECT_EQ(e.balancer.to_string(), "10.0.2.1:41000");
	EXPECT_EQ(e.client.to_string(), "[2001:db8::9]:51000");
	EXPECT_EQ(e.format, unsigned(TOA_FMT_254_V6));
	EXPECT_EQ(e.age_ms, 1500u);
}

TEST(Msg, SocketReplyRefusesBadAddresses)
{
	toa::socket_entry e;
	msgbuf wrong_len(TOA_CMD_GET_SOCKETS);
	put_socket(wrong_len.nlh, 16); // IPv4 family with 16 bytes
	EXPECT_FALSE(toa::detail::parse_socket_reply(wrong_len.nlh, e));
	msgbuf missing(TOA_CMD_GET_SOCKETS);
	put_socket(missing.nlh, -1, false);
	EXPECT_FALSE(toa::detail::parse_socket_reply(missing.nlh, e));
	msgbuf empty(TOA_CMD_GET_SOCKETS);
	EXPECT_FALSE(toa::detail::parse_socket_reply(empty.nlh, e));
}

TEST(Msg, StatsReply)
{
	msgbuf m(TOA_CMD_GET_STATS);
	nlattr *all = mnl_attr_nest_start(m.nlh, TOA_A_STATS);
	for (uint32_t i = 0; i < TOA_STAT_COUNT; i++) {
		nlattr *one = mnl_attr_nest_start(m.nlh, i + 1);
		mnl_attr_put_u32(m.nlh, TOA_STAT_A_ID, i);
		mnl_attr_put_strz(m.nlh, TOA_STAT_A_NAME, toa_stat_name(i));
		mnl_attr_put_u64(m.nlh, TOA_STAT_A_VALUE, 1000 + i);
		if (toa_stat_is_global(i))
			mnl_attr_put(m.nlh, TOA_STAT_A_GLOBAL, 0, nullptr);
		mnl_attr_nest_end(m.nlh, one);
	}
	mnl_attr_nest_end(m.nlh, all);
	std::vector<toa::stat_value> v;
	ASSERT_TRUE(toa::detail::parse_stat_reply(m.nlh, v));
	ASSERT_EQ(v.size(), size_t(TOA_STAT_COUNT));
	for (uint32_t i = 0; i < TOA_STAT_COUNT; i++) {
		EXPECT_EQ(v[i].id, i);
		EXPECT_EQ(v[i].name, toa_stat_name(i));
		EXPECT_EQ(v[i].value, 1000u + i);
		EXPECT_EQ(v[i].global, bool(toa_stat_is_global(i)));
	}
}

TEST(Msg, ConfigReply)
{
	msgbuf m(TOA_CMD_GET_CONFIG);
	mnl_attr_put_strz(m.nlh, TOA_A_VERSION, "0.1.0");
	mnl_attr_put_u32(m.nlh, TOA_A_FORMATS, TOA_FMT_DEFAULT_MASK);
	mnl_attr_put_strz(m.nlh, TOA_A_TRUSTED, "10.0.0.0/8,fd00::/8");
	mnl_attr_put_u8(m.nlh, TOA_A_ENABLED, 0);
	mnl_attr_put_u32(m.nlh, TOA_A_MAX_ENTRIES, 1u << 20);
	toa::config c;
	ASSERT_TRUE(toa::detail::parse_config_reply(m.nlh, c));
	EXPECT_EQ(c.version, "0.1.0");
	EXPECT_EQ(c.formats, uint32_t(TOA_FMT_DEFAULT_MASK));
	EXPECT_EQ(c.trusted, "10.0.0.0/8,fd00::/8");
	EXPECT_FALSE(c.enabled);
	EXPECT_EQ(c.max_entries, 1u << 20);

	msgbuf bad(TOA_CMD_GET_CONFIG);
	mnl_attr_put_u16(bad.nlh, TOA_A_FORMATS, 3); // wrong width
	EXPECT_FALSE(toa::detail::parse_config_reply(bad.nlh, c));
}

int collect(const nlattr *a, void *data)
{
	auto *v = static_cast<std::vector<const nlattr *> *>(data);
	v->resize(std::max<size_t>(v->size(), mnl_attr_get_type(a) + 1));
	(*v)[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

TEST(Msg, Requests)
{
	std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
	nlmsghdr *nlh = toa::detail::build_request(buf.data(), 0x21, TOA_CMD_SET_CONFIG, 0, 9);
	EXPECT_EQ(nlh->nlmsg_type, 0x21);
	EXPECT_EQ(nlh->nlmsg_seq, 9u);
	EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_REQUEST);
	auto *g = static_cast<genlmsghdr *>(mnl_nlmsg_get_payload(nlh));
	EXPECT_EQ(g->cmd, TOA_CMD_SET_CONFIG);
	EXPECT_EQ(g->version, TOA_GENL_VERSION);
	EXPECT_EQ(g->reserved, 0); // the kernel validates it strictly

	toa::config_change c;
	c.enabled = false;
	c.trusted = "";
	toa::detail::put_config_change(nlh, c);
	std::vector<const nlattr *> tb;
	ASSERT_GE(mnl_attr_parse(nlh, sizeof(genlmsghdr), collect, &tb), 0);
	ASSERT_GT(tb.size(), size_t(TOA_A_ENABLED));
	EXPECT_EQ(tb[TOA_A_FORMATS], nullptr); // unset: not sent
	ASSERT_NE(tb[TOA_A_TRUSTED], nullptr);
	EXPECT_STREQ(mnl_attr_get_str(tb[TOA_A_TRUSTED]), "");
	ASSERT_NE(tb[TOA_A_ENABLED], nullptr);
	EXPECT_EQ(mnl_attr_get_u8(tb[TOA_A_ENABLED]), 0);

	nlh = toa::detail::build_request(buf.data(), 0x21, TOA_CMD_LOOKUP_SOCKET, 0, 10);
	toa::detail::put_addr(nlh, TOA_A_LOCAL, *toa::endpoint::parse("10.0.2.2:8000"));
	tb.clear();
	ASSERT_GE(mnl_attr_parse(nlh, sizeof(genlmsghdr), collect, &tb), 0);
	ASSERT_NE(tb[TOA_A_LOCAL], nullptr);
	std::vector<const nlattr *> in;
	ASSERT_GE(mnl_attr_parse_nested(tb[TOA_A_LOCAL], collect, &in), 0);
	ASSERT_EQ(in.size(), size_t(TOA_ADDR_A_MAX + 1));
	EXPECT_EQ(mnl_attr_get_u16(in[TOA_ADDR_A_FAMILY]), AF_INET);
	EXPECT_EQ(mnl_attr_get_payload_len(in[TOA_ADDR_A_ADDR]), 4);
	EXPECT_EQ(ntohs(mnl_attr_get_u16(in[TOA_ADDR_A_PORT])), 8000);
}

TEST(Msg, ExtackMessage)
{
	std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
	nlmsghdr *nlh = mnl_nlmsg_put_header(buf.data());
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	auto *err = static_cast<nlmsgerr *>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
	err->error = -EINVAL;
	err->msg.nlmsg_len = 1000; // capped: the request is not echoed
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "too many trusted CIDRs");
	EXPECT_EQ(toa::detail::parse_extack_msg(nlh), "too many trusted CIDRs");
	nlh->nlmsg_flags = NLM_F_CAPPED; // no TLVs announced
	EXPECT_EQ(toa::detail::parse_extack_msg(nlh), "");
}

TEST(Control, WithoutTheModule)
{
	auto r = toa::control::open();
	if (r)
		GTEST_SKIP() << "toa.ko is loaded on this host";
	EXPECT_TRUE(toa::is_module_missing(r.error())) << r.error().message();

	toa_ctl *ctl = nullptr;
	EXPECT_EQ(toa_ctl_open(&ctl, nullptr), -ENOPROTOOPT);
	EXPECT_EQ(ctl, nullptr);
	toa_ctl_close(nullptr); // harmless
	EXPECT_STREQ(toa_ctl_message(nullptr), "");
}

TEST(Control, UnknownNetns)
{
	auto r = toa::control::open("toa-unit-test-no-such-netns");
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error(), std::errc::no_such_file_or_directory);
	toa_ctl *ctl = nullptr;
	EXPECT_EQ(toa_ctl_open(&ctl, "/nonexistent/ns/net"), -ENOENT);
}

TEST(Control, CApiRejectsNulls)
{
	EXPECT_EQ(toa_ctl_open(nullptr, nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_stats(nullptr, nullptr, 0, nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_reset_stats(nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_get_config(nullptr, nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_set_config(nullptr, nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_sockets(nullptr, nullptr, nullptr), -EINVAL);
	EXPECT_EQ(toa_ctl_lookup(nullptr, nullptr, nullptr, nullptr), -EINVAL);
	EXPECT_EQ(toa_get_peer(0, nullptr), TOA_PEER_ERROR);
}

} // namespace
