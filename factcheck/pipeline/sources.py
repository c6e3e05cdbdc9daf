"""Stage 1: import. Uploads and pastes become a SourceDocument; the only stage that touches bytes."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath

from .text import html_to_text

TEXT_EXTENSIONS = {".txt", ".text", ""}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<article\b|<p\b|<div\b)", re.I)


class SourceError(ValueError):
    """The upload or paste cannot become article text; the message is meant for the user."""


@dataclass(frozen=True)
class SourceDocument:
    """Article text ready for the pipeline, with its title when the source had one."""

    text: str
    title: str | None
    kind: str  # "text" or "html"


def normalise_text(text: str) -> str:
    """Unix newlines and no NULs, so offsets mean the same thing everywhere downstream."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def from_paste(text: str) -> SourceDocument:
    """Pasted text as a document; rejects an empty paste."""
    cleaned = normalise_text(text or "")
    if not cleaned.strip():
        raise SourceError("The pasted text is empty.")
    return SourceDocument(cleaned, None, "text")


def decode_bytes(data: bytes) -> str:
    """UTF-8 (BOM allowed), UTF-16 by BOM, cp1252 for mostly-ASCII text, else the detected charset."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    non_ascii = sum(1 for b in data[:100_000] if b >= 128)
    if non_ascii <= max(8, 0.1 * min(len(data), 100_000)):
        return data.decode("cp1252", errors="replace")  # Western text with a few accents
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except (ImportError, LookupError):
        pass
    return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 100)


def read_upload(filename: str, data: bytes, max_bytes: int = 2_000_000) -> SourceDocument:
    """An uploaded .txt or .html file as a document, or SourceError saying why not."""
    name = PurePath(filename or "").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in TEXT_EXTENSIONS | HTML_EXTENSIONS:
        raise SourceError(f"Unsupported file type {suffix!r}: upload a .txt, .html or .htm file.")
    if not data or not data.strip():
        raise SourceError(f"The file {name or '(unnamed)'} is empty.")
    if len(data) > max_bytes:
        raise SourceError(f"The file {name} is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    if _looks_binary(data):
        raise SourceError(f"The file {name} is not a text file (it contains binary data).")
    text = normalise_text(decode_bytes(data))
    is_html = suffix in HTML_EXTENSIONS or bool(_HTML_SNIFF.match(data[:2048].lstrip(codecs.BOM_UTF8)))
    if is_html:
        body, title = html_to_text(text)
        if not body.strip():
            raise SourceError(f"No article text could be extracted from the HTML file {name}.")
        return SourceDocument(normalise_text(body), title, "html")
    if not text.strip():
        raise SourceError(f"The file {name} is empty.")
    return SourceDocument(text, None, "text")
