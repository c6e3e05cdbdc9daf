"""The `flask --app factcheck ...` commands, through Click's runner on the test database."""
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from factcheck import cli, db, users
from factcheck.models import ApiToken, AuditEvent

STORY = ("The repairs to the Harbour Street bridge will cost the city roughly $2.6 million, the city council said "
         "on Tuesday.\n\nThe bridge, which opened in 1962, carries about 14,000 vehicles a day, according to the "
         "transport department.\n")


@pytest.fixture
def story(tmp_path):
    path = tmp_path / "bridge.txt"
    path.write_text(STORY)
    return path


def test_users_create_reads_the_password_from_stdin_and_never_defaults(runner):
    result = runner.invoke(args=["users", "create", "ana", "--role", "editor", "--password-stdin"],
                           input="a-long-and-quiet-passphrase\n")
    assert result.exit_code == 0 and "Created editor ana" in result.output
    weak = runner.invoke(args=["users", "create", "bob", "--role", "reviewer", "--password-stdin"], input="short\n")
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    missing_role = runner.invoke(args=["users", "create", "cy"])
    assert missing_role.exit_code != 0 and "--role" in missing_role.output


def test_users_create_overtaken_by_the_same_name_in_another_case_says_so(runner, database_url, meanwhile):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the check and the insert cannot be overtaken")
    other = meanwhile("INSERT INTO user", lambda s: users.create_user(
        session=s, actor=None, username="Ana", password="another-quiet-passphrase", role="admin"))
    result = runner.invoke(args=["users", "create", "ana", "--role", "editor", "--password-stdin"],
                           input="a-long-and-quiet-passphrase\n")
    meanwhile.join()
    assert "result" in other
    assert result.exit_code == 1 and "Error: User 'Ana' already exists (usernames ignore case)." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_articles_import_prints_id_and_claim_count(runner, story):
    result = runner.invoke(args=["articles", "import", str(story), "--outlet", "Herald", "--published", "2026-10-14"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("article 1: ") and f"claims from {story}" in result.output
    count = int(result.output.split(": ")[1].split()[0])
    assert count >= 2


def test_import_errors_name_the_file(runner, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(args=["articles", "import", str(empty)])
    assert result.exit_code != 0 and "empty.txt" in result.output
    missing = runner.invoke(args=["articles", "import", str(tmp_path / "nope.txt")])
    assert missing.exit_code != 0 and "nope.txt" in missing.output


def test_claims_list_jsonl_carries_the_stable_fields(runner, story):
    assert runner.invoke(args=["articles", "import", str(story)]).exit_code == 0
    result = runner.invoke(args=["claims", "list", "--format", "jsonl"])
    records = [json.loads(line) for line in result.output.splitlines()]
    assert records
    for record in records:
        assert {"id", "article_id", "text", "speaker", "start", "end", "status", "checkworthiness", "verdict",
                "links"} <= set(record)
        assert STORY[record["start"]:record["end"]], "the span points into the article"


def test_search_json_finds_a_misspelt_claim(runner, story):
    runner.invoke(args=["articles", "import", str(story)])
    result = runner.invoke(args=["search", "harbor brige repairs cost", "--format", "json", "--limit", "3"])
    rows = json.loads(result.output)
    assert rows and "bridge" in rows[0]["text"].lower() and rows[0]["score"] > 0


def test_export_csv_to_a_file(runner, story, tmp_path):
    runner.invoke(args=["articles", "import", str(story), "--outlet", "=HYPERLINK(1)"])
    out = tmp_path / "claims.csv"
    result = runner.invoke(args=["export", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows and all(r["outlet"] == "'=HYPERLINK(1)" for r in rows)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfclaim_id,")


def test_demo_fills_an_empty_database_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = [line.split() for line in result.output.splitlines() if line.startswith("  ")]
    assert {name for name, _ in logins} == {"admin", "editor", "editor2", "reviewer"}
    assert len({password for _, password in logins}) == 4, "each demo user gets its own fresh password"
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0 and "already has users" in again.output


def test_db_upgrade_is_idempotent(runner):
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(args=["db", "upgrade"]).output


def test_a_password_from_stdin_loses_its_line_ending_only(runner, session, database_url, tmp_path):
    """The real command in a subprocess: Click's test runner reads stdin with universal newlines,
    which would hide a kept "\\r" from a Windows-edited file or a CRLF pipe."""
    env = {**os.environ, "DATABASE_URL": database_url, "FACTCHECK_SECRET_KEY": "x" * 32,
           "FACTCHECK_INDEX_DIR": str(tmp_path / "index")}
    root = Path(__file__).parent.parent
    for name, line, password in [("crlf", b"Correct-horse-9\r\n", "Correct-horse-9"),
                                 ("spaced", b" Correct-horse-9 \n", " Correct-horse-9 ")]:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "factcheck", "users", "create", name,
                               "--role", "editor", "--password-stdin"], input=line, env=env, cwd=root,
                              capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()
        session.commit()
        assert users.authenticate(session=session, username=name, password=password) is not None


def test_claims_list_refuses_an_unknown_status_and_a_zero_article(runner, story):
    assert runner.invoke(args=["articles", "import", str(story)]).exit_code == 0
    bogus = runner.invoke(args=["claims", "list", "--status", "bogus"])
    assert bogus.exit_code == 2 and "Invalid value for '--status'" in bogus.output
    zero = runner.invoke(args=["claims", "list", "--article", "0"])
    assert zero.exit_code == 2 and "Invalid value for '--article'" in zero.output
    assert runner.invoke(args=["claims", "list", "--article", "2"]).output == ""
    assert runner.invoke(args=["claims", "list", "--article", "1", "--status", "new"]).output


def test_users_token_works_on_a_desk_without_an_admin(runner, session):
    assert runner.invoke(args=["users", "create", "ed", "--role", "editor", "--password-stdin"],
                         input="a-long-and-quiet-passphrase\n").exit_code == 0
    result = runner.invoke(args=["users", "token", "ed"])
    assert result.exit_code == 0, result.output
    raw = result.output.splitlines()[-1]
    assert raw.startswith("fc_")
    session.commit()
    token = session.exec(select(ApiToken)).one()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "token.create")).one()
    assert event.actor_id is None and event.changes["user"] == "ed" and token.prefix == raw[:12]


def test_export_with_a_bad_filter_or_path_leaves_files_alone(runner, story, tmp_path):
    runner.invoke(args=["articles", "import", str(story)])
    out = tmp_path / "claims.csv"
    assert runner.invoke(args=["export", "csv", "-o", str(out)]).exit_code == 0
    good = out.read_text()
    bogus = runner.invoke(args=["export", "csv", "-o", str(out), "--status", "bogus"])
    assert bogus.exit_code == 2 and "Invalid value for '--status'" in bogus.output
    assert out.read_text() == good
    for kind, name in (("csv", "x.csv"), ("claimreview", "x.json")):
        target = tmp_path / "nonexist" / name
        result = runner.invoke(args=["export", kind, "-o", str(target)])
        assert result.exit_code == 1 and f"cannot write {target}: No such file or directory" in result.output


def test_an_export_that_fails_midway_keeps_the_previous_file(runner, story, tmp_path, monkeypatch):
    runner.invoke(args=["articles", "import", str(story)])
    out = tmp_path / "claims.csv"
    assert runner.invoke(args=["export", "csv", "-o", str(out)]).exit_code == 0
    good = out.read_text()

    def failing(session, filters):
        yield "claim_id,claim\n"
        raise RuntimeError("the export broke off")

    monkeypatch.setattr(cli, "export_csv", failing)
    result = runner.invoke(args=["export", "csv", "-o", str(out)])
    assert isinstance(result.exception, RuntimeError)
    assert out.read_text() == good
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no temporary file left behind"


@pytest.fixture
def write_lock(app, database_url):
    """Another process holding SQLite's write lock, as a long `priors import` does; busy_timeout cut to
    0.2 s so that a command waiting for the lock fails fast instead of after 30 s."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    engine = db.get_engine(app)
    engine.dispose()
    sa.event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA busy_timeout=200"))
    other = sqlite3.connect(sa.engine.make_url(database_url).database, isolation_level=None)

    def hold():
        other.execute("BEGIN IMMEDIATE")

    yield hold
    if other.in_transaction:
        other.rollback()
    other.close()


def test_read_only_commands_run_while_another_process_writes(runner, story, write_lock):
    assert runner.invoke(args=["articles", "import", str(story)]).exit_code == 0
    write_lock()
    for args in (["claims", "list"], ["search", "bridge"], ["export", "csv"], ["export", "claimreview"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert "bridge" in runner.invoke(args=["claims", "list"]).output


def test_a_write_that_meets_a_busy_database_says_so(runner, write_lock):
    write_lock()
    result = runner.invoke(args=["users", "create", "ana", "--role", "editor", "--password-stdin"],
                           input="a-long-and-quiet-passphrase\n")
    assert result.exit_code == 1
    assert "The database is busy (another process is writing); try again." in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
