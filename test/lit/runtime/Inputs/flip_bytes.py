"""flip_bytes.py KRUN MODEL TRIALS SEED: runs krun on TRIALS copies of MODEL,
each with one byte at a random offset changed, and fails unless every run
exits with status 1 and a "krun: error:" line that names the damage (no
signal, no silent run). Prints one summary line."""
import os
import random
import subprocess
import sys
import tempfile

krun, model, trials, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data = open(model, "rb").read()
rng = random.Random(seed)
bad = []
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "flipped.bin")
    for t in range(trials):
        offset = rng.randrange(len(data))
        flipped = bytearray(data)
        flipped[offset] ^= rng.randrange(1, 256)
        with open(path, "wb") as f:
            f.write(flipped)
        p = subprocess.run([krun, path, "--steps", "1", "-q", "--data", tmp], capture_output=True, text=True,
                           timeout=60)
        ok = p.returncode == 1 and "krun: error:" in p.stderr and (
            "corrupt" in p.stderr or "not a kcc model.bin" in p.stderr or "checksum" in p.stderr)
        if not ok:
            bad.append("offset %d: exit %d: %s" % (offset, p.returncode, p.stderr.strip()[-200:]))
print("%d flips, %d not cleanly refused" % (trials, len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad else 0)
