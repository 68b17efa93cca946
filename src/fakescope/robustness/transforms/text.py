"""Text laundering: word substitution, sentence shuffling, invisible characters, paraphrase.

Every transform maps a ``str`` to a ``str``. ``strength`` is the share of eligible units changed.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> ZeroWidth(1.0)("a fine day", rng).count(ZERO_WIDTH_SPACE)
5
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fakescope.robustness.transforms.base import Transform

ZERO_WIDTH_SPACE = "\u200b"
#: Latin letters and Cyrillic/Greek look-alikes that render identically in most fonts.
HOMOGLYPHS = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455", "A": "\u0391", "B": "\u0392",
    "E": "\u0395", "H": "\u0397", "K": "\u039a", "M": "\u039c", "O": "\u039f", "P": "\u03a1",
    "T": "\u03a4", "X": "\u03a7",
}  # fmt: skip
# A compact table of everyday words and close synonyms (no word-net data installs offline);
# language models over-use exactly such words, so swapping them moves their statistics most.
SYNONYMS = {
    "important": ["significant", "crucial", "key"], "big": ["large", "huge"],
    "small": ["little", "tiny"], "good": ["fine", "decent"], "bad": ["poor", "awful"],
    "many": ["numerous", "lots of"], "help": ["assist", "aid"], "use": ["employ", "apply"],
    "show": ["reveal", "display"], "make": ["create", "produce"], "get": ["obtain", "gain"],
    "start": ["begin", "launch"], "end": ["finish", "close"], "also": ["too", "as well"],
    "however": ["but", "yet"], "therefore": ["so", "thus"], "very": ["really", "quite"],
    "quickly": ["fast", "rapidly"], "often": ["frequently", "commonly"],
    "people": ["folks", "individuals"], "said": ["stated", "noted"], "says": ["states"],
    "think": ["believe", "reckon"], "new": ["fresh", "novel"], "old": ["aged", "former"],
    "large": ["big", "sizeable"], "increase": ["rise", "growth"], "change": ["shift", "alter"],
    "problem": ["issue", "trouble"], "way": ["manner", "method"], "result": ["outcome"],
    "main": ["chief", "primary"], "various": ["several", "diverse"], "ensure": ["make sure"],
    "provide": ["give", "offer"], "include": ["contain", "cover"], "need": ["require"],
    "significant": ["notable", "marked"], "overall": ["in all", "on the whole"],
    "additionally": ["also", "besides"], "furthermore": ["moreover", "also"],
    "crucial": ["vital", "key"], "enhance": ["improve", "boost"], "utilize": ["use"],
    "delve": ["dig", "look"], "robust": ["sturdy", "strong"], "seamless": ["smooth"],
    "innovative": ["new", "inventive"], "comprehensive": ["thorough", "complete"],
    "vital": ["essential", "key"], "essential": ["needed", "basic"], "game": ["match"],
    "told": ["informed"], "city": ["town"], "child": ["kid"], "children": ["kids"],
    "house": ["home"], "job": ["work"], "happy": ["glad", "pleased"], "sad": ["unhappy"],
    "begin": ["start"], "story": ["tale", "account"], "world": ["globe"], "great": ["grand"],
    "around": ["about", "roughly"], "before": ["prior to"], "after": ["following"],
    "because": ["since", "as"], "while": ["whereas"], "different": ["distinct", "other"],
    "easy": ["simple"], "hard": ["difficult", "tough"], "early": ["soon"], "late": ["delayed"],
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


class TextTransform(Transform):
    modality = "text"


@dataclass
class SynonymSwap(TextTransform):
    """Replace ``fraction`` of the words that have an entry in :data:`SYNONYMS`."""

    fraction: float = 0.5

    def __call__(self, data, rng):
        def swap(m: re.Match) -> str:
            word = m.group(0)
            options = SYNONYMS.get(word.lower())
            if not options or rng.random() >= self.fraction:
                return word
            new = options[int(rng.integers(len(options)))]
            return new[0].upper() + new[1:] if word[0].isupper() else new

        return _WORD.sub(swap, data)


@dataclass
class SentenceShuffle(TextTransform):
    """Swap ``fraction`` of adjacent sentence pairs inside each paragraph."""

    fraction: float = 0.5

    def __call__(self, data, rng):
        paragraphs = data.split("\n")
        out = []
        for para in paragraphs:
            sents = _SENTENCE.split(para)
            for i in range(0, len(sents) - 1, 2):
                if rng.random() < self.fraction:
                    sents[i], sents[i + 1] = sents[i + 1], sents[i]
            out.append(" ".join(sents))
        return "\n".join(out)


@dataclass
class Homoglyphs(TextTransform):
    """Replace ``fraction`` of replaceable letters by Cyrillic/Greek look-alikes."""

    fraction: float = 0.1

    def __call__(self, data, rng):
        chars = list(data)
        for i, ch in enumerate(chars):
            if ch in HOMOGLYPHS and rng.random() < self.fraction:
                chars[i] = HOMOGLYPHS[ch]
        return "".join(chars)


@dataclass
class ZeroWidth(TextTransform):
    """Insert a zero-width space after ``fraction`` of the letters inside words (invisible
    when rendered; splits a tokenizer's words into pieces)."""

    fraction: float = 0.1

    def __call__(self, data, rng):
        out = []
        for i, ch in enumerate(data):
            out.append(ch)
            nxt = data[i + 1] if i + 1 < len(data) else ""
            if ch.isalpha() and nxt.isalpha() and rng.random() < self.fraction:
                out.append(ZERO_WIDTH_SPACE)
        return "".join(out)


@dataclass
class Paraphrase(TextTransform):
    """Rewrite the text with the configured local language model (``generate text``'s LM,
    ``FAKESCOPE_TEXT_MODEL``), paragraph by paragraph, sampling at ``temperature``."""

    temperature: float = 0.7
    max_new_tokens: int = 300

    def __call__(self, data, rng):
        from fakescope.text.generation import generate
        from fakescope.text.lm import shared_model

        lm = shared_model()
        paragraphs = [p for p in data.split("\n") if p.strip()]
        prompts = [f"Rewrite the following text in your own words:\n\n{p}" for p in paragraphs]
        samples = generate(
            lm,
            prompts,
            chat=True,
            temperature=self.temperature,
            max_new_tokens=self.max_new_tokens,
            seed=int(rng.integers(2**31)),
        )
        return "\n".join(s.text for s in samples)
