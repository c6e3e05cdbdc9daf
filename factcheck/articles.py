"""Importing an article: source -> pipeline -> claim rows -> duplicate links, in one transaction;
then a short one that links the claims to those other imports committed meanwhile (links.link_missed)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from sqlmodel import Session, func, or_, select

from factcheck import audit, claim_vectors, links, priors
from factcheck.claim_index import index_snapshot, note_change
from factcheck.errors import Conflict, ImportFailed, InvalidInput
from factcheck.models import Article, Claim, ClaimLink, ClaimStatus, Evidence, User, Verdict, utcnow
from factcheck.pipeline import analyse_text, fetch, sources


class DuplicateArticle(Conflict):
    """The article's URL is already on the desk; `article_id` is the earlier import."""

    def __init__(self, message: str, article_id: int):
        super().__init__(message)
        self.article_id = article_id


@dataclass
class ArticleSource:
    """What a person handed over: pasted text, an uploaded file, or HTML."""

    text: str | None = None
    html: str | None = None
    filename: str | None = None
    data: bytes | None = None
    url: str | None = None


def read_source(source: ArticleSource, max_bytes: int,
                fetch_limits: fetch.FetchLimits | None = None) -> tuple[str, str | None, str]:
    """The article text, a title if the source has one, and the kind of source."""
    try:
        if source.url is not None and source.data is None and source.html is None and source.text is None:
            page = fetch.fetch_page(source.url, fetch_limits or fetch.FetchLimits(max_bytes=max_bytes))
            source.url = page.final_url  # where the redirects ended: the article's real address
            return page.text, page.title, "url"
        if source.data is not None:
            doc = sources.read_upload(source.filename or "upload.txt", source.data, max_bytes=max_bytes)
            return doc.text, doc.title, doc.kind
        if source.html is not None:
            if len(source.html.encode("utf-8", "surrogatepass")) > max_bytes:
                raise ImportFailed(f"The HTML is larger than {max_bytes:,} bytes.")
            text, title = sources.html_to_text(source.html)
            if sources.is_blank(text):
                raise ImportFailed("No article text could be found in that HTML.")
            return text, title, "html"
        if source.text is not None:
            if len(source.text.encode("utf-8", "surrogatepass")) > max_bytes:
                raise ImportFailed(f"The text is larger than {max_bytes:,} bytes.")
            return sources.from_paste(source.text).text, None, "text"
    except sources.SourceError as exc:
        raise ImportFailed(str(exc)) from None
    raise ImportFailed("Paste the article text or choose a file.")


def title_from(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return "Untitled article"


def import_article(*, session: Session, actor: User | None, source: ArticleSource, title: str | None = None,
                   outlet: str | None = None, url: str | None = None, author: str | None = None,
                   published_at: datetime | None = None, max_bytes: int = 2_000_000,
                   settings: links.MatchSettings = links.MatchSettings(),
                   fetch_limits: fetch.FetchLimits | None = None, allow_duplicate: bool = False) -> Article:
    """`allow_duplicate`: import an article whose URL is already on the desk (an updated story);
    by default that is refused, as two reviewers importing one story would double its claims."""
    # Nothing is written yet: end any open read, so that fetching and extraction (slow) hold no
    # database lock; the writes below start their own transaction.
    session.commit()
    requested = source.url  # before redirects; the article records the address they end at
    text, found_title, kind = read_source(source, max_bytes, fetch_limits)
    if url and not url.lower().startswith(("http://", "https://")):
        raise InvalidInput("The article URL must start with http:// or https://.")
    if not allow_duplicate:
        _refuse_known_url(session, url, requested, source.url)
    extraction = analyse_text(text)
    claim_vectors.embed_ahead([d.text for d in extraction.claims])  # before any lock is taken
    snapshot = index_snapshot(session)  # past claims only: this article's claims are not in it yet
    address = source.url if url == requested else (url or source.url)
    article = Article(title=(title or found_title or title_from(text)).strip()[:500], outlet=(outlet or None),
                      url=address, author=author, published_at=published_at, text=text,
                      source_kind="url" if source.url else kind, extractor=extraction.extractor,
                      boilerplate_json=json.dumps(extraction.boilerplate),
                      imported_by_id=actor.id if actor else None)
    session.add(article)
    session.flush()
    claims = [claim_from_draft(article, d) for d in extraction.claims]
    session.add_all(claims)
    session.flush()
    for claim in claims:
        note_change(session, claim.id)
    audit.record(session, actor, "article.import", article,
                 {"title": article.title, "outlet": outlet, "claims": len(claims), "extractor": article.extractor})
    links.suggest_links(session=session, actor=actor, claims=claims, index=snapshot.index, settings=settings)
    priors.match_claims(session=session, actor=actor, claims=claims, threshold=settings.suggest)
    session.commit()
    links.link_missed(session=session, actor=actor, claims=claims, snapshot=snapshot, settings=settings)
    return article


def _refuse_known_url(session: Session, *urls: str | None) -> None:
    """Any of the given addresses of the story on the desk refuses it (a redirected URL has two)."""
    known = {u for u in urls if u}
    if not known:
        return
    keys = {url_key(u) for u in known}
    hosts = {urlsplit(k).hostname or k for k in keys}
    near = or_(*(func.lower(Article.url).contains(h, autoescape=True) for h in sorted(hosts)))
    # addresses only: a host's articles may be thousands, and their texts are not needed to compare
    same = next((i for i, u in session.exec(select(Article.id, Article.url).where(near).order_by(Article.id))
                 if u and url_key(u) in keys), None)
    earlier = session.get(Article, same) if same is not None else None
    session.commit()  # end the read: extraction comes next, and holds no lock
    if earlier is not None:
        raise DuplicateArticle(
            f"This article was already imported as #{earlier.id} “{earlier.title}” on "
            f"{earlier.imported_at:%Y-%m-%d}. To import it again (an updated story), ask for a duplicate: "
            "“Import it again” on the form, allow_duplicate in the API, --allow-duplicate on the command line.",
            earlier.id)


def url_key(url: str) -> str:
    """One article's address however it was written: scheme and host in any case, with or without
    its default port, and without a #fragment (the path and query stay as they are: they may
    differ in case between two articles)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    netloc = host if port is None or port == {"http": 80, "https": 443}.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def claim_from_draft(article: Article, draft) -> Claim:
    return Claim(article_id=article.id, text=draft.text, speaker=draft.speaker, start=draft.start, end=draft.end,
                 checkworthiness=round(float(draft.checkworthiness), 3), reasons_json=json.dumps(list(draft.reasons)),
                 extracted_text=draft.text)


def claims_of(session: Session, article_id: int, include_merged: bool = False) -> list[Claim]:
    stmt = select(Claim).where(Claim.article_id == article_id)
    if not include_merged:
        stmt = stmt.where(Claim.merged_into_id == None)  # noqa: E711
    return list(session.exec(stmt.order_by(Claim.start, Claim.id)))


def list_articles(session: Session, limit: int = 100, offset: int = 0) -> list[Article]:
    return list(session.exec(select(Article).order_by(Article.imported_at.desc(), Article.id.desc())
                             .offset(offset).limit(limit)))


@dataclass
class Segment:
    """A piece of article text for the highlighted view: plain, boilerplate, or a claim's span."""

    text: str
    claims: list[Claim]
    boilerplate: bool = False


def segments(article: Article, claims: list[Claim]) -> list[Segment]:
    """Cut the text at every span edge so overlapping claim spans highlight correctly."""
    text = article.text
    edges = {0, len(text)}
    spans = [(c.start, c.end, c) for c in claims if 0 <= c.start < c.end <= len(text)]
    for s, e, _ in spans:
        edges.update((s, e))
    boiler = [(s, e) for s, e in article.boilerplate if 0 <= s < e <= len(text)]
    for s, e in boiler:
        edges.update((s, e))
    cuts = sorted(edges)
    out = []
    for s, e in zip(cuts, cuts[1:]):
        covering = [c for cs, ce, c in spans if cs <= s and e <= ce]
        is_boiler = any(bs <= s and e <= be for bs, be in boiler)
        out.append(Segment(text[s:e], covering, is_boiler))
    return out


@dataclass
class Reextraction:
    """What a re-extraction changed, so the reviewer can see it."""

    added: list[Claim]
    kept: list[Claim]
    retired: list[Claim]
    protected: list[Claim]  # no longer extracted, but kept because a reviewer worked on them


def _has_review_work(session: Session, claim: Claim) -> bool:
    if claim.status != "new" or claim.assignee_id or claim.origin != "extracted":
        return True
    if claim.extracted_text is not None and claim.text != claim.extracted_text:
        return True
    if claim.worthiness_override is not None:
        return True
    for model, column in ((Evidence, Evidence.claim_id), (Verdict, Verdict.claim_id)):
        if session.exec(select(model.id).where(column == claim.id).limit(1)).first() is not None:
            return True
    decided = select(ClaimLink.id).where((ClaimLink.claim_a_id == claim.id) | (ClaimLink.claim_b_id == claim.id),
                                         ClaimLink.decided_by_id != None).limit(1)  # noqa: E711
    return session.exec(decided).first() is not None


def _same_claim(old: Claim, draft) -> bool:
    from rapidfuzz import fuzz

    before = old.extracted_text or old.text
    if before == draft.text:
        return True
    overlaps = old.start < draft.end and draft.start < old.end
    return overlaps and fuzz.token_sort_ratio(before, draft.text) >= 90


def reextract_article(*, session: Session, actor: User, article: Article,
                      settings: links.MatchSettings = links.MatchSettings()) -> Reextraction:
    """Run the current extractor again without losing anything a reviewer did."""
    extraction = analyse_text(article.text)
    existing = claims_of(session, article.id)
    unmatched = list(existing)
    kept, new_drafts = [], []
    for draft in extraction.claims:
        match = next((c for c in unmatched if _same_claim(c, draft)), None)
        if match is None:
            new_drafts.append(draft)
            continue
        unmatched.remove(match)
        kept.append(match)
        if match.worthiness_override is None:
            match.checkworthiness = round(float(draft.checkworthiness), 3)
            match.reasons_json = json.dumps(list(draft.reasons))
            session.add(match)
    retired, protected = [], []
    for claim in unmatched:
        if _has_review_work(session, claim):
            protected.append(claim)
            continue
        claim.status, claim.updated_at = ClaimStatus.DISMISSED, utcnow()
        session.add(claim)
        audit.record(session, actor, "claim.retire", claim, {"reason": "no longer extracted"})
        retired.append(claim)
    snapshot = index_snapshot(session)
    added = [claim_from_draft(article, d) for d in new_drafts]
    session.add_all(added)
    session.flush()
    for claim in added:
        note_change(session, claim.id)
    article.extractor = extraction.extractor
    article.boilerplate_json = json.dumps(extraction.boilerplate)
    session.add(article)
    audit.record(session, actor, "article.reextract", article,
                 {"added": [c.id for c in added], "kept": len(kept), "retired": [c.id for c in retired],
                  "protected": [c.id for c in protected], "extractor": extraction.extractor})
    links.suggest_links(session=session, actor=actor, claims=added, index=snapshot.index, settings=settings)
    session.commit()
    links.link_missed(session=session, actor=actor, claims=added, snapshot=snapshot, settings=settings)
    return Reextraction(added, kept, retired, protected)
