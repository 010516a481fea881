#!/usr/bin/env python3
"""The GPU acceptance run of issue #12, inside a folder made by
scripts/gpu-pack.sh, on a machine with an NVIDIA GPU (run through
gpu-accept.sh, which finds the CUDA libraries first):

  1. preflight: the GPU, and every library krun and its CUDA plugin load;
  2. for each reference model, CUDA against the CPU backend on the same real
     batch and the same initial weights, after 1 and after 10 steps (relative
     L2 of all weights; float32 maths on the GPU, no TF32);
  3. determinism: two CUDA runs of 10 steps, compared bit for bit;
  4. seconds per epoch on the GPU (CIFAR-10 synthesized: the pack cannot
     carry it), against the goal of 10x the seed's best K80 figure.

Prints one table and writes it as JSON to RESULTS/gpu-accept.json.
Needs numpy (the GPU machine's Python has it)."""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ["mnist_mlp", "mnist_cnn", "cifar10_cnn", "mnist_hierarchical_rnn", "babi_rnn"]
K80 = {"mnist_mlp": 1.49, "mnist_cnn": 10.3, "cifar10_cnn": 22.9, "mnist_hierarchical_rnn": 162.0,
       "babi_rnn": 9.5}  # the seed's best s/epoch on one K80 die (../shared/notes/reference-models.md)
BARS = {1: 1e-5, 10: 1e-3}  # relative L2 of all weights, CUDA against CPU


def krun(*args, timeout=300):
    cmd = [os.path.join(HERE, "bin", "krun"), *args]
    start = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p, time.time() - start


def weights(folder):
    out, i = [], 0
    while os.path.exists(os.path.join(folder, f"w{i:03d}.npy")):
        out.append(np.load(os.path.join(folder, f"w{i:03d}.npy")).astype(np.float64).ravel())
        i += 1
    return np.concatenate(out) if out else np.zeros(0)


def relative_l2(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), 1e-30))


def preflight(results):
    ok = True
    smi = shutil.which("nvidia-smi")
    gpu = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip() if smi else "nvidia-smi not found"
    print(f"GPU: {gpu}")
    results["gpu"] = gpu
    for f in [os.path.join(HERE, "bin", "krun")] + [os.path.join(HERE, "lib", n) for n in
                                                    sorted(os.listdir(os.path.join(HERE, "lib")))]:
        if not (f.endswith(".so") or f.endswith("krun")):
            continue
        missing = [l.split()[0] for l in subprocess.run(["ldd", f], capture_output=True, text=True).stdout.splitlines()
                   if "not found" in l]
        if missing and not f.endswith("libkcc_mpi.so"):  # MPI is not needed for one process
            print(f"MISSING for {os.path.basename(f)}: {', '.join(missing)}")
            ok = False
    results["preflight"] = ok
    return ok


def synthesize_cifar(root):
    """CIFAR-10's binary format with random pixels and labels: timing only."""
    d = os.path.join(root, "cifar10", "cifar-10-batches-bin")
    if os.path.exists(os.path.join(d, "test_batch.bin.gz")):
        return
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}.bin.gz" for i in range(1, 6)] + ["test_batch.bin.gz"]:
        rec = rng.integers(0, 256, size=(10000, 3073), dtype=np.uint8)
        rec[:, 0] = rng.integers(0, 10, size=10000)
        with gzip.open(os.path.join(d, name), "wb", compresslevel=1) as f:
            f.write(rec.tobytes())
    with open(os.path.join(d, "batches.meta.txt"), "w") as f:
        f.write("\n".join(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                           "truck"]) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="?", default=os.environ.get("OUT", os.path.join(HERE, "results")))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--no-epochs", action="store_true", help="skip the timed epochs")
    a = ap.parse_args()
    os.makedirs(a.results, exist_ok=True)
    work = os.path.join(a.results, "work")
    os.makedirs(work, exist_ok=True)
    results = {"kcc": open(os.path.join(HERE, "VERSION")).read().strip(), "models": {}}
    if not preflight(results):
        print("preflight failed: see above")
    data = os.path.join(work, "data")
    if not os.path.exists(data):
        shutil.copytree(os.path.join(HERE, "data"), data)
    synthesize_cifar(data)

    rows = []
    for m in a.models.split(","):
        cpu, cuda = (os.path.join(HERE, "models", f"{m}.{t}.bin") for t in ("cpu", "cuda"))
        batch = os.path.join(HERE, "batches", m)
        r = {"model": m}
        errors = []
        for steps in (1, 10):
            dumps = {}
            for name, binary in [("cpu", cpu), ("cuda", cuda), ("cuda2", cuda)]:
                if name == "cuda2" and steps != 10:
                    continue
                d = os.path.join(work, f"{m}.{name}.{steps}")
                shutil.rmtree(d, ignore_errors=True)
                p, _ = krun(binary, "--batch", batch, "--steps", str(steps), "--seed", "1", "--dump", d)
                if p.returncode != 0:
                    errors.append(f"{name} {steps} steps: {p.stderr.strip().splitlines()[-1] if p.stderr else p.returncode}")
                    continue
                dumps[name] = weights(d)
            if "cpu" in dumps and "cuda" in dumps:
                r[f"rel_l2_{steps}"] = relative_l2(dumps["cpu"], dumps["cuda"])
            if "cuda" in dumps and "cuda2" in dumps:
                r["deterministic"] = bool(np.array_equal(dumps["cuda"], dumps["cuda2"]))
                r["rerun_max_abs"] = float(np.max(np.abs(dumps["cuda"] - dumps["cuda2"]))) if len(dumps["cuda"]) else 0.0
        if not a.no_epochs:
            log = os.path.join(work, f"{m}.epoch.json")
            if os.path.exists(log):
                os.remove(log)
            p, wall = krun(cuda, "--data", data, "--epochs", "1", "--seed", "1", "-q", "--log-json", log, timeout=240)
            if p.returncode == 0:
                e = json.loads(open(log).read().splitlines()[-1])
                r.update(epoch_seconds=e["train_seconds"], test_accuracy=e.get("test_accuracy"), wall=wall)
                r["k80_speedup"] = K80[m] / e["train_seconds"] if e["train_seconds"] > 0 else None
            else:
                errors.append(f"epoch: {p.stderr.strip().splitlines()[-1] if p.stderr else p.returncode}")
        r["errors"] = errors
        r["pass"] = (not errors and all(r.get(f"rel_l2_{s}", 1) <= bar for s, bar in BARS.items()))
        results["models"][m] = r
        rows.append(r)
        print(f"{m}: {json.dumps(r)}", flush=True)

    print("\n| model | CUDA vs CPU, 1 step | 10 steps | deterministic | s/epoch (GPU) | x K80 best (goal 10) | "
          "test acc | pass |")
    print("|---|---:|---:|:-:|---:|---:|---:|:-:|")
    fmt = lambda v, f: (f % v) if isinstance(v, (int, float)) else "-"
    for r in rows:
        print(f"| {r['model']} | {fmt(r.get('rel_l2_1'), '%.1e')} | {fmt(r.get('rel_l2_10'), '%.1e')} | "
              f"{ {True: 'yes', False: 'no'}.get(r.get('deterministic'), '-')} | "
              f"{fmt(r.get('epoch_seconds'), '%.2f')} | {fmt(r.get('k80_speedup'), '%.1f')} | "
              f"{fmt(r.get('test_accuracy'), '%.4f')} | {'yes' if r['pass'] else 'NO'} |")
        for e in r["errors"]:
            print(f"  {r['model']}: {e}")
    print(f"\nbars: relative L2 of all weights <= {BARS[1]:g} after 1 step, {BARS[10]:g} after 10")
    with open(os.path.join(a.results, "gpu-accept.json"), "w") as f:
        json.dump(results, f, indent=1)
    sys.exit(0 if all(r["pass"] for r in rows) and results["preflight"] else 1)


if __name__ == "__main__":
    main()
