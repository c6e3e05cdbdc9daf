"""Fuzzy search over all claims."""
from flask import Blueprint, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from factcheck import forms, search
from factcheck.db import get_session
from factcheck.models import Claim
from factcheck.security import ANY_ROLE, load_or_404, role_required

bp = Blueprint("search", __name__, url_prefix="/search")


def filters_from(form) -> search.Filters:
    return search.Filters(status=form.status.data or None, verdict=form.verdict.data or None,
                          outlet=form.outlet.data or None, speaker=form.speaker.data or None,
                          date_from=form.date_from.data, date_to=form.date_to.data, article_id=form.article.data)


@bp.route("/")
@role_required(*ANY_ROLE)
def index():
    form = forms.search_form(get_session(), request.args)
    if not form.validate():
        return render_template("search/index.html", form=form, result=None), 400
    result = search.search_claims(session=get_session(), query=form.q.data or "", filters=filters_from(form),
                                  page=form.page.data or 1, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    return render_template("search/index.html", form=form, result=result)


@bp.route("/similar/<int:claim_id>")
@role_required(*ANY_ROLE)
def similar(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = forms.search_form(get_session(), MultiDict({"q": claim.text, "page": request.args.get("page", "1")}))
    if not form.page.validate(form):
        return render_template("search/index.html", form=form, result=None, similar_to=claim), 400
    result = search.search_claims(session=get_session(), query=claim.text, filters=search.Filters(exclude_claim=claim.id),
                                  page=form.page.data or 1, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    return render_template("search/index.html", form=form, result=result, similar_to=claim)
