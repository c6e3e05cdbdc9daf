"""factcheck: claim tracking and fact-check workflow for newsroom desks."""
from __future__ import annotations

import os

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Wire config, database, security, views and CLI; nothing else happens here."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    from factcheck import cli, config, db, security, templating, views

    config.load_config(app, test_config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    views.register_blueprints(app)
    cli.init_app(app)
    return app
