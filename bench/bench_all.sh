#!/bin/sh
# Quick run of every benchmark, for `make bench`: each program of $(BENCHMARKS) (given as
# arguments) with small parameters, then the whole-daemon scale benchmark
# (bench/bench_scale.py) at N=1000. Prints the numbers; a benchmark that cannot run here
# (missing peer program) is reported as skipped. Full runs and the table of results:
# bench/README.md. Exit status: 1 when a benchmark failed.
B=${top_builddir:-.}
S=${top_srcdir:-$(dirname "$0")/..}
export top_builddir="$B" top_srcdir="$S"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
failed=0

run()
{
	echo "=== $*"
	start=$(date +%s)
	"$@"
	rc=$?
	echo "=== exit $rc, $(($(date +%s) - start)) s"
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || failed=1
}

for prog in "$@"; do
	p=$B/$prog
	case $(basename "$prog") in
	bench_dtls*)	run "$p" -n 200 -c 8 -M 200 ;;
	bench_cio*)	run "$p" -n 50 -t 1 -m 1000 ;;
	bench_codec*)	run "$p" 0.2 ;;
	bench_persist*)	run "$p" -n 1000 -S ;;
	bench_serial*)	run "$p" 0.5 ;;
	bench_notify*)	run "$p" 1000 10 ;;
	vclient_harness*)
		if command -v coap-rd-notls >/dev/null; then
			run sh "$S/bench/bench_vclient.sh" 1000
		else
			echo "=== bench_vclient.sh: skipped (no coap-rd-notls)"
		fi ;;
	*)		run "$p" ;;
	esac
done

if [ -x "$B/tests/operator/lwgw-operator" ] && [ -x "$B/lwgwd" ]; then
	run "$PY" "$S/bench/bench_scale.py" -n 1000 --observe 1000 --duration 10 --restart
	run "$PY" "$S/bench/bench_scale.py" -n 200 --bootstrap --skip-baseline
	run "$PY" "$S/bench/bench_scale.py" -n 200 --psk --skip-baseline
	run "$PY" "$S/bench/bench_outage.py" -n 1000 --outage 60
else
	echo "=== bench_scale.py: skipped (needs lwgwd and tests/operator/lwgw-operator)"
fi
exit $failed
