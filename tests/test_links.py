import pytest

from factcheck import audit, claims, links
from factcheck.claim_index import current_index
from factcheck.errors import InvalidInput, InvalidTransition
from factcheck.models import ClaimLink, LinkState, Role
from tests.factories import make_article, make_claim, make_user


def test_similar_claims_of_other_articles_become_suggestions(session):
    reviewer = make_user(session)
    old = make_claim(session, make_article(session, outlet="Herald"),
                     text="The repairs to the Harbour Street bridge will cost the city $2.6 million.")
    same_article = make_claim(session, make_article(session, outlet="Courier"),
                              text="Repairs to the Harbour Street bridge will cost the city $2.6 million in total.")
    index = current_index(session)
    new = make_claim(session, make_article(session, outlet="Gazette"),
                     text="Harbour Street bridge repairs will cost the city $2.6 million.")
    made = links.suggest_links(session=session, actor=reviewer, claims=[new], index=index)
    session.commit()
    partners = {l.other(new.id) for l in made}
    assert partners == {old.id, same_article.id}
    assert all(l.score >= 70 for l in made)


def test_each_suggestion_is_in_the_new_claims_history(session):
    reviewer = make_user(session)
    olds = [make_claim(session, make_article(session), text=f"The Harbour Street bridge repairs will cost {n}.")
            for n in ("the city $2.6 million", "the city $2.6 million in total")]
    new = make_claim(session, make_article(session), text="Harbour Street bridge repairs will cost the city $2.6 million.")
    made = links.suggest_links(session=session, actor=reviewer, claims=[new], index=current_index(session))
    session.commit()
    events = [e for e in audit.history(session, new.id) if e.action == "link.suggest"]
    assert {l.other(new.id) for l in made} == {o.id for o in olds}
    assert sorted((e.object_type, e.object_id, e.actor_id) for e in events) == \
        sorted(("claimlink", l.id, reviewer.id) for l in made)
    by_link = {e.object_id: e.changes for e in events}
    assert all(by_link[l.id] == {"score": l.score, "state": l.state.value, "flags": l.flags} for l in made)
    assert all(e.at is not None for e in events)


def test_flagged_pairs_are_never_auto_confirmed(session):
    old = make_claim(session, make_article(session), text="Councillor Osei said he warned the council about the supports in 2016.")
    index = current_index(session)
    new = make_claim(session, make_article(session), text="Councillor Osei said he warned the council about the supports in 2015.")
    made = links.suggest_links(session=session, actor=None, claims=[new], index=index,
                               settings=links.MatchSettings(suggest=60, auto=80))
    assert len(made) == 1 and made[0].other(new.id) == old.id
    assert made[0].state == LinkState.SUGGESTED and made[0].flags


def test_near_identical_long_claims_auto_confirm(session):
    make_claim(session, make_article(session), text="Roughly 14,000 vehicles cross the Harbour Street bridge every day.")
    index = current_index(session)
    new = make_claim(session, make_article(session), text="Roughly 14,000 vehicles cross the Harbour Street bridge every day")
    made = links.suggest_links(session=session, actor=None, claims=[new], index=index)
    assert [l.state for l in made] == [LinkState.AUTO_CONFIRMED]


def test_a_rejection_holds_for_the_same_wording_in_a_copy(session):
    """The article imported again: its copy of the rejected claim is not suggested against the same partner."""
    reviewer = make_user(session)
    kept = make_claim(session, make_article(session, outlet="Gazette"), text="The old treatment works was built in 1958.")
    index = current_index(session)
    first = make_claim(session, make_article(session, outlet="Times"), text="The Canal Road works dates from 1958.")
    [link] = links.suggest_links(session=session, actor=reviewer, claims=[first], index=index,
                                 settings=links.MatchSettings(suggest=40))
    session.commit()
    assert link.other(first.id) == kept.id
    links.decide_link(session=session, actor=reviewer, link=link, state="rejected")
    copy = make_claim(session, make_article(session, outlet="Times"), text="The Canal Road  works dates from 1958.")
    made = links.suggest_links(session=session, actor=reviewer, claims=[copy], index=current_index(session),
                               settings=links.MatchSettings(suggest=40))
    assert {l.other(copy.id) for l in made} == {first.id}     # its twin, not the rejected partner


def test_a_decision_made_on_a_stale_page_does_not_overwrite_another(session, auth):
    from factcheck.errors import Conflict
    first, second = make_user(session, username="ana"), make_user(session)
    a = make_claim(session, make_article(session), text="The bridge opened in 1962.")
    b = make_claim(session, make_article(session), text="The bridge was opened in 1962.")
    link = ClaimLink(claim_a_id=a.id, claim_b_id=b.id, score=80, state=LinkState.SUGGESTED)
    session.add(link)
    session.commit()
    auth.login(Role.REVIEWER)
    page = auth.client.get(f"/claims/{a.id}").get_data(as_text=True)
    assert 'name="seen" value="suggested"' in page
    links.decide_link(session=session, actor=first, link=link, state="rejected", seen_state="suggested")
    with pytest.raises(Conflict, match="rejected by ana meanwhile"):
        links.decide_link(session=session, actor=second, link=link, state="confirmed", seen_state="suggested")
    answer = auth.post(f"/claims/{a.id}/links/{link.id}", {"decision": "confirmed", "seen": "suggested"})
    assert answer.status_code == 409
    session.refresh(link)
    assert link.state == LinkState.REJECTED and link.decided_by_id == first.id


def test_rejection_is_remembered(session):
    reviewer = make_user(session)
    make_claim(session, make_article(session), text="The bridge opened in 1962 and carries heavy traffic.")
    new = make_claim(session, make_article(session), text="The bridge opened in 1962 and carries heavy traffic daily.")
    [link] = links.suggest_links(session=session, actor=reviewer, claims=[new], index=current_index(session))
    session.commit()
    links.decide_link(session=session, actor=reviewer, link=link, state="rejected")
    again = links.suggest_links(session=session, actor=reviewer, claims=[new], index=current_index(session))
    assert again == []
    assert session.get(ClaimLink, link.id).state == LinkState.REJECTED
    with pytest.raises(InvalidInput):
        links.decide_link(session=session, actor=reviewer, link=link, state="suggested")


def test_confirmed_links_form_clusters_oldest_first(session):
    editor = make_user(session, Role.EDITOR)
    a, b, c = (make_claim(session, make_article(session), text=f"Claim {n} about the bridge.") for n in "abc")
    links.link_manually(session=session, actor=editor, claim=a, other=b)
    links.link_manually(session=session, actor=editor, claim=c, other=b)
    assert [x.id for x in links.cluster_of(session, c)] == [a.id, b.id, c.id]
    with pytest.raises(InvalidInput):
        links.link_manually(session=session, actor=editor, claim=a, other=a)


def test_a_cluster_starts_with_the_earliest_publication_not_the_first_import(session):
    from datetime import datetime, timezone
    editor = make_user(session, Role.EDITOR)
    march = make_claim(session, make_article(session, outlet="Valley Times",
                                             published_at=datetime(2026, 3, 4, tzinfo=timezone.utc)),
                       text="The quarry site is polluted with heavy metals.")
    undated = make_claim(session, make_article(session, outlet="Blog"), text="The quarry is polluted with heavy metals.")
    february = make_claim(session, make_article(session, outlet="Early Bird",
                                                published_at=datetime(2026, 2, 20, tzinfo=timezone.utc)),
                          text="Heavy metals pollute the quarry site.")
    links.link_manually(session=session, actor=editor, claim=march, other=february)
    links.link_manually(session=session, actor=editor, claim=undated, other=march)
    # the undated article counts from its import, today: after both publications
    assert [x.id for x in links.cluster_of(session, march)] == [february.id, march.id, undated.id]


def suggested_link_to_a_claim_then_split(session):
    """Claim 20 has a suggestion to claim 11 of another article; a reviewer then splits 11."""
    reviewer = make_user(session)
    both = "The Harbour Street bridge repairs will cost the city $2.6 million, and the work starts in May."
    eleven = make_claim(session, make_article(session, text=both, outlet="Herald"), text=both)
    twenty = make_claim(session, make_article(session, outlet="Courier"),
                        text="Harbour Street bridge repairs will cost the city $2.6 million.")
    old = ClaimLink(claim_a_id=eleven.id, claim_b_id=twenty.id, score=80, state=LinkState.SUGGESTED)
    session.add(old)
    session.commit()
    parts = claims.split_claim(session=session, actor=reviewer, claim=eleven,
                               parts=["The Harbour Street bridge repairs will cost the city $2.6 million.",
                                      "The work on the Harbour Street bridge starts in May."])
    return reviewer, eleven, twenty, old, parts


def test_links_to_a_split_claim_are_no_longer_live(session):
    reviewer, eleven, twenty, old, _parts = suggested_link_to_a_claim_then_split(session)
    assert eleven.id not in {other.id for _l, other in links.links_of(session, twenty.id)}
    with pytest.raises(InvalidTransition, match=f"#{eleven.id} was merged into"):
        links.decide_link(session=session, actor=reviewer, link=old, state="confirmed")
    with pytest.raises(InvalidTransition, match=f"#{eleven.id} was merged into"):
        links.link_manually(session=session, actor=reviewer, claim=twenty, other=eleven)
    session.refresh(old)
    assert old.state == LinkState.SUGGESTED
    assert eleven.id not in {c.id for c in links.cluster_of(session, twenty)}


def test_the_parts_of_a_split_are_matched_like_new_claims(session):
    _reviewer, eleven, twenty, _old, parts = suggested_link_to_a_claim_then_split(session)
    found = {other.id: link for link, other in links.links_of(session, twenty.id)}
    assert set(found) == {parts[0].id}  # the same wording; the part about May is not the same claim
    assert found[parts[0].id].state == LinkState.AUTO_CONFIRMED
    # the part stays in its article, imported before the Courier one: it is the first appearance
    assert [c.id for c in links.cluster_of(session, twenty)] == [parts[0].id, twenty.id]
    assert any(e.action == "link.suggest" for e in audit.history(session, parts[0].id))


def test_a_merge_hands_the_merged_claims_links_to_the_claim_kept(session):
    """B (a duplicate within its article) was confirmed as the same as A elsewhere and rejected against
    C: merged into B2, B2 carries both decisions, so A's cluster still shows the appearance."""
    from factcheck import claims
    reviewer = make_user(session)
    a = make_claim(session, make_article(session, outlet="Herald"), text="The ferry service ends in May.")
    c = make_claim(session, make_article(session, outlet="Post"), text="The ferry service ends in June.")
    courier = make_article(session, outlet="Courier")
    b = make_claim(session, courier, text="The ferry service will end in May.")
    b2 = make_claim(session, courier, text="The ferry service will end in May, the operator said.")
    for other, state in ((a, LinkState.CONFIRMED), (c, LinkState.REJECTED)):
        session.add(ClaimLink(claim_a_id=min(b.id, other.id), claim_b_id=max(b.id, other.id), score=90, state=state,
                              decided_by_id=reviewer.id))
    session.add(ClaimLink(claim_a_id=min(b2.id, c.id), claim_b_id=max(b2.id, c.id), score=75, state=LinkState.SUGGESTED))
    session.commit()
    claims.merge_claims(session=session, actor=reviewer, keep=b2, others=[b])
    states = {other.id: link.state for link, other in links.links_of(session, b2.id, states=list(LinkState))}
    assert states == {a.id: LinkState.CONFIRMED, c.id: LinkState.REJECTED}
    assert [x.id for x in links.cluster_of(session, a)] == [a.id, b2.id]
    assert [e.action for e in audit.history(session, b2.id)].count("link.carried") == 2
