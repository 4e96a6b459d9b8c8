# tests/host/install.sh - the man pages, make install and the systemd unit
# (sourced by run.sh: check, skip, $build).
#
# Each page is rendered by man(1) as a reader would (man -l, with every
# groff warning on: a warning fails it), and every long option its tool's
# --help lists must be in the rendered page, so a page cannot silently
# fall behind its tool.  make install goes into a temp DESTDIR with
# PREFIX=/usr: exactly the listed files, with their modes, and a unit
# whose ExecStart is the installed exittrace; systemd-analyze verifies the
# unit as systemd would load it.

man_quiet() {	# man_quiet PAGE: rendered without a warning
	local err
	err=$(LC_ALL=C MANWIDTH=80 man --warnings=w -l "$1" 2>&1 >/dev/null)
	[ -z "$err" ] || { echo "$err"; return 1; }
	echo "no warnings"
}

# man_has_options PAGE TOOL...: every long option of TOOL --help in PAGE
man_has_options() {
	local page=$1 text opts o missing=
	shift
	text=$(LC_ALL=C MANWIDTH=80 man -l "$page" 2>/dev/null | col -b) || return 1
	opts=$("$@" --help | sed -n 's/^ *\(-[^ ,], \)\{0,1\}\(--[a-z][a-z0-9-]*\).*/\2/p' | sort -u)
	[ -n "$opts" ] || { echo "no long options in $* --help"; return 1; }
	for o in $opts; do
		grep -q -- "$o\b" <<<"$text" || missing="$missing $o"
	done
	[ -z "$missing" ] || { echo "missing from $page:$missing"; return 1; }
	echo "all $(wc -w <<<"$opts") long options in $page"
}

for tool in exittrace:8:./exittrace exitstat:1:./exitstat exitdiff:1:$build/exitdiff; do
	IFS=: read -r name section bin <<<"$tool"
	page=docs/man/$name.$section
	check "man-$name-renders" 0 '^no warnings$' man_quiet "$page"
	check "man-$name-options" 0 '^all [0-9]+ long options' man_has_options "$page" "$bin"
done

# The control: a page that lacks an option, and one groff warns about.
man_broken=$(mktemp -d)
grep -v 'no\\-latency' docs/man/exittrace.8 >"$man_broken/exittrace.8"
check man-missing-option-fails 1 'missing from .*: --no-latency$' \
	man_has_options "$man_broken/exittrace.8" ./exittrace
printf '.TH BROKEN 1\n.SH NAME\nbroken\n.XY\n' >"$man_broken/broken.1"
check man-warning-fails 1 "macro 'XY' not defined" man_quiet "$man_broken/broken.1"
rm -rf "$man_broken"

# make install into a DESTDIR: the files, their modes, the unit's program
install_files() {	# install_files DESTDIR: make install there, list it
	make -s --no-print-directory install BUILD="$build" DESTDIR="$1" PREFIX=/usr >/dev/null || return 1
	(cd "$1" && find . -type f -printf '%m %p\n' | sort)
}
install_as_listed() {
	local dest got want
	dest=$(mktemp -d)
	got=$(install_files "$dest") || { rm -rf "$dest"; echo "make install failed"; return 1; }
	want='644 ./usr/lib/systemd/system/exittrace.service
644 ./usr/share/man/man1/exitdiff.1
644 ./usr/share/man/man1/exitstat.1
644 ./usr/share/man/man8/exittrace.8
755 ./usr/bin/exitdiff
755 ./usr/bin/exitstat
755 ./usr/sbin/exittrace'
	if [ "$got" != "$want" ]; then
		diff <(echo "$want") <(echo "$got")
		rm -rf "$dest"
		return 1
	fi
	grep -q '^ExecStart=/usr/sbin/exittrace ' "$dest/usr/lib/systemd/system/exittrace.service" ||
		{ echo "ExecStart is not /usr/sbin/exittrace"; rm -rf "$dest"; return 1; }
	# uninstall takes back every file it put there
	make -s --no-print-directory uninstall BUILD="$build" DESTDIR="$dest" PREFIX=/usr
	got=$(cd "$dest" && find . -type f)
	rm -rf "$dest"
	[ -z "$got" ] || { echo "left after uninstall: $got"; return 1; }
	echo "installed as listed, uninstalled"
}
check install-destdir 0 '^installed as listed, uninstalled$' install_as_listed

# The unit, as systemd loads it: systemd-analyze verify reads it with the
# installed exittrace beside it (--root: the DESTDIR as its file system,
# with the host's targets copied in for the unit's default dependencies).
# Any word from it fails the check: it only warns about an unknown key,
# so the control (a misspelt key) must fail on its output.
unit_root() {	# unit_root DESTDIR: make install there, plus the targets
	install_files "$1" >/dev/null &&
		cp /usr/lib/systemd/system/*.target "$1/usr/lib/systemd/system/"
}
unit_verify() {	# unit_verify DESTDIR [SED]: verify the installed unit
	local dest=$1 unit=/usr/lib/systemd/system/exittrace.service said
	[ -z "${2:-}" ] || sed -i "$2" "$dest$unit"
	said=$(systemd-analyze verify --man=no --root="$dest" "$unit" 2>&1) &&
		[ -z "$said" ] || { echo "$said"; return 1; }
	echo "verified"
}
# How much of the system the unit exposes, by systemd's own measure (0 to
# 10; without its hardening lines the unit scores 9.6, with them 3.6): at most 4.0.
unit_exposure() {	# unit_exposure DESTDIR [SED]
	local dest=$1 unit=/usr/lib/systemd/system/exittrace.service level
	[ -z "${2:-}" ] || sed -i "$2" "$dest$unit"
	level=$(systemd-analyze security --offline=yes --root="$dest" "$unit" 2>&1 |
		sed -n 's/.*Overall exposure level for exittrace.service: \([0-9.]*\).*/\1/p')
	echo "exposure ${level:-unknown}"
	[ -n "$level" ] && awk -v l="$level" 'BEGIN { exit !(l <= 4.0) }'
}
if command -v systemd-analyze >/dev/null; then
	unit_dest=$(mktemp -d)
	if unit_root "$unit_dest"; then
		check unit-verify 0 '^verified$' unit_verify "$unit_dest"
		check unit-exposure 0 '^exposure [0-3]\.|^exposure 4\.0$' unit_exposure "$unit_dest"
		cp -a "$unit_dest" "$unit_dest.bad"
		check unit-verify-bad-key 1 "Unknown key .CapabilityBoundngSet" \
			unit_verify "$unit_dest.bad" 's/^CapabilityBoundingSet=/CapabilityBoundngSet=/'
		check unit-verify-bad-exec 1 'Command /usr/bin/exittrace is not executable' \
			unit_verify "$unit_dest.bad" 's|^ExecStart=/usr/sbin/|ExecStart=/usr/bin/|;s/^CapabilityBoundngSet=/CapabilityBoundingSet=/'
		check unit-exposure-unhardened 1 '^exposure [5-9]' \
			unit_exposure "$unit_dest.bad" '/^\(Protect\|Private\|Restrict\|Capability\|NoNew\|Lock\|Memory\|SystemCall\)/d'
		rm -rf "$unit_dest.bad"
	else
		check unit-verify 0 'make install' false
	fi
	rm -rf "$unit_dest"
else
	check unit-verify 0 'systemd-analyze' \
		sh -c 'echo "no systemd-analyze: install Debian'\''s systemd package (scripts/deps.sh)"; exit 1'
fi
