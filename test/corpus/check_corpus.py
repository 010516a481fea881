#!/usr/bin/env python3
"""Compile every model file of the corpus and compare with expected.txt.

    check_corpus.py --kcc build/release/bin/kcc [--corpus test/corpus] [--update]

expected.txt has one line per file, "NAME compiles" or "NAME refused: TEXT"
where TEXT is part of kcc's first error. The check fails when a file that
compiled stops compiling, when a refused file fails differently, when kcc
crashes (a signal, or an exit status other than 0 and 1) or prints anything
but clean "kcc: error:" lines, and when a file is not listed. It prints the
coverage as a number; --update rewrites expected.txt from this run (review
the diff: a newly compiling file is progress, a newly refused one is not).
"""
import argparse
import os
import subprocess
import sys
import tempfile


def run_kcc(kcc, path, out):
    p = subprocess.run([kcc, path, "-o", out], capture_output=True, text=True, timeout=600)
    return p.returncode, p.stderr.strip().splitlines()


def classify(code, errors):
    if code == 0:
        return "compiles", None
    if code != 1 or not errors or any(not line.startswith("kcc: error: ") for line in errors):
        return "crash", "exit %d: %s" % (code, " | ".join(errors[:3]))
    # The first error without the file name.
    first = errors[0][len("kcc: error: "):]
    return "refused", first.split(": ", 1)[1] if ": " in first else first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcc", required=True)
    ap.add_argument("--corpus", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.corpus) for f in fs if f.endswith(".json"))
    expected = {}
    expected_path = os.path.join(args.corpus, "expected.txt")
    if os.path.exists(expected_path):
        for line in open(expected_path):
            if line.strip() and not line.startswith("#"):
                name, _, verdict = line.rstrip("\n").partition(" ")
                expected[name] = verdict
    problems, lines, compiled = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            name = os.path.relpath(path, args.corpus)
            code, errors = run_kcc(args.kcc, path, os.path.join(tmp, "model.bin"))
            kind, detail = classify(code, errors)
            compiled += kind == "compiles"
            verdict = "compiles" if kind == "compiles" else "refused: " + (detail or "")
            lines.append("%s %s" % (name, verdict))
            print("%-45s %s" % (name, verdict if kind != "crash" else "CRASH " + detail))
            want = expected.get(name)
            if kind == "crash":
                problems.append("%s: kcc crashed or printed an unclean error (%s)" % (name, detail))
            elif want is None:
                problems.append("%s: not in expected.txt (got: %s)" % (name, verdict))
            elif want == "compiles" and kind != "compiles":
                problems.append("%s: compiled before, now refused: %s" % (name, detail))
            elif want.startswith("refused: ") and kind == "refused" and want[len("refused: "):] not in detail:
                problems.append("%s: refused differently: %s (expected: %s)" % (name, detail, want))
    print("corpus: %d of %d model files compile" % (compiled, len(files)))
    if args.update:
        with open(expected_path, "w") as f:
            f.write("# Written by check_corpus.py --update; see test/corpus/README.md.\n")
            f.write("\n".join(lines) + "\n")
        return 0
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
