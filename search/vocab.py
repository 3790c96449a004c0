"""Every word the index has seen, found again by exact match, prefix or a typo or two."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from itertools import chain

from search.text import PREFIX_MIN, bigrams, max_edits, similarity

CACHE_SIZE = 4096


class Vocabulary:
    """Words numbered as they arrive, a sorted copy for prefixes, bigram postings for typos."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.ids: dict[str, int] = {}
        self._sorted: list[str] = []
        self._grams: dict[str, list[int]] = {}
        self._by_length: dict[int, list[int]] = {}
        self._cache: dict[str, dict[int, float]] = {}

    def add(self, word: str) -> int:
        """The number of `word`, adding it when new."""
        found = self.ids.get(word)
        if found is not None:
            return found
        number = self.ids[word] = len(self.words)
        self.words.append(word)
        insort(self._sorted, word)
        for gram in bigrams(word):
            self._grams.setdefault(gram, []).append(number)
        self._by_length.setdefault(len(word), []).append(number)
        self._cache.clear()
        return number

    def expand(self, token: str) -> dict[int, float]:
        """Words that answer query word `token`, with their similarity (see text.similarity)."""
        cached = self._cache.get(token)
        if cached is None:
            cached = {
                n: s for n in self._candidates(token) if (s := similarity(token, self.words[n]))
            }
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[token] = cached
        return cached

    def _candidates(self, token: str) -> set[int]:
        found = {self.ids[token]} if token in self.ids else set()
        if len(token) >= PREFIX_MIN:
            i = bisect_left(self._sorted, token)
            while i < len(self._sorted) and self._sorted[i].startswith(token):
                found.add(self.ids[self._sorted[i]])
                i += 1
        k = max_edits(token)
        if not k:
            return found
        grams = bigrams(token)
        # k edits spoil at most 3k of the token's distinct bigrams; the rest are shared,
        # so this filter never loses a word within k edits.
        need = len(grams) - 3 * k
        lengths = range(len(token) - k, len(token) + k + 1)
        if need <= 0:
            found.update(chain.from_iterable(self._by_length.get(n, ()) for n in lengths))
            return found
        counts = Counter(chain.from_iterable(self._grams.get(g, ()) for g in grams))
        words = self.words
        found.update(n for n, c in counts.items() if c >= need and len(words[n]) in lengths)
        return found
