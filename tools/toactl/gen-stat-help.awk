# SPDX-License-Identifier: MIT
#
# gen-stat-help.awk - the help text of every counter, taken from the
# comment above its enumerator in include/toa/stats.h (where each counter's
# meaning is defined, once), as a C++ table in enum order for
# `toactl stats --prometheus`:
#   { "TOA_STAT_NAME", "one line of help", is_gauge },
# A comment that says "gauge" marks a gauge; every other one is a counter.
# Usage: awk -v out=stat_help.inc -f gen-stat-help.awk include/toa/stats.h

BEGIN {
	if (out == "")
		out = "/dev/stdout"
	print "// Generated from include/toa/stats.h by tools/toactl/gen-stat-help.awk." > out
	print "// Do not edit: change the counter's comment there." > out
}

/^enum toa_stat \{/ { in_enum = 1; next }
in_enum && /^\};/ { in_enum = 0; exit }
!in_enum { next }

# A comment (one line or several): its text, whitespace folded. A new
# comment replaces the one before (section headers are dropped).
/\/\*/ { text = ""; in_comment = 1 }
in_comment {
	line = $0
	sub(/^[ \t]*\/\*+/, "", line)
	sub(/\*+\/.*$/, "", line)
	sub(/^[ \t]*\*[ \t]?/, "", line)
	text = text " " line
	if ($0 ~ /\*\//)
		in_comment = 0
	next
}

/^[ \t]*TOA_STAT_[A-Z0-9_]+,/ {
	name = $1
	sub(/,.*/, "", name)
	gsub(/[ \t]+/, " ", text)
	sub(/^ /, "", text)
	sub(/ $/, "", text)
	gsub(/\\/, "\\\\", text)
	gsub(/"/, "\\\"", text)
	if (text == "") {
		print "gen-stat-help.awk: " name " has no comment" > "/dev/stderr"
		exit 1
	}
	gauge = text ~ /gauge/ ? "true" : "false"
	printf "{ \"%s\", \"%s\", %s },\n", name, text, gauge > out
	text = ""
}
