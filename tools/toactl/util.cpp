// SPDX-License-Identifier: MIT
//
// Helpers shared by the toactl commands (see toactl.hpp).
#include <cstdio>
#include <cstring>
#include <optional>
#include <sys/stat.h>

#include "toactl.hpp"

namespace toactl {

int usage_error(const std::string &cmd, const std::string &msg)
{
	std::fprintf(stderr, "toactl: %s (try 'toactl %s%s--help')\n",
		     msg.c_str(), cmd.c_str(), cmd.empty() ? "" : " ");
	return EXIT_USAGE;
}

int report(const std::error_code &ec, const std::string &what,
	   const std::string &kernel_msg)
{
	const std::string extra = kernel_msg.empty() ? "" : ": " + kernel_msg;

	if (toa::is_module_missing(ec)) {
		struct stat st;
		if (stat("/sys/module/toa", &st) == 0)
			std::fprintf(stderr,
				     "toactl: toa.ko is loaded but has no netlink control plane (older version?)\n");
		else
			std::fprintf(stderr,
				     "toactl: toa.ko is not loaded (load it with 'modprobe toa')\n");
		return EXIT_NO_MODULE;
	}
	if (ec == std::errc::operation_not_permitted ||
	    ec == std::errc::permission_denied) {
		// The kernel says why when it is not the capability (a change
		// asked from another network namespace than the node's).
		if (!kernel_msg.empty()) {
			std::fprintf(stderr, "toactl: %s: permission denied%s\n",
				     what.c_str(), extra.c_str());
			return EXIT_PERM;
		}
		std::fprintf(stderr,
			     "toactl: %s: permission denied (needs CAP_NET_ADMIN; run as root)\n",
			     what.c_str());
		return EXIT_PERM;
	}
	std::fprintf(stderr, "toactl: %s: %s%s\n", what.c_str(),
		     ec.message().c_str(), extra.c_str());
	return EXIT_RUNTIME;
}

std::optional<toa::control> open_control(const context &ctx, int *code)
{
	auto r = toa::control::open(ctx.netns);

	if (r)
		return std::move(*r);
	if (!ctx.netns.empty() && !toa::is_module_missing(r.error()))
		*code = report(r.error(), "netns " + ctx.netns);
	else
		*code = report(r.error(), "netlink");
	return std::nullopt;
}

bool common_options(context &ctx, std::vector<std::string> &args)
{
	bool help = false;
	std::vector<std::string> rest;

	for (auto &a : args) {
		if (a == "-j" || a == "--json")
			ctx.json = true;
		else if (a == "-h" || a == "--help" || a == "help")
			help = true;
		else
			rest.push_back(a);
	}
	args.swap(rest);
	return help;
}

std::string format_age(std::uint64_t ms)
{
	char buf[32];
	std::uint64_t s = ms / 1000;

	if (s < 60)
		std::snprintf(buf, sizeof(buf), "%llu.%llus",
			      (unsigned long long)s,
			      (unsigned long long)(ms % 1000) / 100);
	else if (s < 3600)
		std::snprintf(buf, sizeof(buf), "%llum%02llus",
			      (unsigned long long)s / 60,
			      (unsigned long long)s % 60);
	else if (s < 86400)
		std::snprintf(buf, sizeof(buf), "%lluh%02llum",
			      (unsigned long long)s / 3600,
			      (unsigned long long)(s % 3600) / 60);
	else
		std::snprintf(buf, sizeof(buf), "%llud%02lluh",
			      (unsigned long long)s / 86400,
			      (unsigned long long)(s % 86400) / 3600);
	return buf;
}

std::optional<bool> parse_bool(const std::string &s)
{
	if (s == "1" || s == "yes" || s == "on" || s == "true")
		return true;
	if (s == "0" || s == "no" || s == "off" || s == "false")
		return false;
	return std::nullopt;
}

std::vector<std::string> split_list(const std::string &s)
{
	std::vector<std::string> out;
	std::size_t i = 0;

	while (i <= s.size()) {
		std::size_t end = s.find(',', i);
		if (end == std::string::npos)
			end = s.size();
		if (end > i)
			out.push_back(s.substr(i, end - i));
		i = end + 1;
	}
	return out;
}

// ---- json ----

std::string json::escape(const std::string &s)
{
	std::string out = "\"";

	for (unsigned char c : s) {
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\t':
			out += "\\t";
			break;
		case '\r':
			out += "\\r";
			break;
		default:
			if (c < 0x20) {
				char buf[8];
				std::snprintf(buf, sizeof(buf), "\\u%04x", c);
				out += buf;
			} else {
				out += static_cast<char>(c);
			}
		}
	}
	return out + "\"";
}

void json::sep()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (!first_.empty()) {
		if (!first_.back())
			out_ += ',';
		first_.back() = false;
	}
}

json &json::begin_object()
{
	sep();
	out_ += '{';
	first_.push_back(true);
	return *this;
}

json &json::end_object()
{
	out_ += '}';
	first_.pop_back();
	return *this;
}

json &json::begin_array()
{
	sep();
	out_ += '[';
	first_.push_back(true);
	return *this;
}

json &json::end_array()
{
	out_ += ']';
	first_.pop_back();
	return *this;
}

json &json::key(const std::string &k)
{
	sep();
	out_ += escape(k);
	out_ += ':';
	after_key_ = true;
	return *this;
}

json &json::value(const std::string &s)
{
	sep();
	out_ += escape(s);
	return *this;
}

json &json::value(std::uint64_t v)
{
	sep();
	out_ += std::to_string(v);
	return *this;
}

json &json::value(bool b)
{
	sep();
	out_ += b ? "true" : "false";
	return *this;
}

json &json::null()
{
	sep();
	out_ += "null";
	return *this;
}

json &json::value(const toa::endpoint &e)
{
	if (e.empty())
		return null();
	begin_object();
	key("addr").value(e.address());
	key("port").value(static_cast<std::uint64_t>(e.port));
	return end_object();
}

// ---- table ----

std::string table::render(bool with_header) const
{
	std::vector<std::size_t> w(header_.size(), 0);
	std::string out;

	auto widen = [&](const std::vector<std::string> &r) {
		for (std::size_t i = 0; i < r.size() && i < w.size(); i++)
			w[i] = std::max(w[i], r[i].size());
	};
	if (with_header)
		widen(header_);
	for (auto &r : rows_)
		widen(r);
	auto line = [&](const std::vector<std::string> &r) {
		for (std::size_t i = 0; i < r.size(); i++) {
			out += r[i];
			if (i + 1 < r.size())
				out.append(w[i] - r[i].size() + 2, ' ');
		}
		out += '\n';
	};
	if (with_header)
		line(header_);
	for (auto &r : rows_)
		line(r);
	return out;
}

} // namespace toactl
