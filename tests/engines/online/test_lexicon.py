import pytest

from threadline.engines.online.lexicon import CATEGORIES, REQUIRED, LexiconError, load_entries, load_lexicon
from threadline.engines.online.normalize import fold


def test_packaged_lexicons_cover_categories_and_languages():
    lx = load_lexicon()
    assert {e.category for e in lx.entries} == set(CATEGORIES)
    assert {e.language for e in lx.entries} >= {"en", "es", "fr"}
    for e in lx.entries:
        for k in REQUIRED:
            assert getattr(e, k) not in (None, "")
    assert all(v for v in lx.versions.values())


@pytest.mark.parametrize(
    ("text", "category"),
    [("New in town this week", "movement"), ("Recién llegada", "movement"), ("Nouvelle en ville", "movement"),
     ("Ask for my manager", "third_party_control"), ("Demandez mon responsable", "third_party_control"),
     ("Available 24/7", "restricted_autonomy"), ("Disponible 24h", "restricted_autonomy"),
     ("No experience needed, travel and accommodation paid", "deceptive_recruitment"),
     ("Sin experiencia", "deceptive_recruitment"), ("Frais d'inscription", "deceptive_recruitment"),
     ("Nouveau visage", "youth_cues"), ("Estudiante", "youth_cues"), ("hello 👑", "coded_emoji")],
)  # fmt: skip
def test_hits_have_category_and_span(text, category):
    lx = load_lexicon()
    f = fold(text)
    hits = lx.match(f)
    assert category in {h.category for h in hits}
    for h in hits:
        assert fold(text[h.start : h.end]) == h.text


def test_no_hits_in_neutral_text():
    lx = load_lexicon()
    f = fold("Friendly coffee near the museum. Replies within the hour.")
    assert lx.match(f) == []


def test_bad_entries_are_rejected(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("entries:\n  - {category: movement, language: en, weight: 1, pattern: 'a('}\n")
    with pytest.raises(LexiconError, match="lacks source"):
        load_entries(p)
    p.write_text("entries:\n  - {category: nope, language: en, weight: 1, pattern: 'a', source: s}\n")
    with pytest.raises(LexiconError, match="unknown category"):
        load_entries(p)
    p.write_text("entries:\n  - {category: movement, language: en, weight: 1, pattern: 'a(', source: s}\n")
    with pytest.raises(LexiconError, match="does not compile"):
        load_entries(p)


def test_packaged_files_read_alike_by_both_yaml_parsers():
    """The packaged lexicons and risk weights are parsed by libyaml where installed: same data as safe_load."""
    from importlib import resources

    import yaml

    from threadline.engines.online import lexicon

    base = resources.files("threadline.engines.online")
    files = [f for f in (base / "lexicons").iterdir() if f.name.endswith(".yaml")] + [base / "risk.yaml"]
    assert len(files) >= 2
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert lexicon._load_packaged(text) == yaml.safe_load(text), f.name
