"""Every object is checked on every access: changing an id in a URL or form gets a reviewer nothing."""
from __future__ import annotations

import pytest
from sqlmodel import select

from factcheck.models import ClaimLink, ClaimStatus, Evidence, LinkState, Role, Stance, Verdict
from tests.factories import make_article, make_claim, rating

SECRET = "Draft rationale: the ledger on page 14 contradicts the mayor."


@pytest.fixture
def desk(session, browser):
    ana, ben = browser(Role.REVIEWER, "ana"), browser(Role.REVIEWER, "ben")
    editor = browser(Role.EDITOR, "eddie")
    article = make_article(session, text="The bridge cost $2.6 million. Crime fell by 20 percent. Taxes rose.")
    drafted = make_claim(session, article, text="The bridge cost $2.6 million.", status=ClaimStatus.IN_RESEARCH,
                         assignee=ana.user)
    open_claim = make_claim(session, article, text="Crime fell by 20 percent.", status=ClaimStatus.IN_RESEARCH,
                            assignee=ana.user)
    bens = make_claim(session, article, text="Taxes rose.", status=ClaimStatus.IN_RESEARCH, assignee=ben.user)
    page = ana.get(f"/claims/{drafted.id}").get_data(as_text=True)
    assert "verdict-submit" in page
    response = ana.post(f"/claims/{drafted.id}/verdict", {"rating": rating(session).id, "rationale": SECRET,
                                                         "version": drafted.version})
    assert response.status_code == 302
    session.commit()  # end the test session's read snapshot before it writes after the app did
    evidence = Evidence(claim_id=open_claim.id, url="https://records.example/ledger", stance=Stance.REFUTES,
                        added_by_id=ana.user.id, quote="page 14")
    link = ClaimLink(claim_a_id=min(drafted.id, open_claim.id), claim_b_id=max(drafted.id, open_claim.id), score=75)
    session.add_all([evidence, link])
    session.commit()
    verdict = session.exec(select(Verdict).where(Verdict.claim_id == drafted.id)).one()
    return {"ana": ana, "ben": ben, "editor": editor, "drafted": drafted, "open": open_claim, "bens": bens,
            "evidence": evidence, "link": link, "verdict": verdict}


def test_another_reviewers_draft_verdict_is_not_shown_on_the_claim_page(desk):
    url = f"/claims/{desk['drafted'].id}"
    assert SECRET in desk["ana"].get(url).get_data(as_text=True)
    assert SECRET in desk["editor"].get(url).get_data(as_text=True)
    page = desk["ben"].get(url)
    assert page.status_code == 200 and SECRET not in page.get_data(as_text=True)


def test_another_reviewers_draft_verdict_is_not_in_the_api(app, desk):
    if "api.get_claim" not in app.view_functions:
        pytest.skip("no JSON API in this build")
    from factcheck.api_schema import API_PREFIX
    url = f"{API_PREFIX}/claims/{desk['drafted'].id}"
    assert SECRET in desk["ana"].get(url).get_data(as_text=True)
    response = desk["ben"].get(url)
    assert response.status_code == 200 and SECRET not in response.get_data(as_text=True)


def test_evidence_cannot_be_added_to_another_reviewers_claim(session, desk):
    response = desk["ben"].post(f"/claims/{desk['open'].id}/evidence",
                                {"url": "https://evil.example/", "stance": "supports", "quote": "planted"})
    assert response.status_code == 403
    assert session.exec(select(Evidence).where(Evidence.quote == "planted")).first() is None


def test_a_verdict_cannot_be_proposed_on_another_reviewers_claim(session, desk):
    response = desk["ben"].post(f"/claims/{desk['open'].id}/verdict",
                                {"rating": rating(session).id, "rationale": "Ben's sneaky verdict here.",
                                 "version": desk["open"].version})
    assert response.status_code == 403
    assert session.exec(select(Verdict).where(Verdict.claim_id == desk["open"].id)).first() is None


def test_another_reviewers_evidence_cannot_be_removed_by_any_url(session, desk):
    item = desk["evidence"]
    via_own_claim = desk["ben"].post(f"/claims/{desk['bens'].id}/evidence/{item.id}/delete")
    assert via_own_claim.status_code == 400 and "belongs to another claim" in via_own_claim.get_data(as_text=True)
    via_its_claim = desk["ben"].post(f"/claims/{desk['open'].id}/evidence/{item.id}/delete")
    assert via_its_claim.status_code == 403
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(Evidence, item.id) is not None


def test_a_link_is_decided_only_through_a_claim_it_belongs_to(session, desk):
    link = desk["link"]
    for who in ("ben", "editor"):
        response = desk[who].post(f"/claims/{desk['bens'].id}/links/{link.id}", {"decision": "rejected"})
        assert response.status_code == 400 and "does not belong to this claim" in response.get_data(as_text=True)
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(ClaimLink, link.id).state == LinkState.SUGGESTED


def test_a_verdict_is_signed_off_only_through_its_own_claim(session, desk):
    response = desk["editor"].post(f"/claims/{desk['bens'].id}/verdict/{desk['verdict'].id}/sign-off")
    assert response.status_code == 400 and "belongs to another claim" in response.get_data(as_text=True)
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(Verdict, desk["verdict"].id).signed_off_by_id is None


def test_another_reviewers_claim_cannot_be_edited_or_taken(session, desk):
    claim = desk["open"]
    edit = desk["ben"].post(f"/claims/{claim.id}/edit", {"text": "Rewritten by ben.", "version": claim.version})
    take = desk["ben"].post(f"/claims/{claim.id}/assign", {"assignee": "ben", "version": claim.version})
    assert edit.status_code == 403 and take.status_code == 403
    session.commit()  # a fresh read snapshot
    session.expire_all()
    fresh = session.get(type(claim), claim.id)
    assert fresh.text == "Crime fell by 20 percent." and fresh.assignee_id == desk["ana"].user.id


def test_a_verdict_of_an_unlinked_claim_cannot_be_reused(session, browser, desk):
    published = make_claim(session, make_article(session, text="Other story."), text="Other story.")
    verdict = Verdict(claim_id=published.id, rating_id=rating(session).id, rationale="Checked before.",
                      given_by_id=desk["editor"].user.id, state="signed_off")
    session.add(verdict)
    session.commit()
    response = desk["ben"].post(f"/claims/{desk['bens'].id}/verdict/reuse", {"verdict_id": str(verdict.id)})
    assert response.status_code == 400
    assert session.exec(select(Verdict).where(Verdict.claim_id == desk["bens"].id)).first() is None
