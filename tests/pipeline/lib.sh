# lib.sh — helpers for ensad's pipeline tests (sourced by run-all).
#
# A test is a shell function named test_*; it fails by calling `fail MSG`
# (which returns from the test through a non-zero status) and passes when
# it returns 0. Programs come from the sanitized tree ($ASAN) for behaviour
# tests, from the optimised tree ($BIN) for the full-size ECG5000 runs.

BUILD=${ENSAD_BUILD:?ENSAD_BUILD is not set (run through make check)}
SHARED=${ENSAD_SHARED:?ENSAD_SHARED is not set (run through make check)}
BIN=$BUILD/bin
ASAN=$BUILD/asan/bin
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
ECG=$SHARED/data/ecg5000
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

fail() {
    echo "    FAIL: $*" >&2
    return 1
}

# A small generated data set: 3 members, 400 normal and 120 anomalous beats.
SMALL=(--config "$TOP/configs/default.ini"
       --set data.synth_normal=400 --set data.synth_anomalous=120
       --set partition.test_normal=80 --set partition.test_anomalous=80
       --set partition.members=3 --set train.epochs=15)

# small_run DIR: the four stages on the small set with the sanitized build.
small_run() {
    local dir=$1
    "$ASAN/ensad-partition" "${SMALL[@]}" --run "$dir" -q &&
        for k in 0 1 2; do
            "$ASAN/ensad-train-member" "${SMALL[@]}" --run "$dir" \
                --member "$k" -q || return 1
        done &&
        "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run "$dir" -q &&
        "$ASAN/ensad-evaluate" "${SMALL[@]}" --run "$dir" -q \
            --set evaluate.figures=0
}

# expect_error OUT_ERR PATTERN CMD...: CMD must exit non-zero, print exactly
# one "error:" line on stderr, and that line must match PATTERN (ERE).
expect_error() {
    local err=$1 pattern=$2 rc=0
    shift 2
    "$@" 2>"$err" >/dev/null || rc=$?
    [ "$rc" -ne 0 ] || fail "exit status 0 from: $*" || return 1
    [ "$(grep -c 'error:' "$err")" -eq 1 ] ||
        fail "expected one error line, got: $(cat "$err")" || return 1
    grep -E -q -- "$pattern" "$err" ||
        fail "error line does not match /$pattern/: $(grep error: "$err")"
}

# no_leftovers DIR: no temporary output names remain after a failure.
no_leftovers() {
    local left
    left=$(find "$1" -name '*.tmp*' 2>/dev/null)
    [ -z "$left" ] || fail "temporary outputs left behind: $left"
}

# json_get FILE EXPR: a value of metrics.json, by a Python expression on j.
json_get() {
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); \
print($2)" "$1"
}

# ge A B: A >= B as numbers.
ge() {
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= \
float(sys.argv[2]) else 1)" "$1" "$2"
}
