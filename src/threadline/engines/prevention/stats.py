"""Vectorised pre/post statistics: means, changes with 95 % confidence intervals, Hedges' g.

All functions take NumPy arrays (one entry per group) so that every group of every outcome is computed at
once. Formulas (see docs/prevention.md):

- unpaired: Welch's t for the difference of means, Welch-Satterthwaite degrees of freedom; Hedges' g from
  the pooled standard deviation with the small-sample correction J = 1 - 3 / (4 (n1 + n2) - 9), its standard
  error sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2))) (Hedges & Olkin 1985; Borenstein et al. 2009);
- paired: the paired t on the differences; g_z = J d_z with d_z = mean(diff) / sd(diff), J = 1 - 3 / (4 (n - 1)
  - 1), standard error of d_z sqrt(1 / n + d_z^2 / (2 n)), scaled by J.
"""

from __future__ import annotations

import numpy as np
from scipy import special

Z975 = 1.959963984540054


def t_quantile(p: float, df: np.ndarray) -> np.ndarray:
    """Quantile of Student's t (vectorised over ``df``)."""
    return special.stdtrit(df, p)


def two_sided_p(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    return 2.0 * special.stdtr(df, -np.abs(t))


def moments(codes: np.ndarray, groups: int, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group code: count, mean and sample variance (ddof 1) of the non-NaN values of ``y``."""
    ok = ~np.isnan(y)
    c, v = codes[ok], y[ok]
    n = np.bincount(c, minlength=groups).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(c, weights=v, minlength=groups) / n
        dev = v - mean[c]
        var = np.bincount(c, weights=dev * dev, minlength=groups) / (n - 1)
    return n, mean, var


def welch(n1, m1, v1, n2, m2, v2) -> dict[str, np.ndarray]:
    """Change from group 1 (pre) to group 2 (post), unpaired."""
    with np.errstate(invalid="ignore", divide="ignore"):
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
        diff = m2 - m1
        t = diff / se
        half = t_quantile(0.975, df) * se
        sp = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
        j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
        g = j * diff / sp
        se_g = np.sqrt((n1 + n2) / (n1 * n2) + g * g / (2.0 * (n1 + n2)))
        g_low, g_high = g - Z975 * se_g, g + Z975 * se_g
    return {
        "change": diff,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "t": t,
        "df": df,
        "p": two_sided_p(t, df),
        "g": g,
        "g_ci_low": g_low,
        "g_ci_high": g_high,
    }


def paired(n, mean_d, var_d) -> dict[str, np.ndarray]:
    """Change within matched pairs (post minus pre)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(var_d)
        se = sd / np.sqrt(n)
        df = n - 1
        t = mean_d / se
        half = t_quantile(0.975, df) * se
        dz = mean_d / sd
        j = 1.0 - 3.0 / (4.0 * df - 1.0)
        se_dz = np.sqrt(1.0 / n + dz * dz / (2.0 * n))
        g = j * dz
        g_low, g_high = g - Z975 * j * se_dz, g + Z975 * j * se_dz
    return {
        "change": mean_d,
        "ci_low": mean_d - half,
        "ci_high": mean_d + half,
        "t": t,
        "df": df,
        "p": two_sided_p(t, df),
        "g": g,
        "g_ci_low": g_low,
        "g_ci_high": g_high,
    }
