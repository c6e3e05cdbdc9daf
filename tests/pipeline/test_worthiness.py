"""Check-worthiness: factual, numeric claims score above opinions, questions and appeals."""
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.pipeline.worthiness import FEATURES, feature_vector, feature_vector_by_patterns, score_claim


def test_numeric_factual_claim_is_checkworthy_with_reasons():
    result = score_claim("Unemployment fell to 4.1 percent in June 2024, the lowest rate since 2001.")
    assert result.score >= 0.5
    assert "number" in result.reasons and "date" in result.reasons


def test_opinion_question_and_call_to_action_are_not():
    for text in ("I think this is a wonderful country.", "What should other farmers do?",
                 "Please join us and vote on Tuesday.", "Thank you very much."):
        assert score_claim(text).score < 0.5, text


def test_scores_rank_sensibly():
    fact = score_claim("The state spent $2.3 billion on prisons in 2019.").score
    vague = score_claim("We are going to do great things together.").score
    assert 0.0 <= vague < fact <= 1.0


# Every word the feature patterns name, in several cases, with the punctuation that borders words.
_PATTERN_WORDS = sorted({w for p in FEATURES.values() for w in __import__("re").findall(r"[A-Za-z']+", p.pattern)
                         if len(w) > 1})
feature_text = st.lists(
    st.sampled_from(_PATTERN_WORDS + ["health care", "social security", "per cent", "going to", "immigrants",
                                      "I'm", "won't", "3", "%", "$", "€", "-", "_", "'", "’", ",", ".", "?",
                                      "İ", "ſ", "Ｉ", "x"])
    .flatmap(lambda w: st.sampled_from([w, w.upper(), w.capitalize(), w + "s", w + "ing", "un" + w])),
    max_size=25,
).flatmap(lambda words: st.sampled_from([" ".join(words), "".join(words), "-".join(words)]))


@settings(max_examples=300, deadline=None)
@given(feature_text)
def test_word_lookup_reads_the_same_features_as_the_patterns(text):
    assert feature_vector(text) == feature_vector_by_patterns(text)


def test_word_lookup_agrees_on_every_pattern_word_alone_and_inside_words():
    for word in _PATTERN_WORDS + ["health care", "social security", "per cent", "going to", "plan to"]:
        for form in (word, word.upper(), word.capitalize(), word + "s", word + "es", "x" + word, word + "_",
                     f"({word})", f"{word}'s", f"It {word} 3."):
            assert feature_vector(form) == feature_vector_by_patterns(form), form


def test_word_lookup_agrees_on_the_fixture_sentences(tools):
    lines = [line for path in sorted(tools.fixtures.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) > 50
    for line in lines:
        assert feature_vector(line) == feature_vector_by_patterns(line), line
