#!/usr/bin/env python3
"""Data-parallel scaling (issue #13): seconds per step of each reference
model with 1 process and with N processes (`mpirun -np N`, one thread and one
core each; also 1 process with N threads, the usual way to use the cores), the
gradient bytes every step reduces, and a model of what 8, 32 and 128
processes over 25 Gb/s Ethernet would give.

    bench/data_parallel.py [--models mlp,cnn,...] [--ranks 2] [--repeat 3]

Times are medians over --repeat runs of --steps steps each (after one warm-up
step: krun's log reports the training seconds of the steps it ran), so
an epoch is projected as s/step x steps per epoch. Prints a Markdown section
(for BENCHMARKS.md) and writes the raw numbers to bench/results/.
Uses only the standard library."""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {"mlp": ("mnist_mlp", 200), "cnn": ("mnist_cnn", 20), "cifar": ("cifar10_cnn", 40),
          "hrnn": ("mnist_hierarchical_rnn", 20), "babi": ("babi_rnn", 100)}
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none")
# The network of the model: 25 Gb/s Ethernet, a ring all-reduce.
BANDWIDTH = 25e9 / 8   # bytes/s per link
LATENCY = 20e-6        # s per message hop (TCP over Ethernet; RDMA is ~2 us)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p


def step_seconds(cmd, steps, log):
    """Seconds per training step, from krun's log over |steps| steps."""
    if os.path.exists(log):
        os.remove(log)
    out = run(cmd + ["--steps", str(steps), "--log-json", log])
    with open(log) as f:
        epoch = json.loads(f.read().splitlines()[-1])
    samples = int(re.search(r"(\d+) train", out.stdout).group(1))
    return epoch["train_seconds"] / epoch["steps"], samples


def ring_seconds(nbytes, ranks):
    """A ring all-reduce: 2 (N-1) steps, each moving 1/N of the bytes."""
    if ranks == 1:
        return 0.0
    return 2 * (ranks - 1) * (LATENCY + nbytes / ranks / BANDWIDTH)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="mlp,cnn,cifar,hrnn,babi")
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/release/bin"))
    ap.add_argument("--data", default=os.environ.get("KCC_DATA", os.path.join(ROOT, "../shared/datasets")))
    ap.add_argument("--report", help="print the Markdown of a results file instead of running")
    a = ap.parse_args()
    if a.report:
        with open(a.report) as f:
            raw = json.load(f)
        return report(raw["models"], raw["ranks"], raw["repeat"], a.report)
    kcc, krun = os.path.join(a.bin, "kcc"), os.path.join(a.bin, "krun")
    work = tempfile.mkdtemp(prefix="kcc-dp-bench-")
    rows = []
    for short in a.models.split(","):
        name, steps = MODELS[short]
        model = os.path.join(ROOT, "models", name + ".json")
        one, many = os.path.join(work, name + ".1.bin"), os.path.join(work, name + f".{a.ranks}.bin")
        run([kcc, model, "-o", one])
        run([kcc, model, "-o", many, "--ranks", str(a.ranks)])
        mem = run([kcc, model, "-o", os.path.join(work, "report.bin"), "--report-memory"]).stdout
        weights_mib = float(re.search(r"weights\s+([0-9.]+) MiB", mem).group(1))
        with open(model) as f:
            batch = json.load(f)["kcc"]["batch_size"]
        base = ["--data", a.data, "--seed", "1"]
        log = os.path.join(work, "log.json")
        configs = {
            "1 process, 1 thread": [krun, one, "--threads", "1"] + base,
            f"1 process, {a.ranks} threads": [krun, one, "--threads", str(a.ranks)] + base,
            f"{a.ranks} processes, 1 thread each": ["mpirun", "--bind-to", "core", "-np", str(a.ranks), krun, many,
                                                    "--threads", "1"] + base,
        }
        times = {k: [] for k in configs}
        samples = 0
        for r in range(a.repeat):
            keys = list(configs)
            keys = keys[r % len(keys):] + keys[:r % len(keys)]  # rotate the order
            for k in keys:
                t, samples = step_seconds(configs[k], steps, log)
                times[k].append(t)
        med = {k: statistics.median(v) for k, v in times.items()}
        grad_bytes = int(weights_mib * 2**20)
        rows.append({"model": name, "batch": batch, "steps_timed": steps, "steps_per_epoch": math.ceil(samples / batch),
                     "gradient_bytes": grad_bytes, "seconds_per_step": med, "runs": times})
        print(f"{name}: " + ", ".join(f"{k} {1000 * v:.2f} ms/step" for k, v in med.items()), flush=True)

    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(os.path.join(ROOT, "bench/results"), exist_ok=True)
    raw = os.path.join(ROOT, f"bench/results/data-parallel-{stamp}.json")
    with open(raw, "w") as f:
        json.dump({"ranks": a.ranks, "repeat": a.repeat, "bandwidth_bytes_per_s": BANDWIDTH, "latency_s": LATENCY,
                   "models": rows}, f, indent=1)
    report(rows, a.ranks, a.repeat, raw)


def report(rows, ranks, repeat, raw):
    raw = os.path.relpath(os.path.abspath(raw), ROOT)
    single, threads, procs = (f"1 process, 1 thread", f"1 process, {ranks} threads",
                              f"{ranks} processes, 1 thread each")
    print(f"\n### Measured: 1 and {ranks} processes on this machine\n")
    print(f"- **Command**: `bench/data_parallel.py --ranks {ranks} --repeat {repeat}`; raw data [`{raw}`]({raw})\n")
    print(f"| model | batch | gradient bytes / step | {single} (s/epoch) | {threads} | {procs} | "
          f"speed-up, processes | speed-up, threads |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        s, spe = r["seconds_per_step"], r["steps_per_epoch"]
        print(f"| {r['model']} | {r['batch']} | {r['gradient_bytes'] / 2**20:.2f} MiB | {s[single] * spe:.1f} | "
              f"{s[threads] * spe:.1f} | {s[procs] * spe:.1f} | {s[single] / s[procs]:.2f}x | "
              f"{s[single] / s[threads]:.2f}x |")
    print(f"\n### Modelled: N processes over 25 Gb/s Ethernet\n")
    print("Per step, each process computes its 1/N of the batch (this machine's 1-process, 1-thread step / N) "
          f"and the gradients go round a ring all-reduce (2(N-1) hops of bytes/N at {BANDWIDTH * 8 / 1e9:.0f} Gb/s, "
          f"{LATENCY * 1e6:.0f} us a hop), not overlapped. Speed-up over one such process (n/a: more processes than "
          "the batch has rows):\n")
    ns = [8, 32, 128]
    print("| model | compute / step, 1 process | " + " | ".join(f"all-reduce, {n}" for n in ns) + " | " +
          " | ".join(f"speed-up, {n}" for n in ns) + " |")
    print("|---|---:|" + "---:|" * (2 * len(ns)))
    for r in rows:
        c = r["seconds_per_step"][single]
        comm = [ring_seconds(r["gradient_bytes"], n) for n in ns]
        speed = [f"{c / (c / n + t):.1f}x" if n <= r["batch"] else "n/a" for n, t in zip(ns, comm)]
        print(f"| {r['model']} | {1000 * c:.1f} ms | " + " | ".join(f"{1000 * t:.2f} ms" for t in comm) + " | " +
              " | ".join(speed) + " |")


if __name__ == "__main__":
    main()
