"""Text as the index sees it: normalised tokens, trigrams and typo-tolerant term similarity."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

_NON_WORD = re.compile(r"[^0-9a-z]+")
STOPWORDS = frozenset("a an and at by de du for in la le of on or the to with live".split())
PREFIX_MIN = 2  # a query token this long also matches the words it begins


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, accents stripped, anything but letters and digits turned into spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def tokens(text: str) -> list[str]:
    """The words of `text`, normalised."""
    return normalize(text).split()


def query_tokens(q: str) -> tuple[str, ...]:
    """The words a query requires: stopwords drop out unless nothing else is left."""
    words = list(dict.fromkeys(tokens(q)))
    kept = [w for w in words if w not in STOPWORDS]
    return tuple(kept or words)


def bigrams(word: str) -> set[str]:
    """Letter pairs of `word` padded with a space each side. One edit (insertion, deletion,
    substitution or swap of neighbours) spoils at most three of them."""
    padded = f" {word} "
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


def max_edits(token: str) -> int:
    """Typos allowed in a query token: none up to 3 letters, one up to 5, two beyond."""
    n = len(token)
    return 0 if n <= 3 else 1 if n <= 5 else 2


def similarity(token: str, term: str) -> float:
    """How well index word `term` answers query word `token`: 1 exact, less for a prefix or
    typos (optimal string alignment: a swap of neighbours is one edit), 0 for no match.
    Depends on the two words only, so scores never shift as events come and go."""
    if token == term:
        return 1.0
    if len(token) >= PREFIX_MIN and term.startswith(token):
        return 0.6 + 0.3 * len(token) / len(term)
    k = max_edits(token)
    if k and abs(len(term) - len(token)) <= k:
        d = OSA.distance(token, term, score_cutoff=k)
        if d <= k:
            return 0.8 - 0.2 * d
    return 0.0
