#!/usr/bin/python3
"""Reference values for Warden.Statistics, computed with SciPy.

Run with Debian's interpreter (it has numpy and scipy):

    /usr/bin/python3 tests/Warden.Statistics.Tests/Fixtures/make_fixtures.py

It writes scipy_fixtures.json next to this file; commit both. Small samples are written out in full;
large samples (more than 10,000 values, where ks_2samp switches to its asymptotic method) are described
by a generator spec that the C# tests reproduce bit for bit (SplitMix64 uniforms, sums and floors only,
which IEEE 754 evaluates identically in both languages), plus a checksum to prove it.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

MASK = (1 << 64) - 1


def splitmix_uniforms(seed, count):
    state = seed & MASK
    out = []
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        out.append((z >> 11) * (1.0 / 9007199254740992.0))
    return out


def generate(spec):
    """Irwin-Hall(4) values: shift + scale * (u1 + u2 + u3 + u4 - 2), optionally floored to a 1/quantum grid."""
    u = splitmix_uniforms(spec["seed"], 4 * spec["n"])
    values = []
    for i in range(spec["n"]):
        s = u[4 * i] + u[4 * i + 1]
        s = s + u[4 * i + 2]
        s = s + u[4 * i + 3]
        v = spec["shift"] + spec["scale"] * (s - 2.0)
        if spec.get("quantum"):
            v = math.floor(v * spec["quantum"]) / spec["quantum"]
        values.append(v)
    return values


def checksum(values):
    return {"first": values[:3], "last": values[-1], "sum": math.fsum(values)}


def ks_case(name, a, b, spec_a=None, spec_b=None):
    r = stats.ks_2samp(a, b)  # method='auto', alternative='two-sided'
    case = {"name": name, "statistic": float(r.statistic), "pvalue": float(r.pvalue)}
    if spec_a is None:
        case["a"] = [float(x) for x in a]
        case["b"] = [float(x) for x in b]
    else:
        case["genA"] = spec_a
        case["genB"] = spec_b
        case["checkA"] = checksum(a)
        case["checkB"] = checksum(b)
    return case


def main():
    rng = np.random.default_rng(20251126)
    out = {"scipy": scipy.__version__, "numpy": np.__version__}

    # --- ks_2samp on raw samples (exact method: max(n1, n2) <= 10000)
    ks = []
    ks.append(ks_case("tiny unequal", rng.normal(0, 1, 5), rng.normal(0.5, 1, 7)))
    ks.append(ks_case("one vs ten", rng.normal(0, 1, 1), rng.normal(0, 1, 10)))
    ks.append(ks_case("equal sizes 20", rng.normal(0, 1, 20), rng.normal(0.3, 1, 20)))
    ks.append(ks_case("equal sizes separated", np.arange(10.0), np.arange(10.0) + 100))
    ks.append(ks_case("identical", [1.0, 2.0, 3.0, 3.0, 4.0], [1.0, 2.0, 3.0, 3.0, 4.0]))
    ks.append(ks_case("heavy ties", rng.integers(0, 4, 40).astype(float), rng.integers(0, 5, 33).astype(float)))
    ks.append(ks_case("ties across samples", np.round(rng.normal(0, 1, 60), 1), np.round(rng.normal(0.2, 1.2, 45), 1)))
    ks.append(ks_case("unequal 50 80", rng.normal(0, 1, 50), rng.normal(0, 1.5, 80)))
    ks.append(ks_case("unequal 300 170", rng.exponential(1.0, 300), rng.exponential(1.3, 170)))
    ks.append(ks_case("coprime 97 89", rng.uniform(0, 1, 97), rng.uniform(0.1, 1.1, 89)))
    ks.append(ks_case("equal 250 shifted", rng.normal(0, 1, 250), rng.normal(0.25, 1, 250)))
    ks.append(ks_case("strong drift 400 300", rng.normal(0, 1, 400), rng.normal(1.0, 1, 300)))

    # Generated samples: exact method at the upper end, then the asymptotic method.
    def gen_case(name, sa, sb):
        ks.append(ks_case(name, generate(sa), generate(sb), sa, sb))

    def spec(seed, n, shift=0.0, scale=1.0, quantum=0):
        return {"seed": seed, "n": n, "shift": shift, "scale": scale, "quantum": quantum}

    gen_case("exact 3000 2000", spec(11, 3000), spec(12, 2000, 0.04))
    gen_case("exact square 5000", spec(13, 5000), spec(14, 5000, 0.02))
    gen_case("exact 10000 7000", spec(15, 10000), spec(16, 7000, 0.01, 1.02))
    gen_case("asymp 12000 11000", spec(17, 12000), spec(18, 11000, 0.015))
    gen_case("asymp 15000 300 (n>140)", spec(19, 15000), spec(20, 300, 0.05))
    gen_case("asymp 20000 100 (n<=140)", spec(21, 20000), spec(22, 100, 0.1))
    gen_case("asymp ties 12000 10500", spec(23, 12000, 0.0, 1.0, 20), spec(24, 10500, 0.01, 1.0, 20))
    gen_case("asymp strong drift 11000 11000", spec(25, 11000), spec(26, 11000, 0.15))
    gen_case("asymp no drift 30000 20000", spec(27, 30000), spec(28, 20000))
    out["ks_2samp"] = ks

    # --- kstwo.sf directly, over the branches of scipy's kolmogn (Simard & L'Ecuyer)
    grid = []
    for n in [1, 2, 3, 5, 10, 37, 100, 140, 141, 400, 2500, 20000, 100000, 150000]:
        for x in [0.3 / n, 0.6 / n, 0.9 / n, 1.5 / n, 0.01, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5,
                  0.55, 0.7, 0.9, 0.99, 1.0 - 0.5 / n]:
            if 0.0 < x < 1.0:
                grid.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
        for nx2 in [0.5, 0.754, 0.76, 1.0, 2.0, 2.19, 2.21, 3.9, 4.1, 10.0, 17.9, 18.1, 100.0, 369.0]:
            x = math.sqrt(nx2 / n)
            if x < 1.0:
                grid.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
    out["kstwo_sf"] = grid

    # --- chisquare(f_obs, f_exp) with f_exp = reference proportions rescaled to the observed total
    chis = []
    def chi_case(name, observed, reference):
        observed = np.asarray(observed, dtype=float)
        reference = np.asarray(reference, dtype=float)
        expected = reference / reference.sum() * observed.sum()
        r = stats.chisquare(observed, expected)
        chis.append({"name": name, "observed": observed.tolist(), "reference": reference.tolist(),
                     "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    chi_case("two categories", [48, 52], [50, 50])
    chi_case("three categories drift", [30, 50, 20], [40, 40, 20])
    chi_case("unequal totals", [120, 330, 50, 500], [10, 30, 5, 55])
    chi_case("zero observed", [0, 20, 30, 50], [5, 20, 25, 50])
    ref60 = rng.integers(50, 150, 60)
    chi_case("many categories, same distribution", rng.multinomial(5000, ref60 / ref60.sum()), ref60)
    chi_case("many categories, drifted", rng.integers(0, 200, 60), rng.integers(1, 200, 60))
    chi_case("small p", [300, 200, 100], [1, 1, 1])
    chi_case("p near 1e-74", [2000, 1000], [1, 1])
    chi_case("large counts no drift", [100000, 200013, 299987], [1, 2, 3])
    ref400 = rng.integers(50, 150, 400)
    chi_case("hundreds of categories", rng.multinomial(40000, ref400 / ref400.sum()), ref400)
    out["chisquare"] = chis

    # --- wasserstein_distance(u, v)
    ws = []
    def w_case(name, u, v):
        ws.append({"name": name, "u": [float(x) for x in u], "v": [float(x) for x in v],
                   "distance": float(stats.wasserstein_distance(u, v))})
    w_case("scipy doc", [0, 1, 3], [5, 6, 8])
    w_case("single points", [1.5], [-2.0])
    w_case("ties", [1, 1, 2, 2, 2, 3], [2, 2, 3, 3, 4])
    w_case("normal 100 80", rng.normal(0, 1, 100), rng.normal(0.5, 2, 80))
    w_case("identical", [0.5, 0.25, 3.0], [3.0, 0.5, 0.25])
    w_case("unequal 1000 37", rng.lognormal(0, 1, 1000), rng.lognormal(0.2, 1, 37))
    w_case("rounded 500 700", np.round(rng.normal(3, 2, 500), 1), np.round(rng.normal(3.3, 2, 700), 1))
    out["wasserstein"] = ws

    # --- jensenshannon(p, q, base)
    js = []
    def js_case(name, p, q, base=None):
        js.append({"name": name, "p": [float(x) for x in p], "q": [float(x) for x in q], "base": base,
                   "distance": float(distance.jensenshannon(p, q, base=base))})
    js_case("scipy doc base 2", [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], 2.0)
    js_case("scipy doc natural", [1.0, 0.0], [0.5, 0.5])
    js_case("identical", [0.2, 0.3, 0.5], [0.2, 0.3, 0.5])
    js_case("counts unnormalised", [10, 20, 30, 40], [40, 30, 20, 10])
    js_case("zeros both sides", [0, 5, 5, 0, 1], [3, 0, 5, 2, 0])
    js_case("base 2 counts", [123, 456, 789], [321, 654, 987], 2.0)
    js_case("base 10 small", [1e-9, 1, 1], [1, 1, 1e-9], 10.0)
    js_case("many bins", rng.integers(0, 50, 100), rng.integers(0, 50, 100))
    out["jensenshannon"] = js

    # --- the distributions behind the p-values
    out["chi2_sf"] = [{"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))}
                      for df in [1, 2, 3, 7, 30, 99, 399, 2000]
                      for x in [1e-3, 0.5, 1.0, df * 0.5, float(df), df + 3.0 * math.sqrt(2.0 * df), 4.0 * df + 20.0]]
    out["norm_sf"] = [{"z": z, "sf": float(stats.norm.sf(z))}
                      for z in [0.0, 0.1, 0.5, 1.0, 1.6448536269514722, 1.959963984540054, 2.5, 3.0, 5.0, 8.0, 12.0, 20.0, 30.0]]

    # --- two-proportion z-test: pooled variance, p = 2 * norm.sf(|z|)
    zs = []
    for (x1, n1, x2, n2) in [(45, 100, 55, 100), (10, 1000, 25, 1200), (500, 1000, 500, 1000), (3, 30, 12, 40),
                             (400, 10000, 520, 11000)]:
        p1, p2 = x1 / n1, x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
        zs.append({"x1": x1, "n1": n1, "x2": x2, "n2": n2, "z": z, "pvalue": float(2.0 * stats.norm.sf(abs(z)))})
    out["ztest"] = zs

    # --- symmetric eigenvalues (numpy.linalg.eigvalsh), for the Jacobi solver behind PCA drift
    eig = []
    for d in [2, 3, 5, 8]:
        m = rng.normal(0, 1, (d, d))
        s = (m + m.T) / 2.0
        eig.append({"matrix": s.tolist(), "eigenvalues": sorted(np.linalg.eigvalsh(s).tolist(), reverse=True)})
    x = rng.normal(0, 1, (500, 4))
    x[:, 1] = x[:, 0] * 0.9 + x[:, 1] * 0.1
    c = np.cov(x, rowvar=False, ddof=0)
    eig.append({"matrix": c.tolist(), "eigenvalues": sorted(np.linalg.eigvalsh(c).tolist(), reverse=True)})
    out["eigh"] = eig

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scipy_fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
