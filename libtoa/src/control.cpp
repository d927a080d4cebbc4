// SPDX-License-Identifier: MIT
//
// toa::control: the genl family "toa" over a libmnl socket. One request
// at a time: send, then read answers until the ACK / NLMSG_DONE that ends
// it, with libmnl checking sequence numbers and port ids.
#include <toa/control.hpp>

#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <unistd.h>

#include <cstring>
#include <exception>

#include "internal.hpp"

namespace toa {

namespace {

struct mnl_closer {
	void operator()(mnl_socket *s) const noexcept { mnl_socket_close(s); }
};
using mnl_ptr = std::unique_ptr<mnl_socket, mnl_closer>;

// A file descriptor, closed on scope exit.
class fd_guard {
public:
	explicit fd_guard(int fd) noexcept : fd_(fd) {}
	fd_guard(const fd_guard &) = delete;
	fd_guard &operator=(const fd_guard &) = delete;
	~fd_guard()
	{
		if (fd_ >= 0)
			::close(fd_);
	}
	int get() const noexcept { return fd_; }

private:
	int fd_;
};

// Dumps come in parts of up to 32 KiB (more with big pages); a bigger
// buffer than MNL_SOCKET_BUFFER_SIZE means fewer recvmsg calls.
constexpr std::size_t recv_buf_size = 64 * 1024;

} // namespace

// Hidden although nested in an exported class: its members are internals.
struct __attribute__((visibility("hidden"))) control::impl {
	mnl_ptr sock;
	std::uint16_t family = 0;
	std::uint32_t version = 0;
	std::uint32_t portid = 0;
	std::uint32_t seq = 0;
	std::string message;
	std::vector<char> buf = std::vector<char>(recv_buf_size);

	// Where parsed replies go, for the callback of the current request.
	using handler = std::function<int(const nlmsghdr *)>;

	struct run_ctx {
		handler *fn;
		std::string *message;
	};

	static int error_cb(const nlmsghdr *nlh, void *data)
	{
		auto *ctx = static_cast<run_ctx *>(data);
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) {
			errno = EBADMSG;
			return MNL_CB_ERROR;
		}
		auto *err = static_cast<const nlmsgerr *>(mnl_nlmsg_get_payload(nlh));
		if (err->error == 0)
			return MNL_CB_STOP; // the ACK that ends a request
		*ctx->message = detail::parse_extack_msg(nlh);
		errno = -err->error;
		return MNL_CB_ERROR;
	}

	static int done_cb(const nlmsghdr *, void *) { return MNL_CB_STOP; }

	static int overrun_cb(const nlmsghdr *, void *)
	{
		errno = ENOBUFS;
		return MNL_CB_ERROR;
	}

	static int run_data_cb(const nlmsghdr *nlh, void *data)
	{
		auto *ctx = static_cast<run_ctx *>(data);
		return (*ctx->fn)(nlh);
	}

	// A request answered by exactly one message, which @parse(m, out)
	// reads into a T: EBADMSG when that reply is missing or does not parse.
	template <typename T, typename Parse>
	result<T> transact_one(nlmsghdr *nlh, Parse parse)
	{
		T out{};
		bool got = false;
		auto r = transact(nlh, [&](const nlmsghdr *m) {
			if (!parse(m, out)) {
				errno = EBADMSG;
				return MNL_CB_ERROR;
			}
			got = true;
			return MNL_CB_OK;
		});
		if (!r)
			return r.error();
		if (!got)
			return errno_code(EBADMSG);
		return out;
	}

	// Send @nlh (NLM_F_ACK is added) and feed every answer to @fn until
	// the request is over.
	result<void> transact(nlmsghdr *nlh, handler fn)
	{
		mnl_cb_t ctl[NLMSG_MIN_TYPE] = {};
		ctl[NLMSG_ERROR] = error_cb;
		ctl[NLMSG_DONE] = done_cb;
		ctl[NLMSG_OVERRUN] = overrun_cb;
		run_ctx ctx{ &fn, &message };
		std::uint32_t s = nlh->nlmsg_seq;
		int ret;

		message.clear();
		nlh->nlmsg_flags |= NLM_F_ACK;
		if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
			return errno_code(errno);
		do {
			ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
			if (n < 0)
				return errno_code(errno);
			ret = mnl_cb_run2(buf.data(), n, s, portid, run_data_cb, &ctx, ctl,
					  NLMSG_MIN_TYPE);
		} while (ret > MNL_CB_STOP);
		if (ret < 0)
			return errno_code(errno ? errno : EPROTO);
		return {};
	}

	nlmsghdr *request(std::uint8_t cmd, std::uint16_t flags = 0)
	{
		return detail::build_request(buf.data(), family, cmd, flags, ++seq);
	}

	static int ctrl_attr_cb(const nlattr *a, void *data)
	{
		auto *self = static_cast<impl *>(data);

		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				self->family = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				self->version = mnl_attr_get_u32(a);
			break;
		}
		return MNL_CB_OK;
	}

	// Resolve the family id through the genl controller.
	result<void> resolve()
	{
		nlmsghdr *nlh = detail::build_request(buf.data(), GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
						      0, ++seq);
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TOA_GENL_NAME);
		auto r = transact(nlh, [this](const nlmsghdr *m) {
			mnl_attr_parse(m, sizeof(genlmsghdr), ctrl_attr_cb, this);
			return MNL_CB_OK;
		});
		// No such family: the module is not loaded.
		if (r.error() == std::errc::no_such_file_or_directory)
			return errno_code(ENOPROTOOPT);
		if (!r)
			return r;
		if (!family)
			return errno_code(EPROTO);
		return {};
	}
};

namespace {

// Enter network namespace @netns for the lifetime of this object.
class netns_switch {
public:
	std::error_code enter(const std::string &netns)
	{
		std::string path =
			netns.find('/') == std::string::npos ? "/run/netns/" + netns : netns;
		self_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self_ < 0)
			return errno_code(errno);
		fd_guard target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
		if (target.get() < 0)
			return errno_code(errno);
		if (setns(target.get(), CLONE_NEWNET) != 0)
			return errno_code(errno);
		entered_ = true;
		return {};
	}
	netns_switch() = default;
	netns_switch(const netns_switch &) = delete;
	netns_switch &operator=(const netns_switch &) = delete;
	~netns_switch()
	{
		// Going back to where we were cannot fail but for a bug;
		// staying in the wrong namespace would be worse than dying.
		if (entered_ && setns(self_, CLONE_NEWNET) != 0)
			std::abort();
		if (self_ >= 0)
			::close(self_);
	}

private:
	int self_ = -1;
	bool entered_ = false;
};

} // namespace

result<control> control::open(const std::string &netns)
{
	auto p = std::make_unique<impl>();

	{
		netns_switch ns;
		if (!netns.empty()) {
			if (auto ec = ns.enter(netns))
				return ec;
		}
		p->sock.reset(mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC));
		if (!p->sock)
			return errno_code(errno);
	}
	if (mnl_socket_bind(p->sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
		return errno_code(errno);
	int one = 1;
	// Best effort: error messages and short ACKs.
	mnl_socket_setsockopt(p->sock.get(), NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(p->sock.get(), NETLINK_CAP_ACK, &one, sizeof(one));
	p->portid = mnl_socket_get_portid(p->sock.get());
	if (auto r = p->resolve(); !r)
		return r.error();
	return control(std::move(p));
}

control::control(std::unique_ptr<impl> p) noexcept : p_(std::move(p)) {}
control::control(control &&) noexcept = default;
control &control::operator=(control &&) noexcept = default;
control::~control() = default;

std::uint32_t control::protocol_version() const noexcept
{
	return p_->version;
}

const std::string &control::last_message() const noexcept
{
	return p_->message;
}

result<std::vector<stat_value>> control::stats()
{
	return p_->transact_one<std::vector<stat_value>>(p_->request(TOA_CMD_GET_STATS),
							 detail::parse_stat_reply);
}

result<void> control::reset_stats()
{
	return p_->transact(p_->request(TOA_CMD_RESET_STATS),
			    [](const nlmsghdr *) { return MNL_CB_OK; });
}

result<config> control::get_config()
{
	return p_->transact_one<config>(p_->request(TOA_CMD_GET_CONFIG),
					detail::parse_config_reply);
}

result<void> control::set_config(const config_change &c)
{
	nlmsghdr *nlh = p_->request(TOA_CMD_SET_CONFIG);

	if (c.trusted && c.trusted->size() >= TOA_TRUSTED_MAX_LEN)
		return errno_code(E2BIG);
	detail::put_config_change(nlh, c);
	return p_->transact(nlh, [](const nlmsghdr *) { return MNL_CB_OK; });
}

result<std::size_t> control::for_each_socket(const std::function<bool(const socket_entry &)> &fn)
{
	std::size_t n = 0;
	bool stopped = false, bad = false;
	// An exception must not unwind through libmnl's C frames: keep it
	// and rethrow once the dump is drained.
	std::exception_ptr thrown;
	auto r = p_->transact(p_->request(TOA_CMD_GET_SOCKETS, NLM_F_DUMP), [&](const nlmsghdr *m) {
		socket_entry e;
		// After a stop, drain the dump: the socket stays usable.
		if (stopped || bad)
			return MNL_CB_OK;
		if (!detail::parse_socket_reply(m, e)) {
			bad = true;
			return MNL_CB_OK;
		}
		n++;
		try {
			if (!fn(e))
				stopped = true;
		} catch (...) {
			thrown = std::current_exception();
			stopped = true;
		}
		return MNL_CB_OK;
	});
	if (thrown)
		std::rethrow_exception(thrown);
	if (!r)
		return r.error();
	if (bad)
		return errno_code(EBADMSG);
	return n;
}

result<std::vector<socket_entry>> control::sockets()
{
	std::vector<socket_entry> out;
	auto r = for_each_socket([&](const socket_entry &e) {
		out.push_back(e);
		return true;
	});
	if (!r)
		return r.error();
	return out;
}

result<socket_entry> control::lookup(const endpoint &local, const endpoint &remote)
{
	if ((local.family != AF_INET && local.family != AF_INET6) || local.family != remote.family)
		return errno_code(EINVAL);
	nlmsghdr *nlh = p_->request(TOA_CMD_LOOKUP_SOCKET);
	detail::put_addr(nlh, TOA_A_LOCAL, local);
	detail::put_addr(nlh, TOA_A_REMOTE, remote);
	return p_->transact_one<socket_entry>(nlh, detail::parse_socket_reply);
}

} // namespace toa
