"""The web layer: HTTP only. Every blueprint is listed here, once."""
from factcheck.views import (admin, api, articles, auth, claims, dashboard, errors, exports, priors, reviews, search,
                             tokens)

BLUEPRINTS = (auth.bp, articles.bp, claims.bp, reviews.bp, search.bp, exports.bp, admin.bp, dashboard.bp, api.bp, tokens.bp,
              priors.bp)


def register_blueprints(app) -> None:
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    errors.init_app(app)
    app.add_url_rule("/", "index", claims.home)
    app.add_url_rule("/claimreview.json", "exports.claimreview_feed", exports.claimreview_feed)
