#!/usr/bin/env python3
"""bench/seeds's logic without training anything: seed lists, the statistics
and table over seeds, and that a complete per-epoch log in the work folder is
reused while an incomplete one is trained again with bench/run's commands.
Standard library only."""
import importlib.machinery
import importlib.util
import json
import os
import tempfile
import types
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load(name, path):
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


seeds = load("bench_seeds", os.path.join(ROOT, "bench", "seeds"))


def epoch(i, acc, loss=0.03):
    return {"epoch": i, "test_accuracy": acc, "test_loss": loss}


def write_log(path, accs):
    with open(path, "w") as f:
        for i, a in enumerate(accs, 1):
            f.write(json.dumps(epoch(i, a)) + "\n")


class SeedsTest(unittest.TestCase):
    def test_seed_lists(self):
        self.assertEqual(seeds.parse_seeds("1-3,7"), [1, 2, 3, 7])
        self.assertEqual(seeds.parse_seeds("4"), [4])

    def test_statistics_and_table(self):
        finals = [epoch(12, a, l) for a, l in ((0.9898, 0.031), (0.9906, 0.027), (0.9887, 0.032))]
        d = seeds.describe(finals, 0.99)
        self.assertAlmostEqual(d["mean_accuracy"], 0.9897, places=6)
        self.assertAlmostEqual(d["sd_accuracy"], 0.000954, places=6)  # sample standard deviation
        self.assertAlmostEqual(d["mean_test_loss"], 0.03, places=6)
        self.assertEqual((d["reaching_bar"], d["seeds"], d["min_accuracy"]), (1, 3, 0.9887))
        study = {"model": "mnist_cnn", "bar": 0.99, "epochs": 12, "seeds": [1, 2, 3], "command": "bench/seeds x",
                 "contenders": {"kcc": {"finals": finals, "summary": d}}}
        md = seeds.markdown(study)
        self.assertIn("| kcc | 98.98% | 99.06% | 98.87% | 98.97% ± 0.10% | 0.0300 ± 0.0026 | 1/3 |", md)

    def test_complete_logs_are_reused_incomplete_ones_retrained(self):
        with tempfile.TemporaryDirectory() as work:
            args = types.SimpleNamespace(work=work, kcc_bin="/kcc/bin", data="/data", threads=2)
            write_log(os.path.join(work, "kcc-s1.jsonl"), [0.98, 0.99])
            write_log(os.path.join(work, "tensorflow-s2.jsonl"), [0.98])  # interrupted after epoch 1
            ran = []

            def fake_run(cmd, log):
                ran.append(cmd)
                if cmd[-1].endswith(".result.json"):  # the Keras worker writes its --log
                    write_log(cmd[cmd.index("--log") + 1], [0.97, 0.985])
                return 0

            real_run, seeds.run = seeds.run, fake_run
            self.addCleanup(setattr, seeds, "run", real_run)
            self.assertEqual(seeds.train("kcc", "mnist_cnn", 1, 2, args)[-1]["test_accuracy"], 0.99)
            self.assertEqual(ran, [])
            self.assertEqual(seeds.train("tensorflow", "mnist_cnn", 2, 2, args)[-1]["test_accuracy"], 0.985)
            self.assertEqual(len(ran), 1)
            cmd = ran[0]
            for flag, value in (("--backend", "tensorflow"), ("--model", "models/keras3/mnist_cnn.json"),
                                ("--epochs", "2"), ("--seed", "2"), ("--threads", "2"), ("--data", "/data")):
                self.assertEqual(cmd[cmd.index(flag) + 1], value)


if __name__ == "__main__":
    unittest.main()
