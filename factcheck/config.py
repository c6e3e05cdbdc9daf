"""Configuration in layers: defaults, instance/config.py, environment, test overrides."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "MAX_ARTICLE_BYTES": 2_000_000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Secure cookies are explicit: set FACTCHECK_SESSION_COOKIE_SECURE=1 whenever the desk is served over
    # HTTPS (it must stay off for plain-http local use, or the browser never sends the cookie back).
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    # Server-side session limits, checked on every request (security.enforce_session_age); the
    # cookie's own lifetime follows SESSION_MAX_HOURS.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    # Failed logins counted in the database, so every worker sees the same count.
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    # Behind a reverse proxy (nginx, a load balancer) every request comes from the proxy's address,
    # so the per-address limit would lock the whole desk out at once. Set this to the number of
    # proxies in front of the app so the client address is read from X-Forwarded-For; leave it at 0
    # when clients connect directly, or they could choose their own address with that header.
    "TRUSTED_PROXIES": 0,
    # Import by URL (pipeline.fetch): caps per fetch. FETCH_ALLOW_LOOPBACK is for tests only.
    "FETCH_MAX_BYTES": 2_000_000,
    "FETCH_TIMEOUT_SECONDS": 15.0,
    "FETCH_MAX_REDIRECTS": 5,
    "FETCH_ALLOW_LOOPBACK": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "MATCH_SUGGEST_THRESHOLD": 70.0,
    "MATCH_AUTO_THRESHOLD": 92.0,
    "DESK_NAME": "factcheck desk",
    "DESK_URL": "https://factcheck.example.org",
    "PUBLIC_BASE_URL": "https://factcheck.example.org/checks",
    "SEARCH_PAGE_SIZE": 25,
    "INDEX_DIR": None,  # None: instance/index, the shared search index base files
    # Other desks' fact-checks (priors.py): largest file imported, by upload or CLI.
    "PRIOR_MAX_BYTES": 20 * 1024 * 1024,
    "CLAIMREVIEW_PAGE_SIZE": 100,  # reviews per page of /claimreview.json
}

# Environment variables read as FACTCHECK_<NAME>; DATABASE_URL is read as is.
ENV_TYPES = {
    "SECRET_KEY": str, "INDEX_DIR": str, "MATCH_SUGGEST_THRESHOLD": float, "MATCH_AUTO_THRESHOLD": float,
    "DESK_NAME": str, "DESK_URL": str, "PUBLIC_BASE_URL": str, "MAX_ARTICLE_BYTES": int,
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes"),
    "SESSION_IDLE_MINUTES": float, "SESSION_MAX_HOURS": float, "FETCH_TIMEOUT_SECONDS": float,
    "FETCH_MAX_BYTES": int,
    "PRIOR_MAX_BYTES": int, "CLAIMREVIEW_PAGE_SIZE": int, "TRUSTED_PROXIES": int,
}


def load_config(app, test_config: dict | None) -> None:
    """Apply the layers in order; later ones win."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    for name, cast in ENV_TYPES.items():
        value = os.environ.get(f"FACTCHECK_{name}")
        if value is not None:
            app.config[name] = cast(value)
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path) / "factcheck.sqlite")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if app.config["MATCH_AUTO_THRESHOLD"] < app.config["MATCH_SUGGEST_THRESHOLD"]:
        raise ValueError("MATCH_AUTO_THRESHOLD must not be below MATCH_SUGGEST_THRESHOLD")


def instance_secret(instance: Path) -> str:
    """No default secret: create a random one, readable by the owner only, on first run."""
    path = instance / "secret_key"
    if not path.exists():
        # Written aside and linked into place, so that workers starting together agree on one key.
        tmp = instance / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
