"""The API's contract in one place: request fields and query parameters that the views parse with,
and the OpenAPI 3.1 document built from the same declarations so that the two cannot disagree."""
from __future__ import annotations

from dataclasses import dataclass

from factcheck.models import ClaimStatus, LinkState, Stance, VerdictState

API_PREFIX = "/api/v1"
MAX_LIMIT = 200
INT_MAX = 2**31 - 1  # every id and version fits a 32-bit column: larger numbers are refused, not overflowed


@dataclass(frozen=True)
class Field:
    """One JSON body field or query parameter: its JSON type(s) and the limits the API enforces."""

    kind: str  # "string", "integer", "boolean", or "string|integer"
    required: bool = False
    nullable: bool = False
    description: str = ""
    enum: tuple[str, ...] | None = None
    max_length: int | None = None
    min_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: object = None
    format: str | None = None  # "date": an ISO date, parsed by the view

    def schema(self, nullable: bool | None = None) -> dict:
        nullable = self.nullable if nullable is None else nullable
        kinds = self.kind.split("|") + (["null"] if nullable else [])
        out: dict = {"type": kinds[0] if len(kinds) == 1 else kinds}
        names = {"max_length": "maxLength", "min_length": "minLength"}
        for key in ("description", "min_length", "max_length", "minimum", "maximum", "default", "format"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[names.get(key, key)] = value
        if "integer" in kinds:  # the parser refuses what a 32-bit column cannot hold: say so
            out.setdefault("minimum", -INT_MAX)
            out.setdefault("maximum", INT_MAX)
        if self.enum:
            out["enum"] = list(self.enum) + ([None] if nullable else [])
        return out


STATUSES = tuple(s.value for s in ClaimStatus)
VERDICT_NAME = "Name of the published rating (case and spacing ignored)."
STANCES = tuple(s.value for s in Stance)

BODIES: dict[str, dict[str, Field]] = {
    "import_article": {
        "text": Field("string", description="Plain article text. Send exactly one of text, html and url."),
        "html": Field("string", description="An article page's HTML; the article text is extracted from it."),
        "url": Field("string", max_length=2000, description="Fetch the article from this http(s) address."),
        "title": Field("string", max_length=500),
        "outlet": Field("string", max_length=200),
        "author": Field("string", max_length=300),
        "source_url": Field("string", max_length=2000, description="Where the article was published (recorded, not fetched)."),
        "published_at": Field("string", format="date", description="Publication date, YYYY-MM-DD."),
        "allow_duplicate": Field("boolean", default=False,
                                 description="Import even if an article with this URL is on the desk (409 otherwise)."),
    },
    "change_status": {
        "status": Field("string", required=True, enum=STATUSES),
        "reason": Field("string", max_length=2000, description="Required when a signed-off claim is reopened."),
        "version": Field("integer", minimum=1, description="The claim version the change was based on; 409 if it moved on."),
    },
    "assign": {
        "user": Field("string", required=True, nullable=True, max_length=80,
                      description="Username to assign, or null to unassign."),
        "version": Field("integer", minimum=1),
    },
    "add_evidence": {
        "url": Field("string", required=True, min_length=1, max_length=2000),
        "stance": Field("string", required=True, enum=STANCES),
        "quote": Field("string", max_length=10000),
        "note": Field("string", max_length=10000),
    },
    "propose_verdict": {
        "rating": Field("string|integer", required=True, minimum=1, min_length=1,
                        description="A rating of the desk's scale, by name (case ignored) or id."),
        "rationale": Field("string", required=True, min_length=10, max_length=20000,
                           description="At least a sentence (10 characters or more)."),
        "version": Field("integer", minimum=1),
    },
    "send_back": {"reason": Field("string", required=True, min_length=1, max_length=5000)},
}

QUERIES: dict[str, dict[str, Field]] = {
    "list_claims": {
        "status": Field("string", enum=STATUSES),
        "mine": Field("boolean", default=False, description="Only claims assigned to the caller."),
        "article": Field("integer", minimum=1, description="Claims of one article."),
        "outlet": Field("string", max_length=200),
        "speaker": Field("string", max_length=300, description="Part of the speaker's name."),
        "verdict": Field("string", max_length=80, description=VERDICT_NAME),
        "limit": Field("integer", minimum=1, maximum=MAX_LIMIT, default=50),
        "cursor": Field("string", max_length=100, description="The `next` value of the previous page."),
    },
    "search": {
        "q": Field("string", max_length=1000, description="Fuzzy, typo-tolerant; empty lists the latest claims."),
        "status": Field("string", enum=STATUSES),
        "verdict": Field("string", max_length=80, description=VERDICT_NAME),
        "outlet": Field("string", max_length=200),
        "speaker": Field("string", max_length=300),
        "article": Field("integer", minimum=1),
        "date_from": Field("string", format="date"),
        "date_to": Field("string", format="date"),
        "page": Field("integer", minimum=1, maximum=100000, default=1),
        "limit": Field("integer", minimum=1, maximum=100, default=25),
    },
    "search_priors": {
        "q": Field("string", required=True, min_length=1, max_length=1000, description="Claim text to look for."),
        "limit": Field("integer", minimum=1, maximum=50, default=50),
    },
}


@dataclass(frozen=True)
class Route:
    path: str  # OpenAPI form, relative to API_PREFIX
    method: str
    endpoint: str  # the Flask endpoint that serves it
    summary: str
    response: str  # component schema name
    status: int = 200
    query: str | None = None
    body: str | None = None
    editors_only: bool = False
    errors: tuple[int, ...] = (400, 401, 403, 404)


ROUTES = (
    Route("/claims", "get", "api.list_claims", "List claims with the queue's filters, in id order, by cursor.",
          "ClaimPage", query="list_claims", errors=(400, 401)),
    Route("/claims/{claim_id}", "get", "api.get_claim",
          "A claim with its evidence, the verdicts the caller may read, links and prior fact-checks.",
          "ClaimDetail", errors=(401, 404)),
    Route("/articles", "post", "api.import_article", "Import an article and extract its claims.",
          "ArticleImport", status=201, body="import_article", errors=(400, 401, 403, 409, 413, 415)),
    Route("/claims/{claim_id}/status", "post", "api.change_status", "Move a claim to another status.",
          "Claim", body="change_status", errors=(400, 401, 403, 404, 409, 413, 415)),
    Route("/claims/{claim_id}/assign", "post", "api.assign_claim",
          "Assign a claim (editors: anyone; reviewers: take an unassigned claim).", "Claim", body="assign",
          errors=(400, 401, 403, 404, 409, 413, 415)),
    Route("/claims/{claim_id}/evidence", "post", "api.add_evidence", "Add evidence to a claim in research.",
          "Evidence", status=201, body="add_evidence", errors=(400, 401, 403, 404, 409, 413, 415)),
    Route("/claims/{claim_id}/verdict", "post", "api.propose_verdict", "Propose a verdict for a claim in research.",
          "Verdict", status=201, body="propose_verdict", errors=(400, 401, 403, 404, 409, 413, 415)),
    Route("/claims/{claim_id}/verdict/sign-off", "post", "api.sign_off",
          "Sign off the proposed verdict (an editor other than its author).", "Verdict", editors_only=True,
          errors=(400, 401, 403, 404, 409, 413, 415)),  # no body, or an empty JSON object: anything else is refused
    Route("/claims/{claim_id}/verdict/send-back", "post", "api.send_back",
          "Send the proposed verdict back to research.", "Verdict", body="send_back", editors_only=True,
          errors=(400, 401, 403, 404, 409, 413, 415)),
    Route("/search", "get", "api.search_claims", "Fuzzy search over every claim, best match first.", "SearchPage",
          query="search", errors=(400, 401)),
    Route("/priors", "get", "api.search_priors", "Search other desks' fact-checks by claim text.", "PriorList",
          query="search_priors", errors=(400, 401)),
    Route("/openapi.json", "get", "api.openapi", "This document.", "OpenAPI", errors=(401,)),
)


def obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


STRING, INTEGER, NUMBER = {"type": "string"}, {"type": "integer"}, {"type": "number"}
WHEN = nullable("string", format="date-time")

SCHEMAS = {
    "Error": obj({"error": obj({"code": {**STRING, "description": "Machine-readable, e.g. invalid_transition."},
                                "message": {**STRING, "description": "For people: says what to change."}})}),
    "Link": obj({"claim_id": INTEGER, "score": NUMBER, "state": {"type": "string", "enum": [s.value for s in LinkState]},
                 "flags": {"type": "array", "items": STRING}}),
    "Claim": obj({
        "id": INTEGER, "article_id": INTEGER, "text": STRING, "speaker": nullable("string"),
        "start": INTEGER, "end": INTEGER, "status": {"type": "string", "enum": list(STATUSES)},
        "checkworthiness": NUMBER, "verdict": nullable("string", description="Published rating name."),
        "assignee": nullable("string"), "version": INTEGER, "updated_at": WHEN,
        "links": {"type": "array", "items": ref("Link")},
    }),
    "Article": obj({"id": INTEGER, "title": STRING, "outlet": nullable("string"), "url": nullable("string"),
                    "author": nullable("string"), "published_at": WHEN, "source_kind": STRING, "extractor": STRING,
                    "imported_at": WHEN, "text": STRING}),
    "ArticleSummary": obj({"id": INTEGER, "title": STRING, "outlet": nullable("string"), "url": nullable("string")}),
    "Evidence": obj({"id": INTEGER, "url": STRING, "quote": STRING, "stance": {"type": "string", "enum": list(STANCES)},
                     "note": STRING, "added_by": nullable("string"), "added_at": WHEN}),
    "Verdict": obj({"id": INTEGER, "rating": nullable("string"), "rating_id": INTEGER, "rationale": STRING,
                    "state": {"type": "string", "enum": [s.value for s in VerdictState]},
                    "given_by": nullable("string"), "given_at": WHEN, "signed_off_by": nullable("string"),
                    "signed_off_at": WHEN, "sent_back_reason": nullable("string"),
                    "reused_from_id": nullable("integer")}),
    "PriorFactCheck": obj({
        "id": INTEGER, "url": STRING, "publisher": STRING, "claim_text": STRING, "claimant": nullable("string"),
        "claim_date": WHEN, "rating_text": STRING, "rating_value": nullable("number"), "review_date": WHEN,
        "language": nullable("string"), "score": NUMBER,
        "state": {"type": "string", "enum": [s.value for s in LinkState]}, "flags": {"type": "array", "items": STRING},
        "desk_rating": nullable("string", description="The desk's rating that the other desk's rating maps to."),
    }, ["id", "url", "publisher", "claim_text", "rating_text"]),
    "LinkedVerdict": obj({"claim_id": INTEGER, "verdict_id": INTEGER, "rating": STRING,
                          "signed_off_by": nullable("string")}),
    "ClaimDetail": {"allOf": [ref("Claim"), obj({
        "article": ref("ArticleSummary"), "evidence": {"type": "array", "items": ref("Evidence")},
        "verdicts": {"type": "array", "items": ref("Verdict"), "description": "Only those the caller may read."},
        "current_verdict": {"oneOf": [ref("Verdict"), {"type": "null"}]},
        "linked_verdicts": {"type": "array", "items": ref("LinkedVerdict")},
        "prior_fact_checks": {"type": "array", "items": ref("PriorFactCheck")},
    })]},
    "ClaimPage": obj({"items": {"type": "array", "items": ref("Claim")},
                      "next": nullable("string", description="Pass as `cursor` for the next page; null at the end.")}),
    "ArticleImport": obj({"article": ref("Article"), "claims": {"type": "array", "items": ref("Claim")}}),
    "SearchHit": {"allOf": [ref("Claim"), obj({"score": nullable("number")})]},
    "SearchPage": obj({"items": {"type": "array", "items": ref("SearchHit")}, "total": INTEGER, "page": INTEGER,
                       "pages": INTEGER, "query": STRING, "notice": nullable("string")}),
    "PriorList": obj({"items": {"type": "array", "items": ref("PriorFactCheck")}}),
    "OpenAPI": {"type": "object", "description": "An OpenAPI 3.1 document."},
}

ERROR_TEXT = {400: "Bad JSON, a wrong field or a refused value.", 401: "No valid token or login.",
              403: "The caller's role or relation to the claim does not allow this.", 404: "No such object.",
              409: "Not possible in the claim's current state, or someone changed it meanwhile.",
              413: "The request body is too large.", 415: "The body is not JSON."}


def body_schema(fields: dict[str, Field]) -> dict:
    """An optional field may also be sent as null, which read_json takes as absent."""
    return {"type": "object", "additionalProperties": False,
            "properties": {name: f.schema(nullable=f.nullable or not f.required) for name, f in fields.items()},
            **({"required": req} if (req := [n for n, f in fields.items() if f.required]) else {})}


def operation(route: Route) -> dict:
    op = {"operationId": route.endpoint.split(".")[1], "summary": route.summary,
          "description": ("Editors and admins only." if route.editors_only else "Any desk member.")}
    params = [{"name": "claim_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX}}] \
        if "{claim_id}" in route.path else []
    for name, f in QUERIES.get(route.query, {}).items():
        params.append({"name": name, "in": "query", "required": f.required, "schema": f.schema()})
    if params:
        op["parameters"] = params
    if route.body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema(BODIES[route.body])}}}
    op["responses"] = {str(route.status): {"description": "OK" if route.status == 200 else "Created",
                                           "content": {"application/json": {"schema": ref(route.response)}}}}
    for code in route.errors:
        op["responses"][str(code)] = {"description": ERROR_TEXT[code],
                                      "content": {"application/json": {"schema": ref("Error")}}}
    return op


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "factcheck API", "version": "1.0.0",
                 "description": "Claims, evidence and verdicts for the desk's other tools. Authenticate with "
                                "`Authorization: Bearer TOKEN` (tokens are made on the API tokens page or with "
                                "`flask --app factcheck users token NAME`). Browser sessions work too, but then "
                                "every POST needs the CSRF token in the X-CSRFToken header."},
        "servers": [{"url": API_PREFIX}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A token starting with fc_."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
