#!/usr/bin/env python3
"""Keras 3 conformance harness: one (or a few) training steps in kcc/krun and in
Keras 3 (JAX, CPU, float32) from identical weights and inputs must agree.

  run_conformance.py --kcc PATH --krun PATH [--case NAME ...]   compare
  run_conformance.py --keras-only [--work DIR] [--case NAME ...]  reference files only
  run_conformance.py --self-test [--case NAME ...]               check the comparison
  run_conformance.py --list

Per case, under WORK/NAME/: model.json (Keras 3 to_json + "kcc" block),
init/w000.npy.. (weights, get_weights() order), batch/x0.npy.. + y.npy,
ref/ (Keras: w*.npy after the steps, loss.npy, pred.npy), kcc/ (krun --dump).
Keras's own files too: init.weights.h5 (Keras's save_weights) and
predict.npz (2 batches + 3 rows); krun --predict from that file must give
ref/infer.npy (Keras's predict), and the kcc/trained.weights.h5 krun writes
after the steps must load into Keras as exactly krun's weights.
See README.md for the tolerance and the semantics compared.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
import zlib

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

# Tolerances (README.md, "Tolerance"):
RTOL = 1e-4         # element-wise relative tolerance (pred, loss, weights after the steps)
FLOOR_OUT = 1e-3    # pred/loss: relative to max(|ref|, FLOOR_OUT * max|ref| of the tensor)
FLOOR_W = 0.1       # weights:   relative to max(|ref|, FLOOR_W * max|ref| of the tensor)
RTOL_UPDATE = 1e-4  # update w_after - w_init, norm-wise per tensor (+ one float32 ulp of w)
HERE = os.path.dirname(os.path.abspath(__file__))
KRUN_SEED = 1       # krun --seed: the key of kcc's dropout masks (philox.py)


# ------------------------------------------------------------------- comparison
def compare(name, got, ref, rtol=RTOL, floor=FLOOR_OUT):
    """Element-wise check |got-ref| <= rtol * max(|ref|, floor * max|ref|).

    Returns (ok, one-line report).  NaN/Inf anywhere fails; shapes must match
    (a scalar may come as shape () or (1,))."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.size == 1 and ref.size == 1:
        got, ref = got.reshape(()), ref.reshape(())
    if got.shape != ref.shape:
        return False, "%-12s shape %s, expected %s" % (name, got.shape, ref.shape)
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got.reshape(-1)))[0][0]
        return False, "%-12s non-finite value at flat index %d" % (name, bad)
    if ref.size == 0:
        return True, "%-12s empty" % name
    scale = np.maximum(np.abs(ref), floor * np.max(np.abs(ref)))
    err = np.abs(got - ref)
    rel = err / np.where(scale > 0, scale, 1e-30)
    i = np.unravel_index(np.argmax(rel), rel.shape)
    worst = rel[i] / rtol
    ok = bool(worst <= 1.0)
    where = "at %s " % (tuple(int(k) for k in i),) if ref.ndim else ""
    return ok, ("%-12s %-14s max|err| %.3e  max rel %.3e %s(got % .7e ref % .7e)  %.3g x tol%s"
                % (name, str(ref.shape), err.max(), rel[i], where, got[i], ref[i], worst,
                   "" if ok else "  MISMATCH"))


def compare_update(name, got, ref, init, rtol=RTOL_UPDATE):
    """Norm-wise check of the update d = w_after - w_init of one tensor:
    ||d_got - d_ref||_2 <= rtol * ||d_ref||_2 + 2^-23 * ||w_after_ref||_2."""
    got, ref, init = (np.asarray(a, dtype=np.float64) for a in (got, ref, init))
    d_got, d_ref = got - init, ref - init
    err = np.linalg.norm(d_got - d_ref)
    tol = rtol * np.linalg.norm(d_ref) + 2.0 ** -23 * np.linalg.norm(ref)
    worst = err / tol if tol > 0 else (0.0 if err == 0 else np.inf)
    ok = bool(worst <= 1.0)
    return ok, ("%-12s %-14s ||d err|| %.3e  ||d ref|| %.3e  rel %.3e  %.3g x tol%s"
                % (name + " upd", str(ref.shape), err, np.linalg.norm(d_ref),
                   err / max(np.linalg.norm(d_ref), 1e-300), worst, "" if ok else "  MISMATCH"))


def compare_dirs(got_dir, ref_dir, init_dir, n_weights, verbose=False):
    """Compare pred, loss and all weights (values and updates); (ok, report lines)."""
    ok, lines = True, []
    for n in ["pred", "loss"] + ["w%03d" % i for i in range(n_weights)]:
        path = os.path.join(got_dir, n + ".npy")
        if not os.path.exists(path):
            ok = False
            lines.append("%-12s missing: %s" % (n, path))
            continue
        try:
            got = np.load(path)
        except Exception as e:  # a malformed file is a mismatch, not a crash
            ok = False
            lines.append("%-12s unreadable .npy: %s" % (n, e))
            continue
        ref = np.load(os.path.join(ref_dir, n + ".npy"))
        checks = [compare(n, got, ref, floor=FLOOR_W if n[0] == "w" else FLOOR_OUT)]
        if n[0] == "w" and got.shape == ref.shape and np.all(np.isfinite(got)):
            checks.append(compare_update(n, got, ref, np.load(os.path.join(init_dir, n + ".npy"))))
        for good, line in checks:
            ok &= good
            if verbose or not good:
                lines.append(line)
    if os.path.exists(os.path.join(got_dir, "w%03d.npy" % n_weights)):
        ok = False
        lines.append("krun dumped more than the %d weights Keras has" % n_weights)
    return ok, lines


# -------------------------------------------------------------- inputs/weights
def seed_of(name):
    return zlib.crc32(name.encode())


def initial_weights(model, rng):
    """Glorot-like uniform kernels, uniform(-0.1, 0.1) vectors, in get_weights() order;
    moving variances in [0.5, 0.6), since a frozen BatchNormalization divides by them."""
    out = []
    for v, w in zip(model.weights, model.get_weights()):
        shape = w.shape
        if len(shape) >= 2:
            receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
            lim = np.sqrt(6.0 / ((shape[-2] + shape[-1]) * receptive))
        else:
            lim = 0.1
        w = rng.uniform(-lim, lim, size=shape).astype(np.float32)
        out.append(np.abs(w) + np.float32(0.5) if v.path.endswith("moving_variance") else w)
    return out


def random_batch(model, case, rng):
    """Model inputs (model input order) and labels for one batch."""
    vocab = [l.input_dim for l in model.layers if l.__class__.__name__ == "Embedding"]
    xs = []
    for inp in model.inputs:
        shape = (case.batch,) + tuple(inp.shape[1:])
        if "int" in str(inp.dtype):
            xs.append(rng.integers(0, min(vocab), size=shape).astype(np.int32))
        else:
            xs.append(rng.uniform(-case.x_scale, case.x_scale, size=shape).astype(np.float32))
    n_classes = model.outputs[0].shape[-1]
    out_shape = (case.batch,) + tuple(model.outputs[0].shape[1:])
    if case.targets == "binary":
        return xs, rng.integers(0, 2, size=out_shape).astype(np.float32)
    if case.targets == "real":
        return xs, rng.uniform(0, 1, size=out_shape).astype(np.float32)
    if case.targets == "positive":
        return xs, rng.uniform(0.5, 1.5, size=out_shape).astype(np.float32)
    labels = rng.integers(0, n_classes, size=out_shape[:-1])  # [batch] or, over steps, [batch, steps...]
    y = labels.astype(np.int32) if case.sparse else np.eye(n_classes, dtype=np.float32)[labels]
    return xs, y


def save_arrays(d, arrays, fmt):
    os.makedirs(d, exist_ok=True)
    for i, a in enumerate(arrays):
        np.save(os.path.join(d, fmt % i), a)


def load_arrays(d, fmt):
    """fmt % 0, fmt % 1, ... until the first missing file."""
    out = []
    while os.path.exists(os.path.join(d, fmt % len(out))):
        out.append(np.load(os.path.join(d, fmt % len(out))))
    return out


def numpy_loss(loss, pred, y, sparse, eps=1e-7):
    """Keras 3 (JAX) losses on probabilities / values (or logits, for a loss
    object with from_logits), in float64: the mean over the last axis, then
    over everything else."""
    p = np.asarray(pred, np.float64)
    y = np.asarray(y, np.float64) if not sparse else np.eye(p.shape[-1])[np.asarray(y)]
    if not isinstance(loss, str):  # a keras.losses object
        logits = loss.get_config().get("from_logits", False)
        smoothing = loss.get_config().get("label_smoothing", 0.0)
        loss = {"BinaryCrossentropy": "bce", "CategoricalCrossentropy": "categorical_crossentropy",
                "SparseCategoricalCrossentropy": "categorical_crossentropy", "Huber": "huber",
                "SquaredHinge": "squared_hinge"}[type(loss).__name__]
        if smoothing:  # toward uniform: 1/classes, or 1/2 for binary
            y = y * (1 - smoothing) + smoothing * (0.5 if loss == "bce" else 1.0 / p.shape[-1])
        if logits and loss == "bce":  # Keras's exact form, no clipping
            return float(np.mean(np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p)))))
        if logits:
            z = p - p.max(-1, keepdims=True)
            return float(np.mean(-np.sum(y * (z - np.log(np.exp(z).sum(-1, keepdims=True))), axis=-1)))
    if loss in ("binary_crossentropy", "bce"):
        q = np.clip(p, eps, 1 - eps)
        return float(np.mean(-(y * np.log(q) + (1 - y) * np.log(1 - q))))
    if loss in ("mse", "mean_squared_error"):
        return float(np.mean((p - y) ** 2))
    if loss in ("mae", "mean_absolute_error"):
        return float(np.mean(np.abs(p - y)))
    if loss in ("hinge", "squared_hinge"):
        t = np.where(y == 0, -1.0, y)
        m = np.maximum(1 - t * p, 0)
        return float(np.mean(m if loss == "hinge" else m * m))
    if loss == "poisson":
        return float(np.mean(p - y * np.log(p + eps)))
    if loss == "log_cosh":
        return float(np.mean(np.log(np.cosh(p - y))))
    if loss == "huber":
        d = np.abs(p - y)
        return float(np.mean(np.where(d <= 1, 0.5 * d * d, d - 0.5)))
    if loss == "kld":
        yc, pc = np.clip(y, eps, 1), np.clip(p, eps, 1)
        return float(np.mean(np.sum(yc * np.log(yc / pc), axis=-1)))
    if loss == "msle":
        return float(np.mean((np.log(np.maximum(p, eps) + 1) - np.log(np.maximum(y, eps) + 1)) ** 2))
    if loss == "mape":
        return float(np.mean(100 * np.abs(y - p) / np.maximum(np.abs(y), eps)))
    p = np.clip(p / p.sum(-1, keepdims=True), eps, 1 - eps)
    return float(np.mean(-np.sum(y * np.log(p), axis=-1)))


# ------------------------------------------------------------------ Keras side
def prepare(name, case, cdir):
    """Build the case, write model.json, init/ and batch/; returns the model."""
    import cases
    model = case.build()
    rng = np.random.default_rng(seed_of(name))
    weights = initial_weights(model, rng)
    xs, y = random_batch(model, case, rng)
    os.makedirs(cdir, exist_ok=True)
    with open(os.path.join(cdir, "model.json"), "w") as f:
        json.dump(cases.case_json(model, case), f, indent=1)
    save_arrays(os.path.join(cdir, "init"), weights, "w%03d.npy")
    save_arrays(os.path.join(cdir, "batch"), xs, "x%d.npy")
    np.save(os.path.join(cdir, "batch", "y.npy"), y)
    # Inference from the same weights, in Keras's own weights file, on more
    # rows than a batch (a partial last batch) for krun --predict.
    # A random moving variance may be negative; inference needs it positive.
    model.set_weights([np.abs(w) if v.path.endswith("moving_variance") else w
                       for v, w in zip(model.weights, weights)])
    model.save_weights(os.path.join(cdir, "init.weights.h5"))
    many = [random_batch(model, case, rng)[0] for _ in range(3)]
    xs_many = [np.concatenate([b[i] for b in many])[:2 * case.batch + 3] for i in range(len(xs))]
    np.savez(os.path.join(cdir, "predict.npz"), **{"x_%d" % i: x for i, x in enumerate(xs_many)})
    infer = model.predict(xs_many if len(xs_many) > 1 else xs_many[0], batch_size=case.batch, verbose=0)
    os.makedirs(os.path.join(cdir, "ref"), exist_ok=True)
    np.save(os.path.join(cdir, "ref", "infer.npy"), np.asarray(infer, np.float32))
    return model


def keras_reference(model, case, cdir, out, dtype="float32"):
    """Run case.steps train_on_batch steps from init/ on batch/; write out/."""
    weights = [w.astype(dtype) for w in load_arrays(os.path.join(cdir, "init"), "w%03d.npy")]
    xs = [x if x.dtype.kind == "i" else x.astype(dtype)
          for x in load_arrays(os.path.join(cdir, "batch"), "x%d.npy")]
    y = np.load(os.path.join(cdir, "batch", "y.npy"))
    y = y if case.sparse else y.astype(dtype)
    import cases
    model.set_weights(weights)
    inputs = xs if len(xs) > 1 else xs[0]
    dropouts = cases.dropout_layers(model)
    for step in range(case.steps):
        for layer, stream in dropouts:
            layer.set_mask(case.batch, KRUN_SEED, step, stream)  # krun counts steps from 0
        # A training-mode call updates BatchNormalization's moving statistics;
        # only train_on_batch's update may count.
        before = model.get_weights()
        pred = np.asarray(model(inputs, training=True))
        regularization = sum(float(np.asarray(l)) for l in model.losses)
        model.set_weights(before)
        model.reset_metrics()  # Keras 3.13 JAX train_on_batch keeps a running mean otherwise
        logs = model.train_on_batch(inputs, y, return_dict=True)
    loss = float(logs["loss"])
    check = numpy_loss(model.loss, pred, y, case.sparse) + regularization
    if abs(check - loss) > 1e-4 * max(abs(check), 1e-3):
        raise RuntimeError("harness self-check: train_on_batch loss %r != %s of the "
                           "forward pass %r" % (loss, model.loss, check))
    save_arrays(out, [np.asarray(w, np.float32) for w in model.get_weights()], "w%03d.npy")
    np.save(os.path.join(out, "loss.npy"), np.float32(loss))
    np.save(os.path.join(out, "pred.npy"), pred.astype(np.float32))
    return len(weights)


# -------------------------------------------------------------------- kcc side
def run_tool(cmd, log, timeout):
    with open(log, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        try:
            r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timed out after %d s" % timeout
        except OSError as e:
            return str(e)
    return None if r.returncode == 0 else "exit status %d" % r.returncode


def kcc_run(args, case, cdir):
    """kcc model.json -o model.bin; krun model.bin ... --dump kcc/. None or error text."""
    out = os.path.join(cdir, "kcc")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    binary = os.path.join(cdir, "model.bin")
    err = run_tool([args.kcc, os.path.join(cdir, "model.json"), "-o", binary],
                   os.path.join(cdir, "kcc.log"), args.timeout)
    if err:
        return "kcc failed (%s); log: %s" % (err, os.path.join(cdir, "kcc.log"))
    err = run_tool([args.krun, binary, "--seed", str(KRUN_SEED), "--init-weights", os.path.join(cdir, "init"),
                    "--batch", os.path.join(cdir, "batch"), "--steps", str(case.steps),
                    "--dump", out, "--save", os.path.join(out, "trained.weights.h5")],
                   os.path.join(cdir, "krun.log"), args.timeout)
    if err:
        return "krun failed (%s); log: %s" % (err, os.path.join(cdir, "krun.log"))
    # --predict from the weights file Keras wrote.
    err = run_tool([args.krun, binary, "--init-weights", os.path.join(cdir, "init.weights.h5"),
                    "--predict", os.path.join(cdir, "predict.npz"), "-o", os.path.join(out, "infer.npy")],
                   os.path.join(cdir, "krun-predict.log"), args.timeout)
    if err:
        return "krun --predict failed (%s); log: %s" % (err, os.path.join(cdir, "krun-predict.log"))
    return None


def check_keras_files(model, cdir):
    """krun --predict (from Keras's .weights.h5) against Keras's predict, and
    the .weights.h5 krun wrote loaded by Keras: exactly krun's dumped weights."""
    out, ref = os.path.join(cdir, "kcc"), os.path.join(cdir, "ref")
    ok, line = compare("predict", np.load(os.path.join(out, "infer.npy")), np.load(os.path.join(ref, "infer.npy")))
    lines = [] if ok else [line]
    with warnings.catch_warnings():  # krun writes no optimizer state (yet); Keras says so
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model.load_weights(os.path.join(out, "trained.weights.h5"))
    dumped = load_arrays(out, "w%03d.npy")
    loaded = [np.asarray(w, np.float32) for w in model.get_weights()]
    same = len(dumped) == len(loaded) and all(a.shape == b.shape and np.array_equal(a, b)
                                              for a, b in zip(dumped, loaded))
    if not same:
        lines = lines + ["trained.weights.h5 loaded by Keras differs from krun's weights"]
    return ok and same, lines


def tail(path, n=15):
    try:
        with open(path) as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# -------------------------------------------------------------------- self-test
PERTURBATIONS = [
    # (what, tensor, how) -- each must make the comparison fail
    ("pred: largest element x (1 + 10 tol)", "pred", lambda a, w0: _scale_max(a)),
    ("loss x (1 + 10 tol)", "loss", lambda a, w0: _scale_max(a)),
    ("last weight: largest element x (1 + 10 tol)", -1, lambda a, w0: _scale_max(a)),
    ("first weight: whole update x (1 + 1e-3), a 0.1% gradient error", 0,
     lambda a, w0: (w0 + (a.astype(np.float64) - w0) * (1 + 1e-3)).astype(np.float32)),
]


def _scale_max(a):
    a = np.array(a, dtype=np.float32)
    flat = a.reshape(-1)
    k = int(np.argmax(np.abs(flat)))
    flat[k] = flat[k] * (1 + 10 * RTOL) if flat[k] != 0 else 1e-3
    return a


def self_test(names, work, cases, keras, verbose):
    """(1) Keras float32 vs Keras float64 from the same init must pass the
    tolerance (so it is not tighter than float32 rounding); (2) perturbed
    float32 results (PERTURBATIONS) must fail it."""
    ok = True
    for name in names:
        case = cases.CASES[name]
        cdir = os.path.join(work, name)
        keras.backend.clear_session()
        model = prepare(name, case, cdir)
        n = keras_reference(model, case, cdir, os.path.join(cdir, "ref"))
        ref, init = os.path.join(cdir, "ref"), os.path.join(cdir, "init")
        r = subprocess.run([sys.executable, os.path.abspath(__file__), "--reference-only",
                            "--dtype", "float64", "--work", work, "--case", name])
        if r.returncode != 0:
            print("FAIL %s: float64 reference run failed" % name)
            ok = False
            continue
        good, lines = compare_dirs(os.path.join(cdir, "ref64"), ref, init, n, verbose=verbose)
        print("%s %s: Keras float64 vs Keras float32 passes" % ("ok  " if good else "FAIL", name))
        print("".join("      %s\n" % l for l in lines), end="")
        ok &= good
        for what, tensor, how in PERTURBATIONS:
            fname = tensor if isinstance(tensor, str) else "w%03d" % (tensor % n)
            bad = os.path.join(cdir, "perturbed")
            shutil.rmtree(bad, ignore_errors=True)
            shutil.copytree(ref, bad)
            w0 = np.load(os.path.join(init, fname + ".npy")) if fname[0] == "w" else None
            np.save(os.path.join(bad, fname + ".npy"),
                    how(np.load(os.path.join(ref, fname + ".npy")), w0))
            good, lines = compare_dirs(bad, ref, init, n)
            print("%s %s: fails with %s" % ("FAIL" if good else "ok  ", name, what))
            print("".join("      %s\n" % l for l in lines), end="")
            ok &= not good
    return ok


# ------------------------------------------------------------------------ main
def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kcc", help="path of the kcc compiler")
    p.add_argument("--krun", help="path of the krun runtime")
    p.add_argument("--case", action="append", help="run only this case (repeatable)")
    p.add_argument("--list", action="store_true", help="list the cases")
    p.add_argument("--shard", help="K/N: run every N-th case from the K-th (1-based), so that N "
                                   "processes share the suite")
    p.add_argument("--keras-only", action="store_true",
                   help="only write the Keras reference files (no kcc/krun)")
    p.add_argument("--self-test", action="store_true",
                   help="check that the comparison passes float64-vs-float32 Keras and "
                        "fails on a perturbed result")
    p.add_argument("--work", help="working directory (kept); default: a temporary one, "
                                  "kept only if something fails")
    p.add_argument("--timeout", type=int, default=300, help="seconds per kcc/krun call")
    p.add_argument("--verbose", "-v", action="store_true", help="report every tensor")
    p.add_argument("--reference-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--dtype", default="float32", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.dtype != "float32":
        import jax
        jax.config.update("jax_enable_x64", True)
    sys.path.insert(0, HERE)
    import keras
    keras.config.set_floatx(args.dtype)
    keras.utils.set_random_seed(0)
    import cases
    import philox
    philox.check_known_answers()

    names = args.case or list(cases.CASES)
    unknown = [n for n in names if n not in cases.CASES]
    if unknown:
        p.error("unknown case(s) %s; see --list" % ", ".join(unknown))
    if args.shard:
        try:
            k, n = (int(v) for v in args.shard.split("/"))
            assert 1 <= k <= n
        except (ValueError, AssertionError):
            p.error("--shard takes K/N with 1 <= K <= N, not %r" % args.shard)
        names = names[k - 1::n]
    if args.list:
        for n, c in cases.CASES.items():
            print("%-30s batch %2d steps %d%s" % (n, c.batch, c.steps, "  sparse" if c.sparse else ""))
        return 0

    if args.reference_only:  # internal: rerun the Keras side from existing init/batch
        for n in names:
            keras.backend.clear_session()
            cdir = os.path.join(args.work, n)
            keras_reference(cases.CASES[n].build(), cases.CASES[n], cdir,
                            os.path.join(cdir, "ref64" if args.dtype == "float64" else "ref"),
                            args.dtype)
        return 0

    if not (args.keras_only or args.self_test):
        missing = [(flag, path) for flag, path in (("--kcc", args.kcc), ("--krun", args.krun))
                   if not path or not (os.path.isfile(path) and os.access(path, os.X_OK))]
        if missing:
            for flag, path in missing:
                print("error: %s: no executable at %r; build the kcc/krun targets first, or "
                      "use --keras-only" % (flag, path), file=sys.stderr)
            return 2

    work = args.work or tempfile.mkdtemp(prefix="kcc-conformance-")
    os.makedirs(work, exist_ok=True)
    print("conformance: keras %s (%s), work dir %s" % (keras.__version__, keras.backend.backend(),
                                                       work))
    if args.self_test:
        ok = self_test(names, work, cases, keras, args.verbose)
        print("self-test %s" % ("passed" if ok else "FAILED"))
        if ok and not args.work:
            shutil.rmtree(work, ignore_errors=True)
        return 0 if ok else 1

    passed, failed = [], []
    for name in names:
        case = cases.CASES[name]
        cdir = os.path.join(work, name)
        keras.backend.clear_session()
        try:
            model = prepare(name, case, cdir)
            n = keras_reference(model, case, cdir, os.path.join(cdir, "ref"))
        except Exception as e:
            failed.append(name)
            print("FAIL %-30s Keras side: %s: %s" % (name, type(e).__name__, e))
            continue
        if args.keras_only:
            passed.append(name)
            print("ok   %-30s reference written (%d weights, loss %.6f)"
                  % (name, n, float(np.load(os.path.join(cdir, "ref", "loss.npy")))))
            continue
        err = kcc_run(args, case, cdir)
        if err:
            failed.append(name)
            print("FAIL %-30s %s" % (name, err))
            log = os.path.join(cdir, "krun-predict.log" if "--predict" in err else
                               "krun.log" if "krun" in err else "kcc.log")
            print("".join("      | " + l for l in tail(log).splitlines(True)), end="")
            continue
        good, lines = compare_dirs(os.path.join(cdir, "kcc"), os.path.join(cdir, "ref"),
                                   os.path.join(cdir, "init"), n, verbose=args.verbose)
        files_good, files_lines = check_keras_files(model, cdir)
        good, lines = good and files_good, lines + files_lines
        (passed if good else failed).append(name)
        print("%s %s" % ("ok  " if good else "FAIL", name))
        for line in lines:
            print("      " + line)

    print("%d passed, %d failed" % (len(passed), len(failed)))
    if failed:
        print("failed: %s\nfiles kept in %s" % (" ".join(failed), work))
    elif not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
