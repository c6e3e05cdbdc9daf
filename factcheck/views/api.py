"""The JSON API (/api/v1): the UI's domain calls and role checks, JSON in and out, JSON errors."""
from __future__ import annotations

import base64
import binascii
import re
from datetime import date

from flask import Blueprint, current_app, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, UnsupportedMediaType

from factcheck import (api_queries, api_schema, articles, evidence, priors, search, serializers, users, verdicts,
                       workflow)
from factcheck.db import RACE_MESSAGE, get_session, reset_session
from factcheck.dossier import dossier
from factcheck.errors import FactcheckError, InvalidInput, InvalidTransition, NotFound
from factcheck.models import Claim
from factcheck.pipeline.fetch import FetchLimits
from factcheck.security import ANY_ROLE, API_PREFIX, EDITORS, csrf, load_or_404, protect_api_request, role_required
from factcheck.views.common import as_datetime, match_settings

bp = Blueprint("api", __name__, url_prefix=api_schema.API_PREFIX)
INT_MAX = api_schema.INT_MAX
CLAIM = f"<int(min=1, max={INT_MAX}):claim_id>"  # a larger path id is simply not found
csrf.exempt(bp)  # the blanket check would refuse token requests; protect_api_request checks cookie ones
bp.before_request(protect_api_request)
READS_ARGS = {route.endpoint for route in api_schema.ROUTES if route.query}  # the routes that call read_args


@bp.before_request
def refuse_parameters_of_routes_that_take_none():
    """Elsewhere a query parameter is a typo or a body field in the wrong place: refused like an
    unknown one, once the caller is known (an anonymous caller gets its 401 first)."""
    if request.args and current_user.is_authenticated and request.endpoint and request.endpoint not in READS_ARGS:
        raise InvalidInput(f"Unknown parameter(s): {', '.join(sorted(request.args))}.")


# Errors: always {"error": {"code", "message"}}, never an HTML page.

def error_response(status: int, code: str, message: str, headers=None):
    return {"error": {"code": code, "message": message}}, status, headers or {}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@bp.errorhandler(FactcheckError)
def domain_error(exc: FactcheckError):
    return error_response(exc.status, snake(type(exc).__name__), exc.message)


@bp.errorhandler(CSRFError)
def csrf_error(_exc: CSRFError):
    return error_response(400, "csrf_failed", "A request made with a login cookie must send the CSRF token in the "
                                              "X-CSRFToken header; tools should use a Bearer token instead.")


@bp.errorhandler(IntegrityError)
def race_error(_exc: IntegrityError):
    reset_session()
    return error_response(409, "conflict", RACE_MESSAGE)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.code and exc.code >= 500:
        reset_session()
    headers = {k: v for k, v in exc.get_headers() if k.lower() in ("www-authenticate", "allow")}
    return error_response(exc.code or 500, snake(exc.name.title().replace(" ", "")), exc.description or exc.name, headers)


@bp.before_app_request
def refuse_unknown_api_routes():
    """404 and 405 under /api/ match no endpoint, so the blueprint's handlers never see them."""
    exc = request.routing_exception
    if exc is not None and request.path.startswith(API_PREFIX) and getattr(exc, "code", 0) >= 400:
        return http_error(exc)
    return None


# Parsing: the declarations in api_schema are the contract; a wrong type is a 400, never a 500.

def checked(name: str, value, field: api_schema.Field):
    kinds = field.kind.split("|")
    if "integer" in kinds and isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one number type: 3.0 is an integer to JSON Schema and to most encoders
    ok = (("string" in kinds and isinstance(value, str)) or ("boolean" in kinds and isinstance(value, bool))
          or ("integer" in kinds and isinstance(value, int) and not isinstance(value, bool)))
    if not ok:
        raise InvalidInput(f"{name} must be {' or '.join(kinds)}.")
    if isinstance(value, str):
        if "\x00" in value or _unencodable(value):
            raise InvalidInput(f"{name} contains characters that cannot be stored.")
        if field.min_length is not None and len(value) < field.min_length:
            plural = "s" if field.min_length > 1 else ""
            raise InvalidInput(f"{name} is at least {field.min_length:,} character{plural}.")
        if field.max_length is not None and len(value) > field.max_length:
            raise InvalidInput(f"{name} is at most {field.max_length:,} characters.")
        if field.enum and value not in field.enum:
            raise InvalidInput(f"{name} must be one of: {', '.join(field.enum)}.")
        if field.format == "date":
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise InvalidInput(f"{name} must be a date, YYYY-MM-DD.") from None
    if isinstance(value, int) and not isinstance(value, bool):
        if not -INT_MAX <= value <= INT_MAX:
            raise InvalidInput(f"{name} is out of range.")
        if field.minimum is not None and value < field.minimum:
            raise InvalidInput(f"{name} must be at least {field.minimum}.")
        if field.maximum is not None and value > field.maximum:
            raise InvalidInput(f"{name} must be at most {field.maximum}.")
    return value


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_json(name: str, optional: bool = False) -> dict:
    """The declared fields of the JSON object in the body; absent optional ones are None."""
    fields = api_schema.BODIES.get(name, {})
    if optional and not request.get_data(cache=True):
        return {f: None for f in fields}
    if not request.is_json:
        raise UnsupportedMediaType("Send a JSON object with Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        data = None  # absurdly deep nesting
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.")
    out = {}
    for key, field in fields.items():
        value = data.get(key)
        if value is None:
            if field.required and not (field.nullable and key in data):
                raise InvalidInput(f"{key} is required.")
            out[key] = None
        else:
            out[key] = checked(key, value, field)
    return out


def read_args(name: str) -> dict:
    """The declared query parameters, converted; unknown ones are refused so that typos do not pass silently."""
    fields = api_schema.QUERIES[name]
    unknown = sorted(set(request.args) - set(fields))
    if unknown:
        raise InvalidInput(f"Unknown parameter(s): {', '.join(unknown)}.")
    repeated = sorted(key for key in request.args if len(request.args.getlist(key)) > 1)
    if repeated:  # the first would win silently: status=new&status=triaged is not "either"
        raise InvalidInput(f"Parameter(s) given more than once: {', '.join(repeated)}.")
    out = {}
    for key, field in fields.items():
        raw = request.args.get(key, "").strip()
        if not raw:
            if field.required:
                raise InvalidInput(f"{key} is required.")
            out[key] = field.default
        elif field.kind == "integer":
            if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 18:
                raise InvalidInput(f"{key} must be a whole number.")
            out[key] = checked(key, int(raw), field)
        elif field.kind == "boolean":
            if raw.lower() not in ("1", "true", "yes", "0", "false", "no"):
                raise InvalidInput(f"{key} must be true or false.")
            out[key] = raw.lower() in ("1", "true", "yes")
        else:
            out[key] = checked(key, raw, field)
    return out


def encode_cursor(last_id: int | None) -> str | None:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=") if last_id else None


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    match = re.fullmatch(r"after:(\d{1,18})", text)
    if not match:
        raise InvalidInput("That cursor is not one this API gave out; start again without it.")
    return int(match.group(1))


def article_source(data: dict) -> articles.ArticleSource:
    given = [k for k in ("text", "html", "url") if data[k] is not None]
    if len(given) != 1:
        raise InvalidInput("Send exactly one of text, html and url.")
    return articles.ArticleSource(**{given[0]: data[given[0]]})


def rating_id(value: int | str) -> int:
    """A rating by id or by name (case and spacing ignored), from the desk's active scale."""
    if isinstance(value, int):
        return value
    wanted = " ".join(value.split()).lower()
    for rating in verdicts.scale(get_session()):
        if rating.name.lower() == wanted:
            return rating.id
    raise InvalidInput(f"No rating named {value!r} on the desk's scale.")


def pending_verdict(claim: Claim):
    verdict = verdicts.current_verdict(get_session(), claim.id)
    if verdict is None:
        raise InvalidTransition("This claim has no proposed verdict waiting for an editor.")
    return verdict


def filters_from(args: dict) -> search.Filters:
    """The claim filters a list or search request names (dates only where the endpoint takes them)."""
    return search.Filters(status=args["status"], verdict=args["verdict"], outlet=args["outlet"],
                          speaker=args["speaker"], article_id=args["article"],
                          date_from=args.get("date_from"), date_to=args.get("date_to"))


def claim_json(claim: Claim) -> dict:
    return serializers.claim_record(get_session(), claim)


# Routes: each one domain call, the same role checks as the pages.

@bp.route("/claims")
@role_required(*ANY_ROLE)
def list_claims():
    args = read_args("list_claims")
    filters = filters_from(args)
    page = api_queries.list_claims(session=get_session(), actor=current_user, filters=filters, mine=args["mine"],
                                   after=decode_cursor(args["cursor"]), limit=args["limit"])
    return {"items": serializers.claim_records(get_session(), page.claims), "next": encode_cursor(page.last_id)}


@bp.route(f"/claims/{CLAIM}")
@role_required(*ANY_ROLE)
def get_claim(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    return serializers.claim_detail(get_session(), dossier(get_session(), current_user, claim),
                                    priors.checks_for(get_session(), claim))


@bp.route("/articles", methods=["POST"])
@role_required(*ANY_ROLE)
def import_article():
    data = read_json("import_article")
    article = articles.import_article(
        session=get_session(), actor=current_user, source=article_source(data), title=data["title"],
        outlet=data["outlet"], url=data["source_url"], author=data["author"],
        published_at=as_datetime(data["published_at"]), max_bytes=current_app.config["MAX_ARTICLE_BYTES"],
        settings=match_settings(), fetch_limits=FetchLimits.from_config(current_app.config),
        allow_duplicate=data["allow_duplicate"])
    found = articles.claims_of(get_session(), article.id)
    return {"article": serializers.article_record(article), "claims": serializers.claim_records(get_session(), found)}, 201


@bp.route(f"/claims/{CLAIM}/status", methods=["POST"])
@role_required(*ANY_ROLE)
def change_status(claim_id: int):
    claim, data = load_or_404(Claim, claim_id), read_json("change_status")
    workflow.change_status(session=get_session(), actor=current_user, claim=claim, status=data["status"],
                           reason=data["reason"] or "", expected_version=data["version"])
    return claim_json(claim)


@bp.route(f"/claims/{CLAIM}/assign", methods=["POST"])
@role_required(*ANY_ROLE)
def assign_claim(claim_id: int):
    claim, data = load_or_404(Claim, claim_id), read_json("assign")
    try:
        assignee = users.get_user(session=get_session(), username=data["user"]) if data["user"] else None
    except NotFound as exc:
        raise InvalidInput(exc.message) from None  # the claim exists; the body named nobody
    workflow.assign(session=get_session(), actor=current_user, claim=claim, assignee=assignee,
                    expected_version=data["version"])
    return claim_json(claim)


@bp.route(f"/claims/{CLAIM}/evidence", methods=["POST"])
@role_required(*ANY_ROLE)
def add_evidence(claim_id: int):
    claim, data = load_or_404(Claim, claim_id), read_json("add_evidence")
    item = evidence.add_evidence(session=get_session(), actor=current_user, claim=claim, url=data["url"],
                                 stance=data["stance"], quote=data["quote"] or "", note=data["note"] or "")
    return serializers.evidence_record(item, {current_user.id: current_user.username}), 201


@bp.route(f"/claims/{CLAIM}/verdict", methods=["POST"])
@role_required(*ANY_ROLE)
def propose_verdict(claim_id: int):
    claim, data = load_or_404(Claim, claim_id), read_json("propose_verdict")
    verdict = verdicts.propose_verdict(session=get_session(), actor=current_user, claim=claim,
                                       rating_id=rating_id(data["rating"]), rationale=data["rationale"],
                                       expected_version=data["version"])
    return serializers.verdict_json(get_session(), verdict), 201


@bp.route(f"/claims/{CLAIM}/verdict/sign-off", methods=["POST"])
@role_required(*EDITORS)
def sign_off(claim_id: int):
    claim = load_or_404(Claim, claim_id)
    read_json("sign_off", optional=True)
    verdict = verdicts.sign_off(session=get_session(), actor=current_user, claim=claim, verdict=pending_verdict(claim))
    return serializers.verdict_json(get_session(), verdict)


@bp.route(f"/claims/{CLAIM}/verdict/send-back", methods=["POST"])
@role_required(*EDITORS)
def send_back(claim_id: int):
    claim, data = load_or_404(Claim, claim_id), read_json("send_back")
    verdict = verdicts.send_back(session=get_session(), actor=current_user, claim=claim,
                                 verdict=pending_verdict(claim), reason=data["reason"])
    return serializers.verdict_json(get_session(), verdict)


@bp.route("/search")
@role_required(*ANY_ROLE)
def search_claims():
    args = read_args("search")
    filters = filters_from(args)
    result = search.search_claims(session=get_session(), query=args["q"] or "", filters=filters, page=args["page"],
                                  page_size=args["limit"])
    return serializers.search_page(get_session(), result)


@bp.route("/priors")
@role_required(*ANY_ROLE)
def search_priors():
    args = read_args("search_priors")
    found = api_queries.search_priors(session=get_session(), query=args["q"], limit=args["limit"])
    return {"items": [serializers.prior_record(prior, score=score) for prior, score in found]}


@bp.route("/openapi.json")
@role_required(*ANY_ROLE)
def openapi():
    return api_schema.build_document()
