"""One error page for every failure, with the reason and the right status."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from factcheck.db import RACE_MESSAGE, reset_session
from factcheck.errors import FactcheckError


def init_app(app) -> None:
    @app.errorhandler(FactcheckError)
    def domain_error(exc: FactcheckError):
        return render_template("errors/error.html", code=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template("errors/error.html", code=400,
                               message="The form expired or was not sent from factcheck. Reload the page and try again."), 400

    @app.errorhandler(IntegrityError)
    def race_error(_exc: IntegrityError):
        """Two people saving the same pair, name or link at once: the database keeps one, the
        other is told (the checks before a save cannot see a save that is not committed yet)."""
        reset_session()
        return render_template("errors/error.html", code=409, message=RACE_MESSAGE), 409

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code and exc.code >= 500:
            reset_session()
        return render_template("errors/error.html", code=exc.code, message=exc.description), exc.code
