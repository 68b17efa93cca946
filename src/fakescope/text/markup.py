"""Visible text of markup: HTML (what a browser shows) and Markdown (the prose, not the syntax).

Both run in linear time on any input: text files come from anywhere, and a parser that retries
from every unclosed opener turns a 1 MB file into an hour of work.
"""

from __future__ import annotations

import html as _html
import re

#: Elements whose content a browser does not show.
HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
#: Elements whose content is raw text up to their end tag (no tags inside).
_RAW = {"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"}
#: Elements that start a new line.
BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "blockquote", "pre", "header", "footer", "hr", "dd", "dt",
    "figcaption", "main", "aside", "nav",
}  # fmt: skip
_TAG = re.compile(r"(/?)([a-zA-Z][^\s/<>]*)")
_VALUE_QUOTE_OR_END = re.compile(r"=[ \t\n\r\f]*([\"'])|>")


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML document and its title.

    A single forward pass (the standard library's ``HTMLParser`` takes quadratic time on some
    malformed input: 30 KB of ``<a `` took 25 s): each character is looked at a bounded number
    of times. Comments, ``<!...>`` and ``<?...>`` are dropped, and so is a tag left unfinished at
    the end, as browsers do.

    Examples
    --------
    >>> html_to_text("<html><head><title>T</title><style>p{}</style></head>"
    ...              "<body><p>Hello <b>world</b></p><script>x=1</script></body></html>")
    ('Hello world', 'T')
    """
    lower = html.lower()
    parts: list[str] = []
    title: list[str] = []
    hidden = 0
    pos, n = 0, len(html)
    while pos < n:
        lt = html.find("<", pos)
        if lt < 0:
            lt = n
        if lt > pos and not hidden:
            parts.append(unescape(html[pos:lt]))
        if lt >= n:
            break
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            pos = n if end < 0 else end + 3
            continue
        tag = _TAG.match(html, lt + 1)
        if tag is None:
            if html.startswith(("<!", "<?"), lt):  # doctype, CDATA, processing instruction
                end = html.find(">", lt)
                pos = n if end < 0 else end + 1
            else:  # a "<" that starts no tag is text
                if not hidden:
                    parts.append("<")
                pos = lt + 1
            continue
        pos = _tag_end(html, tag.end())
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        self_closing = html[pos - 2 : pos] == "/>"
        if name in BLOCK:
            parts.append("\n")
        if closing:
            if name in HIDDEN:
                hidden = max(0, hidden - 1)
            continue
        if name in _RAW and not self_closing:
            end = lower.find("</" + name, pos)
            end = n if end < 0 else end
            if name == "title":
                title.append(unescape(html[pos:end]))
            elif name not in HIDDEN and not hidden:
                parts.append(unescape(html[pos:end]))
            pos = end  # the end tag is read as a tag next
            if name in HIDDEN:
                hidden += 1
            continue
        if name in HIDDEN and not self_closing:
            hidden += 1
    lines = [" ".join(line.split()) for line in "".join(parts).splitlines()]
    body = "\n".join(line for line in lines if line)
    return body, " ".join("".join(title).split())


def _tag_end(html: str, pos: int) -> int:
    """Position after the ``>`` closing a tag whose name ends at ``pos``; quoted attribute
    values may hold ``>``. An unfinished tag runs to the end of the text."""
    n = len(html)
    while True:
        m = _VALUE_QUOTE_OR_END.search(html, pos)
        if m is None:
            return n
        if m.group() == ">":
            return m.end()
        close = html.find(m.group(1), m.end())
        if close < 0:
            return n
        pos = close + 1


def unescape(text: str) -> str:
    """Character references (``&amp;``, ``&#233;``) as characters, like a browser shows them."""
    return _html.unescape(text) if "&" in text else text


# Pairs removed with everything between them: code blocks are not prose, comments are hidden.
_MD_BLOCKS = (("```", "```"), ("<!--", "-->"))
# Line-level syntax. A line start is tried by each rule, so no rule may begin with "\s*": it
# would run across all the blank lines that follow, from every one of them (quadratic).
_MD_RULES = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # heading markers
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list bullets
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^[ \t]*([-*_]\s*){3,}$", re.M), ""),  # rules
]


def markdown_to_text(md: str) -> str:
    """Strip Markdown syntax that would disturb the language model, keeping the prose.

    Runs in time linear in the length of the text, whatever it holds (thousands of unclosed
    ``<!--`` or ``[link](`` openers included).

    Examples
    --------
    >>> markdown_to_text("# Title\\n\\nSome **bold** and [a link](http://x.org).")
    'Title\\n\\nSome bold and a link.'
    """
    out = md
    for opener, closer in _MD_BLOCKS:
        out = drop_between(out, opener, closer)
    out = replace_links(out, image=True)  # images -> alt text
    out = replace_links(out, image=False)  # links -> link text
    for pattern, repl in _MD_RULES:
        out = pattern.sub(repl, out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def drop_between(text: str, opener: str, closer: str, repl: str = " ") -> str:
    """Replace each ``opener ... closer`` span (shortest, left to right) with ``repl``.

    Examples
    --------
    >>> drop_between("a <!-- x --> b <!-- never closed", "<!--", "-->")
    'a   b <!-- never closed'
    """
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find(opener, pos)
        if start < 0:
            break
        end = text.find(closer, start + len(opener))
        if end < 0:  # no closer after this opener, hence none after any later one either
            break
        parts += [text[pos:start], repl]
        pos = end + len(closer)
    parts.append(text[pos:])
    return "".join(parts)


def replace_links(text: str, *, image: bool) -> str:
    """``[text](target)`` -> ``text`` (``image=True``: ``![alt](src)`` -> ``alt``), matching
    what the patterns ``\\[([^\\]]+)\\]\\([^)]*\\)`` / ``!\\[([^\\]]*)\\]\\([^)]*\\)`` match, in
    linear time: the next ``]`` and ``)`` are found once and reused while openers advance.

    Examples
    --------
    >>> replace_links("see [the docs](http://x) and [not a link]", image=False)
    'see the docs and [not a link]'
    >>> replace_links("![a cat](cat.png)", image=True)
    'a cat'
    """
    opener = "![" if image else "["
    parts: list[str] = []
    pos = search = 0
    bracket = paren = -1  # cached positions of the next "]" and ")"
    while True:
        start = text.find(opener, search)
        if start < 0:
            break
        inner = start + len(opener)
        if bracket < inner:
            bracket = text.find("]", inner)
            if bracket < 0:
                break  # no "]" after this opener, hence after no later one
        if (bracket == inner and not image) or text[bracket + 1 : bracket + 2] != "(":
            search = start + 1
            continue
        if paren < bracket + 2:
            paren = text.find(")", bracket + 2)
            if paren < 0:
                break
        parts += [text[pos:start], text[inner:bracket]]
        pos = search = paren + 1
    parts.append(text[pos:])
    return "".join(parts)
