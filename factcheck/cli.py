"""`flask --app factcheck ...` commands, grouped by noun. Errors name the file or argument."""
from __future__ import annotations

import json
import secrets
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session, select

from factcheck import articles, db, links, search, users, verdicts
from factcheck.errors import FactcheckError
from factcheck.exports.csv import export_csv
from factcheck.models import Article, Claim, Role, User

db_cli = AppGroup("db", help="Create, upgrade and inspect the database.")
users_cli = AppGroup("users", help="Manage desk members.")
articles_cli = AppGroup("articles", help="Import articles.")
claims_cli = AppGroup("claims", help="List and maintain claims.")
export_cli = AppGroup("export", help="Export claims.")
DEMO = Path(__file__).parent / "demo"


def session() -> Session:
    return Session(db.writer(db.get_engine()), expire_on_commit=False)


def system_actor(s: Session) -> User:
    """CLI work is recorded against the first admin (the person who set the desk up)."""
    admin = s.exec(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()
    if admin is None:
        raise click.ClickException("No admin user exists yet: run `flask --app factcheck users create NAME --role admin` first.")
    return admin


def settings() -> links.MatchSettings:
    return links.MatchSettings(suggest=current_app.config["MATCH_SUGGEST_THRESHOLD"],
                               auto=current_app.config["MATCH_AUTO_THRESHOLD"])


@db_cli.command("upgrade")
def db_upgrade():
    """Create the database or bring it to the latest schema."""
    db.upgrade(db.get_engine())
    with session() as s:
        verdicts.ensure_default_scale(s)
    click.echo("Database is up to date.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def users_create(username, role, password_stdin):
    """Create a desk member; the password is prompted for (or read from stdin), never defaulted."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session() as s:
        try:
            user = users.create_user(session=s, actor=None, username=username, password=password, role=role)
        except FactcheckError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created {user.role} {user.username} (id {user.id}).")


@articles_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--outlet")
@click.option("--url")
@click.option("--title")
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), help="Publication date, YYYY-MM-DD.")
def articles_import(paths, outlet, url, title, published):
    """Import .txt or .html files; prints each new article's id and claim count."""
    with session() as s:
        actor = system_actor(s)
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise click.ClickException(f"{path}: {exc.strerror}") from None
            try:
                article = articles.import_article(
                    session=s, actor=actor, source=articles.ArticleSource(filename=path.name, data=data),
                    title=title, outlet=outlet, url=url,
                    published_at=published.replace(tzinfo=timezone.utc) if published else None,
                    max_bytes=current_app.config["MAX_ARTICLE_BYTES"], settings=settings())
            except FactcheckError as exc:
                raise click.ClickException(f"{path}: {exc.message}") from None
            count = len(articles.claims_of(s, article.id))
            click.echo(f"article {article.id}: {count} claims from {path}")


def claim_record(s: Session, claim: Claim) -> dict:
    verdict = verdicts.published_verdict(s, claim.id)
    rating = verdicts.rating_name(s, verdict) if verdict else None
    return {
        "id": claim.id, "article_id": claim.article_id, "text": claim.text, "speaker": claim.speaker,
        "start": claim.start, "end": claim.end, "status": claim.status, "checkworthiness": claim.checkworthiness,
        "verdict": rating,
        "links": [{"claim_id": other.id, "score": link.score, "state": link.state, "flags": link.flags}
                  for link, other in links.links_of(s, claim.id)],
    }


@claims_cli.command("list")
@click.option("--article", "article_id", type=int)
@click.option("--status")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table")
def claims_list(article_id, status, fmt):
    """List claims; jsonl carries id, article_id, text, speaker, start, end, status, checkworthiness, verdict, links."""
    with session() as s:
        stmt = select(Claim).where(Claim.merged_into_id == None)  # noqa: E711
        if article_id:
            stmt = stmt.where(Claim.article_id == article_id)
        if status:
            stmt = stmt.where(Claim.status == status)
        for claim in s.exec(stmt.order_by(Claim.id)):
            if fmt == "jsonl":
                click.echo(json.dumps(claim_record(s, claim), ensure_ascii=False))
            else:
                click.echo(f"{claim.id:>6}  {claim.status:<16} {claim.checkworthiness:4.2f}  {claim.text[:90]}"
                           f"{'  — ' + claim.speaker if claim.speaker else ''}")


@click.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=10)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def search_command(query, limit, fmt):
    """Fuzzy search over all claims, best match first."""
    with session() as s:
        page = search.search_claims(session=s, query=query, page_size=limit)
        rows = [{"id": h.claim.id, "score": h.score, "text": h.claim.text, "speaker": h.claim.speaker,
                 "status": h.claim.status, "verdict": h.verdict, "article_id": h.article.id} for h in page.hits]
        if page.notice:
            click.echo(page.notice, err=True)
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                click.echo(f"{r['score'] if r['score'] is not None else '':>5}  #{r['id']:<6} {r['text'][:100]}")


@export_cli.command("csv")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status")
@click.option("--outlet")
@click.option("--verdict")
@click.option("--speaker")
def export_csv_command(output, status, outlet, verdict, speaker):
    """Claim-status CSV (formula-safe) to a file or standard output."""
    filters = search.Filters(status=status, outlet=outlet, verdict=verdict, speaker=speaker)
    with session() as s:
        out = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            for line in export_csv(s, filters):
                out.write(line)
        finally:
            if output:
                out.close()
    if output:
        click.echo(f"Wrote {output}", err=True)


@click.command("demo")
def demo_command():
    """Create a demo desk: users with fresh passwords, and two articles that report the same claims."""
    db.upgrade(db.get_engine())
    with session() as s:
        if s.exec(select(User)).first() is not None:
            raise click.ClickException("The database already has users; the demo only fills an empty one.")
        verdicts.ensure_default_scale(s)
        logins = {}
        for name, role in (("admin", Role.ADMIN), ("editor", Role.EDITOR), ("editor2", Role.EDITOR),
                           ("reviewer", Role.REVIEWER)):
            logins[name] = secrets.token_urlsafe(12)
            users.create_user(session=s, actor=None, username=name, password=logins[name], role=role)
        actor = system_actor(s)
        for meta in json.loads((DEMO / "articles.json").read_text()):
            articles.import_article(
                session=s, actor=actor, source=articles.ArticleSource(filename=meta["file"], data=(DEMO / meta["file"]).read_bytes()),
                title=meta["title"], outlet=meta["outlet"], url=meta["url"],
                published_at=datetime.fromisoformat(meta["published"]).replace(tzinfo=timezone.utc), settings=settings())
    click.echo("Demo desk ready. Log in at http://127.0.0.1:5000 with:")
    for name, password in logins.items():
        click.echo(f"  {name:<9} {password}")


def init_app(app) -> None:
    for group in (db_cli, users_cli, articles_cli, claims_cli, export_cli):
        app.cli.add_command(group)
    app.cli.add_command(search_command)
    app.cli.add_command(demo_command)
