"""The fast candidate stage returns the same top 10 as a RapidFuzz brute-force scan."""
import random

import numpy as np
from rapidfuzz import fuzz, process

from factcheck.matching import ClaimIndex, normalise


def test_recall_against_brute_force(make_claims, misspell):
    claims = make_claims(4000)
    ix = ClaimIndex(mode="fuzzy")
    ix.add_many(enumerate(claims))
    ix.compact()
    norm = [normalise(c) for c in claims]
    r = random.Random(5)
    hits = total = 0
    for i in range(120):
        words = claims[r.randrange(len(claims))].split()
        if i % 3 == 0:
            words = [misspell(w, r) if r.random() < 0.3 else w for w in words]
        elif i % 3 == 1:
            r.shuffle(words)
        else:
            s = r.randrange(max(1, len(words) - 3))
            words = words[s:s + 4]
        q = normalise(" ".join(words))
        scores = process.cdist([q], norm, scorer=fuzz.token_set_ratio, processor=None)[0]
        k = min(10, int((scores > 0).sum()))
        kth = np.sort(scores)[::-1][k - 1]
        got = [m.claim_id for m in ix.search(q, limit=10)]
        assert len(got) == k
        hits += sum(scores[g] >= kth - 0.01 for g in got)
        total += k
    assert hits / total >= 0.99
