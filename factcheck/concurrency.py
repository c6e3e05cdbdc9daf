"""Optimistic locking: a save names the version it started from and loses to a newer one."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from factcheck.errors import Conflict
from factcheck.models import AuditEvent, User


def claim_version(session: Session, obj, expected: int | None) -> None:
    """Bump obj.version in the database only if it still is `expected`, else refuse the save."""
    table = type(obj).__table__
    if expected is None:
        expected = obj.version
    result = session.execute(
        sa.update(table).where(table.c.id == obj.id, table.c.version == expected).values(version=expected + 1)
    )
    if result.rowcount != 1:
        session.rollback()
        raise Conflict(f"This {type(obj).__name__.lower()} was changed by {last_editor(session, obj)} meanwhile; "
                       "reload the page to see their changes, then make yours again.")
    set_committed_value(obj, "version", expected + 1)


def last_editor(session: Session, obj) -> str:
    kind = type(obj).__name__.lower()
    mine = sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id == obj.id)
    if kind == "claim":  # a verdict or evidence saved on the claim moved it on too
        mine = sa.or_(mine, AuditEvent.claim_id == obj.id)
    event = session.exec(
        sa.select(AuditEvent).where(mine).order_by(AuditEvent.id.desc()).limit(1)
    ).scalars().first()
    if event is None or event.actor_id is None:
        return "someone else"
    user = session.get(User, event.actor_id)
    return user.username if user else "someone else"
