// SPDX-License-Identifier: MIT
//
// toactl conns: the live sockets that have TOA data, streamed from the
// kernel's dump (so 100k sockets cost no more memory than 10).
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "toactl.hpp"

namespace toactl {

static const char help[] =
	"Usage: toactl [-j] [-n NETNS] conns [-H] [-c] [-A]\n"
	"List the TCP sockets of the network namespace for which toa.ko holds a\n"
	"client address: local end, balancer (the socket's peer), real client,\n"
	"option format and age since the handshake.\n"
	"  -H, --no-header   no column header (one line per socket)\n"
	"  -c, --count       print only the number of sockets\n"
	"  -A, --all-netns   every namespace: the current one (shown as '-')\n"
	"                    and each one in /run/netns (needs CAP_SYS_ADMIN)\n";

namespace {

struct options {
	bool header = true;
	bool count = false;
	bool all = false;
};

// Rows are sized on the first batch, then streamed with those widths.
class printer {
public:
	printer(const context &ctx, const options &o) : ctx_(ctx), o_(o)
	{
		if (ctx_.json && !o_.count)
			std::fputs("[", stdout);
	}

	void add(const std::string &netns, const toa::socket_entry &e)
	{
		n_++;
		if (o_.count)
			return;
		if (ctx_.json) {
			std::string out;
			json j(out);
			j.begin_object();
			if (o_.all)
				j.key("netns").value(netns);
			j.key("local").value(e.local);
			j.key("balancer").value(e.balancer);
			j.key("client").value(e.client);
			j.key("format").value(toa::format_name(e.format));
			j.key("age_ms").value(e.age_ms);
			j.key("cookie").value(e.cookie);
			j.end_object();
			std::printf("%s%s", n_ > 1 ? "," : "", out.c_str());
			return;
		}
		std::vector<std::string> row;
		if (o_.all)
			row.push_back(netns);
		row.insert(row.end(), { e.local.to_string(), e.balancer.to_string(),
					e.client.to_string(), toa::format_name(e.format),
					format_age(e.age_ms) });
		if (widths_.empty()) {
			pending_.push_back(std::move(row));
			if (pending_.size() >= 1024)
				flush();
		} else {
			print(row);
		}
	}

	void finish()
	{
		if (o_.count)
			return;
		if (ctx_.json) {
			std::fputs("]\n", stdout);
			return;
		}
		flush();
	}

	std::size_t count() const { return n_; }

private:
	std::vector<std::string> header() const
	{
		std::vector<std::string> h;
		if (o_.all)
			h.push_back("Netns");
		h.insert(h.end(), { "Local", "Balancer", "Client", "Format", "Age" });
		return h;
	}

	void flush()
	{
		if (!widths_.empty())
			return;
		auto h = header();
		widths_.assign(h.size(), 0);
		if (o_.header)
			grow(h);
		for (auto &r : pending_)
			grow(r);
		if (o_.header)
			print(h);
		for (auto &r : pending_)
			print(r);
		pending_.clear();
	}

	void grow(const std::vector<std::string> &r)
	{
		for (std::size_t i = 0; i < r.size(); i++)
			widths_[i] = std::max(widths_[i], r[i].size());
	}

	void print(const std::vector<std::string> &r) const
	{
		std::string line;
		for (std::size_t i = 0; i < r.size(); i++) {
			line += r[i];
			if (i + 1 < r.size() && r[i].size() < widths_[i] + 2)
				line.append(widths_[i] + 2 - r[i].size(), ' ');
			else if (i + 1 < r.size())
				line += ' ';
		}
		line += '\n';
		std::fputs(line.c_str(), stdout);
	}

	const context &ctx_;
	const options &o_;
	std::size_t n_ = 0;
	std::vector<std::vector<std::string>> pending_;
	std::vector<std::size_t> widths_;
};

// "" (the current namespace) and the names in /run/netns that are not it.
std::vector<std::string> all_namespaces()
{
	std::vector<std::string> out{ "" };
	struct stat self;
	bool have_self = stat("/proc/self/ns/net", &self) == 0;
	DIR *d = opendir("/run/netns");

	if (!d)
		return out;
	std::vector<std::string> names;
	while (dirent *de = readdir(d)) {
		std::string name = de->d_name;
		struct stat st;
		if (name == "." || name == "..")
			continue;
		if (stat(("/run/netns/" + name).c_str(), &st) != 0)
			continue;
		if (have_self && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			continue;
		names.push_back(name);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	out.insert(out.end(), names.begin(), names.end());
	return out;
}

} // namespace

int cmd_conns(context &ctx, std::vector<std::string> args)
{
	options o;

	if (common_options(ctx, args)) {
		std::fputs(help, stdout);
		return EXIT_OK;
	}
	for (auto &a : args) {
		if (a == "-H" || a == "--no-header")
			o.header = false;
		else if (a == "-c" || a == "--count")
			o.count = true;
		else if (a == "-A" || a == "--all-netns")
			o.all = true;
		else
			return usage_error("conns", "unexpected argument '" + a + "'");
	}
	if (o.all && !ctx.netns.empty())
		return usage_error("conns", "-A and -n exclude each other");

	std::vector<std::string> namespaces = o.all ? all_namespaces() :
						      std::vector<std::string>{ ctx.netns };
	// Open every socket first: errors before any output.
	std::vector<toa::control> ctls;
	for (auto &ns : namespaces) {
		context c = ctx;
		c.netns = ns;
		int code;
		auto ctl = open_control(c, &code);
		if (!ctl)
			return code;
		ctls.push_back(std::move(*ctl));
	}

	printer p(ctx, o);
	for (std::size_t i = 0; i < ctls.size(); i++) {
		std::string label = namespaces[i].empty() ? "-" : namespaces[i];
		auto r = ctls[i].for_each_socket([&](const toa::socket_entry &e) {
			p.add(label, e);
			return true;
		});
		if (!r)
			return report(r.error(), "conns", ctls[i].last_message());
	}
	if (o.count) {
		if (ctx.json)
			std::printf("{\"count\":%zu}\n", p.count());
		else
			std::printf("%zu\n", p.count());
		return EXIT_OK;
	}
	p.finish();
	return EXIT_OK;
}

} // namespace toactl
