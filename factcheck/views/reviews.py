"""Research on a claim: evidence, verdict proposals, editor sign-off and send-back, reuse."""
from flask import Blueprint
from flask_login import current_user

from factcheck import evidence, forms, verdicts
from factcheck.db import get_session
from factcheck.models import Claim, Evidence, Verdict
from factcheck.security import ANY_ROLE, EDITORS, load_or_404, role_required
from factcheck.views.claims import back_to_claim, render_detail
from factcheck.views.common import require_valid, run_form, whole_number

bp = Blueprint("reviews", __name__, url_prefix="/claims/<int:claim_id>")


@bp.route("/evidence", methods=["POST"])
@role_required(*ANY_ROLE)
def add_evidence(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = forms.EvidenceForm()
    if run_form(form, lambda: evidence.add_evidence(
            session=get_session(), actor=current_user, claim=claim, url=form.url.data, stance=form.stance.data,
            quote=form.quote.data or "", note=form.note.data or "")) is None:
        return render_detail(claim, 400, evidence=form)
    return back_to_claim(claim, "Evidence added.")


@bp.route("/evidence/<int:evidence_id>/delete", methods=["POST"])
@role_required(*ANY_ROLE)
def remove_evidence(claim_id: int, evidence_id: int):
    claim, item = load_or_404(Claim, claim_id), load_or_404(Evidence, evidence_id)
    require_valid(forms.SignOffForm())  # a bare CSRF-checked form
    evidence.remove_evidence(session=get_session(), actor=current_user, claim=claim, item=item)
    return back_to_claim(claim, "Evidence removed.")


@bp.route("/verdict", methods=["POST"])
@role_required(*ANY_ROLE)
def propose(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = forms.VerdictForm()
    form.rating.choices = forms.rating_choices(get_session())
    if run_form(form, lambda: verdicts.propose_verdict(
            session=get_session(), actor=current_user, claim=claim, rating_id=form.rating.data,
            rationale=form.rationale.data, expected_version=form.expected_version())) is None:
        return render_detail(claim, 400, verdict=form)
    return back_to_claim(claim, "Verdict proposed; an editor will review it.")


@bp.route("/verdict/<int:verdict_id>/sign-off", methods=["POST"])
@role_required(*EDITORS)
def sign_off(claim_id: int, verdict_id: int):
    claim, verdict = load_or_404(Claim, claim_id), load_or_404(Verdict, verdict_id)
    require_valid(forms.SignOffForm())
    verdicts.sign_off(session=get_session(), actor=current_user, claim=claim, verdict=verdict)
    return back_to_claim(claim, "Verdict signed off and published.")


@bp.route("/verdict/<int:verdict_id>/send-back", methods=["POST"])
@role_required(*EDITORS)
def send_back(claim_id: int, verdict_id: int):
    claim, verdict = load_or_404(Claim, claim_id), load_or_404(Verdict, verdict_id)
    form = forms.SendBackForm()
    if run_form(form, lambda: verdicts.send_back(session=get_session(), actor=current_user, claim=claim,
                                                 verdict=verdict, reason=form.reason.data)) is None:
        return render_detail(claim, 400, send_back=form)
    return back_to_claim(claim, "Verdict sent back to research.")


@bp.route("/verdict/reuse", methods=["POST"])
@role_required(*ANY_ROLE)
def reuse(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = forms.ReuseForm()
    require_valid(form)
    source = load_or_404(Verdict, whole_number(form.verdict_id.data, "Choose a verdict to reuse."))
    verdicts.reuse_verdict(session=get_session(), actor=current_user, claim=claim, source=source)
    return back_to_claim(claim, "Verdict proposed from the linked claim; an editor will review it.")
