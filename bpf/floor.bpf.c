// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - programs that do nothing, at the attach points of
 * toa.bpf.c: what the kernel's cgroup and sock_ops hooks cost by
 * themselves, before any work of ours. The bench's floor for the
 * module-free mode (bench/vm/det-bpf-floor.sh), never attached otherwise.
 */
#include "vmlinux.h"

#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* No callback flags set: only the callbacks the kernel always makes. */
SEC("sockops")
int floor_sockops(struct bpf_sock_ops *skops)
{
	(void)skops;
	return 1;
}

SEC("cgroup/getpeername4")
int floor_getpeername4(struct bpf_sock_addr *ctx)
{
	(void)ctx;
	return 1;
}

SEC("cgroup/getpeername6")
int floor_getpeername6(struct bpf_sock_addr *ctx)
{
	(void)ctx;
	return 1;
}

SEC("cgroup/getsockopt")
int floor_getsockopt(struct bpf_sockopt *ctx)
{
	(void)ctx;
	return 1;
}
