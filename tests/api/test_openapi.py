"""The OpenAPI document matches the real routes (both ways), is valid 3.1, and describes real responses."""
from __future__ import annotations

import re

import pytest

from factcheck import api_schema
from factcheck.models import ClaimStatus, PriorFactCheck, Verdict
from tests.api.conftest import EDITOR, REVIEWER
from tests.factories import make_claim, rating

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def real_operations(app) -> set[tuple[str, str]]:
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(api_schema.API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(api_schema.API_PREFIX):])
        ops |= {(path, m.lower()) for m in rule.methods - IGNORED_METHODS}
    return ops


def documented_operations(doc: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in doc["paths"].items() for method in item}


def test_document_and_url_map_agree_both_ways(api):
    doc = api.get("/openapi.json").get_json()
    real = real_operations(api.client.application)
    documented = documented_operations(doc)
    assert real - documented == set(), "routes missing from the OpenAPI document"
    assert documented - real == set(), "documented operations that no route serves"
    assert len(real) >= 12


def test_operation_ids_are_the_endpoints(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith(api_schema.API_PREFIX + "/")}
    assert {route.endpoint for route in api_schema.ROUTES} == endpoints


def test_path_parameters_are_declared(api):
    doc = api.get("/openapi.json").get_json()
    for path, item in doc["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for op in item.values():
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared)


def test_document_is_valid_openapi_31(api):
    validator = pytest.importorskip("openapi_spec_validator")
    doc = api.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    validator.validate(doc)


def test_real_responses_match_their_schemas(api, session):
    jsonschema = pytest.importorskip("jsonschema")
    doc = api.get("/openapi.json").get_json()

    def check(name: str, instance):
        assert "error" not in instance or name == "Error", instance
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        jsonschema.Draft202012Validator(schema).validate(instance)

    researcher = api.user(REVIEWER)
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=researcher)
    proposed = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED, assignee=researcher)
    session.add(Verdict(claim_id=proposed.id, rating_id=rating(session).id, rationale="Because the records say so.",
                        given_by_id=researcher.id))
    session.add(PriorFactCheck(url="https://desk.example/1", publisher="Desk", claim_text="The bridge cost millions",
                               rating_text="False"))
    session.commit()
    check("ClaimPage", api.get("/claims").get_json())
    check("ClaimDetail", api.get(f"/claims/{proposed.id}").get_json())
    check("ArticleImport", api.post("/articles", {"text": "The mayor said the bridge cost $2.6 million."}).get_json())
    check("Evidence", api.post(f"/claims/{claim.id}/evidence", {"url": "https://a.example/", "stance": "context"}).get_json())
    check("Verdict", api.post(f"/claims/{claim.id}/verdict", {"rating": "True", "rationale": "The records agree."}).get_json())
    check("Verdict", api.post(f"/claims/{proposed.id}/verdict/sign-off", as_=EDITOR).get_json())
    fresh = make_claim(session)
    check("Claim", api.post(f"/claims/{fresh.id}/status", {"status": "dismissed"}, as_=EDITOR).get_json())
    check("SearchPage", api.get("/search?q=bridge").get_json())
    check("PriorList", api.get("/priors?q=bridge").get_json())
    check("Error", api.get("/claims?limit=0").get_json())
    with pytest.raises(jsonschema.ValidationError):
        check("Claim", {"id": "not a claim"})


def test_statuses_the_api_answers_are_documented(api, app, session):
    """A client generated from the document must know every status it can get: a merged claim's evidence
    (409), a body sent to sign-off (400, 415) and a too-large body on any POST (413)."""
    doc = api.get("/openapi.json").get_json()

    def documented(path: str, response) -> None:
        codes = doc["paths"][path]["post"]["responses"]
        assert str(response.status_code) in codes, (path, response.status_code, response.get_json())

    editor = api.user(EDITOR)
    target = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=editor)
    merged = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=editor)
    merged.merged_into_id = target.id
    session.add(merged)
    session.commit()
    evidence = api.post(f"/claims/{merged.id}/evidence", {"url": "https://a.example/", "stance": "context"}, as_=EDITOR)
    assert evidence.status_code == 409
    documented("/claims/{claim_id}/evidence", evidence)

    proposed = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED)
    sign_off = f"/claims/{proposed.id}/verdict/sign-off"
    for response in (api.post(sign_off, [1], as_=EDITOR),
                     api.post(sign_off, as_=EDITOR, data="ok", content_type="text/plain")):
        assert response.status_code in (400, 415)
        documented("/claims/{claim_id}/verdict/sign-off", response)

    app.config["MAX_CONTENT_LENGTH"] = 1000
    for path, item in doc["paths"].items():
        if "post" in item:
            response = api.post(path.replace("{claim_id}", str(target.id)), {"reason": "x" * 2000}, as_=EDITOR)
            assert response.status_code == 413, path
            documented(path, response)


@pytest.mark.parametrize("path,body", [
    ("/claims/{id}/status", {"status": "triaged", "version": 2**31}),
    ("/claims/{id}/assign", {"user": "editor", "version": 2**31}),
    ("/claims/{id}/verdict", {"rating": "False", "rationale": "Too short"}),
    ("/claims/{id}/verdict", {"rating": "", "rationale": "The records say otherwise."}),
    ("/claims/{id}/verdict", {"rating": 0, "rationale": "The records say otherwise."}),
    ("/claims/{id}/verdict", {"rating": 2**31, "rationale": "The records say otherwise."}),
    ("/claims/{id}/evidence", {"url": "", "stance": "context"}),
    ("/claims/{id}/verdict/send-back", {"reason": ""}),
])
def test_bodies_the_api_refuses_for_their_shape_are_ones_the_document_rules_out(api, session, path, body):
    """A client that validates against the document must not be surprised by a 400 on a number or a length."""
    jsonschema = pytest.importorskip("jsonschema")
    doc = api.get("/openapi.json").get_json()
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=api.user(EDITOR))
    response = api.post(path.format(id=claim.id), body, as_=EDITOR)
    assert response.status_code == 400, response.get_json()
    schema = doc["paths"][path.replace("{id}", "{claim_id}")]["post"]["requestBody"]["content"]["application/json"]
    assert not jsonschema.Draft202012Validator(schema["schema"]).is_valid(body), response.get_json()


def test_parameters_the_api_refuses_are_ones_the_document_rules_out(api):
    jsonschema = pytest.importorskip("jsonschema")
    doc = api.get("/openapi.json").get_json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/priors"]["get"]["parameters"]}
    assert api.get("/priors?q=").status_code == 400
    assert not jsonschema.Draft202012Validator(params["q"]).is_valid("")
    claim_id = doc["paths"]["/claims/{claim_id}"]["get"]["parameters"][0]["schema"]
    assert api.get(f"/claims/{2**31}").status_code == 404 and api.get("/claims/0").status_code == 404
    assert not any(jsonschema.Draft202012Validator(claim_id).is_valid(n) for n in (0, 2**31))


def test_optional_fields_sent_as_null_are_documented_as_nullable(api, session):
    """read_json takes null for an absent optional field; the document must allow what is accepted."""
    jsonschema = pytest.importorskip("jsonschema")
    doc = api.get("/openapi.json").get_json()
    claim = make_claim(session)
    body = {"status": "triaged", "reason": None, "version": None}
    assert api.post(f"/claims/{claim.id}/status", body, as_=EDITOR).status_code == 200
    schema = doc["paths"]["/claims/{claim_id}/status"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert jsonschema.Draft202012Validator(schema).is_valid(body)
    assert not jsonschema.Draft202012Validator(schema).is_valid({"status": None})  # required stays required
    imported = {"text": "The mayor said the bridge cost $2.6 million.", "title": None, "published_at": None,
                "allow_duplicate": None}
    assert api.post("/articles", imported).status_code == 201
    schema = doc["paths"]["/articles"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert jsonschema.Draft202012Validator(schema).is_valid(imported)
