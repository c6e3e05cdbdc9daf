"""Downloads: claim-status CSV for the current filter."""
from datetime import date

from flask import Blueprint, Response, request, stream_with_context

from factcheck import forms
from factcheck.db import get_session
from factcheck.errors import InvalidInput
from factcheck.exports.csv import export_csv
from factcheck.security import EDITORS, role_required
from factcheck.views.search import filters_from

bp = Blueprint("exports", __name__, url_prefix="/export")


@bp.route("/claims.csv")
@role_required(*EDITORS)
def claims_csv():
    form = forms.search_form(get_session(), request.args)
    if not form.validate():
        raise InvalidInput("The export filters are not valid.")
    rows = export_csv(get_session(), filters_from(form))
    name = f"factcheck-claims-{date.today().isoformat()}.csv"
    return Response(stream_with_context(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
