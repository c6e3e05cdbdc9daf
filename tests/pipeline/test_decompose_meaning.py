"""Decomposition must not change what the article says: denials, refusals, participles, qualifiers,
lists, relative clauses, pronouns and cut-out text (spaCy path)."""
import pytest

from factcheck.pipeline import extract_claims
from factcheck.pipeline.nlp import get_nlp

pytestmark = pytest.mark.skipif(get_nlp() is None, reason="spaCy model not installed")


def claims(text):
    return [(c.text, c.speaker) for c in extract_claims(text)]


def texts(text):
    return [c.text for c in extract_claims(text)]


@pytest.mark.parametrize("sentence, flipped", [
    ('The health ministry on Friday denied that hospitals were running out of flu vaccine, '
     'calling a newspaper report "entirely untrue".', "Hospitals were running out of flu vaccine."),
    ("The company denied that it had paid any bribes.", "The company had paid any bribes."),
    ("Moscow has denied that its troops crossed the border.", "Its troops crossed the border."),
])
def test_denied_proposition_is_not_asserted(sentence, flipped):
    got = claims(sentence)
    assert flipped not in [t for t, _ in got]
    assert any("denied that" in t for t, _ in got)
    assert not any(t.startswith("Hospitals called") for t, _ in got)


def test_denial_keeps_its_speaker():
    got = claims("The company denied that it had paid any bribes.")
    assert got == [("The company denied that it had paid any bribes.", "company")]


@pytest.mark.parametrize("sentence", [
    "Neither the ministry nor the supplier, MedAxis, would say how many doses remained in stock.",
    "The agency did not say whether the flights would resume.",
])
def test_refusal_or_embedded_question_stays_whole(sentence):
    assert texts(sentence) == [sentence]


@pytest.mark.parametrize("text, wrong", [
    ('After playing "Takin\' It To the Streets," the singer told the audience he was happy. '
     "He wasn't kidding.", "It To"),
    ('McDonald joined the band in 1975, appearing on four albums and hit singles like 1978\'s '
     '"What a Fool Believes." He later performed with the band on tour.', "Fool Believes later"),
    ("Neumann resigned after the company rebranded itself The We Company. He also agreed to return the cash.",
     "The We Company also"),
    ("The Formula One Grand Prix in Imola, scheduled for Sunday, was cancelled. Organisers said it would "
     "not be rescheduled this season.", "Organisers would"),
])
def test_pronoun_is_not_replaced_by_a_wrong_antecedent(text, wrong):
    assert not any(t.startswith(wrong) for t in texts(text))


def test_it_still_stands_for_a_singular_organisation_speaker():
    assert "The ministry would cut 500 jobs." in texts("The ministry said it would cut 500 jobs.")


def test_no_doubled_words_or_empty_brackets():
    got = texts("SoftBank invested $9.5 billion into WeWork and agreed to buy shares from investors "
                "and to fund the company.")
    assert "SoftBank agreed to fund the company." in got
    got = texts("The hotel has a gym, a spa (which opened in 2019) and a swimming pool (which is heated).")
    assert not any("()" in t for t in got)


def test_rules_path_keeps_a_denial_whole(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EXTRACTOR", "rules")
    assert texts("The company denied that it had paid any bribes.") == ["The company denied that it had paid any bribes."]
