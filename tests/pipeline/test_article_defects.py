"""Defect classes seen on real pasted articles: page furniture, glued words after a cut, wrong
subjects carried over, and subordinate clauses of time taken for claims of their own."""
import re

import pytest

from factcheck.pipeline import analyse_text, extract_claims
from factcheck.pipeline.boilerplate import is_appeal, is_furniture, is_furniture_sentence

WORD = re.compile(r"[\w$'’]+")


def texts(text):
    return [c.text for c in extract_claims(text)]


@pytest.mark.parametrize("line", [
    "Keep our newsroom going: become a member today!",
    "Support independent reporting in the valley: join 4,000 readers who chip in.",
    "Please consider a donation to keep the Ledger independent.",
    "Please consider subscribing to the Gazette.",
    "This article is free to read.",
    "Our story is free for all readers thanks to our members.",
    "Pictured: the old lighthouse before the storm.",
    "The east quay at dawn. Valley Gazette / K. Obi",
    "By Amara Diallo, health correspondent",
    "By Amara Diallo · 3 May 2026",
    "Share this article on Facebook",
    "Share on X",
])
def test_page_furniture_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize("sentence", [
    "Support for the plan fell to 40 percent in May.",
    "Join the two rail lines and the journey drops to 20 minutes, the study said.",
    "Help arrived from the neighbouring province on Monday.",
    "Donations to the hospital rose by a third last year.",
    "The newspaper's membership scheme has 12,000 members, its editor said.",
    '"Please consider a donation," the charity wrote to its members.',
    "Facebook shares rose 3 percent on Monday.",
    "Share prices on the X exchange fell by a tenth.",
])
def test_statements_about_support_or_news_are_not_furniture(sentence):
    assert not is_appeal(sentence) and not is_furniture_sentence(sentence)
    assert extract_claims(sentence)


def test_appeal_inside_a_body_paragraph_is_dropped_and_greyed():
    text = ("The clinic treated 900 patients in April. This article is free to read. "
            "Please consider a donation to keep the Gazette independent.")
    extraction = analyse_text(text)
    assert [c.text for c in extraction.claims] == ["The clinic treated 900 patients in April."]
    assert any(text[s:e].startswith("This article") for s, e in extraction.boilerplate)


@pytest.mark.parametrize("dateline", ["PORT ELLIS —", "Port Ellis —", "Port Ellis, Ont. —", "Ridgeway (Gazette) –"])
def test_dateline_is_not_part_of_the_claim(dateline):
    claims = extract_claims(f"{dateline} The county closed 14 libraries in 2025, its records show.")
    assert claims and claims[0].text.startswith("The county closed 14 libraries in 2025")


def test_headline_and_byline_are_not_claims():
    text = ("Museum roof repair to cost $900,000\n\nBy Amara Diallo, arts reporter\n\n"
            "The museum will spend $900,000 replacing its roof, the trust said.")
    assert texts(text) == ["The museum will spend $900,000 replacing its roof."]


@pytest.mark.parametrize("sentence", [
    "The ferry, which entered service in 1988, carries 600 passengers a day.",
    "The ferry — the oldest in the fleet — carries 600 passengers a day and needs a new engine.",
    "Sales of the vaccine, which was approved in 2021, to clinics rose 40 percent and reached $2 billion.",
    "The warehouse, built in 1931 ,  holds 300 tonnes of grain and employs 40 people.",
])
def test_cut_clauses_never_glue_words(sentence):
    source = {w.lower() for w in WORD.findall(sentence)}
    for claim in texts(sentence):
        for word in WORD.findall(claim):
            assert word.lower() in source or word.lower() in ("was", "were"), (word, claim)
        assert not re.search(r"\w,\S|\s,", claim), claim


def test_it_is_never_a_person_speaker():
    claims = texts("Harbourmaster Ines Duarte said cars would be kept off the pier until the survey is done, "
                   "but that it remained open to anglers.")
    assert not any(re.search(r"Duarte (remained|was|is)", c) for c in claims), claims
    assert any("remained open to anglers" in c and "pier" in c for c in claims), claims


def test_it_resolves_to_an_organisation_speaker_but_not_to_a_named_person():
    org = texts("The Harbour Trust said it would pay for the repairs.")
    assert org == ["The Harbour Trust would pay for the repairs."]
    person = texts("Its director, Omar Haddad, said it had treated 2,000 patients.")
    assert not any("Haddad had treated" in c for c in person), person


def test_bare_surname_speaker_is_a_person():
    text = ("Councillor Ruth Mbeki opposed the budget.\n\n"
            "Mbeki said the council would sell the depot, and that it had lost money for years.")
    assert not any(c.startswith("Mbeki had lost") for c in texts(text)), texts(text)


@pytest.mark.parametrize("sentence, absent", [
    ("The road will stay closed until the contractor finishes the drains, the council said.",
     "The contractor finishes the drains."),
    ("Fares will rise by 5 percent once the new trains arrive.", "The new trains arrive."),
    ("The plant would shut before the winter begins, managers said.", "The winter begins."),
])
def test_time_clauses_that_assert_nothing_stay_inside_the_claim(sentence, absent):
    claims = texts(sentence)
    assert absent not in claims, claims
    assert any(absent.rstrip(".").lower()[4:] in c.lower() for c in claims), claims


def test_past_time_and_reason_clauses_still_become_claims():
    claims = texts("The port reopened on Friday after divers removed the wreck. "
                   "Exports fell 8 percent because the port was closed for a month.")
    assert "Divers removed the wreck." in claims
    assert "The port was closed for a month." in claims


def rules_texts(monkeypatch, text):
    monkeypatch.setenv("FACTCHECK_EXTRACTOR", "rules")
    extraction = analyse_text(text)
    assert extraction.extractor == "rules"
    return [(c.text, c.speaker) for c in extraction.claims]


def test_rules_path_splits_common_constructions(monkeypatch):
    claims = [t for t, _ in rules_texts(monkeypatch, (
        "The ferry, which entered service in 1988, carries 600 passengers a day.\n\n"
        "The mill closed two lines in 2022 and cut 300 jobs the following year.\n\n"
        "Storms hit the coast on Monday, forcing 2,000 people to leave their homes.\n\n"
        "The harbour reopened on Friday after divers removed the wreck.\n\n"
        "Fares will rise by 5 percent once the new trains arrive."))]
    assert "The ferry entered service in 1988." in claims
    assert "The ferry carries 600 passengers a day." in claims
    assert "The mill cut 300 jobs the following year." in claims
    assert "Storms forced 2,000 people to leave their homes." in claims
    assert "Divers removed the wreck." in claims
    assert "Fares will rise by 5 percent once the new trains arrive." in claims


def test_rules_path_attribution_with_pronoun(monkeypatch):
    claims = rules_texts(monkeypatch, (
        "The Harbour Trust said it had spent $3 million on the quay and hired 40 divers.\n\n"
        "Harbourmaster Ines Duarte said it was safe for anglers."))
    assert ("The Harbour Trust had spent $3 million on the quay.", "Harbour Trust") in claims
    assert ("The Harbour Trust hired 40 divers.", "Harbour Trust") in claims
    assert not any("Duarte was safe" in t for t, _ in claims), claims


@pytest.mark.parametrize("extractor", ["spacy", "rules"])
@pytest.mark.parametrize("text, sign", [
    ("-3 percent is how much exports shrank in 2023, the ministry said.", "-3 percent"),
    ("Growth slowed across the region last year.\n-2+3 percent was the growth rate of the port in 2022.",
     "-2+3 percent"),
    ("\u22123 percent is how much exports shrank in 2023, the ministry said.", "\u22123 percent"),
    (".5 percent of the voters stayed home in 2023, the commission said.", ".5 percent"),
])
def test_leading_minus_sign_is_kept_not_taken_for_a_bullet(monkeypatch, extractor, text, sign):
    if extractor == "rules":
        monkeypatch.setenv("FACTCHECK_EXTRACTOR", "rules")
    claims = [c for c in extract_claims(text) if "percent" in c.text]
    assert claims and claims[0].text.startswith(sign), [c.text for c in claims]
    assert text[claims[0].start:claims[0].end].startswith(sign)


def test_dash_and_space_is_still_a_bullet():
    text = "- Exports shrank by 3 percent in 2023, the ministry said."
    claims = extract_claims(text)
    assert claims and claims[0].text.startswith("Exports shrank by 3 percent")
    assert "Exports shrank" in text[claims[0].start:claims[0].end]
