"""Uploads and pastes: decoding, HTML extraction and the errors a user sees."""
from pathlib import Path

import pytest

from factcheck.pipeline.sources import SourceDocument, SourceError, from_paste, html_to_text, read_upload

FIXTURES = Path(__file__).parent / "fixtures"


def test_html_upload_keeps_article_and_title_drops_page_furniture():
    doc = read_upload("bridge.html", (FIXTURES / "article.html").read_bytes())
    assert isinstance(doc, SourceDocument) and doc.kind == "html"
    assert "Bridge repairs" in doc.title
    assert "cost $48 million and take two years" in doc.text
    assert "\n\n" in doc.text
    for furniture in ("cookies", "Most read", "Privacy Policy", "Council tax to rise", "tracking"):
        assert furniture not in doc.text


def test_html_is_sniffed_even_with_txt_extension():
    doc = read_upload("page.txt", b"<html><body><p>The mayor resigned on Friday after 12 years in office.</p></body></html>")
    assert doc.kind == "html" and doc.text == "The mayor resigned on Friday after 12 years in office."


def test_text_upload_decodings():
    assert read_upload("a.txt", "\ufeffCaf\u00e9 “quoted”.".encode("utf-8")).text == "Caf\u00e9 “quoted”."
    assert read_upload("a.txt", "na\u00efve caf\u00e9 r\u00e9sum\u00e9 costs \u20ac5".encode("cp1252")).text == \
        "na\u00efve caf\u00e9 r\u00e9sum\u00e9 costs \u20ac5"
    assert read_upload("a.txt", "Line one.\r\nLine two.".encode("utf-16")).text == "Line one.\nLine two."
    assert read_upload("A.TXT", b"one\r\ntwo\rthree").text == "one\ntwo\nthree"


@pytest.mark.parametrize("filename,data,message", [
    ("a.txt", b"", "empty"),
    ("a.txt", b"  \n\t ", "empty"),
    ("a.txt", b"x" * 101, "limit"),
    ("a.txt", b"PK\x03\x04\x00\x00binary", "binary"),
    ("a.pdf", b"%PDF-1.4", "Unsupported"),
    ("a.docx", b"text", "Unsupported"),
    ("a.html", b"<html><head><script>var a = 1;</script></head><body></body></html>", "No article text"),
])
def test_upload_errors_are_clear(filename, data, message):
    with pytest.raises(SourceError, match=message):
        read_upload(filename, data, max_bytes=100)
    assert issubclass(SourceError, ValueError)


def test_paste_normalises_and_rejects_empty():
    assert from_paste("a\r\nb\x00c\rd").text == "a\nbc\nd"
    with pytest.raises(SourceError):
        from_paste(" \n ")


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u200d\n\u2060 ", "\ufeff\u200b"])
def test_text_of_invisible_characters_only_is_empty(invisible):
    """Zero-width spaces and joiners alone were imported as an article with no text to read."""
    with pytest.raises(SourceError, match="empty"):
        from_paste(invisible)
    with pytest.raises(SourceError, match="empty"):
        read_upload("blank.txt", invisible.encode("utf-8"))
    assert from_paste("\u200bThe bridge cost $2.6 million.").text.endswith("million.")


@pytest.mark.parametrize("name,data", [
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 40),
    ("story.html", b"PK\x03\x04" + b"word/document.xml" * 20),
    ("memo.txt", b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} The bridge cost $2.6 million.}"),
])
def test_a_document_of_another_format_renamed_is_refused(name, data):
    """A PDF's first objects are plain ASCII, so the control-byte test let it in as garbage text."""
    with pytest.raises(SourceError, match="not a text file"):
        read_upload(name, data)


def test_html_to_text_on_fragment_and_empty():
    text, title = html_to_text("<p>Unemployment fell to 4.1 percent in June, the agency said.</p>")
    assert "4.1 percent" in text
    assert html_to_text("") == ("", None)


def test_html_template_content_is_not_article_text():
    html = (b"<html><body><article><p>The mayor said the new bridge cost $2.6 million in 2023.</p>"
            b"<template>Template says inflation was 12 percent.</template>"
            b"<TEMPLATE><p>Nested <template>inner 9 percent</template> template text.</p></TEMPLATE> after it"
            b"<p>Unemployment rose to 7 percent last year, the agency said.</p></article></body></html>")
    doc = read_upload("page.html", html)
    assert "12 percent" not in doc.text and "template" not in doc.text.lower()
    assert "$2.6 million" in doc.text and "7 percent last year" in doc.text
    assert "Template" not in html_to_text("<template>Template says inflation was 12 percent.</template>")[0]


def test_a_paragraph_other_pages_shared_is_kept():
    """Outlets run the same wire paragraph: every import keeps it, however many came before in this process."""
    shared = "Council records show the city paid 1.3 million dollars to the builder in the first year of the works."
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"):
        page = ("<html><head><title>Bridge</title></head><body><article>"
                f"<p>The mayor said on {day} that the new bridge cost 2.6 million dollars, twice the budget set in "
                f"2019.</p><p>{shared}</p></article></body></html>")
        assert shared in html_to_text(page)[0], day


def test_an_html_upload_is_read_in_the_charset_its_meta_declares():
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">'
            "<title>Most w Gdańsku</title></head><body><p>Łukasz Wałęsa, the mayor of Gdańsk, said on Tuesday "
            "that the bridge cost 2.6 million złoty.</p></body></html>")
    doc = read_upload("most.html", page.encode("iso-8859-2"))
    assert doc.title == "Most w Gdańsku" and doc.text.startswith("Łukasz Wałęsa, the mayor of Gdańsk")
    # valid UTF-8 stays UTF-8, and windows-1252 bytes under a false "utf-8" are still read as such
    assert "Gdańsk" in read_upload("a.html", page.encode("utf-8")).text
    lying = "<html><head><meta charset='utf-8'></head><body><p>The mayor’s office said it cost €5.</p></body></html>"
    assert read_upload("a.html", lying.encode("cp1252")).text == "The mayor’s office said it cost €5."
