// SPDX-License-Identifier: MIT
//
// toa::udp: one recvmsg(), the UOA option decoded from its ancillary data
// (decode_udp_cmsgs(), pure, unit-tested with forged control buffers), and
// toa.ko's flow map asked only when the datagram itself does not tell.
#include <toa/udp.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "udp_internal.hpp"

namespace toa::udp {

const char *to_string(source s) noexcept
{
	switch (s) {
	case source::none:
		return "none";
	case source::option:
		return "option";
	case source::flow_map:
		return "flow-map";
	}
	return "?";
}

} // namespace toa::udp

namespace toa::detail {

namespace {

const std::uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

toa_addr to_toa_addr(const endpoint &e) noexcept
{
	toa_addr a{};

	if (e.family != AF_INET && e.family != AF_INET6)
		return a;
	a.family = static_cast<__u16>(e.family);
	a.port = htons(e.port);
	std::memcpy(a.addr, e.addr.data(), e.family == AF_INET ? 4 : 16);
	return a;
}

endpoint from_toa_addr(const toa_addr &a) noexcept
{
	endpoint e;

	if (a.family != TOA_AF_INET && a.family != TOA_AF_INET6)
		return e;
	e.family = a.family;
	e.port = ntohs(a.port);
	std::memcpy(e.addr.data(), a.addr, a.family == TOA_AF_INET ? 4 : 16);
	return e;
}

} // namespace

endpoint udp_unmap(const endpoint &e) noexcept
{
	endpoint r = e;

	if (e.family == AF_INET6 && !std::memcmp(e.addr.data(), v4mapped, sizeof(v4mapped))) {
		r.family = AF_INET;
		r.addr = {};
		std::memcpy(r.addr.data(), e.addr.data() + 12, 4);
	}
	return r;
}

udp_cmsgs decode_udp_cmsgs(const msghdr &mh, std::uint16_t local_port) noexcept
{
	udp_cmsgs out;
	auto *m = const_cast<msghdr *>(&mh);
	const char *end = static_cast<const char *>(mh.msg_control) + mh.msg_controllen;

	out.truncated = mh.msg_flags & MSG_CTRUNC;
	if (!mh.msg_control)
		return out;
	for (cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		// a message claiming more than the buffer holds ends the walk
		if (c->cmsg_len < CMSG_LEN(0) ||
		    c->cmsg_len > static_cast<std::size_t>(end - reinterpret_cast<char *>(c)))
			break;
		const auto *data = reinterpret_cast<const std::uint8_t *>(CMSG_DATA(c));
		std::size_t n = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level == IPPROTO_IP &&
		    (c->cmsg_type == IP_RECVOPTS || c->cmsg_type == IP_OPTIONS)) {
			uoa_client uc;

			out.option = uoa_parse_options(
				data, static_cast<unsigned int>(std::min<std::size_t>(n, 40)), &uc);
			if (out.option == UOA_PARSE_FOUND) {
				out.client.family = uc.family;
				out.client.port = ntohs(uc.port);
				std::memcpy(out.client.addr.data(), uc.addr, 16);
				out.client = udp_unmap(out.client);
			}
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
			   n >= sizeof(in_pktinfo)) {
			in_pktinfo pi;

			std::memcpy(&pi, data, sizeof(pi));
			out.local = endpoint();
			out.local.family = AF_INET;
			out.local.port = local_port;
			std::memcpy(out.local.addr.data(), &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   n >= sizeof(in6_pktinfo)) {
			in6_pktinfo pi;

			std::memcpy(&pi, data, sizeof(pi));
			out.local = endpoint();
			out.local.family = AF_INET6;
			out.local.port = local_port;
			std::memcpy(out.local.addr.data(), &pi.ipi6_addr, 16);
			out.local = udp_unmap(out.local);
		}
	}
	return out;
}

// UOA_SO_GET_FLOW for @sender -> @local; @flags gets the answer's flags.
static result<endpoint> flow_lookup(int fd, const endpoint &sender, const endpoint &local,
				    std::uint32_t *flags)
{
	uoa_flow_info fi{};
	socklen_t len = sizeof(fi);

	fi.version = UOA_FLOW_INFO_V1;
	fi.balancer = to_toa_addr(sender);
	fi.local = to_toa_addr(local);
	if (getsockopt(fd, IPPROTO_IP, UOA_SO_GET_FLOW, &fi, &len) != 0)
		return errno_code(errno);
	if (len < UOA_FLOW_INFO_SIZE_V1 || fi.version < UOA_FLOW_INFO_V1)
		return errno_code(EINVAL);
	endpoint c = udp_unmap(from_toa_addr(fi.client));
	if (c.empty())
		return errno_code(EINVAL);
	if (flags)
		*flags = fi.flags;
	return c;
}

} // namespace toa::detail

namespace toa::udp {

result<void> enable(int fd) noexcept
{
	int one = 1, domain = 0;
	socklen_t len = sizeof(domain);

	if (setsockopt(fd, IPPROTO_IP, IP_RECVOPTS, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) != 0)
		return errno_code(errno);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return errno_code(errno);
	if (domain == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) != 0)
		return errno_code(errno);
	return {};
}

result<datagram> recv(int fd, void *buf, std::size_t len, int flags, const options &opt) noexcept
{
	sockaddr_storage from{};
	// IP options (40) + pktinfo, with room to spare
	alignas(cmsghdr) char ctl[256];
	iovec iov{ buf, len };
	msghdr mh{};

	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	ssize_t n = ::recvmsg(fd, &mh, flags);
	if (n < 0)
		return errno_code(errno);

	datagram d;
	d.truncated = mh.msg_flags & MSG_TRUNC;
	d.size = std::min(static_cast<std::size_t>(n), len);
	d.sender = endpoint::from_sockaddr(reinterpret_cast<sockaddr *>(&from), mh.msg_namelen);
	// port 0: UOA_SO_GET_FLOW then takes the socket's own
	detail::udp_cmsgs cm = detail::decode_udp_cmsgs(mh, 0);
	d.local = cm.local;
	d.client = detail::udp_unmap(d.sender);

	// A header option is reported only once toa.ko has vouched for it:
	// the module records every option it accepts in its flow map (and
	// blanks the ones it rejects), so the map's answer for this flow is
	// the check. Without the module nobody has checked the option, and it
	// counts only if the application opted in (options::unvetted_header).
	bool header = opt.header && cm.option == UOA_PARSE_FOUND;
	if ((header || opt.lookup) && !d.sender.empty()) {
		std::uint32_t fl = 0;
		auto c = detail::flow_lookup(fd, detail::udp_unmap(d.sender), d.local, &fl);
		if (c) {
			d.client = *c;
			d.from = header && *c == cm.client ? source::option : source::flow_map;
		} else if (is_module_missing(c.error())) {
			d.module_missing = true;
			if (header && opt.unvetted_header) {
				d.client = cm.client;
				d.from = source::option;
			}
		}
	}
	d.nat64 = d.from != source::none && d.client.family == AF_INET6 &&
		  detail::udp_unmap(d.sender).family == AF_INET;
	return d;
}

result<endpoint> lookup(int fd, const endpoint &sender, const endpoint &local) noexcept
{
	return detail::flow_lookup(fd, detail::udp_unmap(sender), detail::udp_unmap(local),
				   nullptr);
}

} // namespace toa::udp
