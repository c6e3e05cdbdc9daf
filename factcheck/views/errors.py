"""One error page for every failure, with the reason and the right status."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from factcheck.errors import FactcheckError


def init_app(app) -> None:
    @app.errorhandler(FactcheckError)
    def domain_error(exc: FactcheckError):
        return render_template("errors/error.html", code=exc.status, message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template("errors/error.html", code=400,
                               message="The form expired or was not sent from factcheck. Reload the page and try again."), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return render_template("errors/error.html", code=exc.code, message=exc.description), exc.code
