#!/bin/sh
# Install what is missing, build, and run every test: the unit and end-to-end suites in a
# normal build and again under AddressSanitizer/UBSan, then make distcheck, then the Debian
# package's test (tools/deb-test.sh; LWGW_SKIP_DEB=1 skips it).
# Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh tools/deps.sh || exit 1

pass=0
fail=0
status=0

# Run the suite in one build directory and add its results to the totals.
run_suite() {
	name=$1
	shift
	echo "== $name: build"
	if ! BUILD="$top/_build/$name" sh tools/build.sh "$@"; then
		echo "== $name: BUILD FAILED"
		status=1
		fail=$((fail + 1))
		return
	fi
	echo "== $name: make check"
	if ! make -C "$top/_build/$name" -j"$(nproc)" check >"$top/_build/$name.check.out" 2>&1; then
		status=1
		if ! grep -q '^# TOTAL' "$top/_build/$name.check.out"; then
			echo "== $name: make check did not run the tests"
			tail -n 30 "$top/_build/$name.check.out"
			fail=$((fail + 1))
		fi
	fi
	# Every check program's own summary ("100%: Checks: N, Failures: 0, Errors: 0").
	for log in $(find "$top/_build/$name/tests" -name '*.log' | sort); do
		line=$(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)
		[ -n "$line" ] && printf '   %-40s %s\n' "$(basename "$log" .log)" "$line"
	done
	sed -n '/^# TOTAL/,/^# ERROR/p' "$top/_build/$name.check.out"
	# The harness's per-program results, and the failed logs in full.
	for trs in $(find "$top/_build/$name/tests" -name '*.trs' | sort); do
		res=$(sed -n 's/^:test-result: //p' "$trs")
		case "$res" in
		PASS|SKIP|XFAIL) pass=$((pass + 1)) ;;
		*)
			fail=$((fail + 1))
			echo "---- FAILED: ${trs%.trs}.log"
			tail -n 60 "${trs%.trs}.log"
			;;
		esac
	done
}

run_suite default
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
run_suite sanitizers --enable-sanitizers

echo "== distcheck"
if make -C "$top/_build/default" distcheck TESTS= >"$top/_build/distcheck.out" 2>&1; then
	pass=$((pass + 1))
	echo "   distcheck: ok"
else
	fail=$((fail + 1))
	status=1
	tail -n 40 "$top/_build/distcheck.out"
fi

# The Debian package: built from the tree, installed, driven, purged (tools/deb-test.sh).
if [ -n "${LWGW_SKIP_DEB:-}" ]; then
	echo "== deb: skipped (LWGW_SKIP_DEB is set)"
else
	echo "== deb: tools/deb-test.sh"
	if sh tools/deb-test.sh >"$top/_build/deb-test.out" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		status=1
	fi
	sed 's/^/   /' "$top/_build/deb-test.out"
fi

echo "tests: $pass passed, $fail failed"
# The last lines in automake's words, for whoever reads only the end.
echo "# TOTAL: $((pass + fail))"
echo "# PASS:  $pass"
echo "# FAIL:  $fail"
exit $status
