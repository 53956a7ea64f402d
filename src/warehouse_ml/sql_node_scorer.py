"""Score an XGBoost booster in SQL from a NODE TABLE: SQL text that does not grow with the model.

Why: :func:`warehouse_ml.sql_compiler.compile_booster_sql` writes every split into the query
text (about 57 characters per split node), so big ensembles exceed Trino's
``query.max-length`` (1,000,000 characters by default: about 90 rounds x depth 6 x 3 classes)
and DuckDB's planner memory.  Here the trees are DATA: :func:`booster_node_table` turns the
booster into rows that the caller writes into a warehouse table, and
:func:`render_node_scoring_sql` renders a query whose length depends only on the tree depth
(one CTE per level) and the number of classes, never on the number of trees.

Node table, one row per node of every selected tree (:data:`NODE_COLUMNS`):

    tree_id, node_id (tree-local, root 0), class_index (the tree's output group), is_leaf,
    feature_index, threshold, left_child, right_child, missing_child  -- NULL on leaves
    leaf_value                                                        -- NULL on splits

* ``threshold`` is the double ``c`` of :func:`sql_compiler._threshold`: for a value rounded to
  float32 once, ``value < c`` is exactly xgboost's float32 ``value < threshold``.
* ``missing_child`` is where a row without a usable value goes: the split's default direction
  for a ``"numeric"`` feature, and for a ``"onehot"`` feature the child ``0.0`` goes to (an
  absent one-hot is 0, never missing).  So the SQL needs no feature kinds: absent, NULL and NaN
  all take ``missing_child``.
* ``leaf_value`` is the float32 leaf read from its shortest decimal, like the compiled SQL's
  literals, so both formulations add the same doubles.

Scoring SQL layout (same input and output contract as ``compile_booster_sql``):

1. ``wml_keys``: every key that has a feature row, numbered (``rid``) so the joins below hash
   an integer; ``wml_x``: the long features with NaN -> NULL, rounded to float32 once, one
   value per ``(rid, feature_index)`` (duplicates keep their ``max``, like the compiler's pivot);
2. ``wml_l0``: every key at node 0 of every tree;
3. ``wml_l1 .. wml_l<max_depth>``: each joins the current node and the key's value of that
   node's feature and steps to a child (a leaf stays where it is), so after ``max_depth``
   levels every path is at a leaf;
4. ``wml_leaf``: leaf values summed per (key, tree class); ``wml_margin``: plus the base
   margin, per output class (``binary:logistic``: class 0 has margin 0, class 1 the model's,
   so the softmax is the sigmoid);
5. a numerically stable softmax with window functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from warehouse_ml.sql_compiler import (
    _ISNAN,
    DEFAULT_MAX_SPLIT_NODES,
    DIALECTS,
    FEATURES_PLACEHOLDER,
    OBJECTIVES,
    _checked_kinds,
    _double,
    _num,
    _parse_model,
    _select_trees,
    _subtree_stats,
    _threshold,
    _Tree,
    _validate_key,
    _validate_relation,
    compile_booster_sql,
    load_model_json,
)

__all__ = [
    "FORMULATIONS",
    "NODES_PLACEHOLDER",
    "NODE_COLUMNS",
    "TRINO_MAX_QUERY_CHARS",
    "NodeTable",
    "booster_node_table",
    "choose_formulation",
    "estimate_nested_sql_chars",
    "model_scoring_sql",
    "registry_node_table",
    "render_node_scoring_sql",
]

NODE_COLUMNS = pa.schema(
    [
        ("tree_id", pa.int32()),
        ("node_id", pa.int32()),
        ("class_index", pa.int32()),
        ("is_leaf", pa.bool_()),
        ("feature_index", pa.int32()),
        ("threshold", pa.float64()),
        ("left_child", pa.int32()),
        ("right_child", pa.int32()),
        ("missing_child", pa.int32()),
        ("leaf_value", pa.float64()),
    ]
)

TRINO_MAX_QUERY_CHARS = 1_000_000
"""Trino's default ``query.max-length``."""

NODES_PLACEHOLDER = "__WML_NODES__"
"""Where a registered node-table scorer names its nodes: the scoring macro puts the
model's rows of ``ml_model_nodes`` there (as it puts its features at ``__WML_FEATURES__``)."""

FORMULATIONS = ("auto", "nested_case", "node_table")
"""``scoring.sql_formulation`` of a spec: ``auto`` lets :func:`choose_formulation` pick."""

# Bytes of nested-CASE SQL per split node (about 44 once the trees read the shared split tests
# as columns; the test checks this estimate against real compilations), per distinct split
# test (its column definition), and the fixed part (CTEs, pivot, softmax).
_NESTED_CHARS_PER_SPLIT = 44
_NESTED_CHARS_PER_TEST = 30
_NESTED_FIXED_CHARS = 1_800
_NESTED_CHARS_PER_FEATURE = 80


@dataclass(frozen=True)
class NodeTable:
    """A booster as rows of :data:`NODE_COLUMNS`, plus what the scoring SQL needs to know."""

    rows: list[tuple]
    objective: str
    num_classes: int  # output classes: num_class, or 2 for binary:logistic
    base_margins: list[float]  # per tree class (one for binary:logistic), in margin space
    max_depth: int

    def to_arrow(self) -> pa.Table:
        columns = list(zip(*self.rows, strict=True)) or [()] * len(NODE_COLUMNS)
        arrays = [pa.array(c, f.type) for c, f in zip(columns, NODE_COLUMNS, strict=True)]
        return pa.Table.from_arrays(arrays, schema=NODE_COLUMNS)

    def scoring_sql(self, nodes: str, features: str, **kwargs: Any) -> str:
        """:func:`render_node_scoring_sql` with this table's objective, classes and depth."""
        return render_node_scoring_sql(
            nodes,
            features,
            objective=self.objective,
            num_classes=self.num_classes,
            max_depth=self.max_depth,
            base_margins=self.base_margins,
            **kwargs,
        )


def booster_node_table(
    booster: Any,
    feature_kinds: Sequence[str],
    *,
    iteration_range: tuple[int, int] | None = None,
) -> NodeTable:
    """The node table of ``booster`` (any form ``compile_booster_sql`` accepts)."""
    model = _parse_model(load_model_json(booster))
    kinds = _checked_kinds(feature_kinds, model.num_feature)
    rows: list[tuple] = []
    max_depth = 0
    for tree_id, tree in enumerate(_select_trees(model, iteration_range)):
        rows += _tree_rows(tree_id, tree, kinds)
        max_depth = max(max_depth, _subtree_stats(tree)[1][0])
    num_classes = 2 if model.objective == "binary:logistic" else model.num_groups
    return NodeTable(rows, model.objective, num_classes, list(model.base_margin), max_depth)


def render_node_scoring_sql(
    nodes: str,
    features: str,
    *,
    objective: str,
    num_classes: int,
    max_depth: int,
    base_margins: Sequence[float],
    key: str = "request_id",
    dialect: str = "duckdb",
) -> str:
    """ONE ``select`` scoring ``features`` with the trees stored in ``nodes``.

    ``nodes`` holds one model's :data:`NODE_COLUMNS` rows; ``features`` is the long relation
    ``(<key>, feature_index, value)`` of that model.  The result is ``(<key>, class_index
    integer, probability double)`` for every key with at least one feature row.
    ``max_depth`` must be at least the deepest tree's depth (more levels are harmless).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
    _validate_relation(nodes)
    _validate_relation(features)
    _validate_key(key)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"max_depth must be a non-negative int, got {max_depth!r}")
    margins = [float(m) for m in base_margins]
    if objective == "binary:logistic":
        if num_classes != 2 or len(margins) != 1:
            raise ValueError("binary:logistic needs num_classes=2 and one base margin")
        classes = [(0, -1, 0.0), (1, 0, margins[0])]  # (output class, tree class, base margin)
    else:
        if num_classes < 2 or len(margins) != num_classes:
            raise ValueError("multi:softprob needs num_classes >= 2 base margins, one per class")
        classes = [(c, c, m) for c, m in enumerate(margins)]

    levels = "".join(_level_cte(level, nodes) for level in range(1, max_depth + 1))
    class_rows = ", ".join(f"({c}, {g}, {_double(m)})" for c, g, m in classes)
    return (
        "with wml_keys as (\n"
        "    -- an integer per key: the per-level joins hash it (N keys x trees rows) instead of\n"
        "    -- the key; ordered, so it is the same number each time trino inlines this CTE\n"
        f"    select {key}, row_number() over (order by {key}) as rid\n"
        f"    from (select distinct {key} from {features}) as wml_k\n"
        "),\n"
        "wml_x as (\n"
        "    select k.rid, f.feature_index, max(cast(cast(f.v as real) as double)) as v\n"
        "    from (\n"
        f"        select {key}, feature_index,\n"
        f"            case when {_ISNAN[dialect]}(value) then null else value end as v\n"
        f"        from {features}\n"
        "    ) as f\n"
        f"    join wml_keys as k on k.{key} = f.{key}\n"
        "    group by k.rid, f.feature_index\n"
        "),\n"
        "wml_l0 as (\n"
        "    select k.rid, n.tree_id, n.node_id\n"
        f"    from wml_keys as k cross join {nodes} as n\n"
        "    where n.node_id = 0\n"
        f"),\n{levels}"
        "wml_leaf as (\n"
        "    -- s.node_id in the sum stops duckdb from pre-aggregating the (all distinct)\n"
        "    -- paths below the join (partial_aggregate_pushdown): a third slower\n"
        "    select s.rid, n.class_index,\n"
        "        sum(case when s.node_id >= 0 then n.leaf_value else 0e0 end) as total\n"
        f"    from wml_l{max_depth} as s\n"
        f"    join {nodes} as n on n.tree_id = s.tree_id and n.node_id = s.node_id\n"
        "    group by s.rid, n.class_index\n"
        "),\n"
        "wml_margin as (\n"
        f"    select k.rid, k.{key}, c.class_index, c.base + coalesce(l.total, 0e0) as m\n"
        "    from wml_keys as k\n"
        f"    cross join (values {class_rows}) as c (class_index, tree_class, base)\n"
        "    left join wml_leaf as l on l.rid = k.rid and l.class_index = c.tree_class\n"
        "),\n"
        "wml_exp as (\n"
        f"    select {key}, class_index, exp(m - max(m) over (partition by rid)) as e, rid\n"
        "    from wml_margin\n"
        ")\n"
        "select\n"
        f"    {key},\n"
        "    cast(class_index as integer) as class_index,\n"
        "    cast(e / sum(e) over (partition by rid) as double) as probability\n"
        "from wml_exp"
    )


def estimate_nested_sql_chars(
    booster: Any, *, iteration_range: tuple[int, int] | None = None
) -> tuple[int, int]:
    """(about how long ``compile_booster_sql``'s SQL would be, split nodes) of ``booster``."""
    model = _parse_model(load_model_json(booster))
    splits, used, tests = 0, set(), set()
    for tree in _select_trees(model, iteration_range):
        for node, child in enumerate(tree.left):
            if child != -1:
                splits += 1
                used.add(tree.split_index[node])
                tests.add((tree.split_index[node], tree.condition[node], tree.default_left[node]))
    return (
        _NESTED_FIXED_CHARS
        + _NESTED_CHARS_PER_FEATURE * len(used)
        + _NESTED_CHARS_PER_TEST * len(tests)
        + _NESTED_CHARS_PER_SPLIT * splits
    ), splits


def choose_formulation(
    booster: Any,
    dialect: str,
    *,
    max_sql_chars: int | None = None,
    iteration_range: tuple[int, int] | None = None,
) -> str:
    """``"nested_case"`` when the compiled SQL fits, else ``"node_table"``.

    ``max_sql_chars`` defaults to Trino's ``query.max-length`` on Trino; DuckDB has no text
    limit, but planning costs about 1 GB per MB of SQL, so there the default is the compiler's
    own refusal point (``DEFAULT_MAX_SPLIT_NODES`` split nodes).
    """
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {dialect!r}")
    chars, splits = estimate_nested_sql_chars(booster, iteration_range=iteration_range)
    if max_sql_chars is None and dialect == "duckdb":
        return "node_table" if splits > DEFAULT_MAX_SPLIT_NODES else "nested_case"
    limit = TRINO_MAX_QUERY_CHARS if max_sql_chars is None else max_sql_chars
    return "node_table" if chars > limit else "nested_case"


def model_scoring_sql(
    booster: Any,
    feature_kinds: Sequence[str],
    *,
    dialect: str,
    formulation: str = "auto",
) -> tuple[str, str]:
    """(formulation, scoring SQL) of a registered model, reading ``__WML_FEATURES__``.

    ``nested_case`` is :func:`~warehouse_ml.sql_compiler.compile_booster_sql`; ``node_table``
    reads its trees from ``__WML_NODES__`` (the model's rows of the node table
    :func:`registry_node_table` makes), so its text does not grow with the ensemble;
    ``auto`` takes the nested form while it fits (:func:`choose_formulation`): on DuckDB it
    costs about half the node table's CPU.
    """
    if formulation not in FORMULATIONS:
        raise ValueError(f"sql_formulation must be one of {FORMULATIONS}, got {formulation!r}")
    if formulation == "auto":
        formulation = choose_formulation(booster, dialect)
    if formulation == "nested_case":
        return formulation, compile_booster_sql(booster, feature_kinds, dialect=dialect)
    table = booster_node_table(booster, feature_kinds)
    return formulation, table.scoring_sql(NODES_PLACEHOLDER, FEATURES_PLACEHOLDER, dialect=dialect)


def registry_node_table(registry: Any) -> pa.Table:
    """``model_id`` + :data:`NODE_COLUMNS` of every registry row scored from a node table.

    ``registry`` is a frame of ``ml_models`` rows (``model_id``, ``booster_json``,
    ``feature_kinds`` as JSON text, ``scoring_sql``); rows whose SQL does not read
    ``__WML_NODES__`` (the nested form, or no SQL scorer) add nothing.
    """
    schema = pa.schema([("model_id", pa.string()), *NODE_COLUMNS])
    parts = []
    for row in registry.itertuples(index=False):
        if not isinstance(row.scoring_sql, str) or NODES_PLACEHOLDER not in row.scoring_sql:
            continue
        nodes = booster_node_table(row.booster_json, json.loads(row.feature_kinds)).to_arrow()
        model_id = pa.array([row.model_id] * nodes.num_rows, pa.string())
        parts.append(nodes.add_column(0, schema.field("model_id"), model_id))
    return pa.concat_tables(parts) if parts else schema.empty_table()


# --------------------------------------------------------------------------------------------


def _tree_rows(tree_id: int, tree: _Tree, kinds: Sequence[str]) -> list[tuple]:
    rows = []
    for node, (left, right) in enumerate(zip(tree.left, tree.right, strict=True)):
        if left == -1:
            leaf = float(_num(tree.condition[node]))
            rows.append((tree_id, node, tree.group, True, None, None, None, None, None, leaf))
            continue
        feature, cut = tree.split_index[node], float(_threshold(tree.condition[node]))
        if kinds[feature] == "onehot":
            missing = left if cut > 0.0 else right  # a missing one-hot is the value 0.0
        else:
            missing = left if tree.default_left[node] else right
        rows.append((tree_id, node, tree.group, False, feature, cut, left, right, missing, None))
    return rows


def _level_cte(level: int, nodes: str) -> str:
    # A NULL value (absent row, NULL or NaN) takes missing_child; a leaf keeps its node.
    return (
        f"wml_l{level} as (\n"
        "    select s.rid, s.tree_id,\n"
        "        case when n.is_leaf then s.node_id\n"
        "            when x.v is null then n.missing_child\n"
        "            when x.v < n.threshold then n.left_child\n"
        "            else n.right_child end as node_id\n"
        f"    from wml_l{level - 1} as s\n"
        f"    join {nodes} as n on n.tree_id = s.tree_id and n.node_id = s.node_id\n"
        "    left join wml_x as x on x.rid = s.rid and x.feature_index = n.feature_index\n"
        "),\n"
    )
