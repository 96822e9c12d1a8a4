# common.sh — shell helpers shared by jobs/submit, jobs/status and
# jobs/run-local (sourced, not run): where the ensad programs are, reading a
# key from an INI file, writing a run's effective config, and the names of
# the four stages and their outputs. The sbatch scripts do not use it: Slurm
# runs a copy of them from its spool, away from this folder.
# The sourcing script sets $prog (used in error messages) before sourcing.

# shellcheck shell=bash disable=SC2154
ENSAD_STAGES="partition train-member aggregate-threshold evaluate"

die() {
    echo "$prog: error: $*" >&2
    exit 1
}

# abspath PATH: PATH made absolute (its folder must exist), without
# resolving symbolic links in the last component.
abspath() {
    local d
    d=$(cd "$(dirname "$1")" 2>/dev/null && pwd) ||
        die "no such folder: $(dirname "$1")"
    echo "$d/$(basename "$1")"
}

# find_bin: sets $bin to the absolute folder of the ensad programs: ENSAD_BIN
# if set; else ../build/bin beside jobs/ (a source tree); else the bin/
# beside an installed share/ensad/jobs; else wherever PATH finds them.
find_bin() {
    local jobs p
    jobs=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
    if [ -n "${ENSAD_BIN:-}" ]; then
        bin=$ENSAD_BIN
    elif [ -x "$jobs/../build/bin/ensad-partition" ]; then
        bin=$jobs/../build/bin
    elif [ -x "$jobs/../../../bin/ensad-partition" ]; then
        bin=$jobs/../../../bin
    elif p=$(command -v ensad-partition); then
        bin=$(dirname "$p")
    else
        die "ensad programs not found: build them (make), or set" \
            "ENSAD_BIN to the folder that holds ensad-partition"
    fi
    [ -x "$bin/ensad-partition" ] ||
        die "no ensad-partition in $bin (ENSAD_BIN=${ENSAD_BIN:-unset})"
    bin=$(cd "$bin" && pwd -P)
}

# ini_get FILE SECTION KEY: prints the value (spaces around it and an
# inline "; comment" removed); status 1 when the key is absent.
ini_get() {
    awk -v want_sec="$2" -v want_key="$3" '
        /^[ \t]*[;#]/ { next }
        /^[ \t]*\[/ {
            sec = $0
            gsub(/^[ \t]*\[[ \t]*|[ \t]*\].*$/, "", sec)
            next
        }
        sec == want_sec && index($0, "=") {
            i = index($0, "=")
            key = substr($0, 1, i - 1)
            gsub(/^[ \t]+|[ \t]+$/, "", key)
            if (key != want_key) next
            val = substr($0, i + 1)
            sub(/[ \t]+;.*$/, "", val)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            found = 1
        }
        END {
            if (!found) exit 1
            print val
        }' "$1"
}

# ini_flat FILE: every key as one "section.key=value" line, sorted.
ini_flat() {
    awk '
        /^[ \t]*[;#]/ { next }
        /^[ \t]*\[/ {
            sec = $0
            gsub(/^[ \t]*\[[ \t]*|[ \t]*\].*$/, "", sec)
            next
        }
        index($0, "=") {
            i = index($0, "=")
            key = substr($0, 1, i - 1)
            val = substr($0, i + 1)
            sub(/[ \t]+;.*$/, "", val)
            gsub(/^[ \t]+|[ \t]+$/, "", key)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            print sec "." key "=" val
        }' "$1" | sort
}

# check_set KEY=VALUE: dies unless the argument of --set looks like
# section.key=value (the program itself checks that the key exists).
check_set() {
    case "$1" in
    *.*=*) ;;
    *) die "--set wants section.key=value, got '$1'" ;;
    esac
}

# write_config BASE OUT SET...: writes the effective config (BASE with the
# --set overrides, every key spelled out) to OUT, atomically.
write_config() {
    local base=$1 out=$2 err
    shift 2
    err=$(mktemp)
    if ! "$bin/ensad-partition" --config "$base" "$@" --print-config \
        >"$out.tmp" 2>"$err"; then
        rm -f "$out.tmp"
        echo "$prog: error: config $base is not valid:" >&2
        sed 's/^/  /' "$err" >&2
        rm -f "$err"
        exit 1
    fi
    rm -f "$err"
    mv "$out.tmp" "$out"
}

# stage_name NAME: prints the stage's full name; accepts the short names
# train, aggregate and eval too.
stage_name() {
    case "$1" in
    partition) echo partition ;;
    train | train-member) echo train-member ;;
    aggregate | aggregate-threshold) echo aggregate-threshold ;;
    eval | evaluate) echo evaluate ;;
    *) die "unknown stage '$1' (one of: $ENSAD_STAGES)" ;;
    esac
}

# members_of CONFIG: prints [partition] members, checked to be >= 1.
members_of() {
    local n
    n=$(ini_get "$1" partition members) ||
        die "$1 has no [partition] members"
    case "$n" in
    '' | *[!0-9]* | 0) die "[partition] members must be >= 1, got '$n'" ;;
    esac
    echo "$n"
}
