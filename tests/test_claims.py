"""Reviewers' edits to claims: the rules on claim text and on splitting."""
from __future__ import annotations

import pytest
from sqlmodel import select

from factcheck import claims
from factcheck.errors import InvalidInput
from factcheck.models import Claim, ClaimStatus, Role
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
