#!/usr/bin/env python3
"""MNIST CNN in Keras 3 and in kcc with the same initial weights, data order
and dropout masks: does a whole epoch come out the same?

The conformance suite compares a few steps on one small batch; this trains
the real model on the real data. Keras gets kcc's masks as extra inputs
(test/conformance/philox.py recomputes them from kcc's definition: seed 1,
step counted from 0, stream 1 and 2 for the two Dropout layers) multiplied in
where the Dropout layers were, so the only randomness left, the masks, is
shared. Both run without shuffling, from Keras's initial weights.

  .venv-bench/bin/python bench/cnn_same_masks.py [--epochs 1] [--no-dropout]

Prints one line per epoch and contender (train loss/accuracy as the running
mean over the epoch, test loss/accuracy after it).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path[:0] = [os.path.join(ROOT, "bench"), os.path.join(ROOT, "test", "conformance")]

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

import bench_data  # noqa: E402
import philox  # noqa: E402

BATCH, SEED = 128, 1


def keras_model(dropout):
    """models/mnist_cnn.json's layers, with mask inputs in place of Dropout(0.25) and Dropout(0.5)."""
    x = keras.Input((28, 28, 1))
    masks = [keras.Input((12, 12, 64)), keras.Input((128,))]
    h = layers.MaxPooling2D(2)(layers.Conv2D(64, 3, activation="relu")(layers.Conv2D(32, 3, activation="relu")(x)))
    h = layers.Flatten()(layers.Multiply()([h, masks[0]]) if dropout else h)
    h = layers.Dense(128, activation="relu")(h)
    y = layers.Dense(10, activation="softmax")(layers.Multiply()([h, masks[1]]) if dropout else h)
    model = keras.Model([x] + masks, y)
    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-8),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--no-dropout", action="store_true", help="both sides with dropout rate 0")
    ap.add_argument("--data", default=os.environ.get("KCC_DATA") or os.path.join(ROOT, "..", "shared", "datasets"))
    ap.add_argument("--kcc-bin", default=os.path.join(ROOT, "build", "release", "bin"))
    args = ap.parse_args()
    dropout = not args.no_dropout
    philox.check_known_answers()
    ds = bench_data.load_mnist(args.data)
    xtr, ytr = ds["train"][0][0].reshape(-1, 28, 28, 1), bench_data.one_hot(ds["train"][1], 10)
    xte, yte = ds["test"][0][0].reshape(-1, 28, 28, 1), bench_data.one_hot(ds["test"][1], 10)
    steps = -(-len(xtr) // BATCH)
    work = tempfile.mkdtemp(prefix="cnn-same-masks-")

    # kcc: models/mnist_cnn.json without shuffling (and without dropout if asked), Keras's initial weights.
    keras.utils.set_random_seed(SEED)
    model = keras_model(dropout)
    init = os.path.join(work, "init")
    os.makedirs(init)
    for i, w in enumerate(model.get_weights()):
        np.save(os.path.join(init, "w%03d.npy" % i), w)
    with open(os.path.join(ROOT, "models", "mnist_cnn.json")) as f:
        doc = json.load(f)
    doc["kcc"]["shuffle"] = False
    for layer in doc["config"]:
        if layer["class_name"] == "Dropout" and not dropout:
            layer["config"]["rate"] = 0.0
    with open(os.path.join(work, "model.json"), "w") as f:
        json.dump(doc, f)
    binary, log = os.path.join(work, "model.bin"), os.path.join(work, "kcc.jsonl")
    subprocess.run([os.path.join(args.kcc_bin, "kcc"), os.path.join(work, "model.json"), "-o", binary], check=True)
    subprocess.run([os.path.join(args.kcc_bin, "krun"), binary, "--data", args.data, "--epochs", str(args.epochs),
                    "--seed", str(SEED), "--init-weights", init, "--log-json", log, "-q"], check=True)

    class Batches(keras.utils.PyDataset):
        epoch = 0

        def __len__(self):
            return steps

        def __getitem__(self, i):
            step, rows = Batches.epoch * steps + i, slice(i * BATCH, (i + 1) * BATCH)
            n = len(xtr[rows])
            masks = [philox.dropout_scale((BATCH,) + shape, rate, SEED, step, stream)[:n].astype(np.float32)
                     for shape, rate, stream in (((12, 12, 64), 0.25, 1), ((128,), 0.5, 2))]
            return (xtr[rows], *masks), ytr[rows]

    def ones(n):
        return [np.ones((n, 12, 12, 64), np.float32), np.ones((n, 128), np.float32)]

    lines = []

    class Report(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            Batches.epoch = epoch + 1
            test = model.evaluate([xte] + ones(len(xte)), yte, batch_size=BATCH, verbose=0)
            lines.append((epoch + 1, logs["loss"], logs["accuracy"], test[0], test[1]))

    model.fit(Batches(), epochs=args.epochs, shuffle=False, verbose=0, callbacks=[Report()])
    with open(log) as f:
        kcc = [json.loads(line) for line in f if line.strip()]
    print("dropout masks: %s" % ("kcc's, in both" if dropout else "none (rate 0)"))
    for (e, loss, acc, tl, ta), k in zip(lines, kcc):
        print("epoch %d  keras: loss %.6f acc %.6f test_loss %.4f test_acc %.4f" % (e, loss, acc, tl, ta))
        print("epoch %d  kcc:   loss %.6f acc %.6f test_loss %.4f test_acc %.4f"
              % (e, k["loss"], k["accuracy"], k["test_loss"], k["test_accuracy"]))


if __name__ == "__main__":
    main()
