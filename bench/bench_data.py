"""Dataset loaders for the Keras contenders of bench/run (numpy only).

They read the same files kcc's runtime reads (runtime/data/) from the
datasets root (normally ../shared/datasets) and produce the arrays the Keras
2.0.8 example scripts pass to fit():

- MNIST: the four IDX .gz files; images /255 as float32, reshaped by the
  caller to the model's input shape; labels one-hot (10).
- CIFAR-10: cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin.gz;
  3073-byte records (label, 1024 R, 1024 G, 1024 B) -> [N, 32, 32, 3]
  float32 /255 (channels_last; transposed for channels_first models).
- bAbI: tasks_1-20_v1-2.tar.gz, QA2 on the 1k "en" set, tokenised, parsed
  and vectorised like babi_rnn.py of Keras 2.0.8 on Python 3.5 (vocab 36,
  story_maxlen 552, query_maxlen 5, pre-padding with 0).

augment_shift_flip() is the example's ImageDataGenerator(width_shift_range
0.1, height_shift_range 0.1, horizontal_flip, fill_mode 'nearest') with
Keras 2.0.8's order-0 (nearest) resampling, the same rule as
runtime/data/Augment.h, vectorised over a batch.
"""

import gzip
import os
import re
import tarfile

import numpy as np


class DataError(Exception):
    pass


# ----------------------------------------------------------------------------
# MNIST

def _read_idx_gz(path, magic, dims):
    if not os.path.isfile(path):
        raise DataError(f"mnist: missing file {path}")
    with gzip.open(path, "rb") as f:
        raw = f.read()
    head = np.frombuffer(raw, dtype=">u4", count=1 + dims)
    if int(head[0]) != magic:
        raise DataError(f"mnist: {path}: expected magic {magic}, found {int(head[0])}")
    shape = tuple(int(v) for v in head[1:])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + dims))
    if data.size != int(np.prod(shape)):
        raise DataError(f"mnist: {path}: expected {np.prod(shape)} bytes of data, found {data.size}")
    return data.reshape(shape)


def load_mnist(root):
    d = os.path.join(root, "mnist")
    xtr = _read_idx_gz(os.path.join(d, "train-images-idx3-ubyte.gz"), 2051, 3)
    ytr = _read_idx_gz(os.path.join(d, "train-labels-idx1-ubyte.gz"), 2049, 1)
    xte = _read_idx_gz(os.path.join(d, "t10k-images-idx3-ubyte.gz"), 2051, 3)
    yte = _read_idx_gz(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), 2049, 1)
    f = lambda x: x.astype(np.float32) / np.float32(255.0)
    return {"train": ([f(xtr)], ytr.astype(np.int64)),
            "test": ([f(xte)], yte.astype(np.int64)),
            "num_classes": 10}


# ----------------------------------------------------------------------------
# CIFAR-10

def _read_cifar_bin_gz(path):
    if not os.path.isfile(path):
        raise DataError(f"cifar10: missing file {path}")
    with gzip.open(path, "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8)
    if raw.size % 3073:
        raise DataError(f"cifar10: {path}: size {raw.size} is not a multiple of 3073")
    rec = raw.reshape(-1, 3073)
    labels = rec[:, 0].astype(np.int64)
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # -> NHWC
    return images, labels


def load_cifar10(root):
    d = os.path.join(root, "cifar10", "cifar-10-batches-bin")
    parts = [_read_cifar_bin_gz(os.path.join(d, f"data_batch_{i}.bin.gz")) for i in range(1, 6)]
    xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1] for p in parts])
    xte, yte = _read_cifar_bin_gz(os.path.join(d, "test_batch.bin.gz"))
    f = lambda x: x.astype(np.float32) / np.float32(255.0)
    return {"train": ([f(xtr)], ytr), "test": ([f(xte)], yte), "num_classes": 10}


# ----------------------------------------------------------------------------
# bAbI (babi_rnn.py, Keras 2.0.8, Python 3.5 semantics)

_TOKEN = re.compile(r"\w+|\W+")


def babi_tokenize(sent):
    # Python 3.5: re.split('(\W+)?', sent) splits at every non-empty run of
    # non-word characters and keeps the run (the group); empty matches do
    # not split. So the pieces are the alternating word / non-word runs;
    # the script keeps the stripped, non-blank ones.
    return [t.strip() for t in _TOKEN.findall(sent) if t.strip()]


def babi_parse_stories(lines):
    data, story = [], []
    for line in lines:
        line = line.strip()
        nid, line = line.split(" ", 1)
        if int(nid) == 1:
            story = []
        if "\t" in line:
            q, a, _supporting = line.split("\t")
            q = babi_tokenize(q)
            substory = [x for x in story if x]
            data.append(([w for sent in substory for w in sent], q, a))
            story.append("")
        else:
            story.append(babi_tokenize(line))
    return data


def _pad_pre(seqs, maxlen):
    out = np.zeros((len(seqs), maxlen), dtype=np.int32)
    for i, s in enumerate(seqs):
        s = s[-maxlen:]
        if s:
            out[i, maxlen - len(s):] = s
    return out


def load_babi(root, task="qa2", babi_set="en"):
    path = os.path.join(root, "babi", "tasks_1-20_v1-2.tar.gz")
    if not os.path.isfile(path):
        raise DataError(f"babi: missing file {path}")
    head = f"tasks_1-20_v1-2/{babi_set}/{task}_"
    with tarfile.open(path, "r:gz") as tar:
        def part(which):
            names = [m.name for m in tar.getmembers()
                     if m.name.startswith(head) and m.name.endswith(f"_{which}.txt")]
            if len(names) != 1:
                raise DataError(f"babi: {path}: expected one entry {head}*_{which}.txt, found {names}")
            text = tar.extractfile(names[0]).read().decode("utf-8")
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            return babi_parse_stories(lines)
        train, test = part("train"), part("test")
    vocab = set()
    for story, q, answer in train + test:
        vocab |= set(story + q + [answer])
    vocab = sorted(vocab)
    word_idx = {w: i + 1 for i, w in enumerate(vocab)}
    story_maxlen = max(len(s) for s, _, _ in train + test)
    query_maxlen = max(len(q) for _, q, _ in train + test)

    def vec(data):
        xs = _pad_pre([[word_idx[w] for w in s] for s, _, _ in data], story_maxlen)
        xq = _pad_pre([[word_idx[w] for w in q] for _, q, _ in data], query_maxlen)
        y = np.array([word_idx[a] for _, _, a in data], dtype=np.int64)
        return [xs, xq], y

    return {"train": vec(train), "test": vec(test), "num_classes": len(vocab) + 1,
            "vocab": vocab, "story_maxlen": story_maxlen, "query_maxlen": query_maxlen}


# ----------------------------------------------------------------------------

def load(name, root, kcc_block):
    if name == "mnist":
        return load_mnist(root)
    if name == "cifar10":
        return load_cifar10(root)
    if name == "babi":
        ds = kcc_block.get("dataset", {})
        return load_babi(root, ds.get("task", "qa2"), ds.get("set", "en"))
    raise DataError(f"unknown dataset {name!r}")


def one_hot(labels, num_classes):
    out = np.zeros((labels.shape[0], num_classes), dtype=np.float32)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def split_tail(xs, y, fraction):
    """Keras fit(validation_split=f): the last part of the arrays, before shuffling."""
    n = y.shape[0]
    at = int(n * (1.0 - fraction))
    return ([x[:at] for x in xs], y[:at]), ([x[at:] for x in xs], y[at:])


def augment_shift_flip(batch, rng, width_shift=0.1, height_shift=0.1, horizontal_flip=True,
                       channels_first=False):
    """One ImageDataGenerator draw per image: shift (nearest fill, order 0), then flip."""
    x = np.moveaxis(batch, 1, -1) if channels_first else batch
    b, h, w = x.shape[0], x.shape[1], x.shape[2]
    u = rng.random((b, 3))
    tx = (-height_shift + 2 * height_shift * u[:, 0]) * h if height_shift else np.zeros(b)
    ty = (-width_shift + 2 * width_shift * u[:, 1]) * w if width_shift else np.zeros(b)
    flip = (u[:, 2] < 0.5) if horizontal_flip else np.zeros(b, dtype=bool)
    i = np.arange(h)[None, :]
    j = np.arange(w)[None, :]
    rows = np.clip(np.floor(i + tx[:, None] + 0.5), 0, h - 1).astype(np.intp)
    jj = np.where(flip[:, None], w - 1 - j, j)
    cols = np.clip(np.floor(jj + ty[:, None] + 0.5), 0, w - 1).astype(np.intp)
    out = x[np.arange(b)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return np.ascontiguousarray(np.moveaxis(out, -1, 1)) if channels_first else out
