from sqlmodel import select

from factcheck.templating import change


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
