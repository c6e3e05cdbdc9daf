"""Plain functions that make rows for tests: no magic, every default visible here."""
from __future__ import annotations

import itertools

from factcheck import users
from factcheck.claim_index import note_change
from factcheck.models import Article, Claim, ClaimStatus, Rating, Role, User, Verdict, VerdictState, utcnow

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_user(session, role: Role | str = Role.REVIEWER, username: str | None = None, password: str = PASSWORD) -> User:
    return users.create_user(session=session, actor=None, username=username or f"{Role(role).value}{next(_seq)}",
                             password=password, role=role)


def make_article(session, text: str = "The mayor said the bridge cost $2.6 million.", title: str = "An article",
                 outlet: str | None = "Test Outlet", imported_by: User | None = None, **kw) -> Article:
    article = Article(title=title, outlet=outlet, text=text, imported_by_id=imported_by.id if imported_by else None, **kw)
    session.add(article)
    session.commit()
    return article


def make_claim(session, article: Article | None = None, text: str | None = None, status: ClaimStatus = ClaimStatus.NEW,
               assignee: User | None = None, speaker: str | None = None, checkworthiness: float = 0.8) -> Claim:
    article = article or make_article(session)
    text = text or article.text
    start = max(0, article.text.find(text))
    claim = Claim(article_id=article.id, text=text, speaker=speaker, start=start,
                  end=min(len(article.text), start + len(text)) or 1, status=status,
                  assignee_id=assignee.id if assignee else None, checkworthiness=checkworthiness)
    session.add(claim)
    session.flush()
    note_change(session, claim.id)
    session.commit()
    return claim


def rating(session, name: str = "False") -> Rating:
    from sqlmodel import select
    return session.exec(select(Rating).where(Rating.name == name)).one()


def make_published_verdict(session, claim: Claim, proposer: User, editor: User, rating_name: str = "False") -> Verdict:
    verdict = Verdict(claim_id=claim.id, rating_id=rating(session, rating_name).id, rationale="Records show otherwise.",
                      given_by_id=proposer.id, state=VerdictState.SIGNED_OFF, signed_off_by_id=editor.id,
                      signed_off_at=utcnow())
    claim.status = ClaimStatus.SIGNED_OFF
    session.add_all([verdict, claim])
    session.commit()
    return verdict
