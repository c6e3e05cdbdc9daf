"""Stage 2: article text. HTML becomes plain paragraphs; plain text is cut into blocks with offsets.

Every later stage works on character spans of the caller's text, so nothing here rewrites it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_LINE_END_PUNCT = re.compile(r"[.!?:;\"”’)\]]\s*$")
_TEMPLATE = re.compile(r"<template\b.*?</template\s*>", re.I | re.S)


@dataclass(frozen=True)
class Block:
    """A paragraph or a stand-alone line of the input, as a half-open character span."""

    start: int
    end: int


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _is_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped prose (long lines broken mid-sentence) stays one paragraph; short lists do not."""
    inner = [ln for ln in lines[:-1] if ln.strip()]
    if not inner:
        return False
    broken = sum(1 for ln in inner if not _LINE_END_PUNCT.search(ln) and len(ln.strip()) >= 45)
    return broken >= max(1, len(inner) // 2 + 1) or (broken == len(inner))


def split_blocks(text: str) -> list[Block]:
    """Paragraphs split on blank lines; a paragraph of separate short lines becomes one block per line."""
    blocks: list[Block] = []
    pos = 0
    pieces = []
    for match in _BLANK_LINE.finditer(text):
        pieces.append((pos, match.start()))
        pos = match.end()
    pieces.append((pos, len(text)))
    for start, end in pieces:
        start, end = _trimmed(text, start, end)
        if start >= end:
            continue
        chunk = text[start:end]
        if "\n" not in chunk:
            blocks.append(Block(start, end))
            continue
        lines = chunk.split("\n")
        if _is_wrapped(lines):
            blocks.append(Block(start, end))
            continue
        offset = start
        for line in lines:
            s, e = _trimmed(text, offset, offset + len(line))
            if s < e:
                blocks.append(Block(s, e))
            offset += len(line) + 1
    return blocks


def is_headline(text: str) -> bool:
    """A short line without final punctuation reads as a headline, label or button, not a statement."""
    stripped = text.strip()
    if not stripped:
        return True
    if re.search(r"[.!?…]['\"”’)\]]*$", stripped):
        return False
    return len(stripped) <= 160 or len(stripped.split()) <= 20


def html_to_text(html: str) -> tuple[str, str | None]:
    """Main article text (paragraphs separated by blank lines) and title, via trafilatura."""
    import trafilatura
    from trafilatura.deduplication import LRUCache

    if not html or not html.strip():
        return "", None
    html = _drop_templates(html)
    title = None
    try:
        meta = trafilatura.extract_metadata(html)
        title = (meta.title or None) if meta is not None else None
    except Exception:  # trafilatura raises many things on odd markup; the title is optional
        title = None
    body = None
    try:
        # A cache of this page alone: trafilatura's default one lives as long as the process, so the
        # third import of a wire story lost every paragraph the first two had shared with it.
        body = trafilatura.extract(html, include_comments=False, include_tables=False,
                                   favor_precision=True, deduplicate=LRUCache(maxsize=4096))
        if not body:
            body = trafilatura.extract(html, include_comments=False, include_tables=False,
                                       favor_recall=True)
    except Exception:
        body = None
    if not body:
        body = _fallback_html_text(html)
    paragraphs = [re.sub(r"[ \t]+", " ", p).strip() for p in body.split("\n")]
    text = "\n\n".join(p for p in paragraphs if p)
    return text, (title.strip() if title else None)


def _drop_templates(html: str) -> str:
    """The markup without <template> elements: browsers never render their content, so it is not article text."""
    if "<template" not in html.lower():
        return html
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, etree.ParserError):  # e.g. an XML encoding declaration in a str
        return _TEMPLATE.sub("", html)
    for el in root.xpath("//template"):
        el.drop_tree()  # keeps the text after the element, which is outside it
    return lxml.html.tostring(root, encoding="unicode")


def _fallback_html_text(html: str) -> str:
    """Paragraph text when trafilatura finds no article: block elements, scripts and styles removed."""
    try:
        import lxml.html
        from lxml_html_clean import Cleaner

        root = lxml.html.fromstring(html)
        root = Cleaner(scripts=True, javascript=True, style=True, comments=True,
                       page_structure=False).clean_html(root)
    except Exception:
        return ""
    parts = []
    for el in root.iter("p", "h1", "h2", "h3", "li", "blockquote", "td", "div"):
        if el.tag == "div" and any(child.tag in ("p", "div") for child in el):
            continue
        words = " ".join(el.text_content().split())
        if words:
            parts.append(words)
    if not parts:
        parts = [" ".join(root.text_content().split())]
    return "\n".join(parts)
