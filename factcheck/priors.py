"""Fact-checks published by other desks: import from ClaimReview or Fact Check Tools JSON, match them
to the desk's claims, map their textual ratings onto the desk's scale, attach them as evidence.

A file is imported whole or not at all: every record is read and checked first, and one bad record
refuses the file with the reason for each bad record, so a desk never holds half a feed.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timezone
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from factcheck import audit, claim_vectors, evidence, index_store
from factcheck.claim_index import current_index, current_prior_index
from factcheck.errors import ImportFailed, InvalidInput, NotAllowed
from factcheck.matching import embeddings, score_bound, score_pairs
from factcheck.models import (Claim, Evidence, LinkState, PriorFactCheck, PriorLink, Rating, RatingAlias, Role,
                              Stance, User)
from factcheck.permissions import can_research

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CANDIDATES = 10
LIMITS = {"url": 2000, "publisher": 300, "rating_text": 300, "claimant": 300, "language": 20, "claim_text": 10_000}
# Common textual ratings of other desks -> names of the default scale (verdicts.DEFAULT_SCALE).
DEFAULT_ALIASES = {
    "true": "True", "correct": "True", "accurate": "True",
    "mostly true": "Mostly true", "mostly correct": "Mostly true",
    "half true": "Half true", "half-true": "Half true", "mixture": "Half true",
    "mostly false": "Mostly false",
    "false": "False", "incorrect": "False", "fake": "False", "pants on fire": "False", "pants on fire!": "False",
    "misleading": "Misleading",
    "unproven": "Unverifiable", "unverified": "Unverifiable", "unverifiable": "Unverifiable",
}


@dataclass(frozen=True)
class Problem:
    """Why one record (named by its place in the file, e.g. dataFeedElement[2]) was refused or skipped."""

    record: str
    reason: str

    def __str__(self) -> str:
        return f"record {self.record}: {self.reason}"


class PriorImportRefused(ImportFailed):
    """A file that was refused whole, with the reason for every bad record."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


@dataclass
class PriorImport:
    source: str
    imported: list[PriorFactCheck]
    skipped: list[Problem]
    links: int


@dataclass
class FileResult:
    """One file's outcome in a batch: imported, or refused with the reasons."""

    source: str
    result: PriorImport | None = None
    error: PriorImportRefused | None = None

    @property
    def problems(self) -> list[Problem]:
        return self.error.problems if self.error else []


@dataclass
class PriorCheck:
    """A matched prior fact-check as the claim page shows it."""

    link: PriorLink
    prior: PriorFactCheck
    rating: Rating | None  # the desk's rating it maps to; None means shown as text only
    stance: Stance


# -- reading files -----------------------------------------------------------------------------

def fold(text: str | None) -> str:
    """The form aliases are stored and looked up in: lower-cased, runs of spaces folded."""
    return " ".join((text or "").lower().split())


def parse_file(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[tuple[str, dict | Problem]]:
    """(record locator, field dict or Problem) for every fact-check in the file, in file order."""
    if len(data) > max_bytes:
        raise PriorImportRefused(f"The file is larger than {max_bytes:,} bytes, the import limit.")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PriorImportRefused("The file is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise PriorImportRefused(f"The file is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise PriorImportRefused(f"The file is not JSON this import can read ({exc}).") from None
    except RecursionError:
        raise PriorImportRefused("The file is not JSON this import can read "
                                 "(arrays or objects nested too deeply).") from None
    if isinstance(doc, dict) and isinstance(doc.get("claims"), list) and "@type" not in doc:
        yield from _fact_check_tools(doc["claims"])
    elif isinstance(doc, dict) and "@graph" in doc:
        yield from _graph(doc["@graph"])
    elif isinstance(doc, dict) and "dataFeedElement" in doc:
        yield from _data_feed(doc["dataFeedElement"])
    elif isinstance(doc, dict) and "@type" in doc:
        yield from _items([("", doc)], {})
    elif isinstance(doc, list):
        yield from _items([(f"[{i}]", node) for i, node in enumerate(doc)], {})
    else:
        raise PriorImportRefused("The file is neither ClaimReview JSON-LD (an object, a list, a DataFeed or an "
                                 "@graph page) nor a Fact Check Tools claim search response.")


def _types(node) -> set[str]:
    """Type names without a vocabulary prefix: schema:ClaimReview and https://schema.org/ClaimReview alike."""
    raw = node.get("@type", ()) if isinstance(node, dict) else ()
    raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else ()  # "@type": 5 names no type
    return {_shown(re.split(r"[/:#]", t)[-1]) for t in raw if isinstance(t, str)}


def _shown(text: str) -> str:
    """Text safe to print or render: a lone surrogate (valid in JSON, not in UTF-8) shown as an escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _graph(nodes) -> Iterator[tuple[str, dict | Problem]]:
    if not isinstance(nodes, list):
        raise PriorImportRefused("@graph must be a list of nodes.")
    ids = {n["@id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("@id"), str)}
    # A page's graph also carries its WebSite, Organization and BreadcrumbList nodes: only reviews count.
    yield from _items([(f"@graph[{i}]", n) for i, n in enumerate(nodes) if "ClaimReview" in _types(n)], ids)


def _data_feed(elements) -> Iterator[tuple[str, dict | Problem]]:
    if not isinstance(elements, list):
        raise PriorImportRefused("dataFeedElement must be a list.")
    found = []
    for i, element in enumerate(elements):
        if "DataFeedItem" in _types(element):  # Google's feed wraps each review in a DataFeedItem
            items = element.get("item")
            items = items if isinstance(items, list) else [items]
            found += [(f"dataFeedElement[{i}].item[{j}]", item) for j, item in enumerate(items)]
        else:
            found.append((f"dataFeedElement[{i}]", element))
    yield from _items(found, {})


def _items(located, ids: dict) -> Iterator[tuple[str, dict | Problem]]:
    for where, node in located:
        where = where or "0"
        if not isinstance(node, dict) or "ClaimReview" not in _types(node):
            kind = ", ".join(sorted(_types(node))) or type(node).__name__
            yield where, Problem(where, f"is a {kind}, not a ClaimReview")
            continue
        try:
            yield where, _claim_review_fields(node, ids)
        except InvalidInput as exc:
            yield where, Problem(where, exc.message)


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _resolve(value, ids: dict):
    """Follow {"@id": ...} references within an @graph page."""
    value = _first(value)
    if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
        return ids.get(value["@id"], value)
    return value


def _name(value, ids: dict) -> str | None:
    value = _resolve(value, ids)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = _first(value.get("name"))
        return name.strip() if isinstance(name, str) and name.strip() else None
    return None


def _text(value) -> str | None:
    value = _first(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _claim_review_fields(node: dict, ids: dict) -> dict:
    rating = _resolve(node.get("reviewRating"), ids)
    rating = rating if isinstance(rating, dict) else {}
    item = _resolve(node.get("itemReviewed"), ids)
    item = item if isinstance(item, dict) else {}
    language = _resolve(node.get("inLanguage"), ids)
    if isinstance(language, dict):
        language = language.get("alternateName") or language.get("name")
    return _checked({
        "url": _text(node.get("url")),
        "publisher": _name(node.get("author"), ids) or _name(node.get("publisher"), ids),
        "claim_text": _text(node.get("claimReviewed")),
        "rating_text": _text(rating.get("alternateName")) or _text(rating.get("name")),
        "rating_value": _normalised_value(rating),
        "review_date": node.get("datePublished"),
        "claimant": _name(item.get("author"), ids),
        "claim_date": item.get("datePublished"),
        "language": _text(language),
    }, {"url": "url", "publisher": "author.name", "claim_text": "claimReviewed",
        "rating_text": "reviewRating.alternateName", "review_date": "datePublished",
        "claim_date": "itemReviewed.datePublished"})


def _normalised_value(rating: dict) -> float | None:
    """The source's own ratingValue placed on 0 (worst) .. 1 (best); None without a usable scale."""
    try:
        value, best, worst = (float(rating[k]) for k in ("ratingValue", "bestRating", "worstRating"))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if not all(map(math.isfinite, (value, best, worst))) or best == worst \
            or not min(best, worst) <= value <= max(best, worst):
        return None
    return round((value - worst) / (best - worst), 4)


def _fact_check_tools(claims: list) -> Iterator[tuple[str, dict | Problem]]:
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict):
            yield f"claims[{i}]", Problem(f"claims[{i}]", "is not an object")
            continue
        reviews = claim.get("claimReview")
        if not isinstance(reviews, list) or not reviews:
            yield f"claims[{i}]", Problem(f"claims[{i}]", "has no claimReview list")
            continue
        for j, review in enumerate(reviews):
            where = f"claims[{i}].claimReview[{j}]"
            if not isinstance(review, dict):
                yield where, Problem(where, "is not an object")
                continue
            publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
            try:
                yield where, _checked({
                    "url": _text(review.get("url")),
                    "publisher": _text(publisher.get("name")) or _text(publisher.get("site")),
                    "claim_text": _text(claim.get("text")),
                    "rating_text": _text(review.get("textualRating")),
                    "rating_value": None,
                    "review_date": review.get("reviewDate"),
                    "claimant": _text(claim.get("claimant")),
                    "claim_date": claim.get("claimDate"),
                    "language": _text(review.get("languageCode")),
                }, {"url": "url", "publisher": "publisher.name", "claim_text": "text",
                    "rating_text": "textualRating", "review_date": "reviewDate", "claim_date": "claimDate"})
            except InvalidInput as exc:
                yield where, Problem(where, exc.message)


def _checked(fields: dict, names: dict) -> dict:
    """Required fields present, text storable, URL absolute, dates ISO 8601, lengths within the columns."""
    for key, value in fields.items():
        if isinstance(value, str) and not _storable(value):
            raise InvalidInput(f"{names.get(key, key)} holds a character that cannot be stored as text "
                               "(a lone surrogate or a NUL)")
    missing = [names[k] for k in ("url", "publisher", "claim_text", "rating_text") if not fields[k]]
    if missing:
        raise InvalidInput(f"missing {', '.join(missing)}")
    parts = urlsplit(fields["url"])
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in fields["url"]):
        raise InvalidInput(f"url {fields['url'][:100]!r} is not an absolute http(s) URL")
    for key in ("review_date", "claim_date"):
        fields[key] = _parse_date(fields[key], names[key])
    for key, limit in LIMITS.items():
        if fields[key] and len(fields[key]) > limit:
            raise InvalidInput(f"{names.get(key, key)} is longer than {limit:,} characters")
    return fields


def _storable(text: str) -> bool:
    """UTF-8 encodable (JSON allows lone surrogates like \\ud800) and NUL-free (PostgreSQL text refuses it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _parse_date(value, name: str) -> datetime | None:
    """ISO 8601 date or date-time; a bare date is taken as noon UTC so no time zone moves its day."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} is not an ISO 8601 date")
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return datetime.combine(datetime.fromisoformat(value.strip()).date(), time(12), timezone.utc)
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)
    except ValueError:
        raise InvalidInput(f"{name} {value[:40]!r} is not an ISO 8601 date") from None
    except OverflowError:  # 0001-01-01T00:00+01:00 is a valid date whose UTC time falls before year 1
        raise InvalidInput(f"{name} {value[:40]!r} is out of range in UTC") from None


# -- importing ---------------------------------------------------------------------------------

def import_priors(*, session: Session, actor: User | None, data: bytes, source: str,
                  max_bytes: int = DEFAULT_MAX_BYTES, threshold: float = 70.0,
                  skip_existing: bool = False) -> PriorImport:
    """Import one file in one transaction, then match the new fact-checks against the desk's claims.

    URLs already stored refuse the file, unless skip_existing: then those records are skipped and named.
    """
    if actor is not None and actor.role not in (Role.EDITOR, Role.ADMIN):
        raise NotAllowed("Only editors import other desks' fact-checks.")
    source = _shown(source or "upload")[:300]  # a file name is not always valid UTF-8
    records, problems, seen = [], [], {}
    for where, found in parse_file(data, max_bytes):
        if isinstance(found, Problem):
            problems.append(found)
        elif found["url"] in seen:
            problems.append(Problem(where, f"url {found['url']} repeats record {seen[found['url']]}"))
        else:
            seen[found["url"]] = where
            records.append((where, found))
    if not records and not problems:
        raise PriorImportRefused("No ClaimReview records were found.")
    stored = _stored_urls(session, [r["url"] for _, r in records])
    skipped = []
    for where, record in records:
        if record["url"] in stored:
            origin = stored[record["url"]] or "an earlier import"
            problem = Problem(where, f"url {record['url']} is already stored (from {origin})")
            (skipped if skip_existing else problems).append(problem)
    if problems:
        raise PriorImportRefused(f"Refused, nothing imported: {len(problems)} bad record(s).", problems)
    fresh = [PriorFactCheck(**record, source=source, imported_by_id=actor.id if actor else None)
             for _, record in records if record["url"] not in stored]
    try:
        session.add_all(fresh)
        session.flush()
        links = _match_priors(session, actor, fresh, threshold) if fresh else []
        if fresh:
            audit.record(session, actor, "priors.import", fresh[0],
                         {"source": source, "imported": len(fresh), "skipped": len(skipped),
                          "ids": [fresh[0].id, fresh[-1].id], "links": len(links)})
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PriorImportRefused("Refused, nothing imported: another import stored some of the same URLs "
                                 "meanwhile. Try again.") from None
    return PriorImport(source, fresh, skipped, len(links))


def import_prior_files(*, session: Session, actor: User | None, files: Iterable[tuple[str, bytes]],
                       max_bytes: int = DEFAULT_MAX_BYTES, threshold: float = 70.0,
                       skip_existing: bool = False) -> list[FileResult]:
    """Each file on its own transaction: a refused file does not stop the next one."""
    results = []
    for name, data in files:
        try:
            results.append(FileResult(name, result=import_priors(
                session=session, actor=actor, data=data, source=name, max_bytes=max_bytes,
                threshold=threshold, skip_existing=skip_existing)))
        except PriorImportRefused as exc:
            session.rollback()
            results.append(FileResult(name, error=exc))
    return results


def _stored_urls(session: Session, urls: list[str]) -> dict[str, str]:
    found = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        found.update(session.exec(select(PriorFactCheck.url, PriorFactCheck.source)
                                  .where(PriorFactCheck.url.in_(chunk))).all())
    return found


# -- matching ----------------------------------------------------------------------------------

def _match_priors(session: Session, actor: User | None, priors: list[PriorFactCheck],
                  threshold: float) -> list[PriorLink]:
    """New fact-checks against every claim of the desk: the candidates of all of them first.
    When the claim index holds the claims' vectors (a base built after the embedding job ran), the
    fact-checks are embedded first, in one batch, and find claims by meaning as well as by words."""
    index = current_index(session)
    vectors = _search_vectors(session, index, priors)
    found = {p.id: [h.claim_id for h in index.search(p.claim_text, limit=CANDIDATES, vector=vectors.get(p.id))]
             for p in priors}
    wanted = {cid for ids in found.values() for cid in ids}
    claims = {c.id: c for c in session.exec(select(Claim).where(Claim.id.in_(wanted)))} if wanted else {}
    pairs = [(claims[cid], prior) for prior in priors for cid in sorted(found[prior.id]) if cid in claims]
    return _link_pairs(session, actor, pairs, threshold, prior_vecs=vectors)


def _search_vectors(session: Session, index, priors: list[PriorFactCheck]) -> dict[int, np.ndarray]:
    """The fact-checks' vectors, when the claim index can be searched with them (it holds claim
    vectors of the model that embeds now); else none, and nothing is embedded for the search."""
    embedder = embeddings.active_embedder()
    if embedder is None or index.source is None or \
            index_store.vector_model(index.source) != claim_vectors.name_of(embedder):
        return {}
    return _prior_vectors(session, priors, embedder)


def match_claims(*, session: Session, actor: User | None, claims: list[Claim],
                 threshold: float = 70.0) -> list[PriorLink]:
    """New claims against every prior fact-check; runs inside the caller's transaction (article import).
    Claims whose vectors are stored (linking stores them) also find fact-checks by meaning."""
    index = current_prior_index(session)
    model = claim_vectors.current_model()
    vectors = claim_vectors.read_vectors(session, claims, model) if model and claims else {}
    found = {c.id: [h.claim_id for h in index.search(c.text, limit=CANDIDATES, vector=vectors.get(c.id))]
             for c in claims}
    wanted = {pid for ids in found.values() for pid in ids}
    priors = {p.id: p for p in session.exec(select(PriorFactCheck).where(PriorFactCheck.id.in_(wanted)))} \
        if wanted else {}
    pairs = [(claim, priors[pid]) for claim in claims for pid in sorted(found[claim.id]) if pid in priors]
    return _link_pairs(session, actor, pairs, threshold, vectors)


def _link_pairs(session: Session, actor, pairs: list[tuple[Claim, PriorFactCheck]], threshold: float,
                claim_vecs: dict[int, np.ndarray] | None = None,
                prior_vecs: dict[int, np.ndarray] | None = None) -> list[PriorLink]:
    """Link the (claim, fact-check) pairs that score at least `threshold`. Pairs that cannot
    (score_bound, a cheap upper bound) are dropped first; the rest are scored with both sides'
    vectors (see _pair_vectors; `claim_vecs`, `prior_vecs`: vectors the caller has already)."""
    pairs = [(c, p) for c, p in pairs if c.merged_into_id is None
             and score_bound(c.text, p.claim_text) >= threshold - 0.01]
    given = _pair_vectors(session, pairs, claim_vecs or {}, prior_vecs or {})
    texts = [(claim.text, prior.claim_text) for claim, prior in pairs]
    scored = [(claim, prior, pair) for (claim, prior), pair in zip(pairs, score_pairs(texts, vectors=given))
              if pair.score >= threshold]
    if not scored:
        return []
    claim_ids, prior_ids = {c.id for c, _, _ in scored}, {p.id for _, p, _ in scored}
    linked = set(session.exec(select(PriorLink.claim_id, PriorLink.prior_id).where(
        PriorLink.claim_id.in_(claim_ids), PriorLink.prior_id.in_(prior_ids))).all())
    made = []
    for claim, prior, pair in scored:
        if (claim.id, prior.id) in linked:
            continue  # already matched, perhaps already decided
        linked.add((claim.id, prior.id))
        made.append((PriorLink(claim_id=claim.id, prior_id=prior.id, score=round(pair.score, 2),
                               flags_json=json.dumps(list(pair.flags))), prior))
    session.add_all([link for link, _ in made])
    session.flush()
    audit.record_many(session, actor, "prior.match", [
        (link, {"prior": prior.url, "publisher": prior.publisher, "score": link.score, "flags": link.flags}, None)
        for link, prior in made])
    return [link for link, _ in made]


def _pair_vectors(session: Session, pairs: list[tuple[Claim, PriorFactCheck]],
                  claim_vecs: dict[int, np.ndarray], prior_vecs: dict[int, np.ndarray]) -> dict:
    """Text -> vector for these pairs, while embeddings are on: stored vectors are read, and
    fact-checks without one are embedded in one batch and stored, instead of the model running
    pair by pair."""
    embedder = embeddings.active_embedder()
    if embedder is None or not pairs:
        return {}
    claims = list({c.id: c for c, _ in pairs}.values())
    priors = list({p.id: p for _, p in pairs}.values())
    stored = dict(claim_vecs)
    stored.update(claim_vectors.read_vectors(session, [c for c in claims if c.id not in stored],
                                             claim_vectors.name_of(embedder)))
    given = {c.text: stored[c.id] for c in claims if c.id in stored}
    found = dict(prior_vecs)
    found.update(_prior_vectors(session, [p for p in priors if p.id not in found], embedder))
    given.update({p.claim_text: found[p.id] for p in priors})
    return given


def _prior_vectors(session: Session, priors: list[PriorFactCheck], embedder) -> dict[int, np.ndarray]:
    """These fact-checks' vectors: read where stored, the others embedded in one batch and stored
    (the embedding job then skips them)."""
    kind = claim_vectors.PRIORS
    found = claim_vectors.read_vectors(session, priors, claim_vectors.name_of(embedder), kind)
    found.update(claim_vectors.embed_and_store(session, [p for p in priors if p.id not in found], embedder, kind))
    return found


# -- ratings and the claim page ------------------------------------------------------------------

def alias_map(session: Session) -> dict[str, Rating]:
    ratings = {r.id: r for r in session.exec(select(Rating))}
    return {a.alias: ratings[a.rating_id] for a in session.exec(select(RatingAlias)) if a.rating_id in ratings}


def mapped_rating(aliases: dict[str, Rating], rating_text: str) -> Rating | None:
    """Exact match after folding; anything else stays unmapped rather than guessed."""
    return aliases.get(fold(rating_text))


def stance_of(rating: Rating | None, scale: list[Rating]) -> Stance:
    """Refutes at the false end of the desk's scale, supports at the true end, context otherwise.

    Values of 0 or below mean "no conclusion" on this desk's scale (Unverifiable), so only positive
    values span false..true; the lowest third of that span refutes, the highest third supports.
    """
    values = [r.value for r in scale if r.value > 0]
    if rating is None or rating.value <= 0 or not values or max(values) == min(values):
        return Stance.CONTEXT
    low, high = min(values), max(values)
    third = (high - low) / 3
    if rating.value <= low + third:
        return Stance.REFUTES
    if rating.value >= high - third:
        return Stance.SUPPORTS
    return Stance.CONTEXT


def _scale(session: Session) -> list[Rating]:
    return list(session.exec(select(Rating).where(Rating.active == True)))  # noqa: E712


def checks_for(session: Session, claim: Claim) -> list[PriorCheck]:
    """The other desks' fact-checks matched to this claim, best match first; rejected ones are left out."""
    rows = session.exec(select(PriorLink, PriorFactCheck).join(PriorFactCheck, PriorFactCheck.id == PriorLink.prior_id)
                        .where(PriorLink.claim_id == claim.id, PriorLink.state != LinkState.REJECTED)
                        .order_by(PriorLink.score.desc(), PriorLink.id)).all()
    if not rows:
        return []
    aliases, scale = alias_map(session), _scale(session)
    out = []
    for link, prior in rows:
        rating = mapped_rating(aliases, prior.rating_text)
        out.append(PriorCheck(link, prior, rating, stance_of(rating, scale)))
    return out


def _open_match(session: Session, claim: Claim, prior: PriorFactCheck, *, attached: str) -> PriorLink:
    """The live match of this fact-check and claim, not yet attached as evidence (else `attached`)."""
    link = session.exec(select(PriorLink).where(PriorLink.claim_id == claim.id, PriorLink.prior_id == prior.id,
                                                PriorLink.state != LinkState.REJECTED)).first()
    if link is None:
        raise InvalidInput("That fact-check is not matched to this claim.")
    if session.exec(select(Evidence.id).where(Evidence.claim_id == claim.id, Evidence.url == prior.url)).first():
        raise InvalidInput(attached)
    return link


def attach_prior(*, session: Session, actor: User, claim: Claim, prior: PriorFactCheck) -> Evidence:
    """One click: the other desk's fact-check becomes evidence, its stance read from the mapped rating."""
    if not can_research(actor, claim):
        raise NotAllowed("Evidence is added by the claim's assignee (or an editor) while it is in research.")
    link = _open_match(session, claim, prior, attached="That fact-check is already attached as evidence.")
    rating = mapped_rating(alias_map(session), prior.rating_text)
    stance = stance_of(rating, _scale(session))
    when = prior.review_date.strftime("%Y-%m-%d") if prior.review_date else "an unknown date"
    note = f"Checked by {prior.publisher} on {when}: {prior.rating_text}"
    note += f" (on this desk's scale: {rating.name})." if rating else " (not mapped to this desk's scale)."
    try:
        link.state = LinkState.CONFIRMED
        session.add(link)
        audit.record(session, actor, "prior.attach", link, {"prior": prior.url, "stance": stance.value})
        return evidence.add_evidence(session=session, actor=actor, claim=claim, url=prior.url, stance=stance,
                                     quote=prior.claim_text[:10_000], note=note)
    except Exception:
        session.rollback()
        raise


def reject_match(*, session: Session, actor: User, claim: Claim, prior: PriorFactCheck) -> PriorLink:
    """A reviewer says the other desk checked another claim: the match leaves the claim page and the
    "has a prior fact-check" queue, and matching never suggests it again (as with claim links)."""
    if actor.role not in (Role.REVIEWER, Role.EDITOR, Role.ADMIN):
        raise NotAllowed("Only desk members decide matches.")
    link = _open_match(session, claim, prior, attached="That fact-check is attached as evidence: remove the evidence first.")
    changes = audit.diff(link, {"state": LinkState.REJECTED.value})
    link.state = LinkState.REJECTED
    session.add(link)
    audit.record(session, actor, "prior.reject", link, changes, claim_id=claim.id)
    session.commit()
    return link


# -- aliases -----------------------------------------------------------------------------------

def list_aliases(session: Session) -> list[tuple[RatingAlias, Rating | None]]:
    ratings = {r.id: r for r in session.exec(select(Rating))}
    return [(a, ratings.get(a.rating_id)) for a in session.exec(select(RatingAlias).order_by(RatingAlias.alias))]


def save_alias(*, session: Session, actor: User, alias: str, rating_id: int) -> RatingAlias:
    """Map another desk's rating text onto a rating of the scale; saving an existing alias re-points it."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only an admin maps other desks' ratings.")
    folded = fold(alias)
    if not folded or len(folded) > LIMITS["rating_text"]:
        raise InvalidInput(f"An alias needs some text, at most {LIMITS['rating_text']} characters.")
    rating = session.get(Rating, rating_id)
    if rating is None:
        raise InvalidInput("Choose a rating from the desk's scale.")
    row = (session.exec(select(RatingAlias).where(RatingAlias.alias == folded)).first()
           or RatingAlias(alias=folded, rating_id=rating.id))
    changes = {"alias": folded, "rating": rating.name, "was": row.rating_id if row.id else None}
    row.rating_id = rating.id
    session.add(row)
    session.flush()
    audit.record(session, actor, "alias.save", row, changes)
    session.commit()
    return row


def delete_alias(*, session: Session, actor: User, alias: RatingAlias) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only an admin maps other desks' ratings.")
    audit.record(session, actor, "alias.delete", alias, {"alias": alias.alias, "rating_id": alias.rating_id})
    session.delete(alias)
    session.commit()


def ensure_default_aliases(session: Session) -> int:
    """Seed common ratings ("pants on fire", "mostly false", ...) once, for the scale names that exist."""
    if session.exec(select(RatingAlias.id).limit(1)).first() is not None:
        return 0
    by_name = {r.name: r for r in session.exec(select(Rating))}
    rows = [RatingAlias(alias=alias, rating_id=by_name[name].id)
            for alias, name in DEFAULT_ALIASES.items() if name in by_name]
    session.add_all(rows)
    session.commit()
    return len(rows)


def list_priors(session: Session, limit: int = 200) -> list[tuple[PriorFactCheck, Rating | None]]:
    """The latest imported fact-checks, each with the desk's rating its text maps to (or None)."""
    aliases = alias_map(session)
    rows = session.exec(select(PriorFactCheck).order_by(PriorFactCheck.imported_at.desc(), PriorFactCheck.id.desc())
                        .limit(limit))
    return [(p, mapped_rating(aliases, p.rating_text)) for p in rows]
