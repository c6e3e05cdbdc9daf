"""Shared fixtures for the matching engine tests (no app, no database, no ../shared)."""
import random

import pytest

WORDS = ("tax crime jobs vaccine border housing school pension wage emission hospital police "
         "budget election refugee tariff rent fuel water power farm fishing tourism bridge rail "
         "airport prison court bribe mayor senator minister governor said claimed denied rose "
         "fell doubled halved since last year month nearly more than less the a in of on by for "
         "with damascus moscow kyiv berlin lagos lima jakarta toronto nairobi manila cairo madrid "
         "warsaw dhaka chicago istanbul smith garcia khan petrova wang silva okafor muller rossi").split()


def _make_claims(n, seed=3):
    """Claims from a small vocabulary, a sixth of them near-duplicates of earlier ones."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        if out and r.random() < 0.17:
            words = out[r.randrange(len(out))].split()
            words[r.randrange(len(words))] = r.choice(WORDS)
        else:
            words = [r.choice(WORDS) for _ in range(r.randint(4, 14))]
            if r.random() < 0.5:
                words.insert(r.randrange(len(words)), str(r.randint(2, 2030)))
        out.append(" ".join(words))
    return out


def _misspell(word, r):
    if len(word) < 4:
        return word
    i = r.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:] if r.random() < 0.5 else word[:i] + word[i] + word[i:]


@pytest.fixture(autouse=True)
def _lexical_by_default(monkeypatch):
    """ClaimIndex() embeds when MiniLM is installed; tests opt in to that explicitly."""
    monkeypatch.setenv("FACTCHECK_EMBEDDINGS", "0")


@pytest.fixture(scope="session")
def make_claims():
    return _make_claims


@pytest.fixture(scope="session")
def misspell():
    return _misspell
