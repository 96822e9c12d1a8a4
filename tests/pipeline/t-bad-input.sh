# t-bad-input.sh — every bad input ends with one error line naming the
# file and line (or key, or dataset), a non-zero exit, and no output left.

# partition_of ERR PATTERN DATA_FILE [SET...]: partition must reject it.
partition_rejects() {
    local err=$1 pattern=$2 data=$3
    shift 3
    expect_error "$err" "$pattern" "$ASAN/ensad-partition" --run run \
        --set data.path="$data" --set partition.test_normal=2 \
        --set partition.test_anomalous=1 --set partition.members=2 "$@" ||
        return 1
    [ ! -e run/partition.h5 ] || fail "partition.h5 was written" || return 1
    no_leftovers run
}

# A valid UCR file of 8 beats of 5 values: 6 normal, 2 anomalous.
ucr_ok() {
    local i
    for i in 1 2 3 4 5 6; do echo "1 0.$i 0.2 0.3 0.4 0.5"; done
    echo "2 1.0 2.0 3.0 4.0 5.0"
    echo "3 1.5 2.5 3.5 4.5 5.5"
}

test_missing_input_file_is_named() {
    partition_rejects err 'no-such\.txt: cannot open' no-such.txt
}

test_non_numeric_field_names_file_line_and_field() {
    { ucr_ok; echo "1 0.1 abc 0.3 0.4 0.5"; } >bad.txt
    partition_rejects err 'bad\.txt:9: field 3 is not a number' bad.txt
}

test_row_of_another_length_names_both_lines() {
    { ucr_ok | head -3; echo "1 0.1 0.2 0.3"; } >bad.txt
    partition_rejects err 'bad\.txt:4: 3 values, but line 1 has 5' bad.txt
}

test_nan_is_rejected_with_its_line() {
    { ucr_ok; echo "1 0.1 nan 0.3 0.4 0.5"; } >bad.txt
    partition_rejects err 'bad\.txt:9: field 3 is NaN or infinite' bad.txt
}

test_infinity_is_rejected_with_its_line() {
    { echo "1,2,inf,1"; } >bad.csv
    partition_rejects err 'bad\.csv:1: field 3 is NaN or infinite' bad.csv
}

test_empty_file_is_rejected() {
    : >empty.txt
    partition_rejects err 'empty\.txt: no beats' empty.txt
}

test_input_without_normal_beats_is_rejected() {
    ucr_ok | sed 's/^1 /4 /' >anom.txt
    partition_rejects err 'anom\.txt: no normal beats' anom.txt
}

test_too_few_normal_beats_for_test_and_members() {
    ucr_ok >few.txt
    partition_rejects err 'only 6 normal beats; need test_normal \(5\)' \
        few.txt --set partition.test_normal=5
}

test_unknown_key_in_config_names_file_line_and_key() {
    printf '[train]\nepochs = 3\nepoch = 4\n' >bad.ini
    expect_error err 'bad\.ini:3: unknown key .epoch. in \[train\]' \
        "$ASAN/ensad-partition" --config bad.ini --run run
}

test_misspelt_key_on_command_line_is_named() {
    expect_error err "--set train.lrate=0.1: unknown key 'train.lrate'" \
        "$ASAN/ensad-train-member" --config "$TOP/configs/default.ini" \
        --run run --member 0 --set train.lrate=0.1
}

test_zero_members_is_out_of_range() {
    printf '[partition]\nmembers = 0\n' >zero.ini
    expect_error err 'zero\.ini:2: partition.members = 0 is out of range' \
        "$ASAN/ensad-partition" --config zero.ini --run run
}

test_member_of_another_architecture_is_refused() {
    small_run run || return 1
    "$ASAN/ensad-train-member" "${SMALL[@]}" --run run --member 1 -q \
        --set model.encoder=16,8 || return 1
    expect_error err 'member-1\.h5: model 140-16-8-16-140 does not match' \
        "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run || return 1
    [ "$(find run -name 'ensemble.h5.tmp*')" = "" ] || fail "temp left"
}

test_member_of_another_beat_length_is_refused() {
    small_run run || return 1
    mkdir other
    "$ASAN/ensad-partition" "${SMALL[@]}" --run other -q \
        --set data.synth_length=100 || return 1
    "$ASAN/ensad-train-member" "${SMALL[@]}" --run other --member 2 -q ||
        return 1
    cp other/members/member-2.h5 run/members/member-2.h5
    expect_error err 'member-2\.h5: was trained on another partition' \
        "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run
}

test_truncated_partition_file_is_reported() {
    "$ASAN/ensad-partition" "${SMALL[@]}" --run run -q || return 1
    truncate -s 5000 run/partition.h5
    expect_error err 'partition\.h5: (not an HDF5 file|cannot)' \
        "$ASAN/ensad-train-member" "${SMALL[@]}" --run run --member 0 ||
        return 1
    [ ! -e run/members/member-0.h5 ] || fail "member file written"
}

test_truncated_member_file_is_reported() {
    small_run run || return 1
    rm run/ensemble.h5
    truncate -s 3000 run/members/member-0.h5
    expect_error err 'member-0\.h5: (not an HDF5 file|cannot)' \
        "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run ||
        return 1
    [ ! -e run/ensemble.h5 ] || fail "ensemble.h5 written"
}

test_too_few_members_for_quorum_fails_cleanly() {
    small_run run || return 1
    rm run/ensemble.h5 run/members/member-0.h5
    expect_error err 'only 2 of 3 member files .*missing: 0' \
        "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run ||
        return 1
    [ ! -e run/ensemble.h5 ] || fail "ensemble.h5 written"
}

test_stage_without_its_input_says_what_to_run() {
    expect_error err 'partition\.h5: cannot open.*run ensad-partition first' \
        "$ASAN/ensad-train-member" "${SMALL[@]}" --run empty --member 0
}

test_diverging_member_fails_with_one_line_and_writes_nothing() {
    # One normal beat scaled by 1e30: finite floats, infinite squares.
    head -300 "$ECG/ecg.csv" |
        awk -F, 'BEGIN { OFS = "," } NR == 3 { for (i = 1; i < NF; i++)
                 $i = $i * 1e30 } 1' >huge.csv
    "$ASAN/ensad-partition" --run run -q --set data.path=huge.csv \
        --set partition.test_normal=0 --set partition.test_anomalous=0 \
        --set partition.members=1 || return 1
    expect_error err 'member 0: training diverged in epoch 1: the loss is' \
        "$ASAN/ensad-train-member" --run run --member 0 \
        --set data.path=huge.csv --set partition.members=1 \
        --set train.epochs=3 || return 1
    [ ! -e run/members/member-0.h5 ] || fail "member file written"
}

test_evaluate_without_gnuplot_keeps_the_earlier_outputs() {
    small_run run || return 1
    local before
    before=$(sha256sum run/scores.h5 run/report/metrics.json)
    mkdir nognuplot
    for f in /usr/bin/*; do
        [ "${f##*/}" = gnuplot ] || ln -s "$f" nognuplot/
    done
    PATH=$WORK/nognuplot expect_error err \
        'gnuplot not found on PATH.*evaluate.figures=0' \
        "$ASAN/ensad-evaluate" "${SMALL[@]}" --run run || return 1
    [ "$before" = "$(sha256sum run/scores.h5 run/report/metrics.json)" ] ||
        fail "earlier scores or report changed" || return 1
    no_leftovers run
}

test_evaluate_refuses_an_ensemble_of_another_partition() {
    small_run run || return 1
    "$ASAN/ensad-partition" "${SMALL[@]}" --run run -q \
        --set partition.seed=99 || return 1
    expect_error err 'ensemble.h5 was made from another partition.h5' \
        "$ASAN/ensad-evaluate" "${SMALL[@]}" --run run
}

test_second_run_local_in_one_folder_is_refused() {
    "$TOP/jobs/run-local" "$TOP/configs/default.ini" run \
        --set train.epochs=300 >/dev/null 2>&1 &
    local pid=$! i
    for i in $(seq 1 200); do
        [ -e run/.run-local.lock ] && break
        sleep 0.05
    done
    "$TOP/jobs/run-local" "$TOP/configs/default.ini" run 2>err >/dev/null &&
        fail "second run-local started" || true
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    grep -q 'another jobs/run-local is running' err ||
        fail "no clear refusal: $(cat err)"
}

test_label_that_is_not_a_whole_number_is_refused() {
    { ucr_ok; echo "1.4 0.1 0.2 0.3 0.4 0.5"; } >bad.txt
    partition_rejects err "bad\.txt:9: label '1.4' \(field 1\) is not a whole" \
        bad.txt
}

test_empty_entry_in_the_path_list_is_refused() {
    ucr_ok >a.txt
    partition_rejects err "data.path: entry 2 of 'a.txt,' is empty" a.txt,
}

test_learning_rate_far_too_large_fails_instead_of_a_useless_member() {
    "$ASAN/ensad-partition" "${SMALL[@]}" --run run -q || return 1
    expect_error err 'member 1: training diverged: the mean loss on the shard' \
        "$ASAN/ensad-train-member" "${SMALL[@]}" --run run --member 1 \
        --set train.lr=10 || return 1
    [ ! -e run/members/member-1.h5 ] || fail "member file written"
}

test_member_retrained_with_other_settings_is_named() {
    small_run run || return 1
    "$ASAN/ensad-train-member" "${SMALL[@]}" --run run --member 2 -q \
        --set train.epochs=7 || return 1
    "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run 2>log ||
        fail "aggregate refused a member trained longer" || return 1
    grep -q 'member-2.h5 was trained with train.epochs = 7; this run' log ||
        fail "no warning about member 2's epochs: $(cat log)"
}
