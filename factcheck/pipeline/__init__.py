"""Text pipeline: article text in, atomic check-worthy claims out. The only place stage order is written."""
from __future__ import annotations

from dataclasses import dataclass, field

from .boilerplate import is_furniture_sentence, label_blocks
from .claims import MAX_PARSE_CHARS, ClaimDraft, build_claims, finish_claims, plan_units
from .nlp import get_nlp, load_nlp, parse_texts
from .sentences import split_sentences
from .text import split_blocks
from .worthiness import score_claim

MAX_PARSED_UNITS = 1500  # about a book chapter; beyond it the rules path keeps huge pastes fast

__all__ = ["ClaimDraft", "Extraction", "analyse_text", "extract_claims", "load_nlp"]


@dataclass(frozen=True)
class Extraction:
    """Claims plus which extractor ran and the furniture spans the UI greys out."""

    claims: list[ClaimDraft]
    extractor: str
    boilerplate: list[tuple[int, int]] = field(default_factory=list)


def analyse_text(text: str) -> Extraction:
    """Blocks -> furniture labels -> sentences -> units -> parse -> claims -> worthiness."""
    text = text or ""
    nlp = get_nlp()
    extractor = "spacy" if nlp is not None else "rules"
    blocks = split_blocks(text)
    labels = label_blocks(text, blocks)
    furniture = [(b.start, b.end) for b, label in zip(blocks, labels) if label == "furniture"]
    sentences = []
    for block, label in zip(blocks, labels):
        if label == "body":
            for s, e in split_sentences(text, block.start, block.end):
                if is_furniture_sentence(text[s:e]):
                    furniture.append((s, e))
                else:
                    sentences.append((s, e))
    furniture.sort()
    units = plan_units(text, sentences)
    docs = None
    if nlp is not None:
        parseable = [i for i, u in enumerate(units) if u.end - u.start <= MAX_PARSE_CHARS][:MAX_PARSED_UNITS]
        parsed = parse_texts(nlp, [text[units[i].start:units[i].end] for i in parseable])
        docs = [None] * len(units)
        for i, doc in zip(parseable, parsed):
            docs[i] = doc
    raw = build_claims(text, units, docs)
    return Extraction(finish_claims(text, raw, score_claim), extractor, furniture)


def extract_claims(text: str) -> list[ClaimDraft]:
    """Atomic claims of an article, ordered by start offset."""
    return analyse_text(text).claims
