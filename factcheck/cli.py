"""`flask --app factcheck ...` commands, grouped by noun. Errors name the file or argument."""
from __future__ import annotations

import json
import os
import secrets
import sqlite3
import stat
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import Session, select

from factcheck import (articles, backup, claim_index, claim_vectors, db, links, priors, search, serializers, tokens,
                       users, verdicts)
from factcheck.errors import FactcheckError
from factcheck.exports import claimreview
from factcheck.exports.csv import export_csv
from factcheck.models import Article, Claim, ClaimStatus, Role, User

BUSY = "The database is busy (another process is writing); try again."


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": another process kept the write lock beyond busy_timeout."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "database is locked" in str(orig)


class Command(click.Command):
    """A command that meets a busy database with a message and exit 1, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (sa.exc.OperationalError, sqlite3.OperationalError) as exc:
            if not is_busy(exc):
                raise
            raise click.ClickException(BUSY) from None


class Group(AppGroup):
    command_class = Command


db_cli = Group("db", help="Create, upgrade and inspect the database.")
users_cli = Group("users", help="Manage desk members.")
articles_cli = Group("articles", help="Import articles.")
claims_cli = Group("claims", help="List and maintain claims.")
export_cli = Group("export", help="Export claims.")
priors_cli = Group("priors", help="Import other desks' fact-checks.")
DEMO = Path(__file__).parent / "demo"
STATUSES = click.Choice([s.value for s in ClaimStatus])


def session() -> Session:
    """For commands that write: SQLite transactions take the write lock at BEGIN (see db.writer)."""
    return Session(db.writer(db.get_engine()), expire_on_commit=False)


def read_session() -> Session:
    """For commands that only read: deferred transactions, which WAL runs beside a long write
    (a large priors import) instead of queueing them behind it."""
    return Session(db.get_engine(), expire_on_commit=False)


@contextmanager
def output_file(path: Path | None, newline: str | None = None):
    """Standard output, or a temporary file beside `path` renamed over it once all is written, so that
    a failed export never leaves an existing file truncated or half written."""
    if path is None:
        yield sys.stdout
        return
    target = Path(os.path.realpath(path))  # through a symlink, as opening the file would
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    try:
        with open(fd, "w", encoding="utf-8", newline=newline) as out:
            yield out
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def system_actor(s: Session) -> User | None:
    """CLI work is recorded against the first admin (the person who set the desk up), or against
    the system (no actor) on a desk that has no admin yet, such as a fresh evaluation database."""
    return s.exec(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()


def settings() -> links.MatchSettings:
    return links.MatchSettings(suggest=current_app.config["MATCH_SUGGEST_THRESHOLD"],
                               auto=current_app.config["MATCH_AUTO_THRESHOLD"])


@db_cli.command("upgrade")
def db_upgrade():
    """Create the database or bring it to the latest schema."""
    db.upgrade(db.get_engine())
    with session() as s:
        verdicts.ensure_default_scale(s)
        priors.ensure_default_aliases(s)
    click.echo("Database is up to date.")


@db_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(file):
    """Write a consistent backup while the desk runs (SQLite backup API, or pg_dump custom format)."""
    try:
        backup.backup_database(db.get_engine(), file)
    except FactcheckError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Backed up to {file}.")


@db_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds users, articles or claims.")
def db_restore(file, force):
    """Replace the database with a backup; stop the web workers first."""
    try:
        backup.restore_database(db.get_engine(), file, force=force)
    except FactcheckError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Restored from {file}.")
    # the change log went back in time with the database: a new shared base makes every worker
    # (here or on other hosts) drop its index and load this one on its next search
    with session() as s:
        try:
            base = claim_index.reindex(s)
        except ValueError:
            return  # no shared index directory configured: each worker rebuilds when it restarts
    click.echo(f"Search index rebuilt: {base.claims} claims.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
def users_create(username, role, password_stdin):
    """Create a desk member; the password is prompted for (or read from stdin), never defaulted."""
    if password_stdin:
        line = sys.stdin.readline()  # only the line ending goes: other spaces belong to the password
        password = line[:-2] if line.endswith("\r\n") else line.removesuffix("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session() as s:
        try:
            user = users.create_user(session=s, actor=None, username=username, password=password, role=role)
        except FactcheckError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created {Role(user.role).value} {user.username} (id {user.id}).")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--expires", "days", type=click.IntRange(1, tokens.MAX_EXPIRY_DAYS), help="Days until it expires.")
def users_token(username, name, days):
    """Create an API token for a desk member; the token alone is printed on the last line, once."""
    with session() as s:
        try:
            user = users.get_user(session=s, username=username)
            token, raw = tokens.create_token(session=s, actor=system_actor(s), user=user, name=name, expires_days=days)
        except FactcheckError as exc:
            raise click.ClickException(exc.message) from None
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
        click.echo(f"Token {token.prefix}… for {user.username} ({expiry}); it is not shown again:")
        click.echo(raw)


@articles_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--outlet")
@click.option("--url")
@click.option("--title")
@click.option("--published", type=click.DateTime(formats=["%Y-%m-%d"]), help="Publication date, YYYY-MM-DD.")
@click.option("--allow-duplicate", is_flag=True, help="Import even if an article with this --url is on the desk.")
def articles_import(paths, outlet, url, title, published, allow_duplicate):
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
                    max_bytes=current_app.config["MAX_ARTICLE_BYTES"], settings=settings(),
                    allow_duplicate=allow_duplicate)
            except FactcheckError as exc:
                raise click.ClickException(f"{path}: {exc.message}") from None
            count = len(articles.claims_of(s, article.id))
            click.echo(f"article {article.id}: {count} claims from {path}")


def claim_record(s: Session, claim: Claim) -> dict:
    """The API's claim object, so that jsonl lines and API responses read the same."""
    return serializers.claim_record(s, claim)


@claims_cli.command("list")
@click.option("--article", "article_id", type=click.IntRange(min=1), help="Article id.")
@click.option("--status", type=STATUSES)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table")
def claims_list(article_id, status, fmt):
    """List claims; jsonl carries id, article_id, text, speaker, start, end, status, checkworthiness, verdict, links."""
    with read_session() as s:
        stmt = select(Claim).where(Claim.merged_into_id == None)  # noqa: E711
        if article_id is not None:
            stmt = stmt.where(Claim.article_id == article_id)
        if status:
            stmt = stmt.where(Claim.status == status)
        for claim in s.exec(stmt.order_by(Claim.id)):
            if fmt == "jsonl":
                click.echo(json.dumps(claim_record(s, claim), ensure_ascii=False))
            else:
                click.echo(f"{claim.id:>6}  {claim.status:<16} {claim.checkworthiness:4.2f}  {claim.text[:90]}"
                           f"{'  — ' + claim.speaker if claim.speaker else ''}")


@click.command("search", cls=Command)
@with_appcontext
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=10)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def search_command(query, limit, fmt):
    """Fuzzy search over all claims, best match first."""
    with read_session() as s:
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
@click.option("--status", type=STATUSES)
@click.option("--outlet")
@click.option("--verdict")
@click.option("--speaker")
def export_csv_command(output, status, outlet, verdict, speaker):
    """Claim-status CSV (formula-safe) to a file or standard output."""
    filters = search.Filters(status=status, outlet=outlet, verdict=verdict, speaker=speaker)
    with read_session() as s, output_file(output, newline="") as out:
        for line in export_csv(s, filters):
            out.write(line)
    if output:
        click.echo(f"Wrote {output}", err=True)


@export_cli.command("claimreview")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status", type=STATUSES)
@click.option("--outlet")
@click.option("--verdict", help="Rating name of the published verdict.")
@click.option("--speaker")
def export_claimreview_command(output, status, outlet, verdict, speaker):
    """ClaimReview JSON-LD DataFeed of every signed-off verdict, to publish as the desk's feed file."""
    filters = search.Filters(status=status, outlet=outlet, verdict=verdict, speaker=speaker)
    site = claimreview.Site.from_config(current_app.config)
    count = 0
    with read_session() as s, output_file(output) as out:
        head = claimreview.dumps_ld(claimreview.data_feed([]), indent=None)
        out.write(head[:-2] + "\n")  # the feed opens with '...,"dataFeedElement": [' and streams its reviews
        for review in claimreview.all_reviews(s, site, filters):
            out.write(("," if count else "") + claimreview.dumps_ld(review) + "\n")
            count += 1
        out.write("]}\n")
    click.echo(f"{count} ClaimReview object(s){f' written to {output}' if output else ''}.", err=True)


@priors_cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-existing", is_flag=True, help="Skip fact-checks already stored instead of refusing the file.")
def priors_import(paths, skip_existing):
    """Import ClaimReview JSON-LD or Fact Check Tools JSON files; each file whole or not at all."""
    cap, refused = current_app.config["PRIOR_MAX_BYTES"], 0
    with session() as s:
        actor = system_actor(s)
        for path in paths:
            try:
                with path.open("rb") as fh:
                    data = fh.read(cap + 1)  # one byte over the cap is enough to refuse a huge file
            except OSError as exc:
                raise click.ClickException(f"{path}: {exc.strerror}") from None
            [found] = priors.import_prior_files(
                session=s, actor=actor, files=[(path.name, data)], max_bytes=cap, skip_existing=skip_existing,
                threshold=current_app.config["MATCH_SUGGEST_THRESHOLD"])
            if found.error:
                refused += 1
                click.echo(f"{path}: {found.error.message}", err=True)
                for problem in found.problems:
                    click.echo(f"{path}: {problem}", err=True)
                continue
            r = found.result
            click.echo(f"{path}: imported {len(r.imported)}, skipped {len(r.skipped)}, matched to claims {r.links} time(s)")
            for problem in r.skipped:
                click.echo(f"{path}: skipped {problem}")
    if refused:
        raise click.ClickException(f"{refused} of {len(paths)} file(s) refused; nothing was imported from them.")


@click.command("demo", cls=Command)
@with_appcontext
def demo_command():
    """Create a demo desk: users with fresh passwords, and two articles that report the same claims."""
    db.upgrade(db.get_engine())
    with session() as s:
        if s.exec(select(User)).first() is not None:
            raise click.ClickException("The database already has users; the demo only fills an empty one.")
        verdicts.ensure_default_scale(s)
        priors.ensure_default_aliases(s)
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
    for group in (db_cli, users_cli, articles_cli, claims_cli, export_cli, priors_cli):
        app.cli.add_command(group)
    app.cli.add_command(search_command)
    app.cli.add_command(demo_command)


@claims_cli.command("reindex")
def claims_reindex():
    """Rebuild the shared search index files that every worker memory-maps."""
    with session() as s, click.progressbar(length=1, label="Indexing claims") as bar:
        def progress(done, total):
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        base = claim_index.reindex(s, progress)
    click.echo(f"Indexed {base.claims} claims into {base.path}")


@claims_cli.command("embed")
@click.option("--batch", type=click.IntRange(1, 10_000), default=claim_vectors.BATCH, show_default=True,
              help="Claims per commit.")
def claims_embed(batch):
    """Embed the claims (then other desks' fact-checks) that have no stored vector yet; stop it at any
    time and run it again to go on."""
    with session() as s, click.progressbar(length=1, label="Embedding claims") as bar:
        def progress(done, total):
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        try:
            result = claim_vectors.embed_missing(session=s, actor=system_actor(s), batch=batch, progress=progress)
        except FactcheckError as exc:
            raise click.ClickException(exc.message) from None
        status = claim_vectors.embedding_status(s)
    click.echo(f"Embedded {result.embedded} texts; {status.embedded} of {status.claims} claims and "
               f"{status.priors_embedded} of {status.priors} fact-checks of other desks have vectors.")
