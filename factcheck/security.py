"""The login wall, role checks, CSRF, safe redirects and security headers."""
from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlmodel import Session
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from factcheck import tokens
from factcheck.db import get_engine, get_session, writer
from factcheck.errors import NotFound
from factcheck.models import Role, User

login_manager = LoginManager()
csrf = CSRFProtect()
PUBLIC_ENDPOINTS = {"auth.login", "static"}
API_PREFIX = "/api/"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.before_request(refuse_nul_input)
    app.before_request(enforce_session_age)
    app.before_request(require_login)
    app.after_request(security_headers)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Session ids carry the user's epoch: a password change or deactivation ends old sessions."""
    try:
        user_id, epoch = (int(x) for x in token.split(":"))
    except ValueError:
        return None
    if bearer_token() is not None:
        return None  # a request that names a token is judged by that token alone, never by a cookie
    user = get_session().get(User, user_id)
    end_transaction()
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def end_transaction() -> None:
    """Loading the user must not hold SQLite's write lock while the view does slow work (extraction,
    fetching): the domain call opens its own transaction when it first touches the database."""
    get_session().commit()


def bearer_token() -> str | None:
    """The raw token of an API request sent with `Authorization: Bearer ...`; tokens work under /api/ only."""
    if not request.path.startswith(API_PREFIX):
        return None
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else None


@login_manager.request_loader
def load_user_from_token(_request) -> User | None:
    """Bearer authentication; a writer session because a good token notes when it was last used."""
    raw = bearer_token()
    if not raw:
        return None
    with Session(writer(get_engine()), expire_on_commit=False) as s:
        found = tokens.authenticate_token(session=s, raw=raw)
    if found is None:
        return None
    g.api_token_id = found[0].id
    user = get_session().get(User, found[1].id)
    end_transaction()
    return user


def refuse_nul_input():
    """NUL is never text a person typed, and PostgreSQL cannot store it: refuse it in any form or query field."""
    values = [v for fields in (request.args, request.form) for _name, vs in fields.lists() for v in vs]
    values += [f.filename or "" for _name, fs in request.files.lists() for f in fs]
    if any("\x00" in v for v in values) or (request.is_json and b"\\u0000" in request.get_data(cache=True)):
        abort(400, description="The form contains a NUL character, which is not allowed in text.")


def start_session(user: User) -> None:
    """A fresh session id at login (no fixation), stamped for the idle and absolute limits."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["login_at"] = session["seen_at"] = int(time.time())


def enforce_session_age():
    """Idle and absolute timeouts, judged on the server from the timestamps in the signed session."""
    if "_user_id" not in session:
        return None
    now, cfg = time.time(), current_app.config
    started, seen = session.get("login_at"), session.get("seen_at")
    if (not isinstance(started, int) or not isinstance(seen, int) or now - seen > cfg["SESSION_IDLE_MINUTES"] * 60
            or now - started > cfg["SESSION_MAX_HOURS"] * 3600):
        logout_user()
        session.clear()
        flash("Your session has expired; please log in again.", "info")
        return None  # require_login sends the now anonymous request to the login page
    session["seen_at"] = int(now)
    return None


def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith(API_PREFIX):
            raise Unauthorized("Send a valid API token as `Authorization: Bearer TOKEN`, or log in.",
                               www_authenticate=WWWAuthenticate("bearer"))
        return login_manager.unauthorized()
    return None


def protect_api_request():
    """Token requests carry no ambient credential, so they skip CSRF; cookie requests must send X-CSRFToken."""
    if request.method in UNSAFE_METHODS and g.get("api_token_id") is None:
        csrf.protect()


def role_required(*roles: Role):
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if Role(current_user.role) not in allowed:
                abort(403, description="Your role does not allow this.")
            return view(*args, **kwargs)

        wrapped.roles = allowed
        return wrapped

    return decorator


ANY_ROLE = (Role.REVIEWER, Role.EDITOR, Role.ADMIN)
EDITORS = (Role.EDITOR, Role.ADMIN)


MAX_ID = 2**63 - 1  # the largest id either database stores; a bigger number names nothing


def load_or_404(model, object_id: int):
    if not isinstance(object_id, int) or not 0 < object_id <= MAX_ID:
        raise NotFound(f"No {model.__name__.lower()} with id {str(object_id)[:40]}.")
    obj = get_session().get(model, object_id)
    if obj is None:
        raise NotFound(f"No {model.__name__.lower()} with id {object_id}.")
    return obj


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only a local path such as "/claims/3": never an open redirect to another site.

    Browsers read "//host", "/\\host", "http:host" and paths with tabs or newlines (which they drop)
    as another site, so anything but a plain path from a single "/" falls back."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def redirect_home():
    return redirect(url_for("claims.queue"))
