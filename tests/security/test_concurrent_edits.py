"""Two people on the same claim: the second save is refused, naming who changed it meanwhile."""
from __future__ import annotations

from sqlmodel import select

from factcheck.models import Claim, ClaimStatus, Role, Verdict
from tests.factories import make_article, make_claim, rating
from tests.security.conftest import version_on


def test_the_second_of_two_claim_edits_is_refused_with_the_first_editors_name(session, browser):
    first, second = browser(Role.EDITOR, "fiona"), browser(Role.EDITOR, "gus")
    claim = make_claim(session, make_article(session))
    url = f"/claims/{claim.id}"
    v1, v2 = version_on(first.get(url).get_data(as_text=True)), version_on(second.get(url).get_data(as_text=True))
    assert v1 == v2
    saved = first.post(f"{url}/edit", {"text": "The bridge cost $2.6 million in 2023.", "version": v1})
    assert saved.status_code == 302
    refused = second.post(f"{url}/edit", {"text": "The bridge cost 2.6m.", "speaker": "Mayor", "version": v2})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "changed by fiona meanwhile" in body
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(Claim, claim.id).text == "The bridge cost $2.6 million in 2023."
    again = second.post(f"{url}/edit", {"text": "The bridge cost 2.6m.", "version": version_on(second.get(url).get_data(as_text=True))})
    assert again.status_code == 302  # after reloading, the second person's save goes through


def test_a_verdict_written_against_an_edited_claim_is_refused(session, browser):
    reviewer, editor = browser(Role.REVIEWER, "rosa"), browser(Role.EDITOR, "gus")
    claim = make_claim(session, make_article(session), status=ClaimStatus.IN_RESEARCH, assignee=reviewer.user)
    url = f"/claims/{claim.id}"
    drafting_from = version_on(reviewer.get(url).get_data(as_text=True))
    assert editor.post(f"{url}/edit", {"text": "The bridge cost $3 million.",
                                       "version": version_on(editor.get(url).get_data(as_text=True))}).status_code == 302
    refused = reviewer.post(f"{url}/verdict", {"rating": rating(session).id, "version": drafting_from,
                                               "rationale": "The records show a different figure."})
    assert refused.status_code == 409 and "changed by gus meanwhile" in refused.get_data(as_text=True)
    session.commit()
    assert session.exec(select(Verdict).where(Verdict.claim_id == claim.id)).first() is None


def test_two_status_changes_from_the_same_page_do_not_both_apply(session, browser):
    first, second = browser(Role.EDITOR, "fiona"), browser(Role.EDITOR, "gus")
    claim = make_claim(session, make_article(session))
    url = f"/claims/{claim.id}"
    v = version_on(first.get(url).get_data(as_text=True))
    assert first.post(f"{url}/status", {"status": "triaged", "version": v}).status_code == 302
    refused = second.post(f"{url}/status", {"status": "dismissed", "reason": "dup", "version": v})
    assert refused.status_code == 409 and "changed by fiona meanwhile" in refused.get_data(as_text=True)
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(Claim, claim.id).status == ClaimStatus.TRIAGED


def test_the_second_of_two_sign_offs_of_one_verdict_is_refused(session, browser):
    reviewer = browser(Role.REVIEWER, "rosa")
    first, second = browser(Role.EDITOR, "fiona"), browser(Role.EDITOR, "gus")
    claim = make_claim(session, make_article(session), status=ClaimStatus.IN_RESEARCH, assignee=reviewer.user)
    url = f"/claims/{claim.id}"
    assert reviewer.post(f"{url}/verdict", {"rating": rating(session).id, "rationale": "The records disagree.",
                                            "version": version_on(reviewer.get(url).get_data(as_text=True))}).status_code == 302
    session.commit()  # a fresh read snapshot
    verdict = session.exec(select(Verdict).where(Verdict.claim_id == claim.id)).one()
    assert first.post(f"{url}/verdict/{verdict.id}/sign-off").status_code == 302
    refused = second.post(f"{url}/verdict/{verdict.id}/send-back", {"reason": "Needs more sources."})
    assert refused.status_code == 409
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(Verdict, verdict.id).signed_off_by_id == first.user.id
