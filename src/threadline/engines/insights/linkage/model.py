"""The linkage model every backend runs: comparisons, blocking rules, Splink settings and training.

Nothing here knows which engine executes it; the few SQL fragments that differ between engines (the Dice
similarity of Bloom filters) come from the :class:`~threadline.engines.insights.linkage.backends.LinkageBackend`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from threadline.engines.insights.encoding import BLOOM_HASHES
from threadline.engines.insights.linkage.backends import LinkageBackend
from threadline.engines.insights.linkage.report import Clock

logger = logging.getLogger(__name__)

PRIOR_RULES_RECALL = 0.8  # share of true pairs with two of given name, family name, date of birth exact


def name_comparison(backend: LinkageBackend, label: str, enc: str, bf: str, other_bf: str, tf: bool = True):
    """Levels of one name: exact, typo (Dice), phonetic, initial, and the other record's other name (swapped)."""
    import splink.comparison_level_library as cll
    from splink import comparison_library as cl

    ph = f"{enc}_ph"
    dice = backend.dice_sql(bf)
    swapped = backend.dice_sql(bf, other_bf)
    # an initial's filter is its leading bigram only (<= BLOOM_HASHES bits), contained in the full name's filter:
    # the common bits (Dice * total / 2, an integer) are all the shorter filter's bits (backend-neutral SQL)
    shorter = f'least("{bf}_n_l", "{bf}_n_r")'
    initial = f'{shorter} <= {BLOOM_HASHES} AND {dice} * ("{bf}_n_l" + "{bf}_n_r") > 2 * {shorter} - 1'
    return cl.CustomComparison(
        output_column_name=label,
        comparison_description=f"{label}: keyed hash, Bloom-filter Dice, phonetic key, initial, swapped names",
        comparison_levels=[
            cll.CustomLevel(f'"{enc}_l" IS NULL OR "{enc}_r" IS NULL', f"{label} missing").configure(
                is_null_level=True
            ),
            cll.CustomLevel(f'"{enc}_l" = "{enc}_r"', "exact").configure(tf_adjustment_column=enc)
            if tf
            else cll.CustomLevel(f'"{enc}_l" = "{enc}_r"', "exact"),
            cll.CustomLevel(f"{dice} >= 0.8", "Dice >= 0.8"),
            cll.CustomLevel(f'"{ph}_l" = "{ph}_r"', "same phonetic key"),
            cll.CustomLevel(f"{dice} >= 0.6", "Dice >= 0.6"),
            cll.CustomLevel(f"{swapped} >= 0.8", "like the other name of the other record (swapped)"),
            cll.CustomLevel(initial, "one is the initial of the other"),
            cll.CustomLevel(f"{dice} >= 0.4", "Dice >= 0.4"),
            cll.ElseLevel(),
        ],
    )


@dataclass(frozen=True)
class BlockingRule:
    """Candidate pairs agree on ``keys`` (left column = right column; given against family for swapped names)
    and meet ``condition``; ``name`` says what the rule is for in notes."""

    name: str
    keys: tuple[tuple[str, str], ...]
    condition: str = ""

    def sql(self) -> str:
        return " AND ".join([*(f"l.{a} = r.{b}" for a, b in self.keys), *([self.condition] if self.condition else [])])

    def count_sql(self, table: str = "link_input") -> str:
        """SQL counting the pairs that agree on the keys (before the condition): the work the rule costs."""
        left, right = [a for a, _ in self.keys], [b for _, b in self.keys]

        def grouped(cols: list[str]) -> str:
            sel = ", ".join(f"{c} AS k{i}" for i, c in enumerate(cols))
            where = " AND ".join(f"{c} IS NOT NULL" for c in cols)
            return f"(SELECT {sel}, count(*) AS n FROM {table} WHERE {where} GROUP BY {', '.join(cols)})"  # noqa: S608

        if left == right:
            return f"SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM {grouped(left)} g"  # noqa: S608
        on = " AND ".join(f"a.k{i} = b.k{i}" for i in range(len(left)))
        return f"SELECT coalesce(sum(a.n * b.n) / 2, 0) FROM {grouped(left)} a JOIN {grouped(right)} b ON {on}"  # noqa: S608


def blocking_rules(backend: LinkageBackend) -> list[BlockingRule]:
    """Each rule agrees on other encoded keys, so that a typo, a swap or a missing value that defeats one rule
    leaves others; the union of their pairs is scored. Looser keys also need a similar name (Bloom-filter Dice,
    where a missing name passes), which keeps the pairs few."""

    def similar(column: str, at: float, other: str | None = None, strict: bool = False) -> str:
        b = other or column
        test = f"{backend.block_dice_sql(column, other)} >= {at}"
        return test if strict else f"(l.{column} IS NULL OR r.{b} IS NULL OR {test})"

    any_name = (
        f"({similar('bf_given', 0.5)} OR {similar('bf_family', 0.5)} OR {similar('bf_given', 0.5, 'bf_family')} "
        f"OR {similar('bf_family', 0.5, 'bf_given')})"
    )
    g, f, gp, fp = "enc_given", "enc_family", "enc_given_ph", "enc_family_ph"
    canon, ym, md = "enc_dob_canon", "enc_dob_ym", "enc_dob_md"
    same = lambda *cols: tuple((c, c) for c in cols)  # noqa: E731
    return [
        BlockingRule("phonetic names", same(gp, fp)),
        BlockingRule("phonetic names swapped", ((gp, fp), (fp, gp))),
        BlockingRule("date, phonetic given name", same(canon, gp)),
        BlockingRule("date, phonetic family name", same(canon, fp)),
        BlockingRule("date, given name swapped", ((canon, canon), (gp, fp))),
        BlockingRule("date, family name swapped", ((canon, canon), (fp, gp))),
        BlockingRule("year-month, phonetic family name", same(ym, fp), similar("bf_given", 0.4)),
        BlockingRule("year-month, phonetic given name", same(ym, gp), similar("bf_family", 0.4)),
        BlockingRule("month-day, given name", same(md, g), similar("bf_family", 0.4)),
        BlockingRule("month-day, family name", same(md, f), similar("bf_given", 0.4)),
        BlockingRule("year, phonetic given name", same("enc_yob", gp), similar("bf_family", 0.6)),
        BlockingRule("year, phonetic family name", same("enc_yob", fp), similar("bf_given", 0.6)),
        BlockingRule("date, citizenship, gender, a similar name", same(canon, "citizenship", "gender"), any_name),
        # the wide rules: affordable on small stores, dropped by the cap on large ones
        BlockingRule("date, any similar or missing name", same(canon), any_name),
        BlockingRule("given name", same(g)),
        BlockingRule("family name", same(f)),
        BlockingRule("given name as family name", ((g, f),)),
        BlockingRule("family name as given name", ((f, g),)),
        BlockingRule("date", same(canon)),
    ]


def pair_cap(records: int, cap: float | None = None) -> float:
    """The most pairs one blocking rule may cost: ``cap`` if given, else ten per record (at least a million)."""
    return float(cap) if cap is not None else max(1e6, 10.0 * records)


def select_rules(
    backend: LinkageBackend, rules: list[BlockingRule], cap: float
) -> tuple[list[BlockingRule], list[str]]:
    """The rules whose key agreement costs at most ``cap`` pairs; the others are dropped and named in notes."""
    kept: list[BlockingRule] = []
    notes: list[str] = []
    for rule in rules:
        n = backend.scalar(rule.count_sql())
        if n is not None and float(n) > cap:
            logger.warning("blocking rule %r skipped: %d pairs agree on its keys", rule.name, int(n))
            notes.append(f"blocking rule skipped ({rule.name}): {int(n)} pairs agree on its keys, cap {int(cap)}")
        else:
            kept.append(rule)
    return kept, notes


DATE_KEYS = ("enc_dob", "enc_dob_canon", "enc_dob_md", "enc_dob_ym", "enc_yob")


def unscored_links_sql(rules: list[BlockingRule], predictions: str, table: str = "link_input") -> str:
    """SQL estimating how many true pairs no blocking rule scored: capture-recapture across the rules.

    The rules fall into two "captures": those keyed on the date of birth and those keyed on names only. A true
    pair escapes the first when its date is missing or changed, the second when its names are; the two are
    close to independent. With ``a`` and ``b`` the expected numbers of true pairs each caught (sums of match
    probabilities of the scored pairs) and ``ab`` those caught by both, Lincoln-Petersen estimates all true pairs
    as ``a * b / ab``; the scored ones (the sum of all match probabilities) are taken off. Rules dropped by the
    pair cap do not count.
    """

    def caught(group: list[BlockingRule]) -> str:
        return "(" + " OR ".join(f"({r.sql()})" for r in group) + ")" if group else "FALSE"

    dated = [r for r in rules if any(a in DATE_KEYS for a, _ in r.keys)]
    names = [r for r in rules if r not in dated]
    return f"""SELECT CASE WHEN ab > 0 THEN greatest(a * b / ab - total, 0) ELSE 0 END
        FROM (SELECT coalesce(sum(CASE WHEN in_a = 1 THEN p END), 0) AS a,
                     coalesce(sum(CASE WHEN in_b = 1 THEN p END), 0) AS b,
                     coalesce(sum(CASE WHEN in_a = 1 AND in_b = 1 THEN p END), 0) AS ab,
                     coalesce(sum(p), 0) AS total
              FROM (SELECT s.match_probability AS p,
                           CASE WHEN {caught(dated)} THEN 1 ELSE 0 END AS in_a,
                           CASE WHEN {caught(names)} THEN 1 ELSE 0 END AS in_b
                    FROM {predictions} s JOIN {table} l ON l.unique_id = s.unique_id_l
                    JOIN {table} r ON r.unique_id = s.unique_id_r) caught) counts"""  # noqa: S608


def build_settings(
    backend: LinkageBackend,
    *,
    dedupe: bool = True,
    tf_adjustments: bool = True,
    rules: list[BlockingRule] | None = None,
):
    """The Splink settings shared by every backend (only Dice SQL differs); ``rules`` default to all of
    :func:`blocking_rules`."""
    import splink.comparison_level_library as cll
    from splink import SettingsCreator
    from splink import comparison_library as cl
    from splink.blocking_rule_library import CustomRule

    dob = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="date of birth: keyed hashes of the date and its parts",
        comparison_levels=[
            cll.CustomLevel('"enc_dob_l" IS NULL OR "enc_dob_r" IS NULL', "dob missing").configure(is_null_level=True),
            cll.CustomLevel('"enc_dob_l" = "enc_dob_r"', "exact"),
            cll.CustomLevel('"enc_dob_canon_l" = "enc_dob_canon_r"', "day and month transposed"),
            cll.CustomLevel('"enc_dob_md_l" = "enc_dob_md_r"', "same day and month, other year"),
            cll.CustomLevel('"enc_dob_ym_l" = "enc_dob_ym_r"', "same year and month"),
            cll.CustomLevel('"enc_yob_l" = "enc_yob_r"', "same year"),
            cll.ElseLevel(),
        ],
    )
    return SettingsCreator(
        link_type="dedupe_only" if dedupe else "link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name_comparison(backend, "given_name", "enc_given", "bf_given", "bf_family", tf_adjustments),
            name_comparison(backend, "family_name", "enc_family", "bf_family", "bf_given", tf_adjustments),
            dob,
            cl.ExactMatch("gender"),
            cl.ExactMatch("citizenship"),
        ],
        blocking_rules_to_generate_predictions=[
            CustomRule(r.sql()) for r in (blocking_rules(backend) if rules is None else rules)
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source"],
        max_iterations=20,
        em_convergence=0.001,
    )


def without_sampled_matches(model: dict) -> dict:
    """The trained model with each u probability cleared of the true pairs in Splink's random sample.

    u is estimated from random pairs, and a random pair is a true pair with the prior probability ``lambda``:
    the share of sampled pairs at a level is ``lambda * m + (1 - lambda) * u``. Where true pairs are dense (two
    files of the same people, as FEBRL4: lambda 1e-4) they inflate u of the exact date of birth several-fold and
    the model under-rates its agreement. Solving for u removes them; a level keeps at least a tenth of its
    sampled u.
    """
    lam = model.get("probability_two_random_records_match")
    if not lam or lam >= 1:
        return model
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is not None and u is not None and not level.get("is_null_level"):
                level["u_probability"] = max((u - lam * m) / (1 - lam), u / 10)
    return model


def train_and_predict(sdf, settings, clock: Clock, *, threshold: float, seed: int, max_training_pairs: float):
    """The training steps, scoring and clustering every backend runs on its Splink input ``sdf``.

    Returns ``(linker, predictions, clusters, notes)``; a training step that fails on small or degenerate data
    keeps Splink's defaults for its parameters and is named in ``notes``.
    """
    from splink import Linker, block_on

    linker = Linker(sdf, settings, log_level=logging.WARNING)

    steps = [
        (
            "prior from exact agreement",
            # two of the three identifiers exact: the share of true pairs with that hardly depends on how a
            # source corrupts names or dates (measured: 0.81 on FEBRL4, 0.80 on the synthetic records)
            lambda: linker.training.estimate_probability_two_random_records_match(
                [
                    block_on("enc_given", "enc_family"),
                    block_on("enc_given", "enc_dob"),
                    block_on("enc_family", "enc_dob"),
                ],
                recall=PRIOR_RULES_RECALL,
            ),
        ),
        (
            "u by random sampling",
            lambda: linker.training.estimate_u_using_random_sampling(max_pairs=max_training_pairs, seed=seed),
        ),
        (
            "EM blocked on date of birth",
            lambda: linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("enc_dob"), max_pairs=max_training_pairs
            ),
        ),
        (
            "EM blocked on given name",
            lambda: linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("enc_given"), max_pairs=max_training_pairs
            ),
        ),
        (
            "EM blocked on family name",
            lambda: linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("enc_family"), max_pairs=max_training_pairs
            ),
        ),
    ]
    notes: list[str] = []
    for label, step in steps:
        try:
            step()
        except Exception as exc:  # small or degenerate data: keep Splink's defaults for this step
            logger.warning("linkage training step %r skipped: %s", label, type(exc).__name__)
            notes.append(f"training step skipped ({label}): {type(exc).__name__}")
    linker = Linker(sdf, without_sampled_matches(linker.misc.save_model_to_json()), log_level=logging.WARNING)
    clock.lap("train")
    predictions = linker.inference.predict()  # every scored pair: the missed links sum over all of them
    clock.lap("predict")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    return linker, predictions, clusters, notes
