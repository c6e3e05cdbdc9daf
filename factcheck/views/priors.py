"""Other desks' fact-checks: import files, map their ratings, attach one to a claim as evidence."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from factcheck import forms, priors
from factcheck.db import get_session
from factcheck.models import Claim, PriorFactCheck, RatingAlias, Role
from factcheck.security import ANY_ROLE, EDITORS, load_or_404, role_required
from factcheck.serializers import plain
from factcheck.views.common import require_valid, run_form

bp = Blueprint("priors", __name__, url_prefix="/priors")
MULTIPART_SLACK = 256 * 1024  # boundaries, headers and the other fields around the files


@bp.url_value_preprocessor
def widen_upload_limit(endpoint, _values):
    """Feeds outgrow the app-wide request cap: an editor's import may carry up to PRIOR_MAX_BYTES.

    A URL value preprocessor runs before the app's CSRF check reads the body; everyone else, and
    every other route, keeps MAX_CONTENT_LENGTH, and a larger body is refused with a 413 page.
    """
    if endpoint == "priors.import_" and request.method == "POST" and current_user.is_authenticated \
            and current_user.role in EDITORS:
        request.max_content_length = current_app.config["PRIOR_MAX_BYTES"] + MULTIPART_SLACK


@bp.route("/")
@role_required(*ANY_ROLE)
def index():
    return render_index(forms.alias_form(get_session()))


def render_index(alias_form, status: int = 200):
    session = get_session()
    return render_template("priors/index.html", priors=priors.list_priors(session),
                           aliases=priors.list_aliases(session), alias_form=alias_form), status


@bp.route("/import", methods=["GET", "POST"])
@role_required(*EDITORS)
def import_():
    form = forms.PriorImportForm()
    uploads = form.uploads() if form.validate_on_submit() else []
    if not uploads:
        if request.method == "POST":
            flash("Choose at least one JSON file to import.", "error")
        return render_template("priors/import.html", form=form, results=None), 400 if request.method == "POST" else 200
    results = priors.import_prior_files(
        session=get_session(), actor=current_user, files=uploads, skip_existing=form.skip_existing.data,
        max_bytes=current_app.config["PRIOR_MAX_BYTES"], threshold=current_app.config["MATCH_SUGGEST_THRESHOLD"])
    status = 400 if any(r.error for r in results) else 200
    return render_template("priors/import.html", form=form, results=results), status


@bp.route("/aliases", methods=["POST"])
@role_required(Role.ADMIN)
def save_alias():
    form = forms.alias_form(get_session())
    alias = run_form(form, lambda: priors.save_alias(session=get_session(), actor=current_user, alias=form.alias.data,
                                                     rating_id=form.rating.data))
    if alias is None:  # the page again, with the typed alias and the reason beside it
        return render_index(form, 400)
    flash(f"“{alias.alias}” now maps to the desk's scale.", "success")
    return redirect(url_for("priors.index"))


@bp.route("/aliases/<int:alias_id>/delete", methods=["POST"])
@role_required(Role.ADMIN)
def delete_alias(alias_id: int):
    alias = load_or_404(RatingAlias, alias_id)
    require_valid(forms.SignOffForm())  # a bare CSRF-checked form
    priors.delete_alias(session=get_session(), actor=current_user, alias=alias)
    flash(f"“{alias.alias}” is no longer mapped.", "success")
    return redirect(url_for("priors.index"))


@bp.route("/<int:prior_id>/claims/<int:claim_id>/reject", methods=["POST"])
@role_required(*ANY_ROLE)
def reject(prior_id: int, claim_id: int):
    prior, claim = load_or_404(PriorFactCheck, prior_id), load_or_404(Claim, claim_id)
    require_valid(forms.SignOffForm())
    priors.reject_match(session=get_session(), actor=current_user, claim=claim, prior=prior)
    flash(f"{prior.publisher}'s fact-check is no longer matched to this claim.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/<int:prior_id>/claims/<int:claim_id>/evidence", methods=["POST"])
@role_required(*ANY_ROLE)
def attach(prior_id: int, claim_id: int):
    prior, claim = load_or_404(PriorFactCheck, prior_id), load_or_404(Claim, claim_id)
    require_valid(forms.SignOffForm())
    item = priors.attach_prior(session=get_session(), actor=current_user, claim=claim, prior=prior)
    flash(f"{prior.publisher}'s fact-check attached as evidence ({plain(item.stance)}).", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))
