"""Every change leaves a row here, written in the same transaction as the change itself."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from factcheck.models import AuditEvent, Claim, User


def record(session: Session, actor: User | None, action: str, target: Any,
           changes: dict | None = None, claim_id: int | None = None) -> AuditEvent:
    """Add (not commit) an audit row; the caller's transaction commits it with the change."""
    if target.id is None:
        session.flush()
    event = AuditEvent(**_row(actor, action, target, changes, claim_id))
    session.add(event)
    return event


def record_many(session: Session, actor: User | None, action: str,
                items: list[tuple[Any, dict | None, int | None]]) -> None:
    """Audit rows for many targets of one action, (target, changes, claim_id) each, in one INSERT:
    linking an article writes hundreds, and building an ORM object for each cost more than the
    rest of the write. The targets must have ids (flushed)."""
    if items:
        session.execute(insert(AuditEvent), [_row(actor, action, *item) for item in items])


def _row(actor: User | None, action: str, target: Any, changes: dict | None, claim_id: int | None) -> dict:
    if claim_id is None:
        claim_id = target.id if isinstance(target, Claim) else getattr(target, "claim_id", None)
    return {"actor_id": actor.id if actor is not None else None, "action": action,
            "object_type": type(target).__name__.lower(), "object_id": target.id, "claim_id": claim_id,
            "changes_json": json.dumps(changes or {}, default=str, ensure_ascii=False)}


def history(session: Session, claim_id: int) -> list[AuditEvent]:
    """A claim's history: its own events and those of its evidence, verdicts and links."""
    stmt = select(AuditEvent).where(AuditEvent.claim_id == claim_id).order_by(AuditEvent.at, AuditEvent.id)
    return list(session.exec(stmt))


def diff(obj: Any, updates: dict) -> dict:
    """The {field: [old, new]} of updates that really change obj."""
    return {k: [getattr(obj, k), v] for k, v in updates.items() if getattr(obj, k) != v}
