"""Per-document columns of the index as numpy arrays, so that a query's filters are a few
vectorised passes over every document rather than a Python check per candidate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
UNKNOWN = -1  # seats left when the capacity is not known


class Columns:
    """Start time, seats left and liveness by document number; arrays grow by doubling."""

    def __init__(self) -> None:
        self.size = 0
        self._starts: Ints = np.zeros(1024, np.int64)
        self._left: Ints = np.zeros(1024, np.int64)
        self._alive: Mask = np.zeros(1024, np.bool_)

    def append(self, doc: int, starts_at: int, left: int | None) -> None:
        """Document `doc` (the next number) with its start time and seats left."""
        if doc >= len(self._starts):
            grown = 2 * len(self._starts)
            self._starts = np.resize(self._starts, grown)
            self._left = np.resize(self._left, grown)
            self._alive = np.resize(self._alive, grown)
        self._starts[doc] = starts_at
        self._alive[doc] = True
        self.set_left(doc, left)
        self.size = doc + 1

    def kill(self, doc: int) -> None:
        self._alive[doc] = False

    def set_left(self, doc: int, left: int | None) -> None:
        self._left[doc] = UNKNOWN if left is None else left

    @property
    def starts(self) -> Ints:
        return self._starts[: self.size]

    @property
    def left(self) -> Ints:
        return self._left[: self.size]

    @property
    def alive(self) -> Mask:
        return self._alive[: self.size]

    def mask(self, docs: Ints) -> Mask:
        """True at `docs`."""
        found = np.zeros(self.size, np.bool_)
        found[docs] = True
        return found


class Orders:
    """The date and price orders as each document's place in them, and every seat-type price
    ascending with its document; value sets as arrays. Made from the sorted lists once, then
    kept in step with them (a change is a few vectorised passes, not a new copy of the lists)."""

    def __init__(
        self,
        by_date: list[tuple[int, str, int]],
        by_price: list[tuple[float, str, int]],
        prices: list[tuple[float, int]],
        size: int,
    ) -> None:
        self.by_date = _ranks(by_date, size)
        self.by_price = _ranks(by_price, size)
        self.prices = np.fromiter((p for p, _ in prices), np.float64, len(prices))
        self.price_docs = np.fromiter((d for _, d in prices), np.int64, len(prices))
        self.members: dict[tuple[str, str], Ints] = {}  # (field, value) -> its documents

    def add(self, doc: int, date_at: int, price_at: int) -> None:
        """New document `doc` (the next number) at these places in the two orders."""
        assert doc == len(self.by_date)  # noqa: S101 - documents are numbered in turn
        self.by_date = np.append(_opened(self.by_date, date_at), date_at)
        self.by_price = np.append(_opened(self.by_price, price_at), price_at)

    def remove(self, date_at: int, price_at: int) -> None:
        """The document at these places left the orders (its own rank no longer matters)."""
        self.by_date[self.by_date > date_at] -= 1
        self.by_price[self.by_price > price_at] -= 1

    def add_price(self, at: int, price: float, doc: int) -> None:
        self.prices = np.insert(self.prices, at, price)
        self.price_docs = np.insert(self.price_docs, at, doc)

    def remove_price(self, at: int) -> None:
        self.prices = np.delete(self.prices, at)
        self.price_docs = np.delete(self.price_docs, at)

    def forget_members(self, fields: Iterable[tuple[str, Iterable[str]]]) -> None:
        """Drop the cached arrays of these (field, values): their documents changed."""
        for name, values in fields:
            for value in values:
                self.members.pop((name, value), None)

    def price_mask(self, low: float | None, high: float | None, size: int) -> Mask:
        """Documents with some seat-type price in [low, high]."""
        lo = 0 if low is None else int(np.searchsorted(self.prices, low, "left"))
        hi = len(self.prices) if high is None else int(np.searchsorted(self.prices, high, "right"))
        found = np.zeros(size, np.bool_)
        found[self.price_docs[lo:hi]] = True
        return found


def _opened(ranked: Ints, at: int) -> Ints:
    """`ranked` with every place from `at` on moved one down, making room at `at`."""
    ranked[ranked >= at] += 1
    return ranked


def _ranks(order: list[tuple[Any, str, int]], size: int) -> Ints:
    """Each document's place in `order` (a sorted list of (value, event id, document))."""
    ranked = np.full(size, len(order), np.int64)
    ranked[np.fromiter((doc for _, _, doc in order), np.int64, len(order))] = np.arange(len(order))
    return ranked
