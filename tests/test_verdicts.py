import pytest
import sqlalchemy as sa
from sqlmodel import Session

from factcheck import db, verdicts, workflow
from factcheck.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import ClaimLink, ClaimStatus, LinkState, Rating, Role, User, Verdict, VerdictState
from tests.factories import make_claim, make_published_verdict, make_user, rating


@pytest.fixture
def desk(session):
    return {"reviewer": make_user(session), "editor": make_user(session, Role.EDITOR),
            "editor2": make_user(session, Role.EDITOR)}


def researched_claim(session, desk, **kw):
    return make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=desk["reviewer"], **kw)


def test_propose_and_sign_off_by_another_editor(session, desk):
    claim = researched_claim(session, desk)
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim,
                                 rating_id=rating(session, "Mostly false").id, rationale="The budget shows $1.2 million.")
    assert claim.status == ClaimStatus.VERDICT_PROPOSED
    verdicts.sign_off(session=session, actor=desk["editor"], claim=claim, verdict=v)
    assert v.state == VerdictState.SIGNED_OFF and v.signed_off_by_id == desk["editor"].id
    assert claim.status == ClaimStatus.SIGNED_OFF


def test_four_eyes_the_proposer_cannot_sign_off(session, desk):
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=desk["editor"])
    v = verdicts.propose_verdict(session=session, actor=desk["editor"], claim=claim,
                                 rating_id=rating(session).id, rationale="Contradicted by the records.")
    with pytest.raises(NotAllowed, match="Four eyes"):
        verdicts.sign_off(session=session, actor=desk["editor"], claim=claim, verdict=v)
    with pytest.raises(NotAllowed):
        verdicts.sign_off(session=session, actor=desk["reviewer"], claim=claim, verdict=v)
    verdicts.sign_off(session=session, actor=desk["editor2"], claim=claim, verdict=v)
    assert claim.status == ClaimStatus.SIGNED_OFF


def test_send_back_returns_claim_to_research_with_reason(session, desk):
    claim = researched_claim(session, desk)
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim,
                                 rating_id=rating(session).id, rationale="Contradicted by the records.")
    with pytest.raises(InvalidInput):
        verdicts.send_back(session=session, actor=desk["editor"], claim=claim, verdict=v, reason=" ")
    verdicts.send_back(session=session, actor=desk["editor"], claim=claim, verdict=v, reason="Cite the budget line.")
    assert claim.status == ClaimStatus.IN_RESEARCH and v.state == VerdictState.SENT_BACK
    assert verdicts.current_verdict(session, claim.id) is None


def test_only_the_assignee_or_an_editor_proposes(session, desk):
    other = make_user(session)
    claim = researched_claim(session, desk)
    with pytest.raises(NotAllowed):
        verdicts.propose_verdict(session=session, actor=other, claim=claim, rating_id=rating(session).id,
                                 rationale="I was not assigned this.")


def test_a_second_proposal_from_a_stale_page_names_who_proposed_first(session, desk):
    claim = researched_claim(session, desk)
    seen = claim.version                      # both pages were opened at this version
    verdicts.propose_verdict(session=session, actor=desk["editor"], claim=claim, rating_id=rating(session).id,
                             rationale="The council minutes show the vote.", expected_version=seen)
    with pytest.raises(Conflict, match=desk["editor"].username):
        verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim,
                                 rating_id=rating(session).id, rationale="My own reading of the minutes.",
                                 expected_version=seen)
    # without a stale version it is still a plain refusal: the claim is no longer in research
    with pytest.raises(NotAllowed):
        verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim,
                                 rating_id=rating(session).id, rationale="My own reading of the minutes.")


def test_rationale_and_rating_are_checked(session, desk):
    claim = researched_claim(session, desk)
    with pytest.raises(InvalidInput, match="rationale"):
        verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim, rating_id=rating(session).id,
                                 rationale="no")
    with pytest.raises(InvalidInput, match="scale"):
        verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim, rating_id=999,
                                 rationale="A long enough rationale.")


def confirmed_pair(session, desk):
    first = make_claim(session, text="The bridge repairs cost $2.6 million.")
    second = researched_claim(session, desk, text="Bridge repairs will cost the city $2.6 million.")
    link = ClaimLink(claim_a_id=first.id, claim_b_id=second.id, score=90, state=LinkState.CONFIRMED)
    session.add(link)
    session.commit()
    return first, second


def test_verdict_reuse_keeps_provenance_and_needs_sign_off(session, desk):
    first, second = confirmed_pair(session, desk)
    published = make_published_verdict(session, first, desk["reviewer"], desk["editor"], "Half true")
    assert [v.id for _, _, v in verdicts.prior_verdicts(session, second)] == [published.id]
    reused = verdicts.reuse_verdict(session=session, actor=desk["reviewer"], claim=second, source=published)
    assert reused.reused_from_id == published.id and reused.state == VerdictState.PROPOSED
    assert reused.rating_id == published.rating_id and "Reused from" in reused.rationale


def test_reuse_needs_a_confirmed_link(session, desk):
    first = make_claim(session, text="The bridge repairs cost $2.6 million.")
    second = researched_claim(session, desk, text="Something unrelated about trains.")
    published = make_published_verdict(session, first, desk["reviewer"], desk["editor"])
    with pytest.raises(InvalidInput, match="Confirm the link"):
        verdicts.reuse_verdict(session=session, actor=desk["reviewer"], claim=second, source=published)


def test_reuse_reaches_across_the_confirmed_cluster_but_not_a_suggestion(session, desk):
    """The page offers the verdicts of the confirmed cluster, so reuse accepts them: a claim confirmed
    as the same as one confirmed as the same as the checked claim is that claim too."""
    first, middle = confirmed_pair(session, desk)
    third = researched_claim(session, desk, text="Repairs of the bridge cost the city $2.6 million.")
    published = make_published_verdict(session, first, desk["reviewer"], desk["editor"], "Half true")
    link = ClaimLink(claim_a_id=middle.id, claim_b_id=third.id, score=90, state=LinkState.SUGGESTED)
    session.add(link)
    session.commit()
    with pytest.raises(InvalidInput, match="Confirm the link"):
        verdicts.reuse_verdict(session=session, actor=desk["reviewer"], claim=third, source=published)
    link.state = LinkState.CONFIRMED
    session.add(link)
    session.commit()
    reused = verdicts.reuse_verdict(session=session, actor=desk["reviewer"], claim=third, source=published)
    assert reused.reused_from_id == published.id and reused.claim_id == third.id


def test_changed_verdict_sends_linked_claims_to_rereview(session, desk):
    first, second = confirmed_pair(session, desk)
    make_published_verdict(session, second, desk["reviewer"], desk["editor"], "True")
    make_published_verdict(session, first, desk["reviewer"], desk["editor"], "True")
    workflow.change_status(session=session, actor=desk["editor"], claim=first, status="in_research", reason="new records")
    workflow.assign(session=session, actor=desk["editor"], claim=first, assignee=desk["reviewer"])
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=first, rating_id=rating(session, "False").id,
                                 rationale="The new records contradict it.")
    verdicts.sign_off(session=session, actor=desk["editor"], claim=first, verdict=v)
    session.refresh(second)
    assert second.rereview_reason and "changed to False" in second.rereview_reason
    assert [c.id for c in workflow.queue(session=session, actor=desk["editor"], rereview=True)] == [second.id]
    # the linked claim's own verdict is untouched
    assert verdicts.rating_name(session, verdicts.published_verdict(session, second.id)) == "True"


def test_admin_edits_the_scale(session):
    admin, editor = make_user(session, Role.ADMIN), make_user(session, Role.EDITOR)
    with pytest.raises(NotAllowed):
        verdicts.save_rating(session=session, actor=editor, name="Satire", value=0)
    verdicts.save_rating(session=session, actor=admin, name="Satire", value=0, description="Not meant literally.")
    assert "Satire" in [r.name for r in verdicts.scale(session)]
    with pytest.raises(InvalidInput, match="already"):
        verdicts.save_rating(session=session, actor=admin, name="Satire", value=1)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan", "1e309", None])
def test_a_rating_value_must_be_finite(session, value):
    admin = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput, match="finite number"):
        verdicts.save_rating(session=session, actor=admin, name="Satire", value=value)
    existing = rating(session, "True")
    with pytest.raises(InvalidInput, match="finite number"):
        verdicts.save_rating(session=session, actor=admin, rating=existing, name="True", value=value)
    session.refresh(existing)
    assert existing.value == 5 and "Satire" not in [r.name for r in verdicts.scale(session)]


@pytest.mark.parametrize("name", ["true", "TRUE", " tRuE ", "mostly FALSE"])
def test_rating_names_that_differ_only_in_case_are_the_same_rating(session, name):
    admin = make_user(session, Role.ADMIN)
    with pytest.raises(InvalidInput, match="There is already a rating named"):
        verdicts.save_rating(session=session, actor=admin, name=name, value=5)
    with pytest.raises(InvalidInput, match="There is already a rating named"):  # renaming another rating onto it
        verdicts.save_rating(session=session, actor=admin, rating=rating(session, "Misleading"), name=name, value=1)
    assert [r.name for r in verdicts.scale(session)] == [n for n, _v, _d in verdicts.DEFAULT_SCALE]


@pytest.mark.parametrize("other_way", ["new", "rename"])
def test_two_admins_naming_a_rating_alike_at_once_leave_one_and_the_other_told_why(app, session, database_url,
                                                                                   meanwhile, other_way):
    ada, bea = make_user(session, Role.ADMIN), make_user(session, Role.ADMIN)
    misleading = rating(session, "Misleading")

    def other_admin(s):
        existing = s.get(Rating, misleading.id) if other_way == "rename" else None
        return verdicts.save_rating(session=s, actor=s.get(User, bea.id), rating=existing, name="SATIRE", value=0)

    other = meanwhile("INSERT INTO rating", other_admin)
    with Session(db.writer(db.get_engine(app)), expire_on_commit=False) as mine:
        try:
            verdicts.save_rating(session=mine, actor=mine.get(User, ada.id), name="Satire", value=0)
            refused_here = None
        except InvalidInput as exc:
            refused_here = exc
    meanwhile.join()
    refusals = [exc for exc in (refused_here, other.get("error")) if exc is not None]
    assert len(refusals) == 1 and "There is already a rating named" in refusals[0].message, refusals
    if database_url.startswith("postgresql"):  # this save held the scale's rows: the other waited and saw it
        assert refused_here is None
    session.rollback()
    assert [r.name for r in verdicts.scale(session, include_inactive=True) if r.name.lower() == "satire"] == ["Satire"]


def test_a_rating_can_change_the_case_of_its_own_name(session):
    admin = make_user(session, Role.ADMIN)
    verdicts.save_rating(session=session, actor=admin, rating=rating(session, "Half true"), name="Half True", value=3)
    assert "Half True" in [r.name for r in verdicts.scale(session)]
    verdicts.save_rating(session=session, actor=admin, name="Sátira", value=0)
    with pytest.raises(InvalidInput, match="already a rating named 'Sátira'"):
        verdicts.save_rating(session=session, actor=admin, name="SÁTIRA", value=0)


def test_no_verdict_on_a_claim_merged_into_another(session, desk):
    keep = make_claim(session)
    gone = researched_claim(session, desk)
    gone.merged_into_id = keep.id  # as the old status bug left it: merged, yet back in research
    session.add(gone)
    session.commit()
    with pytest.raises(InvalidTransition, match=f"#{gone.id} was merged into #{keep.id}"):
        verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=gone, rating_id=rating(session).id,
                                 rationale="The council minutes show the vote.")
    assert verdicts.verdicts_for(session, gone.id) == []


def test_changed_verdict_leaves_linked_claims_without_a_published_verdict_alone(session, desk):
    """Claim 17 (new, never checked) linked to claim 9: 9's new verdict gives 17 nothing to re-review."""
    first, second = confirmed_pair(session, desk)
    make_published_verdict(session, first, desk["reviewer"], desk["editor"], "True")
    workflow.change_status(session=session, actor=desk["editor"], claim=first, status="in_research",
                           reason="new records")
    workflow.assign(session=session, actor=desk["editor"], claim=first, assignee=desk["reviewer"])
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=first,
                                 rating_id=rating(session, "False").id, rationale="The new records contradict it.")
    verdicts.sign_off(session=session, actor=desk["editor"], claim=first, verdict=v)
    session.refresh(second)
    assert second.rereview_reason is None
    assert workflow.queue(session=session, actor=desk["editor"], rereview=True) == []


def test_sign_off_and_send_back_move_the_claims_version_on(session, desk):
    """A change based on the claim as it was before the sign-off (a stale page or API client) is refused."""
    from factcheck.errors import Conflict
    claim = researched_claim(session, desk)
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim, rating_id=rating(session).id,
                                 rationale="The council minutes show the vote.")
    before = claim.version
    verdicts.send_back(session=session, actor=desk["editor"], claim=claim, verdict=v, reason="Cite the minutes.")
    assert claim.version > before
    v = verdicts.propose_verdict(session=session, actor=desk["reviewer"], claim=claim, rating_id=rating(session).id,
                                 rationale="The council minutes, page 4, show the vote.")
    stale = claim.version
    verdicts.sign_off(session=session, actor=desk["editor"], claim=claim, verdict=v)
    with pytest.raises(Conflict):
        workflow.change_status(session=session, actor=desk["editor"], claim=claim, status="in_research",
                               reason="reopened from an old page", expected_version=stale)


def test_a_rating_saved_while_a_verdict_is_being_given_does_not_wait_for_it(app, session, database_url):
    """A verdict written but not committed points at its rating: saving the scale must not queue
    behind it, nor the verdict behind the save. Ratings are locked only against each other's saves."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises write transactions whole")
    admin, reviewer = make_user(session, Role.ADMIN), make_user(session, Role.REVIEWER)
    claim = make_claim(session)
    engine = db.writer(db.get_engine(app))
    with Session(engine) as giving, Session(engine, expire_on_commit=False) as mine:
        giving.add(Verdict(claim_id=claim.id, rating_id=rating(session, "False").id,
                           rationale="Records show otherwise.", given_by_id=reviewer.id))
        giving.flush()
        mine.exec(sa.text("SET LOCAL lock_timeout = '2s'"))
        verdicts.save_rating(session=mine, actor=mine.get(User, admin.id), name="Satire", value=0)
        giving.rollback()
    assert "Satire" in [r.name for r in verdicts.scale(session)]
