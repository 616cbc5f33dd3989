#!/usr/bin/python3
"""Reference values for Warden.Statistics.Performance, computed with scikit-learn.

Run with Debian's interpreter (apt-get install -y python3-sklearn if it lacks sklearn):

    /usr/bin/python3 tests/Warden.Statistics.Tests/Fixtures/make_performance_fixtures.py

It writes performance_fixtures.json next to this file; commit both. Small datasets are written out in full;
datasets of 10,000 rows (beyond ClassificationWindow's 4,096 exact pairs, so its histogram path is used) are
described by a generator spec that the C# tests reproduce bit for bit from SplitMix64 uniforms (sums, products,
a division by 3 and floors only, which IEEE 754 evaluates identically in both languages), plus a checksum.

Definitions (the same as the C# code):
  * predicted class = 1 when score >= 0.5;
  * log loss = sklearn.metrics.log_loss (eps="auto": float64 machine epsilon);
  * ECE: bin = min(floor(score * 10), 9); ECE = sum over non-empty bins of n_b / n * |mean(label_b) - mean(score_b)|;
  * RMSE = sqrt(mean_squared_error); MAPE = mean_absolute_percentage_error (eps = float64 machine epsilon).
"""
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_double(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        return (z >> 11) * (1.0 / 9007199254740992.0)


def generate_classification(spec):
    """label = 1 when u0 < prevalence; score = (u1 + u2 + label) / 3, optionally floored to a 1/quantum grid."""
    rng = SplitMix64(spec["seed"])
    labels, scores = [], []
    for _ in range(spec["n"]):
        label = 1 if rng.next_double() < spec["prevalence"] else 0
        s = rng.next_double() + rng.next_double()
        s = (s + label) / 3.0
        if spec["quantum"]:
            s = math.floor(s * spec["quantum"]) / spec["quantum"]
        labels.append(label)
        scores.append(s)
    return labels, scores


def generate_regression(spec):
    """y = shift + scale * (u1 + u2 + u3 - 1.5); prediction = y + bias + noise * (u4 - 0.5)."""
    rng = SplitMix64(spec["seed"])
    targets, predictions = [], []
    for _ in range(spec["n"]):
        s = rng.next_double() + rng.next_double()
        s = s + rng.next_double()
        y = spec["shift"] + spec["scale"] * (s - 1.5)
        p = y + spec["bias"] + spec["noise"] * (rng.next_double() - 0.5)
        targets.append(y)
        predictions.append(p)
    return targets, predictions


def checksum(values):
    return {"first": values[:3], "last": values[-1], "sum": math.fsum(values)}


def ece(labels, scores, bins=10):
    y = np.asarray(labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    b = np.minimum(np.floor(s * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        mask = b == k
        if mask.any():
            total += mask.sum() / len(s) * abs(y[mask].mean() - s[mask].mean())
    return float(total)


def classification_case(name, labels, scores, spec=None):
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    predicted = (s >= 0.5).astype(int)
    case = {
        "name": name,
        "accuracy": float(metrics.accuracy_score(y, predicted)),
        "precision": float(metrics.precision_score(y, predicted)),
        "recall": float(metrics.recall_score(y, predicted)),
        "f1": float(metrics.f1_score(y, predicted)),
        "roc_auc": float(metrics.roc_auc_score(y, s)),
        "log_loss": float(metrics.log_loss(y, s)),
        "brier": float(metrics.brier_score_loss(y, s)),
        "ece": ece(y, s),
    }
    if spec is None:
        case["labels"] = [int(v) for v in y]
        case["scores"] = [float(v) for v in s]
    else:
        case["gen"] = spec
        case["checkLabels"] = checksum([float(v) for v in labels])
        case["checkScores"] = checksum(scores)
    return case


def regression_case(name, targets, predictions, spec=None):
    y = np.asarray(targets, dtype=float)
    p = np.asarray(predictions, dtype=float)
    case = {
        "name": name,
        "mae": float(metrics.mean_absolute_error(y, p)),
        "rmse": float(math.sqrt(metrics.mean_squared_error(y, p))),
        "mape": float(metrics.mean_absolute_percentage_error(y, p)),
        "r2": float(metrics.r2_score(y, p)),
    }
    if spec is None:
        case["targets"] = [float(v) for v in y]
        case["predictions"] = [float(v) for v in p]
    else:
        case["gen"] = spec
        case["checkTargets"] = checksum(targets)
        case["checkPredictions"] = checksum(predictions)
    return case


def main():
    rng = np.random.default_rng(20260301)
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__}

    cls = []
    # Small, heavy ties (scores on a 0.1 grid), scores of exactly 0 and 1 to exercise the log-loss clip.
    y = rng.integers(0, 2, 40)
    s = np.clip(np.round(0.3 + 0.4 * y + rng.normal(0, 0.25, 40), 1), 0.0, 1.0)
    s[0], s[1] = 0.0, 1.0
    cls.append(classification_case("small ties 40", y, s))
    # Threshold ties: scores exactly 0.5 count as predicted positive.
    cls.append(classification_case("scores at the threshold", [0, 1, 1, 0, 1, 0, 0, 1], [0.5, 0.5, 0.2, 0.1, 0.9, 0.7, 0.5, 0.49]))
    y = (rng.uniform(0, 1, 1000) < 0.3).astype(int)
    s = 1.0 / (1.0 + np.exp(-(rng.normal(0, 1, 1000) + 1.5 * y - 0.8)))
    cls.append(classification_case("logistic 1000", y, s))
    y = (rng.uniform(0, 1, 3000) < 0.1).astype(int)
    s = np.round(rng.beta(2 + 3 * y, 5 - 2 * y), 3)
    cls.append(classification_case("imbalanced 3000 on a 0.001 grid", y, s))

    def gen_cls(name, seed, n, prevalence, quantum):
        spec = {"seed": seed, "n": n, "prevalence": prevalence, "quantum": quantum}
        labels, scores = generate_classification(spec)
        cls.append(classification_case(name, labels, scores, spec))

    gen_cls("generated 10000 continuous", 101, 10000, 0.4, 0)
    gen_cls("generated 10000 on a 0.01 grid", 102, 10000, 0.25, 100)
    gen_cls("generated 12000 rare positives", 103, 12000, 0.05, 0)
    out["classification"] = cls

    reg = []
    y = rng.normal(10, 3, 50)
    reg.append(regression_case("small 50", y, y + rng.normal(0.5, 1.0, 50)))
    y = np.array([0.0, 1.0, -2.0, 3.5, 0.0, 10.0])
    reg.append(regression_case("zero targets (MAPE epsilon)", y, np.array([0.0, 1.5, -1.0, 3.0, 1e-3, 8.0])))
    y = rng.lognormal(3, 1, 2000)
    reg.append(regression_case("lognormal 2000", y, y * rng.normal(1.0, 0.1, 2000)))
    y = 1e6 + rng.normal(0, 1, 500)
    reg.append(regression_case("large mean small spread", y, y + rng.normal(0, 0.3, 500)))

    def gen_reg(name, seed, n, shift, scale, bias, noise):
        spec = {"seed": seed, "n": n, "shift": shift, "scale": scale, "bias": bias, "noise": noise}
        targets, predictions = generate_regression(spec)
        reg.append(regression_case(name, targets, predictions, spec))

    gen_reg("generated 10000", 201, 10000, 5.0, 2.0, 0.1, 1.0)
    gen_reg("generated 10000 around zero", 202, 10000, 0.0, 1.0, 0.0, 0.5)
    out["regression"] = reg

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "performance_fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
