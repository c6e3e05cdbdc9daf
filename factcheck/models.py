"""Every table of factcheck, in one place while it stays small enough to read."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from enum import Enum
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns store and return UTC on SQLite and PostgreSQL alike."""
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def enum_column(length: int = 20):
    """Enums are stored as plain strings: portable, and new members need no migration."""
    return sa.String(length)


class Role(str, Enum):
    ADMIN = "admin"
    EDITOR = "editor"
    REVIEWER = "reviewer"


class ClaimStatus(str, Enum):
    NEW = "new"
    TRIAGED = "triaged"
    DISMISSED = "dismissed"
    IN_RESEARCH = "in_research"
    VERDICT_PROPOSED = "verdict_proposed"
    SIGNED_OFF = "signed_off"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class LinkState(str, Enum):
    SUGGESTED = "suggested"
    AUTO_CONFIRMED = "auto_confirmed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Stance(str, Enum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


class VerdictState(str, Enum):
    PROPOSED = "proposed"
    SIGNED_OFF = "signed_off"
    SENT_BACK = "sent_back"


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String(80), unique=True, index=True)
    password_hash: str = Field(sa_type=sa.String(255))
    role: Role = Field(sa_type=enum_column())
    active: bool = True
    # Changed on password change, deactivation and logout-everywhere: old sessions stop working.
    session_epoch: int = 0
    created_at: datetime = Field(default_factory=utcnow)

    # flask-login protocol, kept here so that security.py needs no wrapper class.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"


# Usernames are unique ignoring case ("Alice" and "alice" are one person). The check in
# users.create_user gives the friendly message; this index is what holds when two saves race.
# Usernames are ASCII (users.USERNAME), so SQL lower() folds them alike on SQLite and PostgreSQL.
sa.Index("uq_user_username_lower", sa.func.lower(User.__table__.c.username), unique=True)


class Article(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(sa_type=sa.String(500))
    outlet: Optional[str] = Field(default=None, sa_type=sa.String(200), index=True)
    url: Optional[str] = Field(default=None, sa_type=sa.String(2000))
    author: Optional[str] = Field(default=None, sa_type=sa.String(300))
    published_at: Optional[datetime] = None
    text: str = Field(sa_type=sa.Text)
    source_kind: str = Field(default="text", sa_type=sa.String(10))  # text, html, url
    extractor: str = Field(default="rules", sa_type=sa.String(20))  # which pipeline path ran
    boilerplate_json: str = Field(default="[]", sa_type=sa.Text)
    imported_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    imported_at: datetime = Field(default_factory=utcnow)

    @property
    def boilerplate(self) -> list[tuple[int, int]]:
        return [tuple(span) for span in json.loads(self.boilerplate_json or "[]")]


class Claim(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    text: str = Field(sa_type=sa.Text)
    speaker: Optional[str] = Field(default=None, sa_type=sa.String(300), index=True)
    start: int = 0
    end: int = 0
    checkworthiness: float = 0.0
    reasons_json: str = Field(default="[]", sa_type=sa.Text)
    worthiness_override: Optional[bool] = None  # a reviewer's call beats the score
    status: ClaimStatus = Field(default=ClaimStatus.NEW, sa_type=enum_column(), index=True)
    assignee_id: Optional[int] = Field(default=None, foreign_key="user.id", index=True)
    origin: str = Field(default="extracted", sa_type=sa.String(20))  # extracted, manual, split, merged
    merged_into_id: Optional[int] = Field(default=None, foreign_key="claim.id")
    extracted_text: Optional[str] = Field(default=None, sa_type=sa.Text)  # as the extractor gave it
    rereview_reason: Optional[str] = Field(default=None, sa_type=sa.Text)  # set when a linked verdict changed
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    version: int = 1  # optimistic locking: a save names the version it started from

    @property
    def reasons(self) -> list[str]:
        return json.loads(self.reasons_json or "[]")

    @property
    def is_checkworthy(self) -> bool:
        if self.worthiness_override is not None:
            return self.worthiness_override
        return self.checkworthiness >= 0.5


class ClaimLink(SQLModel, table=True):
    """An undirected pair (claim_a_id < claim_b_id); rejections are kept so they are not suggested again."""

    __table_args__ = (sa.UniqueConstraint("claim_a_id", "claim_b_id", name="uq_claimlink_pair"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    claim_a_id: int = Field(foreign_key="claim.id", index=True)
    claim_b_id: int = Field(foreign_key="claim.id", index=True)
    kind: str = Field(default="duplicate", sa_type=sa.String(20))
    score: float = 0.0
    state: LinkState = Field(default=LinkState.SUGGESTED, sa_type=enum_column())
    flags_json: str = Field(default="[]", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = None

    @property
    def flags(self) -> list[str]:
        return json.loads(self.flags_json or "[]")

    def other(self, claim_id: int) -> int:
        return self.claim_b_id if claim_id == self.claim_a_id else self.claim_a_id


class Evidence(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    url: str = Field(sa_type=sa.String(2000))
    quote: str = Field(default="", sa_type=sa.Text)
    stance: Stance = Field(sa_type=enum_column())
    note: str = Field(default="", sa_type=sa.Text)
    added_by_id: int = Field(foreign_key="user.id")
    added_at: datetime = Field(default_factory=utcnow)


class Rating(SQLModel, table=True):
    """One step of the desk's rating scale; the scale is the active ratings by position."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(80), unique=True)
    value: float  # numeric value for ClaimReview: higher is truer
    position: int = 0
    description: str = Field(default="", sa_type=sa.Text)
    active: bool = True


class Verdict(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    rating_id: int = Field(foreign_key="rating.id")
    rationale: str = Field(sa_type=sa.Text)
    state: VerdictState = Field(default=VerdictState.PROPOSED, sa_type=enum_column())
    given_by_id: int = Field(foreign_key="user.id")
    given_at: datetime = Field(default_factory=utcnow)
    signed_off_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    signed_off_at: Optional[datetime] = None
    sent_back_reason: Optional[str] = Field(default=None, sa_type=sa.Text)
    reused_from_id: Optional[int] = Field(default=None, foreign_key="verdict.id")  # provenance of reuse
    version: int = 1


class AuditEvent(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user.id")
    action: str = Field(sa_type=sa.String(60))
    object_type: str = Field(sa_type=sa.String(40))
    object_id: int
    claim_id: Optional[int] = Field(default=None, index=True)  # so a claim page shows its whole history
    changes_json: str = Field(default="{}", sa_type=sa.Text)

    @property
    def changes(self) -> dict:
        return json.loads(self.changes_json or "{}")


class ClaimChange(SQLModel, table=True):
    """Ordered log of claim text changes: every worker's search index follows it."""

    id: Optional[int] = Field(default=None, primary_key=True)
    claim_id: int = Field(index=True)
    op: str = Field(sa_type=sa.String(10))  # upsert, delete
    at: datetime = Field(default_factory=utcnow)


class RestoreEpoch(SQLModel, table=True):
    """One row naming the database's current life: `db restore` writes a new epoch after the backup's
    rows, so a worker whose index (or base on disk) came from before the restore knows to drop it."""

    id: Optional[int] = Field(default=None, primary_key=True)  # always 1 (RESTORE_EPOCH_ROW)
    epoch: str = Field(sa_type=sa.String(32))
    at: datetime = Field(default_factory=utcnow)


RESTORE_EPOCH_ROW = 1


class PriorFactCheck(SQLModel, table=True):
    """A fact-check published by another desk, imported from ClaimReview or the Fact Check Tools shape."""

    id: Optional[int] = Field(default=None, primary_key=True)
    url: str = Field(sa_type=sa.String(2000), unique=True)
    publisher: str = Field(sa_type=sa.String(300))
    claim_text: str = Field(sa_type=sa.Text)
    claimant: Optional[str] = Field(default=None, sa_type=sa.String(300))
    claim_date: Optional[datetime] = None
    rating_text: str = Field(default="", sa_type=sa.String(300))
    rating_value: Optional[float] = None
    review_date: Optional[datetime] = None
    language: Optional[str] = Field(default=None, sa_type=sa.String(20))
    source: str = Field(default="", sa_type=sa.String(300))  # the file or feed it came from
    imported_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    imported_at: datetime = Field(default_factory=utcnow)


class PriorLink(SQLModel, table=True):
    """A desk claim matched to another desk's fact-check."""

    __table_args__ = (sa.UniqueConstraint("claim_id", "prior_id", name="uq_priorlink_pair"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    prior_id: int = Field(foreign_key="priorfactcheck.id", index=True)
    score: float = 0.0
    flags_json: str = Field(default="[]", sa_type=sa.Text)
    state: LinkState = Field(default=LinkState.SUGGESTED, sa_type=enum_column())
    created_at: datetime = Field(default_factory=utcnow)

    @property
    def flags(self) -> list[str]:
        return json.loads(self.flags_json or "[]")


class RatingAlias(SQLModel, table=True):
    """Maps another desk's textual rating ("Pants on Fire") onto this desk's scale."""

    id: Optional[int] = Field(default=None, primary_key=True)
    alias: str = Field(sa_type=sa.String(300), unique=True)  # stored lower-cased, spaces folded
    rating_id: int = Field(foreign_key="rating.id")


class ApiToken(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(sa_type=sa.String(100))
    token_hash: str = Field(sa_type=sa.String(64), unique=True)  # sha256 hex; the token is shown once
    prefix: str = Field(sa_type=sa.String(12))  # first characters, to tell tokens apart in lists
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = None
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


class LoginAttempt(SQLModel, table=True):
    """Failed logins, kept in the database so that every worker counts the same attempts."""

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String(80), index=True)
    address: str = Field(sa_type=sa.String(64), index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class ClaimVector(SQLModel, table=True):
    """A claim's sentence embedding, stored so that it is computed once and read by every worker."""

    claim_id: int = Field(foreign_key="claim.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    model: str = Field(sa_type=sa.String(100))  # which embedder made it: another model's vectors count as missing
    text_hash: str = Field(sa_type=sa.String(32), index=True)  # of the text embedded: an edited text's is stale
    vector: bytes = Field(sa_type=sa.LargeBinary)  # float16, little-endian
    created_at: datetime = Field(default_factory=utcnow)


class PriorVector(SQLModel, table=True):
    """Another desk's fact-check's sentence embedding (as ClaimVector): the prior index then finds
    fact-checks by meaning, not only by their words."""

    prior_id: int = Field(foreign_key="priorfactcheck.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    model: str = Field(sa_type=sa.String(100))
    text_hash: str = Field(sa_type=sa.String(32), index=True)
    vector: bytes = Field(sa_type=sa.LargeBinary)  # float16, little-endian
    created_at: datetime = Field(default_factory=utcnow)
