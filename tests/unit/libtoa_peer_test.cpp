// SPDX-License-Identifier: MIT
//
// toa::peer() and its C twin toa_get_peer(): the decoding of every answer
// the kernel can give, and the real syscall path on loopback sockets (where
// toa.ko is normally absent: the "module missing" state, never an error).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <toa/toa.h>
#include <toa/toa.hpp>

#include "internal.hpp"

namespace {

toa_addr v4(const char *a, uint16_t port)
{
	toa_addr x{};
	x.family = TOA_AF_INET;
	x.port = htons(port);
	inet_pton(AF_INET, a, x.addr);
	return x;
}

toa_addr v6(const char *a, uint16_t port)
{
	toa_addr x{};
	x.family = TOA_AF_INET6;
	x.port = htons(port);
	inet_pton(AF_INET6, a, x.addr);
	return x;
}

TEST(DecodePeer, Ipv4Toa)
{
	toa_peer_info i{};
	i.version = TOA_PEER_INFO_V1;
	i.flags = TOA_PEER_F_TOA;
	i.client = v4("198.51.100.7", 40000);
	i.balancer = v4("10.0.2.1", 1234);
	i.opt_kind = 254;
	i.opt_len = 8;
	auto r = toa::detail::decode_peer(i, sizeof(i));
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->has_toa());
	EXPECT_EQ(r->family(), AF_INET);
	EXPECT_EQ(r->client.to_string(), "198.51.100.7:40000");
	EXPECT_EQ(r->balancer.to_string(), "10.0.2.1:1234");
	EXPECT_FALSE(r->nat64);
	EXPECT_EQ(r->opt_kind, 254);
	EXPECT_EQ(r->opt_len, 8);
}

TEST(DecodePeer, Nat64)
{
	toa_peer_info i{};
	i.version = TOA_PEER_INFO_V1;
	i.flags = TOA_PEER_F_TOA | TOA_PEER_F_NAT64;
	i.client = v6("2001:db8::5", 443);
	i.balancer = v4("10.0.2.1", 5555);
	auto r = toa::detail::decode_peer(i, sizeof(i));
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->nat64);
	EXPECT_EQ(r->family(), AF_INET6);
	EXPECT_EQ(r->client.to_string(), "[2001:db8::5]:443");
	EXPECT_EQ(r->balancer.family, AF_INET);
}

TEST(DecodePeer, DualStackMapped)
{
	toa_peer_info i{};
	i.version = TOA_PEER_INFO_V1;
	i.flags = TOA_PEER_F_TOA | TOA_PEER_F_MAPPED;
	i.client = v4("203.0.113.9", 1000);
	// A balancer spelled ::ffff:a.b.c.d is reported as IPv4.
	i.balancer = v6("::ffff:10.0.2.1", 2000);
	auto r = toa::detail::decode_peer(i, sizeof(i));
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->mapped);
	EXPECT_EQ(r->balancer.to_string(), "10.0.2.1:2000");
	EXPECT_EQ(r->client.family, AF_INET);
}

TEST(DecodePeer, NoOption)
{
	toa_peer_info i{};
	i.version = TOA_PEER_INFO_V1;
	i.client = v6("fd01::2", 5000);
	auto r = toa::detail::decode_peer(i, sizeof(i));
	ASSERT_TRUE(r);
	EXPECT_EQ(r->status, toa::peer_status::no_option);
	EXPECT_FALSE(r->has_toa());
	EXPECT_TRUE(r->balancer.empty());
	EXPECT_EQ(r->client.to_string(), "[fd01::2]:5000");
}

TEST(DecodePeer, ShortOrUnversionedIsEinval)
{
	toa_peer_info i{};
	i.version = TOA_PEER_INFO_V1;
	auto r = toa::detail::decode_peer(i, TOA_PEER_INFO_SIZE_V1 - 1);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error(), std::errc::invalid_argument);
	i.version = 0;
	EXPECT_FALSE(toa::detail::decode_peer(i, sizeof(i)));
	// A newer module's longer struct is fine.
	i.version = 2;
	EXPECT_TRUE(toa::detail::decode_peer(i, sizeof(i)));
}

// A connected loopback pair: [0] client, [1] accepted server side.
struct tcp_pair {
	int cli = -1, srv = -1;
	explicit tcp_pair(int family)
	{
		int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sockaddr_storage ss{};
		socklen_t len;
		if (family == AF_INET) {
			auto *s = reinterpret_cast<sockaddr_in *>(&ss);
			s->sin_family = AF_INET;
			s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			len = sizeof(*s);
		} else {
			auto *s = reinterpret_cast<sockaddr_in6 *>(&ss);
			s->sin6_family = AF_INET6;
			s->sin6_addr = in6addr_loopback;
			len = sizeof(*s);
		}
		if (bind(l, reinterpret_cast<sockaddr *>(&ss), len) || listen(l, 1) ||
		    getsockname(l, reinterpret_cast<sockaddr *>(&ss), &len))
			return;
		cli = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(cli, reinterpret_cast<sockaddr *>(&ss), len) == 0)
			srv = accept(l, nullptr, nullptr);
		close(l);
	}
	~tcp_pair()
	{
		if (cli >= 0)
			close(cli);
		if (srv >= 0)
			close(srv);
	}
	toa::endpoint local_of_client() const
	{
		sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		getsockname(cli, reinterpret_cast<sockaddr *>(&ss), &len);
		return toa::endpoint::from_sockaddr(reinterpret_cast<sockaddr *>(&ss), len);
	}
};

class PeerLoopback : public ::testing::TestWithParam<int> {};

TEST_P(PeerLoopback, WithoutOptionGivesThePeer)
{
	tcp_pair p(GetParam());
	if (p.srv < 0)
		GTEST_SKIP() << "no loopback for this family";
	auto r = toa::peer(p.srv);
	ASSERT_TRUE(r) << r.error().message();
	// The host normally has no toa.ko; with it, no option was sent.
	EXPECT_TRUE(r->status == toa::peer_status::module_missing ||
		    r->status == toa::peer_status::no_option)
		<< toa::to_string(r->status);
	EXPECT_FALSE(r->has_toa());
	EXPECT_EQ(r->client, p.local_of_client());
	EXPECT_TRUE(r->balancer.empty());

	toa_peer c;
	int st = toa_get_peer(p.srv, &c);
	EXPECT_TRUE(st == TOA_PEER_MODULE_MISSING || st == TOA_PEER_NO_OPTION);
	EXPECT_EQ(c.flags & TOA_PEER_HAS_TOA, 0u);
	EXPECT_EQ(c.client.port, p.local_of_client().port);
	EXPECT_EQ(c.client.family, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Families, PeerLoopback, ::testing::Values(AF_INET, AF_INET6));

TEST(Peer, ErrorsCarryErrno)
{
	auto r = toa::peer(-1);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error(), std::errc::bad_file_descriptor);
	EXPECT_THROW(r.value(), std::system_error);

	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	r = toa::peer(fds[0]);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error(), std::errc::not_a_socket);
	toa_peer c;
	errno = 0;
	EXPECT_EQ(toa_get_peer(fds[0], &c), TOA_PEER_ERROR);
	EXPECT_EQ(errno, ENOTSOCK);
	close(fds[0]);
	close(fds[1]);

	int s = socket(AF_INET, SOCK_STREAM, 0);
	r = toa::peer(s);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error(), std::errc::not_connected);
	close(s);
	EXPECT_STREQ(toa_peer_status_string(TOA_PEER_ERROR), "error");
	EXPECT_STREQ(toa_peer_status_string(TOA_PEER_TOA), "toa");
}

} // namespace
