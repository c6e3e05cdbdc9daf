"""Importing articles and reading them with their claims highlighted."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from factcheck import articles, claims
from factcheck.db import get_session
from factcheck.errors import FactcheckError
from factcheck.forms import AddClaimForm, ImportForm
from factcheck.models import Article
from factcheck.security import ANY_ROLE, load_or_404, role_required
from factcheck.views.common import as_datetime, form_failed, match_settings

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
    upload = form.file.data
    source = (articles.ArticleSource(filename=upload.filename, data=upload.read()) if upload and upload.filename
              else articles.ArticleSource(text=form.text.data or None))
    try:
        article = articles.import_article(
            session=get_session(), actor=current_user, source=source, title=form.title.data,
            outlet=form.outlet.data, url=form.url.data or None, author=form.author.data or None,
            published_at=as_datetime(form.published_at.data),
            max_bytes=current_app.config["MAX_ARTICLE_BYTES"], settings=match_settings())
    except FactcheckError as exc:
        return form_failed("articles/import.html", form, exc.message, exc.status)
    flash(f"Imported “{article.title}”.", "success")
    return redirect(url_for("articles.detail", article_id=article.id))


@bp.route("/<int:article_id>")
@role_required(*ANY_ROLE)
def detail(article_id: int):
    article = load_or_404(Article, article_id)
    found = articles.claims_of(get_session(), article.id)
    return render_template("articles/detail.html", article=article, claims=found,
                           segments=articles.segments(article, found), form=AddClaimForm())


@bp.route("/<int:article_id>/claims", methods=["POST"])
@role_required(*ANY_ROLE)
def add_claim(article_id: int):
    article = load_or_404(Article, article_id)
    form = AddClaimForm()
    if not form.validate_on_submit():
        flash("A claim needs some text.", "error")
        return redirect(url_for("articles.detail", article_id=article.id))
    claim = claims.add_claim(session=get_session(), actor=current_user, article=article,
                             text=form.text.data, speaker=form.speaker.data)
    flash("Claim added.", "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))
