"""Stage 1: import. Uploads and pastes become a SourceDocument; the only stage that touches bytes."""
from __future__ import annotations

import codecs
import re
import unicodedata
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


# Invisible characters that only split words: a byte-order mark a tool left at the start of a paste
# (it became part of the first speaker, "\ufeffThe mayor") and soft hyphens copied from a hyphenated page
# ("minis\u00adter" as a speaker, "hos pital" to matching and search). HTML extraction drops them already.
_INVISIBLE = str.maketrans("", "", "\x00\ufeff\u00ad")


def normalise_text(text: str) -> str:
    """Unix newlines, no NULs and no invisible word-splitters, so offsets mean the same thing downstream."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)


def is_blank(text: str) -> bool:
    """Nothing a reader could see: whitespace and invisible format characters (zero-width spaces
    and joiners) only. A file of those was imported as an empty article with no claims."""
    return not text.strip() or all(c.isspace() or unicodedata.category(c) in ("Cf", "Cc") for c in text)


def from_paste(text: str) -> SourceDocument:
    """Pasted text as a document; rejects an empty paste."""
    cleaned = normalise_text(text or "")
    if is_blank(cleaned):
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


# Labels every browser reads as a superset (WHATWG Encoding): a page labelled ISO-8859-1 is written in
# windows-1252, and Python's latin-1 would make its curly quotes and euro signs control characters.
_SUPERSETS = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254",
              "gb2312": "gbk", "euc_kr": "cp949", "shift_jis": "cp932", "tis-620": "cp874", "iso8859-11": "cp874"}
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)"""
                           rb"""|<\?xml\b[^>]*?encoding\s*=\s*["']([\w.:-]+)""", re.I)


def codec_for(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None when it names none worth trusting."""
    try:
        name = codecs.lookup((label or "").strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None
    if name.startswith(("utf-16", "utf-32", "utf-7")):
        return None  # only a byte-order mark can say so (browsers ignore such labels too)
    return _SUPERSETS.get(name, name)


def declared_charset(data: bytes) -> str | None:
    """The charset a <meta> (or an XML declaration) near the top of an HTML page names."""
    match = _META_CHARSET.search(data[:4096])
    return (match.group(1) or match.group(2)).decode("ascii", "replace") if match else None


def decode_document(data: bytes, declared: str | None = None, html: bool = False) -> str:
    """Bytes as text: a byte-order mark, else UTF-8 when they are valid UTF-8, else the charset the
    server (then the page's <meta>) declares, else a guess. A page saved in ISO-8859-2 says so in its
    <meta>; a declared "utf-8" over windows-1252 bytes is a common mistake, and the guess reads those."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for label in (declared, declared_charset(data) if html else None):
        codec = codec_for(label)
        if codec is not None and codec != "utf-8":
            return data.decode(codec, errors="replace")
    return decode_bytes(data)


# documents whose opening bytes say what they are, though their first pages may hold no control bytes
# (a PDF's header and first objects are plain ASCII): PDF, ZIP (docx, odt, epub), RTF, PostScript
_DOCUMENT_SIGNATURES = (b"%PDF-", b"PK\x03\x04", b"{\\rtf", b"%!PS")


def _looks_binary(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if data.lstrip()[:8].startswith(_DOCUMENT_SIGNATURES):
        return True
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 100)


def looks_like_html(data: bytes) -> bool:
    """Whether the bytes open like an HTML page or fragment, whatever the file name or content type says."""
    return bool(_HTML_SNIFF.match(data[:2048].lstrip(codecs.BOM_UTF8)))


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
    is_html = suffix in HTML_EXTENSIONS or looks_like_html(data)
    text = normalise_text(decode_document(data, html=is_html))
    if is_html:
        body, title = html_to_text(text)
        if is_blank(body):
            raise SourceError(f"No article text could be extracted from the HTML file {name}.")
        return SourceDocument(normalise_text(body), title, "html")
    if is_blank(text):
        raise SourceError(f"The file {name} is empty.")
    return SourceDocument(text, None, "text")
