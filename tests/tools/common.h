/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - small helpers shared by the VM test tools (toa-peer-server,
 * toa-connect): errno names, address formatting and parsing.
 *
 * Addresses are written the same way everywhere:
 *   IPv4            10.0.1.2:1234
 *   IPv6            [fd05::5]:1234
 *   IPv4-mapped     [::ffff:10.0.1.2]:1234
 */
#ifndef TOA_TEST_TOOLS_COMMON_H
#define TOA_TEST_TOOLS_COMMON_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define ENDPOINT_STRLEN (INET6_ADDRSTRLEN + 10)

/* strerrorname_np() is glibc >= 2.32 but not everywhere (musl, busybox
 * images): the names the tests can meet, or "errno-N". */
static inline const char *errno_name(int e, char *buf, size_t size)
{
	static const struct {
		int e;
		const char *n;
	} t[] = {
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ EINTR, "EINTR" },
		{ EIO, "EIO" },
		{ EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },
		{ EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" },
		{ EPIPE, "EPIPE" },
		{ ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" },
		{ ENOTSOCK, "ENOTSOCK" },
		{ EMSGSIZE, "EMSGSIZE" },
		{ ENOPROTOOPT, "ENOPROTOOPT" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" },
		{ EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" },
		{ ENETUNREACH, "ENETUNREACH" },
		{ ECONNABORTED, "ECONNABORTED" },
		{ ECONNRESET, "ECONNRESET" },
		{ ENOBUFS, "ENOBUFS" },
		{ EISCONN, "EISCONN" },
		{ ENOTCONN, "ENOTCONN" },
		{ ETIMEDOUT, "ETIMEDOUT" },
		{ ECONNREFUSED, "ECONNREFUSED" },
		{ EHOSTUNREACH, "EHOSTUNREACH" },
		{ EALREADY, "EALREADY" },
		{ EINPROGRESS, "EINPROGRESS" },
		{ ENODATA, "ENODATA" },
		{ EOVERFLOW, "EOVERFLOW" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].n;
	snprintf(buf, size, "errno-%d", e);
	return buf;
}

/* family (AF_INET/AF_INET6, or the TOA_AF_* values, which are the same),
 * raw address bytes, port in network byte order -> text as above. */
static inline void format_endpoint(char *buf, size_t size, int family, const void *addr,
				   unsigned short port_be)
{
	char a[INET6_ADDRSTRLEN];

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(port_be));
	} else if (family == AF_INET6) {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(port_be));
	} else {
		snprintf(buf, size, "af%d", family);
	}
}

static inline void format_sockaddr(char *buf, size_t size, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		format_endpoint(buf, size, AF_INET, &s->sin_addr, s->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		format_endpoint(buf, size, AF_INET6, &s->sin6_addr, s->sin6_port);
	} else {
		format_endpoint(buf, size, ss->ss_family, NULL, 0);
	}
}

/* "10.0.2.2", "fd02::2" or "[fd02::2]" plus a host-order port -> sockaddr.
 * Returns the sockaddr length, 0 if @s is not an address. */
static inline socklen_t parse_sockaddr(const char *s, unsigned int port,
				       struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;
	char host[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(s);

	memset(ss, 0, sizeof(*ss));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(host))
		return 0;
	memcpy(host, s, n);
	host[n] = 0;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		return sizeof(*s4);
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		return sizeof(*s6);
	}
	return 0;
}

/* A decimal number in [min, max], or -1. */
static inline long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	return v;
}

#endif /* TOA_TEST_TOOLS_COMMON_H */
