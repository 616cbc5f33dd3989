#!/usr/bin/python3
"""Reference values for Warden.Experimentation, computed with scipy / statsmodels / numpy.

Run with Debian's interpreter (numpy, scipy and statsmodels come from apt):

    /usr/bin/python3 tests/Warden.Experimentation.Tests/Fixtures/make_fixtures.py

It writes reference-values.json beside this script. The output is deterministic (fixed numpy seeds) and is
committed; the C# tests read it from the test output directory and assert agreement. Every expected value
below comes from a library call named next to it, never from Warden's own formulas.
"""
import json
import math
import os
import sys

import mpmath
import numpy as np
import scipy
import scipy.special as sp
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    proportion_effectsize,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "reference-values.json")


def f(x):
    """Plain float for JSON; infinities as strings the C# reader understands."""
    x = float(x)
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def mpmath_t_quantile(p, df, start):
    """The t with P(T <= t) = p, solved with mpmath (40 digits) from scipy's value as the starting point."""
    if p == 0.5:
        return 0.0
    nu = mpmath.mpf(df)
    target = mpmath.mpf(p)

    def cdf_minus_p(t):
        lower = mpmath.betainc(nu / 2, mpmath.mpf("0.5"), 0, nu / (nu + t * t), regularized=True) / 2
        return (lower if t < 0 else 1 - lower) - target

    return mpmath.findroot(cdf_minus_p, mpmath.mpf(start))


def distributions():
    normal = []
    for x in [-37.0, -30.0, -20.0, -10.0, -8.3, -5.0, -3.0, -1.96, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.3, 1.0,
              1.6448536269514722, 2.5, 4.0, 6.0, 8.0, 9.0]:
        normal.append({"x": x, "cdf": f(st.norm.cdf(x)), "sf": f(st.norm.sf(x)), "pdf": f(st.norm.pdf(x))})
    normal_ppf = []
    for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-6, 1e-3, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6,
              0.75, 0.9, 0.95, 0.975, 0.97575, 0.99, 0.999, 0.999999]:
        normal_ppf.append({"p": p, "ppf": f(st.norm.ppf(p))})
    student = []
    for df in [1.0, 2.0, 3.0, 4.5, 10.0, 29.0, 100.0, 1000.0, 12345.6, 1e6]:
        for x in [-50.0, -8.0, -3.0, -1.5, -0.2, 0.0, 0.7, 2.0, 4.0, 12.0]:
            student.append({"df": df, "x": x, "cdf": f(st.t.cdf(x, df)), "sf": f(st.t.sf(x, df))})
    # Student's t quantiles: scipy 1.10's stdtrit is only good to ~2e-9 relative (for example df = 29, p = 0.3), so
    # each point also carries the root of the distribution function solved with mpmath at 40 significant digits.
    mpmath.mp.dps = 40
    student_ppf = []
    for df in [1.0, 2.0, 3.0, 4.5, 10.0, 29.0, 100.0, 1000.0, 12345.6, 1e6]:
        for p in [1e-15, 1e-10, 1e-4, 0.001, 0.025, 0.05, 0.3, 0.5, 0.8, 0.95, 0.975, 0.999]:
            scipy_value = st.t.ppf(p, df)
            student_ppf.append({"df": df, "p": p, "ppf": f(scipy_value), "mpmath": f(mpmath_t_quantile(p, df, scipy_value))})
    chi2 = []
    for k in [1, 2, 3, 4, 5, 9, 10, 50, 99]:
        for x in [0.001, 0.1, 0.5, 1.0, 2.0, 3.84, 7.0, 15.0, 40.0, 120.0, 300.0]:
            chi2.append({"k": k, "x": x, "cdf": f(st.chi2.cdf(x, k)), "sf": f(st.chi2.sf(x, k))})
    special = {
        "gammaln": [{"x": x, "value": f(sp.gammaln(x))} for x in
                    [1e-8, 0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 50.5, 171.2, 1234.5, 1e6]],
        "gammainc": [{"a": a, "x": x, "p": f(sp.gammainc(a, x)), "q": f(sp.gammaincc(a, x))}
                     for a in [0.5, 1.0, 2.5, 10.0, 100.0] for x in [0.01, 0.7, 3.0, 12.0, 90.0, 130.0]],
        "betainc": [{"a": a, "b": b, "x": x, "value": f(sp.betainc(a, b, x))}
                    for (a, b) in [(0.5, 0.5), (1.0, 3.0), (2.5, 0.5), (10.0, 20.0), (500.0, 0.5), (0.5, 5000.0)]
                    for x in [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999]],
    }
    return {"normal": normal, "normalPpf": normal_ppf, "studentT": student, "studentTPpf": student_ppf,
            "chiSquared": chi2, "special": special}


def welch_case(name, a, b, alpha=0.05):
    """scipy.stats.ttest_ind(equal_var=False) on raw data, treatment minus control."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    res = {}
    for alt in ["two-sided", "greater", "less"]:
        r = st.ttest_ind(b, a, equal_var=False, alternative=alt)
        res[alt] = {"statistic": f(r.statistic), "pValue": f(r.pvalue)}
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    diff = b.mean() - a.mean()
    q = st.t.ppf(1 - alpha / 2, dof)
    # Relative lift (b - a) / a by the delta method, the textbook form (numpy moments, no Warden code).
    ma, mb = a.mean(), b.mean()
    rel = (mb - ma) / ma
    rel_var = vb / ma ** 2 + va * mb ** 2 / ma ** 4
    rel_se = math.sqrt(rel_var)
    rel_t = rel / rel_se
    return {
        "name": name,
        "control": a.tolist(),
        "treatment": b.tolist(),
        "alpha": alpha,
        "difference": f(diff),
        "standardError": f(se),
        "dof": f(dof),
        "ciLower": f(diff - q * se),
        "ciUpper": f(diff + q * se),
        "scipy": res,
        "relative": {
            "estimate": f(rel),
            "standardError": f(rel_se),
            "pValue": f(2 * st.t.sf(abs(rel_t), dof)),
            "ciLower": f(rel - q * rel_se),
            "ciUpper": f(rel + q * rel_se),
        },
    }


def welch():
    rng = np.random.default_rng(20261127)
    cases = [
        welch_case("normal, unequal variances", rng.normal(10.0, 2.0, 40), rng.normal(10.8, 3.5, 55)),
        welch_case("lognormal revenue", rng.lognormal(1.0, 0.8, 120), rng.lognormal(1.05, 0.9, 110)),
        welch_case("small samples", [3.1, 2.7, 4.4, 3.9], [4.0, 5.2, 3.3, 6.1, 4.8]),
        welch_case("counts (poisson)", rng.poisson(3.0, 200), rng.poisson(3.3, 180)),
        welch_case("negative effect, alpha 0.1", rng.normal(5.0, 1.0, 75), rng.normal(4.6, 1.4, 60), alpha=0.1),
    ]
    return cases


def ztests():
    out = []
    for (xc, nc, xt, nt) in [(120, 1000, 150, 1000), (49, 100, 51, 100), (5, 83, 12, 99), (3000, 60000, 2850, 59500),
                             (0, 50, 4, 50)]:
        res = {}
        for alt in ["two-sided", "larger", "smaller"]:
            z, p = proportions_ztest([xt, xc], [nt, nc], alternative=alt)
            res[alt] = {"statistic": f(z), "pValue": f(p)}
        out.append({"controlSuccesses": xc, "controlN": nc, "treatmentSuccesses": xt, "treatmentN": nt, "statsmodels": res})
    return out


def multiple_testing():
    rng = np.random.default_rng(7)
    vectors = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.001, 0.049, 0.051, 0.0125, 0.7, 0.03],
        [0.5],
        [0.02, 0.02, 0.02, 0.9, 0.0001],
        rng.uniform(0, 0.2, 25).tolist(),
    ]
    out = []
    for p in vectors:
        out.append({
            "pValues": p,
            "holm": [f(v) for v in multipletests(p, method="holm")[1]],
            "bonferroni": [f(v) for v in multipletests(p, method="bonferroni")[1]],
            "benjaminiHochberg": [f(v) for v in multipletests(p, method="fdr_bh")[1]],
        })
    return out


def srm():
    out = []
    for observed, weights in [([5000, 5100], [0.5, 0.5]), ([5000, 5500], [0.5, 0.5]), ([1000, 2080, 990], [0.25, 0.5, 0.25]),
                              ([2030, 7970], [0.2, 0.8]), ([10000, 10010, 9990, 10240], [1, 1, 1, 1])]:
        total = sum(observed)
        w = np.asarray(weights, dtype=float)
        expected = w / w.sum() * total
        chi, p = st.chisquare(observed, expected)
        out.append({"observed": observed, "weights": weights, "chiSquared": f(chi), "pValue": f(p), "dof": len(observed) - 1})
    return out


def power():
    means = []
    for mde, sd, alpha, pw, ratio in [(0.1, 1.0, 0.05, 0.8, 1.0), (2.5, 20.0, 0.05, 0.9, 1.0), (0.05, 1.3, 0.01, 0.8, 1.0),
                                      (1.0, 4.0, 0.1, 0.95, 2.0), (0.3, 1.0, 0.05, 0.5, 1.0)]:
        n = NormalIndPower().solve_power(effect_size=mde / sd, alpha=alpha, power=pw, ratio=ratio, alternative="two-sided")
        means.append({"mde": mde, "standardDeviation": sd, "alpha": alpha, "power": pw, "ratio": ratio, "nobs1": f(n)})
    props = []
    for p1, p2, alpha, pw in [(0.10, 0.12, 0.05, 0.8), (0.5, 0.45, 0.05, 0.9), (0.02, 0.025, 0.01, 0.8), (0.3, 0.2, 0.1, 0.95)]:
        h = proportion_effectsize(p2, p1)
        n_h = NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=pw, ratio=1.0, alternative="two-sided")
        n_d = samplesize_proportions_2indep_onetail(p2 - p1, p1, pw, ratio=1, alpha=alpha, alternative="two-sided")
        props.append({"baseline": p1, "treatment": p2, "alpha": alpha, "power": pw, "cohenH": f(h),
                      "nobsCohenH": f(n_h), "nobsUnpooled": f(n_d)})
    return {"means": means, "proportions": props}


def cuped():
    """CUPED: theta pooled over both arms (cov(Y,X)/var(X)); reference = scipy Welch on Y - theta X per arm."""
    rng = np.random.default_rng(99)
    out = []
    for n_c, n_t, effect, rho in [(300, 320, 0.4, 0.7), (150, 140, 0.0, 0.9), (500, 480, -0.3, 0.3)]:
        xc = rng.normal(10, 3, n_c)
        xt = rng.normal(10, 3, n_t)
        yc = 2.0 + rho * xc + rng.normal(0, 2, n_c)
        yt = 2.0 + effect + rho * xt + rng.normal(0, 2, n_t)
        out.append({
            "controlPost": np.round(yc, 6).tolist(), "controlPre": np.round(xc, 6).tolist(),
            "treatmentPost": np.round(yt, 6).tolist(), "treatmentPre": np.round(xt, 6).tolist(),
        })
        # Compute on the rounded data actually written, so C# and scipy see identical inputs.
        yc, xc, yt, xt = (np.asarray(out[-1][k]) for k in ["controlPost", "controlPre", "treatmentPost", "treatmentPre"])
        x = np.concatenate([xc, xt])
        y = np.concatenate([yc, yt])
        theta = np.cov(y, x, ddof=1)[0, 1] / np.var(x, ddof=1)
        r = st.ttest_ind(yt - theta * xt, yc - theta * xc, equal_var=False)
        adj_c, adj_t = yc - theta * xc, yt - theta * xt
        se = math.sqrt(adj_c.var(ddof=1) / n_c + adj_t.var(ddof=1) / n_t)
        plain = math.sqrt(yc.var(ddof=1) / n_c + yt.var(ddof=1) / n_t)
        out[-1].update({"theta": f(theta), "difference": f(adj_t.mean() - adj_c.mean()), "standardError": f(se),
                        "unadjustedStandardError": f(plain), "statistic": f(r.statistic), "pValue": f(r.pvalue)})
    return out


def ratio_metrics():
    """Ratio metric sum(M)/sum(D) per arm; variance by the delta method with numpy moments (ddof=1)."""
    rng = np.random.default_rng(4242)
    out = []
    for n_c, n_t in [(200, 210), (60, 75)]:
        dc = rng.poisson(4, n_c) + 1.0
        dt = rng.poisson(4, n_t) + 1.0
        mc = rng.binomial(dc.astype(int), 0.30).astype(float)
        mt = rng.binomial(dt.astype(int), 0.33).astype(float)

        def moments(m, d):
            n = len(m)
            mm, md = m.mean(), d.mean()
            vm, vd = m.var(ddof=1), d.var(ddof=1)
            c = np.cov(m, d, ddof=1)[0, 1]
            ratio = m.sum() / d.sum()
            var = vm / md ** 2 + vd * mm ** 2 / md ** 4 - 2 * c * mm / md ** 3
            return n, ratio, var

        na, ra, vara = moments(mc, dc)
        nb, rb, varb = moments(mt, dt)
        diff = rb - ra
        se = math.sqrt(vara / na + varb / nb)
        rel = (rb - ra) / ra
        rel_se = math.sqrt(varb / nb / ra ** 2 + vara / na * rb ** 2 / ra ** 4)
        out.append({"controlNumerator": mc.tolist(), "controlDenominator": dc.tolist(),
                    "treatmentNumerator": mt.tolist(), "treatmentDenominator": dt.tolist(),
                    "controlRatio": f(ra), "treatmentRatio": f(rb),
                    "controlVariance": f(vara), "treatmentVariance": f(varb),
                    "difference": f(diff), "standardError": f(se),
                    "relative": f(rel), "relativeStandardError": f(rel_se)})
    return out


def winsorizing():
    """Capping at a quantile (numpy's default linear interpolation) and at a fixed value, then Welch (scipy)."""
    rng = np.random.default_rng(31337)
    out = []
    for q in [0.99, 0.95, 0.9]:
        a = np.round(rng.lognormal(2.0, 1.2, 150), 4)
        b = np.round(rng.lognormal(2.1, 1.2, 160), 4)
        cap = np.quantile(np.concatenate([a, b]), q)
        ac, bc = np.clip(a, None, cap), np.clip(b, None, cap)
        r = st.ttest_ind(bc, ac, equal_var=False)
        out.append({"quantile": q, "control": a.tolist(), "treatment": b.tolist(), "cap": f(cap),
                    "controlQuantile": f(np.quantile(a, q)),
                    "cappedControlSum": f(ac.sum()), "cappedControlSumOfSquares": f((ac ** 2).sum()),
                    "statistic": f(r.statistic), "pValue": f(r.pvalue)})
    return out


def main():
    data = {
        "generator": "tests/Warden.Experimentation.Tests/Fixtures/make_fixtures.py",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__, "mpmath": mpmath.__version__},
        "distributions": distributions(),
        "welch": welch(),
        "proportionsZTest": ztests(),
        "multipleTesting": multiple_testing(),
        "sampleRatioMismatch": srm(),
        "power": power(),
        "cuped": cuped(),
        "ratioMetrics": ratio_metrics(),
        "winsorizing": winsorizing(),
    }
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
