"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import datetime

from flask import request, url_for
from flask_login import current_user

from factcheck import permissions
from factcheck.search import highlight


def status_label(value) -> str:
    return str(getattr(value, "value", value) or "").replace("_", " ")


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def page_url(page: int) -> str:
    """This page's URL with the same query, on another result page."""
    args = {**request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app) -> None:
    app.jinja_env.filters.update(status_label=status_label, when=when)
    app.jinja_env.globals.update(highlight=highlight, page_url=page_url, perms=permissions, current_user=current_user)
