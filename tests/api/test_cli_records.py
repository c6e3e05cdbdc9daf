"""`claims list --format jsonl` writes the API's claim objects, field for field."""
from __future__ import annotations

import json

from factcheck.models import ClaimLink, ClaimStatus, Role
from tests.factories import make_article, make_claim, make_published_verdict, make_user


def test_jsonl_lines_equal_api_claim_objects(api, runner, session):
    make_user(session, Role.ADMIN, username="boss")
    editor = api.user("editor")
    first = make_claim(session, speaker="The mayor", status=ClaimStatus.IN_RESEARCH, assignee=editor)
    second = make_claim(session, make_article(session, text="The bridge cost 2.6 million dollars."))
    make_published_verdict(session, second, editor, make_user(session, Role.EDITOR, username="other-editor"))
    session.add(ClaimLink(claim_a_id=first.id, claim_b_id=second.id, score=90.0))
    session.commit()
    result = runner.invoke(args=["claims", "list", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    from_api = api.get("/claims").get_json()["items"]
    assert lines == from_api
    assert lines[0]["assignee"] == editor.username and lines[1]["verdict"] == "False"
    assert lines[0]["links"][0]["claim_id"] == second.id
