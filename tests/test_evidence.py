import pytest

from factcheck import audit, evidence
from factcheck.errors import InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import ClaimStatus, Role
from factcheck.permissions import can_edit_claim, can_research
from tests.factories import make_article, make_claim, make_user


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "example.org/page", "http://",
                                 "https://exa mple.org", "data:text/html,<b>x</b>", "x" * 2001])
def test_only_absolute_http_urls(url):
    with pytest.raises(InvalidInput):
        evidence.clean_url(url)


def test_add_and_remove_evidence_is_audited(session):
    reviewer = make_user(session)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    item = evidence.add_evidence(session=session, actor=reviewer, claim=claim, url="https://stats.example.org/t1",
                                 stance="refutes", quote="  Spending was $1.2m.  ")
    assert item.quote == "Spending was $1.2m." and [e.id for e in evidence.evidence_for(session, claim.id)] == [item.id]
    evidence.remove_evidence(session=session, actor=reviewer, claim=claim, item=item)
    assert evidence.evidence_for(session, claim.id) == []
    actions = [e.action for e in audit.history(session, claim.id)]
    assert actions == ["evidence.add", "evidence.remove"]


def test_the_same_evidence_sent_twice_is_one_item(session):
    """A form sent twice (a double click without JavaScript) or a retried API call added it twice."""
    reviewer = make_user(session)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    sent = dict(session=session, actor=reviewer, claim=claim, url="https://stats.example.org/t1",
                stance="refutes", quote="Spending was $1.2m.")
    first, again = evidence.add_evidence(**sent), evidence.add_evidence(**{**sent, "quote": " Spending was $1.2m. "})
    assert again.id == first.id and len(evidence.evidence_for(session, claim.id)) == 1
    assert [e.action for e in audit.history(session, claim.id)] == ["evidence.add"]
    other = evidence.add_evidence(**{**sent, "stance": "context"})   # another reading of the same source
    assert other.id != first.id and len(evidence.evidence_for(session, claim.id)) == 2


def test_evidence_belongs_to_the_assignee(session):
    reviewer, other, editor = make_user(session), make_user(session), make_user(session, Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    with pytest.raises(NotAllowed):
        evidence.add_evidence(session=session, actor=other, claim=claim, url="https://a.example/", stance="context")
    item = evidence.add_evidence(session=session, actor=editor, claim=claim, url="https://a.example/", stance="context")
    with pytest.raises(NotAllowed):
        evidence.remove_evidence(session=session, actor=reviewer, claim=claim, item=item)


def test_evidence_needs_research_status_and_a_known_stance(session):
    reviewer = make_user(session)
    new_claim = make_claim(session, assignee=reviewer)
    with pytest.raises(NotAllowed):
        evidence.add_evidence(session=session, actor=reviewer, claim=new_claim, url="https://a.example/", stance="refutes")
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    with pytest.raises(InvalidInput, match="Stance"):
        evidence.add_evidence(session=session, actor=reviewer, claim=claim, url="https://a.example/", stance="maybe")


def test_no_evidence_on_a_claim_merged_into_another(session):
    """A claim the old status bug sent back into research after a merge: nobody would see its evidence."""
    reviewer = make_user(session)
    article = make_article(session)
    keep = make_claim(session, article)
    gone = make_claim(session, article, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    gone.merged_into_id = keep.id
    session.add(gone)
    session.commit()
    assert not can_research(reviewer, gone) and not can_edit_claim(reviewer, gone)  # its page offers no forms
    with pytest.raises(InvalidTransition, match=f"merged into #{keep.id}"):
        evidence.add_evidence(session=session, actor=reviewer, claim=gone, url="https://a.example/", stance="refutes")
    assert evidence.evidence_for(session, gone.id) == []
