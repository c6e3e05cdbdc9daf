"""A desk member's own API tokens: create one (shown once, on this response only) and revoke."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from factcheck import forms, tokens
from factcheck.db import get_session
from factcheck.models import ApiToken, utcnow
from factcheck.security import ANY_ROLE, load_or_404, role_required
from factcheck.views.common import require_valid, run_form

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


def render_page(form, new_token: str | None = None, status: int = 200):
    return render_template("tokens/index.html", form=form, tokens=tokens.tokens_of(get_session(), current_user),
                           new_token=new_token, now=utcnow()), status


@bp.route("/")
@role_required(*ANY_ROLE)
def index():
    return render_page(forms.TokenForm())


@bp.route("/", methods=["POST"])
@role_required(*ANY_ROLE)
def create():
    form = forms.TokenForm()
    created = run_form(form, lambda: tokens.create_token(session=get_session(), actor=current_user,
                                                         name=form.name.data, expires_days=form.expires_days.data))
    if created is None:
        return render_page(form, status=400)
    _token, raw = created
    # Rendered, not redirected: the raw token must not travel through the session cookie or a flash.
    return render_page(forms.TokenForm(formdata=None), new_token=raw, status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@role_required(*ANY_ROLE)
def revoke(token_id: int):
    token = load_or_404(ApiToken, token_id)
    require_valid(forms.RevokeTokenForm())
    tokens.revoke_token(session=get_session(), actor=current_user, token=token)
    flash(f"Token “{token.name}” revoked; tools using it are refused from now on.", "success")
    return redirect(url_for("tokens.index"))
