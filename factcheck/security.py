"""The login wall, role checks, CSRF, safe redirects and security headers."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urljoin, urlsplit

from flask import abort, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from factcheck.db import get_session
from factcheck.errors import NotFound
from factcheck.models import Role, User

login_manager = LoginManager()
csrf = CSRFProtect()
PUBLIC_ENDPOINTS = {"auth.login", "static"}


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    app.before_request(require_login)
    app.after_request(security_headers)


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Session ids carry the user's epoch: a password change or deactivation ends old sessions."""
    try:
        user_id, epoch = (int(x) for x in token.split(":"))
    except ValueError:
        return None
    user = get_session().get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


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


def load_or_404(model, object_id: int):
    obj = get_session().get(model, object_id)
    if obj is None:
        raise NotFound(f"No {model.__name__.lower()} with id {object_id}.")
    return obj


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-host relative targets: never an open redirect to another site."""
    if not target:
        return fallback
    joined = urlsplit(urljoin(request.host_url, target))
    if joined.scheme not in ("http", "https") or joined.netloc != urlsplit(request.host_url).netloc:
        return fallback
    if target.startswith(("//", "\\")) or "\\" in target:
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
