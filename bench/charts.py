"""Charts for a bench/run results file (run with .venv-bench's Python).

  python bench/charts.py bench/results/<timestamp>.json

Writes, beside the results file, and prints their paths:
  <timestamp>-seconds-per-epoch.png   median s/epoch per model, grouped bars per
                                      contender (log scale when the spread is
                                      wide), epoch 1 as a marker, failures marked
  <timestamp>-accuracy-<model>.png    test accuracy after every epoch, one curve
                                      per contender; one capped by --keras-epochs
                                      ends earlier (its epochs in the legend)
"""

import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"kcc": "#d62728", "kcc-bf16": "#8c564b", "tensorflow": "#ff7f0e", "jax": "#1f77b4", "torch": "#9467bd"}
LABELS = {"kcc": "kcc", "kcc-bf16": "kcc --precision bf16", "tensorflow": "Keras 3 / TensorFlow",
          "jax": "Keras 3 / JAX", "torch": "Keras 3 / PyTorch"}


def seconds_chart(res, out):
    st, summ = res["settings"], res["summary"]
    models, contenders = st["models"], st["contenders"]
    vals = [s.get("median_epoch_seconds") or s.get("first_epoch_seconds")
            for m in models for s in summ.get(m, {}).values() if isinstance(s, dict) and s.get("status") == "ok"]
    vals = [v for v in vals if v]
    log_scale = bool(vals) and max(vals) / max(min(vals), 1e-9) > 20
    fig, ax = plt.subplots(figsize=(max(6.4, 1.9 * len(models) + 2), 5.4))
    width = 0.8 / max(1, len(contenders))
    for ci, c in enumerate(contenders):
        xs, ys, firsts, fails, marks = [], [], [], [], []
        for mi, m in enumerate(models):
            x = mi - 0.4 + width * (ci + 0.5)
            s = summ.get(m, {}).get(c)
            if not s:
                continue
            if s.get("status") != "ok":
                fails.append(x)
                continue
            y = s.get("median_epoch_seconds") or s.get("first_epoch_seconds")
            xs.append(x)
            ys.append(y)
            firsts.append(s.get("first_epoch_seconds"))
            marks.append("†" if s.get("median_is_first_epoch") else "")
        bars = ax.bar(xs, ys, width * 0.92, color=COLORS.get(c), label=LABELS.get(c, c))
        for b, y, mark in zip(bars, ys, marks):
            ax.annotate(f"{y:.3g}{mark}", (b.get_x() + b.get_width() / 2, y), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 1), textcoords="offset points")
        ax.scatter(xs, firsts, marker="_", s=120, color="black", zorder=3,
                   label="epoch 1 (incl. compile/trace)" if ci == 0 else None)
        for x in fails:
            ax.annotate("failed", (x, 0), xycoords=("data", "axes fraction"), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom", rotation=90, fontsize=7,
                        color=COLORS.get(c))
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels(models, fontsize=9)
    if log_scale:
        ax.set_yscale("log")
    if any(s.get("median_is_first_epoch") for m in models for s in summ.get(m, {}).values() if isinstance(s, dict)):
        ax.plot([], [], " ", label="† only one epoch: includes warm-up")
    ax.set_ylabel("seconds per epoch (median after epoch 1)" + (", log scale" if log_scale else ""))
    mode = "quick run" if st["quick"] else "full run"
    ax.set_title(f"Seconds per epoch, {st['threads']} threads ({mode}, {res['timestamp'][:10]})", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, frameon=False)
    ax.grid(axis="y", alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def accuracy_chart(res, model, out):
    st, per = res["settings"], res["summary"].get(model, {})
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    drawn = 0
    longest = max((len(s.get("test_accuracy_per_epoch") or []) for s in per.values() if isinstance(s, dict)), default=0)
    for c in st["contenders"]:
        s = per.get(c)
        if not s or s.get("status") != "ok":
            continue
        acc = s.get("test_accuracy_per_epoch") or []
        pts = [(i + 1, a) for i, a in enumerate(acc) if a is not None and not math.isnan(a)]
        if not pts:
            continue
        # A contender capped by --keras-epochs simply ends earlier; the legend says where.
        n = len(acc)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, color=COLORS.get(c),
                label=LABELS.get(c, c) + (f" ({n} epoch{'s' if n > 1 else ''})" if n < longest else ""))
        drawn += 1
    failed = [c for c in st["contenders"] if per.get(c, {}).get("status") == "failed"]
    if failed:
        ax.text(0.02, 0.02, "failed: " + ", ".join(failed), transform=ax.transAxes, fontsize=8, color="gray")
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    mode = "quick run" if st["quick"] else "full run"
    ax.set_title(f"{model}: test accuracy per epoch ({mode})", fontsize=10)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if drawn:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    path = sys.argv[1]
    with open(path) as f:
        res = json.load(f)
    stem = os.path.splitext(path)[0]
    out = stem + "-seconds-per-epoch.png"
    seconds_chart(res, out)
    print(out)
    for m in res["settings"]["models"]:
        out = f"{stem}-accuracy-{m}.png"
        accuracy_chart(res, m, out)
        print(out)


if __name__ == "__main__":
    main()
