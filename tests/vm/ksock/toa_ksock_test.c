// SPDX-License-Identifier: GPL-2.0
/*
 * toa_ksock_test.ko - a kernel-side TCP server, as nfsd, ksmbd or DLM run
 * one, for scenario 26: toa.ko must never rewrite the peer of a kernel
 * socket (those services authorise by peer address, and the balancer is
 * who they talk to).
 *
 * Loaded in a network namespace (`ip netns exec srv insmod ... port=N`,
 * the namespace of the loading process), it listens on port N (IPv4 and
 * IPv6, a dual-stack socket), accepts connections in a kernel thread and
 * for each logs
 *
 *	toa_ksock_test: accept peer=EP getpeername=EP
 *
 * EP in %pISpc form (10.0.2.1:40000, [fd02::1]:40000): what
 * kernel_accept()'s socket and kernel_getpeername() report. Then it
 * echoes what the client sends (as toa-peer-server does, for toa-connect)
 * and closes. rmmod stops the thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in6.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

static ushort port = 9100;
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (IPv4 and IPv6)");

static struct socket *listener;
static struct task_struct *acceptor;

static void serve_one(struct socket *sock)
{
	struct sockaddr_storage peer = {}, named = {};
	struct msghdr msg = {};
	struct kvec iov;
	char buf[256];
	int err, n;

	/* what accept() would have returned: the ops' getname, peer side */
	err = sock->ops->getname(sock, (struct sockaddr *)&peer, 1);
	if (err < 0) {
		pr_info("accept getname failed: %d\n", err);
		return;
	}
	err = kernel_getpeername(sock, (struct sockaddr *)&named);
	if (err < 0) {
		pr_info("accept peer=%pISpc getpeername failed: %d\n", &peer,
			err);
		return;
	}
	pr_info("accept peer=%pISpc getpeername=%pISpc\n", &peer, &named);
	/* echo until the client half-closes */
	for (;;) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		n = kernel_recvmsg(sock, &msg, &iov, 1, sizeof(buf), 0);
		if (n <= 0)
			break;
		iov.iov_len = n;
		if (kernel_sendmsg(sock, &msg, &iov, 1, n) != n)
			break;
	}
}

static int acceptor_fn(void *unused)
{
	struct socket *sock;
	int err;

	while (!kthread_should_stop()) {
		err = kernel_accept(listener, &sock, 0);
		if (err) {
			/* rmmod shut the listener down: wait to be stopped */
			if (kthread_should_stop())
				break;
			schedule_timeout_interruptible(HZ / 10);
			continue;
		}
		serve_one(sock);
		kernel_sock_shutdown(sock, SHUT_RDWR);
		sock_release(sock);
	}
	return 0;
}

static int __init ksock_init(void)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct net *net = current->nsproxy->net_ns;
	int err;

	err = sock_create_kern(net, AF_INET6, SOCK_STREAM, IPPROTO_TCP,
			       &listener);
	if (err)
		return err;
	/* dual stack: IPv4 clients too, as [::ffff:a.b.c.d] */
	listener->sk->sk_ipv6only = false;
	sock_set_reuseaddr(listener->sk);
	err = kernel_bind(listener, (struct sockaddr *)&sin6, sizeof(sin6));
	if (!err)
		err = kernel_listen(listener, 16);
	if (err)
		goto fail;
	acceptor = kthread_run(acceptor_fn, NULL, "toa_ksock_test");
	if (IS_ERR(acceptor)) {
		err = PTR_ERR(acceptor);
		goto fail;
	}
	pr_info("listening on port %u\n", port);
	return 0;
fail:
	sock_release(listener);
	return err;
}

static void __exit ksock_exit(void)
{
	/* wakes kernel_accept(), which then fails */
	kernel_sock_shutdown(listener, SHUT_RDWR);
	kthread_stop(acceptor);
	sock_release(listener);
}

module_init(ksock_init);
module_exit(ksock_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("toa test: a kernel TCP server logging the peers it accepts");
