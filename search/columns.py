"""Per-document columns of the index as numpy arrays, so that a query's filters are a few
vectorised passes over every document rather than a Python check per candidate."""

from __future__ import annotations

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


def ranks(order: list[tuple[Any, str, int]], size: int) -> Ints:
    """Each document's place in `order` (a sorted list of (value, event id, document))."""
    ranked = np.full(size, len(order), np.int64)
    ranked[np.fromiter((doc for _, _, doc in order), np.int64, len(order))] = np.arange(len(order))
    return ranked
