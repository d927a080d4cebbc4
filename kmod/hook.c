// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: every place toa.ko is called by the kernel's TCP path. Each
 * is an ftrace callback at a function's entry (no saved registers, no
 * return probe), once per connection or per socket at most:
 *
 *   tcp_child_process        (listener, child, skb)
 *       A passive open made its child from the packet that completed the
 *       handshake (third ACK, data after a lost ACK, SYN cookie ACK):
 *       record that packet's option for the child (passive.c).
 *   tcp_check_req            (listener, skb, req, ...)
 *       Every packet of a half-open connection: remembers (req, skb) on
 *       this CPU for the call below, and keeps the option of a bare ACK
 *       that a deferred-accept listener drops (passive.c).
 *   inet_csk_complete_hashdance  (listener, child, req, own_req)
 *       The end of that tcp_check_req() call, on the same CPU: when
 *       own_req is false the child lost a race to another packet's child
 *       and its option, if any, is moved to the winner (passive.c).
 *   inet_csk_listen_start    (sk)
 *       A socket starts listening: it gets the module's proto_ops, which
 *       accept() passes on to its sockets (peer_ops.c).
 *   security_sock_graft      (sk, socket)
 *       accept() attaches a child to its new struct socket: a TOA child
 *       keeps the module's ops, any other gets the kernel's (one read when
 *       no TOA child waits for accept()).
 *   inet_child_forget        (listener, req, child)
 *       A child dies unaccepted (its listener closed): drop its entry. An
 *       accepted TOA socket's entry is freed by the module's release
 *       (peer_ops.c): no hook runs at the end of other sockets.
 *
 * getpeername() itself is not hooked: TOA sockets hold the module's ops.
 *
 * Why ftrace: registered through a kernel API, never a write to read-only
 * memory (no CR0 or page-table tricks, no patching of the kernel's ops
 * tables, which oops on hardened kernels). Arguments are read from the
 * saved argument registers (compat.h). unregister_ftrace_function()
 * returns once no callback can still be running.
 *
 * Cost, measured in QEMU's deterministic mode (bench/README.md): each
 * callback costs about 170 instructions before its handler runs (the
 * trampoline and the recursion guard); a loopback connection without an
 * option passes four (tcp_check_req, inet_csk_complete_hashdance,
 * tcp_child_process, security_sock_graft), +761 instructions or 1.1 % of
 * the connection on 6.1.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

#include "toa.h"

/* Callbacks skipped by ftrace's recursion guard: should stay 0. */
static atomic64_t toa_hook_recursion = ATOMIC64_INIT(0);

static void toa_on_child(struct ftrace_regs *fregs)
{
	struct sock *listener = (struct sock *)toa_ftrace_arg(fregs, 0);
	struct sock *child = (struct sock *)toa_ftrace_arg(fregs, 1);
	struct sk_buff *skb = (struct sk_buff *)toa_ftrace_arg(fregs, 2);

	toa_passive_open(listener, child, skb);
}

/*
 * The (req, skb) of this CPU's tcp_check_req() call: its
 * inet_csk_complete_hashdance() runs next on the same CPU, in the same
 * softirq, and is given no skb. Written at every call, so it never refers
 * to an earlier one; used only when the request sockets match.
 */
struct toa_check_req_call {
	const struct request_sock *req;
	struct sk_buff *skb;
};

static DEFINE_PER_CPU(struct toa_check_req_call, toa_check_req_now);

static void toa_on_check_req(struct ftrace_regs *fregs)
{
	struct sock *listener = (struct sock *)toa_ftrace_arg(fregs, 0);
	struct sk_buff *skb = (struct sk_buff *)toa_ftrace_arg(fregs, 1);
	struct request_sock *req = (struct request_sock *)toa_ftrace_arg(fregs, 2);

	/* Fast Open calls it on the child itself: not a half-open one. */
	if (toa_ftrace_arg(fregs, 3)) {
		__this_cpu_write(toa_check_req_now.req, NULL);
		return;
	}
	__this_cpu_write(toa_check_req_now.req, req);
	__this_cpu_write(toa_check_req_now.skb, skb);
	if (listener->sk_state == TCP_LISTEN)
		toa_passive_check_req(listener, skb, req);
}

static void toa_on_hashdance(struct ftrace_regs *fregs)
{
	struct sock *listener = (struct sock *)toa_ftrace_arg(fregs, 0);
	struct sock *child = (struct sock *)toa_ftrace_arg(fregs, 1);
	const struct request_sock *req = (void *)toa_ftrace_arg(fregs, 2);
	struct sk_buff *skb;

	if (likely((u8)toa_ftrace_arg(fregs, 3)) ||	/* own_req: a bool */
	    listener->sk_protocol != IPPROTO_TCP ||	/* DCCP */
	    __this_cpu_read(toa_check_req_now.req) != req)
		return;
	skb = __this_cpu_read(toa_check_req_now.skb);
	__this_cpu_write(toa_check_req_now.req, NULL);
	toa_passive_raced(listener, child, skb);
}

static bool toa_user_tcp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP && sk->sk_type == SOCK_STREAM &&
	       !sk->sk_kern_sock;
}

static void toa_on_listen(struct ftrace_regs *fregs)
{
	struct sock *sk = (struct sock *)toa_ftrace_arg(fregs, 0);

	/* listen() holds the socket: sk_socket cannot go away here */
	if (toa_user_tcp(sk) && sk->sk_socket)
		toa_peer_ops_swap(sk->sk_socket);
}

static void toa_on_graft(struct ftrace_regs *fregs)
{
	struct sock *sk = (struct sock *)toa_ftrace_arg(fregs, 0);
	struct socket *sock = (struct socket *)toa_ftrace_arg(fregs, 1);

	if (!toa_user_tcp(sk))
		return;
	/*
	 * A TOA socket holds the module's ops from here on (its release
	 * frees the entry, connect(AF_UNSPEC) drops it): one whose ops are
	 * not the kernel's (another module's) keeps its balancer instead.
	 */
	if (toa_store_accept(sk)) {
		if (!toa_peer_ops_swap(sock))
			toa_store_del(sk);
	} else if (toa_peer_ops_held(sock)) {
		toa_peer_ops_unswap(sock);
	}
}

static void toa_on_child_forget(struct ftrace_regs *fregs)
{
	toa_store_del((struct sock *)toa_ftrace_arg(fregs, 2));
}

struct toa_hook {
	const char *func;
	void (*handler)(struct ftrace_regs *fregs);
	struct ftrace_ops ops;
	bool registered;
};

static void notrace toa_hook_entry(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op,
				   struct ftrace_regs *fregs);

#define TOA_HOOK(fn, h)							\
	{								\
		.func = fn,						\
		.handler = h,						\
		.ops = { .func = toa_hook_entry },			\
	}

/* Registered in this order, unregistered in reverse: the end of a child
 * first and the passive open last, so an entry is always freed.
 */
static struct toa_hook toa_hooks[] = {
	TOA_HOOK("inet_child_forget", toa_on_child_forget),
	TOA_HOOK("security_sock_graft", toa_on_graft),
	TOA_HOOK("inet_csk_listen_start", toa_on_listen),
	TOA_HOOK("inet_csk_complete_hashdance", toa_on_hashdance),
	TOA_HOOK("tcp_check_req", toa_on_check_req),
	TOA_HOOK("tcp_child_process", toa_on_child),
};

/*
 * One entry for all hooks: ftrace gives each ops its own trampoline, and
 * the handler is found from the ops. Without FTRACE_OPS_FL_RECURSION
 * ftrace calls it directly and leaves the recursion guard to us (it also
 * disables preemption), so that a skipped call is counted.
 */
static void notrace toa_hook_entry(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op,
				   struct ftrace_regs *fregs)
{
	struct toa_hook *h = container_of(op, struct toa_hook, ops);
	int bit;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0) {
		atomic64_inc(&toa_hook_recursion);
		return;
	}
	h->handler(fregs);
	ftrace_test_recursion_unlock(bit);
}

u64 toa_hooks_missed(void)
{
	return atomic64_read(&toa_hook_recursion);
}

static int toa_hook_register(struct toa_hook *h)
{
	int err;

	err = ftrace_set_filter(&h->ops, (unsigned char *)h->func,
				strlen(h->func), 0);
	if (!err)
		err = register_ftrace_function(&h->ops);
	if (err) {
		pr_err("cannot hook %s: %d\n", h->func, err);
		ftrace_free_filter(&h->ops);
		return err;
	}
	h->registered = true;
	return 0;
}

void toa_hooks_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(toa_hooks) - 1; i >= 0; i--) {
		if (!toa_hooks[i].registered)
			continue;
		unregister_ftrace_function(&toa_hooks[i].ops);
		ftrace_free_filter(&toa_hooks[i].ops);
		toa_hooks[i].registered = false;
	}
}

int toa_hooks_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(toa_hooks); i++) {
		err = toa_hook_register(&toa_hooks[i]);
		if (err) {
			toa_hooks_exit();
			return err;
		}
	}
	return 0;
}
