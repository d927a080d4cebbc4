// SPDX-License-Identifier: MIT
//
// toa::peer(): one getsockopt(IPPROTO_IP, TOA_SO_GET_PEER) call. The
// decoding of the kernel's answer is in decode_peer() so the unit tests can
// feed it any struct the kernel could send.
#include <toa/peer.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "internal.hpp"

namespace toa {

const char *to_string(peer_status s) noexcept
{
	switch (s) {
	case peer_status::toa:
		return "toa";
	case peer_status::no_option:
		return "no-option";
	case peer_status::module_missing:
		return "module-missing";
	}
	return "?";
}

namespace detail {

static endpoint from_toa_addr(const toa_addr &a)
{
	endpoint e;

	if (a.family != TOA_AF_INET && a.family != TOA_AF_INET6)
		return e;
	e.family = a.family;
	e.port = ntohs(a.port);
	std::memcpy(e.addr.data(), a.addr, a.family == TOA_AF_INET ? 4 : 16);
	return e;
}

// The kernel reports an IPv4 peer of a dual-stack socket as AF_INET
// already; a getpeername() fallback gives ::ffff:a.b.c.d, so unmap it to
// report one spelling whatever the path.
static endpoint unmap(endpoint e)
{
	static const std::uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (e.family == AF_INET6 && !std::memcmp(e.addr.data(), v4mapped, 12)) {
		std::memmove(e.addr.data(), e.addr.data() + 12, 4);
		std::memset(e.addr.data() + 4, 0, 12);
		e.family = AF_INET;
	}
	return e;
}

result<peer_info> decode_peer(const toa_peer_info &info, socklen_t len)
{
	peer_info p;

	if (len < TOA_PEER_INFO_SIZE_V1 || info.version < TOA_PEER_INFO_V1)
		return errno_code(EINVAL);
	p.client = unmap(from_toa_addr(info.client));
	if (info.flags & TOA_PEER_F_TOA) {
		p.status = peer_status::toa;
		p.balancer = unmap(from_toa_addr(info.balancer));
		p.nat64 = info.flags & TOA_PEER_F_NAT64;
		p.mapped = info.flags & TOA_PEER_F_MAPPED;
		p.opt_kind = info.opt_kind;
		p.opt_len = info.opt_len;
	} else {
		p.status = peer_status::no_option;
	}
	return p;
}

} // namespace detail

result<peer_info> peer(int fd) noexcept
{
	toa_peer_info info{};
	socklen_t len = sizeof(info);

	if (getsockopt(fd, IPPROTO_IP, TOA_SO_GET_PEER, &info, &len) == 0)
		return detail::decode_peer(info, len);
	if (errno != ENOPROTOOPT)
		return errno_code(errno);

	// The kernel knows no such option: toa.ko is not loaded. Still answer
	// with the socket's peer, which then is all there is to know.
	sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &sl) != 0)
		return errno_code(errno);
	peer_info p;
	p.status = peer_status::module_missing;
	p.client = detail::unmap(endpoint::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), sl));
	if (p.client.empty())
		return errno_code(EINVAL); // not an IP socket
	return p;
}

} // namespace toa
