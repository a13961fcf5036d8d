"""Pre/post analysis of a questionnaire: per item and per scale, overall and by sex and age band.

Pairing: a pupil's self-generated anonymous code, within one school, that appears exactly once before and
exactly once after forms a matched pair; those rows are analysed paired (paired t, g_z). All other rows
(no code, a code seen only once or more than twice) are analysed unpaired (Welch). Both results are given;
the *headline* is the paired one when at least half of the respondents before are matched, else the unpaired.

Disclosure: every figure describing fewer than ``k`` (11) pupils is suppressed. Within each breakdown (by sex,
by age band) the suppression pattern comes from the disclosure engine (primary and complementary
suppression), so that a hidden group cannot be worked out from the total and the other groups.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import yaml

from threadline.engines.disclosure import DEFAULT_K, Crosstab, ReleaseRefused, suppress

from .responses import SEXES, Responses, RowProblem
from .stats import finish, paired, sums, welch

LANGUAGES = ("en", "fr", "ar")
STAT_KEYS = ("change", "ci_low", "ci_high", "t", "df", "p", "g", "g_ci_low", "g_ci_high")
SUPPRESSION_NOTE = (
    "A suppressed figure describes fewer than {k} pupils, or is hidden together with such a figure so that it "
    "cannot be worked out by subtracting the other groups from the total (primary and complementary "
    "suppression by the disclosure engine; which of the two is not said, so that it reveals nothing)."
)


@functools.cache
def texts() -> dict[str, dict[str, str]]:
    """The summary sentences in every language (engine data, not Django's catalogues)."""
    raw = resources.files("threadline.engines.prevention").joinpath("texts.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(raw)


@dataclass
class Analysis:
    questionnaire_id: str
    questionnaire_version: str
    title: dict[str, str]
    k: int
    rows: list[dict[str, Any]]
    respondents: dict[str, int]
    problems: list[RowProblem] = field(default_factory=list)
    problem_counts: dict[str, int] = field(default_factory=dict)
    school: str | None = None

    @property
    def suppressed(self) -> list[dict[str, Any]]:
        return [{k: r[k] for k in ("outcome", "group", "category", "method")} for r in self.rows if r["suppressed"]]

    def headline(self, outcome: str, group: str = "all", category: str | None = None) -> dict[str, Any]:
        return next(
            r
            for r in self.rows
            if r["outcome"] == outcome and r["group"] == group and r["category"] == category and r["headline"]
        )

    def summary(self, language: str = "en") -> list[str]:
        """Plain-language sentences for a head teacher: one per scale, then the cautions."""
        t = texts().get(language) or texts()["en"]
        title = self.title.get(language) or self.title["en"]
        out = [t["heading"].format(title=title)]
        out.append(
            t["respondents"].format(
                pre=_int(self.respondents["pre"]),
                post=_int(self.respondents["post"]),
                pairs=_int(self.respondents["pairs"]),
            )
        )
        for r in self.rows:
            if r["type"] != "scale" or r["group"] != "all" or not r["headline"]:
                continue
            name = r["title"].get(language) or r["title"]["en"]
            if r["suppressed"]:
                out.append(t["suppressed"].format(scale=name, k=self.k))
                continue
            share = r["unit"] == "share"
            level = functools.partial(_level, t, share, r["high"])
            change = functools.partial(_change, t, share)
            values = {
                "scale": name,
                "pre": level(r["mean_pre"]),
                "post": level(r["mean_post"]),
                "change": change(r["change"]),
                "low": change(r["ci_low"]),
                "high": change(r["ci_high"]),
            }
            if r["ci_low"] > 0 or r["ci_high"] < 0:
                key = "rose" if r["change"] > 0 else "fell"
                out.append(t[key].format(**values, size=t[_size(r["g"])]))
            else:
                out.append(t["unclear"].format(**values))
        if any(r["suppressed"] and r["group"] != "all" for r in self.rows):
            out.append(t["hidden_groups"])
        bad = sum(self.problem_counts.values())
        if bad:
            out.append(t["bad_rows"].format(bad=_int(bad)))
        out.append(t["caution"])
        return out

    def to_dict(self, language: str = "en") -> dict[str, Any]:
        return {
            "questionnaire": self.questionnaire_id,
            "version": self.questionnaire_version,
            "school": self.school,
            "k": self.k,
            "respondents": self.respondents,
            "rows": [_clean(r) for r in self.rows],
            "suppressed": self.suppressed,
            "suppression_note": SUPPRESSION_NOTE.format(k=self.k),
            "problems": [p.to_dict() for p in self.problems],
            "problem_counts": dict(self.problem_counts),
            "summary": self.summary(language),
        }


def _int(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _level(t: dict[str, str], share: bool, high: float, value: float) -> str:
    if share:
        return t["unit_share"].format(value=f"{100 * value:.0f}")
    return t["unit_points"].format(value=f"{value:.2f}", high=f"{high:g}")


def _change(t: dict[str, str], share: bool, value: float) -> str:
    if share:
        return t["unit_change_share"].format(value=f"{100 * value:+.1f}")
    return t["unit_change_points"].format(value=f"{value:+.2f}")


def _size(g: float) -> str:
    g = abs(g)
    if g < 0.2:
        return "size_very_small"
    if g < 0.5:
        return "size_small"
    if g < 0.8:
        return "size_moderate"
    return "size_large"


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe: NaN and infinities become None."""
    out = {}
    for k, v in row.items():
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return out


def _pairs(r: Responses) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (pre, post) of matched pairs: a (school, code) seen exactly once in each phase."""
    has = r.pair_key >= 0
    if not has.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    keys = r.pair_key[has]
    rows = np.flatnonzero(has)
    phase = r.phase[has]
    size = int(keys.max()) + 1
    n_pre = np.bincount(keys[phase == 0], minlength=size)
    n_post = np.bincount(keys[phase == 1], minlength=size)
    good = (n_pre == 1) & (n_post == 1)
    pre_of = np.full(size, -1, dtype=np.int64)
    post_of = np.full(size, -1, dtype=np.int64)
    sel_pre = (phase == 0) & good[keys]
    sel_post = (phase == 1) & good[keys]
    pre_of[keys[sel_pre]] = rows[sel_pre]
    post_of[keys[sel_post]] = rows[sel_post]
    matched = np.flatnonzero(good)
    return pre_of[matched], post_of[matched]


def _hidden(counts: np.ndarray, categories: tuple[str, ...], k: int, field_name: str) -> set[str]:
    """Categories of one breakdown to hide: the disclosure engine's pattern on the counts (the overall
    figure, alone in its breakdown, is hidden when it describes fewer than k pupils)."""
    if field_name == "all":
        return {None} if counts[0] < k else set()
    if not ((counts > 0) & (counts < k)).any():
        return set()
    ct = Crosstab(
        by=(field_name,),
        categories={field_name: categories},
        counts={(c,): int(n) for c, n in zip(categories, counts, strict=True)},
        n=int(counts.sum()),
    )
    try:
        table = suppress(ct, k, recode=False, max_primary_share=1.0)
    except ReleaseRefused:
        return set(categories)
    return {c.key[0] for c in table.cells if c.value is None and not c.is_total}


def hidden_categories(counts: dict[str, int], *, k: int = DEFAULT_K) -> set[str]:
    """Categories of one breakdown whose counts must not be shown: primary and complementary suppression by
    the disclosure engine (a count of 1 to k - 1, and what would let it be worked out from the total)."""
    if not counts:
        return set()
    names = tuple(counts)
    return _hidden(np.asarray([counts[c] for c in names]), names, k, "category")


def _margin(cells: np.ndarray, group: str, bands: int) -> np.ndarray:
    """Sums per sex x age band cell added up to the groups of one breakdown."""
    grid = cells.reshape(-1, bands)
    if group == "all":
        return np.array([grid.sum()])
    return grid.sum(axis=1) if group == "sex" else grid.sum(axis=0)


def _governing(n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """The number of pupils that decides suppression of an unpaired group: the smaller phase, or the only
    phase that has answers (a group seen after but not before still describes its pupils)."""
    low = np.minimum(n1, n2)
    return np.where(low > 0, low, np.maximum(n1, n2))


def _outcomes(r: Responses) -> list[tuple[str, str, dict[str, str], np.ndarray, str, float]]:
    """(id, type, title, score per row, unit, highest value) for every scale, then every item."""
    q = r.questionnaire
    out = []
    for scale in q.scales:
        items = [q.item(i) for i in scale.items]
        stack = np.vstack([r.scores[i.id] for i in items])
        answered = (~np.isnan(stack)).sum(axis=0)
        score = _row_mean(stack, answered)
        score[answered < scale.min_answered * len(items)] = np.nan
        unit = "share" if items[0].kind == "knowledge" else "points"
        out.append((scale.id, "scale", scale.title, score, unit, float(items[0].high)))
    for item in q.items:
        unit = "share" if item.kind == "knowledge" else "points"
        out.append((item.id, "item", item.text, r.scores[item.id], unit, float(item.high)))
    return out


def _row_mean(stack: np.ndarray, answered: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(stack), 0.0, stack).sum(axis=0) / answered


def analyse(r: Responses, *, k: int = DEFAULT_K, school: str | None = None) -> Analysis:
    """Analyse checked responses (optionally one school); see the module docstring."""
    if school is not None:
        if school not in r.schools:
            raise KeyError(school)
        keep = r.school == r.schools.index(school)
        r = _subset(r, keep)
    pre_idx, post_idx = _pairs(r)
    in_pair = np.zeros(r.phase.size, dtype=bool)
    in_pair[pre_idx] = True
    in_pair[post_idx] = True
    bands = len(r.age_bands)
    fine = r.sex.astype(np.int64) * bands + r.age_band.astype(np.int64)  # one cell per sex x age band
    dims: list[tuple[str, tuple[Any, ...]]] = [("all", (None,)), ("sex", SEXES), ("age_band", r.age_bands)]
    unp_pre = ~in_pair & (r.phase == 0)
    unp_post = ~in_pair & (r.phase == 1)
    respondents = {
        "pre": int((r.phase == 0).sum()),
        "post": int((r.phase == 1).sum()),
        "pairs": int(pre_idx.size),
    }
    paired_headline = respondents["pre"] > 0 and pre_idx.size >= 0.5 * respondents["pre"]
    rows: list[dict[str, Any]] = []
    pre_rows, post_rows = np.flatnonzero(unp_pre), np.flatnonzero(unp_post)
    cells = len(SEXES) * bands
    c_pre, c_post, c_pair = fine[pre_rows], fine[post_rows], fine[pre_idx]
    for outcome, kind, title, y, unit, high in _outcomes(r):
        shift = (high + (0.0 if unit == "share" else 1.0)) / 2.0
        a, b = y[pre_idx], y[post_idx]
        complete = ~(np.isnan(a) | np.isnan(b))
        a, b = a[complete], b[complete]
        pc = c_pair[complete]
        sample_sums = {
            "pre": sums(c_pre, cells, y[pre_rows], shift),
            "post": sums(c_post, cells, y[post_rows], shift),
            "diff": sums(pc, cells, b - a, 0.0),
            "pair_pre": sums(pc, cells, a, shift),
            "pair_post": sums(pc, cells, b, shift),
        }
        for group, cats in dims:
            m = {
                name: finish(*(_margin(x, group, bands) for x in values), 0.0 if name == "diff" else shift)
                for name, values in sample_sums.items()
            }
            (n1, m1, v1), (n2, m2, v2) = m["pre"], m["post"]
            (n, md, vd), (_, pm1, pv1), (_, pm2, pv2) = m["diff"], m["pair_pre"], m["pair_post"]
            blocks = {
                "unpaired": (
                    {
                        "n_pre": n1,
                        "mean_pre": m1,
                        "sd_pre": np.sqrt(v1),
                        "n_post": n2,
                        "mean_post": m2,
                        "sd_post": np.sqrt(v2),
                    },
                    welch(n1, m1, v1, n2, m2, v2),
                    _governing(n1, n2),
                ),
                "paired": (
                    {
                        "n_pre": n,
                        "mean_pre": pm1,
                        "sd_pre": np.sqrt(pv1),
                        "n_post": n,
                        "mean_post": pm2,
                        "sd_post": np.sqrt(pv2),
                    },
                    paired(n, md, vd),
                    n,
                ),
            }
            for method, (desc, est, count) in blocks.items():
                hidden = _hidden(count, cats, k, group)
                for i, cat in enumerate(cats):
                    row: dict[str, Any] = {
                        "outcome": outcome,
                        "type": kind,
                        "title": title,
                        "unit": unit,
                        "high": high,
                        "group": group,
                        "category": cat,
                        "method": method,
                        "headline": (method == "paired") == paired_headline,
                        "suppressed": cat in hidden,
                    }
                    if cat in hidden:
                        row.update(dict.fromkeys((*desc, *STAT_KEYS)))
                    else:
                        row.update({key: float(v[i]) for key, v in desc.items()})
                        row.update({key: float(v[i]) for key, v in est.items()})
                        row["n_pre"] = int(row["n_pre"])
                        row["n_post"] = int(row["n_post"])
                    rows.append(row)
    return Analysis(
        questionnaire_id=r.questionnaire.id,
        questionnaire_version=r.questionnaire.version,
        title=r.questionnaire.title,
        k=k,
        rows=rows,
        respondents=respondents,
        problems=r.problems,
        problem_counts=dict(r.problem_counts),
        school=school,
    )


def _subset(r: Responses, keep: np.ndarray) -> Responses:
    return Responses(
        questionnaire=r.questionnaire,
        phase=r.phase[keep],
        school=r.school[keep],
        schools=r.schools,
        sex=r.sex[keep],
        age_band=r.age_band[keep],
        age_bands=r.age_bands,
        pair_key=r.pair_key[keep],
        scores={i: v[keep] for i, v in r.scores.items()},
        rows_read=r.rows_read,
        other_instrument=r.other_instrument,
        problems=r.problems,
        problem_counts=r.problem_counts,
    )
