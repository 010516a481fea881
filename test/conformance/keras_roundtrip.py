#!/usr/bin/env python3
"""Your own data in, Keras's own files out, and back (issue #10), on the MNIST
MLP (models/keras3/mnist_mlp.json) with the real MNIST arrays:

    keras_roundtrip.py --kcc KCC --krun KRUN --data DATASETS [--work DIR]

1. krun trains one epoch from an .npz (x_train/y_train/x_test/y_test) and
   writes trained.keras; Keras 3 (JAX) opens it with keras.saving.load_model,
   predicts on the test set and must agree with krun --predict to 1e-5, with
   krun --evaluate's accuracy exactly and its loss to 1e-5 (relative).
2. The same data as memory-mapped .npy files (--x/--y) trains to bit-identical
   weights.
3. Keras trains the model (from the same file) on part of the training set
   and saves .weights.h5 and .keras, and Keras 2's HDF5 layout (a full-model
   .h5 and bare weights); krun --evaluate with each must give Keras's
   model.evaluate loss and accuracy, also when kcc compiles the .keras and
   the full-model .h5 themselves.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "..", "..", "models", "keras3", "mnist_mlp.json")


def mnist(data, part):
    d = os.path.join(data, "mnist")
    prefix = "train" if part == "train" else "t10k"
    with gzip.open(os.path.join(d, prefix + "-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255
    with gzip.open(os.path.join(d, prefix + "-labels-idx1-ubyte.gz")) as f:
        y = np.eye(10, dtype=np.float32)[np.frombuffer(f.read(), np.uint8, offset=8)]
    return x, y


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def last_json(path):
    return json.loads(open(path).read().strip().splitlines()[-1])


def close(what, got, want, rtol):
    ok = abs(got - want) <= rtol * max(abs(want), 1e-12)
    print("%s %-40s krun %.9g  keras %.9g" % ("ok  " if ok else "FAIL", what, got, want))
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcc", required=True)
    ap.add_argument("--krun", required=True)
    ap.add_argument("--data", default=os.environ.get("KCC_DATA", ""))
    ap.add_argument("--work")
    args = ap.parse_args()
    if args.work:
        os.makedirs(args.work, exist_ok=True)
        return check(args, args.work)
    with tempfile.TemporaryDirectory(prefix="kcc-roundtrip-") as work:
        return check(args, work)


def check(args, work):
    p = lambda name: os.path.join(work, name)  # noqa: E731
    x_train, y_train = mnist(args.data, "train")
    x_test, y_test = mnist(args.data, "test")
    np.savez(p("mnist.npz"), x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    for name, a in (("x_train", x_train), ("y_train", y_train), ("x_test", x_test)):
        np.save(p(name + ".npy"), a)
    krun, binary = args.krun, p("mlp.bin")
    run([args.kcc, MODEL, "-o", binary])
    ok = True

    # 1. krun trains from the .npz and writes trained.keras.
    run([krun, binary, "--data-npz", p("mnist.npz"), "--epochs", "1", "--save", p("trained.keras"),
         "--dump-weights", p("npz_weights"), "-q"])
    run([krun, binary, "--init-weights", p("trained.keras"), "--evaluate", "--data-npz", p("mnist.npz"),
         "--log-json", p("eval.json"), "-q"])
    run([krun, binary, "--init-weights", p("trained.keras"), "--predict", p("x_test.npy"), "-o", p("pred.npy"), "-q"])
    krun_eval, krun_pred = last_json(p("eval.json")), np.load(p("pred.npy"))

    import keras
    model = keras.saving.load_model(p("trained.keras"))
    pred = model.predict(x_test, batch_size=1000, verbose=0)
    diff = float(np.abs(pred - krun_pred).max())
    good = pred.shape == krun_pred.shape and diff <= 1e-5
    print("%s keras predict vs krun --predict: max |diff| %.3g (tolerance 1e-5)" % ("ok  " if good else "FAIL", diff))
    ok &= good
    correct = int((pred.argmax(1) == y_test.argmax(1)).sum())
    ok &= close("test accuracy (keras predict, krun --evaluate)", krun_eval["accuracy"], correct / len(y_test), 0)
    loss, _ = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    ok &= close("test loss (keras evaluate, krun --evaluate)", krun_eval["loss"], loss, 1e-5)

    # 2. The same arrays as memory-mapped .npy files: the same run, bit for bit.
    run([krun, binary, "--x", p("x_train.npy"), "--y", p("y_train.npy"), "--epochs", "1",
         "--dump-weights", p("npy_weights"), "-q"])
    same = all(np.array_equal(np.load(os.path.join(p("npz_weights"), f)), np.load(os.path.join(p("npy_weights"), f)))
               for f in sorted(os.listdir(p("npz_weights"))))
    print("%s --x/--y .npy files train to the --data-npz run's weights, bit for bit" % ("ok  " if same else "FAIL"))
    ok &= same

    # 3. Keras trains; krun evaluates Keras's files.
    doc = json.load(open(MODEL))
    doc.pop("kcc", None)
    keras.utils.set_random_seed(3)
    k = keras.models.model_from_json(json.dumps(doc))
    k.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    k.fit(x_train[:12800], y_train[:12800], batch_size=128, epochs=1, verbose=0)
    k.save_weights(p("keras.weights.h5"))
    k.save(p("keras_model.keras"))
    # Keras 2's HDF5 layout (layer_names / weight_names), as tf.keras writes
    # it: a full-model .h5 (weights under model_weights/) and bare weights.
    import warnings
    import h5py
    from keras.src.legacy.saving import legacy_h5_format
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k.save(p("keras2_model.h5"))
    with h5py.File(p("keras2.h5"), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, k)
    loss, acc = k.evaluate(x_test, y_test, batch_size=128, verbose=0)
    for f in ("keras.weights.h5", "keras_model.keras", "keras2_model.h5", "keras2.h5"):
        run([krun, binary, "--init-weights", p(f), "--evaluate", "--data-npz", p("mnist.npz"),
             "--log-json", p(f + ".json"), "-q"])
        e = last_json(p(f + ".json"))
        ok &= close("loss of Keras's %s" % f, e["loss"], loss, 1e-5)
        ok &= close("accuracy of Keras's %s" % f, e["accuracy"], acc, 1e-6)
    # kcc compiles the model files themselves (config.json; model_config).
    for f in ("keras_model.keras", "keras2_model.h5"):
        run([args.kcc, p(f), "-o", p(f + ".bin")])
        run([krun, p(f + ".bin"), "--init-weights", p(f), "--evaluate", "--data-npz", p("mnist.npz"),
             "--log-json", p(f + ".bin.json"), "-q"])
        ok &= close("loss of kcc %s with its weights" % f, last_json(p(f + ".bin.json"))["loss"], loss, 1e-5)
    print("keras round trip %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
