// SPDX-License-Identifier: MIT
//
// toactl conns' output (cmd_conns.cpp runs the dump): which sockets the
// filters let through, and the listing as text columns or as one JSON
// object, streamed, that stays valid when the dump fails part-way.
#pragma once

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cidr.hpp"
#include "toactl.hpp"

namespace toactl {

struct conns_options {
	bool header = true;
	bool count = false;
	bool all = false;
	std::optional<std::uint16_t> port;
	std::optional<cidr> client, balancer;

	bool wanted(const toa::socket_entry &e) const
	{
		return (!port || e.local.port == *port) &&
		       (!client || client->contains(e.client)) &&
		       (!balancer || balancer->contains(e.balancer));
	}
};

// Rows are sized on the first batch, then streamed with those widths.
// JSON goes through one writer whose text is written out every 64 KiB.
class conns_printer {
public:
	conns_printer(const context &ctx, const conns_options &o)
	    : ctx_(ctx), o_(o), j_(buf_, ctx.pretty)
	{
		if (!ctx_.json)
			return;
		j_.begin_object();
		j_.key("schema").value(json_schema);
		if (!o_.count)
			j_.key("conns").begin_array();
	}

	void add(const std::string &netns, const toa::socket_entry &e)
	{
		if (!o_.wanted(e))
			return;
		n_++;
		if (o_.count)
			return;
		if (ctx_.json) {
			j_.begin_object();
			if (o_.all)
				j_.key("netns").value(netns);
			put_socket(j_, e);
			j_.end_object();
			if (buf_.size() >= 65536)
				write_out();
			return;
		}
		std::vector<std::string> row;
		if (o_.all)
			row.push_back(netns);
		row.insert(row.end(),
			   { e.local.to_string(), e.balancer.to_string(), e.client.to_string(),
			     toa::format_name(e.format), format_age(e.age_ms) });
		if (widths_.empty()) {
			pending_.push_back(std::move(row));
			if (pending_.size() >= 1024)
				flush();
		} else {
			print(row);
		}
	}

	// The end of the listing; @failure (exit code, message) when the dump
	// stopped part-way: JSON then still closes, with an "error" object.
	void finish(const std::optional<std::pair<int, std::string>> &failure = std::nullopt)
	{
		if (ctx_.json) {
			if (!o_.count)
				j_.end_array();
			j_.key("count").value(static_cast<std::uint64_t>(n_));
			if (failure) {
				j_.key("error").begin_object();
				j_.key("exit").value(static_cast<std::uint64_t>(failure->first));
				j_.key("message").value(failure->second);
				j_.end_object();
			}
			j_.end_object();
			buf_ += '\n';
			write_out();
			note_json_printed();
			return;
		}
		if (o_.count) {
			std::printf("%zu\n", n_);
			return;
		}
		flush();
	}

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

	void write_out()
	{
		std::fputs(buf_.c_str(), stdout);
		buf_.clear();
	}

	const context &ctx_;
	const conns_options &o_;
	std::string buf_;
	json j_;
	std::size_t n_ = 0;
	std::vector<std::vector<std::string>> pending_;
	std::vector<std::size_t> widths_;
};

// toa.ko missing and the BPF mode attached: the listing from its iterator
// (cmd_bpf.cpp; only with TOA_HAVE_BPF). -1, having printed nothing,
// in every other case (-n and -A ask about the module's namespaces).
int bpf_conns(const context &ctx, const conns_options &o);

} // namespace toactl
