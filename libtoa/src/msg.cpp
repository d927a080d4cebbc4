// SPDX-License-Identifier: MIT
//
// Building and parsing the messages of the genl family "toa"
// (include/toa/netlink.h), with libmnl. Pure functions: no sockets here.
#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include <cstring>

#include "internal.hpp"

namespace toa::detail {
namespace {

// Attributes of one level, by type; types beyond @max are ignored.
template <std::size_t N>
struct attr_table {
	const nlattr *tb[N] = {};
	const nlattr *operator[](std::size_t i) const { return tb[i]; }
};

template <std::size_t N>
int collect_cb(const nlattr *a, void *data)
{
	auto *t = static_cast<attr_table<N> *>(data);
	std::uint16_t type = mnl_attr_get_type(a);

	if (type < N)
		t->tb[type] = a;
	return MNL_CB_OK;
}

template <std::size_t N>
bool parse_top(const nlmsghdr *nlh, attr_table<N> &t)
{
	return mnl_attr_parse(nlh, sizeof(genlmsghdr), collect_cb<N>, &t) >= MNL_CB_STOP;
}

template <std::size_t N>
bool parse_nested(const nlattr *nest, attr_table<N> &t)
{
	return mnl_attr_parse_nested(nest, collect_cb<N>, &t) >= MNL_CB_STOP;
}

// Every attribute of a nest, in order (an array of nests).
int list_cb(const nlattr *a, void *data)
{
	static_cast<std::vector<const nlattr *> *>(data)->push_back(a);
	return MNL_CB_OK;
}

bool get_u8(const nlattr *a, std::uint8_t &v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return false;
	v = mnl_attr_get_u8(a);
	return true;
}

bool get_u16(const nlattr *a, std::uint16_t &v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return false;
	v = mnl_attr_get_u16(a);
	return true;
}

bool get_u32(const nlattr *a, std::uint32_t &v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	v = mnl_attr_get_u32(a);
	return true;
}

bool get_u64(const nlattr *a, std::uint64_t &v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return false;
	v = mnl_attr_get_u64(a);
	return true;
}

bool get_str(const nlattr *a, std::string &v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return false;
	v = mnl_attr_get_str(a);
	return true;
}

bool parse_addr(const nlattr *nest, endpoint &e)
{
	attr_table<TOA_ADDR_A_MAX + 1> t;
	std::uint16_t family, port;

	if (!nest || !parse_nested(nest, t) || !get_u16(t[TOA_ADDR_A_FAMILY], family) ||
	    !get_u16(t[TOA_ADDR_A_PORT], port) || !t[TOA_ADDR_A_ADDR])
		return false;
	std::size_t want = family == TOA_AF_INET ? 4 : family == TOA_AF_INET6 ? 16 : 0;
	if (!want || mnl_attr_get_payload_len(t[TOA_ADDR_A_ADDR]) != want)
		return false;
	e = endpoint{};
	e.family = family;
	e.port = ntohs(port);
	std::memcpy(e.addr.data(), mnl_attr_get_payload(t[TOA_ADDR_A_ADDR]), want);
	return true;
}

} // namespace

bool parse_stat_reply(const nlmsghdr *nlh, std::vector<stat_value> &out)
{
	attr_table<TOA_A_MAX + 1> top;

	out.clear();
	if (!parse_top(nlh, top) || !top[TOA_A_STATS])
		return false;
	std::vector<const nlattr *> all;
	if (mnl_attr_parse_nested(top[TOA_A_STATS], list_cb, &all) < MNL_CB_STOP)
		return false;
	for (const nlattr *one : all) {
		attr_table<TOA_STAT_A_MAX + 1> t;
		stat_value s;

		if (!parse_nested(one, t) || !get_u32(t[TOA_STAT_A_ID], s.id) ||
		    !get_str(t[TOA_STAT_A_NAME], s.name) || !get_u64(t[TOA_STAT_A_VALUE], s.value))
			return false;
		s.global = t[TOA_STAT_A_GLOBAL] != nullptr;
		out.push_back(std::move(s));
	}
	return true;
}

bool parse_config_reply(const nlmsghdr *nlh, config &out)
{
	attr_table<TOA_A_MAX + 1> t;
	std::uint8_t enabled;

	if (!parse_top(nlh, t) || !get_str(t[TOA_A_VERSION], out.version) ||
	    !get_u32(t[TOA_A_FORMATS], out.formats) || !get_str(t[TOA_A_TRUSTED], out.trusted) ||
	    !get_u8(t[TOA_A_ENABLED], enabled) || !get_u32(t[TOA_A_MAX_ENTRIES], out.max_entries))
		return false;
	out.enabled = enabled != 0;
	return true;
}

bool parse_socket_reply(const nlmsghdr *nlh, socket_entry &out)
{
	attr_table<TOA_A_MAX + 1> top;
	attr_table<TOA_SOCK_A_MAX + 1> t;
	std::uint8_t format;

	if (!parse_top(nlh, top) || !top[TOA_A_SOCKET] || !parse_nested(top[TOA_A_SOCKET], t) ||
	    !get_u64(t[TOA_SOCK_A_COOKIE], out.cookie) ||
	    !parse_addr(t[TOA_SOCK_A_LOCAL], out.local) ||
	    !parse_addr(t[TOA_SOCK_A_BALANCER], out.balancer) ||
	    !parse_addr(t[TOA_SOCK_A_CLIENT], out.client) ||
	    !get_u8(t[TOA_SOCK_A_FORMAT], format) || !get_u64(t[TOA_SOCK_A_AGE_MS], out.age_ms))
		return false;
	out.format = format;
	return true;
}

std::string parse_extack_msg(const nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr)) ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return "";
	auto *err = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
	std::size_t off = sizeof(nlmsgerr);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(nlmsghdr);
	if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
		return "";
	attr_table<NLMSGERR_ATTR_MAX + 1> t;
	if (mnl_attr_parse(nlh, off, collect_cb<NLMSGERR_ATTR_MAX + 1>, &t) < MNL_CB_STOP)
		return "";
	std::string msg;
	if (!get_str(t[NLMSGERR_ATTR_MSG], msg))
		return "";
	return msg;
}

nlmsghdr *build_request(char *buf, std::uint16_t family, std::uint8_t cmd, std::uint16_t flags,
			std::uint32_t seq)
{
	nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	auto *g = static_cast<genlmsghdr *>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : TOA_GENL_VERSION;
	return nlh;
}

void put_config_change(nlmsghdr *nlh, const config_change &c)
{
	if (c.formats)
		mnl_attr_put_u32(nlh, TOA_A_FORMATS, *c.formats);
	if (c.trusted)
		mnl_attr_put_strz(nlh, TOA_A_TRUSTED, c.trusted->c_str());
	if (c.enabled)
		mnl_attr_put_u8(nlh, TOA_A_ENABLED, *c.enabled ? 1 : 0);
}

void put_addr(nlmsghdr *nlh, std::uint16_t type, const endpoint &e)
{
	nlattr *nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u16(nlh, TOA_ADDR_A_FAMILY, static_cast<std::uint16_t>(e.family));
	mnl_attr_put(nlh, TOA_ADDR_A_ADDR, e.family == AF_INET ? 4 : 16, e.addr.data());
	mnl_attr_put_u16(nlh, TOA_ADDR_A_PORT, htons(e.port));
	mnl_attr_nest_end(nlh, nest);
}

} // namespace toa::detail
