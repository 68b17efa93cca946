"""A cheap "is this English prose?" check, so the English-trained detectors can abstain.

No language-identification model: Latin-script share of the letters and the share of common
English function words. English running text has ~40 % of its words in the list below; other
languages written in Latin script have a few percent (shared short words like "a" or "in").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The most frequent English function words: frequent in any English text, rare elsewhere.
STOPWORDS = frozenset(
    """a about after all also an and any are as at be because been but by can could did do does
    for from had has have he her him his how i if in into is it its just like me more most my no
    not now of on one only or other our out over she so some than that the their them then there
    these they this those to up us was we were what when which who will with would you
    your""".split()
)

MIN_LATIN_SHARE = 0.85
MIN_STOPWORD_SHARE = 0.08
MIN_WORDS = 12

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


@dataclass(frozen=True)
class LanguageCheck:
    """Outcome of :func:`check_english`: ``ok`` False means "do not judge", ``reason`` says why."""

    ok: bool
    reason: str
    latin_share: float
    stopword_share: float
    n_words: int


def check_english(text: str) -> LanguageCheck:
    """Decide whether ``text`` looks like English prose.

    Texts too short to tell are let through (the length rule handles them).

    Examples
    --------
    >>> check_english("The cat sat on the mat and it was happy with the view of the garden.").ok
    True
    >>> check_english("Der Hund läuft schnell über die Straße und bellt laut, weil er "
    ...               "hungrig ist und seinen Besitzer sucht.").ok
    False
    """
    letters = [c for c in text if c.isalpha()]
    latin = sum(1 for c in letters if ord(c) < 0x250)  # Basic Latin to Latin Extended-B
    latin_share = latin / len(letters) if letters else 1.0
    words = [w.lower() for w in _WORD.findall(text)]
    n = len(words)
    stop_share = sum(1 for w in words if w in STOPWORDS) / n if n else 0.0
    if letters and latin_share < MIN_LATIN_SHARE:
        return LanguageCheck(
            False,
            "the text is mostly in a non-Latin script; these detectors only judge English",
            latin_share,
            stop_share,
            n,
        )
    if n >= MIN_WORDS and stop_share < MIN_STOPWORD_SHARE:
        return LanguageCheck(
            False,
            "the text does not look like English prose; these detectors only judge English",
            latin_share,
            stop_share,
            n,
        )
    return LanguageCheck(True, "looks like English", latin_share, stop_share, n)
