"""Bulk actions from the queue: many claims, one audit row each, and a clear account of refusals."""
import html
import re

import pytest
from sqlmodel import select

from factcheck import workflow
from factcheck.models import AuditEvent, Claim, ClaimStatus, Role
from tests.factories import make_claim, make_user


def flashes(response) -> list[str]:
    found = re.findall(r'<li class="flash flash-\w+">(.*?)</li>', response.get_data(as_text=True))
    return [html.unescape(m) for m in found]


def fresh(session) -> None:
    """End the test session's read transaction: on SQLite (WAL) it would keep an old snapshot."""
    session.rollback()
    session.expire_all()


def audit_rows(session, action: str) -> list[AuditEvent]:
    fresh(session)
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def reloaded(session, claim) -> Claim:
    fresh(session)
    return session.get(Claim, claim.id)


@pytest.fixture
def queue(session):
    """Three claims a bulk action can take, and one signed off that it cannot."""
    open_ = [make_claim(session), make_claim(session, status=ClaimStatus.TRIAGED), make_claim(session)]
    return {"open": open_, "done": make_claim(session, status=ClaimStatus.SIGNED_OFF)}


def test_queue_offers_checkboxes_to_editors_only(client, auth, queue):
    auth.login(Role.EDITOR)
    page = client.get("/claims/").get_data(as_text=True)
    assert f'id="select-{queue["open"][0].id}"' in page and 'id="bulk-submit"' in page
    auth.logout()
    auth.login(Role.REVIEWER)
    page = client.get("/claims/").get_data(as_text=True)
    assert 'name="claim_ids"' not in page and 'id="bulk-submit"' not in page


def test_bulk_assign_writes_one_audit_row_per_claim_and_names_refusals(client, auth, session, queue):
    auth.login(Role.EDITOR)
    rita = make_user(session, Role.REVIEWER, "rita")
    ids = [c.id for c in queue["open"]] + [queue["done"].id]
    response = auth.post("/claims/bulk", {"claim_ids": ids, "action": "assign", "assignee": str(rita.id)},
                         follow_redirects=True)
    assert response.status_code == 200
    done = queue["done"].id
    assert flashes(response) == ["3 of 4 selected claim(s) changed, 1 refused.",
                                 f"Refused #{done}: A claim that is signed off cannot be assigned."]
    for claim in queue["open"]:
        claim = reloaded(session, claim)
        assert (claim.assignee_id, claim.status) == (rita.id, ClaimStatus.IN_RESEARCH)
    rows = audit_rows(session, "claim.assign")
    assert sorted(r.object_id for r in rows) == sorted(c.id for c in queue["open"])
    assert all(r.changes["assignee"] == "rita" for r in rows)
    assert reloaded(session, queue["done"]).assignee_id is None


def test_bulk_status_change_and_dismiss(client, auth, session, queue):
    auth.login(Role.EDITOR)
    first, second, third = queue["open"]
    response = auth.post("/claims/bulk", {"claim_ids": [first.id, second.id], "action": "status", "status": "triaged"},
                         follow_redirects=True)
    # `second` is triaged already: a claim cannot move to where it is.
    assert flashes(response) == ["1 of 2 selected claim(s) changed, 1 refused.",
                                 f"Refused #{second.id}: A claim that is triaged cannot be moved to triaged."]
    assert reloaded(session, first).status == ClaimStatus.TRIAGED
    ids = [c.id for c in queue["open"]] + [queue["done"].id]
    response = auth.post("/claims/bulk", {"claim_ids": ids, "action": "dismiss"}, follow_redirects=True)
    assert flashes(response)[0] == "3 of 4 selected claim(s) changed, 1 refused."
    assert {reloaded(session, c).status for c in queue["open"]} == {ClaimStatus.DISMISSED}
    rows = audit_rows(session, "claim.status")
    assert [r.object_id for r in rows] == [first.id] + sorted(c.id for c in queue["open"])
    assert [r.changes["status"][1] for r in rows] == ["triaged", "dismissed", "dismissed", "dismissed"]


def test_refusals_with_the_same_reason_are_grouped(client, auth, session):
    auth.login(Role.EDITOR)
    done = [make_claim(session, status=ClaimStatus.SIGNED_OFF) for _ in range(3)]
    proposed = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED)
    response = auth.post("/claims/bulk", {"claim_ids": [c.id for c in done] + [proposed.id], "action": "dismiss"},
                         follow_redirects=True)
    assert flashes(response) == [
        "0 of 4 selected claim(s) changed, 4 refused.",
        f"Refused {', '.join(f'#{c.id}' for c in done)}: A claim that is signed off cannot be moved to dismissed.",
        f"Refused #{proposed.id}: A claim that is verdict proposed cannot be moved to dismissed.",
    ]
    assert 'flash-error">0 of 4' in response.get_data(as_text=True)
    assert audit_rows(session, "claim.status") == []


@pytest.mark.parametrize("data,message", [
    ({"action": "assign"}, "Choose who gets the selected claims."),
    ({"action": "status", "status": ""}, "Choose the status to move the selected claims to."),
])
def test_an_action_without_its_target_is_refused_whole(client, auth, session, queue, data, message):
    """Assign with no assignee used to unassign every claim, and move with no status failed once per claim."""
    auth.login(Role.EDITOR)
    before = [reloaded(session, c).status for c in queue["open"]]
    response = auth.post("/claims/bulk", {"claim_ids": [c.id for c in queue["open"]], **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert [reloaded(session, c).status for c in queue["open"]] == before
    assert audit_rows(session, "claim.assign") == [] and audit_rows(session, "claim.status") == []
    # the queue comes back with the message and the same boxes ticked, not an error page to leave
    page = response.get_data(as_text=True)
    assert flashes(response) == [message] and 'id="bulk-submit"' in page
    ticked = set(re.findall(r'id="select-(\d+)" aria-label="Select claim \d+" checked', page))
    assert ticked == {str(c.id) for c in queue["open"]}


def test_nothing_selected_says_so(client, auth, queue):
    auth.login(Role.EDITOR)
    response = auth.post("/claims/bulk", {"action": "dismiss"})
    assert response.status_code == 400 and "Select at least one claim." in response.get_data(as_text=True)


def test_a_claim_selected_twice_is_changed_once(client, auth, session, queue):
    auth.login(Role.EDITOR)
    rita = make_user(session, Role.REVIEWER, "rita")
    claim = queue["open"][0]
    data = {"claim_ids": [claim.id, claim.id], "action": "assign", "assignee": str(rita.id)}
    response = auth.post("/claims/bulk", data, follow_redirects=True)
    assert flashes(response)[0] == "1 of 1 selected claim(s) changed, 0 refused."
    assert len(audit_rows(session, "claim.assign")) == 1


def test_reviewers_cannot_bulk(client, auth, session, queue):
    auth.login(Role.REVIEWER)
    response = auth.post("/claims/bulk", {"claim_ids": [queue["open"][0].id], "action": "dismiss"})
    assert response.status_code == 403
    assert reloaded(session, queue["open"][0]).status == ClaimStatus.NEW


def test_bulk_result_groups_reasons_in_claim_order():
    result = workflow.BulkResult(done=[1], refused={4: "b", 2: "a", 3: "b"})
    assert result.refused_by_reason() == {"b": [4, 3], "a": [2]}
