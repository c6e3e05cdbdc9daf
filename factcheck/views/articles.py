"""Importing articles and reading them with their claims highlighted."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from factcheck import articles, claims
from factcheck.db import get_session
from factcheck.errors import FactcheckError
from factcheck.forms import AddClaimForm, ImportForm, ReextractForm
from factcheck.models import Article
from factcheck.pipeline.fetch import FetchLimits
from factcheck.security import ANY_ROLE, EDITORS, load_or_404, role_required
from factcheck.views.common import as_datetime, form_failed, match_settings, require_valid, run_form

bp = Blueprint("articles", __name__, url_prefix="/articles")


@bp.route("/")
@role_required(*ANY_ROLE)
def index():
    return render_template("articles/index.html", articles=articles.list_articles(get_session()))


@bp.route("/import", methods=["GET", "POST"])
@role_required(*ANY_ROLE)
def import_():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("articles/import.html", form=form), 400 if form.errors else 200
    try:
        article = articles.import_article(
            session=get_session(), actor=current_user, source=form.source(), title=form.title.data,
            outlet=form.outlet.data, url=form.url.data or None, author=form.author.data or None,
            published_at=as_datetime(form.published_at.data), max_bytes=current_app.config["MAX_ARTICLE_BYTES"],
            settings=match_settings(), fetch_limits=FetchLimits.from_config(current_app.config),
            allow_duplicate=form.again.data)
    except FactcheckError as exc:
        return form_failed("articles/import.html", form, exc.message, exc.status,
                           earlier=getattr(exc, "article_id", None))  # a duplicate: the link to the earlier import
    flash(f"Imported “{article.title}”.", "success")
    return redirect(url_for("articles.detail", article_id=article.id))


def render_detail(article: Article, form: AddClaimForm, status: int = 200):
    found = articles.claims_of(get_session(), article.id)
    return render_template("articles/detail.html", article=article, claims=found,
                           segments=articles.segments(article, found), form=form,
                           reextract_form=ReextractForm()), status


@bp.route("/<int:article_id>")
@role_required(*ANY_ROLE)
def detail(article_id: int):
    return render_detail(load_or_404(Article, article_id), AddClaimForm())


@bp.route("/<int:article_id>/claims", methods=["POST"])
@role_required(*ANY_ROLE)
def add_claim(article_id: int):
    article = load_or_404(Article, article_id)
    form = AddClaimForm()
    claim = run_form(form, lambda: claims.add_claim(session=get_session(), actor=current_user, article=article,
                                                     text=form.text.data, speaker=form.speaker.data,
                                                     settings=match_settings()))
    if claim is None:  # the page again, with the typed text and the reason beside it
        return render_detail(article, form, 400)
    flash("Claim added.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.route("/<int:article_id>/reextract", methods=["POST"])
@role_required(*EDITORS)
def reextract(article_id: int):
    article = load_or_404(Article, article_id)
    require_valid(ReextractForm())
    result = articles.reextract_article(session=get_session(), actor=current_user, article=article,
                                        settings=match_settings())
    flash(f"Re-extracted: {len(result.added)} new, {len(result.kept)} unchanged, {len(result.retired)} retired, "
          f"{len(result.protected)} kept because reviewers worked on them.", "success")
    return redirect(url_for("articles.detail", article_id=article.id))
