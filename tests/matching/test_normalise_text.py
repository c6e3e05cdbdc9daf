import pytest

from factcheck.matching import normalise
from factcheck.matching.normalise import find_numbers


@pytest.mark.parametrize("a, b", [
    ("It cost $2.6M", "it cost 2.6 million"),
    ("Two counts", "2 counts"),
    ("twenty-five people", "25 people"),
    ("1,200 jobs", "1200 jobs"),
    ("“Assad’s men”", '"assad men"'),
    ("70 per cent", "70%"),
    ("Café  Déjà-vu!", "cafe deja vu"),
    ("one hundred and five", "105"),
])
def test_equal_forms(a, b):
    assert normalise(a) == normalise(b)


def test_drops_urls_handles_and_splits_hashtags():
    assert normalise("See https://t.co/x pic.twitter.com/abc @bob #AustralianFires") == \
        "see australian fires"


def test_numbers_found_with_values():
    vals = [n.value for n in find_numbers("$2.6M and 2.6 million, two, 5K, 3.5 percent, 5m away")]
    assert vals == [2_600_000, 2_600_000, 2, 5_000, 3.5, 5]


@pytest.mark.parametrize("text", ["", "...", "—", "\u200b", "\x00"])
def test_nothing_left(text):
    assert normalise(text) == ""


def test_bulk_equals_one_by_one():
    """normalise_many joins texts into one string: nothing may leak across the joins."""
    import random

    from factcheck.matching.normalise import normalise_many
    pieces = ["two hundred and", "five", "$", "2.6M", "million", "twenty-five", "one2", "#BigNews",
              "@user", "http://x.co/a", "Don't", "it's", "£3bn", "été", "“quoted”", "3.5%", "per",
              "cent", "and", "hundred", "100,000", "5K", "Jan.", "e.g.", "zero", ",", "-", "café",
              "\n", "\x00", "1.", ".5", "www.foo.com", "paper cent", "Инфляция", "в марте", "مارس", "٤٢",
              "Ελλάδα", "通胀", "_00", "я", "it`s", "Cafe\u0301", "x²", "ＡＢ", "ﬁne", "Straße",
              "2\u00a0600\u00a0000", "15\u202f000", "2019\u00a0200"]
    r = random.Random(11)
    texts = [" ".join(r.choice(pieces) for _ in range(r.randint(0, 10))) for _ in range(3000)]
    assert normalise_many(texts, chunk=97) == [normalise(t) for t in texts]
    assert normalise_many(["two hundred and", "five"]) == ["200 and", "5"]


def test_thousands_grouped_by_no_break_or_thin_spaces_are_one_number():
    """As French, German or Russian copy writes them; a plain space stays a space (it may part two
    numbers), and a group of four digits is not a thousands group."""
    assert normalise("cost 2\u00a0600\u00a0000 euros") == normalise("cost 2,600,000 euros") == "cost 2600000 euros"
    assert normalise("15\u202f000 people") == "15000 people"
    assert normalise("in 2019\u00a0200 people") == "in 2019 200 people"


def test_number_words_inside_other_words_stay_words():
    assert normalise("someone alone one2 ten") == "someone alone one2 10"


def test_other_scripts_keep_their_words():
    """Cyrillic, Greek or Arabic words become ASCII tokens instead of vanishing, so that such a claim
    is more than its numbers: two claims sharing only "4.2" are far apart, the same claim is close."""
    from factcheck.matching import score_pair
    ru = normalise("Инфляция выросла до 4.2 процента в марте.")
    assert ru.isascii() and len(ru.split()) == 7
    assert ru == normalise("ИНФЛЯЦИЯ выросла до 4.2 процента в марте")   # case folds as in Latin
    assert normalise("Ελλάδα") == normalise("ελλαδα")                        # accents too
    assert normalise("٤٢ في المئة") == normalise("42 في المئة")               # other digits are digits
    assert all(not t[0].isdigit() for t in ru.split() if not t.replace(".", "").isdigit())
    arabic = "ارتفع التضخم إلى 4.2 في المئة في مارس."
    assert score_pair(arabic, "Unemployment fell to 4.2 percent in March.").score < 50
    assert score_pair("Инфляция выросла до 4,2 процента в марте, заявил министр.",
                      "Инфляция выросла до 4,2 процента в марте.").score >= 85


def test_normalise_is_idempotent_on_underscored_numbers():
    assert normalise("_00") == normalise("00") == "0"


def test_number_words_are_whole_runs_of_letters_and_digits():
    """The str.find walk over number words gives what a regex over whole words gives."""
    import random
    import re

    from factcheck.matching.normalise import _NUMWORD_SET, _number_words
    oracle = re.compile(r"(?<![a-z0-9])(?:" + "|".join(sorted(_NUMWORD_SET, key=len, reverse=True))
                        + r")(?![a-z0-9])")
    pieces = [*_NUMWORD_SET, "between", "often", "someone", "fortune", "third", "thread", "eighth",
              "ninety9", "x", "7", "é", "_", "'", "-", " ", ".", "and", "fort", "twen", "one"]
    r = random.Random(5)
    for _ in range(3000):
        low = "".join(r.choice(pieces) for _ in range(r.randint(0, 12)))
        assert _number_words(low) == [m.span() for m in oracle.finditer(low)], low


@pytest.mark.parametrize("text, expected", [
    ("a's's", "as"),                          # the second "'s" has no word character of its own
    ("Trump's and O'Neill's", "trump and oneill"),
    ("it's ' s '_'s", "it s"),
    ("40 PER CENT", "40 percent"),            # upper case, as in bulk: was "per cent" on its own
    ("See WWW.EXAMPLE.ORG now", "see now"),   # was kept when no "/" nor lower-case "www" was there
    ("HTTP://x.co/www.y z", "z"),             # one URL inside another goes with it
    ("super cent 5 %", "super cent 5 percent"),
])
def test_possessives_urls_and_percent_whatever_the_case(text, expected):
    from factcheck.matching.normalise import normalise_many
    assert normalise(text) == expected
    assert normalise_many(["x", text, "café"]) == ["x", expected, "cafe"]


def test_ascii_quotes_first_change_nothing_nfkc_would_do():
    """Quotes and dashes become ASCII before NFKC reads a text (most texts are then ASCII and skip
    the slow steps); that is the same only while none of them composes with a neighbour."""
    import sys
    import unicodedata

    from factcheck.matching.normalise import _ASCII_PUNCTUATION
    assert len(_ASCII_PUNCTUATION) >= 12
    marks = [chr(c) for c in range(sys.maxunicode + 1)
             if not 0xD800 <= c < 0xE000 and (unicodedata.combining(chr(c)) or unicodedata.decomposition(chr(c)))]
    for char, ascii_char in _ASCII_PUNCTUATION:
        for s in (char, ascii_char):
            for m in marks:
                n = unicodedata.normalize("NFKC", m)
                assert unicodedata.normalize("NFKC", s + m) == s + n
                assert unicodedata.normalize("NFKC", m + s) == n + s
    assert normalise("“It’s – 5”") == normalise('"It\'s - 5"') == "it 5"


def _mixed_texts(count: int, seed: int) -> list[str]:
    import random
    pieces = ["Trump’s", "“2.6M”", "two hundred and five", "per cent", "http://x.co/a", "Инфляция",
              "\x00", "café", "\ud800", "", " ", "5%", "#BigNews", "it's", "\n", "ＡＢ", "Jan."]
    r = random.Random(seed)
    return [" ".join(r.choice(pieces) for _ in range(r.randint(0, 8))) for _ in range(count)]


def _slowed(monkeypatch):
    """normalise_many's module, its own chunks slowed (the helper starts in tens of milliseconds;
    unslowed, small chunks are all done before it asks for one), and a count of them."""
    import importlib
    import time
    module = importlib.import_module("factcheck.matching.normalise")
    plain, calls = module._normalise_chunk, []

    def slow(texts):
        calls.append(len(texts))
        time.sleep(0.02)
        return plain(texts)
    monkeypatch.setattr(module, "_normalise_chunk", slow)
    return module, calls


def test_two_processes_normalise_as_one(monkeypatch, caplog):
    """The helper process gets its chunks over a pipe (texts with NUL characters and lone surrogates
    included) and hands back what this process would have made of them."""
    import logging

    from factcheck.matching.normalise import normalise_many
    texts = _mixed_texts(4000, 3)
    alone = normalise_many(texts, chunk=50, processes=1)
    module, calls = _slowed(monkeypatch)
    with caplog.at_level(logging.INFO, logger="factcheck.matching.normalise"):
        assert module.normalise_many(texts, chunk=50, processes=2) == alone
    assert 0 < len(calls) < 80                          # the helper did some of the 80 chunks
    assert not [r for r in caplog.records if "one process" in r.getMessage()]
    assert module.normalise_many(texts[:3], chunk=50, processes=2) == [normalise(t) for t in texts[:3]]


# helpers that start, then return one chunk and die holding the next; return a chunk short of a
# text; or are of another normaliser version (an upgrade replaced the file during a rebuild)
_START = "import runpy, sys; m = runpy.run_path(sys.argv[1], run_name='helper'); out = sys.stdout.buffer; "
_DIES_AFTER_ONE = (_START + "out.write(m['_READY']); out.flush(); "
                   "m['_write_chunk'](out, m['_normalise_chunk'](m['_read_chunk'](sys.stdin.buffer))); "
                   "m['_read_chunk'](sys.stdin.buffer)")
_SHORT = (_START + "out.write(m['_READY']); out.flush(); "
          "m['_write_chunk'](out, m['_normalise_chunk'](m['_read_chunk'](sys.stdin.buffer))[:-1]); "
          "m['_read_chunk'](sys.stdin.buffer)")
_OTHER_VERSION = (_START + "out.write(b'+999\\n'); out.flush(); "
                  "m['_serve_chunks'].__globals__['_READY'] = b''; m['_serve_chunks'](sys.stdin.buffer, out)")


@pytest.mark.parametrize("helper", ["import sys; sys.exit(3)", _DIES_AFTER_ONE, _SHORT, _OTHER_VERSION, None])
def test_a_failing_helper_loses_no_text(monkeypatch, caplog, helper):
    import logging

    from factcheck.matching.normalise import normalise_many
    texts = _mixed_texts(3000, 4)
    alone = normalise_many(texts, chunk=40, processes=1)
    module, calls = _slowed(monkeypatch)
    if helper is None:
        monkeypatch.setattr(module.sys, "executable", "/nonexistent/python")
    else:
        monkeypatch.setattr(module, "_HELPER", helper)
    with caplog.at_level(logging.INFO, logger="factcheck.matching.normalise"):
        assert module.normalise_many(texts, chunk=40, processes=2) == alone
    assert [r for r in caplog.records if "one process" in r.getMessage()]
    assert len(calls) == 75 - (helper == _DIES_AFTER_ONE)   # all but the one chunk handed back
