"""Claim-page forms over HTTP: bad input gets a 400 that says what is wrong, never a 500 or a wrong reason."""
from __future__ import annotations

import pytest
from sqlmodel import select

from factcheck.models import Claim, ClaimStatus, Role, Verdict
from tests.factories import make_claim


@pytest.fixture
def researched(session, auth):
    reviewer = auth.login(Role.REVIEWER)
    return make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)


# --- verdict reuse: the verdict id ------------------------------------------------------------------

@pytest.mark.parametrize("verdict_id", ["²", "١٢", "9" * 5000, "0", "-3", "abc", "1.0"])
def test_reuse_with_a_verdict_id_that_is_not_a_plain_number_is_a_400(auth, session, researched, verdict_id):
    response = auth.post(f"/claims/{researched.id}/verdict/reuse", {"verdict_id": verdict_id})
    assert response.status_code == 400
    assert "Choose a verdict to reuse." in response.get_data(as_text=True)
    session.commit()
    assert session.exec(select(Verdict)).first() is None


def test_reuse_of_a_verdict_that_does_not_exist_is_a_404(auth, researched):
    response = auth.post(f"/claims/{researched.id}/verdict/reuse", {"verdict_id": "12345"})
    assert response.status_code == 404 and "No verdict with id 12345" in response.get_data(as_text=True)


# --- split: how many parts, how long ---------------------------------------------------------------

def test_a_split_into_thousands_of_one_letter_parts_is_refused_naming_the_limit(auth, session, researched):
    response = auth.post(f"/claims/{researched.id}/split", {"parts": "\n".join("x" * 5000)})
    assert response.status_code == 400
    assert "A claim can be split into at most 20 parts; you gave 5000." in response.get_data(as_text=True)
    session.expire_all()
    assert len(session.exec(select(Claim)).all()) == 1


def test_a_split_with_a_one_word_part_is_refused(auth, session, researched):
    response = auth.post(f"/claims/{researched.id}/split", {"parts": "Taxes rose by 20 percent.\nUnemployment"})
    assert response.status_code == 400 and "too short to be a claim" in response.get_data(as_text=True)
    session.expire_all()
    assert len(session.exec(select(Claim)).all()) == 1


def test_a_split_into_two_claims_still_works(auth, session, researched):
    response = auth.post(f"/claims/{researched.id}/split", {"parts": "Taxes rose by 20 percent.\nCrime fell."})
    assert response.status_code == 302
    session.expire_all()
    assert {c.text for c in session.exec(select(Claim).where(Claim.origin == "split"))} == {
        "Taxes rose by 20 percent.", "Crime fell."}
