"""Stored claim vectors: the embedding job, invalidation on edits, the CLI, and linking reading them back."""
from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import func, select

from factcheck import articles, claim_index, claim_vectors, claims, index_store, links
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.matching import ClaimIndex, embeddings, flags
from factcheck.models import Claim, ClaimVector, PriorFactCheck, Role
from tests.factories import make_article, make_claim, make_user

FAKE_MODEL = "fake-words/8"


class WordEmbedder:
    """Bag-of-words unit vectors: deterministic, and it records every text it is asked to embed."""

    name = FAKE_MODEL
    dim = 32

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().replace(".", " ").replace(",", " ").split():
                out[i, sum(map(ord, word)) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture
def fake(monkeypatch):
    """Embeddings on, with the word embedder standing in for MiniLM (model name included)."""
    emb = WordEmbedder()
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "1")
    monkeypatch.setattr(embeddings, "default_embedder", lambda: emb)
    monkeypatch.setattr(embeddings, "model_name", lambda files=None: FAKE_MODEL)
    monkeypatch.setattr(claim_vectors, "_job", None)
    monkeypatch.setattr(flags, "_vectors", flags._VectorCache())  # no vectors of other tests' embedders
    return emb


class Stop(Exception):
    """The operator stops the job."""


def stored(session) -> dict[int, ClaimVector]:
    session.commit()  # a fresh snapshot: see what other sessions committed
    return {v.claim_id: v for v in session.exec(select(ClaimVector))}


def test_the_job_embeds_only_claims_without_a_vector(session, fake):
    article = make_article(session)
    done = make_claim(session, article, text="The bridge opened in 1962.")
    todo = [make_claim(session, article, text=f"Claim number {n} about the harbour.") for n in ("one", "two")]
    merged = make_claim(session, article, text="A merged duplicate nobody searches.")
    merged.merged_into_id = todo[0].id
    session.add(merged)
    claim_vectors.store_vectors(session, [(done.id, done.text, fake.encode([done.text])[0])], FAKE_MODEL)
    session.commit()
    fake.seen.clear()

    result = claim_vectors.embed_missing(session=session, actor=None)

    assert fake.seen == [c.text for c in todo]
    assert result == claim_vectors.EmbedResult(embedded=2, missing=2)
    vectors = stored(session)
    assert set(vectors) == {done.id, *(c.id for c in todo)}
    row = vectors[todo[1].id]
    assert row.model == FAKE_MODEL and row.text_hash == claim_vectors.text_hash(todo[1].text)
    assert np.allclose(claim_vectors.from_bytes(row.vector), fake.encode([todo[1].text])[0], atol=1e-3)
    assert claim_vectors.embed_missing(session=session, actor=None).missing == 0  # nothing left the second time


def test_the_job_commits_each_batch_reports_progress_and_resumes(session, fake):
    article = make_article(session)
    made = [make_claim(session, article, text=f"The {word} cost the city more than planned.")
            for word in ("bridge", "tunnel", "school", "library", "stadium")]
    calls = []

    def crash_after_two_batches(done, total):
        calls.append((done, total))
        if done == 4:
            raise Stop

    with pytest.raises(Stop):
        claim_vectors.embed_missing(session=session, actor=None, batch=2, progress=crash_after_two_batches)
    assert calls == [(0, 5), (2, 5), (4, 5)]
    assert set(stored(session)) == {c.id for c in made[:4]}

    fake.seen.clear()
    calls.clear()
    result = claim_vectors.embed_missing(session=session, actor=None, batch=2,
                                         progress=lambda done, total: calls.append((done, total)))
    assert fake.seen == [made[4].text] and result.embedded == 1
    assert calls == [(0, 1), (1, 1)]
    assert set(stored(session)) == {c.id for c in made}


def test_the_job_replaces_vectors_of_another_model(session, fake):
    claim = make_claim(session, text="Turnout reached 61 percent.")
    claim_vectors.store_vectors(session, [(claim.id, claim.text, np.ones(8))], "an-older-model/128")
    session.commit()
    assert claim_vectors.embed_missing(session=session, actor=None).embedded == 1
    assert stored(session)[claim.id].model == FAKE_MODEL


def test_only_admins_run_the_job_and_it_needs_a_model(session, fake, monkeypatch):
    make_claim(session)
    with pytest.raises(NotAllowed):
        claim_vectors.embed_missing(session=session, actor=make_user(session, Role.EDITOR))
    assert claim_vectors.embed_missing(session=session, actor=make_user(session, Role.ADMIN)).embedded == 1
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "0")
    with pytest.raises(InvalidInput):
        claim_vectors.embed_missing(session=session, actor=None)


def test_an_edit_drops_the_vector_and_the_next_run_embeds_the_new_text(session, fake):
    editor = make_user(session, Role.EDITOR)
    claim = make_claim(session, text="The ferry carries 300 passengers.")
    claim_vectors.embed_missing(session=session, actor=None)
    assert claim.id in stored(session)

    claims.edit_claim(session=session, actor=editor, claim=claim, text="The ferry carries 400 passengers.",
                      speaker=None)
    assert claim.id not in stored(session)

    fake.seen.clear()
    claim_vectors.embed_missing(session=session, actor=None)
    assert fake.seen == ["The ferry carries 400 passengers."]
    assert stored(session)[claim.id].text_hash == claim_vectors.text_hash("The ferry carries 400 passengers.")


def test_a_vector_of_an_older_text_is_not_used_but_replaced(session, fake):
    claim = make_claim(session, text="The museum has 40 rooms.")
    claim_vectors.store_vectors(session, [(claim.id, "The museum has 12 rooms.", np.ones(fake.dim))], FAKE_MODEL)
    session.commit()
    fake.seen.clear()
    got = claim_vectors.vectors_for(session, [claim])
    assert fake.seen == [claim.text]
    assert np.allclose(got[claim.id], fake.encode([claim.text])[0])
    session.commit()
    assert stored(session)[claim.id].text_hash == claim_vectors.text_hash(claim.text)


def test_linking_reads_past_vectors_and_embeds_only_the_new_claims(session, fake):
    old = make_claim(session, make_article(session, outlet="Herald"),
                     text="Repairs to the old harbour bridge cost 2.6 million.")
    # The stored vector says the old claim means what the new one says, words aside: if linking
    # embedded the old claim again it would get its bag of words instead, and the pair would not link.
    new_text = "Officials state the crossing needed costly fixes"
    claim_vectors.store_vectors(session, [(old.id, old.text, fake.encode([new_text])[0])], FAKE_MODEL)
    session.commit()
    index = claim_index.current_index(session)
    new = make_claim(session, make_article(session, outlet="Gazette"), text=new_text + " to the harbour bridge.")
    fake.seen.clear()

    made = links.suggest_links(session=session, actor=None, claims=[new], index=index,
                               settings=links.MatchSettings(suggest=50))
    session.commit()

    assert fake.seen == [new.text]
    assert [l.other(new.id) for l in made] == [old.id]
    reembedded = links.score_pair(new.text, old.text).score  # what embedding the old text again gives
    assert made[0].score > reembedded
    assert set(stored(session)) == {old.id, new.id}

    fake.seen.clear()
    links.suggest_links(session=session, actor=None, claims=[new], index=index,
                        settings=links.MatchSettings(suggest=50))
    assert fake.seen == []  # the new claim's vector was stored the first time


def test_the_index_base_carries_the_vectors(app, session, fake, runner):
    article = make_article(session)
    first = make_claim(session, article, text="The library opens at nine.")
    second = make_claim(session, article, text="The pool closes in winter.")
    claim_vectors.embed_missing(session=session, actor=None)
    assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    base = index_store.current_base(claim_index._directories[str(session.get_bind().url)])
    assert index_store.vector_model(base.path) == FAKE_MODEL
    claim_index.forget(str(session.get_bind().url))
    index = claim_index.current_index(session)
    assert index.source == base.path and index._base.vectors is not None

    session.exec(ClaimVector.__table__.delete())  # the database copy gone: the index's copy still answers
    session.commit()
    fake.seen.clear()
    got = claim_vectors.vectors_for(session, [first, second], index=index)
    assert fake.seen == []
    assert np.allclose(got[second.id], fake.encode([second.text])[0], atol=1e-3)


def test_a_base_read_in_several_batches_keeps_every_claim_and_vector(app, session, fake, runner, monkeypatch):
    """build_base hands its claims to the index PARALLEL_MIN at a time (normalised in two processes
    from there on); here 2 rows a read and 3 a hand-over, over claims with and without a vector."""
    article = make_article(session)
    embedded = [make_claim(session, article, text=f"The tram line {n} runs every {n + 5} minutes.")
                for n in range(3)]
    claim_vectors.embed_missing(session=session, actor=None)
    plain = [make_claim(session, article, text=f"The ferry {n} leaves at dawn.") for n in range(3)]
    monkeypatch.setattr(index_store, "BATCH", 2)
    monkeypatch.setattr(index_store, "PARALLEL_MIN", 3)
    assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    base = index_store.current_base(claim_index._directories[str(session.get_bind().url)])
    assert base.claims == 6
    index = ClaimIndex.open(base.path, mode="fuzzy")    # the files alone (a worker would also
    assert len(index) == 6                              # mend a gap from the change log)
    stored = index.stored_vectors([c.id for c in embedded + plain])
    assert sorted(stored) == sorted(c.id for c in embedded)
    for c in embedded:
        assert np.allclose(stored[c.id], fake.encode([c.text])[0], atol=1e-3)
    assert index.search(plain[2].text, limit=1)[0].claim_id == plain[2].id


def test_the_claims_embed_command(runner, session, fake):
    article = make_article(session)
    for n in range(3):
        make_claim(session, article, text=f"Claim {n} about the tram line.")
    result = runner.invoke(args=["claims", "embed", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "Embedded 3 texts; 3 of 3 claims and 0 of 0 fact-checks of other desks have vectors." in result.output
    assert session.exec(select(func.count()).select_from(ClaimVector)).one() == 3


def test_the_claims_embed_command_says_when_embeddings_are_off(runner, session, monkeypatch):
    make_claim(session)
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "0")
    result = runner.invoke(args=["claims", "embed"])
    assert result.exit_code != 0 and "Embeddings are off" in result.output


def test_status_counts_searchable_claims_with_a_current_vector(session, fake):
    article = make_article(session)
    a, b, c = (make_claim(session, article, text=t) for t in ("One claim.", "Two claims.", "Three claims."))
    c.merged_into_id = a.id
    session.add(c)
    session.commit()
    claim_vectors.store_vectors(session, [(a.id, a.text, np.ones(4)), (b.id, b.text, np.ones(4))], "an-older-model/128")
    session.commit()
    assert claim_vectors.embedding_status(session).embedded == 0
    claim_vectors.embed_missing(session=session, actor=None)
    status = claim_vectors.embedding_status(session)
    assert (status.available, status.model, status.embedded, status.claims) == (True, FAKE_MODEL, 2, 2)


def test_real_minilm_vectors_are_stored_and_link_a_paraphrase(session, monkeypatch):
    if embeddings.find_model_files() is None:
        pytest.skip("MiniLM packages not installed")
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "1")
    if embeddings.default_embedder() is None:
        pytest.skip("onnxruntime or tokenizers missing")
    old = make_claim(session, make_article(session), text="Scientists found water vapor on Europa for the first time")
    claim_vectors.embed_missing(session=session, actor=None)
    row = stored(session)[old.id]
    vec = claim_vectors.from_bytes(row.vector)
    assert row.model == embeddings.model_name() and vec.shape == (384,) and abs(np.linalg.norm(vec) - 1) < 1e-2
    index = claim_index.current_index(session)
    new = make_claim(session, make_article(session),
                     text="For the first time, researchers detected water vapour above Europa")
    made = links.suggest_links(session=session, actor=None, claims=[new], index=index)
    assert [l.other(new.id) for l in made] == [old.id]
    assert session.get(Claim, new.id) is not None and new.id in stored(session)


def test_a_text_stored_for_another_claim_is_not_embedded_again(session, fake):
    wire = "The agency said 12 people were rescued from the flooded mine."
    first = make_claim(session, make_article(session, outlet="Herald"), text=wire)
    claim_vectors.embed_missing(session=session, actor=None)
    index = claim_index.current_index(session)
    copy = make_claim(session, make_article(session, outlet="Courier"), text=wire)
    fake.seen.clear()
    made = links.suggest_links(session=session, actor=None, claims=[copy], index=index)
    session.commit()
    assert fake.seen == [] and [l.other(copy.id) for l in made] == [first.id]
    assert stored(session)[copy.id].text_hash == stored(session)[first.id].text_hash


def test_an_import_embeds_its_claims_before_its_write_transaction_opens(session, fake, monkeypatch):
    in_transaction = []
    encode = fake.encode

    def watched(texts):
        in_transaction.append(session.in_transaction())
        return encode(texts)

    monkeypatch.setattr(fake, "encode", watched)
    editor = make_user(session, Role.EDITOR)
    session.commit()
    article = articles.import_article(
        session=session, actor=editor, outlet="Herald",
        source=articles.ArticleSource(text="The council said the bridge repairs cost $2.6 million last year. "
                                           "Mayor Ana Ruiz said the harbour wall will reopen in May."))
    found = articles.claims_of(session, article.id)
    assert found and in_transaction == [False]  # one model run, with no lock held
    assert set(stored(session)) == {c.id for c in found}  # and every claim's vector stored all the same


# -- other desks' fact-checks ----------------------------------------------------------------------
class MeaningEmbedder(WordEmbedder):
    """Texts listed in `meaning` get that direction (paraphrases sharing no word); others, words."""

    def __init__(self, meaning: dict[str, int]):
        super().__init__()
        self.meaning = meaning

    def encode(self, texts):
        out = super().encode(texts)
        for i, text in enumerate(texts):
            if text in self.meaning:
                out[i] = 0.0
                out[i, self.meaning[text]] = 1.0
        return out


PRIOR = "Municipal aviation outlays went up threefold"
PARAPHRASE = "Council spending on helicopters tripled"


def add_priors(session, texts):
    from factcheck.models import PriorFactCheck
    rows = [PriorFactCheck(url=f"https://checks.example/{n}", publisher="Other desk", claim_text=t, rating_text="False")
            for n, t in enumerate(texts)]
    session.add_all(rows)
    session.commit()
    return rows


@pytest.fixture
def meaning(monkeypatch, fake):
    emb = MeaningEmbedder({PRIOR: 5, PARAPHRASE: 5})
    monkeypatch.setattr(embeddings, "default_embedder", lambda: emb)
    monkeypatch.setattr(claim_index, "VECTOR_RECHECK_S", 0.0)
    return emb


def test_the_job_embeds_other_desks_fact_checks_after_the_claims(session, fake):
    from factcheck.models import PriorVector
    make_claim(session, make_article(session), text="The bridge opened in 1962.")
    priors = add_priors(session, ["The tram runs at night.", "Rents rose by 4 percent."])
    fake.seen.clear()

    result = claim_vectors.embed_missing(session=session, actor=None)

    assert fake.seen == ["The bridge opened in 1962.", "The tram runs at night.", "Rents rose by 4 percent."]
    assert result == claim_vectors.EmbedResult(embedded=3, missing=3)
    session.commit()
    rows = {v.prior_id: v for v in session.exec(select(PriorVector))}
    assert set(rows) == {p.id for p in priors} and {r.model for r in rows.values()} == {FAKE_MODEL}
    status = claim_vectors.embedding_status(session)
    assert (status.priors_embedded, status.priors, status.embedded, status.claims) == (2, 2, 1, 1)
    assert claim_vectors.embed_missing(session=session, actor=None).missing == 0


def test_prior_search_finds_a_paraphrase_once_its_vector_is_stored(session, meaning):
    add_priors(session, [PRIOR, "The tram runs at night."])
    assert claim_index.search_priors(session, PARAPHRASE, 5) == []   # no word in common, no vectors yet
    meaning.seen.clear()

    claim_vectors.embed_missing(session=session, actor=None)   # a worker's job; this follower reads the rows
    hits = claim_index.search_priors(session, PARAPHRASE, 5)

    assert [h.claim_id for h in hits][:1] == [session.exec(select(PriorFactCheck.id).where(
        PriorFactCheck.claim_text == PRIOR)).one()]
    assert PARAPHRASE in meaning.seen                             # the query was embedded


def test_prior_search_stays_lexical_while_embeddings_are_off(session, meaning, monkeypatch):
    add_priors(session, [PRIOR, "The tram runs at night."])
    claim_vectors.embed_missing(session=session, actor=None)
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "0")
    meaning.seen.clear()
    assert claim_index.search_priors(session, PARAPHRASE, 5) == []
    assert [h.score > 0 for h in claim_index.search_priors(session, "tram at night", 5)][:1] == [True]
    assert meaning.seen == []


def test_new_claims_search_the_priors_with_their_stored_vectors(session, meaning, monkeypatch):
    from factcheck import priors
    from factcheck.matching import ClaimIndex
    add_priors(session, [PRIOR])
    claim_vectors.embed_missing(session=session, actor=None)
    claim = make_claim(session, make_article(session), text=PARAPHRASE)
    claim_vectors.store_vectors(session, [(claim.id, claim.text, meaning.encode([claim.text])[0])], FAKE_MODEL)
    session.commit()
    asked = []
    search = ClaimIndex.search

    def spy(self, text, limit=10, **kw):
        found = search(self, text, limit, **kw)
        asked.append((text, kw.get("vector") is not None, [m.claim_id for m in found]))
        return found

    monkeypatch.setattr(ClaimIndex, "search", spy)
    priors.match_claims(session=session, actor=None, claims=[claim])
    prior_id = session.exec(select(PriorFactCheck.id)).one()
    assert asked == [(PARAPHRASE, True, [prior_id])]     # found by meaning: no word in common


def test_matching_new_claims_to_priors_reads_both_sides_vectors_instead_of_embedding(session, fake, monkeypatch):
    from factcheck import priors
    from factcheck.models import PriorLink
    prior_text = "The harbour bridge cost the city 2.6 million dollars"
    add_priors(session, [prior_text])
    claim_vectors.embed_missing(session=session, actor=None)
    claim = make_claim(session, make_article(session), text="The harbour bridge cost the city $2.6 million")
    claim_vectors.store_vectors(session, [(claim.id, claim.text, fake.encode([claim.text])[0])], FAKE_MODEL)
    session.commit()
    monkeypatch.setattr(flags, "_vectors", flags._VectorCache())   # nothing cached from the job's run
    fake.seen.clear()

    made = priors.match_claims(session=session, actor=None, claims=[claim])

    assert [link.prior_id for link in made] == [session.exec(select(PriorFactCheck.id)).one()]
    assert fake.seen == []                          # both vectors were read, none embedded
    assert session.exec(select(PriorLink)).one().score >= 70


def test_importing_fact_checks_embeds_the_candidates_once_in_a_batch_and_stores_them(session, fake):
    import json
    from factcheck import priors
    from factcheck.models import PriorLink, PriorVector
    claim = make_claim(session, make_article(session), text="The harbour bridge cost the city $2.6 million")
    claim_vectors.store_vectors(session, [(claim.id, claim.text, fake.encode([claim.text])[0])], FAKE_MODEL)
    session.commit()
    texts = ["The harbour bridge cost the city 2.6 million dollars", "The harbour bridge cost the city 3 million",
             "Penguins cannot fly"]
    feed = [{"@type": "ClaimReview", "url": f"https://checks.example/{n}", "claimReviewed": t,
             "author": {"name": "Other desk"}, "reviewRating": {"alternateName": "False"}} for n, t in enumerate(texts)]
    calls = []
    encode = fake.encode
    fake.encode = lambda batch: calls.append(list(batch)) or encode(batch)
    fake.seen.clear()

    result = priors.import_priors(session=session, actor=None, data=json.dumps(feed).encode(), source="feed")

    assert calls == [texts[:2]]                      # the two candidates, together; not the claim
    stored = {v.prior_id for v in session.exec(select(PriorVector))}
    by_text = {p.claim_text: p.id for p in result.imported}
    assert stored == {by_text[texts[0]], by_text[texts[1]]}
    linked = {l.prior_id for l in session.exec(select(PriorLink))}
    assert by_text[texts[0]] in linked and result.links == len(linked)
    assert claim_vectors.embed_missing(session=session, actor=None).missing == 1   # only the penguins


def _feed(texts):
    import json
    return json.dumps([{"@type": "ClaimReview", "url": f"https://checks.example/{n}", "claimReviewed": t,
                        "author": {"name": "Other desk"}, "reviewRating": {"alternateName": "False"}}
                       for n, t in enumerate(texts)]).encode()


@pytest.mark.parametrize("base_with_vectors", [True, False])
def test_new_fact_checks_find_claims_by_meaning_when_the_index_holds_vectors(app, session, meaning, runner,
                                                                             base_with_vectors):
    from factcheck import priors
    from factcheck.models import PriorLink, PriorVector
    claim = make_claim(session, make_article(session), text=PARAPHRASE)
    make_claim(session, make_article(session), text="The tram runs at night.")
    claim_vectors.embed_missing(session=session, actor=None)
    if base_with_vectors:
        assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
        claim_index.forget(str(session.get_bind().url))
    meaning.seen.clear()

    result = priors.import_priors(session=session, actor=None, data=_feed([PRIOR, "Penguins cannot fly"]),
                                  source="feed", threshold=60)

    links = [(l.claim_id, l.prior_id) for l in session.exec(select(PriorLink))]
    embedded = {v.prior_id for v in session.exec(select(PriorVector))}
    if base_with_vectors:   # both fact-checks embedded, in one batch, for the search; the paraphrase found
        assert meaning.seen == [PRIOR, "Penguins cannot fly"]
        assert links == [(claim.id, result.imported[0].id)] and result.links == 1
        assert embedded == {p.id for p in result.imported}
    else:                   # words only (no word in common): nothing found, nothing embedded
        assert meaning.seen == [] and links == [] and embedded == set()
