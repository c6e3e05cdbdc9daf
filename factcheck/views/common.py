"""Small helpers every blueprint uses to stay thin."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import current_app, flash, render_template

from factcheck.errors import FactcheckError, InvalidInput
from factcheck.links import MatchSettings
from factcheck.security import MAX_ID


def match_settings() -> MatchSettings:
    cfg = current_app.config
    return MatchSettings(suggest=cfg["MATCH_SUGGEST_THRESHOLD"], auto=cfg["MATCH_AUTO_THRESHOLD"])


def as_datetime(day) -> datetime | None:
    return datetime.combine(day, time(12), timezone.utc) if day else None


def form_failed(template: str, form, message: str, status: int = 400, **context):
    """Re-render a form with the domain's reason as a form-level error."""
    flash(message, "error")
    return render_template(template, form=form, **context), status


def refuse_on_form(form, exc: FactcheckError) -> None:
    """Show a domain refusal beside the field it names, else above the form (a flash on this response)."""
    field = form._fields.get(exc.field) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def run_form(form, action):
    """action() when the form validates; None when the form or the domain refused the input, with each
    reason left on the form (beside its field where it names one) for the page to show again."""
    if not form.validate_on_submit():
        return None
    try:
        return action()
    except InvalidInput as exc:
        refuse_on_form(form, exc)
        return None


def form_errors(form) -> str:
    """Each field's problems, once each, named by the field's label."""
    return "; ".join(f"{getattr(form, k).label.text}: {' '.join(dict.fromkeys(v))}" if hasattr(form, k)
                     else " ".join(v) for k, v in form.errors.items())


def require_valid(form) -> None:
    """A failed POST form becomes a 400 naming each field's problem."""
    if not form.validate_on_submit():
        raise InvalidInput(form_errors(form) or "The form was incomplete.")


def whole_number(text: str | None, message: str, maximum: int = MAX_ID) -> int:
    """A positive id or page number sent as text. ASCII digits only: str.isdigit() accepts "²", which
    int() refuses, and int() refuses 4,300 digits or more; either would be a 500."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(maximum)) and 1 <= int(text) <= maximum):
        raise InvalidInput(message)
    return int(text)
