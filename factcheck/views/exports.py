"""Downloads: claim-status CSV for the current filter, and ClaimReview JSON-LD of published verdicts."""
from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, current_app, request, url_for
from sqlmodel import Session

from factcheck import forms
from factcheck.db import get_engine, get_session
from factcheck.errors import InvalidInput, NotFound
from factcheck.exports import claimreview
from factcheck.exports.csv import export_csv
from factcheck.models import Claim
from factcheck.security import ANY_ROLE, EDITORS, load_or_404, role_required
from factcheck.views.common import whole_number
from factcheck.views.search import filters_from

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.route("/claims.csv")
@role_required(*EDITORS)
def claims_csv():
    form = forms.search_form(get_session(), request.args)
    if not form.validate():
        raise InvalidInput("The export filters are not valid.")
    filters, query, engine = filters_from(form), form.q.data or "", get_engine()
    if request.args.get("similar"):  # "Export these" on a find-similar page: the claims like that one, without it
        claim = load_or_404(Claim, whole_number(request.args["similar"], "similar is the number of a claim."))
        filters, query = replace(filters, exclude_claim=claim.id), claim.text

    def rows():
        # the stream runs after the request has ended, and so has the request's session: it reads
        # with a session of its own, which gives its connection back when the stream ends or is dropped
        with Session(engine, expire_on_commit=False) as session:
            yield from export_csv(session, filters, query)

    name = f"factcheck-claims-{date.today().isoformat()}.csv"
    return Response(rows(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/claims/<int:claim_id>/claimreview.json")
@role_required(*ANY_ROLE)
def claimreview_json(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    review = claimreview.claim_review(get_session(), claim, claimreview.Site.from_config(current_app.config))
    if review is None:
        raise NotFound("This claim has no signed-off verdict, so there is no ClaimReview to download.")
    return Response(claimreview.dumps_ld(review, indent=2), mimetype="application/ld+json",
                    headers={"Content-Disposition": f'attachment; filename="claimreview-{claim.id}.json"'})


@role_required(*ANY_ROLE)
def claimreview_feed():
    """/claimreview.json (registered at the root in views/__init__.py): a DataFeed page, ?page=N."""
    page = whole_number(request.args.get("page", "1"), "page must be a whole number from 1 to 1,000,000.",
                        maximum=1_000_000)
    reviews, more = claimreview.review_page(get_session(), claimreview.Site.from_config(current_app.config),
                                            page, current_app.config["CLAIMREVIEW_PAGE_SIZE"])
    next_url = url_for("exports.claimreview_feed", page=page + 1, _external=True) if more else None
    response = Response(claimreview.dumps_ld(claimreview.data_feed(reviews, next_url)), mimetype="application/ld+json")
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response
