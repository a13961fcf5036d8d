from hypothesis import given, settings
from hypothesis import strategies as st

from threadline.engines.online.normalize import fold, fold_joined, normalize_text


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_fold_preserves_length(s):
    assert len(fold(s)) == len(s)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=100))
def test_fold_of_ascii_is_lower(s):
    assert fold(s) == s.lower()


def test_fold_maps_lookalikes_and_digits():
    assert fold("５５５ Ｏ１") == "555 o1"  # fullwidth
    assert fold("𝟓𝟓𝟓") == "555"  # mathematical bold digits
    assert fold("①②") == "12"  # circled digits
    assert fold("nеw") == "new"  # Cyrillic е
    assert fold("Étudiante") == "etudiante"  # accents stripped
    assert fold("5️⃣") == "5  "  # keycap emoji digit, modifiers become spaces
    assert fold("a\u200bb") == "a b"  # zero-width space


def test_normalize_text_nfkc_and_spaces():
    assert normalize_text("  Ｈｅｌｌｏ\u200b   wоrld ") == "Hello world"


_TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.characters(min_codepoint=0, max_codepoint=0x7F),
        st.sampled_from("AÉé𝟓🌹5️⃣\u200bО０\x00\x01\x1f\x7f\t\n\rİß\ud800\udfff\U00040000\U0010fffd"),
    ),
    max_size=40,
)


@given(st.lists(_TEXT, max_size=12))
@settings(max_examples=300, deadline=None)
def test_fold_joined_is_join_of_folds(texts):
    texts = [t.replace("\x02", " ") for t in texts]
    assert fold_joined(texts, "\x02") == "\x02".join(map(fold, texts))


def test_fold_joined_mixed_batch():
    texts = ["Call ME", "Étudiante 🌹 ５５５", "", "nеw\x01", "a\x00b", "plain", "\ud83d alone", "𝟓𝟓𝟓", "\U00040000 É"]
    assert fold_joined(texts, "\x02") == "\x02".join(map(fold, texts))
