"""The claim queue and claim page: triage, assignment, edits, links."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from factcheck import claims, links, users, workflow
from factcheck.db import get_session
from factcheck.dossier import dossier
from factcheck.errors import InvalidInput
from factcheck.exports.claimreview import Site
from factcheck.forms import (AddClaimForm, AssignForm, EditClaimForm, LinkDecisionForm, LinkForm, MergeForm, SplitForm,
                             StatusForm, WorthinessForm)
from factcheck.models import Claim, ClaimLink, User
from factcheck.security import ANY_ROLE, EDITORS, load_or_404, role_required
from factcheck.views.common import match_settings, require_valid, run_form, whole_number
from factcheck import forms as forms_for

bp = Blueprint("claims", __name__, url_prefix="/claims")
QUEUE_PAGE_NUMBER = "The page number is a whole number from 1 to 100,000."


@role_required(*ANY_ROLE)
def home():
    return redirect(url_for("claims.queue"))


@bp.route("/")
@role_required(*ANY_ROLE)
def queue():
    return queue_page(forms_for.bulk_form(get_session()))


def queue_page(bulk_form, selected: frozenset[int] = frozenset()) -> str:
    """The queue as the query string asks; `selected`: claims whose boxes stay ticked."""
    status, mine, rereview = request.args.get("status") or None, bool(request.args.get("mine")), bool(request.args.get("rereview"))
    prior = bool(request.args.get("prior"))
    page = whole_number(request.args.get("page") or "1", QUEUE_PAGE_NUMBER, maximum=100_000)
    found = workflow.queue_page(session=get_session(), actor=current_user, status=status, mine=mine,
                                rereview=rereview, has_prior=prior, page=page)
    return render_template("claims/queue.html", result=found, claims=found.claims, status=status, mine=mine,
                           rereview=rereview, prior=prior, bulk_form=bulk_form, selected=selected)


@bp.route("/<int:claim_id>")
@role_required(*ANY_ROLE)
def detail(claim_id: int):
    return render_detail(load_or_404(Claim, claim_id))


def render_detail(claim: Claim, code: int = 200, **sent):
    """The claim page; a form sent with problems comes back with what was typed and the reasons, the others fresh."""
    data = dossier(get_session(), current_user, claim, site=Site.from_config(current_app.config))
    shown = {**forms_for.claim_forms(get_session(), current_user, claim), **sent}
    return render_template("claims/detail.html", d=data, claim=claim, forms=shown), code


def back_to_claim(claim: Claim, message: str, category: str = "success"):
    """Flash the outcome and go back to the claim page (every claim and review action ends so)."""
    flash(message, category)
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/<int:claim_id>/status", methods=["POST"])
@role_required(*ANY_ROLE)
def status(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = StatusForm()
    if run_form(form, lambda: workflow.change_status(
            session=get_session(), actor=current_user, claim=claim, status=form.status.data,
            reason=form.reason.data or "", expected_version=form.expected_version())) is None:
        form.status.choices = forms_for.status_choices(current_user, claim)  # shown again: the moves it offers
        return render_detail(claim, 400, status=form)
    return back_to_claim(claim, f"Claim is now {form.status.data.replace('_', ' ')}.")


@bp.route("/<int:claim_id>/assign", methods=["POST"])
@role_required(*ANY_ROLE)
def assign(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = AssignForm()
    form.assignee.choices = forms_for.assignee_choices(get_session())
    require_valid(form)
    assignee = users.get_user(session=get_session(), username=form.assignee.data) if form.assignee.data else None
    workflow.assign(session=get_session(), actor=current_user, claim=claim, assignee=assignee,
                    expected_version=form.expected_version())
    return back_to_claim(claim, f"Assigned to {assignee.username}." if assignee else "Unassigned.")


@bp.route("/<int:claim_id>/edit", methods=["POST"])
@role_required(*ANY_ROLE)
def edit(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = EditClaimForm()
    if run_form(form, lambda: claims.edit_claim(session=get_session(), actor=current_user, claim=claim,
                                                text=form.text.data, speaker=form.speaker.data,
                                                expected_version=form.expected_version())) is None:
        return render_detail(claim, 400, edit=form)
    return back_to_claim(claim, "Claim saved.")


@bp.route("/<int:claim_id>/worthiness", methods=["POST"])
@role_required(*ANY_ROLE)
def worthiness(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = WorthinessForm()
    require_valid(form)
    worthy = {"yes": True, "no": False}.get(form.worthy.data)
    claims.set_worthiness(session=get_session(), actor=current_user, claim=claim, worthy=worthy)
    return back_to_claim(claim, "Check-worthiness updated.")


@bp.route("/<int:claim_id>/split", methods=["POST"])
@role_required(*ANY_ROLE)
def split(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = SplitForm()
    parts = run_form(form, lambda: claims.split_claim(session=get_session(), actor=current_user, claim=claim,
                                                      parts=form.parts.data.splitlines(), settings=match_settings()))
    if parts is None:
        return render_detail(claim, 400, split=form)
    flash(f"Split into {len(parts)} claims.", "success")
    return redirect(url_for("articles.detail", article_id=claim.article_id))


@bp.route("/<int:claim_id>/merge", methods=["POST"])
@role_required(*ANY_ROLE)
def merge(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = MergeForm()
    require_valid(form)
    others = [load_or_404(Claim, i) for i in forms_for.parse_ids(form.others.data)]
    claims.merge_claims(session=get_session(), actor=current_user, keep=claim, others=others)
    return back_to_claim(claim, f"Merged {len(others)} claim(s) into this one.")


@bp.route("/<int:claim_id>/links", methods=["POST"])
@role_required(*ANY_ROLE)
def link(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    form = LinkForm()
    require_valid(form)
    links.link_manually(session=get_session(), actor=current_user, claim=claim, other=load_or_404(Claim, form.other.data))
    return back_to_claim(claim, "Linked as the same claim.")


@bp.route("/<int:claim_id>/links/<int:link_id>", methods=["POST"])
@role_required(*ANY_ROLE)
def decide_link(claim_id: int, link_id: int):
    claim, link = load_or_404(Claim, claim_id), load_or_404(ClaimLink, link_id)
    form = LinkDecisionForm()
    require_valid(form)
    if claim.id not in (link.claim_a_id, link.claim_b_id):
        raise InvalidInput("That link does not belong to this claim.")
    links.decide_link(session=get_session(), actor=current_user, link=link, state=form.decision.data,
                      seen_state=form.seen.data or None)
    return back_to_claim(claim, f"Link {form.decision.data}.")


@bp.route("/bulk", methods=["POST"])
@role_required(*EDITORS)
def bulk():
    form = forms_for.bulk_form(get_session())
    try:
        require_valid(form)
        chosen = [load_or_404(Claim, i) for i in dict.fromkeys(form.claim_ids.data)]  # each claim once
        assignee = load_or_404(User, int(form.assignee.data)) if form.assignee.data else None
        result = workflow.bulk(session=get_session(), actor=current_user, claims=chosen, action=form.action.data,
                               status=form.status.data or None, assignee=assignee)
    except InvalidInput as exc:
        # nothing changed: the queue again with the boxes still ticked and the choices as made
        flash(exc.message, "error")
        return queue_page(form, frozenset(form.claim_ids.data or ())), 400
    flash(f"{len(result.done)} of {len(chosen)} selected claim(s) changed, {len(result.refused)} refused.",
          "success" if result.done else "error")
    for reason, ids in result.refused_by_reason().items():
        flash(f"Refused {', '.join(f'#{i}' for i in ids)}: {reason}", "error")
    return redirect(url_for("claims.queue"))
