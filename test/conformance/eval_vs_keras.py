#!/usr/bin/env python3
"""krun's evaluation (inference mode: BatchNormalization on its moving
statistics, no dropout) against Keras 3's model.evaluate with the weights krun
trained, on the whole MNIST test set.

    eval_vs_keras.py --kcc KCC --krun KRUN --data DATASETS [--work DIR]

Trains the corpus model keras3/mnist_cnn_batchnorm.json (Conv+BatchNorm+ReLU,
global average pooling, dropout) for 40 steps with krun, writes its weights,
loads them into the same model built by Keras from the same file, and
requires Keras's test loss and accuracy to equal krun's (1e-4 relative).
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
MODEL = os.path.join(HERE, "..", "corpus", "keras3", "mnist_cnn_batchnorm.json")


def mnist_test(data):
    d = os.path.join(data, "mnist")
    with gzip.open(os.path.join(d, "t10k-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1).astype(np.float32) / 255
    with gzip.open(os.path.join(d, "t10k-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int32)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcc", required=True)
    ap.add_argument("--krun", required=True)
    ap.add_argument("--data", default=os.environ.get("KCC_DATA", ""))
    ap.add_argument("--work")
    args = ap.parse_args()
    if args.work:
        return check(args, args.work)
    with tempfile.TemporaryDirectory(prefix="kcc-eval-") as work:
        return check(args, work)


def check(args, work):
    binary, weights, log = (os.path.join(work, n) for n in ("model.bin", "weights", "log.json"))
    subprocess.run([args.kcc, MODEL, "--batch-size", "128", "-o", binary], check=True)
    subprocess.run([args.krun, binary, "--data", args.data, "--dataset", "mnist", "--epochs", "1", "--steps", "40",
                    "--dump-weights", weights, "--log-json", log], check=True, stdout=subprocess.DEVNULL)
    krun = json.loads(open(log).read().strip().splitlines()[-1])

    import keras
    doc = json.load(open(MODEL))
    doc.pop("kcc")
    model = keras.models.model_from_json(json.dumps(doc))
    n = len(model.get_weights())
    model.set_weights([np.load(os.path.join(weights, "w%03d.npy" % i)) for i in range(n)])
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = mnist_test(args.data)
    loss, accuracy = model.evaluate(x, np.eye(10, dtype=np.float32)[y], batch_size=500, verbose=0)
    print("krun  test_loss %.6f test_accuracy %.6f" % (krun["test_loss"], krun["test_accuracy"]))
    print("keras test_loss %.6f test_accuracy %.6f" % (loss, accuracy))
    ok = abs(loss - krun["test_loss"]) <= 1e-4 * abs(loss) and abs(accuracy - krun["test_accuracy"]) <= 1e-4
    print("ok" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
