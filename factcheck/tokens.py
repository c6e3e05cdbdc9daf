"""API tokens: made once, shown once, stored only as a hash; revocable and optionally expiring."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from factcheck import audit
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.models import ApiToken, Role, User, utcnow

PREFIX = "fc_"  # recognisable in logs and by secret scanners
SHOWN_PREFIX = 12  # characters kept in clear so that people can tell their tokens apart
MAX_EXPIRY_DAYS = 3650
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at granularity: no write on every request


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(*, session: Session, actor: User | None, user: User | None = None, name: str,
                 expires_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user` (default: the actor); the raw token is returned here and nowhere else.

    actor None is the system: the command line on a desk that has no admin yet."""
    user = user or actor
    if user is None:
        raise InvalidInput("Name the desk member the token is for.")
    if actor is not None and user.id != actor.id and actor.role != Role.ADMIN:
        raise NotAllowed("You can create tokens for yourself only.")
    if not user.active:
        raise InvalidInput("Tokens are made for active desk members only.")
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise InvalidInput("A token needs a name of at most 100 characters, to tell it apart later.", field="name")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput(f"Expiry is between 1 and {MAX_EXPIRY_DAYS} days, or none.", field="expires_days")
    # names tell tokens apart; this also stops a reloaded form from minting a second token
    if any(t.name.lower() == name.lower() and is_usable(t) for t in tokens_of(session, user)):
        raise InvalidInput(f"You already have a live token named “{name}”: revoke it or choose another name.",
                           field="name")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:SHOWN_PREFIX],
                     expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None)
    session.add(token)
    session.flush()
    audit.record(session, actor, "token.create", token,
                 {"user": user.username, "name": name, "prefix": token.prefix, "expires_at": token.expires_at})
    session.commit()
    return token, raw


def revoke_token(*, session: Session, actor: User, token: ApiToken) -> ApiToken:
    """Owners revoke their own tokens; an admin may revoke anyone's (a leaked token cannot wait)."""
    if token.user_id != actor.id and actor.role != Role.ADMIN:
        raise NotAllowed("You can revoke your own tokens only.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    session.add(token)
    audit.record(session, actor, "token.revoke", token, {"name": token.name, "prefix": token.prefix})
    session.commit()
    return token


def is_usable(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def authenticate_token(*, session: Session, raw: str) -> tuple[ApiToken, User] | None:
    """The live token and its active owner, or None; notes when the token was last used."""
    if not raw.startswith(PREFIX) or not 20 <= len(raw) <= 200:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(raw))).first()
    if token is None or not is_usable(token):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        session.add(token)
        session.commit()
    return token, user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
