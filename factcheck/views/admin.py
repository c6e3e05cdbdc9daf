"""Admin: desk members, roles, the rating scale and the claims' embeddings."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from factcheck import claim_vectors, forms, users, verdicts
from factcheck.db import get_engine, get_session, writer
from factcheck.models import Rating, Role, User
from factcheck.security import load_or_404, role_required
from factcheck.views.common import require_valid

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    session = get_session()
    return render_template("admin/index.html", users=users.list_users(session=session),
                           ratings=verdicts.scale(session, include_inactive=True),
                           user_form=forms.UserForm(), rating_form=forms.RatingForm(), role_form=forms.UserRoleForm(),
                           embedding=claim_vectors.embedding_status(session), embed_form=forms.EmbedClaimsForm())


@bp.route("/users", methods=["POST"])
@role_required(Role.ADMIN)
def create_user():
    form = forms.UserForm()
    require_valid(form)
    user = users.create_user(session=get_session(), actor=current_user, username=form.username.data,
                             password=form.password.data, role=form.role.data)
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
    form = forms.RatingForm()
    require_valid(form)
    verdicts.save_rating(session=get_session(), actor=current_user, rating=rating, name=form.name.data,
                         value=form.value.data, description=form.description.data or "", active=form.active.data)
    flash("Rating scale saved.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/embeddings", methods=["POST"])
@role_required(Role.ADMIN)
def embed_claims():
    require_valid(forms.EmbedClaimsForm())
    started = claim_vectors.start_embedding(engine=writer(get_engine()), actor=current_user)
    flash("Embedding claims in the background; reload this page to follow it." if started
          else "Claims are already being embedded.", "success" if started else "info")
    return redirect(url_for("admin.index"))
