"""Text similarity for "maybe support one of these instead?" — no search engine needed.

Two cheap signals, both robust to Ukrainian word endings: character trigrams of the titles
(`сквер`/`скверу` share most trigrams) and the overlap of word stems (first letters of each
word) over title and description. Stems also feed the SQL prefilter (`keywords` column).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STEM_LEN = 5
MIN_WORD = 3
# Words that appear in most ideas and so say nothing about which idea it is.
_STOP = frozenset(
    {
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "are",
        "was",
        "not",
        "you",
        "your",
        "our",
        "its",
        "all",
        "can",
        "will",
        "have",
        "has",
        "про",
        "для",
        "що",
        "щоб",
        "його",
        "але",
        "або",
        "біля",
        "при",
        "через",
        "також",
        "дуже",
        "треба",
        "потрібно",
        "потрібен",
        "нашому",
        "наше",
        "наша",
        "наш",
        "наші",
        "місто",
        "міста",
        "місті",
        "місце",
        "місця",
        "зробити",
        "зроблено",
        "буде",
        "були",
        "було",
        "які",
        "яка",
        "який",
        "яке",
        "цей",
        "цього",
        "ця",
        "цю",
        "ці",
        "тут",
        "там",
        "так",
        "коли",
        "поки",
        "навіть",
        "більше",
        "менше",
    }
)


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= MIN_WORD and not w.isdigit()]


def stems(text: str) -> list[str]:
    """Distinct word stems in order of appearance, stop words left out."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word in _STOP:
            continue
        seen.setdefault(word[:STEM_LEN], None)
    return list(seen)


def keywords(title: str, description: str) -> str:
    """The stems stored with an idea, space-delimited on both sides for `LIKE '% stem %'`."""
    return " " + " ".join(stems(f"{title} {description}")) + " "


def trigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in words(text):
        if word in _STOP:
            continue
        padded = f" {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def score(title: str, text: str, other_title: str, other_keywords: str) -> float:
    """0..1: mostly how alike the titles are, partly how many stems the whole texts share."""
    return Scorer(title, text)(other_title, other_keywords)


class Scorer:
    """`score` with the query side computed once, for scoring many candidates."""

    def __init__(self, title: str, text: str) -> None:
        self._grams = trigrams(title)
        self._stems = frozenset(stems(text))

    def __call__(self, other_title: str, other_keywords: str) -> float:
        title_part = jaccard(self._grams, trigrams(other_title))
        stem_part = jaccard(self._stems, other_keywords.split())
        return 0.6 * title_part + 0.4 * stem_part
