# \summary: the TESTLIST line format, parsed in one place for every runner
#
# Sourced by run-golden.sh, run-expect.sh, run-shard.sh, run-jobs.sh and
# run-valgrind.sh.  A line is `NAME DIR INPUTS OPTIONS... [compare=MODE]
# [xfail=REASON]`; the runners read NAME DIR INPUTS and the rest.

# testlist_split REST: split what follows NAME DIR INPUTS into $opts (the
# ctreplay options), $mode (compare=MODE, before any xfail=: compare.py's
# mode, exact by default) and $xfail (REASON, to the end of the line;
# empty when absent).  Neither keyword is a ctreplay option.
testlist_split() {
	xfail=
	opts=$1
	case $opts in
	*xfail=*)
		xfail=${opts#*xfail=}
		opts=${opts%%xfail=*}
		;;
	esac
	mode=exact
	case " $opts" in
	*[[:space:]]compare=*)
		mode=${opts#*compare=}
		mode=${mode%%[[:space:]]*}
		opts="${opts%%compare=*}${opts#*compare="$mode"}"
		;;
	esac
}

# testlist_wanted NAME [SELECTED...]: true when no names were selected
# (run everything) or NAME is one of them.
testlist_wanted() {
	_want=$1
	shift
	[ $# -eq 0 ] && return 0
	for _n in "$@"; do
		[ "$_n" = "$_want" ] && return 0
	done
	return 1
}

# testlist_setup RUNNER: once top_srcdir and top_builddir are set, $golden
# (the recordings), $ctreplay (CTREPLAY or the build's; exit 99 when not
# built) and $work, a scratch directory removed on exit.
testlist_setup() {
	golden=$top_srcdir/tests/golden
	ctreplay=${CTREPLAY:-$top_builddir/ctreplay}
	if [ ! -x "$ctreplay" ]; then
		echo "$1: $ctreplay is not built (make, or set CTREPLAY)" >&2
		exit 99
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-$1.XXXXXX") || exit 99
	trap 'rm -rf "$work"' EXIT INT TERM
}

# testlist_entry [SELECTED...]: for the line just read into name, dir,
# inputs and rest, false when it is blank or a comment, not selected (see
# testlist_wanted) or has no recording; else testlist_split's variables
# are set and $inputs is the input files as a word list.
testlist_entry() {
	case $name in
	'' | '#'*) return 1 ;;
	esac
	testlist_wanted "$name" "$@" || return 1
	[ -f "$golden/$dir/events" ] || return 1
	testlist_split "$rest"
	inputs=$(echo "$inputs" | tr ',' ' ')
}
