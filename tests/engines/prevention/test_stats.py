"""The statistics against SciPy (t tests and their intervals) and Hedges' g computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from threadline.engines.prevention.stats import moments, paired, welch


def _hedges_unpaired(x, y):
    n1, n2 = len(x), len(y)
    sp = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    d = (np.mean(y) - np.mean(x)) / sp
    g = (1 - 3 / (4 * (n1 + n2) - 9)) * d
    se = math.sqrt((n1 + n2) / (n1 * n2) + g * g / (2 * (n1 + n2)))
    return g, g - 1.959963984540054 * se, g + 1.959963984540054 * se


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_welch_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(3.0, 1.0, 40 + seed * 7)
    y = rng.normal(3.4, 1.3, 55)
    n1, m1, v1 = moments(np.zeros(x.size, dtype=np.int64), 1, x)
    n2, m2, v2 = moments(np.zeros(y.size, dtype=np.int64), 1, y)
    out = {k: float(v[0]) for k, v in welch(n1, m1, v1, n2, m2, v2).items()}
    ref = sps.ttest_ind(y, x, equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert out["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert out["df"] == pytest.approx(ref.df, rel=1e-10)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert (out["g"], out["g_ci_low"], out["g_ci_high"]) == pytest.approx(_hedges_unpaired(x, y), rel=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paired_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    pre = rng.normal(3.0, 1.0, 30 + seed * 11)
    post = pre + rng.normal(0.3, 0.8, pre.size)
    d = post - pre
    n, md, vd = moments(np.zeros(d.size, dtype=np.int64), 1, d)
    out = {k: float(v[0]) for k, v in paired(n, md, vd).items()}
    ref = sps.ttest_rel(post, pre)
    ci = ref.confidence_interval(0.95)
    assert out["t"] == pytest.approx(ref.statistic, rel=1e-10)
    assert out["p"] == pytest.approx(ref.pvalue, rel=1e-8)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    size = d.size
    dz = d.mean() / d.std(ddof=1)
    j = 1 - 3 / (4 * (size - 1) - 1)
    se = j * math.sqrt(1 / size + dz * dz / (2 * size))
    assert (out["g"], out["g_ci_low"], out["g_ci_high"]) == pytest.approx(
        (j * dz, j * dz - 1.959963984540054 * se, j * dz + 1.959963984540054 * se), rel=1e-10
    )


def test_moments_by_group_ignore_missing_answers():
    codes = np.array([0, 0, 0, 1, 1, 1])
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 9.0])
    n, mean, var = moments(codes, 3, y)
    assert n.tolist() == [2, 3, 0]
    assert mean[:2].tolist() == [1.5, 6.0]
    assert var[:2] == pytest.approx([0.5, np.var([4, 5, 9], ddof=1)])
    assert np.isnan(mean[2])
