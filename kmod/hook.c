// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: every place toa.ko is called by the kernel's TCP path
 * through ftrace. Each is a callback at a function's entry (no saved
 * registers, no return probe), once per connection or per socket at most:
 *
 *   tcp_check_req            (listener, skb, req, fastopen)
 *       Every packet of a half-open connection: keeps the option of a bare
 *       ACK that a deferred-accept listener drops (passive.c). Hooked only
 *       once such a listener exists (see toa_hooks_want_check_req()).
 *   inet_csk_listen_start    (sk)
 *       A socket starts listening: it gets the module's icsk_af_ops,
 *       whose syn_recv_sock records each child's option (listen_ops.c),
 *       and the module's proto_ops, which accept() passes on to its
 *       sockets (peer_ops.c).
 *   security_sock_graft      (sk, socket)
 *       accept() attaches a child to its new struct socket: a TOA child
 *       keeps (or gets) the module's ops, any other gets the kernel's.
 *       Hooked only when an accept() started before its listener got the
 *       module's ops (see toa_hooks_want_graft()).
 *   inet_child_forget        (listener, req, child)
 *       A child dies unaccepted (its listener closed): drop its entry. An
 *       accepted TOA socket's entry is freed by the module's release
 *       (peer_ops.c): no hook runs at the end of other sockets.
 *
 * The passive open itself is not hooked here: the listener's own table
 * calls listen_ops.c with the child (and whether it won a race), which
 * took two callbacks (tcp_child_process, inet_csk_complete_hashdance)
 * before. Nor is getpeername(): TOA sockets hold the module's ops.
 *
 * Why ftrace: registered through a kernel API, never a write to read-only
 * memory (no CR0 or page-table tricks, no patching of the kernel's ops
 * tables, which oops on hardened kernels). Arguments are read from the
 * saved argument registers (compat.h). unregister_ftrace_function()
 * returns once no callback can still be running.
 *
 * Cost, measured in QEMU's deterministic mode (bench/README.md): each
 * callback costs about 170 instructions before its handler runs (the
 * trampoline and the recursion guard). A connection passes none of them
 * on most nodes; tcp_check_req where a deferred-accept listener exists,
 * security_sock_graft (about 160 instructions a connection on 6.12)
 * after a load that found a thread blocked in accept().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>

#include "toa.h"

/*
 * Callbacks skipped by ftrace's recursion guard, and bare ACKs dropped by a
 * deferred-accept listener before tcp_check_req was hooked: should stay 0.
 */
static atomic64_t toa_hook_missed = ATOMIC64_INIT(0);

static void toa_on_check_req(struct ftrace_regs *fregs)
{
	struct sock *listener = (struct sock *)toa_ftrace_arg(fregs, 0);
	struct sk_buff *skb = (struct sk_buff *)toa_ftrace_arg(fregs, 1);
	struct request_sock *req = (struct request_sock *)toa_ftrace_arg(fregs, 2);

	/* Fast Open calls it on the child itself: not a half-open one. */
	if (!toa_ftrace_arg(fregs, 3) && listener->sk_state == TCP_LISTEN)
		toa_passive_check_req(listener, skb, req);
}

static void toa_on_listen(struct ftrace_regs *fregs)
{
	struct sock *sk = (struct sock *)toa_ftrace_arg(fregs, 0);

	if (toa_user_tcp(sk))
		toa_listener_adopt(sk);
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
	bool registered;	/* by init, the work item or exit; read anywhere */
	bool on_demand;		/* not at init: see toa_hooks_want() */
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
#define TOA_HOOK_ON_DEMAND(fn, h)					\
	{								\
		.func = fn,						\
		.handler = h,						\
		.ops = { .func = toa_hook_entry },			\
		.on_demand = true,					\
	}

/* Registered in this order, unregistered in reverse: the end of a child
 * first and the passive open last, so an entry is always freed.
 */
enum { TOA_HOOK_FORGET, TOA_HOOK_GRAFT, TOA_HOOK_LISTEN, TOA_HOOK_CHECK_REQ };

static struct toa_hook toa_hooks[] = {
	[TOA_HOOK_FORGET] = TOA_HOOK("inet_child_forget", toa_on_child_forget),
	[TOA_HOOK_GRAFT] = TOA_HOOK_ON_DEMAND("security_sock_graft",
					      toa_on_graft),
	[TOA_HOOK_LISTEN] = TOA_HOOK("inet_csk_listen_start", toa_on_listen),
	[TOA_HOOK_CHECK_REQ] = TOA_HOOK_ON_DEMAND("tcp_check_req",
						  toa_on_check_req),
};

#define toa_check_req_hook	(toa_hooks[TOA_HOOK_CHECK_REQ])

/*
 * Set by exit, under the lock that scheduling takes: once it is, the work
 * item below is never queued again, so exit can wait for it.
 */
static DEFINE_SPINLOCK(toa_hooks_lock);
static bool toa_hooks_closed;

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
		atomic64_inc(&toa_hook_missed);
		return;
	}
	h->handler(fregs);
	ftrace_test_recursion_unlock(bit);
}

u64 toa_hooks_missed(void)
{
	return atomic64_read(&toa_hook_missed);
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
	WRITE_ONCE(h->registered, true);
	return 0;
}

/*
 * Two hooks are registered only where they are needed, from a work item
 * (registering sleeps; the callers below cannot), and stay until unload:
 *
 * tcp_check_req runs for every packet of every half-open connection, and
 * toa.ko needs it only for the bare ACKs a TCP_DEFER_ACCEPT listener drops
 * (the child is made later, from data, through listen_ops.c). It is
 * hooked at the first deferred-accept listener toa.ko sees: at listen()
 * (hook.c), at setsockopt() on a listener holding the module's ops
 * (peer_ops.c), and at load for the listeners already there. A bare ACK
 * dropped before the work item ran is counted in probe_missed
 * (toa_hooks_check_req_missed()).
 *
 * security_sock_graft runs for every accept(), and toa.ko needs it only
 * for a thread that was already blocked in accept() when a listener got
 * the module's ops at load (listen_ops.c): that accept() copied the
 * kernel's ops into its new socket before it waited, and a TOA child
 * would keep them. Every later accept() copies the module's.
 *
 * At load (toa_hooks_init()) the work item runs before insmod returns.
 */
static unsigned long toa_hooks_wanted;	/* bits: TOA_HOOK_* */

static void toa_hooks_register_wanted(struct work_struct *work)
{
	int i;

	/* The only registrar after init: exit waits for it, then unhooks. */
	for (i = 0; i < ARRAY_SIZE(toa_hooks); i++)
		if (toa_hooks[i].on_demand && test_bit(i, &toa_hooks_wanted) &&
		    !toa_hooks[i].registered)
			toa_hook_register(&toa_hooks[i]);
}

static DECLARE_WORK(toa_hooks_work, toa_hooks_register_wanted);

static void toa_hooks_want(int i)
{
	if (READ_ONCE(toa_hooks[i].registered) || test_bit(i, &toa_hooks_wanted))
		return;
	spin_lock_bh(&toa_hooks_lock);
	if (!toa_hooks_closed) {
		set_bit(i, &toa_hooks_wanted);
		schedule_work(&toa_hooks_work);
	}
	spin_unlock_bh(&toa_hooks_lock);
}

void toa_hooks_want_check_req(void)
{
	toa_hooks_want(TOA_HOOK_CHECK_REQ);
}

void toa_hooks_want_graft(void)
{
	toa_hooks_want(TOA_HOOK_GRAFT);
}

void toa_hooks_check_req_missed(const struct request_sock *req)
{
	/* acked: tcp_check_req() dropped a bare ACK for this deferral */
	if (inet_rsk(req)->acked && !READ_ONCE(toa_check_req_hook.registered))
		atomic64_inc(&toa_hook_missed);
}

void toa_hooks_exit(void)
{
	int i;

	spin_lock_bh(&toa_hooks_lock);
	toa_hooks_closed = true;
	spin_unlock_bh(&toa_hooks_lock);
	/* Never queued again: once it has run, nothing registers. */
	cancel_work_sync(&toa_hooks_work);
	for (i = ARRAY_SIZE(toa_hooks) - 1; i >= 0; i--) {
		if (!toa_hooks[i].registered)
			continue;
		unregister_ftrace_function(&toa_hooks[i].ops);
		ftrace_free_filter(&toa_hooks[i].ops);
		WRITE_ONCE(toa_hooks[i].registered, false);
	}
}

int toa_hooks_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(toa_hooks); i++) {
		if (toa_hooks[i].on_demand)
			continue;
		err = toa_hook_register(&toa_hooks[i]);
		if (err) {
			toa_hooks_exit();
			return err;
		}
	}
	/* After the listen hook: no listener can start in between unseen. */
	toa_listen_ops_adopt_all();
	flush_work(&toa_hooks_work);
	return 0;
}
