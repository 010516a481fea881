"""kcc's dropout masks in numpy, so Keras can train with the same masks.

kcc drops element i (row-major index over the dropout's input tensor, batch
first) of the dropout layer numbered `stream` (1, 2, ... in the model file's
layer order) at training step `step` when

    Philox4x32-10(key = (seed lo, seed hi),
                  counter = (i >> 2 lo, i >> 2 hi, step, stream))[i & 3]  <  round(rate * 2^32)

and scales the kept ones by 1 / (1 - rate)  (ir/Graph/IR/ops/Common.cpp,
philoxWord; docs/design.md).  This file is written from that definition,
not from kcc's code, and checks itself against the published Random123
known-answer vectors.
"""
import numpy as np

_M32 = np.uint64(0xFFFFFFFF)
_KNOWN_ANSWERS = [  # Random123 kat_vectors, philox4x32 10 rounds
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


def philox4x32(counters, key):
    """counters: 4 uint64 arrays holding 32-bit values; key: two ints.
    Returns the 4 output words (uint64 arrays)."""
    c = [np.asarray(x, np.uint64) for x in counters]
    k0, k1 = key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * c[0]  # 32 x 32 -> 64 bits: no overflow
        p1 = np.uint64(0xCD9E8D57) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ np.uint64(k0), p1 & _M32,
             (p0 >> np.uint64(32)) ^ c[3] ^ np.uint64(k1), p0 & _M32]
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return c


def check_known_answers():
    for ctr, key, want in _KNOWN_ANSWERS:
        got = tuple(int(np.asarray(w).reshape(-1)[0]) for w in philox4x32(
            [np.array([v], np.uint64) for v in ctr], key))
        if got != want:
            raise RuntimeError("philox4x32-10 known-answer test failed: %s, expected %s"
                               % ([hex(g) for g in got], [hex(w) for w in want]))


def dropout_scale(shape, rate, seed, step, stream):
    """The factor kcc multiplies each element by: 0 or 1/(1-rate)."""
    n = int(np.prod(shape))
    blocks = np.arange((n + 3) // 4, dtype=np.uint64)
    words = philox4x32([blocks & _M32, blocks >> np.uint64(32),
                        np.full(blocks.shape, step & 0xFFFFFFFF, np.uint64),
                        np.full(blocks.shape, stream & 0xFFFFFFFF, np.uint64)],
                       (seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF))
    word = np.stack(words, axis=1).reshape(-1)[:n]
    threshold = min(round(rate * 4294967296.0), 4294967295)
    keep = word >= np.uint64(threshold)
    return np.where(keep, 1.0 / (1.0 - rate), 0.0).reshape(shape)
