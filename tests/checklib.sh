# \summary: check(), the pass/fail bookkeeping of the command-line test scripts
#
# Sourced by run-cli.sh and run-forensic.sh once $TMP (their scratch
# directory) exists; they print "$pass passed, $fail failed" at the end.

pass=0
fail=0

# check NAME COMMAND...: the command must succeed; its output is shown
# when it does not.
check() {
	name=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then
		pass=$((pass + 1))
		echo "ok: $name"
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
		sed 's/^/    /' "$TMP/check.out" | head -20
	fi
}
