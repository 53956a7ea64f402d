"""Random primitives: named seed streams, nested categorical sampling and UUID strings.

Everything here is vectorised: one ``searchsorted`` draws a child category for every
row, and UUIDs are built as one byte buffer, so no Python loop runs per row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from warehouse_ml.generator.config import FloatArray, IntArray


@dataclasses.dataclass(frozen=True)
class _Nested:
    """A categorical distribution per parent, flattened so one ``searchsorted`` samples it.

    Edge ``e`` links ``parent[e]`` to ``child[e]``; edges are grouped by parent and
    ``cum[e] = parent + P(child <= e | parent)``, which is strictly increasing over the
    whole array, so ``searchsorted(cum, parent + u)`` draws every row's child at once.
    """

    parent: IntArray
    child: IntArray
    weight: FloatArray
    cum: FloatArray
    start: IntArray
    stop: IntArray

    @classmethod
    def build(
        cls, parent: Sequence[int], child: Sequence[int], weight: Sequence[float], n_parents: int
    ) -> _Nested:
        """Build from edge lists; parents must be contiguous, ascending and all present."""
        par = np.asarray(parent, dtype=np.int64)
        chi = np.asarray(child, dtype=np.int64)
        w = np.asarray(weight, dtype=np.float64)
        if par.size and np.any(np.diff(par) < 0):
            raise ValueError("edges must be grouped by ascending parent")
        counts = np.bincount(par, minlength=n_parents)
        totals = np.bincount(par, weights=w, minlength=n_parents)
        if np.any(counts == 0) or np.any(totals <= 0):
            raise ValueError("every parent needs at least one edge with positive weight")
        stop = np.cumsum(counts)
        start = stop - counts
        within = w / totals[par]
        csum = np.cumsum(within)
        before = np.concatenate(([0.0], csum))[start]
        cum = par + (csum - before[par])
        cum[stop - 1] = np.arange(n_parents, dtype=np.float64) + 1.0  # exact group ends
        return cls(par, chi, w, cum, start, stop)

    def tempered(self, power: float) -> _Nested:
        """Same support, weights raised to ``power`` (<1 flattens towards the tail)."""
        return _Nested.build(self.parent, self.child, self.weight**power, len(self.start))

    def sample(self, parents: IntArray, u: FloatArray) -> IntArray:
        """Draw one child per row given its parent code and a uniform(0, 1) number."""
        # u is capped below 1 so parent + u stays inside the parent's (p, p + 1] range.
        edge = np.searchsorted(self.cum, parents + np.minimum(u, 1.0 - 1e-9), side="right")
        return self.child[edge]


def _rng(*key: int) -> np.random.Generator:
    """A PCG64 generator for one independent, named stream of a seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(key))))


def _nested_from_table(
    parents: Sequence[str], table: Mapping[str, Sequence[tuple[str, float]]], children: list[str]
) -> _Nested:
    """Flatten ``{parent: [(child, weight), ...]}``, interning child names in ``children``."""
    index = {name: i for i, name in enumerate(children)}
    par: list[int] = []
    chi: list[int] = []
    wts: list[float] = []
    for p, parent in enumerate(parents):
        for name, w in table[parent]:
            if name not in index:
                index[name] = len(children)
                children.append(name)
            par.append(p)
            chi.append(index[name])
            wts.append(w)
    return _Nested.build(par, chi, wts, len(parents))


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _uuid4_bytes(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """``n`` random version-4 UUIDs as canonical lowercase ASCII, shape (n, 36)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexd = np.empty((n, 32), dtype=np.uint8)
    hexd[:, 0::2] = _HEX_DIGITS[raw >> 4]
    hexd[:, 1::2] = _HEX_DIGITS[raw & 0x0F]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for dst, src, width in ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12)):
        out[:, dst : dst + width] = hexd[:, src : src + width]
    return out


def _uuid4_array(rng: np.random.Generator, n: int, type_: pa.DataType) -> pa.Array:
    """``n`` UUID strings as an Arrow array built straight from the byte buffer."""
    data = _uuid4_bytes(rng, n)
    offset_type = np.int64 if type_ == pa.large_string() else np.int32
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=offset_type)
    return pa.Array.from_buffers(
        type_, n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))]
    )


def _uuid4_strings(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` UUID strings as Python strings (for the few campaign/offer ids)."""
    return [row.tobytes().decode("ascii") for row in _uuid4_bytes(rng, n)]
