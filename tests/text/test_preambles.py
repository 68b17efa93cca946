from __future__ import annotations

import pytest

from fakescope.text.preambles import (
    clean_chat_text,
    has_ai_disclaimer,
    strip_closing,
    strip_markdown,
    strip_preamble,
    strip_title,
)


@pytest.mark.parametrize(
    "raw",
    [
        "Here is a 6 sentence abstract for the given article title:Quantum dots are small.",
        "Sure, here's a possible continuation of the review:Quantum dots are small.",
        "Sure! Here's a polished version.\n\nQuantum dots are small.",
        "Here is my attempt at continuing the review in a more human style:Quantum dots are small.",
        "Certainly! Below is an essay on the topic:\n\nQuantum dots are small.",
        "Below is an example of what an abstract could be:\n\nQuantum dots are small.",
    ],
)
def test_chat_preambles_are_removed(raw):
    assert clean_chat_text(raw) == "Quantum dots are small."


def test_prose_that_looks_like_a_preamble_is_kept():
    text = "Here is the thing: nobody came to the meeting, and the mayor left early."
    assert strip_preamble(text) == text
    assert clean_chat_text(text) == text


def test_titles_labels_and_headings():
    assert strip_title("Title: On Rain\n\nRain falls.") == "Rain falls."
    assert strip_title("Abstract: We study rain.") == "We study rain."
    assert strip_title("**Abstract:**We study rain.") == "**Abstract:**We study rain."  # md first
    assert clean_chat_text("**Abstract:**We study rain.") == "We study rain."
    # a sentence on the first line is not a title
    assert strip_title("Rain falls often.\nIt is wet.") == "Rain falls often.\nIt is wet."
    assert strip_markdown("# Steps\n=====\n1. Mix **well**.") == "Steps\n1. Mix well."


def test_closings_and_quotes():
    assert strip_closing("Rain falls.\n\nLet me know if you need more!") == "Rain falls."
    assert (
        clean_chat_text('Sure, here it is:\n"Rain falls. It is wet."') == "Rain falls. It is wet."
    )


def test_disclaimers_are_detected_in_either_class():
    assert has_ai_disclaimer("As an AI language model, I cannot have opinions, but here goes.")
    assert has_ai_disclaimer("I apologize, upon further reflection I do not feel comfortable.")
    assert has_ai_disclaimer("I cannot fulfill this request.")
    assert not has_ai_disclaimer("The language model in this paper predicts code.")
    assert not has_ai_disclaimer("She apologised to her brother the next day.")


def test_cleaning_is_idempotent():
    raw = "Sure, here's an essay:\n\nTitle: Rain\n\n## Why\nRain is **wet**.\n\nI hope this helps!"
    once = clean_chat_text(raw)
    assert once == "Why\nRain is wet." or once == "Rain is wet."
    assert clean_chat_text(once) == once
