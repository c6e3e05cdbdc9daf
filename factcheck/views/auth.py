"""Login and logout."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from factcheck import users
from factcheck.db import get_session
from factcheck.forms import LoginForm, LogoutForm
from factcheck.security import ANY_ROLE, role_required, safe_next_url

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(session=get_session(), username=form.username.data, password=form.password.data)
        if user is not None:
            session.clear()  # a fresh session id at login: no fixation
            login_user(user)
            session.permanent = True
            return redirect(safe_next_url(request.args.get("next"), url_for("claims.queue")))
        flash("Unknown username or wrong password.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*ANY_ROLE)
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
