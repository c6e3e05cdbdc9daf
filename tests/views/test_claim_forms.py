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
