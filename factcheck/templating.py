"""Jinja filters and globals shared by every template."""
from __future__ import annotations

import re
from datetime import datetime

from flask import g, get_flashed_messages, request, url_for
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape
from wtforms import Form

from factcheck import permissions
from factcheck.search import highlight
from factcheck.serializers import plain


def status_label(value) -> str:
    return str(getattr(value, "value", value) or "").replace("_", " ")


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


LIST_VALUED = {"into", "merged", "added", "retired", "protected", "flags"}


def change(value, key: str = "") -> str:
    """An audit value as a person reads it: [old, new] as "old → new", nothing as "—"."""
    def one(v) -> str:
        if v is None or v == "":
            return "—"
        if isinstance(v, list):
            return ", ".join(one(x) for x in v) or "—"
        return str(v).replace("_", " ") if isinstance(v, str) and v.isidentifier() else str(v)

    if key not in LIST_VALUED and isinstance(value, list) and len(value) == 2 and not any(isinstance(x, list) for x in value):
        return f"{one(value[0])} → {one(value[1])}"
    return one(value)


_CLAIM_REF = re.compile(r"\bclaim #(\d{1,9})\b")


def claim_links(text: str | None) -> Markup:
    """Escaped text whose "claim #N" mentions link to those claims ("linked claim #13 changed")."""
    return Markup(_CLAIM_REF.sub(lambda m: Markup('claim <a href="{}">#{}</a>').format(
        url_for("claims.detail", claim_id=int(m.group(1))), m.group(1)), str(escape(text or ""))))


def focus_first_error() -> bool:
    """True once per page, for the first refused field it renders: that field takes the focus, so
    that a keyboard or screen-reader user lands on what to correct, not at the top of the page."""
    if g.get("error_focused"):
        return False
    g.error_focused = True
    return True


def page_url(page: int) -> str:
    """This page's URL with the same query, on another result page."""
    args = {**request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _failed(value) -> bool:
    if isinstance(value, Form):
        return bool(value.errors)
    return isinstance(value, dict) and any(isinstance(v, Form) and v.errors for v in value.values())


@pass_context
def page_has_errors(context) -> bool:
    """The page shows a form sent back with problems, or an error message: its title says so first."""
    return (any(_failed(value) for value in context.get_all().values())
            or any(category == "error" for category, _ in get_flashed_messages(with_categories=True)))


def init_app(app) -> None:
    app.jinja_env.filters.update(status_label=status_label, when=when, change=change, plain=plain,
                                 claim_links=claim_links)
    app.jinja_env.globals.update(highlight=highlight, page_url=page_url, page_has_errors=page_has_errors,
                                 focus_first_error=focus_first_error,
                                 perms=permissions, current_user=current_user)
