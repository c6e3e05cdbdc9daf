import html

from sqlmodel import select

from factcheck import evidence
from factcheck.models import Claim, ClaimLink, ClaimStatus, LinkState, Role
from factcheck.templating import change
from tests.factories import make_article, make_claim


def test_history_values_read_as_words():
    assert change([None, 1], "assignee_id") == "— → 1"
    assert change(["new", "triaged"], "status") == "new → triaged"
    assert change([5, 6], "into") == "5, 6"
    assert change("The bridge cost $2.6 million.", "text") == "The bridge cost $2.6 million."


def test_a_verdict_reached_through_a_flagged_suggestion_is_not_shown_as_this_claims(session, auth):
    """"Previously fact-checked" belongs to confirmed links; a suggestion whose claims differ (here by
    negation) says so, and an unflagged suggestion is offered as perhaps the same claim."""
    import json

    from factcheck.models import ClaimLink, LinkState, Role
    from tests.factories import make_article, make_claim, make_published_verdict, make_user

    checked = make_claim(session, make_article(session, outlet="Gazette"), text="The new plant will lower water bills.")
    make_published_verdict(session, checked, make_user(session), make_user(session, Role.EDITOR), "True")
    negated = make_claim(session, make_article(session, outlet="Times"), text="The new plant will not lower water bills.")
    session.add(ClaimLink(claim_a_id=checked.id, claim_b_id=negated.id, score=96, state=LinkState.SUGGESTED,
                          flags_json=json.dumps(["negation"])))
    session.commit()
    auth.login(Role.REVIEWER)
    page = auth.client.get(f"/claims/{negated.id}").get_data(as_text=True)
    assert "Previously fact-checked" not in page
    assert "A similar claim was fact-checked: True</strong>, but it differs (negation)" in page

    link = session.exec(select(ClaimLink)).one()
    link.flags_json = "[]"
    session.add(link)
    session.commit()
    page = auth.client.get(f"/claims/{negated.id}").get_data(as_text=True)
    assert "Previously fact-checked" not in page and "Perhaps fact-checked before: True" in page

    link.state = LinkState.CONFIRMED
    session.add(link)
    session.commit()
    assert "Previously fact-checked: True" in auth.client.get(f"/claims/{negated.id}").get_data(as_text=True)


def remove_form(item) -> str:
    return f'action="/claims/{item.claim_id}/evidence/{item.id}/delete"'


def test_remove_shows_only_where_removing_is_allowed(client, auth, session):
    """A reviewer sees no Remove on an editor's evidence (it would answer 403); author and editors do."""
    reviewer, editor = auth.user(Role.REVIEWER), auth.user(Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    own = evidence.add_evidence(session=session, actor=reviewer, claim=claim, url="https://a.example/",
                                stance="refutes")
    theirs = evidence.add_evidence(session=session, actor=editor, claim=claim, url="https://b.example/",
                                   stance="context")
    auth.login(Role.REVIEWER)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert remove_form(own) in page and remove_form(theirs) not in page
    auth.logout()
    auth.login(Role.EDITOR)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert remove_form(own) in page and remove_form(theirs) in page


def test_a_merged_claim_is_refused_a_status_change_with_the_claim_it_went_into(client, auth, session):
    auth.login(Role.REVIEWER)
    article = make_article(session, text="The bridge cost $2.6 million. The bridge cost 2.6 million dollars.")
    keep = make_claim(session, article, text="The bridge cost $2.6 million.")
    gone = make_claim(session, article, text="The bridge cost 2.6 million dollars.")
    assert auth.post(f"/claims/{keep.id}/merge", {"others": str(gone.id)}).status_code == 302
    page = client.get(f"/claims/{gone.id}").get_data(as_text=True)
    assert 'id="status-submit"' not in page and 'id="assign-submit"' not in page
    response = auth.post(f"/claims/{gone.id}/status", {"status": "new"})
    assert response.status_code == 409
    assert f"was merged into #{keep.id}" in html.unescape(response.get_data(as_text=True))
    response = auth.post(f"/claims/{gone.id}/merge", {"others": str(keep.id)})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Claim, keep.id).merged_into_id is None


def test_merging_a_claim_of_another_article_says_to_link_it(client, auth, session):
    auth.login(Role.REVIEWER)
    keep, elsewhere = make_claim(session), make_claim(session)
    response = auth.post(f"/claims/{keep.id}/merge", {"others": str(elsewhere.id)})
    assert response.status_code == 400
    assert "link claims of other articles" in response.get_data(as_text=True)


def test_a_suggestion_to_a_split_claim_is_not_offered(client, auth, session):
    auth.login(Role.REVIEWER)
    both = "The Harbour Street bridge repairs will cost the city $2.6 million, and the work starts in May."
    eleven = make_claim(session, make_article(session, text=both), text=both)
    twenty = make_claim(session, text="Seventeen flamingos escaped from the city zoo on Monday.")
    old = ClaimLink(claim_a_id=eleven.id, claim_b_id=twenty.id, score=75, state=LinkState.SUGGESTED)
    session.add(old)
    session.commit()
    assert f'id="confirm-link-{old.id}"' in client.get(f"/claims/{twenty.id}").get_data(as_text=True)
    response = auth.post(f"/claims/{eleven.id}/split",
                         {"parts": "The bridge repairs will cost $2.6 million.\nThe work starts in May."})
    assert response.status_code == 302
    assert f'id="link-{old.id}"' not in client.get(f"/claims/{twenty.id}").get_data(as_text=True)
    response = auth.post(f"/claims/{twenty.id}/links/{old.id}", {"decision": "confirmed"})
    assert response.status_code == 409 and f"#{eleven.id} was merged into" in response.get_data(as_text=True)


def test_the_assign_form_shows_who_has_the_claim_now(client, auth, session):
    """An editor who opens an assigned claim must see its assignee chosen, not "nobody": pressing
    Assign on the default unassigned the reviewer."""
    reviewer = auth.user(Role.REVIEWER)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    auth.login(Role.EDITOR)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f'<option selected value="{reviewer.username}">{reviewer.username} (reviewer)</option>' in page
    assert '<option selected value="">nobody</option>' not in page
    unassigned = make_claim(session, text="Crime fell by 12 percent in 2023.")
    assert '<option selected value="">nobody</option>' in client.get(f"/claims/{unassigned.id}").get_data(as_text=True)


def test_the_re_review_notice_links_the_claim_whose_verdict_changed(session, auth):
    """It named "linked claim #13" with no way to open #13, on the claim page and in the queue."""
    auth.login(Role.EDITOR)
    changed = make_claim(session)
    claim = make_claim(session, status=ClaimStatus.TRIAGED)
    claim.rereview_reason = f"The verdict of linked claim #{changed.id} changed to <b>False</b>."
    session.add(claim)
    session.commit()
    link = f'claim <a href="/claims/{changed.id}">#{changed.id}</a>'
    page = auth.client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert link in page and "&lt;b&gt;False&lt;/b&gt;" in page and "<b>False</b>" not in page
    assert link in auth.client.get("/claims/").get_data(as_text=True)
