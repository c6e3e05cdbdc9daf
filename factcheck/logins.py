"""Failed-login throttling per account and per address, counted in the database so all workers agree."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta, timezone

from sqlalchemy import delete, func
from sqlmodel import Session, select

from factcheck import audit, users
from factcheck.errors import FactcheckError
from factcheck.models import LoginAttempt, User, utcnow

KEEP = timedelta(days=1)  # failures older than this are pruned; far beyond any window


class TooManyAttempts(FactcheckError):
    status = 429


@dataclass(frozen=True)
class LoginLimits:
    window_minutes: float = 15
    per_account: int = 5
    per_address: int = 20

    @classmethod
    def from_config(cls, config) -> LoginLimits:
        return cls(window_minutes=float(config.get("LOGIN_WINDOW_MINUTES", 15)),
                   per_account=int(config.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)),
                   per_address=int(config.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)))


def account_key(username: str) -> str:
    """The same key whatever the case or padding someone types, so variants share one count."""
    return (username or "").strip().lower()[:80]


def check_allowed(*, session: Session, username: str, address: str, limits: LoginLimits = LoginLimits()) -> None:
    """Refuse before the password is even checked while the account or the address is locked."""
    since = utcnow() - timedelta(minutes=limits.window_minutes)
    for column, value, limit in ((LoginAttempt.username, account_key(username), limits.per_account),
                                 (LoginAttempt.address, (address or "")[:64], limits.per_address)):
        times = list(session.exec(select(LoginAttempt.at).where(column == value, LoginAttempt.at > since)
                                  .order_by(LoginAttempt.at.desc()).limit(limit)))
        if len(times) >= limit:
            oldest = _aware(times[-1])  # the failure whose expiry brings the count under the limit
            wait = oldest + timedelta(minutes=limits.window_minutes) - utcnow()
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise TooManyAttempts(f"Too many failed logins; try again in {minutes} minute{'s' if minutes != 1 else ''}.")


def record_failure(*, session: Session, username: str, address: str) -> None:
    """One failed login, and old failures pruned, in one transaction."""
    session.exec(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - KEEP))
    session.add(LoginAttempt(username=account_key(username), address=(address or "")[:64]))
    session.commit()


def clear_failures(*, session: Session, username: str) -> None:
    """A successful login wipes the account's count (never the address's: one good account must not
    reset an address that is guessing others)."""
    session.exec(delete(LoginAttempt).where(LoginAttempt.username == account_key(username)))
    session.commit()


def failures(session: Session, username: str) -> int:
    return session.exec(select(func.count()).select_from(LoginAttempt)
                        .where(LoginAttempt.username == account_key(username))).one()


def _aware(moment):
    """A naive datetime from the database was stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def attempt_login(*, session: Session, username: str, password: str, address: str,
                  limits: LoginLimits = LoginLimits()):
    """The user if the password is right and neither the account nor the address is locked, else None
    (and the failure counted); TooManyAttempts while locked, before any password is checked."""
    check_allowed(session=session, username=username, address=address, limits=limits)
    user = users.authenticate(session=session, username=username, password=password)
    if user is None:
        record_failure(session=session, username=username, address=address)
        return None
    clear_failures(session=session, username=username)
    return user


def end_sessions(*, session: Session, actor: User) -> None:
    """Logout ends every session of the user: a signed-cookie session cannot be revoked on its own, so
    a copied cookie would otherwise outlive the logout."""
    user = session.get(User, actor.id)
    user.session_epoch += 1
    audit.record(session, user, "user.logout", user)
    session.commit()
