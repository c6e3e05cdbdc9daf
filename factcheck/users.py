"""Desk members: creation, passwords, roles and authentication."""
from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from factcheck import audit
from factcheck.errors import InvalidInput, NotFound
from factcheck.models import Role, User

MIN_PASSWORD = 12
MAX_PASSWORD = 256
HASH_METHOD = "scrypt"  # werkzeug's default; tests lower the cost to stay fast
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,80}$")
# Checked even for unknown users, so a login failure takes as long either way.
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-equally-slow")

# The most common leaked passwords of 12+ characters and the patterns people reach for first.
COMMON_PASSWORDS = frozenset("""
123456789012 1234567890123 12345678901234 qwertyuiopas qwertyuiop123 password1234 password12345
passwordpassword iloveyou1234 administrator letmein12345 welcome12345 changeme1234 factcheck123
factcheck1234 123123123123 111111111111 000000000000 abcdefghijkl abc123abc123 qwerty123456
1q2w3e4r5t6y 1qaz2wsx3edc zaq12wsxcde3 trustno1trustno1 football1234 baseball1234 superman1234
monkey123456 dragon123456 sunshine1234 princess1234 password123! Password1234 Password123!
p@ssw0rd1234 p@ssword1234 qwertyqwerty asdfghjkl123 asdfasdfasdf 987654321098 aaaaaaaaaaaa
""".split())


def check_password_rules(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Password must be at least {MIN_PASSWORD} characters.", field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Password must be at most {MAX_PASSWORD} characters.", field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or password in COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidInput("That password is too common or too simple; choose another.", field="password")
    if username and username.lower() in lowered:
        raise InvalidInput("Password must not contain the username.", field="password")


def create_user(*, session: Session, actor: User | None, username: str, password: str, role: Role | str) -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise InvalidInput("Username: 2-80 letters, digits, dot, dash or underscore.", field="username")
    role = Role(role)
    _refuse_taken(session, username)
    check_password_rules(password, username)
    user = User(username=username, password_hash=generate_password_hash(password, method=HASH_METHOD), role=role)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        # Someone created the same name (in any case) after the check above: the unique index on
        # lower(username) kept theirs, and this one gets the check's own answer.
        session.rollback()
        _refuse_taken(session, username)
        raise
    audit.record(session, actor or user, "user.create", user, {"username": username, "role": role.value})
    session.commit()
    return user


def set_password(*, session: Session, actor: User, user: User, password: str) -> User:
    check_password_rules(password, user.username)
    user.password_hash = generate_password_hash(password, method=HASH_METHOD)
    user.session_epoch += 1
    session.add(user)
    audit.record(session, actor, "user.password", user)
    session.commit()
    return user


def _refuse_taken(session: Session, username: str) -> None:
    clash = _named(session, username)
    if clash is not None:
        raise InvalidInput(f"User {clash.username!r} already exists (usernames ignore case).", field="username")


def update_user(*, session: Session, actor: User, user: User, role: Role | str | None = None,
                active: bool | None = None) -> User:
    """Role and activity in one change; either ends the user's current sessions."""
    updates = {}
    if role is not None:
        updates["role"] = Role(role).value
    if active is not None:
        if user.id == actor.id and not active:
            raise InvalidInput("You cannot deactivate yourself.")
        updates["active"] = active
    _lock_admins(session, user)
    changes = audit.diff(user, updates)
    if not changes:
        session.commit()  # ends the transaction and with it the locks
        return user
    stays_admin = updates.get("role", user.role) == Role.ADMIN and updates.get("active", user.active)
    if user.role == Role.ADMIN and user.active and not stays_admin and not _other_active_admins(session, user):
        raise InvalidInput("The desk needs an active admin: make another member admin before this change.")
    for field, (_old, new) in changes.items():
        setattr(user, field, new)
    user.session_epoch += 1
    session.add(user)
    audit.record(session, actor, "user.update", user, changes)
    session.commit()
    return user


def _lock_admins(session: Session, user: User) -> None:
    """Lock the active admins' rows and the user's (in id order, so two changes never deadlock)
    and re-read the user, before counting admins. Without it PostgreSQL lets two admins demote each
    other at once, each counting the other as the admin who remains. FOR NO KEY UPDATE: it blocks
    only another such change, not a transaction whose rows point at an admin (an import running for
    minutes, an audit row). SQLite renders no FOR UPDATE: its write transactions hold the database's
    lock from BEGIN (db.writer), which serialises them."""
    is_active_admin = (User.role == Role.ADMIN) & (User.active == True)  # noqa: E712
    rows = select(User.id).where(is_active_admin | (User.id == user.id)).order_by(User.id)
    session.exec(rows.with_for_update(key_share=True)).all()
    session.refresh(user)


def _other_active_admins(session: Session, user: User) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active == True,  # noqa: E712
                                                        User.id != user.id)
    return session.exec(stmt).one()


def _named(session: Session, username: str) -> User | None:
    """Usernames are unique ignoring case: "Alice" at the login form or in an assignment is alice,
    as the unique index on lower(username) that answers this says. Usernames are ASCII (USERNAME),
    so SQL lower() folds them alike on SQLite and PostgreSQL."""
    return session.exec(select(User).where(func.lower(User.username) == username.strip().lower())).first()


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    user = _named(session, username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def get_user(*, session: Session, username: str) -> User:
    user = _named(session, username)
    if user is None:
        raise NotFound(f"No user named {username!r}.")
    return user


def list_users(*, session: Session, role: Role | None = None, active_only: bool = False) -> list[User]:
    stmt = select(User).order_by(User.username)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if active_only:
        stmt = stmt.where(User.active == True)  # noqa: E712
    return list(session.exec(stmt))
