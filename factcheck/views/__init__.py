"""The web layer: HTTP only. Every blueprint is listed here, once."""
from factcheck.views import admin, articles, auth, claims, errors, exports, reviews, search

BLUEPRINTS = (auth.bp, articles.bp, claims.bp, reviews.bp, search.bp, exports.bp, admin.bp)


def register_blueprints(app) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    errors.init_app(app)
    app.add_url_rule("/", "index", claims.home)
