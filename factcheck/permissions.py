"""Who may do what to which object: plain predicates shared by domain checks and templates."""
from __future__ import annotations

from factcheck.models import Claim, ClaimStatus, Evidence, Role, User, Verdict, VerdictState

EDITORS = (Role.EDITOR, Role.ADMIN)
OPEN_STATUSES = (ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH)


def is_editor(user: User) -> bool:
    return user.role in EDITORS


def owns(user: User, claim: Claim) -> bool:
    return claim.assignee_id == user.id


def can_edit_claim(user: User, claim: Claim) -> bool:
    """Text, speaker, split and merge: while the claim is open, by its assignee or any editor;
    an unassigned claim by any reviewer; never once it is merged into another."""
    if claim.status not in OPEN_STATUSES or claim.merged_into_id is not None:
        return False
    return is_editor(user) or claim.assignee_id in (None, user.id)


def can_research(user: User, claim: Claim) -> bool:
    """Evidence and verdict proposals belong to the assignee (editors may step in)."""
    return (claim.status == ClaimStatus.IN_RESEARCH and claim.merged_into_id is None
            and (is_editor(user) or owns(user, claim)))


def can_remove_evidence(user: User, claim: Claim, item: Evidence) -> bool:
    """Its author or an editor, while the claim is in research: the Remove button shows only then."""
    return can_research(user, claim) and (is_editor(user) or item.added_by_id == user.id)


def can_see_draft(user: User, claim: Claim, verdict: Verdict) -> bool:
    """An unpublished verdict is read by its author, the claim's assignee and editors only."""
    if verdict.state == VerdictState.SIGNED_OFF:
        return True
    return is_editor(user) or user.id in (verdict.given_by_id, claim.assignee_id)


def can_sign_off(user: User, verdict: Verdict) -> bool:
    """Four eyes: an editor other than the one who proposed it."""
    return is_editor(user) and verdict.state == VerdictState.PROPOSED and verdict.given_by_id != user.id
