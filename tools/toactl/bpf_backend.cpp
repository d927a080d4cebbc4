// SPDX-License-Identifier: MIT
//
// The module-free backend of toactl (see bpf_backend.hpp). libbpf objects
// live in unique_ptrs with their destroy functions, file descriptors in
// unique_fd: whatever fails half-way, nothing leaks, and an attach that
// fails removes what it had pinned.
#include "bpf_backend.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <toa/bpf.h>
#include <toa/stats.h>
#include <toa/toa.hpp>

#include "toactl.hpp"

// The generated skeleton is C; its inline functions trip C++ warnings
// that say nothing about our code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "toa.skel.h"
#pragma GCC diagnostic pop

namespace toactl::bpfmode {

namespace {

// ---- RAII ----

class unique_fd {
public:
	unique_fd() = default;
	explicit unique_fd(int fd) : fd_(fd) {}
	unique_fd(unique_fd &&o) noexcept : fd_(o.release()) {}
	unique_fd &operator=(unique_fd &&o) noexcept
	{
		reset(o.release());
		return *this;
	}
	unique_fd(const unique_fd &) = delete;
	unique_fd &operator=(const unique_fd &) = delete;
	~unique_fd() { reset(); }
	int get() const noexcept { return fd_; }
	int release() noexcept
	{
		int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void reset(int fd = -1) noexcept
	{
		if (fd_ >= 0)
			::close(fd_);
		fd_ = fd;
	}

private:
	int fd_ = -1;
};

struct skel_deleter {
	void operator()(toa_bpf *s) const noexcept { toa_bpf__destroy(s); }
};
using skel_ptr = std::unique_ptr<toa_bpf, skel_deleter>;

// Closes the link's fd; a pinned link stays attached (the pin holds it).
struct link_deleter {
	void operator()(bpf_link *l) const noexcept { bpf_link__destroy(l); }
};
using link_ptr = std::unique_ptr<bpf_link, link_deleter>;

// ---- names ----

const std::string pin_dir = TOA_BPF_PIN_DIR;

// The iterator behind `toactl conns`: pinned, never linked to a cgroup.
const char *const iter_prog_name = "conns";
const char *const map_names[] = { "toa_sk", "toa_config", "toa_trust4", "toa_trust6", "toa_stats" };
// Programs, by the short name of their pins (prog_NAME, link_NAME), in
// attach order: the passive-open program first, so that no socket can be
// asked about before the program that fills its entry runs.
const char *const prog_names[] = { "sockops", "getsockopt", "getpeername4", "getpeername6" };

std::string pin(const std::string &name)
{
	return pin_dir + "/" + name;
}

// ---- libbpf messages: kept for the error text, not printed ----

std::string libbpf_log;

int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];

	if (level == LIBBPF_DEBUG)
		return 0;
	std::vsnprintf(buf, sizeof(buf), fmt, ap);
	// wire.h's format table carries name strings the programs never read
	if (!std::strstr(buf, "skipping relo section"))
		libbpf_log += buf;
	return 0;
}

std::string last_log_lines(std::size_t n)
{
	std::vector<std::string> lines;
	std::istringstream in(libbpf_log);
	std::string l, out;

	while (std::getline(in, l))
		if (!l.empty())
			lines.push_back(l);
	for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); i++)
		out += "\n  " + lines[i];
	return out;
}

[[noreturn]] void fail_errno(int err, const std::string &what)
{
	if (err == EPERM || err == EACCES)
		throw failure(EXIT_PERM,
			      what + ": permission denied (needs root: CAP_BPF, CAP_NET_ADMIN)");
	throw failure(EXIT_RUNTIME, what + ": " + std::strerror(err));
}

// ---- file systems ----

bool is_fs(const std::string &path, long magic)
{
	struct statfs st;

	return ::statfs(path.c_str(), &st) == 0 && st.f_type == magic;
}

void require_bpffs()
{
	const std::string parent = pin_dir.substr(0, pin_dir.rfind('/'));

	if (!is_fs(parent, BPF_FS_MAGIC))
		throw failure(EXIT_RUNTIME, "no BPF file system at " + parent +
						    " (mount it: mount -t bpf bpf " + parent + ")");
}

bool attached()
{
	struct stat st;

	for (auto n : prog_names) {
		if (::stat(pin(std::string("link_") + n).c_str(), &st) == 0)
			return true;
		// the pin directory is root's (0700): not "not attached"
		if (errno == EACCES || errno == EPERM)
			fail_errno(errno, pin_dir);
	}
	return false;
}

void require_attached()
{
	require_bpffs();
	if (!attached())
		throw failure(EXIT_NO_MODULE,
			      "BPF mode is not attached (toactl bpf attach --cgroup PATH)");
}

// Remove the pins we make, and only those; then the directory if empty.
// Unpinning the links detaches the programs (nothing else holds them).
void unpin_all()
{
	for (auto n : prog_names) {
		::unlink(pin(std::string("link_") + n).c_str());
		::unlink(pin(std::string("prog_") + n).c_str());
	}
	::unlink(pin(std::string("prog_") + iter_prog_name).c_str());
	for (auto n : map_names)
		::unlink(pin(n).c_str());
	::rmdir(pin_dir.c_str());
}

unique_fd obj_get(const std::string &name)
{
	int fd = bpf_obj_get(pin(name).c_str());

	if (fd < 0)
		fail_errno(errno, pin(name));
	return unique_fd(fd);
}

// The cgroup2 directory whose inode number is @id (a cgroup's id is its
// kernfs node id), on any cgroup2 mount; "" when none has it.
std::uint64_t walk_target;
std::string walk_found;

int walk_cb(const char *path, const struct stat *st, int type, struct FTW *)
{
	if (type == FTW_D && st->st_ino == walk_target) {
		walk_found = path;
		return 1; // stop
	}
	return 0;
}

std::string cgroup_path_of(std::uint64_t id)
{
	std::ifstream in("/proc/self/mountinfo");
	std::string line;

	walk_target = id;
	walk_found.clear();
	while (std::getline(in, line)) {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SOURCE SUPER
		std::istringstream f(line);
		std::string a, b, c, root, mnt, tok;
		f >> a >> b >> c >> root >> mnt;
		while (f >> tok && tok != "-") {
		}
		f >> tok;
		if (tok != "cgroup2")
			continue;
		if (::nftw(mnt.c_str(), walk_cb, 16, FTW_PHYS | FTW_MOUNT) == 1)
			return walk_found;
	}
	return "";
}

// ---- maps ----

struct map_fds {
	int config = -1, trust4 = -1, trust6 = -1, stats = -1;
};

settings read_settings(const map_fds &m)
{
	settings s;
	toa_bpf_config c{};
	std::uint32_t zero = 0;

	if (bpf_map_lookup_elem(m.config, &zero, &c))
		fail_errno(errno, "read toa_config");
	s.formats = c.formats;
	s.enabled = c.enabled != 0;

	toa_bpf_trust4_key k4{}, n4{};
	void *prev = nullptr;
	while (bpf_map_get_next_key(m.trust4, prev, &n4) == 0) {
		cidr x;
		x.family = TOA_AF_INET;
		x.prefix = n4.prefixlen;
		std::memcpy(x.addr.data(), n4.addr, 4);
		s.trusted.push_back(x);
		k4 = n4;
		prev = &k4;
	}
	toa_bpf_trust6_key k6{}, n6{};
	prev = nullptr;
	while (bpf_map_get_next_key(m.trust6, prev, &n6) == 0) {
		cidr x;
		x.family = TOA_AF_INET6;
		x.prefix = n6.prefixlen;
		std::memcpy(x.addr.data(), n6.addr, 16);
		s.trusted.push_back(x);
		k6 = n6;
		prev = &k6;
	}
	return s;
}

template <class Key>
void clear_trie(int fd)
{
	Key k{};

	// deleting the key just returned restarts the walk at the first
	while (bpf_map_get_next_key(fd, nullptr, &k) == 0)
		if (bpf_map_delete_elem(fd, &k))
			fail_errno(errno, "trusted list");
}

// Without the conns iterator, store_in_use can only be kept by the
// programs themselves, at a cost per TOA connection (toa_bpf_config).
void set_track_close(const map_fds &m, bool on)
{
	toa_bpf_config cfg{};
	std::uint32_t zero = 0;

	if (bpf_map_lookup_elem(m.config, &zero, &cfg))
		fail_errno(errno, "read toa_config");
	cfg.track_close = on ? 1 : 0;
	if (bpf_map_update_elem(m.config, &zero, &cfg, BPF_ANY))
		fail_errno(errno, "write toa_config");
}

// Apply @c. The trusted list is replaced entries first, count last: while
// it changes, a sender is trusted by at most what old and new lists have
// in common, never by "the list is empty, trust all".
void write_settings(const map_fds &m, const change &c)
{
	toa_bpf_config cfg{};
	std::uint32_t zero = 0;
	const std::uint8_t one = 1;

	if (bpf_map_lookup_elem(m.config, &zero, &cfg))
		fail_errno(errno, "read toa_config");
	if (c.formats)
		cfg.formats = *c.formats;
	if (c.enabled)
		cfg.enabled = *c.enabled ? 1 : 0;
	if (c.trusted) {
		if (c.trusted->size() > TOA_BPF_TRUST_MAX)
			throw failure(EXIT_USAGE, "at most " + std::to_string(TOA_BPF_TRUST_MAX) +
							  " trusted prefixes");
		clear_trie<toa_bpf_trust4_key>(m.trust4);
		clear_trie<toa_bpf_trust6_key>(m.trust6);
		for (auto &x : *c.trusted) {
			int err;
			if (x.family == TOA_AF_INET) {
				toa_bpf_trust4_key k{};
				k.prefixlen = x.prefix;
				std::memcpy(k.addr, x.addr.data(), 4);
				err = bpf_map_update_elem(m.trust4, &k, &one, BPF_ANY);
			} else {
				toa_bpf_trust6_key k{};
				k.prefixlen = x.prefix;
				std::memcpy(k.addr, x.addr.data(), 16);
				err = bpf_map_update_elem(m.trust6, &k, &one, BPF_ANY);
			}
			if (err)
				fail_errno(errno, "trusted " + x.to_string());
		}
		// duplicates collapsed into one entry: count what is there
		cfg.trusted = static_cast<std::uint32_t>(read_settings(m).trusted.size());
	}
	if (bpf_map_update_elem(m.config, &zero, &cfg, BPF_ANY))
		fail_errno(errno, "write toa_config");
}

struct pinned_maps {
	unique_fd config, trust4, trust6, stats;

	static pinned_maps open()
	{
		pinned_maps p;
		p.config = obj_get("toa_config");
		p.trust4 = obj_get("toa_trust4");
		p.trust6 = obj_get("toa_trust6");
		p.stats = obj_get("toa_stats");
		return p;
	}
	map_fds fds() const { return { config.get(), trust4.get(), trust6.get(), stats.get() }; }
};

} // namespace

// ---- commands ----

void attach(const std::string &cgroup, const change &initial)
{
	libbpf_set_print(libbpf_print);
	libbpf_log.clear();
	require_bpffs();
	if (!is_fs(cgroup, CGROUP2_SUPER_MAGIC))
		throw failure(
			EXIT_RUNTIME,
			cgroup + ": not a cgroup v2 directory" +
				(::access(cgroup.c_str(), F_OK) ? " (no such directory)" : ""));
	if (attached())
		throw failure(EXIT_RUNTIME, "BPF mode is attached already (toactl bpf status; "
					    "toactl bpf detach first)");
	unique_fd cg(::open(cgroup.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (cg.get() < 0)
		fail_errno(errno, cgroup);

	skel_ptr skel(toa_bpf__open());
	if (!skel)
		fail_errno(errno, "open the BPF object");
	// The conns iterator is a tracing program, which a kernel may refuse
	// where it takes cgroup and sock_ops programs (a sandbox, lockdown):
	// then everything else is attached, and `toactl conns` says why not.
	bool iterator = true;
	if (toa_bpf__load(skel.get())) {
		skel.reset(toa_bpf__open());
		if (!skel)
			fail_errno(errno, "open the BPF object");
		bpf_program__set_autoload(skel->progs.toa_conns, false);
		iterator = false;
	}
	if (!iterator && toa_bpf__load(skel.get())) {
		int err = errno;
		// EACCES is the verifier's refusal: its log says why
		if (err == EPERM)
			fail_errno(err, "load the BPF programs");
		throw failure(EXIT_RUNTIME, std::string("load the BPF programs: ") +
						    std::strerror(err) + last_log_lines(8));
	}
	map_fds m{ bpf_map__fd(skel->maps.toa_config), bpf_map__fd(skel->maps.toa_trust4),
		   bpf_map__fd(skel->maps.toa_trust6), bpf_map__fd(skel->maps.toa_stats) };
	change c = initial;
	if (!c.formats)
		c.formats = TOA_FMT_DEFAULT_MASK;
	if (!c.enabled)
		c.enabled = true;
	if (!c.trusted)
		c.trusted = std::vector<cidr>{};
	write_settings(m, c);
	set_track_close(m, !iterator);

	struct {
		const char *name;
		bpf_program *prog;
	} progs[] = { { prog_names[0], skel->progs.toa_sockops },
		      { prog_names[1], skel->progs.toa_getsockopt },
		      { prog_names[2], skel->progs.toa_getpeername4 },
		      { prog_names[3], skel->progs.toa_getpeername6 } };
	bpf_map *maps[] = { skel->maps.toa_sk, skel->maps.toa_config, skel->maps.toa_trust4,
			    skel->maps.toa_trust6, skel->maps.toa_stats };

	// pins of ours without links (an attach killed half-way): stale
	unpin_all();
	if (::mkdir(pin_dir.c_str(), 0700) && errno != EEXIST)
		fail_errno(errno, pin_dir);
	try {
		for (std::size_t i = 0; i < std::size(maps); i++)
			if (bpf_map__pin(maps[i], pin(map_names[i]).c_str()))
				fail_errno(errno, pin(map_names[i]));
		if (iterator &&
		    bpf_program__pin(skel->progs.toa_conns,
				     pin(std::string("prog_") + iter_prog_name).c_str()))
			fail_errno(errno, pin(std::string("prog_") + iter_prog_name));
		for (auto &p : progs) {
			if (bpf_program__pin(p.prog, pin(std::string("prog_") + p.name).c_str()))
				fail_errno(errno, pin(std::string("prog_") + p.name));
			link_ptr l(bpf_program__attach_cgroup(p.prog, cg.get()));
			if (!l)
				fail_errno(errno,
					   std::string("attach ") + p.name + " to " + cgroup);
			if (bpf_link__pin(l.get(), pin(std::string("link_") + p.name).c_str()))
				fail_errno(errno, pin(std::string("link_") + p.name));
		}
	} catch (...) {
		unpin_all();
		throw;
	}
}

bool is_attached()
{
	return is_fs(pin_dir.substr(0, pin_dir.rfind('/')), BPF_FS_MAGIC) && attached();
}

void detach()
{
	require_attached();
	unpin_all();
	struct stat st;
	if (::stat(pin_dir.c_str(), &st) == 0)
		throw failure(EXIT_RUNTIME,
			      pin_dir + " not removed: it holds files toactl did not pin");
}

state status()
{
	require_attached();
	state s;
	s.pin_dir = pin_dir;
	for (auto n : prog_names) {
		int fd = bpf_obj_get(pin(std::string("link_") + n).c_str());
		if (fd < 0)
			continue;
		unique_fd lfd(fd);
		bpf_link_info info{};
		__u32 len = sizeof(info);
		if (bpf_obj_get_info_by_fd(lfd.get(), &info, &len))
			fail_errno(errno, "link " + std::string(n));
		link_state l;
		l.name = n;
		l.prog_id = info.prog_id;
		if (info.type == BPF_LINK_TYPE_CGROUP)
			l.cgroup_id = info.cgroup.cgroup_id;
		if (!s.cgroup_id)
			s.cgroup_id = l.cgroup_id;
		s.links.push_back(l);
	}
	if (s.cgroup_id)
		s.cgroup_path = cgroup_path_of(s.cgroup_id);
	auto maps = pinned_maps::open();
	s.cfg = read_settings(maps.fds());
	return s;
}

void configure(const change &c)
{
	require_attached();
	auto maps = pinned_maps::open();
	write_settings(maps.fds(), c);
}

namespace {

// Whether attach pinned the conns iterator (the kernel took it).
bool have_iterator()
{
	struct stat st;
	return ::stat(pin(std::string("prog_") + iter_prog_name).c_str(), &st) == 0;
}

} // namespace

std::vector<counter> stats()
{
	require_attached();
	auto maps = pinned_maps::open();
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		fail_errno(-ncpu, "possible CPUs");
	std::vector<std::uint64_t> v(static_cast<std::size_t>(ncpu));
	std::vector<counter> out;

	for (std::uint32_t id = 0; id < TOA_STAT_COUNT; id++) {
		if (!TOA_BPF_STAT_USED(id))
			continue;
		if (bpf_map_lookup_elem(maps.stats.get(), &id, v.data()))
			fail_errno(errno, "read toa_stats");
		counter c;
		c.name = toa_stat_name(id);
		for (auto x : v)
			c.value += x; // a gauge's per-CPU parts wrap to its sum
		if (id == TOA_STAT_STORE_IN_USE && have_iterator()) {
			// the programs keep no gauge (track_close is off): the
			// live entries are the iterator's records
			c.value = 0;
			for_each_connection([&c](const toa::socket_entry &) { c.value++; });
		}
		out.push_back(c);
	}
	return out;
}

void reset_stats()
{
	require_attached();
	auto maps = pinned_maps::open();
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		fail_errno(-ncpu, "possible CPUs");
	std::vector<std::uint64_t> zeros(static_cast<std::size_t>(ncpu), 0);

	for (std::uint32_t id = 0; id < TOA_STAT_COUNT; id++) {
		// a gauge counts what exists: resetting it would make it lie
		if (!TOA_BPF_STAT_USED(id) || id == TOA_STAT_STORE_IN_USE)
			continue;
		if (bpf_map_update_elem(maps.stats.get(), &id, zeros.data(), BPF_ANY))
			fail_errno(errno, "reset toa_stats");
	}
}

namespace {

toa::endpoint endpoint_of(const toa_addr &a)
{
	toa::endpoint e;
	if (a.family != TOA_AF_INET && a.family != TOA_AF_INET6)
		return e;
	e.family = a.family == TOA_AF_INET ? AF_INET : AF_INET6;
	e.port = ntohs(a.port);
	std::memcpy(e.addr.data(), a.addr, a.family == TOA_AF_INET ? 4 : 16);
	return e;
}

} // namespace

void for_each_connection(const std::function<void(const toa::socket_entry &)> &fn)
{
	require_attached();
	if (!have_iterator())
		throw failure(
			EXIT_RUNTIME,
			"conns: this kernel refused the iterator program at attach "
			"(BPF tracing programs not allowed here); status, stats and config work");
	unique_fd prog = obj_get(std::string("prog_") + iter_prog_name);
	unique_fd map = obj_get("toa_sk");
	bpf_iter_link_info info{};
	info.map.map_fd = static_cast<__u32>(map.get());
	LIBBPF_OPTS(bpf_link_create_opts, opts, .iter_info = &info, .iter_info_len = sizeof(info));
	unique_fd link(bpf_link_create(prog.get(), 0, BPF_TRACE_ITER, &opts));
	if (link.get() < 0)
		fail_errno(errno, "create the conns iterator");
	unique_fd it(bpf_iter_create(link.get()));
	if (it.get() < 0)
		fail_errno(errno, "start the conns iterator");
	timespec now{};
	::clock_gettime(CLOCK_BOOTTIME, &now);
	const std::uint64_t now_ns = static_cast<std::uint64_t>(now.tv_sec) * 1000000000ull +
				     static_cast<std::uint64_t>(now.tv_nsec);

	// A read may end inside a record: carry the rest over.
	std::string buf;
	char chunk[16384];
	for (;;) {
		ssize_t n = ::read(it.get(), chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_errno(errno, "read the conns iterator");
		if (n == 0)
			break;
		buf.append(chunk, static_cast<std::size_t>(n));
		std::size_t off = 0;
		for (; buf.size() - off >= sizeof(toa_bpf_conn); off += sizeof(toa_bpf_conn)) {
			toa_bpf_conn c;
			std::memcpy(&c, buf.data() + off, sizeof(c));
			toa::socket_entry e;
			e.local = endpoint_of(c.local);
			e.balancer = endpoint_of(c.balancer);
			e.client = endpoint_of(c.client);
			e.format = c.format;
			e.cookie = c.cookie;
			e.age_ms = now_ns > c.created_ns ? (now_ns - c.created_ns) / 1000000 : 0;
			fn(e);
		}
		buf.erase(0, off);
	}
	if (!buf.empty())
		throw failure(EXIT_RUNTIME, "conns iterator: a record cut short");
}

} // namespace toactl::bpfmode
