# exitrecord.awk - read an `exittrace --record` file (CSV or JSON lines),
# check it line by line, and print it in one normalized form.
#
#   awk -f exitrecord.awk RECORD            normalized, tab-separated:
#       meta KEY VALUE
#       exits t0 t1 pid isa code name count lat_count lat_sum_ns
#       interval t0 t1 count lat_count lat_sum_ns
#       key t0 t1 pid kind code name count lat_count lat_sum_ns   (--by)
#       mark t label
#       end t why count lat_count lat_sum_ns
#   awk -v sums=1 -f exitrecord.awk RECORD  per (pid, isa, code) sums of
#       the exits records, then one "total" line
#   awk -v key_window=LABEL -f exitrecord.awk RECORD  (--by) the key
#       records from the mark LABEL to the next mark (or the end), summed
#       per (pid, kind, key/dir): "window t0 t1", then one line each:
#       key pid kind key/dir count lat_count lat_sum_ns
#
# Checked: the format and version, ten fields per CSV line, numbers where
# numbers belong, intervals that follow each other from 0, each interval
# record equal to the sum of its exits records, and the end record equal
# to the sum of all of them.  The first problem ends the run (exit 1) with
# "exitrecord: FILE:LINE: what is wrong".  A file without an end record
# (a killed run) is read with a warning.  POSIX awk: mawk and busybox too.

function fail(msg) {
	printf "exitrecord: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
	exit 1
}

function jstr(key,   s) {
	if (!match($0, "\"" key "\":\"[^\"]*\""))
		return ""
	s = substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 5)
	return s
}

function jnum(key) {
	if (!match($0, "\"" key "\":-?[0-9.]+"))
		return ""
	return substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
}

function is_time(v) { return v ~ /^[0-9]+\.[0-9]+$/ }
function is_count(v) { return v ~ /^[0-9]+$/ }

function need_counts() {
	if (!is_count(count) || !is_count(lat_count) || !is_count(lat_sum))
		fail("count, lat_count and lat_sum_ns must be whole numbers")
}

function out(line) {
	if (!sums && key_window == "")
		print line
}

BEGIN {
	OFS = "\t"
	header = "t0_s,t1_s,kind,pid,isa,code,name,count,lat_count,lat_sum_ns"
	have_meta = 0; have_header = 0; ended = 0
	open_t0 = ""; open_t1 = ""; open_sum = 0
	last_t0 = ""; last_t1 = "0.000"; total = 0; total_lat = 0; intervals = 0; marks = 0
}

{ sub(/\r$/, "") }

# ---- metadata ---------------------------------------------------------------
FNR == 1 {
	if ($0 ~ /^\{/) {
		json = 1
		if (jstr("kind") != "meta" || jstr("format") != "exittrace-record")
			fail("not an exittrace record: the first line is no {\"kind\":\"meta\",\"format\":\"exittrace-record\",...}")
		if (jnum("version") != 1)
			fail("record format version " jnum("version") ", this reader knows 1")
		out("meta" OFS "tool" OFS jstr("tool"))
		out("meta" OFS "start_utc" OFS jstr("start_utc"))
		out("meta" OFS "isa" OFS jstr("isa"))
		meta_isa = jstr("isa")
		out("meta" OFS "kernel" OFS jstr("kernel"))
		out("meta" OFS "interval_s" OFS jnum("interval_s"))
		have_meta = have_header = 1
		next
	}
	if ($0 != "# format=exittrace-record")
		fail("not an exittrace record: the first line is not '# format=exittrace-record'")
	have_meta = 1
	next
}
!json && /^#/ {
	if (have_header)
		fail("metadata after the column header")
	kv = substr($0, 3)
	k = substr(kv, 1, index(kv, "=") - 1)
	v = substr(kv, index(kv, "=") + 1)
	if (k == "version" && v != 1)
		fail("record format version " v ", this reader knows 1")
	if (k == "isa")
		meta_isa = v
	out("meta" OFS k OFS v)
	next
}
!json && !have_header {
	if ($0 != header)
		fail("expected the column header '" header "'")
	have_header = 1
	next
}

# ---- records ----------------------------------------------------------------
{
	if (ended)
		fail("a record after the end record")
	if (json) {
		kind = jstr("kind"); t0 = jnum("t0_s"); t1 = jnum("t1_s")
		pid = jnum("pid"); isa = jstr("isa"); code = jnum("code"); name = jstr("name")
		count = jnum("count"); lat_count = jnum("lat_count"); lat_sum = jnum("lat_sum_ns")
	} else {
		if (split($0, f, ",") != 10)
			fail("expected 10 comma-separated fields, found " split($0, f, ","))
		t0 = f[1]; t1 = f[2]; kind = f[3]; pid = f[4]; isa = f[5]; code = f[6]
		name = f[7]; count = f[8]; lat_count = f[9]; lat_sum = f[10]
	}
	if (!is_time(t0) || !is_time(t1) || t1 + 0 < t0 + 0)
		fail("bad times t0_s='" t0 "' t1_s='" t1 "'")
}
kind == "exits" {
	need_counts()
	if (!is_count(pid) || !is_count(code) || isa !~ /^(VMX|SVM|\?)$/ || name == "")
		fail("an exits record needs pid, isa (VMX/SVM), code and name")
	# the host's vendor in the header must be that of its exits
	if (meta_isa ~ /^(VMX|SVM)$/ && isa ~ /^(VMX|SVM)$/ && isa != meta_isa)
		fail("the header says isa=" meta_isa " but an exits record is " isa)
	if (open_t0 == "") {
		if (t0 != last_t1)
			fail("interval starts at " t0 " but the previous one ended at " last_t1)
		open_t0 = t0; open_t1 = t1; open_sum = 0
	} else if (t0 != open_t0 || t1 != open_t1) {
		fail("exits record for [" t0 ", " t1 ") inside interval [" open_t0 ", " open_t1 ")")
	}
	open_sum += count
	key = pid SUBSEP isa SUBSEP code
	if (!(key in r_count))
		keys[++nkeys] = key
	r_name[key] = name; r_count[key] += count; r_lat_count[key] += lat_count
	r_lat[key] += lat_sum
	total += count; total_lat += lat_sum
	out("exits" OFS t0 OFS t1 OFS pid OFS isa OFS code OFS name OFS count OFS lat_count OFS lat_sum)
	next
}
kind == "interval" {
	need_counts()
	if (t0 != last_t1)
		fail("interval starts at " t0 " but the previous one ended at " last_t1)
	if (open_t0 != "" && (t0 != open_t0 || t1 != open_t1))
		fail("interval [" t0 ", " t1 ") closes exits records of [" open_t0 ", " open_t1 ")")
	if (count + 0 != open_sum)
		fail("interval count " count " but its exits records sum to " open_sum)
	out("interval" OFS t0 OFS t1 OFS count OFS lat_count OFS lat_sum)
	last_t0 = t0; last_t1 = t1; open_t0 = ""; open_sum = 0; intervals++
	next
}
# --by: the keys of the interval just closed; not part of its sums
kind == "key" {
	need_counts()
	if (!is_count(pid) || !is_count(code) || isa !~ /^(port|mmio|msr|gpa|hypercall)$/ ||
	    name !~ /^[0-9a-fx]+\/(in|out|read|write|-)$/)
		fail("a key record needs pid, a kind (port, mmio, msr, gpa, hypercall), code and KEY/DIR")
	if (open_t0 != "" || t0 != last_t0 || t1 != last_t1)
		fail("key record for [" t0 ", " t1 ") is not after that interval's record")
	out("key" OFS t0 OFS t1 OFS pid OFS isa OFS code OFS name OFS count OFS lat_count OFS lat_sum)
	if (in_window) {
		wk = pid OFS isa OFS name
		if (!(wk in w_count))
			wkeys[++nwkeys] = wk
		w_count[wk] += count; w_lat_count[wk] += lat_count; w_lat[wk] += lat_sum
	}
	next
}
kind == "mark" {
	if (name !~ /^[A-Za-z0-9_.-]+$/)
		fail("a mark needs a label")
	if (open_t0 != "")
		fail("a mark inside an open interval")
	out("mark" OFS t1 OFS name)
	marks++
	if (in_window) {
		in_window = 0; win_t1 = t1
	} else if (key_window != "" && name == key_window && win_t0 == "") {
		in_window = 1; win_t0 = t1
	}
	next
}
kind == "end" {
	need_counts()
	if (open_t0 != "")
		fail("the end record inside an open interval")
	if (t1 != last_t1)
		fail("the end record at " t1 " but the last interval ended at " last_t1)
	if (count + 0 != total || lat_sum + 0 != total_lat)
		fail("the end record says " count " exits / " lat_sum " ns, the intervals sum to " total " / " total_lat)
	out("end" OFS t1 OFS name OFS count OFS lat_count OFS lat_sum)
	why = name; ended = 1
	if (in_window) {
		in_window = 0; win_t1 = t1
	}
	next
}
{ fail("unknown record kind '" kind "'") }

END {
	if (failed)
		exit 1
	if (!have_meta || !have_header)
		fail("no records: the file ends in its header")
	if (open_t0 != "")
		fail("the file ends inside an interval (its interval record is missing)")
	if (!ended)
		printf "exitrecord: %s: no end record: the run did not stop cleanly; read %d complete intervals\n",
			FILENAME, intervals > "/dev/stderr"
	if (key_window != "") {
		if (win_t0 == "")
			fail("no mark labelled " key_window)
		if (win_t1 == "")
			win_t1 = last_t1
		printf "window\t%s\t%s\n", win_t0, win_t1
		for (i = 1; i <= nwkeys; i++)
			printf "key\t%s\t%.0f\t%.0f\t%.0f\n", wkeys[i], w_count[wkeys[i]],
				w_lat_count[wkeys[i]], w_lat[wkeys[i]]
		exit 0
	}
	if (!sums)
		exit 0
	for (i = 1; i <= nkeys; i++) {
		split(keys[i], kp, SUBSEP)
		printf "%s\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\n", kp[1], kp[2], kp[3], r_name[keys[i]],
			r_count[keys[i]], r_lat_count[keys[i]], r_lat[keys[i]]
	}
	printf "total\t%.0f\t%.0f\tintervals=%d\tmarks=%d\tend=%s\n", total, total_lat,
		intervals, marks, ended ? why : "none"
}
