"""Remove what chat assistants wrap around their answers, so a detector judges the prose itself.

Chat models often open with a preamble ("Sure, here is a 6 sentence abstract:"), a title line
("Title: ..."), or markdown decoration, and close with an offer ("I hope this helps!"). Human
texts in detection corpora have none of that, so a detector trained on raw chat output learns
the wrapper instead of the writing, and a user who deletes the first line evades it. Training
and evaluation data are cleaned with :func:`clean_chat_text` in BOTH classes; texts that contain
an AI disclaimer or a refusal ("As an AI language model", "I apologize, upon further
reflection") are dropped (:func:`has_ai_disclaimer`), since no edit makes them ordinary prose.

Pure functions on strings (no model, no I/O).
"""

from __future__ import annotations

import re

_OPENERS = (
    r"(?:sure|certainly|of course|absolutely|okay|ok|alright|great|yes|got it)\b[^\n:]{0,200}"
    r"|(?:here(?:'s| is| are)|below is|below are|the following is|what follows is)\b[^\n:]{0,250}"
)
_PREAMBLE = re.compile(rf"^\s*(?:{_OPENERS}):[ \t]*\n*", re.IGNORECASE)
# "Sure! Here's a ..." without a colon: the whole first line, when it is short and ends the
# sentence before a blank line.
_PREAMBLE_LINE = re.compile(
    r"^\s*(?:sure|certainly|of course|absolutely|okay|here(?:'s| is| are)|below is)\b"
    r"[^\n]{0,200}\n\s*\n",
    re.IGNORECASE,
)
_POLITE = ("sure", "certainly", "of course", "absolutely", "okay", "ok", "alright", "great", "yes")
_ANNOUNCES = re.compile(
    r"\b(?:abstract|review|continuation|essay|article|version|response|answer|summary|attempt|"
    r"paragraph|text|story|example|rewrite|rewritten|polished|revised|draft|sentence|sentences|"
    r"post|passage|description|explanation|argument|letter|speech|report|blog|guide|list|"
    r"possible|based on|as requested|you (?:asked|requested|provided))\b"
)
_HEADER = re.compile(
    r"^\s*(?:title|abstract|headline|subject|summary|essay|introduction|review)\s*:[ \t]*",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"^[ \t]*[-=*_#~]{3,}[ \t]*(?:\n|$)", re.MULTILINE)
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.MULTILINE)
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_CLOSINGS = re.compile(
    r"\n\s*(?:i hope (?:this|that|you)|let me know|feel free|please let me know|"
    r"note:|please note|if you (?:have|need|want|would)|is there anything)[^\n]*\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"\bas an (?:ai|artificial intelligence)\b|\bai language model\b|\bas a language model\b|"
    r"\bi apologi[sz]e, (?:but|upon)|\bi (?:do not|don't) feel comfortable\b|"
    r"\bi (?:cannot|can't|am unable to) (?:fulfil|fulfill|generate|write|provide|comply)",
    re.IGNORECASE,
)
_SENTENCE_END = tuple(".!?:;\"')]”’")


def has_ai_disclaimer(text: str) -> bool:
    """True when the text contains an AI disclaimer or a refusal.

    Examples
    --------
    >>> has_ai_disclaimer("As an AI language model, I do not have opinions. But here goes.")
    True
    >>> has_ai_disclaimer("The model in this paper is a language model for code.")
    False
    """
    return bool(_DISCLAIMER.search(text))


def strip_preamble(text: str) -> str:
    """Drop a leading chat preamble ("Sure, here is ...:", "Here is my attempt ...:").

    Examples
    --------
    >>> strip_preamble("Here is a 6 sentence abstract for the given title:Quantum dots are small.")
    'Quantum dots are small.'
    >>> strip_preamble("Sure! Here's a review.\\n\\nThe food was cold.")
    'The food was cold.'
    >>> strip_preamble("Here is the thing: nobody came.")
    'Here is the thing: nobody came.'
    """
    for pattern in (_PREAMBLE, _PREAMBLE_LINE):
        match = pattern.match(text)
        if match and _is_preamble(match.group(0)):
            return text[match.end() :].lstrip()
    return text


def _is_preamble(head: str) -> bool:
    # "Sure, ..." always is; "Here is ..." only when it announces a piece of writing, so that
    # prose such as "Here is the thing: nobody came." is left alone.
    head = head.strip().lower()
    return head.startswith(_POLITE) or bool(_ANNOUNCES.search(head))


def strip_title(text: str) -> str:
    """Drop a leading ``Title:``/``Abstract:`` label, and a first line that is only a title.

    A first line is a title when it has at most 15 words, does not end a sentence, and the
    text goes on after it (human and machine texts alike).

    Examples
    --------
    >>> strip_title("Title: Why Cities Grow\\n\\nCities grow because people move to them.")
    'Cities grow because people move to them.'
    >>> strip_title("Abstract:We study graphs.")
    'We study graphs.'
    >>> strip_title("How to Bake Bread\\nMix the flour and water.")
    'Mix the flour and water.'
    """
    text = text.lstrip()
    match = _HEADER.match(text)
    if match:
        rest = text[match.end() :]
        label = match.group(0).split(":")[0].strip().lower()
        first, sep, tail = rest.partition("\n")
        # "Title: X" names the piece (drop the line); "Abstract: text" labels the prose (keep it).
        if label in {"title", "headline", "subject"} and sep and tail.strip():
            text = tail.lstrip()
        else:
            text = rest.lstrip()
    first, sep, tail = text.partition("\n")
    if (
        sep
        and tail.strip()
        and len(first.split()) <= 15
        and not first.rstrip().endswith(_SENTENCE_END)
    ):
        text = tail.lstrip()
    return text


def strip_markdown(text: str) -> str:
    """Remove rule lines (``---``, ``===``), heading markers and bold markers.

    Examples
    --------
    >>> strip_markdown("## Steps\\n---\\nMix **well**.")
    'Steps\\nMix well.'
    """
    text = _RULE_LINE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)).strip()


def strip_closing(text: str) -> str:
    """Drop a final line that offers more help ("I hope this helps!", "Let me know if ...").

    Examples
    --------
    >>> strip_closing("Bread needs time.\\n\\nI hope this helps!")
    'Bread needs time.'
    """
    return _CLOSINGS.sub("", text).rstrip()


def clean_chat_text(text: str) -> str:
    """All of the above, in order: preamble, title, markdown, closing.

    Examples
    --------
    >>> clean_chat_text("Sure, here's one:\\n\\nTitle: Rain\\n\\nRain is **wet**.\\nLet me know!")
    'Rain is wet.'
    """
    text = strip_markdown(text.replace("\r\n", "\n"))
    text = strip_title(strip_preamble(text))
    return _unquote(strip_closing(text))


def _unquote(text: str) -> str:
    # A whole answer wrapped in one pair of quotes ("Sure, here it is:\n\"...\"").
    if len(text) > 2 and text[0] in '"“' and text[-1] in '"”' and text.count('"') <= 2:
        return text[1:-1].strip()
    return text
