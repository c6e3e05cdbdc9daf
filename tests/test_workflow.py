import pytest

from factcheck import audit, workflow
from factcheck.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import ClaimStatus, Role
from tests.factories import make_claim, make_user


def test_triage_then_assign_moves_claim_into_research(session):
    editor, reviewer = make_user(session, Role.EDITOR), make_user(session, Role.REVIEWER)
    claim = make_claim(session)
    workflow.change_status(session=session, actor=reviewer, claim=claim, status="triaged")
    workflow.assign(session=session, actor=editor, claim=claim, assignee=reviewer)
    assert claim.status == ClaimStatus.IN_RESEARCH and claim.assignee_id == reviewer.id
    actions = [e.action for e in audit.history(session, claim.id)]
    assert actions == ["claim.status", "claim.assign"]


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
