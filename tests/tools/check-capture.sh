#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-capture.sh PCAP [DISPLAY-FILTER] [--strict]
#
# Reads a capture (tcpdump -w) with tshark and checks that every TCP packet
# in it (or every one matching DISPLAY-FILTER, default "tcp") is
# well-formed: IPv4 header checksum and TCP checksum (pseudo-header
# included) both right. Prints each TOA-like option it sees (kinds 254,
# 253, 200), then a summary line. Exit 0: all good; 1: a bad checksum, or
# no TCP packet at all; 2: usage, missing file or tshark.
#
# Checksum offload. A packet captured before its checksum was computed
# (Linux CHECKSUM_PARTIAL: sent by a local socket or forwarded through veth
# untouched, e.g. the SYN and the server's replies in the VM topology)
# carries only the folded pseudo-header sum. Those are recognised exactly
# (the stored value equals that sum), counted as "offload" and not as bad,
# unless --strict is given. A packet carrying a TOA option is always
# checked strictly: toa-inject writes a complete checksum.
#
# Output, one line per TOA-like option, then the summary:
#
#   frame 3: 10.0.2.1:40001 > 10.0.2.2:8000 kind=254 len=8 port=40001 addr=10.0.1.2
#   frame 9: 10.0.2.1:40003 > 10.0.2.2:8000 kind=254 len=7 not-a-toa-length bytes=fe079c430a0001
#   frame 12: 10.0.2.1:40004 > 10.0.2.2:8000 kind=254 len=8 truncated bytes=fe089c44
#   summary: tcp=20 good=8 offload=12 bad=0 toa=2
#
# Bad packets are listed as "BAD frame N: ... (tcp checksum 0x1234, want
# offload-sum 0x5678)" or "(ip checksum)" lines on stderr.
set -uo pipefail

usage() {
	echo "usage: check-capture.sh PCAP [DISPLAY-FILTER] [--strict]" >&2
	exit 2
}

strict=0
args=()
for a in "$@"; do
	case $a in
	--strict) strict=1 ;;
	-h | --help) usage ;;
	*) args+=("$a") ;;
	esac
done
((${#args[@]} >= 1 && ${#args[@]} <= 2)) || usage
pcap=${args[0]}
filter=${args[1]:-tcp}
[[ -r $pcap ]] || { echo "check-capture.sh: cannot read $pcap" >&2; exit 2; }
command -v tshark >/dev/null || { echo "check-capture.sh: tshark not found" >&2; exit 2; }

errf=$(mktemp)
trap 'rm -f "$errf"' EXIT

# One tab-separated line per packet. A capture cut short by killing tcpdump
# makes tshark complain and exit non-zero after printing what it could
# read: the checks below still apply to every packet it printed.
tshark -n -r "$pcap" -Y "$filter" \
	-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
	-T fields -E separator=/t -E occurrence=f \
	-e frame.number -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
	-e tcp.srcport -e tcp.dstport -e tcp.hdr_len -e tcp.len \
	-e tcp.checksum -e tcp.checksum.status -e ip.checksum.status \
	-e tcp.options 2>"$errf" |
awk -F '\t' -v strict="$strict" -v errf="$errf" '
function hex(s,   i, c, v) {
	s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (!c) return -1
		v = v * 16 + c - 1
	}
	return v
}
function fold(s) { while (s > 65535) s = (s % 65536) + int(s / 65536); return s }
# Sum of the 16-bit words of an IPv4 or IPv6 address in text form.
function addr_sum(a,   n, i, parts, head, tail, h, t, nh, nt, s, q) {
	if (a !~ /:/) {
		split(a, q, ".")
		return (q[1] * 256 + q[2]) + (q[3] * 256 + q[4])
	}
	if (a ~ /\./) {			# ::ffff:10.0.1.2 and friends
		n = split(a, parts, ":")
		split(parts[n], q, ".")
		sub(/[^:]*$/, sprintf("%x:%x", q[1] * 256 + q[2], q[3] * 256 + q[4]), a)
	}
	s = 0
	if (a ~ /::/) {
		head = a; sub(/::.*/, "", head)
		tail = a; sub(/.*::/, "", tail)
		nh = head == "" ? 0 : split(head, h, ":")
		nt = tail == "" ? 0 : split(tail, t, ":")
		for (i = 1; i <= nh; i++) s += hex(h[i])
		for (i = 1; i <= nt; i++) s += hex(t[i])
		return s
	}
	n = split(a, parts, ":")
	for (i = 1; i <= n; i++) s += hex(parts[i])
	return s
}
function ep(a, p) { return (a ~ /:/) ? "[" a "]:" p : a ":" p }
function v6text(b,   i, g, best, bl, cur, cl, s, sep) {
	# b: 32 hex digits. RFC 5952: lower case, no leading zeros, the
	# longest run (>= 2) of zero groups as "::"; v4-mapped as ::ffff:a.b.c.d
	if (substr(b, 1, 24) == "00000000000000000000ffff")
		return "::ffff:" hex(substr(b, 25, 2)) "." hex(substr(b, 27, 2)) "." \
			hex(substr(b, 29, 2)) "." hex(substr(b, 31, 2))
	best = 0; bl = 0; cur = 0; cl = 0
	for (i = 0; i < 8; i++) {
		g[i] = hex(substr(b, i * 4 + 1, 4))
		if (g[i] == 0) {
			if (!cl) cur = i
			cl++
			if (cl > bl) { bl = cl; best = cur }
		} else cl = 0
	}
	if (bl < 2) bl = 0
	s = ""; sep = ""
	for (i = 0; i < 8; i++) {
		if (bl && i == best) { s = s "::"; sep = ""; i += bl - 1; continue }
		s = s sep sprintf("%x", g[i]); sep = ":"
	}
	return s
}
# Walk the option bytes (hex string); print the TOA-like ones.
function options(o, where,   n, i, kind, len, bytes, port, a, found) {
	n = length(o) / 2; i = 0; found = 0
	while (i < n) {
		kind = hex(substr(o, i * 2 + 1, 2))
		if (kind == 0) break
		if (kind == 1) { i++; continue }
		if (i + 1 >= n) { len = -1 } else len = hex(substr(o, i * 2 + 3, 2))
		if (kind == 254 || kind == 253 || kind == 200) {
			found++
			bytes = substr(o, i * 2 + 1, (len > 0 && i + len <= n ? len : n - i) * 2)
			if (len < 2)
				print where " kind=" kind " len=" len " bad-length bytes=" substr(o, i * 2 + 1, 4)
			else if (i + len > n)
				print where " kind=" kind " len=" len " truncated bytes=" bytes
			else if (len == 8) {
				port = hex(substr(o, i * 2 + 5, 4))
				a = hex(substr(o, i * 2 + 9, 2)) "." hex(substr(o, i * 2 + 11, 2)) "." \
				    hex(substr(o, i * 2 + 13, 2)) "." hex(substr(o, i * 2 + 15, 2))
				print where " kind=" kind " len=8 port=" port " addr=" a
			} else if (len == 20) {
				port = hex(substr(o, i * 2 + 5, 4))
				print where " kind=" kind " len=20 port=" port " addr=" \
					v6text(substr(o, i * 2 + 9, 32))
			} else
				print where " kind=" kind " len=" len " not-a-toa-length bytes=" bytes
		}
		if (len < 2 || i + len > n) break
		i += len
	}
	return found
}
{
	frame = $1
	v6 = ($2 == "")
	src = v6 ? $4 : $2; dst = v6 ? $5 : $3
	if (src == "") next			# not IP (should not happen)
	tcp++
	where = "frame " frame ": " ep(src, $6) " > " ep(dst, $7)
	gsub(/:/, "", $13)
	has = options($13, where)
	toa += has
	if (!v6 && $12 == "0") {
		print "BAD " where " (ip checksum)" > "/dev/stderr"
		bad++
		next
	}
	if ($11 == "1") { good++; next }
	if ($11 == "2" || $11 == "") { unverified++; next }
	# Bad: is it an offload-pending (partial) checksum?
	tl = $8 + $9
	ps = fold(addr_sum(src) + addr_sum(dst) + 6 + (v6 ? int(tl / 65536) + tl % 65536 : tl))
	ck = hex($10)
	if (!strict && !has && (ck == ps || (ck + ps == 65535 && (ck == 0 || ps == 0)))) {
		offload++
		next
	}
	printf "BAD %s (tcp checksum 0x%04x; offload-sum would be 0x%04x)\n", where, ck, ps > "/dev/stderr"
	bad++
}
END {
	printf "summary: tcp=%d good=%d offload=%d bad=%d toa=%d%s\n", tcp, good, offload, bad, toa, \
		unverified ? " unverified=" unverified : ""
	if (!tcp) {
		print "check-capture.sh: no TCP packet in the capture" > "/dev/stderr"
		while ((getline line < errf) > 0)
			if (line !~ /Running as user/) print "tshark: " line > "/dev/stderr"
		exit 1
	}
	exit bad ? 1 : 0
}'
