"""The peers of the warehouse's propensity models, on its own points and split.

``python peers.py PEER SPEC DB LANDING OUT``: PEER is ``pandas_xgb`` (features
recomputed from the landed raw data with pandas, XGBoost with early stopping
on validation) or ``sklearn_lr`` (the warehouse's own features from
int_event_examples, logistic regression). Both calibrate isotonic on the
validation split and are judged on test. Writes a JSON result to OUT (and,
for pandas_xgb, its features to OUT with suffix .parquet for the parity check).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml
from pandas.api.types import is_numeric_dtype
from sklearn.compose import ColumnTransformer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from xgboost import XGBClassifier

from warehouse_ml.spec_events import duration_seconds, window_label

HERE = Path(__file__).resolve().parent
KEYS = ["model_name", "point_id", "entity_id", "point_time", "label", "split", "reject_reason"]
US = 1_000_000  # microseconds per second
SPLITS = ("train", "validation", "test")


def ece(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error: 10 equal-width bins, the last one holds p == 1."""
    bins = np.clip(
        np.searchsorted(np.arange(n_bins + 1) / n_bins, p, side="right") - 1, 0, n_bins - 1
    )
    n = np.bincount(bins, minlength=n_bins)
    filled = n > 0
    mean_p = np.bincount(bins, weights=p, minlength=n_bins)[filled] / n[filled]
    rate = np.bincount(bins, weights=y, minlength=n_bins)[filled] / n[filled]
    return float(np.sum(n[filled] / len(y) * np.abs(mean_p - rate)))


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return {
        "auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "ece": ece(y, p),
        "brier_score": float(brier_score_loss(y, p)),
    }


def calibrated_metrics(raw: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> dict:
    """Isotonic on validation, bounded half an observation inside (0, 1) as the product does."""
    bound = 1.0 / (len(y["validation"]) + 1)
    iso = IsotonicRegression(y_min=bound, y_max=1 - bound, out_of_bounds="clip")
    iso.fit(raw["validation"], y["validation"])
    out = {}
    for split in ("validation", "test"):
        out[split] = metrics(y[split], iso.predict(raw[split]))
        out[split].update(
            {f"uncalibrated_{k}": v for k, v in metrics(y[split], raw[split]).items()}
        )
    return out


def labelled_rows(db: str, spec: str, relation: str, columns: str = "*") -> pd.DataFrame:
    """The spec's points in ``relation`` that have a label and a split, by point id."""
    with duckdb.connect(db, read_only=True) as con:
        return con.execute(
            f"select {columns} from {relation}"
            " where model_name = ? and label is not null and split is not null order by point_id",
            [spec],
        ).df()


def load_points(db: str, spec: str) -> pd.DataFrame:
    points = labelled_rows(db, spec, "int_event_points", "* exclude (model_name, in_entity_cap)")
    return points.dropna(axis=1, how="all")


def raw_events(spec: str, landing: Path) -> pd.DataFrame:
    """The landed log as the staging model maps it: entity, time (UTC), type, properties."""
    if spec == "retail_purchase":
        raw = pd.read_parquet(next(landing.glob("*.parquet")))
        raw = raw[raw["Customer ID"].notna()]
        country = raw["Country"].str.strip().replace("", None)
        return pd.DataFrame(
            {
                "entity_id": raw["Customer ID"].map(repr),
                "ts": pd.to_datetime(raw["InvoiceDate"]),
                "event_type": np.where(
                    raw["Invoice"].str.startswith("C"), "cancellation", "purchase"
                ),
                "amount": raw["Quantity"] * raw["Price"],
                "country": country,
            }
        )
    raw = pd.read_csv(next(landing.glob("*.csv")), dtype=str)
    imp = pd.DataFrame(
        {
            "entity_id": raw[[f"user_feature_{i}" for i in range(4)]].agg("|".join, axis=1),
            "ts": pd.to_datetime(raw["timestamp"], utc=True).dt.tz_localize(None),
            "event_type": "impression",
            "item_id": raw["item_id"],
            "position": raw["position"],
            "campaign": raw["campaign"],
        }
    )
    clicks = imp[raw["click"] == "1"].assign(event_type="click")
    clicks["ts"] = clicks["ts"] + pd.Timedelta(seconds=1)
    return pd.concat([imp, clicks], ignore_index=True)


def _us(ts: pd.Series) -> np.ndarray:
    return ts.to_numpy(dtype="datetime64[us]").astype(np.int64)


def pandas_features(events: pd.DataFrame, points: pd.DataFrame, ev: dict) -> pd.DataFrame:
    """The warehouse's point-in-time features, by binary search in per-entity sorted times.

    Keys are entity_code * 2^47 + microseconds since a base, so one sorted array
    holds every entity and a half-open window [t - w, t) of one entity is
    searchsorted(t - w, left) .. searchsorted(t, left)."""
    entities = pd.Index(pd.unique(pd.concat([events["entity_id"], points["entity_id"]])))
    base = min(_us(events["ts"]).min(), _us(points["point_time"]).min()) - 400 * 86400 * US
    ev_code = entities.get_indexer(events["entity_id"]).astype(np.int64)
    events = events.assign(key=(ev_code << 47) + _us(events["ts"]) - base)
    events = events.sort_values("key", kind="stable").reset_index(drop=True)
    p_code = entities.get_indexer(points["entity_id"]).astype(np.int64)
    p_t = _us(points["point_time"])
    offset = duration_seconds(ev.get("leakage_offset", "0 seconds")) * US

    def pk(delta_us: int) -> np.ndarray:  # the key of t - offset - delta
        return (p_code << 47) + p_t - offset - delta_us - base

    # Event types ranked on events before the validation period, as fit_event_type_ranks.
    cutoff = points.loc[points["split"].isin(["validation", "test"]), "point_time"].min()
    ranked = events.loc[events["ts"] < cutoff, "event_type"].value_counts()
    ranked = sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))
    top = [t for t, _ in ranked[: ev.get("top_event_types", 10)]]
    subsets = {
        "": events,
        **{f"type{k}_": events[events["event_type"] == t] for k, t in enumerate(top, 1)},
    }
    keys = {name: sub["key"].to_numpy() for name, sub in subsets.items()}
    numeric = ev.get("numeric", [])
    sums = {
        (name, col): np.concatenate([[0.0], np.cumsum(sub[col].fillna(0).to_numpy(dtype=float))])
        for name, sub in subsets.items()
        for col in numeric
    }
    out: dict[str, np.ndarray] = {}
    t_idx = {name: np.searchsorted(k, pk(0), "left") for name, k in keys.items()}
    windows = [duration_seconds(w) for w in ev.get("windows", ["1 hour", "1 day", "7 days"])]
    for w in windows:
        label = window_label(w)
        lo = {name: np.searchsorted(k, pk(w * US), "left") for name, k in keys.items()}
        for name in keys:
            out[f"{name or 'events_'}{label}"] = (t_idx[name] - lo[name]).astype(float)
        for col in numeric:
            for name in keys:
                s = sums[(name, col)]
                out[f"{name}{col}_sum_{label}"] = s[t_idx[name]] - s[lo[name]]
    for week in range(1, ev.get("rolling_weeks", 0) + 1):
        for name, k in keys.items():
            hi = np.searchsorted(k, pk((week - 1) * 7 * 86400 * US), "left")
            lo = np.searchsorted(k, pk(week * 7 * 86400 * US), "left")
            out[f"{name[:-1] or 'events'}_week{week}"] = (hi - lo).astype(float)
    last = t_idx[""] - 1
    longest = max([*windows, 7 * 86400 * ev.get("rolling_weeks", 0)]) * US
    # NULL unless the entity has an event in the longest window before t.
    ok = (last >= 0) & (keys[""][np.maximum(last, 0)] >= pk(longest))
    ts_us = events["ts"].pipe(_us)
    gap = (p_t - offset - ts_us[np.maximum(last, 0)]) / (3600 * US)
    out["hours_since_last_event"] = np.where(ok, gap, np.nan)
    for edge in ("last", "first"):
        for col in ev.get("categorical", []):
            sub = events[events[col].notna()]
            k, values = sub["key"].to_numpy(), sub[col].to_numpy(dtype=object)
            if edge == "last":
                i = np.searchsorted(k, pk(0), "left") - 1
                ok = (i >= 0) & (k[np.maximum(i, 0)] >= pk(longest))
            else:
                i = np.searchsorted(k, pk(longest), "left")
                ok = (i < len(k)) & (k[np.minimum(i, len(k) - 1)] < pk(0))
            out[f"{edge}_{col}"] = np.where(ok, values[np.clip(i, 0, max(len(k) - 1, 0))], None)
    features = pd.DataFrame(out, index=points["point_id"].to_numpy())
    for col in ev.get("categorical", []):
        if f"point_{col}" in points:
            features[f"point_{col}"] = points[f"point_{col}"].to_numpy()
    rates = ev.get("group_rates") or {}
    if rates.get("columns"):
        window = duration_seconds(rates["window"]) if rates.get("window") else longest // US
        for col in rates["columns"]:
            group = features[f"point_{col}" if "event_type" in ev["points"] else f"last_{col}"]
            rate = group_rates(events, p_t - offset, group.to_numpy(dtype=object), col, ev, window)
            features[f"{col}_rate_{window_label(window)}"] = rate
    return features


def group_rates(
    events: pd.DataFrame, t_us: np.ndarray, group: np.ndarray, col: str, ev: dict, window: int
) -> np.ndarray:
    """Outcome over base events of each point's group in [t - window, t), smoothed toward
    all groups' rate over the same window (events.group_rates), by binary search."""
    outcome = ev["outcome"]
    is_outcome = events["event_type"].isin(outcome["event_types"]).to_numpy()
    for column, values in (outcome.get("where") or {}).items():
        is_outcome &= events[column].isin(values).to_numpy()
    for column, least in (outcome.get("at_least") or {}).items():
        is_outcome &= (events[column] >= least).to_numpy()
    base_type = ev["points"].get("event_type")
    is_base = (
        (events["event_type"] == base_type).to_numpy() if base_type else np.ones(len(events), bool)
    )
    ts = _us(events["ts"])
    lo_t, hi_t = t_us - window * US, t_us
    start = lo_t.min()  # events before every window count nowhere
    seen = ts >= start

    def counts(mask: np.ndarray, codes: np.ndarray, point_codes: np.ndarray) -> np.ndarray:
        mask = mask & seen
        keys = np.sort((codes[mask] << 47) + ts[mask] - start)
        hi = np.searchsorted(keys, (point_codes << 47) + hi_t - start, "left")
        lo = np.searchsorted(keys, (point_codes << 47) + lo_t - start, "left")
        return (hi - lo).astype(float)

    zeros, point_zeros = np.zeros(len(events), np.int64), np.zeros(len(t_us), np.int64)
    all_out, all_base = counts(is_outcome, zeros, point_zeros), counts(is_base, zeros, point_zeros)
    prior = np.divide(all_out, all_base, out=np.full(len(t_us), np.nan), where=all_base > 0)
    values = pd.Index(pd.unique(events[col].dropna()))
    codes = values.get_indexer(events[col]).astype(np.int64)
    point_codes = values.get_indexer(pd.Series(group, dtype=object)).astype(np.int64)
    # A missing or never-logged group counts nothing: its rate is the prior.
    known, point_known = codes >= 0, point_codes >= 0
    n_out = np.where(point_known, counts(is_outcome & known, codes, point_codes), 0.0)
    n_base = np.where(point_known, counts(is_base & known, codes, point_codes), 0.0)
    weight = float(ev["group_rates"].get("prior_weight", 100))
    return (n_out + weight * prior) / (n_base + weight)


def _by_split(frame: pd.DataFrame, split: pd.Series) -> dict[str, pd.DataFrame]:
    return {s: frame[split.to_numpy() == s] for s in SPLITS}


def run_pandas_xgb(spec: str, db: str, landing: Path, out: Path) -> dict:
    ev = yaml.safe_load((HERE / f"{spec}.yml").read_text())["events"]
    points = load_points(db, spec)
    events = raw_events(spec, landing)
    missing = set(points["entity_id"]) - set(events["entity_id"])
    if missing:
        raise SystemExit(
            f"{len(missing)} point entities not in the raw data, e.g. {sorted(missing)[:3]}"
        )
    features = pandas_features(events, points, ev)
    X = _by_split(features, points["split"])
    y = {s: points.loc[points["split"] == s, "label"].to_numpy(dtype=int) for s in SPLITS}
    categorical = [c for c in features if not is_numeric_dtype(features[c])]
    for c in categorical:
        cats = pd.Index(X["train"][c].dropna().unique())
        for s in SPLITS:
            X[s] = X[s].assign(**{c: pd.Categorical(X[s][c].where(X[s][c].isin(cats)), cats)})
    model = XGBClassifier(
        n_estimators=1000,
        learning_rate=0.05,
        max_depth=6,
        tree_method="hist",
        enable_categorical=True,
        early_stopping_rounds=50,
        eval_metric="logloss",
        n_jobs=2,
        random_state=13,
    )
    model.fit(X["train"], y["train"], eval_set=[(X["validation"], y["validation"])], verbose=False)
    raw = {s: model.predict_proba(X[s])[:, 1] for s in SPLITS}
    result = calibrated_metrics(raw, y)
    result["best_iteration"] = int(model.best_iteration)
    result["n_features"] = features.shape[1]
    features.to_parquet(out.with_suffix(".parquet"))
    return result


def run_sklearn_lr(spec: str, db: str) -> dict:
    examples = labelled_rows(db, spec, "int_event_examples")
    features = examples.drop(columns=KEYS).dropna(axis=1, how="all")
    categorical = [c for c in features if not is_numeric_dtype(features[c])]
    numeric = [c for c in features if c not in categorical]
    features[numeric] = features[numeric].fillna(0.0)
    features[categorical] = features[categorical].fillna("(missing)")
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            (
                "cat",
                OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10),
                categorical,
            ),
        ]
    )
    model = make_pipeline(prep, LogisticRegression(max_iter=2000))
    X = _by_split(features, examples["split"])
    y = {s: examples.loc[examples["split"] == s, "label"].to_numpy(dtype=int) for s in SPLITS}
    model.fit(X["train"], y["train"])
    raw = {s: model.predict_proba(X[s])[:, 1] for s in SPLITS}
    result = calibrated_metrics(raw, y)
    result["n_features"] = features.shape[1]
    return result


def main() -> None:
    peer, spec, db, landing, out = sys.argv[1:6]
    start = time.perf_counter()
    if peer == "pandas_xgb":
        result = run_pandas_xgb(spec, db, Path(landing), Path(out))
    else:
        result = run_sklearn_lr(spec, db)
    result["wall_seconds"] = time.perf_counter() - start
    Path(out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
