"""Fixture loading for the pipeline tests: annotated invented articles under fixtures/."""
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from rapidfuzz import fuzz

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load_article(name):
    """(text, annotations) of fixtures/NAME.txt and NAME.json."""
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    return text, json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def norm(s):
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", (s or "").lower())).strip()


def similar(claim_text, expected):
    return fuzz.token_set_ratio(norm(claim_text), norm(expected)) >= 90


def speaker_matches(predicted, expected):
    if expected is None:
        return predicted is None
    return predicted is not None and norm(expected) in norm(predicted)


def find_claim(claims, text, expected):
    """The claim whose span covers the expected anchor and whose text says the expected thing."""
    anchor = text.index(expected["anchor"])
    for claim in claims:
        if claim.start <= anchor < claim.end and similar(claim.text, expected["contains"]):
            return claim
    return None


@pytest.fixture(scope="session")
def tools():
    """Helpers for the tests (kept here so no test module imports conftest by name)."""
    return SimpleNamespace(fixtures=FIXTURES, find_claim=find_claim, norm=norm, speaker_matches=speaker_matches)


@pytest.fixture(scope="session")
def analysed():
    """analyse_text of every fixture article, computed once per session."""
    from factcheck.pipeline import analyse_text

    return {name: (load_article(name), analyse_text(load_article(name)[0])) for name in ARTICLES}
