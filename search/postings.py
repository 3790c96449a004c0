"""Word postings: which documents hold each word, in names and artists (strong) or in
descriptions (weak), and the relevance of documents for a query."""

from __future__ import annotations

from array import array

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

    def scores(self, words: tuple[str, ...]) -> dict[int, int]:
        """Documents matching every query word, with the sum over words of the best
        similarity (in thousandths) x field weight."""
        expanded = sorted((self.vocab.expand(w) for w in words), key=self._size)
        total: dict[int, int] | None = None
        for matches in expanded:
            best: dict[int, int] = {}
            weighted = [
                (round(sim * 1000) * weight, docs)
                for word, sim in matches.items()
                for postings, weight in ((self._strong, STRONG), (self._weak, WEAK))
                if (docs := postings.get(word)) is not None
            ]
            for score, docs in sorted(weighted, key=lambda w: w[0]):
                best.update(dict.fromkeys(docs, score))  # higher scores come later and win
            if total is None:
                total = best
            else:
                total = {d: total[d] + best[d] for d in total.keys() & best.keys()}
            if not total:
                return {}
        return total or {}

    def _size(self, matches: dict[int, float]) -> int:
        return sum(len(self._strong.get(w, ())) + len(self._weak.get(w, ())) for w in matches)
