#!/usr/bin/env python3
"""Issue #10: a run killed at any instant and resumed from its checkpoint ends
with exactly the weights of an uninterrupted run.

Trains MODEL for a few short epochs (the model's own optimizer, dropout or
LSTM) three ways and compares the final weights byte for byte:
  1. uninterrupted, no checkpoints (the reference);
  2. uninterrupted with a checkpoint every step (writing checkpoints must not
     change the run);
  3. SIGKILLed at random instants (many of them during a checkpoint write,
     since one is written every step) and resumed, again and again; then once
     stopped with SIGINT (exit 130, a checkpoint and a resume hint) and
     resumed to the end.
Uses only the standard library."""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p


def progress(ck, p, after, timeout=120):
    """Waits until the running krun |p| has written a checkpoint newer than
    |after| (so it is past start-up and training); False if it ended first."""
    f = os.path.join(ck, "checkpoint.kcc")
    end = time.time() + timeout
    while time.time() < end and p.poll() is None:
        if os.path.exists(f) and os.stat(f).st_mtime_ns > after:
            return True
        time.sleep(0.005)
    return False


def mtime(ck):
    f = os.path.join(ck, "checkpoint.kcc")
    return os.stat(f).st_mtime_ns if os.path.exists(f) else 0


def weights(folder):
    files = sorted(glob.glob(os.path.join(folder, "w*.npy")))
    if not files:
        sys.exit(f"FAILED: no weights in {folder}")
    return [open(f, "rb").read() for f in files]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcc", required=True)
    ap.add_argument("--krun", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--steps-per-epoch", type=int, default=15)
    ap.add_argument("--kills", type=int, default=6)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    with open(a.model) as f:
        model = json.load(f)
    model.setdefault("kcc", {}).update({"epochs": a.epochs, "steps_per_epoch": a.steps_per_epoch})
    src = os.path.join(a.work, "model.json")
    with open(src, "w") as f:
        json.dump(model, f)
    binary = os.path.join(a.work, "model.bin")
    run([a.kcc, src, "-o", binary])
    base = [a.krun, binary, "--seed", str(a.seed), "--threads", "1", "-q"]

    def path(name):
        return os.path.join(a.work, name)

    run(base + ["--dump-weights", path("ref")])
    ref = weights(path("ref"))
    run(base + ["--checkpoint", path("every"), "--checkpoint-every", "1", "--dump-weights", path("every-w")])
    if weights(path("every-w")) != ref:
        sys.exit("FAILED: checkpointing every step changed the final weights")

    rng = random.Random(a.seed)
    ck = path("ck")
    killed = 0
    for k in range(a.kills):
        cmd = base + ["--checkpoint", ck, "--checkpoint-every", "1", "--dump-weights", path("resumed")]
        if os.path.exists(os.path.join(ck, "checkpoint.kcc")):
            cmd += ["--resume", ck]
        before = mtime(ck)
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # Once it trains, kill it a few milliseconds on: often inside the
        # next checkpoint write (one is written every step).
        if progress(ck, p, before):
            time.sleep(rng.uniform(0.0, 0.03))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
        p.wait()
    # SIGINT: finish the step, write the checkpoint, say how to resume.
    cmd = base + ["--checkpoint", ck, "--checkpoint-every", "1", "--dump-weights", path("resumed")]
    if os.path.exists(os.path.join(ck, "checkpoint.kcc")):
        cmd += ["--resume", ck]
    before = mtime(ck)
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    interrupted = progress(ck, p, before) and p.poll() is None
    if interrupted:
        p.send_signal(signal.SIGINT)
    _, err = p.communicate()
    if interrupted and p.returncode != 130:
        sys.exit(f"FAILED: SIGINT: exit {p.returncode}, expected 130\n{err}")
    if interrupted and "--resume" not in err:
        sys.exit(f"FAILED: SIGINT: no resume hint in\n{err}")
    if killed < a.kills // 2 or not interrupted:
        sys.exit(f"FAILED: only {killed} of {a.kills} kills and {'a' if interrupted else 'no'} SIGINT landed "
                 f"before the run ended: give it more epochs or steps")
    run(base + ["--checkpoint", ck, "--resume", ck, "--dump-weights", path("resumed")])
    stale = [f for f in os.listdir(ck) if f != "checkpoint.kcc"]
    if stale:
        sys.exit(f"FAILED: the checkpoint folder holds leftovers: {stale}")
    if weights(path("resumed")) != ref:
        sys.exit(f"FAILED: after {killed} SIGKILLs and a SIGINT, the resumed run's weights differ")
    print(f"{os.path.basename(a.model)}: {killed} SIGKILLs, SIGINT "
          f"{'exit 130' if interrupted else 'too late'}; resumed weights equal the uninterrupted run's "
          f"({len(ref)} arrays, bit for bit)")


if __name__ == "__main__":
    main()
