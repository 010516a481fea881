#!/usr/bin/env python3
"""bench/run's report logic on synthetic results: medians, GFLOP/s and share
of peak from the reference FLOP counts, the ratio against the fastest Keras
backend, issue #4's goal column, --keras-epochs parsing, and BENCHMARKS.md
updates that keep the text outside the markers. Standard library only."""
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_bench_run():
    loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(ROOT, "bench", "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


bench = load_bench_run()


def run_record(model, contender, epoch_seconds, train_seconds, samples, accuracies):
    epochs = [{"epoch": i + 1, "seconds": s, "train_seconds": t, "eval_seconds": s - t, "samples": samples,
               "test_accuracy": a, "test_loss": 0.1, "loss": 0.2, "accuracy": 0.9}
              for i, (s, t, a) in enumerate(zip(epoch_seconds, train_seconds, accuracies))]
    return {"model": model, "contender": contender, "repeat": 0, "status": "ok", "epochs": epochs,
            "wall_seconds": sum(epoch_seconds), "peak_rss_mib": 100.0, "other_load": 0.0}


def results_for(runs, peak=200.0):
    return {"settings": {"models": ["mnist_mlp"], "contenders": ["kcc", "tensorflow", "jax"], "quick": False,
                         "epochs": 0, "seed": 1, "repeat": 1, "repeat_order": "rotate", "threads": 2,
                         "keras_epochs": {"default": 2}, "jit_compile": "auto"},
            "peak": {"gflops": peak, "runs": [{"when": "start", "gflops_all": peak, "isa": "avx512"}]},
            "machine": {"cpu_model": "test CPU", "cores_online": 2, "cpus_used": [0, 1], "memory_gib": 4},
            "runs": runs, "timestamp": "2026-01-01T00:00:00Z", "command": "bench/run (test)"}


class Summary(unittest.TestCase):
    def setUp(self):
        # MLP: 240.7 GFLOP per 60,000 samples. kcc trains an epoch in 1.2 s after a slower first one.
        self.results = results_for([
            run_record("mnist_mlp", "kcc", [3.0, 1.3, 1.5, 1.4], [2.9, 1.2, 1.4, 1.2], 60000,
                       [0.95, 0.97, 0.98, 0.981]),
            run_record("mnist_mlp", "tensorflow", [9.0, 5.6, 5.6], [8.8, 5.4, 5.4], 60000, [0.9, 0.96, 0.97]),
            run_record("mnist_mlp", "jax", [4.0, 2.8, 2.8], [3.8, 2.6, 2.6], 60000, [0.9, 0.96, 0.975]),
        ])
        self.results["summary"] = bench.summarize(self.results)

    def test_medians_exclude_the_first_epoch(self):
        kcc = self.results["summary"]["mnist_mlp"]["kcc"]
        self.assertAlmostEqual(kcc["median_epoch_seconds"], 1.4)
        self.assertAlmostEqual(kcc["first_epoch_seconds"], 3.0)
        self.assertAlmostEqual(kcc["median_train_seconds"], 1.2)

    def test_rates_come_from_the_reference_flop_counts(self):
        kcc = self.results["summary"]["mnist_mlp"]["kcc"]
        self.assertAlmostEqual(kcc["samples_per_second"], 50000.0)
        self.assertAlmostEqual(kcc["gflops"], 240.7 / 1.2, places=6)
        self.assertAlmostEqual(kcc["fraction_of_peak"], 240.7 / 1.2 / 200.0, places=6)

    def test_ratio_is_against_the_fastest_keras_backend(self):
        per = self.results["summary"]["mnist_mlp"]
        self.assertEqual(per["_fastest_keras"], "jax")
        self.assertAlmostEqual(per["_kcc_speedup_vs_fastest_keras"], 2.8 / 1.4)
        # JAX trained 3 epochs: kcc's accuracy after its epoch 3 stands beside it.
        self.assertAlmostEqual(per["jax"]["kcc_test_accuracy_same_epochs"], 0.98)

    def test_markdown_shows_ratio_and_goal(self):
        text = bench.markdown(self.results, "results.json", [])
        self.assertIn("| mnist_mlp | 1.40 | jax | 2.80 | **2.00×** | met |", text)


class Goal(unittest.TestCase):
    def test_speed_and_peak(self):
        self.assertEqual(bench.goal_text("mnist_mlp", {"fraction_of_peak": 0.7}, 2.5), "met")
        self.assertEqual(bench.goal_text("mnist_mlp", {"fraction_of_peak": 0.7}, 1.42), "not met (1.42× < 2×)")
        self.assertEqual(bench.goal_text("mnist_cnn", {"fraction_of_peak": 0.5}, 2.1),
                         "not met (50% < 60% of peak)")
        # The peak bar applies to the MLP and the CNNs only.
        self.assertEqual(bench.goal_text("babi_rnn", {"fraction_of_peak": 0.01}, 3.0), "met")
        self.assertEqual(bench.goal_text("babi_rnn", {}, None), "–")


class KerasEpochs(unittest.TestCase):
    def test_most_specific_cap_wins(self):
        settings = {"epochs": 5, "keras_epochs": bench.parse_keras_epochs("2,hrnn:torch=1,jax=3")}
        self.assertEqual(bench.keras_epochs_for("mnist_hierarchical_rnn", "torch", settings), 1)
        self.assertEqual(bench.keras_epochs_for("mnist_hierarchical_rnn", "jax", settings), 3)
        self.assertEqual(bench.keras_epochs_for("mnist_hierarchical_rnn", "tensorflow", settings), 2)

    def test_bad_items_are_refused(self):
        for bad in ("0", "x=2", "hrnn:cnn=1", "2,2"):
            with self.assertRaises(SystemExit, msg=bad):
                bench.parse_keras_epochs(bad)


class BenchmarksMd(unittest.TestCase):
    def test_text_outside_the_markers_is_kept(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "BENCHMARKS.md")
            with open(path, "w") as f:
                f.write(f"# B\n\nintro\n\n{bench.MARK_BEGIN}\nold table\n{bench.MARK_END}\n\n## Notes\nkept\n")
            bench.BENCHMARKS_MD = path
            bench.update_benchmarks_md("new table\n")
            with open(path) as f:
                text = f.read()
            self.assertEqual(text, f"# B\n\nintro\n\n{bench.MARK_BEGIN}\nnew table\n{bench.MARK_END}\n\n## Notes\nkept\n")
            self.assertEqual(os.listdir(d), ["BENCHMARKS.md"])  # no temporary file left behind


if __name__ == "__main__":
    sys.exit(unittest.main())
