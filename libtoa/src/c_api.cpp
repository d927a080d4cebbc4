// SPDX-License-Identifier: MIT
//
// The C ABI (include/toa/toa.h): thin wrappers over the C++ API. No
// exception crosses it: every entry point catches and turns them into
// error returns.
#include <toa/toa.h>
#include <toa/toa.hpp>

#include <cerrno>
#include <cstring>
#include <new>

#include "c_endpoint.hpp"

namespace {

using toa::detail::from_c;
using toa::detail::to_c;

toa_socket_info to_c(const toa::socket_entry &s)
{
	toa_socket_info c{};
	c.cookie = s.cookie;
	c.age_ms = s.age_ms;
	c.local = to_c(s.local);
	c.balancer = to_c(s.balancer);
	c.client = to_c(s.client);
	c.format = s.format;
	return c;
}

int copy_string(const std::string &s, char *buf, size_t len)
{
	if (!buf || s.size() + 1 > len)
		return -1;
	std::memcpy(buf, s.c_str(), s.size() + 1);
	return static_cast<int>(s.size());
}

int neg(std::error_code ec)
{
	return ec ? -ec.value() : 0;
}

} // namespace

struct toa_ctl {
	toa::control ctl;
};

extern "C" {

const char *toa_version(void)
{
	return toa::version();
}

int toa_endpoint_format(const struct toa_endpoint *e, char *buf, size_t len)
{
	try {
		return copy_string(e ? from_c(*e).to_string() : "-", buf, len);
	} catch (...) {
		return -1;
	}
}

int toa_endpoint_parse(const char *s, struct toa_endpoint *out)
{
	try {
		auto e = s ? toa::endpoint::parse(s) : std::nullopt;
		if (!e || !out) {
			errno = EINVAL;
			return -1;
		}
		*out = to_c(*e);
		return 0;
	} catch (...) {
		errno = ENOMEM;
		return -1;
	}
}

int toa_get_peer(int fd, struct toa_peer *out)
{
	if (!out) {
		errno = EFAULT;
		return TOA_PEER_ERROR;
	}
	auto r = toa::peer(fd);
	if (!r) {
		errno = r.error().value();
		return TOA_PEER_ERROR;
	}
	std::memset(out, 0, sizeof(*out));
	out->client = to_c(r->client);
	out->balancer = to_c(r->balancer);
	out->flags = (r->has_toa() ? TOA_PEER_HAS_TOA : 0) | (r->nat64 ? TOA_PEER_IS_NAT64 : 0) |
		     (r->mapped ? TOA_PEER_IS_MAPPED : 0);
	out->opt_kind = r->opt_kind;
	out->opt_len = r->opt_len;
	switch (r->status) {
	case toa::peer_status::toa:
		return TOA_PEER_TOA;
	case toa::peer_status::no_option:
		return TOA_PEER_NO_OPTION;
	case toa::peer_status::module_missing:
		return TOA_PEER_MODULE_MISSING;
	}
	return TOA_PEER_NO_OPTION;
}

const char *toa_peer_status_string(int status)
{
	switch (status) {
	case TOA_PEER_TOA:
		return "toa";
	case TOA_PEER_NO_OPTION:
		return "no-option";
	case TOA_PEER_MODULE_MISSING:
		return "module-missing";
	default:
		return "error";
	}
}

int toa_formats_to_string(uint32_t mask, char *buf, size_t len)
{
	try {
		return copy_string(toa::formats_to_string(mask), buf, len);
	} catch (...) {
		return -1;
	}
}

int toa_formats_from_string(const char *s, uint32_t *mask)
{
	try {
		if (!s || !mask)
			return -EINVAL;
		auto r = toa::parse_formats(s);
		if (!r)
			return neg(r.error());
		*mask = *r;
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int toa_ctl_open(struct toa_ctl **out, const char *netns)
{
	if (!out)
		return -EINVAL;
	*out = nullptr;
	try {
		auto r = toa::control::open(netns ? netns : "");
		if (!r)
			return neg(r.error());
		*out = new toa_ctl{ std::move(*r) };
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

void toa_ctl_close(struct toa_ctl *ctl)
{
	delete ctl;
}

const char *toa_ctl_message(const struct toa_ctl *ctl)
{
	return ctl ? ctl->ctl.last_message().c_str() : "";
}

int toa_ctl_stats(struct toa_ctl *ctl, struct toa_stat_value *out, size_t max, size_t *count)
{
	if (!ctl || (!out && max))
		return -EINVAL;
	try {
		auto r = ctl->ctl.stats();
		if (!r)
			return neg(r.error());
		for (size_t i = 0; i < r->size() && i < max; i++) {
			const auto &s = (*r)[i];
			out[i] = toa_stat_value{};
			out[i].id = s.id;
			out[i].global = s.global;
			out[i].value = s.value;
			std::strncpy(out[i].name, s.name.c_str(), sizeof(out[i].name) - 1);
		}
		if (count)
			*count = r->size();
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int toa_ctl_reset_stats(struct toa_ctl *ctl)
{
	if (!ctl)
		return -EINVAL;
	return neg(ctl->ctl.reset_stats().error());
}

int toa_ctl_get_config(struct toa_ctl *ctl, struct toa_config_info *out)
{
	if (!ctl || !out)
		return -EINVAL;
	try {
		auto r = ctl->ctl.get_config();
		if (!r)
			return neg(r.error());
		std::memset(out, 0, sizeof(*out));
		out->formats = r->formats;
		out->enabled = r->enabled;
		out->max_entries = r->max_entries;
		std::strncpy(out->version, r->version.c_str(), sizeof(out->version) - 1);
		std::strncpy(out->trusted, r->trusted.c_str(), sizeof(out->trusted) - 1);
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

int toa_ctl_set_config(struct toa_ctl *ctl, const struct toa_config_change *change)
{
	if (!ctl || !change)
		return -EINVAL;
	try {
		toa::config_change c;
		if (change->set & TOA_SET_FORMATS)
			c.formats = change->formats;
		if (change->set & TOA_SET_ENABLED)
			c.enabled = change->enabled != 0;
		if (change->set & TOA_SET_TRUSTED)
			c.trusted = change->trusted ? change->trusted : "";
		return neg(ctl->ctl.set_config(c).error());
	} catch (...) {
		return -ENOMEM;
	}
}

long toa_ctl_sockets(struct toa_ctl *ctl, int (*fn)(const struct toa_socket_info *s, void *arg),
		     void *arg)
{
	if (!ctl || !fn)
		return -EINVAL;
	try {
		auto r = ctl->ctl.for_each_socket([&](const toa::socket_entry &e) {
			toa_socket_info c = to_c(e);
			return fn(&c, arg) == 0;
		});
		if (!r)
			return neg(r.error());
		return static_cast<long>(*r);
	} catch (...) {
		return -ENOMEM;
	}
}

int toa_ctl_lookup(struct toa_ctl *ctl, const struct toa_endpoint *local,
		   const struct toa_endpoint *remote, struct toa_socket_info *out)
{
	if (!ctl || !local || !remote || !out)
		return -EINVAL;
	try {
		auto r = ctl->ctl.lookup(from_c(*local), from_c(*remote));
		if (!r)
			return neg(r.error());
		*out = to_c(*r);
		return 0;
	} catch (...) {
		return -ENOMEM;
	}
}

} // extern "C"
