"""Claim status: who may move a claim where, and the assignments that go with it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from factcheck import audit
from factcheck.concurrency import claim_version
from factcheck.errors import FactcheckError, InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import Claim, ClaimStatus, LinkState, PriorLink, Role, User, utcnow
from factcheck.permissions import is_editor

S = ClaimStatus
# Moves a person makes with the status buttons; verdict moves live in verdicts.py.
MANUAL_MOVES = {
    S.NEW: {S.TRIAGED, S.DISMISSED},
    S.TRIAGED: {S.DISMISSED, S.NEW},
    S.DISMISSED: {S.NEW, S.TRIAGED},
    S.IN_RESEARCH: {S.TRIAGED, S.DISMISSED},
    S.SIGNED_OFF: {S.IN_RESEARCH},
}
EDITOR_ONLY = {(S.IN_RESEARCH, S.TRIAGED), (S.IN_RESEARCH, S.DISMISSED), (S.SIGNED_OFF, S.IN_RESEARCH)}


def refuse_merged(claim: Claim) -> None:
    """A merged or split claim lives on in the claim it went into: work on it would go unseen."""
    if claim.merged_into_id is not None:
        raise InvalidTransition(f"Claim #{claim.id} was merged into #{claim.merged_into_id}: "
                                f"work on #{claim.merged_into_id} instead.")


def allowed_moves(actor: User, claim: Claim) -> list[ClaimStatus]:
    if claim.merged_into_id is not None:
        return []
    current = ClaimStatus(claim.status)
    return sorted((t for t in MANUAL_MOVES.get(current, ()) if is_editor(actor) or (current, t) not in EDITOR_ONLY),
                  key=list(ClaimStatus).index)


def change_status(*, session: Session, actor: User, claim: Claim, status: ClaimStatus | str,
                  reason: str = "", expected_version: int | None = None, commit: bool = True) -> Claim:
    try:
        target = ClaimStatus(status)
    except ValueError:
        raise InvalidInput(f"Unknown status {status!r}.") from None
    refuse_merged(claim)
    current = ClaimStatus(claim.status)
    if target not in MANUAL_MOVES.get(current, ()):
        raise InvalidTransition(f"A claim that is {current.label} cannot be moved to {target.label}.")
    if (current, target) in EDITOR_ONLY and not is_editor(actor):
        raise NotAllowed(f"Only an editor can move a claim from {current.label} to {target.label}.")
    if current == S.SIGNED_OFF and not reason.strip():
        raise InvalidInput("Say why a published claim is reopened.", field="reason")
    claim_version(session, claim, expected_version)
    changes = {"status": [current.value, target.value]}
    if reason:
        changes["reason"] = reason
    if target in (S.NEW, S.TRIAGED, S.DISMISSED) and claim.assignee_id:
        changes["assignee_id"] = [claim.assignee_id, None]
        claim.assignee_id = None
    if target == S.DISMISSED and claim.rereview_reason:  # nobody re-checks a dismissed claim
        changes["rereview_reason"] = [claim.rereview_reason, None]
        claim.rereview_reason = None
    claim.status, claim.updated_at = target, utcnow()
    session.add(claim)
    audit.record(session, actor, "claim.status", claim, changes)
    if commit:
        session.commit()
    return claim


def assign(*, session: Session, actor: User, claim: Claim, assignee: User | None,
           expected_version: int | None = None, commit: bool = True) -> Claim:
    """Editors assign anyone; a reviewer can take an unassigned claim for themselves."""
    refuse_merged(claim)
    if assignee is not None and (not assignee.active or assignee.role not in (Role.REVIEWER, Role.EDITOR, Role.ADMIN)):
        raise InvalidInput("Claims can be assigned to active desk members only.")
    if not is_editor(actor):
        if assignee is None or assignee.id != actor.id or claim.assignee_id not in (None, actor.id):
            raise NotAllowed("Reviewers can only take unassigned claims for themselves.")
    current = ClaimStatus(claim.status)
    if current not in (S.NEW, S.TRIAGED, S.IN_RESEARCH):
        raise InvalidTransition(f"A claim that is {current.label} cannot be assigned.")
    claim_version(session, claim, expected_version)
    changes = audit.diff(claim, {"assignee_id": assignee.id if assignee else None})
    claim.assignee_id = assignee.id if assignee else None
    # clearing the assignee of a claim nobody had yet is no triage: a new claim stays new
    new_status = S.IN_RESEARCH if assignee else current if current == S.NEW else S.TRIAGED
    if new_status != current:
        changes["status"] = [current.value, new_status.value]
    claim.status, claim.updated_at = new_status, utcnow()
    session.add(claim)
    audit.record(session, actor, "claim.assign", claim,
                 {**changes, "assignee": assignee.username if assignee else None})
    if commit:
        session.commit()
    return claim


@dataclass
class BulkResult:
    done: list[int]
    refused: dict[int, str]

    def refused_by_reason(self) -> dict[str, list[int]]:
        """One line per reason reads better than one per claim when fifty claims fail alike."""
        grouped: dict[str, list[int]] = {}
        for claim_id, reason in self.refused.items():
            grouped.setdefault(reason, []).append(claim_id)
        return grouped


def bulk(*, session: Session, actor: User, claims: list[Claim], action: str, status: str | None = None,
         assignee: User | None = None) -> BulkResult:
    """Apply one action to many claims: each succeeds or is refused on its own, with a reason."""
    if action == "assign" and assignee is None:
        raise InvalidInput("Choose who gets the selected claims.")  # not a silent bulk unassign
    if action == "status" and not status:
        raise InvalidInput("Choose the status to move the selected claims to.")
    if action not in ("assign", "status", "dismiss"):
        raise InvalidInput(f"Unknown bulk action {action!r}.")
    result = BulkResult([], {})
    for claim in claims:
        try:
            if action == "assign":
                assign(session=session, actor=actor, claim=claim, assignee=assignee)
            else:
                change_status(session=session, actor=actor, claim=claim,
                              status=S.DISMISSED if action == "dismiss" else status)
            result.done.append(claim.id)
        except FactcheckError as exc:
            session.rollback()
            result.refused[claim.id] = exc.message
    return result


QUEUE_PAGE = 200


@dataclass(frozen=True)
class QueuePage:
    claims: list[Claim]
    total: int  # claims matching the filters, on every page
    page: int
    pages: int
    page_size: int

    @property
    def first(self) -> int:
        """The number of this page's first claim in the whole list, from 1 (0 when the page is empty)."""
        return (self.page - 1) * self.page_size + 1 if self.claims else 0


def _queue_filter(actor: User, status: str | None, mine: bool, rereview: bool, has_prior: bool):
    stmt = select(Claim).where(Claim.merged_into_id == None)  # noqa: E711
    if status:
        if status not in {s.value for s in ClaimStatus}:
            raise InvalidInput(f"Unknown status {status[:40]!r}.")  # a hand-edited URL, not a server error
        stmt = stmt.where(Claim.status == ClaimStatus(status))
    if mine:
        stmt = stmt.where(Claim.assignee_id == actor.id)
    if rereview:
        stmt = stmt.where(Claim.rereview_reason != None)  # noqa: E711
    if has_prior:  # another desk has checked it already
        stmt = stmt.where(Claim.id.in_(select(PriorLink.claim_id).where(PriorLink.state != LinkState.REJECTED)))
    return stmt


def queue(*, session: Session, actor: User, status: str | None = None, mine: bool = False,
          rereview: bool = False, has_prior: bool = False, limit: int = QUEUE_PAGE) -> list[Claim]:
    return queue_page(session=session, actor=actor, status=status, mine=mine, rereview=rereview,
                      has_prior=has_prior, page_size=limit).claims


def queue_page(*, session: Session, actor: User, status: str | None = None, mine: bool = False,
               rereview: bool = False, has_prior: bool = False, page: int = 1,
               page_size: int = QUEUE_PAGE) -> QueuePage:
    """One page of the queue, most check-worthy first, with the count of every matching claim."""
    stmt = _queue_filter(actor, status, mine, rereview, has_prior)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    found = list(session.exec(stmt.order_by(Claim.checkworthiness.desc(), Claim.id)
                              .offset((page - 1) * page_size).limit(page_size)))
    return QueuePage(found, total, page, max(1, -(-total // page_size)), page_size)
