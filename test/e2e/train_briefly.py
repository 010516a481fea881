#!/usr/bin/env python3
"""Compile a model, train it for one step and for N steps, and check that
training works: the loss after N steps is below a given fraction of the loss
of the first step (which starts near ln(classes)), and test accuracy clears a bar above
chance. Uses only the standard library."""
import argparse
import json
import os
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p


def last_epoch(log):
    with open(log) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    return lines[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcc", required=True)
    ap.add_argument("--krun", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--min-test-accuracy", type=float, required=True)
    ap.add_argument("--max-loss-ratio", type=float, default=0.8,
                    help="test loss after N steps must be below this fraction of the first step's")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    binary = os.path.join(a.work, "model.bin")
    run([a.kcc, a.model, "-o", binary])
    first = os.path.join(a.work, "one_step.json")
    trained = os.path.join(a.work, "trained.json")
    run([a.krun, binary, "--steps", "1", "--seed", "7", "--log-json", first, "-q"])
    run([a.krun, binary, "--steps", str(a.steps), "--seed", "7", "--log-json", trained, "-q"])
    f, t = last_epoch(first), last_epoch(trained)
    print(f"1 step: test loss {f['test_loss']:.4f}; {a.steps} steps: test loss {t['test_loss']:.4f}, "
          f"test accuracy {t['test_accuracy']:.4f}")
    errors = []
    # Test loss after 1 step is close to the untrained ln(classes).
    if not t["test_loss"] < a.max_loss_ratio * f["test_loss"]:
        errors.append(f"test loss did not fall below {a.max_loss_ratio} x the first step's: "
                      f"{f['test_loss']:.4f} -> {t['test_loss']:.4f}")
    if not t["test_accuracy"] >= a.min_test_accuracy:
        errors.append(f"test accuracy {t['test_accuracy']:.4f} < {a.min_test_accuracy}")
    for key in ("epoch", "seconds", "loss", "accuracy", "test_loss", "test_accuracy", "samples_per_second"):
        if key not in t:
            errors.append(f"log lacks '{key}'")
    if errors:
        sys.exit("FAILED: " + "; ".join(errors))


if __name__ == "__main__":
    main()
