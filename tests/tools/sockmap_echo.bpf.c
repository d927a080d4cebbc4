// SPDX-License-Identifier: GPL-2.0
/*
 * sockmap_echo.bpf.c - toa-sockmap-echo's program: every byte a socket in
 * echo_map receives is redirected by the kernel to that socket's own
 * sending side, so the peer gets its data back without the application
 * ever reading it (the data path of sockmap proxies such as Cilium's).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} echo_map SEC(".maps");

SEC("sk_skb/stream_verdict")
int echo_verdict(struct __sk_buff *skb)
{
	/* flags 0: to the egress of the socket at key 0, the receiver itself */
	return bpf_sk_redirect_map(skb, &echo_map, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
