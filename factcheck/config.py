"""Configuration in layers: defaults, instance/config.py, environment, test overrides."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "MAX_ARTICLE_BYTES": 2_000_000,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,
    "MATCH_SUGGEST_THRESHOLD": 70.0,
    "MATCH_AUTO_THRESHOLD": 92.0,
    "DESK_NAME": "factcheck desk",
    "DESK_URL": "https://factcheck.example.org",
    "PUBLIC_BASE_URL": "https://factcheck.example.org/checks",
    "SEARCH_PAGE_SIZE": 25,
}

# Environment variables read as FACTCHECK_<NAME>; DATABASE_URL is read as is.
ENV_TYPES = {
    "SECRET_KEY": str, "MATCH_SUGGEST_THRESHOLD": float, "MATCH_AUTO_THRESHOLD": float,
    "DESK_NAME": str, "DESK_URL": str, "PUBLIC_BASE_URL": str, "MAX_ARTICLE_BYTES": int,
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes"),
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
