"""Reviewers' edits to claims: the rules on claim text and on splitting."""
from __future__ import annotations

import pytest
from sqlmodel import select

from factcheck import claims
from factcheck.errors import InvalidInput
from factcheck.models import Article, Claim, ClaimStatus, Role
from tests.factories import make_claim, make_user


@pytest.fixture
def editable(session):
    reviewer = make_user(session, Role.REVIEWER)
    return reviewer, make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)


def claim_count(session) -> int:
    session.expire_all()
    return len(session.exec(select(Claim)).all())


def test_a_split_into_up_to_twenty_parts_makes_one_claim_each(session, editable):
    reviewer, claim = editable
    parts = [f"Part {n} of the claim is true." for n in range(claims.MAX_SPLIT_PARTS)]
    made = claims.split_claim(session=session, actor=reviewer, claim=claim, parts=parts)
    assert [c.text for c in made] == parts


def test_a_split_into_more_parts_than_the_cap_is_refused_and_names_the_limit(session, editable):
    reviewer, claim = editable
    parts = [f"Part {n} of the claim is true." for n in range(claims.MAX_SPLIT_PARTS + 1)]
    with pytest.raises(InvalidInput, match="at most 20 parts; you gave 21"):
        claims.split_claim(session=session, actor=reviewer, claim=claim, parts=parts)
    assert claim_count(session) == 1


@pytest.mark.parametrize("short", ["x", "Taxes", "a b", "1 %", "2.6m"])
def test_a_split_part_too_short_to_be_a_claim_is_refused(session, editable, short):
    reviewer, claim = editable
    with pytest.raises(InvalidInput, match="too short to be a claim"):
        claims.split_claim(session=session, actor=reviewer, claim=claim, parts=["Taxes rose by 20 percent.", short])
    assert claim_count(session) == 1


INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u200b\u200c\u200d", " \u2060 \ufeff ", "\u00ad", "\u202e\u202c",
             "\u180e", "\U000e0041\U000e007f", "\u3164", "\u2800", "\u0301\u0301", "\u200b\n\u2060", "\x00\x7f"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_claim_text_with_nothing_visible_counts_as_empty(session, editable, text):
    reviewer, claim = editable
    with pytest.raises(InvalidInput, match="A claim needs some text."):
        claims.clean_text(text)
    with pytest.raises(InvalidInput, match="A claim needs some text."):
        claims.add_claim(session=session, actor=reviewer, article=session.get(Article, claim.article_id), text=text)
    with pytest.raises(InvalidInput, match="A claim needs some text."):
        claims.edit_claim(session=session, actor=reviewer, claim=claim, text=text, speaker=None)
    session.refresh(claim)
    assert claim.text == "The mayor said the bridge cost $2.6 million." and claim_count(session) == 1


@pytest.mark.parametrize("text", ["Taxes\u200b rose.", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
                                  "\U0001f468\u200d\U0001f469 families grew", "e\u0301te\u0301"])
def test_claim_text_with_something_visible_keeps_its_zero_width_characters(text):
    assert claims.clean_text(text) == text


def test_a_speaker_with_nothing_visible_is_no_speaker():
    assert claims.clean_speaker("\u200b\ufeff") is None
    assert claims.clean_speaker("Mayor\u200b Lee") == "Mayor\u200b Lee"


def test_split_lines_that_look_blank_are_skipped_like_blank_lines(session, editable):
    reviewer, claim = editable
    made = claims.split_claim(session=session, actor=reviewer, claim=claim,
                              parts=["Taxes rose by 20 percent.", "\u200b\ufeff", "", "Crime fell."])
    assert [c.text for c in made] == ["Taxes rose by 20 percent.", "Crime fell."]
