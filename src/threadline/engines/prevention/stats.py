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


def sums(codes: np.ndarray, size: int, y: np.ndarray, shift: float) -> tuple[np.ndarray, ...]:
    """Per group code: count, sum and sum of squares of the non-NaN values of ``y - shift`` (shifting by a
    typical value keeps the variance accurate when it is computed from the sums)."""
    ok = ~np.isnan(y)
    c, v = codes[ok], y[ok] - shift
    return (
        np.bincount(c, minlength=size).astype(np.float64),
        np.bincount(c, weights=v, minlength=size),
        np.bincount(c, weights=v * v, minlength=size),
    )


def finish(n: np.ndarray, s: np.ndarray, ss: np.ndarray, shift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample variance (ddof 1) from :func:`sums` (which may have been added up over cells)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        var = np.maximum(ss - s * mean, 0.0) / (n - 1)
    return n, mean + shift, var


def moments(codes: np.ndarray, groups: int, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group code: count, mean and sample variance (ddof 1) of the non-NaN values of ``y``."""
    shift = float(np.nanmean(y)) if np.isfinite(y).any() else 0.0
    return finish(*sums(codes, groups, y, shift), shift)


def _estimate(change, half, t, df, g, g_half) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore"):
        return {
            "change": change,
            "ci_low": change - half,
            "ci_high": change + half,
            "t": t,
            "df": df,
            "p": two_sided_p(t, df),
            "g": g,
            "g_ci_low": g - g_half,
            "g_ci_high": g + g_half,
        }


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
        g_half = Z975 * np.sqrt((n1 + n2) / (n1 * n2) + g * g / (2.0 * (n1 + n2)))
    return _estimate(diff, half, t, df, g, g_half)


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
        g_half = Z975 * j * se_dz
    return _estimate(mean_d, half, t, df, g, g_half)
