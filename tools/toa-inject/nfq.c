// SPDX-License-Identifier: GPL-2.0
/*
 * nfq.c - the NFQUEUE loop of toa-inject, in the style of
 * libnetfilter_queue's examples/nf-queue.c: an mnl socket, one CONFIG
 * message (bind + copy the whole packet, acknowledged so a refusal is
 * reported), then recv -> parse -> verdict with the edited packet.
 *
 * The queue is bound without NFQA_CFG_F_GSO, so the kernel segments GSO
 * packets and completes partial checksums before queueing: every packet we
 * see carries its real checksum, which we verify before editing.
 *
 * SIGINT/SIGTERM are blocked and read from a signalfd, polled next to the
 * netlink socket, so a signal is never lost between two checks.
 *
 * The queue also asks for each packet's conntrack entry
 * (NFQA_CFG_F_CONNTRACK, needs nf_conntrack_netlink; without it packets
 * come without): its original tuple is the client a balancer knows, which
 * a UDP datagram queued after SNAT no longer carries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "nfq.h"

/* the largest packet plus netlink headers, as in nf-queue.c */
#define NFQ_BUF_SIZE (0xffff + (MNL_SOCKET_BUFFER_SIZE / 2))
/* room for the packet to grow by a full option space */
#define NFQ_PKT_CAP  (PKT_MAX_LEN + TOA_TCP_MAX_OPTION_SPACE)

struct nfq_state {
	const struct inject_config *cfg;
	struct flow_table *flows;
	struct inject_counters *c;
	struct mnl_socket *nl;
	char *sendbuf;
	uint8_t *pkt;
	int done; /* --count reached */
	int failed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_verdict(struct nfq_state *st, uint16_t queue, uint32_t id, const uint8_t *pkt,
			size_t len)
{
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(st->sendbuf, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	if (pkt)
		nfq_nlmsg_verdict_put_pkt(nlh, pkt, (uint32_t)len);
	if (mnl_socket_sendto(st->nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "toa-inject: sending a verdict: %s\n", strerror(errno));
		st->failed = 1;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* mnl_attr_parse_nested() callback: index the attributes of one level. */
static int nest_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= CTA_MAX) /* CTA_MAX bounds every level we read */
		tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * The client of the packet's connection: the source of the conntrack
 * original tuple, when the packet goes in the original direction.
 * Returns 1 if @o was filled.
 */
static int ct_origin(struct nlattr **attr, struct inject_origin *o)
{
	const struct nlattr *ct[CTA_MAX + 1] = { NULL };
	const struct nlattr *tup[CTA_MAX + 1] = { NULL };
	const struct nlattr *ip[CTA_MAX + 1] = { NULL };
	const struct nlattr *proto[CTA_MAX + 1] = { NULL };

	if (!attr[NFQA_CT] ||
	    (attr[NFQA_CT_INFO] && ntohl(mnl_attr_get_u32(attr[NFQA_CT_INFO])) >= IP_CT_IS_REPLY))
		return 0;
	if (mnl_attr_parse_nested(attr[NFQA_CT], nest_cb, ct) < 0 || !ct[CTA_TUPLE_ORIG] ||
	    mnl_attr_parse_nested(ct[CTA_TUPLE_ORIG], nest_cb, tup) < 0 || !tup[CTA_TUPLE_IP] ||
	    !tup[CTA_TUPLE_PROTO] || mnl_attr_parse_nested(tup[CTA_TUPLE_IP], nest_cb, ip) < 0 ||
	    mnl_attr_parse_nested(tup[CTA_TUPLE_PROTO], nest_cb, proto) < 0 ||
	    !proto[CTA_PROTO_SRC_PORT] || mnl_attr_get_payload_len(proto[CTA_PROTO_SRC_PORT]) != 2)
		return 0;
	memset(o, 0, sizeof(*o));
	if (ip[CTA_IP_V4_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V4_SRC]) == 4) {
		o->family = TOA_AF_INET;
		memcpy(o->addr, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), 4);
	} else if (ip[CTA_IP_V6_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V6_SRC]) == 16) {
		o->family = TOA_AF_INET6;
		memcpy(o->addr, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
	} else {
		return 0;
	}
	memcpy(&o->port, mnl_attr_get_payload(proto[CTA_PROTO_SRC_PORT]), 2);
	return 1;
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nfq_state *st = data;
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	enum inject_action act = INJECT_PASS;
	struct inject_origin orig;
	uint16_t plen;
	size_t len;
	uint32_t id;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		fprintf(stderr, "toa-inject: unparsable queue message\n");
		return MNL_CB_OK;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	if (!attr[NFQA_PAYLOAD] || st->done) {
		st->c->seen++;
		st->c->passed++;
		return send_verdict(st, ntohs(nfg->res_id), id, NULL, 0);
	}
	plen = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	len = plen;
	memcpy(st->pkt, mnl_attr_get_payload(attr[NFQA_PAYLOAD]), len);
	if (attr[NFQA_CAP_LEN] && ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) != plen) {
		/* copy range cut it: we must not hand back a short packet */
		st->c->seen++;
		st->c->unparsed++;
		st->c->passed++;
	} else {
		act = inject_packet_from(st->cfg, st->flows, st->c, now_ms(), st->pkt, &len,
					 NFQ_PKT_CAP, st->cfg->verbose ? stderr : NULL,
					 ct_origin(attr, &orig) ? &orig : NULL);
	}
	if (send_verdict(st, ntohs(nfg->res_id), id, act == INJECT_MODIFIED ? st->pkt : NULL, len) <
	    0)
		return MNL_CB_ERROR;
	if (st->cfg->count && st->c->injected >= st->cfg->count)
		st->done = 1; /* verdict the rest of this batch, then stop */
	return MNL_CB_OK;
}

/* Do we hold CAP_NET_ADMIN? Tells apart the kernel's two EPERMs. */
static int have_net_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return !!(d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32)));
}

static const char *bind_hint(int err)
{
	switch (err) {
	case EPERM:
		/* nfnetlink_queue answers EPERM for both */
		if (have_net_admin())
			return " (another process has bound this queue)";
		return " (needs CAP_NET_ADMIN: run as root)";
	case EBUSY:
		return " (another process has bound this queue)";
	case EINVAL:
	case ENOENT:
	case EOPNOTSUPP:
		return " (is nfnetlink_queue available?)";
	}
	return "";
}

/* Send the CONFIG message and wait for its ack; packets that arrive in
 * between are handled normally. 0 or an errno. @ct: instead of binding,
 * ask for the conntrack entry of each packet. */
static int config_queue(struct nfq_state *st, char *buf, unsigned int portid, int ct)
{
	struct nlmsghdr *nlh;
	int ret;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, st->cfg->queue);
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (ct) {
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(NFQA_CFG_F_CONNTRACK));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_CONNTRACK));
	} else {
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	}
	if (mnl_socket_sendto(st->nl, nlh, nlh->nlmsg_len) < 0)
		return errno;
	do {
		ret = (int)mnl_socket_recvfrom(st->nl, buf, NFQ_BUF_SIZE);
		if (ret < 0)
			return errno;
		ret = mnl_cb_run(buf, (size_t)ret, 0, portid, queue_cb, st);
		if (ret < 0)
			return st->failed ? EIO : errno;
	} while (ret > 0); /* MNL_CB_STOP (0): the ack arrived */
	return 0;
}

enum nfq_result nfq_run(const struct inject_config *cfg, struct flow_table *flows,
			struct inject_counters *c)
{
	struct nfq_state st = { .cfg = cfg, .flows = flows, .c = c };
	struct pollfd pfd[2];
	unsigned int portid;
	sigset_t mask;
	char *buf = NULL;
	int sfd = -1, rc = NFQ_SETUP_FAILED, err, one = 1, rcvbuf = 1 << 20;
	ssize_t n;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "toa-inject: signalfd: %s\n", strerror(errno));
		return NFQ_SETUP_FAILED;
	}
	buf = malloc(NFQ_BUF_SIZE);
	st.sendbuf = malloc(NFQ_BUF_SIZE);
	st.pkt = malloc(NFQ_PKT_CAP);
	if (!buf || !st.sendbuf || !st.pkt) {
		fprintf(stderr, "toa-inject: out of memory\n");
		goto out;
	}

	st.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!st.nl) {
		err = errno;
		fprintf(stderr, "toa-inject: netlink socket: %s%s\n", strerror(err),
			bind_hint(err));
		goto out;
	}
	if (mnl_socket_bind(st.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "toa-inject: netlink bind: %s\n", strerror(errno));
		goto out;
	}
	portid = mnl_socket_get_portid(st.nl);
	/* lost packets are retransmitted by TCP: do not fail on ENOBUFS */
	mnl_socket_setsockopt(st.nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* room for bursts (a full socket drops packets); best effort */
	setsockopt(mnl_socket_get_fd(st.nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

	err = config_queue(&st, buf, portid, 0);
	if (err) {
		fprintf(stderr, "toa-inject: cannot bind queue %u: %s%s\n", cfg->queue,
			strerror(err), bind_hint(err));
		goto out;
	}
	/* EAGAIN: the kernel just loaded nf_conntrack_netlink; ask again.
	 * Any other refusal: go on without (the packet's source is used). */
	err = config_queue(&st, buf, portid, 1);
	if (err == EAGAIN)
		err = config_queue(&st, buf, portid, 1);
	if (err && cfg->verbose)
		fprintf(stderr, "toa-inject: no conntrack info: %s\n", strerror(err));
	fprintf(stderr, "toa-inject: queue %u ready\n", cfg->queue);
	rc = NFQ_FAILED;

	pfd[0].fd = mnl_socket_get_fd(st.nl);
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	while (!st.done) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "toa-inject: poll: %s\n", strerror(errno));
			goto out;
		}
		if (pfd[1].revents & POLLIN)
			break; /* SIGINT / SIGTERM */
		if (!(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		n = mnl_socket_recvfrom(st.nl, buf, NFQ_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			fprintf(stderr, "toa-inject: netlink receive: %s\n", strerror(errno));
			goto out;
		}
		if (mnl_cb_run(buf, (size_t)n, 0, portid, queue_cb, &st) < 0) {
			if (st.failed)
				goto out;
			/* an NLMSG_ERROR: the kernel refused a verdict */
			fprintf(stderr, "toa-inject: netlink error: %s\n", strerror(errno));
		}
	}
	rc = NFQ_STOPPED;
out:
	if (st.nl)
		mnl_socket_close(st.nl); /* unbinds the queue */
	free(st.pkt);
	free(st.sendbuf);
	free(buf);
	close(sfd);
	return rc;
}
