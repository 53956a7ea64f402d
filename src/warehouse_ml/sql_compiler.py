"""Compile an XGBoost tree booster into one portable SQL ``select`` (DuckDB and Trino).

The compiled statement scores requests whose features are stored in a LONG relation

    (request_id varchar, feature_index integer, value double)

already filtered to one model, and returns one row per request and class::

    (request_id, class_index integer, probability double)

(``key=`` names another id column than ``request_id``, e.g. an entity-time point).

equal to ``booster.predict(DMatrix(X))`` for ``multi:softprob`` (softmax of the per-class
margins) and, for ``binary:logistic``, two rows per request (class 1 = P(1), class 0 = 1 - P(1)).

Semantics, mirroring how the training matrix is built:

* feature positions ``0..n-1`` are the model's feature order (``split_indices``);
* ``"numeric"`` features: an absent row, a NULL value or a NaN value is MISSING and follows the
  split's default direction (xgboost's NaN);
* ``"onehot"`` features: an absent row, a NULL or a NaN value is ``0.0`` (never missing);
* xgboost compares in float32: ``float32(x) < float32(threshold)`` goes left.  The pivot rounds
  every value to float32 once (``cast(cast(v as real) as double)``) and each split compares it
  with a double literal chosen so that the comparison is exactly the float32 one (see
  :func:`_threshold`).

Layout of the generated SQL (sized for big ensembles; see :func:`compile_booster_sql`):

1. ``wml_x``: pivot of only the features the trees use,
   ``max(case when feature_index = k then v end)`` grouped by ``request_id``;
2. ``wml_v``: one row per distinct feature vector with ``array_agg`` of its keys.  Scoring a
   vector once is exact, and marketing features repeat (the benchmark's 200,000 requests hold
   47,740 distinct vectors).  On DuckDB, ``wml_o`` then sorts them, the features nearest the
   roots first, in two hash halves (one per thread): rows that take the same branches share a
   vector of rows, and DuckDB's ``case`` costs mostly per node a vector reaches;
3. ``wml_c``: each distinct split test of the ensemble (feature, threshold, default way) as one
   boolean column ``c<k>``, computed once per row instead of in every node that repeats it;
4. ``wml_part``: the trees as ``case`` expressions on those columns, nested by tree level
   (expression depth = tree depth, never the ensemble size), grouped per class into "parts"
   of at most ``_PART_SPLITS`` split nodes, each part a balanced parenthesised sum (depth
   ``log2``).  A tree bigger than a part is cut into subtrees guarded by their path (exactly
   one is non-zero for a row);
5. ``wml_margin``: base margin + ``0.5 * ((p0 + p0) + (p1 + p1) ...)`` per class, again a
   balanced sum.  Doubling is exact; the second reference is what stops Trino's optimizer from
   inlining every part back into one expression (its bytecode compiler then fails with
   QUERY_EXCEEDED_COMPILER_LIMIT);
6. ``wml_exp``: numerically stable softmax numerators ``exp(m_k - greatest(m_0, ...))``;
7. the final ``select`` unnests the keys and the classes (a cross join on a ``values`` list),
   so every CTE is referenced exactly once (Trino inlines CTEs: a second reference would score
   twice).

Measured (DuckDB 2.0, 2 threads, the benchmark's 200,000 requests x 45 features, 100 rounds
x depth 6 x 5 classes, 1.05 MB of SQL; bench/results/NOTES.md): 2.5 s wall in all, about 1 s
of it parsing and planning, where the same trees compared in every node took 7.0 s.  Shared
tests alone: 5.4 s; distinct vectors alone: 4.1 s; both with one plain ``order by``: 2.9 s.
Where nothing repeats it gains less: the 47,740 distinct vectors alone take 2.4 s, and
200,000 all-distinct vectors (made by nudging a numeric) about 5 s against 6.8 s.
Trino 476 gives the same probabilities (checked up to 40 rounds x depth 6 and 5 rounds x depth
10) but rejects query text over ``query.max-length`` (1,000,000 characters by default, i.e.
about 115 rounds x depth 6 x 3 classes) and plans big ensembles slowly (about a minute for 5
rounds x depth 10 x 3 classes).

Duplicate ``(request_id, feature_index)`` rows are not an error: the pivot keeps their ``max``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Context, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import xgboost

__all__ = [
    "DEFAULT_MAX_SPLIT_NODES",
    "DIALECTS",
    "FEATURES_PLACEHOLDER",
    "FEATURE_KINDS",
    "OBJECTIVES",
    "binary_probability",
    "compile_booster_sql",
    "load_model_json",
]

FEATURES_PLACEHOLDER = "__WML_FEATURES__"
"""Relation name the compiled SQL reads by default; callers substitute a validated name."""

DIALECTS = ("duckdb", "trino")
FEATURE_KINDS = ("numeric", "onehot")
OBJECTIVES = ("multi:softprob", "binary:logistic")
DEFAULT_MAX_SPLIT_NODES = 150_000

_RELATION_RE = re.compile(r'[A-Za-z_][A-Za-z0-9_."]*')

# Trees deeper than this are emitted as one flat ``case`` (one ``when`` per leaf, the path as an
# ``and`` of conditions) instead of nested ``case`` expressions: DuckDB rejects expressions deeper
# than 1000 (``max_expression_depth``), and the flat form's depth does not grow with the tree.
_MAX_NESTED_TREE_DEPTH = 128

# Split nodes per compiled expression ("part"), per dialect.  Trino compiles each projected
# expression to JVM bytecode and fails with QUERY_EXCEEDED_COMPILER_LIMIT above roughly 700
# split nodes (measured on Trino 476), so its trees are grouped -- and big trees cut -- into
# parts of at most 400.  DuckDB has no such limit, and its optimizer ("projection_placement" in
# 2.0) slows down with (number of parts) x (SQL size): 60 parts made a 0.8 MB query plan in 13 s
# instead of 1.7 s.  So DuckDB gets one part per class.
_PART_SPLITS = {"duckdb": None, "trino": 400}

# NaN test per dialect (the one function whose name differs): DuckDB orders NaN above every
# number, so a NaN compared with a threshold would always go right instead of the default way.
_ISNAN = {"duckdb": "isnan", "trino": "is_nan"}


@dataclass(frozen=True)
class _Tree:
    """One regression tree of the ensemble, arrays indexed by node id (root = 0)."""

    group: int
    left: list[int]
    right: list[int]
    split_index: list[int]
    condition: list[float]  # float32 threshold for splits, float32 leaf value for leaves
    default_left: list[bool]


@dataclass(frozen=True)
class _Model:
    objective: str
    num_feature: int
    num_groups: int  # output groups of the trees: num_class, or 1 for binary:logistic
    base_margin: list[float]  # per group, in margin space
    raw_trees: list[tuple[dict, int]]  # (tree JSON, class), parsed by _select_trees
    iteration_indptr: list[int]


def compile_booster_sql(
    booster: xgboost.Booster | str | bytes | os.PathLike | dict[str, Any],
    feature_kinds: Sequence[str],
    *,
    dialect: str = "duckdb",
    relation: str = FEATURES_PLACEHOLDER,
    key: str = "request_id",
    iteration_range: tuple[int, int] | None = None,
    max_split_nodes: int | None = DEFAULT_MAX_SPLIT_NODES,
) -> str:
    """Return ONE ``select`` (no trailing semicolon) scoring ``relation`` with ``booster``.

    Args:
        booster: an ``xgboost.Booster``; its JSON model as a ``dict``; JSON text (``str`` or
            ``bytes``); raw UBJSON model bytes (``Booster.save_raw()``); or a path
            (``str``/``PathLike``) to a saved model (``.json`` or ``.ubj``).  Objective
            ``multi:softprob`` or ``binary:logistic``, ``gbtree`` booster, numerical
            (non-categorical) splits.
        feature_kinds: ``"numeric"`` or ``"onehot"`` for every model feature, in the model's
            feature order (its length must equal the model's ``num_feature``).
        dialect: ``"duckdb"`` or ``"trino"``.  The outputs differ in three ways: the pivot's
            NaN test (``isnan`` / ``is_nan``); DuckDB's sort of the distinct vectors
            (``wml_o``, which uses DuckDB's ``hash``); and how trees are grouped into compiled
            expressions -- one per class for DuckDB, at most 400 split nodes each for Trino
            (big trees cut into path-guarded subtrees).  The Trino output is portable SQL
            that DuckDB runs too once the NaN test is swapped.
        relation: the long feature relation ``(<key>, feature_index, value)``, a plain or
            dotted/quoted identifier matching ``[A-Za-z_][A-Za-z0-9_."]*``.
        key: the column identifying what is scored (a request, an entity at a point in time),
            a plain identifier ``[A-Za-z_][A-Za-z0-9_]*`` other than the names the SQL gives
            its own columns (``f<k>``, ``wml_keys``, ``class_index``, ``probability``); the
            output keeps its name.
        iteration_range: ``(begin, end)`` boosting rounds to compile, with the semantics of
            ``booster.predict(dm, iteration_range=(begin, end))``; ``None`` (or ``(0, 0)``) means
            every round, which is what ``predict`` does by default in xgboost 3.x even when the
            booster has a ``best_iteration`` from early stopping.  Use
            ``(0, booster.best_iteration + 1)`` to score the early-stopped model.
        max_split_nodes: refuse (``ValueError``) to compile more split nodes than this;
            ``None`` disables the check.  The SQL takes about 44 bytes per split node and
            DuckDB about 1 GB of memory per MB of SQL (2 threads; measured on an earlier,
            longer form): 50 rounds x depth 10 x 3 classes (119k splits, 6.7 MB) peaked at
            7 GB, and 1000 rounds x depth 10 (1.9M splits, 108 MB) was killed by the OOM
            killer while planning.  Score such models
            with ``inplace_predict`` or a nodes-table scorer instead.

    Returns:
        SQL producing ``(<key>, class_index integer, probability double)``: one row per
        key that has at least one row in ``relation`` and per class.  Probabilities equal
        ``booster.predict`` to about 1e-6 (xgboost adds leaves in float32, the SQL in double).

    Raises:
        ValueError: unsupported objective / booster / split type, wrong ``feature_kinds``,
            unknown dialect, unsafe relation name or key, invalid ``iteration_range``, or a model
            bigger than ``max_split_nodes``.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
    _validate_relation(relation)
    _validate_key(key)
    model = _parse_model(load_model_json(booster))
    kinds = _checked_kinds(feature_kinds, model.num_feature)
    trees = _select_trees(model, iteration_range)
    splits = sum(sum(child != -1 for child in tree.left) for tree in trees)
    if max_split_nodes is not None and splits > max_split_nodes:
        raise ValueError(
            f"the selected trees have {splits} split nodes, more than max_split_nodes="
            f"{max_split_nodes}: the SQL would be about {splits * 44 / 1e6:.0f} MB and DuckDB "
            "needs about 1 GB per MB to plan it; compile fewer rounds (iteration_range), or "
            "pass max_split_nodes=None to compile anyway"
        )
    return _render(model, trees, kinds, dialect, relation, key)


def load_model_json(
    booster: xgboost.Booster | str | bytes | os.PathLike | dict[str, Any],
) -> dict[str, Any]:
    """Return XGBoost's own JSON model (``Booster.save_raw("json")``) as a ``dict``."""
    if isinstance(booster, dict):
        return booster
    if isinstance(booster, xgboost.Booster):
        return json.loads(booster.save_raw("json"))
    if isinstance(booster, bytes | bytearray):
        try:
            return json.loads(booster)
        except ValueError:  # not JSON text: UBJSON (``save_raw()``'s default) also starts "{"
            pass
        loaded = xgboost.Booster()
        loaded.load_model(bytearray(booster))
        return json.loads(loaded.save_raw("json"))
    if isinstance(booster, str) and booster.lstrip().startswith("{"):
        return json.loads(booster)
    if isinstance(booster, str | os.PathLike):
        path = Path(booster)
        if not path.is_file():
            raise ValueError(f"booster: {str(booster)[:80]!r} is neither JSON text nor a file")
        return load_model_json(xgboost.Booster(model_file=str(path)))
    raise ValueError(f"booster: unsupported type {type(booster).__name__}")


def binary_probability(booster: xgboost.Booster, X: np.ndarray) -> np.ndarray:
    """P(class 1) of a ``binary:logistic`` booster in double, as the compiled SQL computes it.

    XGBoost's own traversal finds each row's leaves (``pred_leaf``); their values, as
    the SQL writes them (the shortest decimal of the float32, read as a double), are
    summed in double from the float32 base margin, where XGBoost's ``predict``
    accumulates in float32. A calibrator's steep pieces would
    magnify that float32 rounding, so calibrated scores start from this instead.
    """
    model = _parse_model(load_model_json(booster))
    if model.objective != "binary:logistic":
        raise ValueError(f"binary_probability needs binary:logistic, got {model.objective}")
    trees = _select_trees(model, None)
    margin = np.full(len(X), model.base_margin[0], dtype=np.float64)
    if trees and len(X):
        leaves = booster.predict(xgboost.DMatrix(X), pred_leaf=True).reshape(len(X), -1)
        leaves = leaves.astype(np.int64)
        for j, tree in enumerate(trees):
            # The SQL's leaf literals: the shortest decimal of each float32 value, read as double.
            values = np.array([float(_num(v)) for v in tree.condition], dtype=np.float64)
            margin += values[leaves[:, j]]
    return 1.0 / (1.0 + np.exp(-margin))


# --------------------------------------------------------------------------------------------
# Model parsing


def _parse_model(doc: dict) -> _Model:
    try:
        learner = doc["learner"]
        objective = learner["objective"]["name"]
        params = learner["learner_model_param"]
        booster = learner["gradient_booster"]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not an XGBoost JSON model (missing {exc})") from exc
    if objective not in OBJECTIVES:
        raise ValueError(f"unsupported objective {objective!r}; supported: {OBJECTIVES}")
    if booster.get("name") != "gbtree":
        raise ValueError(f"unsupported booster {booster.get('name')!r}; only 'gbtree' compiles")
    if int(params.get("num_target", "1")) != 1:
        raise ValueError("multi-target models are not supported")
    num_feature = int(params["num_feature"])
    num_class = int(params.get("num_class", "0"))
    num_groups = max(num_class, 1) if objective == "multi:softprob" else 1
    if objective == "binary:logistic" and num_class > 1:
        raise ValueError("binary:logistic model with num_class > 1")

    base = _parse_base_score(params.get("base_score", "0.5"))
    if len(base) == 1:
        base = base * num_groups
    if len(base) != num_groups:
        raise ValueError(f"base_score has {len(base)} values for {num_groups} output groups")
    if objective == "binary:logistic":
        p = base[0]
        if not 0.0 < p < 1.0:
            raise ValueError(f"binary:logistic base_score must be in (0, 1), got {p}")
        # stored as a probability; the margin starts at its logit (float32, like xgboost)
        base = [float(np.float32(-math.log(1.0 / p - 1.0)))]

    model = booster["model"]
    trees = _zip_trees(model)
    indptr = [int(i) for i in model.get("iteration_indptr") or []]
    if not indptr:  # older models: one tree per group and parallel tree per round
        per_round = num_groups * int(model["gbtree_model_param"].get("num_parallel_tree", "1"))
        indptr = list(range(0, len(trees) + 1, per_round))
    if indptr[0] != 0 or indptr[-1] != len(trees):
        raise ValueError("iteration_indptr does not match the number of trees")
    return _Model(objective, num_feature, num_groups, base, trees, indptr)


def _zip_trees(model: dict) -> list[tuple[dict, int]]:
    trees, info = model["trees"], model["tree_info"]
    if len(trees) != len(info):
        raise ValueError("tree_info and trees have different lengths")
    return list(zip(trees, (int(g) for g in info), strict=True))


def _parse_base_score(raw: object) -> list[float]:
    if isinstance(raw, int | float):
        return [float(raw)]
    text = str(raw).strip().strip("[]")
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise ValueError(f"cannot parse base_score {raw!r}") from exc


def _parse_tree(tree: dict, group: int, model: _Model) -> _Tree:
    num_groups, num_feature = model.num_groups, model.num_feature
    if not 0 <= group < num_groups:
        raise ValueError(f"tree {tree.get('id')} has class {group} outside 0..{num_groups - 1}")
    if int(tree.get("tree_param", {}).get("size_leaf_vector", "1")) > 1:
        raise ValueError("vector-leaf (multi_output_tree) models are not supported")
    if any(int(s) != 0 for s in tree.get("split_type", [])):
        raise ValueError("categorical splits are not supported; train with one-hot features")
    left = np.asarray(tree["left_children"], dtype=np.int64).tolist()
    right = np.asarray(tree["right_children"], dtype=np.int64).tolist()
    split_index = np.asarray(tree["split_indices"], dtype=np.int64).tolist()
    # float32 values: thresholds are float32 in xgboost, leaves are float32 weights
    condition = np.asarray(tree["split_conditions"], dtype=np.float32).astype(float).tolist()
    default_left = np.asarray(tree["default_left"], dtype=bool).tolist()
    if not (len(left) == len(right) == len(split_index) == len(condition) == len(default_left)):
        raise ValueError(f"tree {tree.get('id')}: node arrays have different lengths")
    for node, child in enumerate(left):
        if child != -1 and not (0 <= split_index[node] < num_feature):
            raise ValueError(f"tree {tree.get('id')}: split on feature {split_index[node]}")
        if child != -1 and not math.isfinite(condition[node]):
            raise ValueError(f"tree {tree.get('id')}: non-finite threshold {condition[node]}")
        if child == -1 and not math.isfinite(condition[node]):
            raise ValueError(f"tree {tree.get('id')}: non-finite leaf value {condition[node]}")
    return _Tree(group, left, right, split_index, condition, default_left)


def _select_trees(model: _Model, iteration_range: tuple[int, int] | None) -> list[_Tree]:
    rounds = len(model.iteration_indptr) - 1
    begin, end = 0, rounds
    if iteration_range is not None:
        try:
            begin, end = (int(v) for v in iteration_range)
        except (TypeError, ValueError) as exc:
            msg = f"iteration_range must be (begin, end), got {iteration_range!r}"
            raise ValueError(msg) from exc
        if (begin, end) == (0, 0):  # xgboost's "every round"
            begin, end = 0, rounds
        elif not 0 <= begin < end <= rounds:
            msg = f"iteration_range {iteration_range!r} outside the model's {rounds} rounds"
            raise ValueError(msg)
    selected = model.raw_trees[model.iteration_indptr[begin] : model.iteration_indptr[end]]
    return [_parse_tree(tree, group, model) for tree, group in selected]


# --------------------------------------------------------------------------------------------
# SQL rendering


@functools.lru_cache(maxsize=1 << 16)
def _num(value: float) -> str:
    """A leaf value or base margin as a DOUBLE literal: the shortest decimal of the float32.

    Always written with an exponent, because a bare decimal (``0.25``) is a DECIMAL in both
    DuckDB and Trino, and DECIMAL arithmetic would change the result type and precision.
    """
    text = str(np.float32(value))  # numpy prints the shortest repr that reads back as the float32
    return text if "e" in text else text + "e0"


@functools.lru_cache(maxsize=1 << 16)
def _threshold(value: float) -> str:
    """The shortest DOUBLE literal ``c`` with ``prev_float32(t) < c <= t`` for threshold ``t``.

    The pivot rounds each value to float32 once (``cast(cast(v as real) as double)``), so
    every column value ``x`` is a float32 held exactly in a double, and for such ``x``::

        float32(x) < t   <=>   x <= prev_float32(t)   <=>   x < c

    which is xgboost's comparison, exactly, without a cast per split and with short literals
    (``0.3e0`` rather than ``cast(0.30000001192092896e0 as real)``).  Both engines parse
    decimal literals to the nearest double (DuckDB: fast_float, Trino: ``Double.parseDouble``),
    the same rounding Python's ``float()`` does, which is what the check below relies on.
    """
    t32 = np.float32(value)
    if t32 == 0:
        return "0e0"  # -0.0 and 0.0 compare equal
    target, below = float(t32), float(np.nextafter(t32, np.float32(-np.inf)))
    exact = Decimal(target)
    for digits in range(1, 18):
        # the largest decimal of this many significant digits that is <= the threshold
        candidate = Context(prec=digits, rounding=ROUND_FLOOR).plus(exact)
        if below < float(candidate) <= target:
            break
    else:  # pragma: no cover - 17 digits always identify the double itself
        candidate = Decimal(repr(target))
    candidate = candidate.normalize()
    positional, scientific = f"{candidate:f}", f"{candidate:e}".replace("e+", "e")
    return positional + "e0" if len(positional) + 1 <= len(scientific) else scientific


def _validate_relation(relation: str) -> None:
    if (
        not isinstance(relation, str)
        or not _RELATION_RE.fullmatch(relation)
        or relation.count('"') % 2
    ):
        raise ValueError(
            f'relation must be a safe identifier [A-Za-z_][A-Za-z0-9_."]*, got {relation!r}'
        )


def _validate_key(key: str) -> None:
    if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise ValueError(f"key must be a plain identifier [A-Za-z_][A-Za-z0-9_]*, got {key!r}")
    # names the SQL itself gives columns next to the key (pivoted features, output columns)
    if re.fullmatch(r"[fF][0-9]+|wml_keys|class_index|probability", key, flags=re.IGNORECASE):
        raise ValueError(f"key {key!r} clashes with a column the scoring SQL names")


def _checked_kinds(feature_kinds: Sequence[str], num_feature: int) -> list[str]:
    """``feature_kinds`` as a list, one known kind per model feature, or ``ValueError``."""
    kinds = list(feature_kinds)
    if isinstance(feature_kinds, str) or len(kinds) != num_feature:
        raise ValueError(
            f"feature_kinds must list one kind per model feature ({num_feature}), "
            f"got {len(kinds) if not isinstance(feature_kinds, str) else 'a string'}"
        )
    bad = sorted({str(k) for k in kinds if k not in FEATURE_KINDS})
    if bad:
        raise ValueError(f"feature_kinds must be one of {FEATURE_KINDS}, got {bad}")
    return kinds


def _subtree_stats(tree: _Tree) -> tuple[list[int], list[int]]:
    """Per node: number of split nodes in its subtree, and the subtree's depth."""
    n = len(tree.left)
    splits, depth = [0] * n, [0] * n
    order, stack = [], [0]
    while stack:  # pre-order, then visit it reversed: children before parents
        node = stack.pop()
        order.append(node)
        if tree.left[node] != -1:
            stack += [tree.left[node], tree.right[node]]
    for node in reversed(order):
        left, right = tree.left[node], tree.right[node]
        if left != -1:
            splits[node] = 1 + splits[left] + splits[right]
            depth[node] = 1 + max(depth[left], depth[right])
    return splits, depth


class _Conditions:
    """The ensemble's distinct split tests, each computed once per row as a boolean column.

    A depth-6 tree of 500 is mostly ``case`` nodes, and DuckDB's cost per node is largely
    fixed per vector of rows (the comparison, its constant, the selection it builds), so the
    trees read ``c<k>`` columns computed once in ``wml_c`` instead of comparing in every node:
    a hist-trained ensemble repeats the same (feature, threshold) pairs across its trees
    (524 distinct tests for 24,000 splits at 100 rounds x depth 6).  Measured on the
    benchmark's 100 x 6 model: about a fifth less CPU.
    """

    def __init__(self, kinds: Sequence[str]) -> None:
        self.kinds = kinds
        self.columns: dict[str, str] = {}  # test SQL -> column name, in first-use order
        self.features: set[int] = set()

    def _column(self, test: str, feature: int) -> str:
        self.features.add(feature)
        if test not in self.columns:
            self.columns[test] = f"c{len(self.columns)}"
        return self.columns[test]

    def nested(self, tree: _Tree, node: int) -> tuple[str, bool]:
        """(boolean column, whether it is true on the LEFT branch) for a nested ``case``.

        NULL (a missing numeric value) is false in a ``case``, so the test is written
        with the default branch on its false side.
        """
        col, thr = f"f{tree.split_index[node]}", _threshold(tree.condition[node])
        if self.kinds[tree.split_index[node]] == "numeric" and tree.default_left[node]:
            return self._column(f"{col} >= {thr}", tree.split_index[node]), False  # NULL: left
        return self._column(f"{col} < {thr}", tree.split_index[node]), True  # NULL: right

    def branches(self, tree: _Tree, node: int) -> tuple[str, str]:
        """Boolean SQL for "the row goes left" and "the row goes right" at a split node."""
        test, true_is_left = self.nested(tree, node)
        if true_is_left:
            numeric = self.kinds[tree.split_index[node]] == "numeric"
            return test, (f"coalesce(not {test}, true)" if numeric else f"not {test}")
        return f"coalesce(not {test}, true)", test


def _nested_sql(tree: _Tree, conds: _Conditions, node: int) -> str:
    """The subtree as nested ``case`` expressions: expression depth == tree depth."""
    if tree.left[node] == -1:
        return _num(tree.condition[node])
    left = _nested_sql(tree, conds, tree.left[node])
    right = _nested_sql(tree, conds, tree.right[node])
    if left == right:
        return left
    test, true_is_left = conds.nested(tree, node)
    if true_is_left:
        return f"case when {test} then {left} else {right} end"
    return f"case when {test} then {right} else {left} end"


def _flat_sql(tree: _Tree, conds: _Conditions, root: int) -> str:
    """The subtree as one flat ``case``: a ``when`` per leaf, its path as an ``and`` chain."""
    branches: list[tuple[str, str]] = []
    stack: list[tuple[int, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if tree.left[node] == -1:
            branches.append((" and ".join(path), _num(tree.condition[node])))
            continue
        go_left, go_right = conds.branches(tree, node)
        stack.append((tree.right[node], (*path, go_right)))
        stack.append((tree.left[node], (*path, go_left)))
    if len(branches) == 1:
        return branches[0][1]
    whens = " ".join(f"when {cond} then {leaf}" for cond, leaf in branches[:-1])
    return f"case {whens} else {branches[-1][1]} end"


def _tree_terms(tree: _Tree, conds: _Conditions, budget: int | None) -> list[tuple[str, int]]:
    """SQL terms whose sum is the tree's leaf value, each with its size in split nodes.

    A tree with at most ``budget`` splits is one term.  A bigger one is cut into the
    subtrees under its top levels, each guarded by the path to it (``case when <path> then
    <subtree> else 0e0 end``): exactly one term is non-zero for any row.
    """
    splits, depth = _subtree_stats(tree)
    terms: list[tuple[str, int]] = []
    stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    while stack:
        node, path = stack.pop()
        if budget is not None and splits[node] > budget:
            go_left, go_right = conds.branches(tree, node)
            stack.append((tree.right[node], (*path, go_right)))
            stack.append((tree.left[node], (*path, go_left)))
            continue
        if depth[node] > _MAX_NESTED_TREE_DEPTH:
            body = _flat_sql(tree, conds, node)
        else:
            body = _nested_sql(tree, conds, node)
        if path:
            body = f"case when {' and '.join(path)} then {body} else 0e0 end"
        terms.append((body, splits[node] + len(path)))
    return terms


def _balanced_sum(terms: Sequence[str]) -> str:
    """``((a + b) + (c + d))``: expression depth log2(n) instead of a chain of n additions."""
    if len(terms) == 1:
        return terms[0]
    mid = len(terms) // 2
    return f"({_balanced_sum(terms[:mid])} + {_balanced_sum(terms[mid:])})"


def _render(
    model: _Model,
    trees: Sequence[_Tree],
    kinds: Sequence[str],
    dialect: str,
    relation: str,
    key: str,
) -> str:
    # Group the tree terms of each class into parts of at most `budget` split nodes.
    budget = _PART_SPLITS[dialect]
    conds = _Conditions(kinds)
    constants = [0.0] * model.num_groups
    parts: list[tuple[int, list[str]]] = []  # (class, terms)
    open_part: dict[int, tuple[list[str], int]] = {}
    for tree in trees:
        for expr, size in _tree_terms(tree, conds, budget):
            if _is_number(expr):  # a constant tree folds into the base margin
                constants[tree.group] += float(expr)
                continue
            terms, total = open_part.get(tree.group, ([], 0))
            if terms and budget is not None and total + size > budget:
                parts.append((tree.group, terms))
                terms, total = [], 0
            open_part[tree.group] = ([*terms, expr], total + size)
    parts += [(group, terms) for group, (terms, _) in sorted(open_part.items())]

    margins = []
    for group in range(model.num_groups):
        base = _double(model.base_margin[group] + constants[group])
        mine = [j for j, (g, _) in enumerate(parts) if g == group]
        if len(mine) > 1:  # 0.5 * (p + p) == p exactly; see the comment in the SQL
            margins.append(f"{base} + 0.5e0 * {_balanced_sum([f'(p{j} + p{j})' for j in mine])}")
        else:
            margins.append(f"{base} + p{mine[0]}" if mine else base)
    if model.objective == "binary:logistic":
        margins = ["0e0", margins[0]]  # softmax over (0, m) == (1 - sigmoid(m), sigmoid(m))

    used = _features_by_weight(trees, conds)
    pivot = []
    for k in sorted(used):
        value = f"max(case when feature_index = {k} then v end)"
        if kinds[k] == "onehot":
            value = f"coalesce({value}, 0e0)"
        # round to float32 once, like xgboost's DMatrix; keep it as an exact double
        pivot.append(f"cast(cast({value} as real) as double) as f{k}")
    n = len(margins)
    greatest = f"greatest({', '.join(f'm{c}' for c in range(n))})" if n > 1 else "m0"
    classes = ", ".join(f"({c})" for c in range(n))
    pick = " ".join(f"when {c} then e.e{c}" for c in range(n - 1))
    pick = f"case c.class_index {pick} else e.e{n - 1} end" if n > 1 else "e.e0"
    total = " + ".join(f"e.e{c}" for c in range(n))

    margin_comment = ""
    if any(" + 0.5e0 * " in m for m in margins):
        margin_comment = (
            "    -- 0.5 * (p + p) is exact; the second reference stops trino from inlining every\n"
            "    -- part into one expression too big for its bytecode compiler\n"
        )
    pivot_cols = "".join(f",\n        {col}" for col in pivot)
    columns = ", ".join(f"f{k}" for k in sorted(used))
    grouping = f"\n    group by {columns}" if used else ""
    # DuckDB: sort the vectors, the most decisive features first, so that neighbouring rows
    # take the same branches (the trees cost mostly per case node a vector of rows reaches).
    # A plain order by emits a few tens of thousands of rows as one batch, scored on one
    # thread; a window over two hash halves sorts each half and scores them side by side.
    # Trino would drop an order by in a subquery, and pay for the window: it gets neither.
    ordered = ""
    if used and dialect == "duckdb":
        order = ", ".join(f"f{k}" for k in used)
        ordered = (
            "wml_o as (\n"
            "    select\n"
            "        *,\n"
            f"        row_number() over (partition by hash(wml_keys[1]) % 2 order by {order})"
            " as wml_rn\n"
            "    from wml_v\n"
            "),\n"
        )
    ordered_from = "    from wml_v\n"
    if ordered:  # the filter keeps the window column alive, and so the sort
        ordered_from = "    from wml_o\n    where wml_rn > 0\n"
    vector_cols = f"\n        {columns}," if used else ""
    test_cols = "".join(f",\n        {test} as {col}" for test, col in conds.columns.items())
    part_cols = "".join(f",\n        {_balanced_sum(t)} as p{j}" for j, (_, t) in enumerate(parts))
    margin_cols = "".join(f",\n        {m} as m{c}" for c, m in enumerate(margins))
    exp_cols = "".join(f",\n        exp(m{c} - mx) as e{c}" for c in range(n))
    return (
        "with wml_x as (\n"
        "    select\n"
        f"        {key}{pivot_cols}\n"
        "    from (\n"
        "        select\n"
        f"            {key},\n"
        "            feature_index,\n"
        f"            case when {_ISNAN[dialect]}(value) then null else value end as v\n"
        f"        from {relation}\n"
        "    ) as wml_src\n"
        f"    group by {key}\n"
        "),\n"
        "wml_v as (\n"
        "    -- each distinct feature vector is scored once (nulls group together, as missing\n"
        "    -- values score alike)\n"
        "    select"
        f"{vector_cols}\n"
        f"        array_agg({key}) as wml_keys\n"
        f"    from wml_x{grouping}\n"
        "),\n"
        f"{ordered}"
        "wml_c as (\n"
        "    select\n"
        f"        wml_keys{test_cols}\n"
        f"{ordered_from}"
        "),\n"
        "wml_part as (\n"
        "    select\n"
        f"        wml_keys{part_cols}\n"
        "    from wml_c\n"
        "),\n"
        "wml_margin as (\n"
        f"{margin_comment}"
        "    select\n"
        f"        wml_keys{margin_cols}\n"
        "    from wml_part\n"
        "),\n"
        "wml_exp as (\n"
        "    select\n"
        f"        wml_keys{exp_cols}\n"
        "    from (\n"
        f"        select *, {greatest} as mx from wml_margin\n"
        "    ) as wml_m\n"
        ")\n"
        "select\n"
        f"    k.{key},\n"
        "    cast(c.class_index as integer) as class_index,\n"
        f"    cast({pick} / ({total}) as double) as probability\n"
        "from wml_exp as e\n"
        f"cross join unnest(e.wml_keys) as k ({key})\n"
        f"cross join (values {classes}) as c (class_index)"
    )


def _features_by_weight(trees: Sequence[_Tree], conds: _Conditions) -> list[int]:
    """The features the emitted tests read, the most decisive first (the ``order by``).

    A split at depth d weighs 2**-d (the share of rows it sees, if splits were even), so
    the features near the roots, which decide most of the path, lead the sort.
    """
    wanted = set(conds.features)
    weight: dict[int, float] = {}
    for tree in trees:
        stack = [(0, 0)]  # (node, depth) from the root: node ids need not follow depth
        while stack:
            node, depth = stack.pop()
            if tree.left[node] == -1:
                continue
            stack += [(tree.left[node], depth + 1), (tree.right[node], depth + 1)]
            feature = tree.split_index[node]
            if feature in wanted:
                weight[feature] = weight.get(feature, 0.0) + 2.0**-depth
    return sorted(wanted, key=lambda f: (-weight.get(f, 0.0), f))


def _double(value: float) -> str:
    text = repr(float(value))
    return text if "e" in text else text + "e0"


def _is_number(expr: str) -> bool:
    try:
        float(expr)
    except ValueError:
        return False
    return True
