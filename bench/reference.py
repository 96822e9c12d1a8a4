#!/usr/bin/python3
"""reference.py — the reference study's method in PyTorch, for `make bench`.

Trains the ensemble's members on the very split ensad made (RUN/partition.h5)
with nn.Sequential autoencoders, default PyTorch initialisation, MSE, Adam and
a shuffling DataLoader; scores the test beats by the mean of the members'
ECDF scores and flags those above 1 - alpha. Every setting comes from the
run's effective config (partition.h5's root attribute `config`). It is a
yardstick for ensad's speed and accuracy, not a second implementation to
ship: only the `mean` rule and the `alpha` threshold are done here.

  reference.py train PARTITION OUT --member K [--threads T]
      trains member K; writes OUT/member-K.pt and OUT/member-K.json
  reference.py evaluate PARTITION OUT [--threads T]
      scores the test beats with every OUT/member-K.pt; writes
      OUT/metrics.json
  reference.py all PARTITION OUT [--threads T]
      trains every member in turn in this process, then evaluates

Times in the JSON files are measured inside the process, after the imports:
`loop_seconds` is the epoch loop alone (like ensad's train_seconds),
`score_seconds` loading the members, scoring and the metrics.
"""

import argparse
import configparser
import json
import os
import sys
import time

import h5py
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

PROG = "reference.py"


def die(msg):
    print(f"{PROG}: error: {msg}", file=sys.stderr)
    sys.exit(1)


def log(msg):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(f"{stamp} reference {msg}", file=sys.stderr, flush=True)


# --- the run's data and settings ------------------------------------------

def settings_read(cfg_text, path):
    """The keys the method needs, from the INI text ensad recorded."""
    ini = configparser.ConfigParser(interpolation=None)
    try:
        ini.read_string(cfg_text, source=f"{path}:config")
        s = {
            "members": ini.getint("partition", "members"),
            "encoder": [int(w) for w in
                        ini.get("model", "encoder").split(",")],
            "epochs": ini.getint("train", "epochs"),
            "batch": ini.getint("train", "batch"),
            "lr": ini.getfloat("train", "lr"),
            "beta1": ini.getfloat("train", "beta1"),
            "beta2": ini.getfloat("train", "beta2"),
            "eps": ini.getfloat("train", "eps"),
            "seed": ini.getint("train", "seed"),
            "rule": ini.get("ensemble", "rule"),
            "threshold": ini.get("ensemble", "threshold"),
            "alpha": ini.getfloat("ensemble", "alpha"),
        }
    except (configparser.Error, ValueError) as e:
        die(f"{path}: the recorded config is not what ensad writes: {e}")
    if s["rule"] != "mean" or s["threshold"] != "alpha":
        log(f"note: config asks for rule {s['rule']}, threshold "
            f"{s['threshold']}; the reference does mean and alpha only")
    return s


def partition_read(path):
    """x arrays are [rows, length] float32; offsets [members + 1]."""
    if not os.path.exists(path):
        die(f"no such file: {path} (run ensad-partition first)")
    try:
        with h5py.File(path, "r") as f:
            cfg = f.attrs["config"]
            if isinstance(cfg, bytes):
                cfg = cfg.decode()
            part = {
                "train_x": f["/train/x"][...].astype(np.float32),
                "offsets": f["/train/offsets"][...].astype(np.int64),
                "test_x": f["/test/x"][...].astype(np.float32),
                "test_anomalous": f["/test/anomalous"][...] != 0,
            }
    except (OSError, KeyError) as e:
        die(f"{path}: not a readable ensad partition: {e}")
    part["settings"] = settings_read(cfg, path)
    if len(part["offsets"]) != part["settings"]["members"] + 1:
        die(f"{path}: /train/offsets has {len(part['offsets']) - 1} shards "
            f"but partition.members is {part['settings']['members']}")
    return part


# --- model and training -----------------------------------------------------

def dense_stack(widths):
    """Linear layers through widths, ReLU between, linear at the end."""
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(widths[i], widths[i + 1]))
    return nn.Sequential(*layers)


def autoencoder_make(length, encoder):
    widths = [length] + encoder
    return nn.Sequential(dense_stack(widths), dense_stack(widths[::-1]))


def beat_losses(model, x):
    """Per-beat reconstruction loss: mean over the row of the squared
    error. x is [rows, length]; returns [rows] float64."""
    with torch.no_grad():
        recon = model(torch.from_numpy(x))
        return ((recon - torch.from_numpy(x)) ** 2).mean(1).double().numpy()


def member_train(part, k):
    """Trains member k on shard k; returns the model, its training
    losses sorted ascending, and the epoch loop's seconds."""
    s = part["settings"]
    lo, hi = part["offsets"][k], part["offsets"][k + 1]
    x = part["train_x"][lo:hi]
    if len(x) == 0:
        die(f"shard {k} is empty")

    torch.manual_seed(s["seed"] + k)
    model = autoencoder_make(x.shape[1], s["encoder"])
    loss_fn = nn.MSELoss()
    adam = torch.optim.Adam(model.parameters(), lr=s["lr"],
                            betas=(s["beta1"], s["beta2"]), eps=s["eps"])
    loader = DataLoader(TensorDataset(torch.from_numpy(x)),
                        batch_size=s["batch"], shuffle=True)

    t0 = time.perf_counter()
    for epoch in range(s["epochs"]):
        total = 0.0
        for (batch,) in loader:
            adam.zero_grad()
            loss = loss_fn(model(batch), batch)
            loss.backward()
            adam.step()
            total += loss.item() * len(batch)
        if (epoch + 1) % 10 == 0 or epoch + 1 == s["epochs"]:
            log(f"member {k} epoch {epoch + 1}/{s['epochs']} "
                f"loss {total / len(x):.6f}")
    loop_seconds = time.perf_counter() - t0

    model.eval()
    return model, np.sort(beat_losses(model, x)), loop_seconds, len(x)


def member_save(out, k, model, loss_sorted, loop_seconds, rows, threads):
    torch.save({"state": model.state_dict(),
                "train_loss_sorted": torch.from_numpy(loss_sorted)},
               os.path.join(out, f"member-{k}.pt"))
    with open(os.path.join(out, f"member-{k}.json"), "w") as f:
        json.dump({"member": k, "rows": rows, "threads": threads,
                   "loop_seconds": loop_seconds}, f, indent=1)


# --- scores and metrics -----------------------------------------------------

def ecdf(sorted_losses, losses):
    """Fraction of the training losses <= each loss."""
    idx = np.searchsorted(sorted_losses, losses, side="right")
    return idx / len(sorted_losses)


def roc_auc(score, anomalous):
    """P(anomalous beat scores above a normal one), ties counted half."""
    pos, neg = score[anomalous], score[~anomalous]
    if len(pos) == 0 or len(neg) == 0:
        return 0.5
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum())
                 / (len(pos) * len(neg)))


def average_precision(score, anomalous):
    """Sum over distinct scores s, highest first, of the recall gained
    times the precision of flagging every beat scored >= s."""
    positives = anomalous.sum()
    if positives == 0:
        return 0.0
    ap = 0.0
    for s in np.unique(score)[::-1]:
        at = score == s
        flagged = score >= s
        precision = (flagged & anomalous).sum() / flagged.sum()
        ap += (at & anomalous).sum() / positives * precision
    return float(ap)


def metrics_compute(score, anomalous, cut):
    flagged = score > cut
    tp = int((flagged & anomalous).sum())
    fp = int((flagged & ~anomalous).sum())
    tn = int((~flagged & ~anomalous).sum())
    fn = int((~flagged & anomalous).sum())

    def ratio(a, b):
        return a / b if b else 0.0

    return {"accuracy": ratio(tp + tn, len(score)),
            "precision": ratio(tp, tp + fp),
            "recall": ratio(tp, tp + fn),
            "f1": ratio(2 * tp, 2 * tp + fp + fn),
            "roc_auc": roc_auc(score, anomalous),
            "average_precision": average_precision(score, anomalous),
            "tp": tp, "fp": fp, "tn": tn, "fn": fn, "threshold": cut}


def ensemble_evaluate(part, out, threads):
    s = part["settings"]
    x, anomalous = part["test_x"], part["test_anomalous"]
    cut = 1.0 - s["alpha"]

    t0 = time.perf_counter()
    member_scores, members = [], []
    for k in range(s["members"]):
        path = os.path.join(out, f"member-{k}.pt")
        if not os.path.exists(path):
            die(f"no such file: {path} (train member {k} first)")
        saved = torch.load(path)
        model = autoencoder_make(x.shape[1], s["encoder"])
        model.load_state_dict(saved["state"])
        model.eval()
        calib = saved["train_loss_sorted"].numpy()
        member_scores.append(ecdf(calib, beat_losses(model, x)))
    score = np.mean(member_scores, axis=0)
    result = {"ensemble": metrics_compute(score, anomalous, cut)}
    score_seconds = time.perf_counter() - t0

    for k, ms in enumerate(member_scores):
        m = metrics_compute(ms, anomalous, cut)
        members.append(dict(member=k, **m))
    result["members"] = members
    result["threads"] = threads
    result["test_beats"] = int(len(x))
    result["score_seconds"] = score_seconds
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(result, f, indent=1)
    e = result["ensemble"]
    log(f"ensemble of {s['members']}: accuracy {e['accuracy']:.4f} "
        f"precision {e['precision']:.4f} recall {e['recall']:.4f} "
        f"F1 {e['f1']:.4f} ROC AUC {e['roc_auc']:.4f} "
        f"AP {e['average_precision']:.4f} ({score_seconds:.3f} s)")


# --- command line -----------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        prog=PROG, description="The reference study's method in PyTorch, "
        "on an ensad partition.h5 (see the top of this file).")
    ap.add_argument("command", choices=["train", "evaluate", "all"])
    ap.add_argument("partition", help="RUN/partition.h5 made by ensad")
    ap.add_argument("out", help="folder for member-K.pt and metrics.json")
    ap.add_argument("--member", type=int,
                    help="member to train (train only)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch.set_num_threads (default: 1)")
    a = ap.parse_args()
    if a.threads < 1:
        die("--threads wants a number >= 1")
    torch.set_num_threads(a.threads)

    part = partition_read(a.partition)
    members = part["settings"]["members"]
    os.makedirs(a.out, exist_ok=True)

    if a.command == "train":
        if a.member is None or not 0 <= a.member < members:
            die(f"train needs --member K with 0 <= K < {members}")
        todo = [a.member]
    elif a.command == "all":
        todo = range(members)
    else:
        todo = []
    for k in todo:
        model, loss_sorted, secs, rows = member_train(part, k)
        member_save(a.out, k, model, loss_sorted, secs, rows, a.threads)
        log(f"member {k}: {rows} beats, {secs:.3f} s training loop")
    if a.command in ("evaluate", "all"):
        ensemble_evaluate(part, a.out, a.threads)


if __name__ == "__main__":
    main()
