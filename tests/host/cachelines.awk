# cachelines.awk: the members of a struct that straddle cache lines.
#
#   pahole -F btf --btf_base VMLINUX_BTF -E -C STRUCT MODULE.ko | awk -f cachelines.awk
#
# "pahole -E" expands every nested struct and union and ends each member
# with /* offset size */, offsets counted from the start of STRUCT.  This
# prints "path offset size" for each member, at any depth, that is at most
# one 64-byte line long but spans two.  (A bigger member spans lines
# anyway; bitfields sit inside an aligned unit and are left out.)
# With -v all=1 it prints every member instead, with the same paths.
function leaf_name(line,	m) {
	sub(/;.*/, "", line)
	gsub(/ *__attribute__\(\(.*\)\)/, "", line)
	if (match(line, /\(\*[A-Za-z_0-9]+\)/))	# a function pointer
		return substr(line, RSTART + 2, RLENGTH - 3)
	sub(/\[.*/, "", line)
	sub(/.*[ *]/, "", line)
	return line
}
{
	line = $0
	sub(/^[ \t]+/, "", line)
}
line ~ /\{$/ && line !~ /^\}/ {		# a nested struct or union opens
	top++
	first[top] = n + 1
	next
}
line ~ /^\}/ && match(line, /\/\* *[0-9]+ +[0-9]+ *\*\/$/) {	# ... and closes
	split(substr(line, RSTART + 2, RLENGTH - 4), f, " ")
	name = line
	sub(/^\} */, "", name)
	sub(/;.*/, "", name)
	gsub(/ *__attribute__\(\(.*\)\)/, "", name)
	sub(/\[.*/, "", name)
	if (name == "") name = "(anon)"
	for (k = first[top]; k <= n; k++)
		path[k] = name "." path[k]
	top--
	n++
	path[n] = name; off[n] = f[1]; size[n] = f[2]
	next
}
line ~ /\/\* *[0-9]+: *[0-9]+ +[0-9]+ *\*\/$/ { next }	# a bitfield
match(line, /\/\* *[0-9]+ +[0-9]+ *\*\/$/) {		# a plain member
	split(substr(line, RSTART + 2, RLENGTH - 4), f, " ")
	n++
	path[n] = leaf_name(line); off[n] = f[1]; size[n] = f[2]
}
END {
	for (k = 1; k <= n; k++)
		if (all || (size[k] > 0 && size[k] <= 64 &&
			    int(off[k] / 64) != int((off[k] + size[k] - 1) / 64)))
			printf "%s %d %d\n", path[k], off[k], size[k]
}
