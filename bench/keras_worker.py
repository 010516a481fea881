"""Trains one reference model with Keras 3 on one backend; run by bench/run.

  python keras_worker.py --backend tensorflow|jax|torch --model models/keras3/M.json
      --data DIR --epochs E [--steps-per-epoch S] --seed N --threads T
      [--jit-compile auto|true|false] --log EPOCHS.jsonl --out RESULT.json
  python keras_worker.py --backend B --probe --out VERSIONS.json

The model comes from keras.models.model_from_json (without the file's
"compile_config" and "kcc" keys) and is compiled here with the optimizer,
loss and metrics of its compile_config. Data: bench_data.py (the same files
and preprocessing as kcc). Training: model.fit(..., validation_data=...),
with cifar10 fed from an augmenting keras.utils.PyDataset of steps_per_epoch
batches, a fresh shuffled order per epoch (as kcc's runtime does).

Per epoch (one JSON line in --log as it ends): wall seconds from
on_epoch_begin to on_epoch_end (training + validation, as Keras' progress
bar reports it), the training part (to on_test_begin), the evaluation part,
loss/accuracy (running means over the epoch, as Keras logs them), and
test loss/accuracy. For a model whose validation is a split of the training
data (babi) the callback also evaluates the test set, timed into the epoch,
since kcc's epoch evaluates both.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--backend", required=True, choices=["tensorflow", "jax", "torch"])
    p.add_argument("--model")
    p.add_argument("--data")
    p.add_argument("--epochs", type=int, default=0)
    p.add_argument("--steps-per-epoch", type=int, default=0,
                   help="train this many batches per epoch (0: the model's own epoch)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--jit-compile", default="auto", choices=["auto", "true", "false"])
    p.add_argument("--log")
    p.add_argument("--out", required=True)
    p.add_argument("--probe", action="store_true", help="only report versions")
    return p.parse_args()


def setup_backend(backend, threads):
    """Environment and thread settings; must run before keras is imported."""
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if threads > 0:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
            os.environ[var] = str(threads)
    info = {"backend": backend, "threads": threads}
    if backend == "tensorflow":
        import tensorflow as tf
        if threads > 0:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        info["tensorflow"] = tf.__version__
        info["devices"] = [d.name for d in tf.config.list_physical_devices()]
        try:
            from tensorflow.python.util import _pywrap_util_port
            info["onednn_enabled"] = bool(_pywrap_util_port.IsMklEnabled())
        except Exception:
            pass
    elif backend == "jax":
        import jax
        import jaxlib
        info["jax"] = jax.__version__
        info["jaxlib"] = getattr(jaxlib, "__version__", None) or jaxlib.version.__version__
        info["devices"] = [str(d) for d in jax.devices()]
    elif backend == "torch":
        import torch
        if threads > 0:
            torch.set_num_threads(threads)
            try:
                torch.set_num_interop_threads(threads)
            except RuntimeError:
                pass
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
        info["cuda_available"] = bool(torch.cuda.is_available())
        cfg = torch.__config__.show()
        import re
        m = re.search(r"(?:oneDNN|MKL-DNN) v([0-9][0-9.]*)", cfg)
        if m:
            info["onednn"] = m.group(1)
        m = re.search(r"Math Kernel Library Version ([0-9.]+)", cfg)
        if m:
            info["mkl"] = m.group(1)
        m = re.search(r"CPU capability usage: (\S+)", cfg)
        if m:
            info["cpu_capability"] = m.group(1)
    return info


def probe_tf_onednn():
    """Runs one oneDNN-backed op with ONEDNN_VERBOSE=1 in a child and reads the version."""
    import re
    import subprocess
    code = ("import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='2'\n"
            "import tensorflow as tf\n"
            "x = tf.random.normal([1, 8, 8, 4]); k = tf.random.normal([3, 3, 4, 4])\n"
            "tf.nn.conv2d(x, k, 1, 'SAME'); tf.linalg.matmul(tf.ones([64, 64]), tf.ones([64, 64]))\n")
    env = dict(os.environ, ONEDNN_VERBOSE="1", DNNL_VERBOSE="1", CUDA_VISIBLE_DEVICES="")
    try:
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    except Exception:
        return None
    m = re.search(r"oneDNN v([0-9][0-9.]*)", r.stdout + r.stderr)
    return m.group(1) if m else None


def set_seed(backend, seed):
    """keras.utils.set_random_seed, without importing TensorFlow on the other
    backends (it seeds tf.random whenever TF is installed, which would load
    all of TF into the JAX and torch processes)."""
    import keras
    if backend == "tensorflow":
        keras.utils.set_random_seed(seed)
        return
    try:
        import random
        import numpy as np
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils import rng_utils
        global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
        random.seed(seed)
        np.random.seed(seed)
        if backend == "torch":
            import torch
            torch.manual_seed(seed)
    except (ImportError, AttributeError):
        keras.utils.set_random_seed(seed)


def main():
    args = parse_args()
    t_start = time.time()
    info = setup_backend(args.backend, args.threads)
    import numpy as np
    import keras
    info["keras"] = keras.__version__
    info["numpy"] = np.__version__
    info["python"] = sys.version.split()[0]
    if args.probe:
        if args.backend == "tensorflow":
            info["onednn"] = probe_tf_onednn()
        with open(args.out, "w") as f:
            json.dump(info, f, indent=1)
        return 0

    sys.path.insert(0, HERE)
    import bench_data

    with open(args.model) as f:
        doc = json.load(f)
    kcc = doc.pop("kcc", {})
    compile_config = doc.pop("compile_config", None)
    if not compile_config:
        raise SystemExit(f"{args.model}: no compile_config")
    batch = int(kcc.get("batch_size", 32))
    epochs = args.epochs or int(kcc.get("epochs", 1))

    # ---- data
    t0 = time.time()
    ds_name = kcc["dataset"]["name"]
    ds = bench_data.load(ds_name, args.data, kcc)
    num_classes = ds["num_classes"]
    set_seed(args.backend, args.seed)
    model = keras.models.model_from_json(json.dumps(doc))
    in_shapes = [tuple(t.shape[1:]) for t in model.inputs]

    def prep(xs):
        out = []
        for x, shape in zip(xs, in_shapes):
            if x.dtype == np.float32 and x.shape[1:] != shape:
                if x.ndim == 4 and shape == (x.shape[3], x.shape[1], x.shape[2]):
                    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # channels_first model
                else:
                    x = x.reshape((x.shape[0],) + shape)
            out.append(x)
        return out

    xtr, ytr = prep(ds["train"][0]), bench_data.one_hot(ds["train"][1], num_classes)
    xte, yte = prep(ds["test"][0]), bench_data.one_hot(ds["test"][1], num_classes)
    val = None
    if kcc.get("validation") == "split" and kcc.get("validation_split", 0) > 0:
        (xtr, ytr), (xv, yv) = bench_data.split_tail(xtr, ytr, float(kcc["validation_split"]))
        val = (xv, yv)
    load_seconds = time.time() - t0

    # ---- compile
    t0 = time.time()
    optimizer = keras.optimizers.deserialize(compile_config["optimizer"])
    jit = {"auto": "auto", "true": True, "false": False}[args.jit_compile]
    model.compile(optimizer=optimizer, loss=compile_config.get("loss", "categorical_crossentropy"),
                  metrics=compile_config.get("metrics") or ["accuracy"], jit_compile=jit)
    info["jit_compile_resolved"] = bool(model.jit_compile)
    info["params"] = int(model.count_params())
    build_seconds = time.time() - t0

    one = lambda xs: xs[0] if len(xs) == 1 else xs
    n_train = ytr.shape[0]
    aug = kcc.get("augmentation")
    spe_model = int(kcc.get("steps_per_epoch", 0) or 0)
    spe = args.steps_per_epoch
    natural_steps = spe_model or -(-n_train // batch)
    if spe and spe >= natural_steps:
        spe = 0  # the model's own epoch is already that short
    array_spe = 0
    if spe and not (aug or spe_model):
        # Quick mode on an array-fed model: the same array path as a full
        # run. fit(steps_per_epoch=spe) goes on through one shuffled pass
        # across epochs, so every epoch trains on new samples (as kcc's
        # steps_per_epoch does); if the pass is too short for all epochs,
        # train on a fixed random subset of spe*batch samples instead.
        if spe * epochs <= natural_steps:
            array_spe = spe
        else:
            keep = np.random.default_rng([args.seed, 99]).permutation(n_train)[:spe * batch]
            xtr, ytr = [x[keep] for x in xtr], ytr[keep]
            n_train = ytr.shape[0]
        spe = 0
    if aug or spe_model or spe:
        # Generator feeding: a fresh shuffled order each epoch, the first
        # steps*batch samples of it (full batches), cifar10 augmented.
        steps = spe or spe_model
        steps = min(steps, n_train // batch)

        class Batches(keras.utils.PyDataset):
            def __init__(self):
                super().__init__(workers=1, use_multiprocessing=False)
                self.epoch = 0
                self._order()

            def _order(self):
                rng = np.random.default_rng([args.seed, self.epoch, 7])
                self.order = rng.permutation(n_train)

            def __len__(self):
                return steps

            def __getitem__(self, i):
                idx = self.order[i * batch:(i + 1) * batch]
                xs = [x[idx] for x in xtr]
                if aug:
                    rng = np.random.default_rng([args.seed, self.epoch, 1 + i])
                    xs = [bench_data.augment_shift_flip(
                        x, rng, aug.get("width_shift_range", 0.0), aug.get("height_shift_range", 0.0),
                        bool(aug.get("horizontal_flip", False)), channels_first=x.shape[1] == 3 and x.shape[3] != 3)
                        if x.ndim == 4 else x for x in xs]
                return (xs[0] if len(xs) == 1 else tuple(xs)), ytr[idx]

            def on_epoch_end(self):
                self.epoch += 1
                self._order()

        fit_x, fit_y, fit_kw = Batches(), None, {}
        samples_per_epoch = steps * batch
    else:
        fit_x, fit_y, fit_kw = one(xtr), ytr, {"batch_size": batch, "shuffle": bool(kcc.get("shuffle", True))}
        samples_per_epoch = n_train
        steps = -(-n_train // batch)
        if array_spe:
            fit_kw["steps_per_epoch"] = steps = array_spe
            samples_per_epoch = array_spe * batch

    extra_test = val is not None
    validation_data = (one(val[0]), val[1]) if val is not None else (one(xte), yte)
    log_f = open(args.log, "w") if args.log else None

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()
            self.t_test0 = self.t_test1 = None

        def on_test_begin(self, logs=None):
            if self.t_test0 is None:
                self.t_test0 = time.perf_counter()

        def on_test_end(self, logs=None):
            self.t_test1 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = dict(logs or {})
            rec = {"epoch": epoch + 1}
            if extra_test:
                t = self.model.evaluate(one(xte), yte, batch_size=batch, verbose=0, return_dict=True)
                rec["test_loss"], rec["test_accuracy"] = float(t["loss"]), float(t["accuracy"])
                rec["val_loss"] = float(logs.get("val_loss", float("nan")))
                rec["val_accuracy"] = float(logs.get("val_accuracy", float("nan")))
            else:
                rec["test_loss"] = float(logs.get("val_loss", float("nan")))
                rec["test_accuracy"] = float(logs.get("val_accuracy", float("nan")))
            t1 = time.perf_counter()
            train_end = self.t_test0 if self.t_test0 is not None else t1
            rec["seconds"] = t1 - self.t0
            rec["train_seconds"] = train_end - self.t0
            rec["eval_seconds"] = t1 - train_end
            rec["steps"] = steps * (epoch + 1)
            rec["samples"] = samples_per_epoch
            rec["loss"] = float(logs.get("loss", float("nan")))
            rec["accuracy"] = float(logs.get("accuracy", float("nan")))
            rec["samples_per_second"] = samples_per_epoch / rec["train_seconds"] if rec["train_seconds"] > 0 else 0
            self.epochs.append(rec)
            if log_f:
                log_f.write(json.dumps(rec) + "\n")
                log_f.flush()
            print(f"[{args.backend}] epoch {epoch + 1}/{epochs}: {rec['seconds']:.2f}s "
                  f"(train {rec['train_seconds']:.2f}s) loss {rec['loss']:.4f} acc {rec['accuracy']:.4f} "
                  f"test_acc {rec['test_accuracy']:.4f}", flush=True)

    rec = Recorder()
    t0 = time.time()
    model.fit(fit_x, fit_y, epochs=epochs, validation_data=validation_data, callbacks=[rec], verbose=0, **fit_kw)
    fit_seconds = time.time() - t0
    info["tensorflow_imported"] = "tensorflow" in sys.modules
    result = {"info": info, "epochs": rec.epochs, "load_seconds": load_seconds, "build_seconds": build_seconds,
              "fit_seconds": fit_seconds, "total_seconds": time.time() - t_start,
              "batch_size": batch, "steps_per_epoch": steps, "samples_per_epoch": samples_per_epoch,
              "train_samples": int(n_train)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
