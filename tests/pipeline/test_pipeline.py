"""End-to-end checks of one real dbt build over the generated sample."""

from __future__ import annotations

import hashlib
import json
import urllib.parse

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from conftest import OFFER_EXAMPLES

from warehouse_ml.features import long_to_matrix

OFFER = "model_name = 'offer_conversion'"


def test_the_full_build_runs_every_unit_test(generated):
    manifest = json.loads((generated.path.parent / "target" / "manifest.json").read_text())
    assert generated.meta["unit_tests_passed"] == len(manifest["unit_tests"]) > 20


def test_every_campaign_has_a_champion(generated):
    campaigns = set(generated.meta["campaigns"])
    rows = generated.query(f"select group_id, campaign_id, status from ml_models where {OFFER}")
    assert {g for g, _, s in rows if s == "champion"} == campaigns
    assert all(g == c for g, c, _ in rows)  # campaign_id is kept as the group
    served = generated.query(f"select group_id from ml_serving_models where {OFFER}")
    assert sorted(g for (g,) in served) == sorted(campaigns)


def test_one_prediction_per_accepted_request(generated):
    accepted = generated.query(
        "select count(*) from stg_landing__requests where reject_reason is null"
    )[0][0]
    assert accepted == generated.meta["n_requests"]
    n, distinct, scored = generated.query(
        "select count(*), count(distinct request_id), count(predicted_offer_id) from offer_predictions"
    )[0]
    assert n == distinct == accepted == scored


def test_scores_are_distributions_ranked_by_probability(generated):
    for scores in ("offer_scores", "ml_scores"):
        keys = "request_id" if scores == "offer_scores" else "model_name, request_id"
        bad = generated.query(
            f"""
            select {keys} from {scores} group by {keys}
            having abs(sum(probability) - 1) > 1e-6 or min(rank) <> 1 or max(rank) <> count(*)
            """
        )
        assert bad == [], scores
    mismatched = generated.query(
        """
        select count(*) from offer_predictions as p
        join offer_scores as s on p.request_id = s.request_id and s.rank = 1
        where p.predicted_offer_id <> s.offer_id or p.probability <> s.probability
        """
    )[0][0]
    assert mismatched == 0


def test_sql_scorer_agrees_with_xgboost_predict(generated):
    """Compare the SQL scores with an independent xgboost predict on the registry JSON."""
    models = generated.frame(
        "select m.* from ml_models as m join ml_serving_models as s using (model_id)"
    )
    sql = generated.frame(
        "select model_name, request_id, model_id, class_index, probability from ml_scores_sql"
    )
    features = generated.frame(
        "select model_name, request_id as row_id, feature_index, value from int_scoring_features"
    )
    checked = 0
    for _, model in models.iterrows():
        booster = xgb.Booster()
        booster.load_model(bytearray(model["booster_json"].encode()))
        mine = sql[
            (sql["model_name"] == model["model_name"]) & (sql["model_id"] == model["model_id"])
        ]
        ids = sorted(mine["request_id"].unique())
        own = features[features["model_name"] == model["model_name"]]
        X = long_to_matrix(own, ids, json.loads(model["feature_kinds"]))
        expected = booster.predict(xgb.DMatrix(X))
        got = np.zeros_like(expected)
        pos = {r: i for i, r in enumerate(ids)}
        got[mine["request_id"].map(pos).to_numpy(), mine["class_index"].to_numpy()] = mine[
            "probability"
        ]
        assert np.abs(got - expected).max() < 1e-5
        assert (got.argmax(1) == expected.argmax(1)).all()
        checked += len(ids)
    assert checked == generated.meta["n_requests"]


def test_explanations_are_xgboost_contributions_to_the_predicted_offer(generated):
    """ml_explanations against XGBoost's own pred_contribs on the registry booster: the
    predicted offer's three largest contributions, by name, and its margin."""
    models = generated.frame(
        "select m.* from ml_models as m join ml_serving_models as s using (model_id) "
        f"where m.{OFFER}"
    )
    explained = generated.frame(f"select * from ml_explanations where {OFFER}")
    predicted = dict(
        generated.frame(
            "select request_id, predicted_offer_id from offer_predictions "
            "where probability is not null"
        ).values
    )
    features = generated.frame(
        f"select request_id as row_id, feature_index, value from int_scoring_features where {OFFER}"
    )
    assert set(explained["request_id"]) == set(predicted)
    assert (explained.groupby("request_id").size() == 3).all()
    for _, model in models.iterrows():
        booster = xgb.Booster()
        booster.load_model(bytearray(model["booster_json"].encode()))
        mine = explained[explained["model_id"] == model["model_id"]]
        ids = sorted(mine["request_id"].unique())
        X = long_to_matrix(features, ids, json.loads(model["feature_kinds"]))
        contribs = booster.predict(xgb.DMatrix(X), pred_contribs=True)
        margins = booster.predict(xgb.DMatrix(X), output_margin=True)
        names = json.loads(model["feature_columns"])
        classes = json.loads(model["classes"])
        for i, request_id in enumerate(ids):
            rows = mine[mine["request_id"] == request_id].sort_values("feature_rank")
            offer = rows["label_value"].iloc[0]
            assert offer == predicted[request_id]
            own = contribs[i, classes[offer], :-1]
            top = [names[j] for j in np.argsort(-own, kind="stable")[:3]]
            assert rows["feature_name"].tolist() == top
            assert abs(rows["margin"].iloc[0] - margins[i, classes[offer]]) < 1e-5


def test_one_hot_names_are_python_percent_encoding(generated):
    rows = generated.query(
        "select column_name, category, encoded_value, feature_name from fit_category_levels"
    )
    assert rows
    for column, category, encoded, name in rows:
        assert encoded == urllib.parse.quote(category, safe="")
        if name is not None:
            assert name.split("(")[0] == f"{column}_{encoded}"
    names = [
        n
        for (n,) in generated.query(
            "select feature_name from fit_feature_columns where fitted_state_id = "
            "(select max(fitted_state_id) from fit_current_states) and feature_name is not null"
        )
    ]
    # Unique even where values differ only by case (DuckDB identifiers ignore case).
    states = generated.query(
        "select fitted_state_id, model_name, group_id, count(*), "
        "count(distinct lower(feature_name)) from fit_feature_columns group by 1, 2, 3"
    )
    assert all(n == n_lower for _, _, _, n, n_lower in states)
    assert names


def test_split_is_md5_of_event_id_with_seed_13(generated):
    rows = generated.query(f"select entity_id, split from int_training_examples where {OFFER}")
    counts = {"train": 0, "validation": 0, "test": 0}
    for event_id, split in rows:
        fraction = int(hashlib.md5(f"13:{event_id}".encode()).hexdigest()[:8], 16) / 2**32
        expected = "train" if fraction < 0.70 else "validation" if fraction < 0.85 else "test"
        assert split == expected
        counts[split] += 1
    assert counts["train"] / len(rows) == pytest.approx(0.70, abs=0.02)


def test_vocabulary_is_fitted_on_the_training_split_only(generated):
    """Every level exists in training rows, with the training count; no test-only value leaks in."""
    leaked = generated.query(
        """
        select l.model_name, l.group_id, l.column_name, l.category
        from fit_category_levels as l
        join fit_current_states as s using (model_name, group_id, fitted_state_id)
        left join (
            select model_name, group_id, column_name, category, count(*) as n
            from int_training_categories where split = 'train' group by 1, 2, 3, 4
        ) as t using (model_name, group_id, column_name, category)
        where l.category <> '__other__' and (t.n is null or t.n <> l.n_train_rows)
        """
    )
    assert leaked == []
    test_only = generated.query(
        """
        select count(*) from (
            select model_name, group_id, column_name, category
            from int_training_categories where split <> 'train'
            except
            select model_name, group_id, column_name, category
            from int_training_categories where split = 'train'
        ) as only_eval
        join fit_category_levels using (model_name, group_id, column_name, category)
        """
    )[0][0]
    assert test_only == 0


def test_rare_training_rows_are_dropped_and_evaluation_rows_kept(generated):
    dropped, kept_eval = generated.query(
        """
        select
            count(*) filter (where s.split = 'train' and f.entity_id is null),
            count(*) filter (where s.split <> 'train' and f.entity_id is null)
        from int_training_examples as s
        left join int_training_filtered as f using (model_name, entity_id)
        """
    )[0]
    assert dropped > 0
    assert kept_eval == 0


def test_has_rare_value_matches_a_recount_of_the_training_split(generated):
    """Independent of the SQL: a value is common when it has >= 10 training rows
    and >= 1% of its campaign's training rows (model_specs/offer_conversion.sql);
    the values are read from staging, not from the spec layer's tables."""
    events = generated.frame(OFFER_EXAMPLES)
    train = events[events["split"] == "train"]
    n_train = train.groupby("campaign_id").size()
    rare = np.zeros(len(events), dtype=bool)
    for column in ("country", "dos", "dtype", "dbrowser"):
        counts = train.groupby(["campaign_id", column]).size()
        common = counts[(counts >= 10) & (counts / n_train.reindex(counts.index, level=0) >= 0.01)]
        keys = pd.MultiIndex.from_frame(events[["campaign_id", column]])
        rare |= events[column].notna().to_numpy() & ~keys.isin(common.index)
    expected = dict(zip(events["event_id"], rare, strict=True))
    flagged = generated.query(
        f"select entity_id, split, has_rare_value from int_training_filtered where {OFFER}"
    )
    assert len(flagged) > 0
    assert {e: f for e, _, f in flagged} == {e: expected[e] for e, _, _ in flagged}
    # drop mode: no kept training row holds a rare value; evaluation rows do
    assert not any(f for _, split, f in flagged if split == "train")
    assert any(f for _, split, f in flagged if split == "test")


def test_metrics_match_scikit_learn_on_the_test_split(generated):
    from sklearn.metrics import accuracy_score, hamming_loss

    model = generated.frame(
        "select m.* from ml_models as m join ml_serving_models using (model_id) "
        "order by m.model_name, m.group_id limit 1"
    ).iloc[0]
    labelled = generated.frame(
        "select entity_id, class_index, has_rare_value from int_training_labelled "
        "where split = 'test' and model_name = ? and group_id = ? and fitted_state_id = ? "
        "order by entity_id",
        [model["model_name"], model["group_id"], model["fitted_state_id"]],
    )
    features = generated.frame(
        "select entity_id as row_id, feature_index, value from int_training_features "
        "where model_name = ?",
        [model["model_name"]],
    )
    X = long_to_matrix(features, labelled["entity_id"].tolist(), json.loads(model["feature_kinds"]))
    booster = xgb.Booster()
    booster.load_model(bytearray(model["booster_json"].encode()))
    predicted = booster.predict(xgb.DMatrix(X)).argmax(1)
    stored = json.loads(model["metrics"])["test"]
    assert stored["hamming_loss"] == pytest.approx(hamming_loss(labelled["class_index"], predicted))
    assert stored["accuracy"] == pytest.approx(accuracy_score(labelled["class_index"], predicted))
    assert stored["n_rows"] == len(labelled)
    rare = labelled["has_rare_value"].to_numpy(dtype=bool)
    y = labelled["class_index"].to_numpy()
    assert stored["n_rows_rare_values"] == rare.sum() > 0
    assert stored["n_rows_known_values"] == (~rare).sum() > 0
    assert stored["hamming_loss_known_values"] == pytest.approx(
        hamming_loss(y[~rare], predicted[~rare])
    )
    assert stored["hamming_loss_rare_values"] == pytest.approx(
        hamming_loss(y[rare], predicted[rare])
    )
