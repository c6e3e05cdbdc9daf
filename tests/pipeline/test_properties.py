"""Robustness: any input gives claims with valid, ordered spans, without crashing or stalling."""
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.pipeline import analyse_text, extract_claims
from factcheck.pipeline.sentences import split_sentences

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

news_words = st.sampled_from([
    "The", "ministry", "said", "that", "\"", "“", "”", "'", ",", ".", "?", "!", "\n", "\n\n", "B.", "U.S.",
    "Dec.", "8", "$2.5", "million", "percent", "he", "she", "it", "they", "who", "which", "and", "but",
    "adding", "according", "to", "told", "reporters", "Kosachev", "Senator", "Peskov", "forcing", "<p>",
    "</p>", "<div class='x'>", "&amp;", "Read more", "Sign up for our newsletter", "AP Photo /", "—", " ",
])
newsy_text = st.lists(news_words, max_size=80).map(" ".join)


def assert_valid(text, claims):
    starts = [c.start for c in claims]
    assert starts == sorted(starts)
    for c in claims:
        assert 0 <= c.start < c.end <= len(text)
        assert c.text and 0.0 <= c.checkworthiness <= 1.0
        assert isinstance(c.reasons, tuple)


@FAST
@given(st.text(max_size=400))
def test_arbitrary_unicode(text):
    assert_valid(text, extract_claims(text))


@FAST
@given(newsy_text)
def test_news_like_fragments_with_unbalanced_quotes_and_html(text):
    extraction = analyse_text(text)
    assert_valid(text, extraction.claims)
    for s, e in extraction.boilerplate:
        assert 0 <= s < e <= len(text)


@FAST
@given(newsy_text)
def test_sentence_spans_are_ordered_and_inside(text):
    spans = split_sentences(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_empty_and_whitespace():
    assert extract_claims("") == []
    assert extract_claims("\n\n\t ") == []


def test_huge_single_line_finishes_quickly():
    sentence = 'Dr. Smith said the U.S. economy grew 2.5 percent in Dec. 8 "and more" '
    text = sentence * (1_000_000 // len(sentence))
    started = time.perf_counter()
    claims = extract_claims(text)
    elapsed = time.perf_counter() - started
    assert_valid(text, claims)
    assert elapsed < 30, elapsed


def test_huge_text_of_many_sentences():
    text = "The ministry said 40 schools had closed, and officials confirmed it. " * 14_000
    started = time.perf_counter()
    claims = extract_claims(text)
    assert_valid(text, claims)
    assert time.perf_counter() - started < 40


def test_huge_paragraph_without_punctuation():
    text = "word " * 200_000
    started = time.perf_counter()
    claims = extract_claims(text)
    assert_valid(text, claims)
    assert time.perf_counter() - started < 20
