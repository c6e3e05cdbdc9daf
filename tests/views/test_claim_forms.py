"""Claim-page forms over HTTP: bad input gets a 400 that says what is wrong, never a 500 or a wrong reason."""
from __future__ import annotations

import re

import pytest
from sqlmodel import select

from factcheck.models import Claim, ClaimLink, ClaimStatus, LinkState, Role, Verdict
from factcheck import verdicts
from tests.factories import make_article, make_claim, make_published_verdict, rating


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


# --- messages that name the real problem -----------------------------------------------------------

def test_adding_a_claim_over_the_length_limit_says_so(auth, session):
    auth.login(Role.REVIEWER)
    article = make_article(session)
    response = auth.post(f"/articles/{article.id}/claims", {"text": "x" * 2001}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "A claim is at most 2000 characters." in html and "A claim needs some text." not in html
    session.expire_all()
    assert session.exec(select(Claim)).first() is None


def test_adding_an_empty_claim_still_asks_for_text(auth, session):
    auth.login(Role.REVIEWER)
    article = make_article(session)
    response = auth.post(f"/articles/{article.id}/claims", {"text": ""}, follow_redirects=True)
    assert "A claim needs some text." in response.get_data(as_text=True)


def test_a_claim_too_long_to_add_comes_back_on_the_article_page_with_its_text(auth, session):
    auth.login(Role.REVIEWER)
    article = make_article(session, title="Bridge story")
    response = auth.post(f"/articles/{article.id}/claims", {"text": "y" * 2001, "speaker": "The mayor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="article-title">Bridge story</h1>' in html
    assert "<title>Error: Bridge story · factcheck</title>" in html
    assert '<details id="add-claim" open>' in html
    text = re.search(r'<textarea[^>]*id="text"[^>]*>[^<]*</textarea>', html).group(0)
    assert "y" * 2001 in text and 'aria-invalid="true"' in text and 'aria-describedby="text-error"' in text
    assert 'id="text-error">A claim is at most 2000 characters.</p>' in html
    assert re.search(r'<input[^>]*id="speaker"[^>]*value="The mayor"', html)


@pytest.mark.parametrize("other", ["0", "abc", "-4", "", "1.5", "9" * 5000])
def test_linking_to_something_that_is_not_a_claim_number_asks_for_one(auth, researched, other):
    response = auth.post(f"/claims/{researched.id}/links", {"other": other})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the number of the claim to link" in body and "This field is required" not in body


@pytest.fixture
def linked(session, researched):
    other = make_claim(session, text="The bridge cost 2.6 million dollars.")
    link = ClaimLink(claim_a_id=researched.id, claim_b_id=other.id, score=85, state=LinkState.SUGGESTED)
    session.add(link)
    session.commit()
    return link


@pytest.mark.parametrize("decision", ["auto_confirmed", "suggested", ""])
def test_a_link_decision_other_than_confirm_or_reject_says_so(auth, session, researched, linked, decision):
    response = auth.post(f"/claims/{researched.id}/links/{linked.id}", {"decision": decision})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A link can be confirmed or rejected." in body and "does not belong" not in body
    session.refresh(linked)
    assert linked.state == LinkState.SUGGESTED


def test_a_link_of_another_claim_is_still_refused_as_not_belonging(auth, session, researched, linked):
    stranger = make_claim(session, text="Crime fell by 20 percent last year.")
    response = auth.post(f"/claims/{stranger.id}/links/{linked.id}", {"decision": "confirmed"})
    assert response.status_code == 400 and "That link does not belong to this claim." in response.get_data(as_text=True)
    session.refresh(linked)
    assert linked.state == LinkState.SUGGESTED


# --- claim text that shows nothing ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["\u200b", "\u2060\ufeff", "\u200b \u200d\u00ad"])
def test_adding_or_editing_a_claim_to_invisible_text_is_refused(auth, session, researched, text):
    added = auth.post(f"/articles/{researched.article_id}/claims", {"text": text})
    assert added.status_code == 400 and "A claim needs some text." in added.get_data(as_text=True)
    edited = auth.post(f"/claims/{researched.id}/edit", {"text": text, "version": researched.version})
    assert edited.status_code == 400 and "A claim needs some text." in edited.get_data(as_text=True)
    session.expire_all()
    assert [c.text for c in session.exec(select(Claim))] == ["The mayor said the bridge cost $2.6 million."]


# --- a refused claim-page form comes back on the claim page with what was typed --------------------

def field_html(html: str, tag: str, field_id: str) -> str:
    pattern = (rf'<textarea[^>]*id="{field_id}"[^>]*>[^<]*</textarea>' if tag == "textarea"
               else rf'<{tag}[^>]*id="{field_id}"[^>]*>')
    found = re.search(pattern, html)
    assert found, f"no #{field_id} on the page"
    return found.group(0)


def test_evidence_with_a_bad_url_comes_back_on_the_claim_page_with_the_quote_and_the_reason(auth, session, researched):
    response = auth.post(f"/claims/{researched.id}/evidence",
                         {"url": "council website", "stance": "refutes", "quote": "Spending was $3.1m.",
                          "note": "p. 4"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and f"<title>Error: Claim #{researched.id} · factcheck</title>" in html
    assert 'id="url-error">Evidence needs an absolute http:// or https:// URL.</p>' in html
    assert 'value="council website"' in field_html(html, "input", "url")
    assert "Spending was $3.1m." in field_html(html, "textarea", "quote")
    assert "p. 4" in field_html(html, "textarea", "note")
    assert '<option selected value="refutes">' in html
    assert field_html(html, "textarea", "rationale").endswith(">\r\n</textarea>")  # the other forms stay empty
    # the refused field takes the focus, and it alone: a keyboard user lands on what to correct
    assert "autofocus" in field_html(html, "input", "url") and html.count("autofocus") == 1


def test_a_verdict_with_a_short_rationale_comes_back_with_the_rating_and_the_text(auth, session, researched):
    chosen = rating(session, "Mostly false")
    response = auth.post(f"/claims/{researched.id}/verdict",
                         {"rating": str(chosen.id), "rationale": "Too short", "version": researched.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="verdict-h"' in html
    assert "Too short" in field_html(html, "textarea", "rationale") and 'id="rationale-error"' in html
    assert re.search(rf'<option selected value="{chosen.id}">Mostly false</option>', html)
    session.expire_all()
    assert session.exec(select(Verdict)).first() is None


def test_a_send_back_without_a_reason_comes_back_open_on_the_claim_page(auth, session, researched):
    verdicts.propose_verdict(session=session, actor=researched_assignee(session, researched), claim=researched,
                             rating_id=rating(session).id, rationale="The budget papers say otherwise.")
    auth.login(Role.EDITOR)
    verdict = session.exec(select(Verdict)).one()
    response = auth.post(f"/claims/{researched.id}/verdict/{verdict.id}/send-back", {"reason": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="current-verdict"' in html
    assert "<details open><summary>Send back</summary>" in html and 'id="reason-error"' in html


def test_a_sent_back_proposal_shows_its_reason_on_the_claim_until_a_new_one_is_made(auth, session, researched):
    """After a send-back the page said only "No verdict yet": the reason was in the history alone."""
    reviewer = researched_assignee(session, researched)
    verdicts.propose_verdict(session=session, actor=reviewer, claim=researched,
                             rating_id=rating(session).id, rationale="The budget papers say otherwise.")
    editor = auth.login(Role.EDITOR)
    verdict = session.exec(select(Verdict)).one()
    verdicts.send_back(session=session, actor=editor, claim=researched, verdict=verdict,
                       reason="Cite <the> 2024 budget, page 12.")
    html = auth.client.get(f"/claims/{researched.id}").get_data(as_text=True)
    notice = re.search(r'<p class="notice warning" id="sent-back">(.*?)</p>', html, re.S).group(1)
    assert "was sent back: Cite &lt;the&gt; 2024 budget, page 12." in notice
    session.refresh(researched)
    verdicts.propose_verdict(session=session, actor=reviewer, claim=researched, rating_id=rating(session).id,
                             rationale="Page 12 of the 2024 budget says otherwise.")
    assert 'id="sent-back"' not in auth.client.get(f"/claims/{researched.id}").get_data(as_text=True)


def test_reopening_a_published_claim_without_a_reason_offers_the_same_moves_again(auth, session, researched):
    editor = auth.login(Role.EDITOR)
    make_published_verdict(session, researched, researched_assignee(session, researched), editor)
    session.refresh(researched)
    response = auth.post(f"/claims/{researched.id}/status", {"status": "in_research", "reason": "",
                                                             "version": researched.version})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="reason-error">Say why a published claim is reopened.</p>' in html
    assert re.findall(r'<select[^>]*id="status"[^>]*>(.*?)</select>', html, re.S)[0].count("<option") == 1


def researched_assignee(session, claim):
    from factcheck.models import User
    return session.get(User, claim.assignee_id)
