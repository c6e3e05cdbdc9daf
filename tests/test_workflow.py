import pytest

from factcheck import audit, claims, workflow
from factcheck.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import ClaimStatus, Role
from tests.factories import make_article, make_claim, make_user


def test_triage_then_assign_moves_claim_into_research(session):
    editor, reviewer = make_user(session, Role.EDITOR), make_user(session, Role.REVIEWER)
    claim = make_claim(session)
    workflow.change_status(session=session, actor=reviewer, claim=claim, status="triaged")
    workflow.assign(session=session, actor=editor, claim=claim, assignee=reviewer)
    assert claim.status == ClaimStatus.IN_RESEARCH and claim.assignee_id == reviewer.id
    actions = [e.action for e in audit.history(session, claim.id)]
    assert actions == ["claim.status", "claim.assign"]


def test_clearing_the_assignee_of_a_new_claim_leaves_it_new(session):
    """Nobody had it: clearing its assignee is not triage. A claim someone had goes back to triaged."""
    editor, reviewer = make_user(session, Role.EDITOR), make_user(session, Role.REVIEWER)
    fresh, taken = make_claim(session), make_claim(session)
    workflow.assign(session=session, actor=editor, claim=fresh, assignee=None)
    assert fresh.status == ClaimStatus.NEW
    workflow.assign(session=session, actor=editor, claim=taken, assignee=reviewer)
    workflow.assign(session=session, actor=editor, claim=taken, assignee=None)
    assert taken.status == ClaimStatus.TRIAGED and taken.assignee_id is None


def test_invalid_transition_is_refused_with_a_reason(session):
    reviewer = make_user(session)
    claim = make_claim(session)
    with pytest.raises(InvalidTransition, match="new cannot be moved to signed off"):
        workflow.change_status(session=session, actor=reviewer, claim=claim, status="signed_off")
    with pytest.raises(InvalidInput):
        workflow.change_status(session=session, actor=reviewer, claim=claim, status="bogus")


def test_reviewer_can_take_but_not_hand_out_claims(session):
    r1, r2 = make_user(session), make_user(session)
    claim = make_claim(session, status=ClaimStatus.TRIAGED)
    with pytest.raises(NotAllowed):
        workflow.assign(session=session, actor=r1, claim=claim, assignee=r2)
    workflow.assign(session=session, actor=r1, claim=claim, assignee=r1)
    assert claim.assignee_id == r1.id
    with pytest.raises(NotAllowed):
        workflow.assign(session=session, actor=r2, claim=claim, assignee=r2)


def test_only_editors_pull_a_claim_out_of_research(session):
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    assert ClaimStatus.DISMISSED not in workflow.allowed_moves(reviewer, claim)
    with pytest.raises(NotAllowed):
        workflow.change_status(session=session, actor=reviewer, claim=claim, status="dismissed")
    workflow.change_status(session=session, actor=editor, claim=claim, status="dismissed")
    assert claim.status == ClaimStatus.DISMISSED and claim.assignee_id is None


def test_reopening_a_published_claim_needs_a_reason(session):
    editor = make_user(session, Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.SIGNED_OFF)
    with pytest.raises(InvalidInput, match="reopened"):
        workflow.change_status(session=session, actor=editor, claim=claim, status="in_research")
    workflow.change_status(session=session, actor=editor, claim=claim, status="in_research", reason="new data")
    assert claim.status == ClaimStatus.IN_RESEARCH


def test_stale_version_is_refused_and_names_who_changed_it(session):
    editor, reviewer = make_user(session, Role.EDITOR, username="edna"), make_user(session)
    claim = make_claim(session)
    started_at = claim.version
    workflow.change_status(session=session, actor=editor, claim=claim, status="triaged", expected_version=started_at)
    with pytest.raises(Conflict, match="edna meanwhile"):
        workflow.change_status(session=session, actor=reviewer, claim=claim, status="dismissed",
                               expected_version=started_at)
    session.refresh(claim)
    assert claim.status == ClaimStatus.TRIAGED


def test_bulk_reports_each_refusal(session):
    editor, reviewer = make_user(session, Role.EDITOR), make_user(session)
    ok = make_claim(session, status=ClaimStatus.TRIAGED)
    published = make_claim(session, status=ClaimStatus.SIGNED_OFF)
    result = workflow.bulk(session=session, actor=editor, claims=[ok, published], action="assign", assignee=reviewer)
    assert result.done == [ok.id]
    assert published.id in result.refused and "cannot be assigned" in result.refused[published.id]
    assert session.get(type(ok), ok.id).assignee_id == reviewer.id


def merged_pair(session):
    """Two claims of one article; a reviewer merges the second into the first."""
    reviewer = make_user(session)
    article = make_article(session, text="The bridge cost $2.6 million. The bridge cost 2.6 million dollars.")
    keep = make_claim(session, article, text="The bridge cost $2.6 million.")
    gone = make_claim(session, article, text="The bridge cost 2.6 million dollars.")
    claims.merge_claims(session=session, actor=reviewer, keep=keep, others=[gone])
    return reviewer, keep, gone


def test_a_merged_claim_cannot_go_back_into_the_workflow(session):
    reviewer, keep, gone = merged_pair(session)
    editor = make_user(session, Role.EDITOR)
    named = f"#{gone.id} was merged into #{keep.id}"
    assert workflow.allowed_moves(editor, gone) == []
    with pytest.raises(InvalidTransition, match=named):
        workflow.change_status(session=session, actor=reviewer, claim=gone, status="new")
    with pytest.raises(InvalidTransition, match=named):
        workflow.assign(session=session, actor=editor, claim=gone, assignee=reviewer)
    with pytest.raises(InvalidTransition, match=named):
        claims.edit_claim(session=session, actor=editor, claim=gone, text="The bridge cost $3 million.", speaker=None)
    with pytest.raises(InvalidTransition, match=named):
        claims.split_claim(session=session, actor=editor, claim=gone, parts=["The bridge cost.", "It was 2.6 million."])
    session.refresh(gone)
    assert gone.status == ClaimStatus.DISMISSED and gone.merged_into_id == keep.id and gone.assignee_id is None


def test_merging_back_into_a_merged_claim_would_make_a_cycle_and_is_refused(session):
    reviewer, keep, gone = merged_pair(session)
    with pytest.raises(InvalidTransition, match=f"merged into #{keep.id}"):
        claims.merge_claims(session=session, actor=reviewer, keep=gone, others=[keep])
    session.refresh(keep)
    assert keep.merged_into_id is None and keep.status == ClaimStatus.NEW


def test_merge_is_for_one_article_other_articles_are_linked(session):
    reviewer = make_user(session)
    keep = make_claim(session, make_article(session), text="The bridge cost $2.6 million.")
    elsewhere = make_claim(session, make_article(session), text="The bridge cost $2.6 million.")
    with pytest.raises(InvalidInput, match="another article.*link"):
        claims.merge_claims(session=session, actor=reviewer, keep=keep, others=[elsewhere])
    session.refresh(elsewhere)
    assert elsewhere.merged_into_id is None and elsewhere.status == ClaimStatus.NEW


def test_bulk_actions_refuse_merged_claims_with_the_reason(session):
    _reviewer, keep, gone = merged_pair(session)
    editor = make_user(session, Role.EDITOR)
    result = workflow.bulk(session=session, actor=editor, claims=[gone], action="status", status="triaged")
    assert result.done == [] and f"merged into #{keep.id}" in result.refused[gone.id]
    result = workflow.bulk(session=session, actor=editor, claims=[gone, keep], action="assign", assignee=editor)
    assert result.done == [keep.id] and f"merged into #{keep.id}" in result.refused[gone.id]


def test_dismissing_a_claim_takes_it_out_of_rereview(session):
    editor = make_user(session, Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.TRIAGED)
    claim.rereview_reason = "The verdict of linked claim #9 changed to False."
    session.add(claim)
    session.commit()
    workflow.change_status(session=session, actor=editor, claim=claim, status="dismissed")
    assert claim.rereview_reason is None
    assert workflow.queue(session=session, actor=editor, rereview=True) == []
    assert audit.history(session, claim.id)[-1].changes["rereview_reason"] == [
        "The verdict of linked claim #9 changed to False.", None]


def test_two_merges_of_the_same_claims_at_once_cannot_close_a_cycle(session):
    """Each merge keeps the claim the other merges away; both started from the same versions, so
    the second is refused (before, both passed and the two claims vanished into each other)."""
    from sqlmodel import Session

    from factcheck import claims
    from factcheck.errors import Conflict
    from factcheck.models import Claim
    editor, editor2 = make_user(session, Role.EDITOR), make_user(session, Role.EDITOR)
    article = make_article(session)
    x = make_claim(session, article, text="Governor Hale said the bypass will cost 310 million dollars.")
    y = make_claim(session, article, text="Hale said the bypass will cost about 310 million.")
    with Session(session.get_bind(), expire_on_commit=False) as other:   # the second editor's page
        x2, y2 = other.get(Claim, x.id), other.get(Claim, y.id)
        other.commit()
        claims.merge_claims(session=session, actor=editor, keep=x, others=[y])
        with pytest.raises(Conflict):
            claims.merge_claims(session=other, actor=editor2, keep=y2, others=[x2])
    session.expire_all()
    assert (session.get(Claim, x.id).merged_into_id, session.get(Claim, y.id).merged_into_id) == (None, x.id)
