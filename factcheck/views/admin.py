"""Admin: desk members, roles, the rating scale and the claims' embeddings."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from factcheck import claim_vectors, forms, users, verdicts
from factcheck.db import get_engine, get_session, writer
from factcheck.models import Rating, Role, User
from factcheck.security import load_or_404, role_required
from factcheck.views.common import require_valid, run_form

bp = Blueprint("admin", __name__, url_prefix="/admin")


def render_page(status: int = 200, *, user_form=None, rating_form=None, edited: tuple[int, object] | None = None):
    """The admin page; a form sent with problems comes back with its values and reasons, the others fresh."""
    session = get_session()
    ratings = verdicts.scale(session, include_inactive=True)
    edit_forms = {r.id: forms.RatingForm(formdata=None, obj=r) for r in ratings}
    if edited:
        edit_forms.update([edited])
    return render_template("admin/index.html", users=users.list_users(session=session), ratings=ratings,
                           user_form=user_form or forms.UserForm(formdata=None),
                           rating_form=rating_form or forms.RatingForm(formdata=None), edit_forms=edit_forms,
                           embedding=claim_vectors.embedding_status(session), embed_form=forms.EmbedClaimsForm()), status


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    return render_page()


@bp.route("/users", methods=["POST"])
@role_required(Role.ADMIN)
def create_user():
    form = forms.UserForm()
    user = run_form(form, lambda: users.create_user(session=get_session(), actor=current_user, role=form.role.data,
                                                    username=form.username.data, password=form.password.data))
    if user is None:
        return render_page(400, user_form=form)
    flash(f"User {user.username} created.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/users/<int:user_id>", methods=["POST"])
@role_required(Role.ADMIN)
def update_user(user_id: int):
    user = load_or_404(User, user_id)
    form = forms.UserRoleForm()
    require_valid(form)
    users.update_user(session=get_session(), actor=current_user, user=user, role=form.role.data, active=form.active.data)
    flash(f"User {user.username} saved.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/ratings", methods=["POST"])
@bp.route("/ratings/<int:rating_id>", methods=["POST"])
@role_required(Role.ADMIN)
def save_rating(rating_id: int | None = None):
    rating = load_or_404(Rating, rating_id) if rating_id else None
    form = forms.RatingForm(obj=rating)  # an edit keeps what the request leaves out (a checkbox left out is off)
    saved = run_form(form, lambda: verdicts.save_rating(
        session=get_session(), actor=current_user, rating=rating, name=form.name.data, value=form.value.data,
        description=form.description.data or "", active=form.active.data))
    if saved is None:
        return render_page(400, **({"edited": (rating.id, form)} if rating else {"rating_form": form}))
    flash("Rating scale saved.", "success")
    return redirect(url_for("admin.index", _anchor="scale-h"))


@bp.route("/ratings/<int:rating_id>/move", methods=["POST"])
@role_required(Role.ADMIN)
def move_rating(rating_id: int):
    rating = load_or_404(Rating, rating_id)
    form = forms.MoveRatingForm()
    require_valid(form)
    verdicts.move_rating(session=get_session(), actor=current_user, rating=rating, direction=form.direction.data)
    flash(f"“{rating.name}” moved {form.direction.data}.", "success")
    return redirect(url_for("admin.index", _anchor="scale-h"))


@bp.route("/embeddings", methods=["POST"])
@role_required(Role.ADMIN)
def embed_claims():
    require_valid(forms.EmbedClaimsForm())
    started = claim_vectors.start_embedding(engine=writer(get_engine()), actor=current_user)
    flash("Embedding claims in the background; reload this page to follow it." if started
          else "Claims are already being embedded.", "success" if started else "info")
    return redirect(url_for("admin.index"))
