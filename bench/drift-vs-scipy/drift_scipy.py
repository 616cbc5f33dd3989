#!/usr/bin/python3
"""Drift report with SciPy, the baseline for DriftBench (Warden.Statistics exact mode).

    /usr/bin/python3 bench/drift-vs-scipy/drift_scipy.py [--dir DIR] [--rows 1000000] [--cols 20] [--out scipy.json]

Generates (seed 20260301) a reference and a current matrix of float64, rows x cols, some current columns shifted,
scaled, reshaped or rounded, and writes them column by column as raw little-endian float64 (reference.f64,
current.f64) with meta.json into DIR. Then, per column, it times:

  * scipy.stats.ks_2samp(reference, current)              (method 'auto': asymptotic at these sizes)
  * scipy.stats.wasserstein_distance(reference, current)
  * scipy.spatial.distance.jensenshannon(p, q)            (natural log) on 10 bins at the reference's deciles
    (numpy.quantile, linear), plus an underflow and an overflow cell, as Warden's exact-mode Jensen-Shannon bins.

and prints (and writes to --out) a JSON with the values and the elapsed seconds of the tests alone (generation and
file I/O excluded).
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance


def generate(rows, cols, seed):
    rng = np.random.default_rng(seed)
    reference = rng.normal(0.0, 1.0, (cols, rows))
    current = rng.normal(0.0, 1.0, (cols, rows))
    for j in range(cols):
        kind = j % 5
        if kind == 1:
            current[j] += 0.02 * (j + 1)  # mean shift
        elif kind == 2:
            current[j] *= 1.0 + 0.01 * j  # scale change
        elif kind == 3:
            reference[j] = np.round(reference[j], 2)  # ties on a 0.01 grid, no drift
            current[j] = np.round(current[j], 2)
        elif kind == 4 and j >= 10:
            reference[j] = rng.lognormal(0.0, 0.5, rows)  # skewed, slightly shifted
            current[j] = rng.lognormal(0.05, 0.5, rows)
    return reference, current


def cells(values, edges):
    """Underflow, the bins [e_i, e_i+1) with the last closed, overflow: Warden's FixedBinHistogram cells."""
    inner, _ = np.histogram(values, bins=edges)
    return np.concatenate([[np.count_nonzero(values < edges[0])], inner, [np.count_nonzero(values > edges[-1])]])


def jensen_shannon(reference, current, bins=10):
    edges = np.unique(np.quantile(reference, np.linspace(0.0, 1.0, bins + 1)))
    return float(distance.jensenshannon(cells(reference, edges), cells(current, edges)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "warden-drift-bench"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    reference, current = generate(args.rows, args.cols, args.seed)
    reference.astype("<f8").tofile(os.path.join(args.dir, "reference.f64"))
    current.astype("<f8").tofile(os.path.join(args.dir, "current.f64"))
    with open(os.path.join(args.dir, "meta.json"), "w") as f:
        json.dump({"rows": args.rows, "cols": args.cols, "seed": args.seed, "layout": "column-major float64 LE"}, f)

    columns = []
    started = time.perf_counter()
    for j in range(args.cols):
        r, c = reference[j], current[j]
        ks = stats.ks_2samp(r, c)
        columns.append({
            "column": j,
            "ks_statistic": float(ks.statistic),
            "ks_pvalue": float(ks.pvalue),
            "wasserstein": float(stats.wasserstein_distance(r, c)),
            "jensenshannon": jensen_shannon(r, c),
        })
    elapsed = time.perf_counter() - started

    result = {"engine": "scipy", "scipy": scipy.__version__, "numpy": np.__version__, "rows": args.rows,
              "cols": args.cols, "seconds": elapsed, "columns": columns}
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)
    print(f"scipy: {elapsed:.2f} s for {args.cols} columns x {args.rows} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
