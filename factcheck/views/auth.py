"""Login and logout."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from factcheck import logins
from factcheck.db import get_session
from factcheck.forms import LoginForm, LogoutForm
from factcheck.security import ANY_ROLE, role_required, safe_next_url, start_session

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = logins.attempt_login(session=get_session(), username=form.username.data, password=form.password.data,
                                        address=request.remote_addr or "", limits=logins.LoginLimits.from_config(current_app.config))
        except logins.TooManyAttempts as exc:
            flash(exc.message, "error")
            return render_template("auth/login.html", form=form), 429
        if user is not None:
            start_session(user)
            return redirect(safe_next_url(request.args.get("next"), url_for("claims.queue")))
        flash("Unknown username or wrong password.", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*ANY_ROLE)
def logout():
    if LogoutForm().validate_on_submit():
        logins.end_sessions(session=get_session(), actor=current_user)
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
