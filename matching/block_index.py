"""Blocking-key lookup for single queries: the reference rows sharing every key of a rule.

Each key is dictionary-encoded over the reference (``matching.encoding``); a rule's key codes
are mixed into one 64-bit hash and the rows sorted by it, so a query finds a rule's block by
binary search and confirms it by comparing the key codes themselves (hash collisions drop out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from matching.encoding import Codes, Dictionary, encode
from matching.spec import BlockingRule, key_expression

Rows = npt.NDArray[np.uint32]
_Hashes = npt.NDArray[np.uint64]
_SEED = np.uint64(20_240_917)


@dataclass(frozen=True)
class _EncodedKey:
    """One key text over the reference: its dictionary and each row's code."""

    dictionary: Dictionary
    codes: Codes


@dataclass(frozen=True)
class _RuleIndex:
    """Rows with a complete key of one rule, sorted by the hash of their key codes."""

    keys: list[str]
    hashes: _Hashes
    rows: Rows
    pure_runs: bool
    """No two key tuples share a hash: one row of a run stands for all of it."""


class BlockIndex:
    """The blocking rules of a spec over one reference frame."""

    def __init__(self, reference: pl.DataFrame, rules: list[BlockingRule]) -> None:
        texts = sorted({key for rule in rules for key in rule.keys})
        values = reference.select(key_expression(key).alias(key) for key in texts)
        self._keys: dict[str, _EncodedKey] = {}
        for key in texts:
            dictionary, (codes,) = encode([values[key]])
            self._keys[key] = _EncodedKey(dictionary, codes)
        self._expressions = [key for key in texts if not key_expression(key).meta.is_column()]
        self._rules = [self._index(rule.keys) for rule in rules]

    def rows(self, query: Mapping[str, Any], schema: Mapping[str, pl.DataType]) -> Rows:
        """Sorted reference rows agreeing with ``query`` (values in ``schema``) on every key of
        at least one rule; a null key never blocks."""
        values = dict(query)
        if self._expressions:
            frame = pl.DataFrame([query], schema=schema)
            values |= frame.select(key_expression(key).alias(key) for key in self._expressions).row(
                0, named=True
            )
        blocks = [self._block(rule, values) for rule in self._rules]
        found = [block for block in blocks if block.size]
        if not found:
            return np.empty(0, dtype=np.uint32)
        return found[0] if len(found) == 1 else np.unique(np.concatenate(found))

    def _index(self, keys: list[str]) -> _RuleIndex:
        codes = [self._keys[key].codes for key in keys]
        complete = np.flatnonzero(np.logical_and.reduce([code >= 0 for code in codes]))
        hashes = _mix([code[complete] for code in codes])
        order = np.argsort(hashes, kind="stable")
        hashes, rows = hashes[order], complete[order].astype(np.uint32)
        same_hash = hashes[1:] == hashes[:-1]
        sorted_codes = [code[rows] for code in codes]
        mixed = any(bool(np.any(same_hash & (c[1:] != c[:-1]))) for c in sorted_codes)
        return _RuleIndex(keys, hashes, rows, pure_runs=not mixed)

    def _block(self, rule: _RuleIndex, values: Mapping[str, Any]) -> Rows:
        codes = [self._keys[key].dictionary.code(values[key]) for key in rule.keys]
        if min(codes) < 0:
            return np.empty(0, dtype=np.uint32)
        needle = np.uint64(_mix_one(codes))
        start = int(np.searchsorted(rule.hashes, needle, side="left"))
        end = int(np.searchsorted(rule.hashes, needle, side="right"))
        rows = rule.rows[start:end]
        if rule.pure_runs and rows.size:
            # The run holds one key tuple; it is the query's unless the hashes merely collide.
            first = int(rows[0])
            keys = zip(rule.keys, codes, strict=True)
            same = all(self._keys[key].codes[first] == code for key, code in keys)
            return rows if same else rows[:0]
        for key, code in zip(rule.keys, codes, strict=True):
            rows = rows[self._keys[key].codes[rows] == code]
        return rows


_GOLDEN, _MIX_1, _MIX_2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_MASK = (1 << 64) - 1


def _mix(codes: list[Codes]) -> _Hashes:
    """A 64-bit hash per row of several code columns (splitmix64 finaliser after each)."""
    hashes = np.full(len(codes[0]), _SEED, dtype=np.uint64)
    for column in codes:
        hashes = hashes ^ column.astype(np.uint64)
        hashes = hashes + np.uint64(_GOLDEN)
        hashes = (hashes ^ (hashes >> np.uint64(30))) * np.uint64(_MIX_1)
        hashes = (hashes ^ (hashes >> np.uint64(27))) * np.uint64(_MIX_2)
        hashes = hashes ^ (hashes >> np.uint64(31))
    return hashes


def _mix_one(codes: list[int]) -> int:
    """``_mix`` of one row of non-negative codes in Python integers: a query hashes one key,
    where NumPy's cost per call would outweigh the arithmetic."""
    value = int(_SEED)
    for code in codes:
        value = ((value ^ code) + _GOLDEN) & _MASK
        value = ((value ^ (value >> 30)) * _MIX_1) & _MASK
        value = ((value ^ (value >> 27)) * _MIX_2) & _MASK
        value ^= value >> 31
    return value
