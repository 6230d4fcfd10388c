#!/bin/sh
# KTAP helpers for guest plans (busybox sh).  Source it:  . /bin/ktap.sh
#
#   ktap_begin SUITE N      KTAP header, one suite of N cases
#
# A plan with several suites prints the header once and numbers the suites:
#   ktap_header K           KTAP header for K suites
#   ktap_suite SUITE N      next suite, N cases (ends with ktap_end)
#   ktap_prog SUITE CMD...  next suite is what program CMD prints (the
#                           guest programs print one nested suite, numbered
#                           by KTAP_SUITE_NR, named by KTAP_SUITE_NAME)
#   ktap_ok NAME            case passed
#   ktap_fail NAME [WHY]    case failed
#   ktap_skip NAME WHY      case skipped
#   ktap_check NAME CMD...  run CMD, pass iff it exits 0
#   ktap_diag MSG...        diagnostic line ("# MSG")
#   ktap_end                suite result line; returns 1 if a case failed
#
# Output is what KUnit prints (a suite nested in a one-suite document), so
# tools/testing/kunit/kunit.py parse reads it.

KTAP_N=0
KTAP_FAILED=0
KTAP_SUITE=
KTAP_SUITE_NR=0
KTAP_PLAN_FAILED=0

ktap_header() {
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_suite() {
	KTAP_SUITE=$1
	KTAP_SUITE_NR=$((KTAP_SUITE_NR + 1))
	KTAP_N=0
	KTAP_FAILED=0
	echo "    KTAP version 1"
	echo "    # Subtest: $1"
	echo "    1..$2"
}

ktap_begin() {
	ktap_header 1
	ktap_suite "$1" "$2"
}

ktap_prog() {
	_suite=$1
	shift
	KTAP_SUITE_NR=$((KTAP_SUITE_NR + 1))
	if ! KTAP_SUITE_NR=$KTAP_SUITE_NR KTAP_SUITE_NAME=$_suite "$@"; then
		KTAP_PLAN_FAILED=1
	fi
}

ktap_diag() {
	printf '%s\n' "$*" | sed 's/^/    # /'
}

ktap_ok() {
	KTAP_N=$((KTAP_N + 1))
	echo "    ok $KTAP_N $1"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAILED=$((KTAP_FAILED + 1))
	[ -n "${2:-}" ] && ktap_diag "$1: $2"
	echo "    not ok $KTAP_N $1"
}

ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	echo "    ok $KTAP_N $1 # SKIP ${2:-}"
}

ktap_check() {
	_name=$1
	shift
	if "$@"; then
		ktap_ok "$_name"
	else
		ktap_fail "$_name" "command failed: $*"
	fi
}

ktap_end() {
	if [ "$KTAP_FAILED" -eq 0 ]; then
		echo "ok $KTAP_SUITE_NR $KTAP_SUITE"
		return 0
	fi
	KTAP_PLAN_FAILED=1
	echo "not ok $KTAP_SUITE_NR $KTAP_SUITE"
	return 1
}
