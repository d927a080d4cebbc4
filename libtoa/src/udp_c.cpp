// SPDX-License-Identifier: MIT
//
// The UDP C ABI (include/toa/toa_udp.h) over toa::udp. No exception
// crosses it.
#include <toa/toa_udp.h>
#include <toa/udp.hpp>

#include <cerrno>
#include <cstring>

#include "c_endpoint.hpp"

namespace {

using toa::detail::to_c;

// An optional endpoint: NULL or an unknown family is "any" (empty).
toa::endpoint from_c(const toa_endpoint *c)
{
	if (!c || (c->family != AF_INET && c->family != AF_INET6))
		return {};
	return toa::detail::from_c(*c);
}

int fail(std::error_code ec)
{
	errno = ec.value();
	return -1;
}

} // namespace

extern "C" {

int toa_udp_enable(int fd)
{
	auto r = toa::udp::enable(fd);
	return r ? 0 : fail(r.error());
}

ssize_t toa_udp_recv(int fd, void *buf, size_t len, int flags, struct toa_udp_datagram *out)
{
	if (!out) {
		errno = EINVAL;
		return -1;
	}
	auto r = toa::udp::recv(fd, buf, len, flags);
	if (!r)
		return fail(r.error());
	std::memset(out, 0, sizeof(*out));
	out->sender = to_c(r->sender);
	out->local = to_c(r->local);
	out->client = to_c(r->client);
	switch (r->from) {
	case toa::udp::source::none:
		out->source = TOA_UDP_FROM_NONE;
		break;
	case toa::udp::source::option:
		out->source = TOA_UDP_FROM_OPTION;
		break;
	case toa::udp::source::flow_map:
		out->source = TOA_UDP_FROM_FLOW_MAP;
		break;
	}
	if (r->truncated)
		out->flags |= TOA_UDP_TRUNCATED;
	if (r->nat64)
		out->flags |= TOA_UDP_NAT64;
	if (r->module_missing)
		out->flags |= TOA_UDP_MODULE_MISSING;
	return static_cast<ssize_t>(r->size);
}

int toa_udp_lookup(int fd, const struct toa_endpoint *sender, const struct toa_endpoint *local,
		   struct toa_endpoint *out)
{
	if (!sender || !out) {
		errno = EINVAL;
		return -1;
	}
	auto r = toa::udp::lookup(fd, from_c(sender), from_c(local));
	if (!r)
		return fail(r.error());
	*out = to_c(*r);
	return 0;
}

const char *toa_udp_source_string(uint32_t source)
{
	switch (source) {
	case TOA_UDP_FROM_NONE:
		return "none";
	case TOA_UDP_FROM_OPTION:
		return "option";
	case TOA_UDP_FROM_FLOW_MAP:
		return "flow-map";
	}
	return "?";
}

} // extern "C"
