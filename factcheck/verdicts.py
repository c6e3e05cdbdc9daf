"""Verdicts on the desk's rating scale: proposal, four-eyes sign-off, send-back and reuse."""
from __future__ import annotations

import math

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from factcheck import audit, links
from factcheck.concurrency import claim_version
from factcheck.errors import InvalidInput, InvalidTransition, NotAllowed
from factcheck.models import Claim, ClaimLink, ClaimStatus, Rating, User, Verdict, VerdictState, utcnow
from factcheck.permissions import can_research, can_sign_off, is_editor
from factcheck.workflow import refuse_merged

DEFAULT_SCALE = [
    ("True", 5, "The claim is accurate and nothing significant is missing."),
    ("Mostly true", 4, "Accurate but needs clarification or additional information."),
    ("Half true", 3, "Partially accurate; leaves out important details or takes things out of context."),
    ("Mostly false", 2, "Contains an element of truth but ignores facts that would give a different impression."),
    ("False", 1, "The claim is not accurate."),
    ("Misleading", 1, "Accurate facts presented in a way that gives a false impression."),
    ("Unverifiable", 0, "Evidence available does not allow a conclusion."),
]
MAX_RATIONALE = 20_000


def ensure_default_scale(session: Session) -> list[Rating]:
    if session.exec(select(Rating).limit(1)).first() is None:
        for pos, (name, value, desc) in enumerate(DEFAULT_SCALE):
            session.add(Rating(name=name, value=value, position=pos, description=desc))
        session.commit()
    return scale(session)


def scale(session: Session, include_inactive: bool = False) -> list[Rating]:
    stmt = select(Rating).order_by(Rating.position, Rating.id)
    if not include_inactive:
        stmt = stmt.where(Rating.active == True)  # noqa: E712
    return list(session.exec(stmt))


def save_rating(*, session: Session, actor: User, name: str, value: float, description: str = "",
                position: int | None = None, active: bool = True, rating: Rating | None = None) -> Rating:
    if actor.role != "admin":
        raise NotAllowed("Only an admin changes the rating scale.")
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise InvalidInput("A rating needs a name of at most 80 characters.", field="name")
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):  # NaN is stored as NULL, and infinity exports as `Infinity`, which is not JSON
        raise InvalidInput("A rating value must be a finite number.", field="value")
    # Two admins naming a rating alike at once: the second waits here for the first to commit, then
    # sees its rating below (PostgreSQL; SQLite's write transactions are serialised from BEGIN).
    # FOR NO KEY UPDATE: a verdict being written points at a rating, and neither waits for the other.
    session.exec(select(Rating.id).order_by(Rating.id).with_for_update(key_share=True)).all()
    # Compared in Python: SQLite's lower() folds only ASCII, and a scale has a few dozen ratings at most.
    clash = next((r for r in session.exec(select(Rating)) if r.name.casefold() == name.casefold()
                  and (rating is None or r.id != rating.id)), None)
    if clash is not None:
        raise InvalidInput(f"There is already a rating named {clash.name!r} (rating names ignore case).",
                           field="name")
    rating = rating or Rating(name=name, value=value)
    changes = audit.diff(rating, {"name": name, "value": float(value), "description": description, "active": active})
    rating.name, rating.value, rating.description, rating.active = name, float(value), description, active
    if position is not None:
        rating.position = position
    elif rating.id is None:
        rating.position = len(scale(session, include_inactive=True))
    session.add(rating)
    session.flush()
    audit.record(session, actor, "rating.save", rating, changes)
    session.commit()
    return rating


def move_rating(*, session: Session, actor: User, rating: Rating, direction: str) -> Rating:
    """Swap a rating with its neighbour above or below; positions are renumbered 0, 1, 2… on the way
    (older scales may hold equal positions, which only the id ordered)."""
    if actor.role != "admin":
        raise NotAllowed("Only an admin changes the rating scale.")
    if direction not in ("up", "down"):
        raise InvalidInput("A rating moves up or down.")
    ordered = scale(session, include_inactive=True)
    at = next(i for i, r in enumerate(ordered) if r.id == rating.id)
    rating = ordered[at]
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(ordered):
        raise InvalidInput(f"{rating.name!r} is already at the {'top' if direction == 'up' else 'bottom'} of the scale.")
    ordered[at], ordered[other] = ordered[other], ordered[at]
    before = rating.position
    for pos, r in enumerate(ordered):
        if r.position != pos:
            r.position = pos
            session.add(r)
    session.flush()
    audit.record(session, actor, "rating.move", rating, {"position": [before, rating.position]})
    session.commit()
    return rating


def current_verdict(session: Session, claim_id: int) -> Verdict | None:
    """The latest verdict that was not sent back."""
    stmt = (select(Verdict).where(Verdict.claim_id == claim_id, Verdict.state != VerdictState.SENT_BACK)
            .order_by(Verdict.given_at.desc(), Verdict.id.desc()))
    return session.exec(stmt).first()


def verdicts_for(session: Session, claim_id: int) -> list[Verdict]:
    return list(session.exec(select(Verdict).where(Verdict.claim_id == claim_id).order_by(Verdict.id)))


def propose_verdict(*, session: Session, actor: User, claim: Claim, rating_id: int, rationale: str,
                    reused_from: Verdict | None = None, expected_version: int | None = None) -> Verdict:
    refuse_merged(claim)
    if not can_research(actor, claim):
        if expected_version is not None and expected_version != claim.version:
            claim_version(session, claim, expected_version)  # a page gone stale: say who moved it on
        raise NotAllowed("Verdicts are proposed by the claim's assignee (or an editor) while it is in research.")
    rating = session.get(Rating, rating_id)
    if rating is None or not rating.active:
        raise InvalidInput("Choose a rating from the desk's scale.", field="rating")
    rationale = (rationale or "").strip()
    if len(rationale) < 10:
        raise InvalidInput("Give a rationale of at least a sentence.", field="rationale")
    if len(rationale) > MAX_RATIONALE:
        raise InvalidInput(f"The rationale is at most {MAX_RATIONALE:,} characters.", field="rationale")
    claim_version(session, claim, expected_version)
    verdict = Verdict(claim_id=claim.id, rating_id=rating.id, rationale=rationale, given_by_id=actor.id,
                      reused_from_id=reused_from.id if reused_from else None)
    session.add(verdict)
    claim.status, claim.updated_at = ClaimStatus.VERDICT_PROPOSED, utcnow()
    session.add(claim)
    session.flush()
    audit.record(session, actor, "verdict.propose", verdict,
                 {"rating": rating.name, "rationale": rationale, "reused_from": verdict.reused_from_id})
    session.commit()
    return verdict


def sign_off(*, session: Session, actor: User, claim: Claim, verdict: Verdict) -> Verdict:
    _check_pending(claim, verdict)
    if not is_editor(actor):
        raise NotAllowed("Only an editor signs off verdicts.")
    if not can_sign_off(actor, verdict):
        raise NotAllowed("Four eyes: a verdict is signed off by an editor other than the one who proposed it.")
    previous = _published(session, claim.id)
    claim_version(session, verdict, None)
    claim_version(session, claim, None)  # the claim moves on too: a stale reopening of it must be refused
    verdict.state, verdict.signed_off_by_id, verdict.signed_off_at = VerdictState.SIGNED_OFF, actor.id, utcnow()
    claim.status, claim.updated_at, claim.rereview_reason = ClaimStatus.SIGNED_OFF, utcnow(), None
    session.add_all([verdict, claim])
    rating = session.get(Rating, verdict.rating_id)
    audit.record(session, actor, "verdict.sign_off", verdict, {"rating": rating.name})
    if previous is not None and previous.rating_id != verdict.rating_id:
        _flag_linked_for_rereview(session, actor, claim, rating)
    session.commit()
    return verdict


def send_back(*, session: Session, actor: User, claim: Claim, verdict: Verdict, reason: str) -> Verdict:
    _check_pending(claim, verdict)
    if not is_editor(actor):
        raise NotAllowed("Only an editor sends a verdict back.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the verdict goes back.", field="reason")
    claim_version(session, verdict, None)
    claim_version(session, claim, None)
    verdict.state, verdict.sent_back_reason = VerdictState.SENT_BACK, reason
    claim.status, claim.updated_at = ClaimStatus.IN_RESEARCH, utcnow()
    session.add_all([verdict, claim])
    audit.record(session, actor, "verdict.send_back", verdict, {"reason": reason})
    session.commit()
    return verdict


def _check_pending(claim: Claim, verdict: Verdict) -> None:
    if verdict.claim_id != claim.id:
        raise InvalidInput("That verdict belongs to another claim.")
    if verdict.state != VerdictState.PROPOSED or claim.status != ClaimStatus.VERDICT_PROPOSED:
        raise InvalidTransition("Only a proposed verdict can be signed off or sent back.")


def _published(session: Session, claim_id: int) -> Verdict | None:
    stmt = (select(Verdict).where(Verdict.claim_id == claim_id, Verdict.state == VerdictState.SIGNED_OFF)
            .order_by(Verdict.signed_off_at.desc(), Verdict.id.desc()))
    return session.exec(stmt).first()


def _flag_linked_for_rereview(session: Session, actor: User, claim: Claim, rating: Rating) -> None:
    """A changed verdict is not copied onto linked claims: they wait in the re-review queue."""
    for other in links.cluster_of(session, claim):
        if other.id == claim.id or _published(session, other.id) is None:
            continue  # a claim with no published verdict of its own has nothing to re-review
        other.rereview_reason = f"The verdict of linked claim #{claim.id} changed to {rating.name}."
        session.add(other)
        audit.record(session, actor, "claim.rereview", other, {"because_of": claim.id, "rating": rating.name})


def published_verdict(session: Session, claim_id: int) -> Verdict | None:
    return _published(session, claim_id)


def is_published():
    """SQL condition on Verdict: it is its claim's published verdict, the latest sign-off (as
    published_verdict picks it). A verdict signed off before a reopening stays signed off, so
    filtering on the state alone would also find claims by ratings they no longer carry."""
    later = aliased(Verdict)
    superseded = select(later.id).where(
        later.claim_id == Verdict.claim_id, later.state == VerdictState.SIGNED_OFF,
        or_(later.signed_off_at > Verdict.signed_off_at,
            and_(later.signed_off_at == Verdict.signed_off_at, later.id > Verdict.id)))
    return and_(Verdict.state == VerdictState.SIGNED_OFF, ~superseded.exists())


def published_ratings(session: Session, claim_ids) -> dict[int, str]:
    """claim id -> the rating name of its published verdict, for many claims in one query."""
    ids = list(claim_ids)
    if not ids:
        return {}
    return dict(session.exec(select(Verdict.claim_id, Rating.name).join(Rating, Rating.id == Verdict.rating_id)
                             .where(Verdict.claim_id.in_(ids), is_published())).all())


def prior_verdicts(session: Session, claim: Claim) -> list[tuple[ClaimLink, Claim, Verdict]]:
    """Published verdicts of linked claims, suggested links too (research perhaps already done
    elsewhere), with the link: whether it is confirmed and how the two claims differ decide how
    the verdict may be presented."""
    found = []
    for link, other in links.links_of(session, claim.id):
        verdict = _published(session, other.id)
        if verdict is not None:
            found.append((link, other, verdict))
    return found


def reuse_verdict(*, session: Session, actor: User, claim: Claim, source: Verdict) -> Verdict:
    """Propose the published verdict of a claim in this one's confirmed cluster (the same claim,
    however many links away) for this claim, keeping where it came from."""
    if source.state != VerdictState.SIGNED_OFF:
        raise InvalidInput("Only a signed-off verdict can be reused.")
    if source.claim_id == claim.id or source.claim_id not in {c.id for c in links.cluster_of(session, claim)}:
        raise InvalidInput("Confirm the link to that claim before reusing its verdict.")
    rationale = f"{source.rationale}\n\n(Reused from the verdict on claim #{source.claim_id}.)"
    return propose_verdict(session=session, actor=actor, claim=claim, rating_id=source.rating_id,
                           rationale=rationale, reused_from=source)


def rating_name(session: Session, verdict: Verdict) -> str | None:
    rating = session.get(Rating, verdict.rating_id)
    return rating.name if rating else None
