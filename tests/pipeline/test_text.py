"""Blocks, furniture labels and sentence splitting."""
import pytest

from factcheck.pipeline import analyse_text
from factcheck.pipeline.boilerplate import is_appeal, is_furniture, label_blocks
from factcheck.pipeline.sentences import split_sentences
from factcheck.pipeline.text import is_headline, split_blocks


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_and_initials_do_not_split():
    text = ("The U.S. envoy met B. Assad on Dec. 8 at 5 p.m. in Damascus. Gov. Brown disagreed. "
            "Dr. Lee said it cost $2.5 million.")
    assert sentences(text) == ["The U.S. envoy met B. Assad on Dec. 8 at 5 p.m. in Damascus.",
                               "Gov. Brown disagreed.", "Dr. Lee said it cost $2.5 million."]


def test_multi_sentence_quote_stays_with_its_attribution():
    text = '"We are safe. We are all fine," the envoy said. Then he left.'
    assert sentences(text) == ['"We are safe. We are all fine," the envoy said.', "Then he left."]


def test_blocks_split_lists_but_keep_wrapped_prose():
    text = ("Once\nMonthly\nAnnual\n\nThe council voted on Monday to close two libraries and\n"
            "to sell the land to a developer for an estimated $4 million next year.")
    blocks = [text[b.start:b.end] for b in split_blocks(text)]
    assert blocks[:3] == ["Once", "Monthly", "Annual"]
    assert blocks[3].startswith("The council") and blocks[3].endswith("next year.")


@pytest.mark.parametrize("line", [
    "Support The Moscow Times!", "Sign up for our free weekly newsletter", "Read more",
    "Subscribers agree to the Privacy Policy", "AP Photo / Omar Sanadiki / TASS",
    "By Jane Smith", "Reporting by Tom Lee; Editing by Ann Park", "Share this article",
    "AFP contributed reporting.", "We use cookies to improve your experience. Accept cookies?",
    "Your support, no matter how small, makes a world of difference. Please donate.",
    "© 2024 Example News. All rights reserved.", "Photo: Jane Okafor / The Courier",
])
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "Support for the measure fell to 40 percent, a poll showed.",
    "Netflix said its subscribers rose by 5 million in the quarter.",
    "\"You will pay more tax under this plan,\" the senator told voters.",
    "Following the talks, the two sides signed a ceasefire.",
])
def test_news_sentences_are_not_furniture(line):
    assert not is_furniture(line)


def test_appeal_needs_second_person_and_appeal_words():
    assert is_appeal("If you can, please support us monthly starting from just $2.")
    assert not is_appeal("The charity said donations fell by 12 percent last year.")


def test_trailer_after_story_end_is_furniture():
    text = ("Rebels took the city on Sunday.\n\nThe army withdrew overnight, officials said.\n\n"
            "AFP contributed reporting.\n\nWe, the journalists, refuse to be silenced. Russia designated us "
            "an undesirable organization.")
    extraction = analyse_text(text)
    assert [c.text for c in extraction.claims] == ["Rebels took the city on Sunday.",
                                                  "The army withdrew overnight."]
    cut = text.index("AFP")
    assert any(s <= cut < e for s, e in extraction.boilerplate)
    assert any(s <= text.index("Russia designated") < e for s, e in extraction.boilerplate)


def test_headlines():
    assert is_headline("How Russia Is Reacting to the Downfall of Syria's Assad")
    assert not is_headline("HTS took Damascus on Sunday.")


def test_labels_cover_every_block():
    text = "Big News Today\n\nThe bill passed 52-48 on Tuesday.\n\nRead more"
    blocks = split_blocks(text)
    assert label_blocks(text, blocks) == ["headline", "body", "furniture"]
