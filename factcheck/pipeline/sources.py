"""Stage 1, import: turn what a person hands over into text (the only stage that reads input bytes)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

TEXT_EXTENSIONS = {".txt", ".text", ".md"}
HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<article|<p[ >])", re.IGNORECASE)


class SourceError(ValueError):
    """The input cannot become an article; the message says why, in words a reviewer understands."""


@dataclass(frozen=True)
class SourceDocument:
    text: str
    title: str | None
    kind: str  # "text" or "html"


def from_paste(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise SourceError("The text is empty.")
    return text


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise SourceError("The file is not readable text (unknown encoding).")
    return text


def read_upload(filename: str, data: bytes, max_bytes: int = 2_000_000) -> SourceDocument:
    name = PurePath(filename or "").name
    suffix = PurePath(name).suffix.lower()
    if not data or not data.strip():
        raise SourceError(f"{name or 'The file'} is empty.")
    if len(data) > max_bytes:
        raise SourceError(f"{name} is larger than {max_bytes:,} bytes.")
    looks_html = bool(HTML_SNIFF.match(data[:2048]))
    if suffix not in TEXT_EXTENSIONS | HTML_EXTENSIONS and not (suffix == "" and looks_html):
        raise SourceError(f"{name}: only .txt and .html files can be imported.")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{name} looks like a binary file, not text or HTML.")
    text = decode(data)
    if suffix in HTML_EXTENSIONS or looks_html:
        body, title = html_to_text(text)
        if not body.strip():
            raise SourceError(f"{name}: no article text could be found in this HTML.")
        return SourceDocument(body, title, "html")
    return SourceDocument(from_paste(text), None, "text")


def html_to_text(html: str) -> tuple[str, str | None]:
    """The story's text (paragraphs separated by blank lines) and its title, page furniture removed."""
    import trafilatura

    result = trafilatura.bare_extraction(html, include_comments=False, include_tables=False, favor_precision=True,
                                         with_metadata=True)
    if result is None:
        return "", None
    text = result.text or ""
    text = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text, (result.title or None)
