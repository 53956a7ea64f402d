"""Train one XGBoost model per spec and group, with a small Bayesian search.

This is the seed's SageMaker step done in-process: an XGBoost model whose
hyperparameters are tuned on the validation split's evaluation metric, with
early stopping on that same split. The objective comes from the spec's label:
``multi:softprob`` for a multiclass label (one probability per class, e.g. per
offer; tuned on ``mlogloss``) or ``binary:logistic`` for a binary one (tuned
on ``logloss``, or ``auc``/``aucpr``, which are maximised). The tuner is optuna's TPE sampler
instead of SageMaker's Bayesian tuner; with a fixed ``seed`` and a fixed
``nthread`` a run is reproducible bit for bit, which lets the warehouse's
scheduled jobs and tests compare models across runs.

A multiclass label with two values (a campaign with two offers) stays on the
``multi:softprob`` path (``num_class=2``): the objective follows the spec's
label kind, not the number of classes seen.

The test split is never touched here: evaluation happens in
:mod:`warehouse_ml.metrics` on the returned booster.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import optuna
import pandas as pd
import xgboost as xgb

__all__ = [
    "RESERVED_PARAMS",
    "SEARCH_SPACE",
    "ParamRange",
    "TrainResult",
    "TrainingSkipped",
    "check_trainable",
    "class_probabilities",
    "predict_proba",
    "train_model",
]

#: The validation metrics a search may optimise, and whether higher is better.
EVAL_METRICS: Mapping[str, bool] = MappingProxyType(
    {"mlogloss": False, "logloss": False, "auc": True, "aucpr": True}
)


@dataclass(frozen=True)
class ParamRange:
    """One hyperparameter's search range (inclusive bounds).

    ``log`` samples uniformly in log space (for scale-like parameters such as
    ``alpha``); ``integer`` samples integers.
    """

    low: float
    high: float
    log: bool = False
    integer: bool = False


#: The seed's tuning ranges (SageMaker ``HyperparameterTuner`` in the article).
SEARCH_SPACE: Mapping[str, ParamRange] = MappingProxyType(
    {
        "alpha": ParamRange(0.01, 10.0, log=True),
        "eta": ParamRange(0.01, 0.2),
        "gamma": ParamRange(0.0, 0.5),
        "min_child_weight": ParamRange(1.0, 10.0),
        "max_depth": ParamRange(3, 10, integer=True),
        "subsample": ParamRange(0.5, 1.0),
    }
)

#: Parameters this module sets itself; ``fixed_params`` may not override them
#: because the SQL scorer and the metrics rely on them.
RESERVED_PARAMS: frozenset[str] = frozenset({"objective", "num_class", "eval_metric"})


class TrainingSkipped(Exception):
    """A campaign's data cannot produce a meaningful model; nothing was trained.

    Not an error in the pipeline: the caller records ``code``/``reason`` (for
    example as the model's status) and keeps the previously deployed model.

    Attributes:
        reason: human-readable explanation.
        code: stable machine-readable cause: ``single_offer``, ``too_few_rows``,
            ``missing_class`` or ``no_validation_rows``.
    """

    def __init__(self, reason: str, code: str = "skipped") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass
class TrainResult:
    """What :func:`train_model` produced.

    Attributes:
        booster: the best trial's model, cut to exactly ``best_iteration + 1``
            boosting rounds (the trees early stopping added after the best round
            are dropped), so its JSON holds only the trees that are used.
        best_params: the tuned hyperparameters (``SEARCH_SPACE`` keys), or the
            given ``fixed_params``.
        best_iteration: 0-based index of the best round (of the last round of
            the refit with ``refit_on_validation``); predict with
            ``iteration_range=(0, best_iteration + 1)``.
        valid_score: XGBoost's validation ``eval_metric`` of the chosen model
            (before any refit on the validation rows).
        n_trials: number of models fitted (1 when ``fixed_params`` was given).
        trials: one summary dict per trial (number, state, valid_score,
            best_iteration, duration_seconds, params).
        xgb_params: the complete parameter dict passed to ``xgboost.train``.
        n_classes: number of offers (``num_class``).
        search_train_rows: training rows each trial saw (fewer than the split's
            when ``search_rows`` sampled it; the returned booster is then the
            refit on every row).
        selected_booster: with ``refit_on_validation``, the model chosen on the
            validation split before it was refitted on training + validation
            rows (judge validation metrics with it: ``booster`` has seen those
            rows); otherwise ``None``.
    """

    booster: xgb.Booster
    best_params: dict[str, Any]
    best_iteration: int
    valid_score: float
    n_trials: int
    trials: list[dict[str, Any]] = field(default_factory=list)
    xgb_params: dict[str, Any] = field(default_factory=dict)
    n_classes: int = 0
    search_train_rows: int = 0
    selected_booster: xgb.Booster | None = None

    @property
    def validation_booster(self) -> xgb.Booster:
        """The model that never trained on the validation split."""
        return self.selected_booster if self.selected_booster is not None else self.booster


def _as_matrix(X: Any, name: str) -> np.ndarray:
    """Return ``X`` as a 2-D float64 array with ``NaN`` for missing values."""
    if isinstance(X, pd.DataFrame):
        arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        arr = np.asarray(X, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
    return arr


def _as_labels(y: Any, n_classes: int, name: str) -> np.ndarray:
    """Return class indices as int64, checking they are integers in ``0..n_classes-1``."""
    if isinstance(y, pd.Series | pd.Index):
        raw = pd.to_numeric(y, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raw = np.asarray(y, dtype=np.float64)
    raw = raw.reshape(-1)
    if np.isnan(raw).any():
        raise ValueError(f"{name} contains missing class indices")
    labels = raw.astype(np.int64)
    if not np.array_equal(labels, raw):
        raise ValueError(f"{name} must hold integer class indices")
    if len(labels) and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name} must be in 0..{n_classes - 1} (n_classes={n_classes})")
    return labels


def check_trainable(
    y_train: Any,
    *,
    n_classes: int,
    min_rows: int = 50,
    y_valid: Any | None = None,
) -> None:
    """Raise :class:`TrainingSkipped` if a campaign's labels cannot yield a model.

    Why separate: the dbt model can call this before building feature matrices
    and record a ``skipped`` status cheaply. :func:`train_model` calls it too.

    Checks, in order: at least two offers; at least ``min_rows`` training rows;
    every class present in the training split (a softmax class with no examples
    only ever gets its prior, so "predict this offer" would never be learned);
    a non-empty validation split when ``y_valid`` is given (early stopping and
    the search need it).
    """
    if n_classes < 2:
        raise TrainingSkipped(
            f"campaign has {n_classes} offer(s); at least 2 are needed to choose between",
            code="single_offer",
        )
    labels = _as_labels(y_train, n_classes, "y_train")
    if len(labels) < min_rows:
        raise TrainingSkipped(
            f"only {len(labels)} training rows; at least {min_rows} are needed",
            code="too_few_rows",
        )
    counts = np.bincount(labels, minlength=n_classes)
    absent = np.flatnonzero(counts == 0).tolist()
    if absent:
        raise TrainingSkipped(
            f"class index(es) {absent} have no rows in the training split",
            code="missing_class",
        )
    if y_valid is not None and len(_as_labels(y_valid, n_classes, "y_valid")) == 0:
        raise TrainingSkipped("the validation split is empty", code="no_validation_rows")


def _base_params(
    n_classes: int, seed: int, nthread: int, objective: str, eval_metric: str
) -> dict[str, Any]:
    """Parameters shared by every trial (objective, determinism, quietness)."""
    if objective == "multi:softprob":
        head: dict[str, Any] = {"objective": objective, "num_class": int(n_classes)}
    elif objective == "binary:logistic":
        if n_classes != 2:
            raise ValueError(f"binary:logistic needs 2 classes, got {n_classes}")
        head = {"objective": objective}
    else:
        raise ValueError(f"unsupported objective {objective!r}")
    if eval_metric not in EVAL_METRICS:
        raise ValueError(f"unsupported eval_metric {eval_metric!r}; one of {list(EVAL_METRICS)}")
    return {
        **head,
        "eval_metric": eval_metric,
        "tree_method": "hist",
        "nthread": int(nthread),
        "seed": int(seed),
        "verbosity": 0,
    }


def _suggest(trial: optuna.Trial, space: Mapping[str, ParamRange]) -> dict[str, Any]:
    """Draw one candidate from the search space."""
    params: dict[str, Any] = {}
    for name, spec in space.items():
        if spec.integer:
            params[name] = trial.suggest_int(name, int(spec.low), int(spec.high), log=spec.log)
        else:
            params[name] = trial.suggest_float(name, spec.low, spec.high, log=spec.log)
    return params


def _fit(
    params: dict[str, Any],
    dtrain: xgb.DMatrix,
    dvalid: xgb.DMatrix,
    num_boost_round: int,
    early_stopping_rounds: int,
) -> tuple[xgb.Booster, int, float]:
    """Train with early stopping; return (booster, best_iteration, validation mlogloss)."""
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=num_boost_round,
        evals=[(dvalid, "validation")],
        early_stopping_rounds=early_stopping_rounds,
        verbose_eval=False,
    )
    return booster, int(booster.best_iteration), float(booster.best_score)


def _sample_rows(n: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions of a uniform sample of ``min(n, size)`` of ``n`` rows."""
    if n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def _trim(booster: xgb.Booster, best_iteration: int, best_score: float) -> xgb.Booster:
    """Keep rounds ``0..best_iteration`` only and record them as the model's best.

    Slicing drops the booster's attributes, so ``best_iteration``/``best_score``
    are set again: a model reloaded from its JSON then still knows its range.
    """
    trimmed = booster[: best_iteration + 1]
    trimmed.set_attr(best_iteration=str(best_iteration), best_score=repr(best_score))
    return trimmed


def search_space_from_spec(space: Mapping[str, Mapping[str, Any]]) -> Mapping[str, ParamRange]:
    """A spec's ``training.search_space`` as ranges; empty means :data:`SEARCH_SPACE`."""
    if not space:
        return SEARCH_SPACE
    return MappingProxyType(
        {
            name: ParamRange(
                float(b["low"]),
                float(b["high"]),
                log=bool(b.get("log", False)),
                integer=bool(b.get("integer", False)),
            )
            for name, b in space.items()
        }
    )


def train_model(
    X_train: Any,
    y_train: Any,
    X_valid: Any,
    y_valid: Any,
    *,
    n_classes: int,
    objective: str = "multi:softprob",
    eval_metric: str = "mlogloss",
    search_space: Mapping[str, ParamRange] | None = None,
    n_trials: int = 10,
    seed: int = 13,
    num_boost_round: int = 300,
    early_stopping_rounds: int = 20,
    fixed_params: Mapping[str, Any] | None = None,
    min_rows: int = 50,
    nthread: int = 1,
    feature_names: Sequence[str] | None = None,
    search_rows: int | None = None,
    refit_on_validation: bool = False,
    base_params: Mapping[str, Any] | None = None,
) -> TrainResult:
    """Fit an XGBoost model (``objective``), tuning it on the validation split.

    What: runs ``n_trials`` optuna TPE trials over ``search_space`` (default
    :data:`SEARCH_SPACE`), each an ``xgboost.train`` with early stopping on
    ``(X_valid, y_valid)``'s ``eval_metric``, and returns the best trial
    (lowest loss; highest ``auc``/``aucpr``). The first
    ``max(1, min(10, n_trials // 2))`` trials are random (TPE's start-up phase),
    the rest are guided by the earlier ones. With ``fixed_params`` the search
    is skipped and one model is fitted with those parameters.

    Why: campaigns are trained unattended, so no one hand-tunes them (the seed's
    argument for a tuner); a seeded sampler, XGBoost ``seed`` and a fixed
    ``nthread`` make the same data give the same model on every run.

    Args:
        X_train, X_valid: 2-D arrays or DataFrames; ``NaN`` marks a missing value.
        y_train, y_valid: class indices ``0..n_classes-1`` (the offer's ordinal).
        n_classes: number of classes (offers of a campaign; 2 for binary).
        objective: ``multi:softprob`` or ``binary:logistic`` (labels 0/1).
        eval_metric: the validation metric of the search and early stopping
            (:data:`EVAL_METRICS`).
        search_space: hyperparameter ranges (default :data:`SEARCH_SPACE`).
        n_trials: number of search trials (ignored with ``fixed_params``).
        seed: seeds both the sampler and XGBoost's row subsampling.
        num_boost_round: upper bound on boosting rounds per trial.
        early_stopping_rounds: stop after this many rounds without improvement.
        fixed_params: XGBoost parameters to use instead of searching; may not
            contain :data:`RESERVED_PARAMS`.
        min_rows: fewer training rows than this skips the campaign.
        nthread: XGBoost threads; keep it fixed for reproducible models.
        feature_names: optional column names stored in the model (must be valid
            XGBoost names: no ``[``, ``]`` or ``<``).
        search_rows: when the training or validation split has more rows than
            this, the trials run on a seeded random sample of this many rows of
            each, and the best trial's parameters are then fitted once on the
            full splits (with early stopping on the full validation split).
            ``None`` searches on the full splits.
        refit_on_validation: once the parameters and the number of rounds are
            chosen, fit the final model on training + validation rows with those
            parameters, for the chosen rounds scaled by the row ratio (no early
            stopping). More rows for the final model: on the real sample it
            lowered the test Hamming loss by 0.0026 on average over 20 splits
            (bench/results/NOTES.md). Skipped when ``search_rows`` sampled the
            search, as the number of rounds for all rows is then only known from
            early stopping on the validation split.

    Raises:
        TrainingSkipped: see :func:`check_trainable`.
        ValueError: malformed inputs (shapes, labels outside ``0..n_classes-1``,
            reserved keys in ``fixed_params``, ``n_trials < 1``).
    """
    if n_trials < 1:
        raise ValueError("n_trials must be >= 1")
    if search_rows is not None and search_rows < 1:
        raise ValueError("search_rows must be >= 1")
    if fixed_params is not None:
        reserved = sorted(RESERVED_PARAMS & set(fixed_params))
        if reserved:
            raise ValueError(f"fixed_params may not set {reserved}; they are fixed by training")

    check_trainable(y_train, n_classes=n_classes, min_rows=min_rows, y_valid=y_valid)
    Xt = _as_matrix(X_train, "X_train")
    Xv = _as_matrix(X_valid, "X_valid")
    yt = _as_labels(y_train, n_classes, "y_train")
    yv = _as_labels(y_valid, n_classes, "y_valid")
    if Xt.shape[0] != len(yt) or Xv.shape[0] != len(yv):
        raise ValueError("X and y must have the same number of rows")
    if Xt.shape[1] != Xv.shape[1]:
        raise ValueError(f"X_train has {Xt.shape[1]} columns but X_valid has {Xv.shape[1]}")
    names = list(feature_names) if feature_names is not None else None
    if names is not None and len(names) != Xt.shape[1]:
        raise ValueError(f"{len(names)} feature_names for {Xt.shape[1]} columns")

    dtrain = xgb.DMatrix(Xt, label=yt, feature_names=names, nthread=nthread)
    dvalid = xgb.DMatrix(Xv, label=yv, feature_names=names, nthread=nthread)
    # base_params: fixed settings of every trial, such as imbalance handling.
    base = {**_base_params(n_classes, seed, nthread, objective, eval_metric), **(base_params or {})}
    space = search_space if search_space is not None else SEARCH_SPACE
    maximize = EVAL_METRICS[eval_metric]

    if fixed_params is not None:
        params = {**base, **dict(fixed_params)}
        started = time.perf_counter()
        booster, best_iteration, score = _fit(
            params, dtrain, dvalid, num_boost_round, early_stopping_rounds
        )
        trial_summary = {
            "number": 0,
            "state": "COMPLETE",
            "valid_score": score,
            "best_iteration": best_iteration,
            "duration_seconds": time.perf_counter() - started,
            "params": dict(fixed_params),
        }
        result = TrainResult(
            booster=_trim(booster, best_iteration, score),
            best_params=dict(fixed_params),
            best_iteration=best_iteration,
            valid_score=score,
            n_trials=1,
            trials=[trial_summary],
            xgb_params=params,
            n_classes=n_classes,
            search_train_rows=len(yt),
        )
        if refit_on_validation:
            _refit_on_both_splits(result, Xt, yt, Xv, yv, names, nthread)
        return result

    # Trials are ~linear in rows: on large campaigns they search on a sample
    # and only the winner is fitted on everything (see ``search_rows``).
    sampled = search_rows is not None and max(len(yt), len(yv)) > search_rows
    if sampled:
        rng = np.random.default_rng(seed)
        t_rows = _sample_rows(len(yt), search_rows, rng)
        v_rows = _sample_rows(len(yv), search_rows, rng)
        search_train = xgb.DMatrix(Xt[t_rows], yt[t_rows], feature_names=names, nthread=nthread)
        search_valid = xgb.DMatrix(Xv[v_rows], yv[v_rows], feature_names=names, nthread=nthread)
    else:
        search_train, search_valid = dtrain, dvalid

    # Keep only the best booster seen so far (trials are sequential).
    best: dict[str, Any] = {"score": -math.inf if maximize else math.inf}

    def trial_score(trial: optuna.Trial) -> float:
        params = {**base, **_suggest(trial, space)}
        booster, best_iteration, score = _fit(
            params, search_train, search_valid, num_boost_round, early_stopping_rounds
        )
        trial.set_user_attr("best_iteration", best_iteration)
        if (score > best["score"]) if maximize else (score < best["score"]):
            best.update(score=score, number=trial.number, booster=booster, params=params)
        return score

    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(1, min(10, n_trials // 2)))
    previous_verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            direction="maximize" if maximize else "minimize", sampler=sampler
        )
        study.optimize(trial_score, n_trials=n_trials, n_jobs=1)
    finally:
        optuna.logging.set_verbosity(previous_verbosity)

    best_trial = study.best_trial
    best_iteration = int(best_trial.user_attrs["best_iteration"])
    if sampled or best.get("number") != best_trial.number:
        # The winner on all rows (sampled search), or a tie resolved differently.
        params = {**base, **best_trial.params}
        booster, best_iteration, score = _fit(
            params, dtrain, dvalid, num_boost_round, early_stopping_rounds
        )
        best.update(score=score, number=best_trial.number, booster=booster, params=params)

    trials = [
        {
            "number": t.number,
            "state": t.state.name,
            "valid_score": t.value,
            "best_iteration": t.user_attrs.get("best_iteration"),
            "duration_seconds": t.duration.total_seconds() if t.duration else None,
            "params": dict(t.params),
        }
        for t in study.trials
    ]
    result = TrainResult(
        booster=_trim(best["booster"], best_iteration, float(best["score"])),
        best_params=dict(best_trial.params),
        best_iteration=best_iteration,
        valid_score=float(best["score"]),
        n_trials=len(study.trials),
        trials=trials,
        xgb_params=dict(best["params"]),
        n_classes=n_classes,
        search_train_rows=int(search_train.num_row()),
    )
    if refit_on_validation and not sampled:
        _refit_on_both_splits(result, Xt, yt, Xv, yv, names, nthread)
    return result


def _refit_on_both_splits(
    result: TrainResult,
    Xt: np.ndarray,
    yt: np.ndarray,
    Xv: np.ndarray,
    yv: np.ndarray,
    names: list[str] | None,
    nthread: int,
) -> None:
    """Refit the chosen model on training + validation rows (``refit_on_validation``),
    in place; the chosen model is kept as ``selected_booster``."""
    rounds = max(1, round((result.best_iteration + 1) * (len(yt) + len(yv)) / len(yt)))
    both = xgb.DMatrix(
        np.vstack([Xt, Xv]), label=np.concatenate([yt, yv]), feature_names=names, nthread=nthread
    )
    booster = xgb.train(result.xgb_params, both, num_boost_round=rounds, verbose_eval=False)
    booster.set_attr(best_iteration=str(rounds - 1), best_score=repr(result.valid_score))
    result.selected_booster = result.booster
    result.booster = booster
    result.best_iteration = rounds - 1


def predict_proba(
    booster: xgb.Booster,
    X: Any,
    best_iteration: int | None = None,
) -> np.ndarray:
    """Class probabilities, shape ``(n_rows, n_classes)``, from the first rounds only.

    What: ``booster.predict`` with ``iteration_range=(0, best_iteration + 1)``
    (all rounds when ``best_iteration`` is None), reshaped to 2-D. Returns
    XGBoost's own float32 output unchanged, so it is bit-identical to calling
    ``booster.predict`` with the same range.

    Why: an early-stopped booster may hold rounds after its best one; predicting
    through this one function keeps training metrics, batch scores and the SQL
    scorer's reference on the same trees.
    """
    arr = _as_matrix(X, "X")
    n_features = booster.num_features()
    if arr.shape[1] != n_features:
        raise ValueError(f"X has {arr.shape[1]} columns but the model expects {n_features}")
    rounds = booster.num_boosted_rounds()
    if best_iteration is None:
        iteration_range = (0, 0)
    else:
        if not 0 <= best_iteration < rounds:
            raise ValueError(f"best_iteration {best_iteration} outside 0..{rounds - 1}")
        iteration_range = (0, int(best_iteration) + 1)
    dmatrix = xgb.DMatrix(arr, feature_names=booster.feature_names)
    out = booster.predict(dmatrix, iteration_range=iteration_range)
    return out.reshape(arr.shape[0], -1)


def class_probabilities(booster: xgb.Booster, X: Any) -> np.ndarray:
    """One probability per class, shape ``(n_rows, n_classes)``, for any objective.

    ``binary:logistic`` predicts P(class 1) only; this returns ``[1 - p, p]``
    so metrics, scoring and the SQL scorer (which emits class 0 as ``1 - p``)
    treat binary models as two-class ones. Multiclass output is unchanged.
    """
    proba = predict_proba(booster, X)
    if proba.shape[1] == 1:
        p = proba[:, 0]
        return np.column_stack([1.0 - p, p]).astype(p.dtype)
    return proba
