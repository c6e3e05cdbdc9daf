"""The `flask --app factcheck ...` commands, through Click's runner on the test database."""
import csv
import io
import json

import pytest

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
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and all(r["outlet"] == "'=HYPERLINK(1)" for r in rows)


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
