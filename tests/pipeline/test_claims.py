"""Claims on the annotated fixtures: the expected propositions, speakers and spans."""
from pathlib import Path

import pytest

from factcheck.pipeline import ClaimDraft, analyse_text, extract_claims

ARTICLES = sorted(p.stem for p in (Path(__file__).parent / "fixtures").glob("*.json"))


def _expected(analysed, name):
    (text, gold), extraction = analysed[name]
    return text, gold, extraction


@pytest.mark.parametrize("name", ARTICLES)
def test_expected_claims_found_with_speaker(analysed, tools, name):
    text, gold, extraction = _expected(analysed, name)
    problems = []
    for expected in gold["claims"]:
        claim = tools.find_claim(extraction.claims, text, expected)
        if claim is None:
            problems.append(f"missing: {expected['contains']!r}")
        elif not tools.speaker_matches(claim.speaker, expected["speaker"]):
            problems.append(f"speaker {claim.speaker!r} != {expected['speaker']!r} for {claim.text!r}")
    assert not problems, "\n".join(problems + [f"  got: {c.text!r} [{c.speaker}]" for c in extraction.claims])


@pytest.mark.parametrize("name", ARTICLES)
def test_furniture_and_headlines_are_not_claims(analysed, tools, name):
    text, gold, extraction = _expected(analysed, name)
    norm = tools.norm
    for phrase in gold["absent"]:
        if norm(phrase):
            assert not any(norm(phrase) in norm(c.text) for c in extraction.claims), phrase
        else:
            assert not any(phrase in c.text for c in extraction.claims), phrase
    for phrase in gold["furniture"]:
        at = text.index(phrase)
        assert any(s <= at < e for s, e in extraction.boilerplate), phrase


@pytest.mark.parametrize("name", ARTICLES)
def test_claims_are_clean_sentences_with_valid_spans(analysed, name):
    text, _gold, extraction = _expected(analysed, name)
    assert extraction.extractor == "spacy"
    starts = [c.start for c in extraction.claims]
    assert starts == sorted(starts)
    for claim in extraction.claims:
        assert isinstance(claim, ClaimDraft)
        assert 0 <= claim.start < claim.end <= len(text)
        assert claim.text[0].isupper() or not claim.text[0].isalpha()
        assert claim.text[-1] in ".?!"
        assert not any(q in claim.text for q in "\"“”")
        assert 0.0 <= claim.checkworthiness <= 1.0


def test_low_worthiness_for_questions_and_advice(analysed):
    (text, gold), extraction = analysed["qa-interview"]
    for phrase in gold["low"]:
        at = text.index(phrase)
        covering = [c for c in extraction.claims if c.start <= at < c.end]
        assert all(c.checkworthiness < 0.5 for c in covering), [(c.text, c.checkworthiness) for c in covering]


def test_said_that_clause_gets_speaker_and_pronoun_resolved():
    claims = extract_claims("The Interior Ministry said on Monday that it had deported 212 people in May.")
    assert [c.speaker for c in claims] == ["Interior Ministry"]
    assert claims[0].text == "The Interior Ministry had deported 212 people in May."


def test_quote_before_and_after_speaker_forms():
    text = ('"Prices will fall by spring," said Governor Ana Silva.\n\n'
            '"We have hired 300 nurses," the governor said, adding that 40 more would start in June.')
    claims = extract_claims(text)
    assert {c.speaker for c in claims} == {"Governor Ana Silva"}
    assert any("40 more would start in June" in c.text for c in claims)
    assert any(c.text == "We have hired 300 nurses." for c in claims)


def test_definite_description_speaker_takes_fullest_form():
    text = ("The European Medicines Agency approved the vaccine in May.\n\n"
            "The agency said that 14 countries had ordered 20 million doses.")
    claims = extract_claims(text)
    last = claims[-1]
    assert last.speaker == "European Medicines Agency"


def test_coordinated_clauses_split_with_subject_carried():
    claims = extract_claims("The company closed two factories in 2019 and cut 800 jobs the following year.")
    texts = [c.text for c in claims]
    assert "The company closed two factories in 2019." in texts
    assert "The company cut 800 jobs the following year." in texts


def test_participle_and_relative_clauses_become_claims():
    claims = extract_claims("Floods hit the province on Sunday, forcing 3,000 residents to leave their homes. "
                            "The dam, which was built in 1961, holds 40 million cubic metres of water.")
    texts = [c.text for c in claims]
    assert "Floods forced 3,000 residents to leave their homes." in texts
    assert "The dam was built in 1961." in texts
    assert "The dam holds 40 million cubic metres of water." in texts


def test_sentence_kept_whole_when_a_split_would_leave_fragments():
    claims = extract_claims("If the rate rises again, inflation could reach 6 percent.")
    assert len(claims) == 1
    assert claims[0].text == "If the rate rises again, inflation could reach 6 percent."


def test_rules_path_when_forced(monkeypatch):
    monkeypatch.setenv("FACTCHECK_EXTRACTOR", "rules")
    extraction = analyse_text('The ministry said that 40 schools had closed.\n\n"We are safe," Ahmed Ali said.')
    assert extraction.extractor == "rules"
    assert [c.speaker for c in extraction.claims] == ["ministry", "Ahmed Ali"]
    assert extraction.claims[0].text == "40 schools had closed."


def test_headline_and_empty_input_give_no_claims():
    assert extract_claims("") == []
    assert extract_claims("   \n\n  ") == []
    assert extract_claims("Ports reopen as grain deal resumes") == []
