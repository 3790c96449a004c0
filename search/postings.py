"""Word postings: which documents hold each word, in names and artists (strong) or in
descriptions (weak), and the relevance of documents for a query."""

from __future__ import annotations

from array import array

import numpy as np

from search.columns import Ints
from search.listing import Listing
from search.text import tokens
from search.vocab import Vocabulary

STRONG, WEAK = 3, 1  # scores are integers, so sums never depend on their order


class Postings:
    """Append-only: a replaced document stays listed and is skipped by the caller."""

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        self._strong: dict[int, array[int]] = {}
        self._weak: dict[int, array[int]] = {}

    def add(self, doc: int, listing: Listing) -> None:
        strong = {self.vocab.add(w) for w in tokens(" ".join((listing.name, *listing.artists)))}
        weak = {self.vocab.add(w) for w in tokens(listing.description)} - strong
        for postings, words in ((self._strong, strong), (self._weak, weak)):
            for word in words:
                docs = postings.get(word)
                if docs is None:
                    docs = postings[word] = array("I")
                docs.append(doc)

    def score_vector(self, words: tuple[str, ...], size: int) -> Ints:
        """Each document's relevance to the query (0: some word matches nothing in it): the sum
        over words of the best similarity (in thousandths) x field weight."""
        total: Ints | None = None
        for matches in sorted((self.vocab.expand(w) for w in words), key=self._size):
            best = np.zeros(size, np.int64)
            weighted = [
                (round(sim * 1000) * weight, docs)
                for word, sim in matches.items()
                for postings, weight in ((self._strong, STRONG), (self._weak, WEAK))
                if (docs := postings.get(word)) is not None
            ]
            for score, docs in sorted(weighted, key=lambda w: w[0]):
                best[np.frombuffer(docs, np.uintc)] = score  # higher scores come later and win
            total = best if total is None else np.where((total > 0) & (best > 0), total + best, 0)
            if not total.any():
                break
        return total if total is not None else np.zeros(size, np.int64)

    def _size(self, matches: dict[int, float]) -> int:
        return sum(len(self._strong.get(w, ())) + len(self._weak.get(w, ())) for w in matches)
