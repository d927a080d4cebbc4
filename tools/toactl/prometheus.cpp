// SPDX-License-Identifier: MIT
//
// toactl stats --prometheus: the counters in Prometheus' text exposition
// format, as node_exporter's textfile collector reads it. Each metric's
// HELP is the counter's definition in include/toa/stats.h (generated into
// stat_help.inc at build time, so it cannot drift from the header).
#include <cstring>

#include <toa/stats.h>

#include "toactl.hpp"

namespace toactl {

namespace {

struct stat_help {
	const char *enumerator; // "TOA_STAT_OPT_SEEN"
	const char *help;
	bool gauge;
};

const stat_help stat_helps[] = {
#include "stat_help.inc"
};
static_assert(sizeof(stat_helps) / sizeof(stat_helps[0]) == TOA_STAT_COUNT,
	      "every enum toa_stat entry has its help text");

// Escape @s for the text format: a backslash and a line feed in HELP
// text, and also the double quote in a label value.
std::string escape(const std::string &s, bool label)
{
	std::string out;

	for (char c : s) {
		if (c == '\\')
			out += "\\\\";
		else if (c == '\n')
			out += "\\n";
		else if (c == '"' && label)
			out += "\\\"";
		else
			out += c;
	}
	return out;
}

// Counter names come from the kernel: keep only what a metric name allows.
bool valid_name(const std::string &s)
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	return true;
}

std::string labels_text(const std::vector<std::pair<std::string, std::string>> &labels)
{
	std::string out;

	for (auto &[k, v] : labels)
		out += (out.empty() ? "" : ",") + k + "=\"" + escape(v, true) + "\"";
	return out.empty() ? "" : "{" + out + "}";
}

void metric(std::string &out, const std::string &name, const char *type, const std::string &help,
	    const std::string &labels, std::uint64_t v)
{
	out += "# HELP " + name + " " + escape(help, false) + "\n";
	out += "# TYPE " + name + " " + type + "\n";
	out += name + labels + " " + std::to_string(v) + "\n";
}

} // namespace

const char *stat_help_text(std::size_t id, bool *gauge)
{
	if (id >= TOA_STAT_COUNT)
		return nullptr;
	if (gauge)
		*gauge = stat_helps[id].gauge;
	return stat_helps[id].help;
}

std::string prometheus_text(const std::vector<named_value> &counters, const prometheus_source &src)
{
	std::vector<std::pair<std::string, std::string>> labels;
	std::string out;

	if (!src.netns.empty())
		labels.emplace_back("netns", src.netns);
	const std::string common = labels_text(labels);
	auto info = labels;
	info.emplace_back("mode", src.mode);
	info.emplace_back("version", src.version);
	metric(out, "toa_info", "gauge",
	       "What answers for TOA on this node (mode: module for toa.ko, bpf for the "
	       "module-free mode) and its version; always 1.",
	       labels_text(info), 1);
	for (auto &c : counters) {
		if (!valid_name(c.name))
			continue;
		bool gauge = false;
		const char *help = nullptr;
		for (std::size_t i = 0; i < TOA_STAT_COUNT; i++)
			if (c.name == toa_stat_name(i))
				help = stat_help_text(i, &gauge);
		std::string h =
			help ? help : "toa counter " + c.name + " (not described by this toactl)";
		// Prometheus' convention: a counter's name ends in _total.
		metric(out, "toa_" + c.name + (gauge ? "" : "_total"), gauge ? "gauge" : "counter",
		       h, common, c.value);
	}
	return out;
}

} // namespace toactl
