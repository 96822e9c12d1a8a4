# t-stages.sh — the four stages on a small generated set: outputs, their
# HDF5 layout and attributes, the report, reruns, ranks and resuming.

test_four_stages_write_every_output() {
    small_run run || fail "pipeline failed" || return 1
    for f in partition.h5 members/member-0.h5 members/member-2.h5 \
        ensemble.h5 scores.h5 report/summary.md report/members.csv \
        report/ensemble.csv report/metrics.json report/summary.tex; do
        [ -s "run/$f" ] || fail "missing output run/$f" || return 1
    done
    no_leftovers run
}

test_every_file_carries_provenance_attributes() {
    small_run run || return 1
    for f in partition.h5 members/member-1.h5 ensemble.h5 scores.h5; do
        for a in format format_version ensad_version config created_utc \
            inputs seconds; do
            h5dump -a "/$a" "run/$f" >/dev/null 2>&1 ||
                fail "$f lacks root attribute $a" || return 1
        done
    done
    h5dump -a /format run/partition.h5 | grep -q '"ensad/partition"' ||
        fail "partition.h5 format attribute"
}

test_partition_layout_matches_design() {
    small_run run || return 1
    local h=run/partition.h5
    h5dump -H "$h" >layout.txt
    for d in /train/x /train/offsets /val/x /val/anomalous /test/x \
        /test/anomalous /test/class /test/source_row; do
        h5dump -H -d "$d" "$h" >/dev/null 2>&1 ||
            fail "partition.h5 lacks $d" || return 1
    done
    # 400 normal beats less 80 for the test set: 320 in three shards.
    h5dump -H -d /train/x "$h" | grep -q 'DATASPACE  SIMPLE { ( 320, 140 )' ||
        fail "/train/x is not [320, 140]: $(h5dump -H -d /train/x "$h")" ||
        return 1
    h5dump -H -d /test/anomalous "$h" | grep -q 'H5T_STD_U8LE' ||
        fail "/test/anomalous is not uint8" || return 1
    h5dump -d /train/offsets -y -w 0 "$h" | grep -q '0, 107, 214, 320' ||
        fail "offsets are not 0, 107, 214, 320"
}

test_member_and_scores_layout_matches_design() {
    small_run run || return 1
    local m=run/members/member-0.h5 s=run/scores.h5
    for d in /layers/0/weight /layers/0/bias /layers/5/weight \
        /calibration/train_loss_sorted /history/loss; do
        h5dump -H -d "$d" "$m" >/dev/null 2>&1 ||
            fail "member-0.h5 lacks $d" || return 1
    done
    h5dump -H -d /layers/0/weight "$m" | grep -q '( 32, 140 )' ||
        fail "layer 0 weight is not [out=32, in=140]" || return 1
    h5dump -H -d /history/loss "$m" | grep -q '( 15 )' ||
        fail "history has not one loss per epoch" || return 1
    for d in /test/member_loss /test/member_score /test/score \
        /test/flagged; do
        h5dump -H -d "$d" "$s" >/dev/null 2>&1 ||
            fail "scores.h5 lacks $d" || return 1
    done
    h5dump -H -d /test/member_score "$s" | grep -q '( 160, 3 )' ||
        fail "member_score is not [160, 3]"
}

test_metrics_json_has_the_documented_shape() {
    small_run run || return 1
    local j=run/report/metrics.json
    python3 - "$j" <<'PY' || fail "metrics.json shape"
import json, sys
j = json.load(open(sys.argv[1]))
keys = {"accuracy", "precision", "recall", "f1", "roc_auc",
        "average_precision", "tp", "fp", "tn", "fn", "threshold"}
assert keys <= set(j["ensemble"]), j["ensemble"].keys()
assert len(j["members"]) == 3
for m in j["members"]:
    assert keys | {"member", "rows"} <= set(m), m.keys()
e = j["ensemble"]
assert e["tp"] + e["fp"] + e["tn"] + e["fn"] == 160
assert abs(e["accuracy"] - (e["tp"] + e["tn"]) / 160) < 1e-9
assert abs(e["threshold"] - 0.95) < 1e-12
assert set(j["timing"]) >= {"partition", "evaluate"}
PY
}

test_flags_in_scores_follow_the_threshold() {
    small_run run || return 1
    /usr/bin/python3 - run <<'PY' || fail "flagged != score > threshold"
import h5py, sys
s = h5py.File(sys.argv[1] + "/scores.h5")
t = h5py.File(sys.argv[1] + "/ensemble.h5").attrs["threshold"]
score, flagged = s["/test/score"][:], s["/test/flagged"][:]
ms = s["/test/member_score"][:]
assert ((score > t) == (flagged == 1)).all()
assert abs(ms.mean(axis=1) - score).max() < 1e-6
PY
}

test_evaluate_with_two_ranks_equals_one_rank() {
    small_run one || return 1
    cp -r one two
    rm -rf two/scores.h5 two/report
    mpirun --oversubscribe -n 2 "$BIN/ensad-evaluate" "${SMALL[@]}" \
        --run two -q --set evaluate.figures=0 ||
        fail "evaluate with 2 ranks" || return 1
    for d in /test/score /test/member_score /test/flagged; do
        h5diff -d 0 one/scores.h5 two/scores.h5 "$d" "$d" >/dev/null ||
            fail "$d differs between 1 and 2 ranks" || return 1
    done
    # BLAS may sum in another order for another batch shape: losses agree
    # to float rounding, not bit for bit.
    h5diff -p 1e-5 one/scores.h5 two/scores.h5 /test/member_loss \
        /test/member_loss >/dev/null ||
        fail "member losses differ beyond rounding between 1 and 2 ranks"
    cmp <(json_get one/report/metrics.json 'j["ensemble"]') \
        <(json_get two/report/metrics.json 'j["ensemble"]') ||
        fail "metrics differ between 1 and 2 ranks"
}

test_partition_with_two_ranks_equals_one_rank() {
    "$BIN/ensad-partition" "${SMALL[@]}" --run one -q || return 1
    mpirun --oversubscribe -n 2 "$BIN/ensad-partition" "${SMALL[@]}" \
        --run two -q || fail "partition with 2 ranks" || return 1
    for d in /train/x /train/offsets /test/x /test/class /test/source_row; do
        h5diff -d 0 one/partition.h5 two/partition.h5 "$d" "$d" \
            >/dev/null || fail "$d differs between 1 and 2 ranks" ||
            return 1
    done
}

test_training_is_deterministic_for_a_seed() {
    "$BIN/ensad-partition" "${SMALL[@]}" --run a -q || return 1
    cp -r a b
    "$BIN/ensad-train-member" "${SMALL[@]}" --run a --member 1 -q &&
        "$BIN/ensad-train-member" "${SMALL[@]}" --run b --member 1 -q ||
        return 1
    h5diff a/members/member-1.h5 b/members/member-1.h5 /layers /layers \
        >/dev/null || fail "two trainings with one seed differ"
}

test_member_index_comes_from_slurm_array_task_id() {
    "$BIN/ensad-partition" "${SMALL[@]}" --run run -q || return 1
    SLURM_ARRAY_TASK_ID=2 "$BIN/ensad-train-member" "${SMALL[@]}" \
        --run run -q || fail "train-member as array task 2" || return 1
    [ -f run/members/member-2.h5 ] || fail "member-2.h5 not written"
}

test_preempted_member_resumes_to_the_same_weights() {
    local big=(--config "$TOP/configs/default.ini" --set partition.members=1
               --set train.epochs=300 --set train.checkpoint_every=1)
    "$BIN/ensad-partition" "${big[@]}" --run run -q || return 1
    cp -r run ref
    "$BIN/ensad-train-member" "${big[@]}" --run ref --member 0 -q ||
        return 1
    "$BIN/ensad-train-member" "${big[@]}" --run run --member 0 \
        2>first.log &
    local pid=$! i
    for i in $(seq 1 500); do
        [ -f run/members/member-0.ckpt.h5 ] && break
        sleep 0.01
    done
    kill -TERM "$pid"
    wait "$pid"
    [ $? -eq 3 ] || fail "a preempted member should exit with status 3" ||
        return 1
    grep -q 'stopped by a signal' first.log || fail "no stop line" ||
        return 1
    "$BIN/ensad-train-member" "${big[@]}" --run run --member 0 \
        2>second.log || fail "resumed run failed" || return 1
    grep -q 'resumed from' second.log || fail "did not resume" || return 1
    [ ! -f run/members/member-0.ckpt.h5 ] ||
        fail "checkpoint left after completion" || return 1
    h5diff run/members/member-0.h5 ref/members/member-0.h5 /layers \
        /layers >/dev/null || fail "resumed weights differ" || return 1
    h5diff run/members/member-0.h5 ref/members/member-0.h5 /history \
        /history >/dev/null || fail "resumed loss history differs"
}

test_rerun_of_aggregate_with_new_alpha_changes_only_the_threshold() {
    small_run run || return 1
    local before
    before=$(sha256sum run/members/*.h5)
    "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run -q \
        --set ensemble.alpha=0.2 || return 1
    "$ASAN/ensad-evaluate" "${SMALL[@]}" --run run -q \
        --set evaluate.figures=0 || return 1
    [ "$before" = "$(sha256sum run/members/*.h5)" ] ||
        fail "member files changed" || return 1
    ge "$(json_get run/report/metrics.json 'j["ensemble"]["threshold"]')" \
        0.8 && ! ge "$(json_get run/report/metrics.json \
        'j["ensemble"]["threshold"]')" 0.80001 ||
        fail "threshold is not 0.8 after alpha 0.2"
}

test_missing_member_with_quorum_is_named_in_the_report() {
    small_run run || return 1
    rm run/members/member-1.h5
    "$ASAN/ensad-aggregate-threshold" "${SMALL[@]}" --run run -q \
        --set ensemble.min_members=2 || fail "aggregate with quorum" ||
        return 1
    "$ASAN/ensad-evaluate" "${SMALL[@]}" --run run -q \
        --set evaluate.figures=0 || return 1
    [ "$(json_get run/report/metrics.json 'j["missing_members"]')" = "[1]" ] ||
        fail "metrics.json does not name member 1 missing" || return 1
    grep -qi 'missing' run/report/summary.md ||
        fail "summary.md does not mention the missing member"
}

test_figures_are_png_files() {
    small_run run || return 1
    "$ASAN/ensad-evaluate" "${SMALL[@]}" --run run -q || return 1
    local f
    for f in scores roc pr reconstructions; do
        [ "$(head -c 4 "run/report/$f.png" | od -An -c | tr -d ' ')" = \
            '211PNG' ] || fail "$f.png is not a PNG" || return 1
    done
}

test_print_config_output_loads_back_unchanged() {
    "$ASAN/ensad-partition" --config "$TOP/configs/ecg5000.ini" \
        --set train.epochs=7 --print-config >a.ini || return 1
    "$ASAN/ensad-partition" --config a.ini --print-config >b.ini ||
        return 1
    cmp a.ini b.ini || fail "effective config does not round-trip" ||
        return 1
    grep -q '^epochs = 7$' a.ini || fail "override not in effective config"
}

test_help_shows_options_and_defaults() {
    "$ASAN/ensad-train-member" --help >help.txt || return 1
    grep -q -- '--member K' help.txt && grep -q -- '--set' help.txt ||
        fail "help lacks options" || return 1
    "$ASAN/ensad-synth" --help | grep -q 'default 3000' ||
        fail "synth help lacks defaults"
}

test_synth_file_feeds_partition() {
    "$ASAN/ensad-synth" --out beats.h5 --normal 300 --anomalous 50 \
        --length 96 2>/dev/null || fail "ensad-synth" || return 1
    "$ASAN/ensad-partition" --run run -q --set data.path=beats.h5 \
        --set partition.test_normal=50 --set partition.test_anomalous=50 \
        --set partition.members=2 || fail "partition of synth file" ||
        return 1
    h5dump -H -d /train/x run/partition.h5 | grep -q '( 250, 96 )' ||
        fail "length 96 not carried through"
}

test_fetch_keeps_a_download_whose_checksum_matches() {
    ECG5000_URL=file://$ECG/ecg.csv "$TOP/scripts/fetch-ecg5000" data \
        >/dev/null || fail "fetch of the real ecg.csv" || return 1
    cmp data/ecg.csv "$ECG/ecg.csv" || fail "kept file differs"
}

test_fetch_refuses_a_download_with_another_checksum() {
    ECG5000_URL=file://$ECG/ECG5000_TRAIN.txt "$TOP/scripts/fetch-ecg5000" \
        data 2>err && fail "accepted a file with another checksum" ||
        true
    grep -q 'not keeping it' err || fail "no checksum error line" ||
        return 1
    [ -z "$(ls data 2>/dev/null)" ] || fail "something was kept: $(ls data)"
}

test_a_very_long_run_path_works() {
    # OpenMPI's lockedfile plugin overflowed on paths over ~220 characters.
    local long
    long=$WORK/$(printf 'x%.0s' $(seq 1 150))/$(printf 'y%.0s' $(seq 1 150))
    small_run "$long/run" || fail "pipeline in a 300-character path" ||
        return 1
    [ -f "$long/run/report/metrics.json" ] || fail "no report"
}

test_utf8_bom_and_blank_lines_are_accepted() {
    { printf '\xef\xbb\xbf'
      for i in 1 2 3 4 5 6; do echo "1 0.$i 0.2 0.3"; echo; done
      echo "2 1 2 3"; } >bom.txt
    "$ASAN/ensad-partition" --run run -q --set data.path=bom.txt \
        --set partition.test_normal=2 --set partition.test_anomalous=1 \
        --set partition.members=2 || fail "BOM file refused" || return 1
    h5dump -H -d /train/x run/partition.h5 | grep -q '( 4, 3 )' ||
        fail "expected 4 training beats of 3 samples"
}

test_hdf5_input_from_another_tool_is_read() {
    /usr/bin/python3 - <<'PY' || fail "h5py could not write" || return 1
import h5py, numpy as np
rng = np.random.default_rng(1)
with h5py.File("beats.h5", "w") as f:
    f["x"] = rng.normal(size=(60, 12)).astype("f4")
    f["anomalous"] = np.r_[np.zeros(50), np.ones(10)].astype("u1")
PY
    "$ASAN/ensad-partition" --run run -q --set data.path=beats.h5 \
        --set partition.test_normal=10 --set partition.test_anomalous=5 \
        --set partition.members=2 || fail "h5py file refused" || return 1
    h5dump -H -d /train/x run/partition.h5 | grep -q '( 40, 12 )' ||
        fail "expected 40 training beats of 12 samples"
}

test_stage_without_config_uses_the_run_config() {
    small_run run || return 1
    cp "$TOP/configs/default.ini" run/config.ini
    printf '\n' >>run/config.ini
    "$ASAN/ensad-evaluate" --run run --set evaluate.figures=0 \
        --set partition.members=3 2>log || fail "evaluate: $(cat log)" ||
        return 1
    grep -q 'no --config: using run/config.ini' log ||
        fail "did not say which config it used"
}
