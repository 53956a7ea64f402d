"""Tests for warehouse_ml.generator: format, determinism and the known ground truth.

The Bayes error is checked against independent computations done here with plain
numpy (``1 - max p`` from the raw probabilities, and a Monte-Carlo draw of offers),
and the generated offers are checked to really follow the true probabilities.
"""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from warehouse_ml.generator import (
    EVENT_COLUMNS,
    FEATURE_COLUMNS,
    REQUEST_COLUMNS,
    GeneratorConfig,
    bayes_error,
    bayes_error_by_campaign,
    campaign_offers,
    empirical_bayes_error,
    generate_events,
    generate_requests,
    main,
    oracle_error,
    oracle_predict,
    true_offer_probabilities,
    write_sample,
)

CFG = GeneratorConfig(n_events=20_000, n_requests=4_000, n_campaigns=3, seed=13)
SMALL = GeneratorConfig(n_events=2_000, n_requests=500, n_campaigns=3, seed=7)
SEED_KEYS = list(EVENT_COLUMNS)  # the seed record's keys, in its order


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return generate_events(CFG)


@pytest.fixture(scope="module")
def requests() -> pd.DataFrame:
    return generate_requests(CFG)


def _own_probabilities(df: pd.DataFrame, cfg: GeneratorConfig) -> list[np.ndarray]:
    """Each row's true offer probabilities for its own campaign (reference helper)."""
    probs = true_offer_probabilities(df, cfg)
    campaigns = df["campaign"].to_numpy(dtype=object)
    return [probs[c][i] for i, c in enumerate(campaigns)]


def _read_jsonl(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text[:-1].split("\n")]


def _share(values: pd.Series) -> pd.Series:
    return values.value_counts(normalize=True)


# ------------------------------------------------------------------------- shape / format
def test_columns_and_string_values(events: pd.DataFrame, requests: pd.DataFrame) -> None:
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert (
        list(requests.columns)
        == list(REQUEST_COLUMNS)
        == [c for c in EVENT_COLUMNS if c != "offer"]
    )
    assert len(events) == CFG.n_events and len(requests) == CFG.n_requests
    for frame in (events, requests):
        for col in frame.columns:
            assert all(isinstance(v, str) for v in frame[col].to_numpy(dtype=object)), col
        lat, long = frame["lat"].astype(float), frame["long"].astype(float)
        assert lat.between(-90, 90).all() and long.between(-180, 180).all()
        # coordinates are written like the seed: plain decimals, at most 4 decimals
        assert frame["lat"].str.fullmatch(r"-?\d+\.\d{1,4}").all()
        assert frame["long"].str.fullmatch(r"-?\d+\.\d{1,4}").all()
        assert set(frame["dType"]) <= {"mobile", "tablet", "desktop"}
        assert frame["country"].str.fullmatch(r"[A-Z]{2}").all()
    assert (events["network"] == "").any(), "some networks are empty, like the seed"
    assert events["network"].str.fullmatch(r"(\d{1,3}\.){3}\d{1,3}/\d{1,2}|").all()


def test_ids_are_unique_uuid4(events: pd.DataFrame, requests: pd.DataFrame) -> None:
    for frame in (events, requests):
        ids = frame["id"].tolist()
        assert len(set(ids)) == len(ids)
        for value in ids[:500] + ids[-500:]:
            parsed = uuid.UUID(value)
            assert str(parsed) == value and parsed.version == 4
    for cid, offers in campaign_offers(CFG).items():
        for value in (cid, *offers):
            assert str(uuid.UUID(value)) == value
    assert not set(events["id"]) & set(requests["id"])


def test_campaign_layout(events: pd.DataFrame) -> None:
    offers = campaign_offers(CFG)
    assert len(offers) == CFG.n_campaigns
    assert all(2 <= len(o) <= 5 for o in offers.values())
    assert len(next(iter(offers.values()))) == 2, "campaign 0 has two offers, like the seed"
    all_offers = [o for os_ in offers.values() for o in os_]
    assert len(set(all_offers)) == len(all_offers)
    assert set(events["campaign"]) == set(offers)
    for cid, group in events.groupby("campaign"):
        assert set(group["offer"]) == set(offers[cid]), "every offer occurs, only its own"
    # campaign k does not depend on how many campaigns are generated
    more = campaign_offers(GeneratorConfig(n_campaigns=5, seed=CFG.seed))
    assert list(more.items())[:3] == list(offers.items())
    many = campaign_offers(GeneratorConfig(n_campaigns=12, seed=CFG.seed))
    assert all(2 <= len(o) <= 5 for o in many.values())
    assert len({len(o) for o in many.values()}) >= 3


def test_rare_tail_and_awkward_values(events: pd.DataFrame) -> None:
    browsers, countries, oses = (_share(events[c]) for c in ("dBrowser", "country", "dOs"))
    for share in (browsers, countries, oses):
        assert (share < 0.01).sum() >= 5, "a long tail of values under 1%"
        assert (share >= 0.01).sum() >= 3, "and a head above it"
    assert {"Android", "iOS", "Windows", "Mac OS", "Linux"} <= set(oses.index)
    assert {"Chrome", "Chrome WebView", "Mobile Safari", "Samsung Browser", "UCBrowser"} <= set(
        browsers.index
    )
    assert {"Facebook", "Android Browser", "Firefox", "Opera Mini"} <= set(browsers.index)
    # case-only pair, percent-encoding-relevant characters, non-ASCII values
    assert browsers.get("Slim", 0) > 0 and browsers.get("slim", 0) > 0
    assert browsers.get("Slim", 1) < 0.01 and browsers.get("slim", 1) < 0.01
    assert any("/" in b for b in browsers.index) and any(" " in b for b in browsers.index)
    assert any(not b.isascii() for b in browsers.index)
    cities = set(events["city"])
    assert {"São Paulo", "Kraków", "Hà Nội"} & cities
    assert sum(not c.isascii() for c in cities) >= 10


def test_locations_follow_countries(events: pd.DataFrame) -> None:
    lat, long = events["lat"].astype(float), events["long"].astype(float)
    th = events["country"] == "TH"
    assert lat[th].between(5, 21).all() and long[th].between(97, 106).all()
    cl = events["country"] == "CL"
    assert lat[cl].between(-40, -20).all() and long[cl].between(-75, -69).all()
    # several cities and many distinct points per country: location varies within it
    assert events.loc[th, "city"].nunique() >= 5
    assert events.loc[th, ["lat", "long"]].drop_duplicates().shape[0] >= 50


# --------------------------------------------------------------------------- determinism
def test_same_seed_same_frames_other_seed_differs() -> None:
    pd.testing.assert_frame_equal(generate_events(SMALL), generate_events(SMALL))
    pd.testing.assert_frame_equal(generate_requests(SMALL), generate_requests(SMALL))
    other = GeneratorConfig(n_events=SMALL.n_events, n_requests=SMALL.n_requests, seed=8)
    a, b = generate_events(SMALL), generate_events(other)
    assert not set(a["id"]) & set(b["id"])
    assert set(campaign_offers(SMALL)) != set(campaign_offers(other))
    assert not a["lat"].equals(b["lat"])


def test_streams_are_independent_of_other_sizes() -> None:
    """Requests do not change with n_events; events do not change with shift."""
    bigger = GeneratorConfig(n_events=3_000, n_requests=SMALL.n_requests, seed=SMALL.seed)
    pd.testing.assert_frame_equal(generate_requests(SMALL), generate_requests(bigger))
    shifted = GeneratorConfig(n_events=SMALL.n_events, n_requests=50, seed=SMALL.seed, shift=1.0)
    pd.testing.assert_frame_equal(generate_events(SMALL), generate_events(shifted))


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_files_are_byte_identical_for_a_seed(tmp_path: Path, fmt: str) -> None:
    meta_a = write_sample(tmp_path / "a", SMALL, fmt)
    meta_b = write_sample(tmp_path / "b", SMALL, fmt)
    assert meta_a == meta_b
    for rel in (f"landing/conversions.{fmt}", f"requests/requests.{fmt}", "sample_meta.json"):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    other = GeneratorConfig(n_events=SMALL.n_events, n_requests=SMALL.n_requests, seed=99)
    write_sample(tmp_path / "c", other, fmt)
    rel = f"landing/conversions.{fmt}"
    assert (tmp_path / "a" / rel).read_bytes() != (tmp_path / "c" / rel).read_bytes()


# ------------------------------------------------------------------------------- formats
def test_json_lines_match_the_seed_format(tmp_path: Path) -> None:
    write_sample(tmp_path, SMALL, "json")
    events, requests = generate_events(SMALL), generate_requests(SMALL)
    lines = (tmp_path / "landing" / "conversions.json").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == SMALL.n_events + 1
    records = [json.loads(line) for line in lines[:-1]]
    assert all(list(r) == SEED_KEYS for r in records)
    assert all(isinstance(v, str) for r in records for v in r.values())
    # compact, UTF-8 (not \u-escaped), exactly what the stdlib writes
    for line, record in zip(lines[:200], records[:200], strict=True):
        assert line == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert records == events.to_dict("records")
    req = _read_jsonl(tmp_path / "requests" / "requests.json")
    assert all(list(r) == list(REQUEST_COLUMNS) for r in req)
    assert req == requests.to_dict("records")


def test_csv_and_parquet_hold_the_same_content(tmp_path: Path) -> None:
    frames = {"conversions": generate_events(SMALL), "requests": generate_requests(SMALL)}
    folders = {"conversions": "landing", "requests": "requests"}
    for fmt in ("csv", "parquet"):
        write_sample(tmp_path / fmt, SMALL, fmt)
    for name, expected in frames.items():
        base = tmp_path / "csv" / folders[name] / f"{name}.csv"
        # every value is a string; "NA" (Namibia) and "" must not become missing
        from_csv = pd.read_csv(base, dtype=str, keep_default_na=False)
        from_parquet = pq.read_table(tmp_path / "parquet" / folders[name] / f"{name}.parquet")
        assert from_parquet.column_names == list(expected.columns)
        assert from_csv.columns.tolist() == list(expected.columns)
        exp = expected.to_dict("list")
        assert from_csv.to_dict("list") == exp
        assert from_parquet.to_pydict() == exp


def test_meta_describes_the_sample(tmp_path: Path) -> None:
    meta = write_sample(tmp_path, SMALL, "json")
    on_disk = json.loads((tmp_path / "sample_meta.json").read_text(encoding="utf-8"))
    assert on_disk == meta
    assert {"seed", "n_events", "n_requests", "campaigns", "bayes_error"} <= set(meta)
    assert meta["seed"] == SMALL.seed and meta["n_events"] == SMALL.n_events
    assert meta["n_requests"] == SMALL.n_requests
    offers = campaign_offers(SMALL)
    assert meta["campaigns"] == {cid: {"offers": list(o)} for cid, o in offers.items()}
    requests = generate_requests(SMALL)
    assert meta["bayes_error"] == pytest.approx(bayes_error(requests, SMALL), abs=1e-12)
    assert meta["bayes_error_by_campaign"] == pytest.approx(
        bayes_error_by_campaign(requests, SMALL), abs=1e-12
    )


def test_cli_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--out", str(tmp_path), "--events", "300", "--requests", "50", "--campaigns", "2"]
    assert main([*args, "--seed", "5", "--format", "csv", "--shift", "0.5"]) == 0
    out = capsys.readouterr().out.strip()
    assert "\n" not in out and "300 events" in out and "bayes_error=" in out
    assert (tmp_path / "landing" / "conversions.csv").exists()
    meta = json.loads((tmp_path / "sample_meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 5 and len(meta["campaigns"]) == 2 and meta["shift"] == 0.5
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path), "--shift", "2"])


@pytest.mark.parametrize(
    "kwargs",
    [{"n_events": -1}, {"n_campaigns": 0}, {"seed": -3}, {"shift": 1.5}, {"shift": -0.1}],
)
def test_config_rejects_bad_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        GeneratorConfig(**kwargs)


# -------------------------------------------------------------------------- ground truth
def test_true_probabilities_are_distributions(requests: pd.DataFrame) -> None:
    probs = true_offer_probabilities(requests, CFG)
    assert list(probs) == list(campaign_offers(CFG))
    for cid, p in probs.items():
        assert p.shape == (len(requests), len(campaign_offers(CFG)[cid]))
        assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1.0)
    only = true_offer_probabilities(requests, CFG, campaigns=[next(iter(probs))])
    assert list(only) == [next(iter(probs))]
    with pytest.raises(KeyError):
        true_offer_probabilities(requests, CFG, campaigns=["not-a-campaign"])


def test_true_probabilities_depend_only_on_features(requests: pd.DataFrame) -> None:
    """Only FEATURE_COLUMNS matter; numeric coordinates work like strings."""
    head = requests.head(300)
    base = true_offer_probabilities(head, CFG)
    scrambled = head.copy()
    for col in ("id", "city", "isp", "network", "dOsVersion", "dBrowserVersion"):
        scrambled[col] = scrambled[col].sample(frac=1.0, random_state=1).to_numpy()
    numeric = head.assign(lat=head["lat"].astype(float), long=head["long"].astype(float))
    for frame in (scrambled, numeric, head[list(FEATURE_COLUMNS)]):
        other = true_offer_probabilities(frame, CFG)
        for cid in base:
            np.testing.assert_allclose(other[cid], base[cid], rtol=0, atol=1e-12)
    # every modelled feature moves the probabilities somewhere
    for col in FEATURE_COLUMNS:
        moved = head.assign(**{col: head[col].sample(frac=1.0, random_state=2).to_numpy()})
        changed = true_offer_probabilities(moved, CFG)
        assert any(not np.allclose(changed[c], base[c]) for c in base), col
    # unseen values and unparsable coordinates still give distributions
    odd = head.assign(country="ZZ", dBrowser="Netscape", dOs="OS/2", lat="", long="x")
    for p in true_offer_probabilities(odd, CFG).values():
        assert np.allclose(p.sum(axis=1), 1.0)


def test_bayes_error_matches_independent_formula(requests: pd.DataFrame) -> None:
    own = _own_probabilities(requests, CFG)
    reference = float(np.mean([1.0 - p.max() for p in own]))
    assert bayes_error(requests, CFG) == pytest.approx(reference, abs=1e-12)
    by_campaign = bayes_error_by_campaign(requests, CFG)
    assert set(by_campaign) == set(requests["campaign"])
    for cid, value in by_campaign.items():
        mask = (requests["campaign"] == cid).to_numpy()
        ref = np.mean([1.0 - p.max() for p, m in zip(own, mask, strict=True) if m])
        assert value == pytest.approx(float(ref), abs=1e-12)
    counts = requests["campaign"].value_counts()
    weighted = sum(by_campaign[c] * counts[c] for c in by_campaign) / len(requests)
    assert weighted == pytest.approx(bayes_error(requests, CFG), abs=1e-12)
    # oracle predictions are the argmax of the same probabilities
    offers = campaign_offers(CFG)
    pred = oracle_predict(requests, CFG)
    campaigns = requests["campaign"].tolist()
    assert all(pred[i] == offers[c][int(np.argmax(own[i]))] for i, c in enumerate(campaigns))


def test_bayes_error_matches_monte_carlo(requests: pd.DataFrame) -> None:
    """Draw offers from the true probabilities, predict the argmax, count the errors."""
    own = np.array([p.max() for p in _own_probabilities(requests, CFG)])
    expected = bayes_error(requests, CFG)
    rng = np.random.default_rng(2024)
    repeats = 20
    # an argmax prediction is wrong with probability 1 - max p: simulate the draws
    wrong = 0
    probs = _own_probabilities(requests, CFG)
    for p in probs:
        drawn = rng.choice(len(p), size=repeats, p=p)
        wrong += int(np.sum(drawn != np.argmax(p)))
    empirical = wrong / (len(probs) * repeats)
    sigma = math.sqrt(expected * (1 - expected) / (len(own) * repeats))
    assert abs(empirical - expected) < 5 * sigma
    helper = empirical_bayes_error(requests, CFG, seed=1, repeats=repeats)
    assert abs(helper - expected) < 5 * sigma


def test_generated_offers_follow_the_true_probabilities(events: pd.DataFrame) -> None:
    """Oracle error on the events matches the Bayes error; probabilities are calibrated."""
    expected = bayes_error(events, CFG)
    sigma = math.sqrt(expected * (1 - expected) / len(events))
    assert abs(oracle_error(events, CFG) - expected) < 5 * sigma
    # the check has power: offers shuffled within each campaign lose the signal
    shuffled = events.copy()
    shuffled["offer"] = shuffled.groupby("campaign")["offer"].transform(
        lambda s: s.sample(frac=1.0, random_state=3).to_numpy()
    )
    assert oracle_error(shuffled, CFG) > expected + 20 * sigma
    probs = true_offer_probabilities(events, CFG)
    for cid, offers in campaign_offers(CFG).items():
        mask = (events["campaign"] == cid).to_numpy()
        p = probs[cid][mask]
        observed = events.loc[mask, "offer"].to_numpy(dtype=object)
        for k, offer in enumerate(offers):
            hit = observed == offer
            se = math.sqrt(np.sum(p[:, k] * (1 - p[:, k]))) / mask.sum()
            assert abs(hit.mean() - p[:, k].mean()) < 5 * se + 1e-9, (cid, offer)
            # calibration within the confident and the unsure halves
            high = p[:, k] > np.median(p[:, k])
            for part in (high, ~high):
                se_part = math.sqrt(np.sum(p[part, k] * (1 - p[part, k]))) / part.sum()
                assert abs(hit[part].mean() - p[part, k].mean()) < 5 * se_part + 1e-9


def test_bayes_error_is_in_the_learnable_range(events: pd.DataFrame) -> None:
    """Hard enough to need a model, easy enough to learn: Bayes error well below the
    majority-class error and roughly 0.15-0.35 per campaign."""
    by_campaign = bayes_error_by_campaign(events, CFG)
    assert all(0.15 <= v <= 0.35 for v in by_campaign.values()), by_campaign
    for cid, group in events.groupby("campaign"):
        majority_error = 1.0 - group["offer"].value_counts(normalize=True).iloc[0]
        assert by_campaign[cid] < majority_error - 0.05


# ------------------------------------------------------------------------------- drift
def test_shift_moves_the_request_distribution() -> None:
    base_cfg = GeneratorConfig(n_events=10, n_requests=8_000, seed=CFG.seed)
    shifted_cfg = GeneratorConfig(n_events=10, n_requests=8_000, seed=CFG.seed, shift=1.0)
    base, shifted = generate_requests(base_cfg), generate_requests(shifted_cfg)
    assert list(shifted.columns) == list(REQUEST_COLUMNS)
    for col in ("country", "dBrowser", "dOs"):
        p, q = _share(base[col]), _share(shifted[col])
        tv = 0.5 * p.sub(q, fill_value=0.0).abs().sum()
        assert tv > 0.1, (col, tv)
        # towards the tail: values rare in the base sample gain share
        rare = p.index[p < 0.01]
        assert q.reindex(rare, fill_value=0.0).sum() > 2 * p[rare].sum(), col
        assert q.iloc[0] < p.iloc[0]
    assert shifted["lat"].astype(float).mean() > base["lat"].astype(float).mean() + 1.0
    assert shifted["long"].astype(float).mean() < base["long"].astype(float).mean() - 1.0
    # a little shift moves less than a lot
    mild = generate_requests(
        GeneratorConfig(n_events=10, n_requests=8_000, seed=CFG.seed, shift=0.2)
    )
    top = _share(base["country"]).index[0]
    assert (
        _share(shifted["country"])[top]
        < _share(mild["country"])[top]
        < _share(base["country"])[top]
    )
    # the ground truth still applies to shifted requests
    value = bayes_error(shifted, shifted_cfg)
    assert 0.0 < value < 1.0


def test_large_string_path_writes_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Samples above the 32-bit-offset threshold use large strings; output is unchanged."""
    from warehouse_ml.generator import sampling

    write_sample(tmp_path / "small", SMALL, "json")
    expected = generate_events(SMALL)
    monkeypatch.setattr(sampling, "_LARGE_STRING_ROWS", 10)
    assert pa.types.is_large_string(sampling._events_table(SMALL).schema.field("id").type)
    pd.testing.assert_frame_equal(generate_events(SMALL), expected)
    for fmt in ("json", "csv", "parquet"):
        write_sample(tmp_path / fmt, SMALL, fmt)
    rel = "landing/conversions.json"
    assert (tmp_path / "json" / rel).read_bytes() == (tmp_path / "small" / rel).read_bytes()
    table = pq.read_table(tmp_path / "parquet" / "landing" / "conversions.parquet")
    assert table.to_pydict() == expected.to_dict("list")
    from_csv = pd.read_csv(
        tmp_path / "csv" / "landing" / "conversions.csv", dtype=str, keep_default_na=False
    )
    assert from_csv.to_dict("list") == expected.to_dict("list")


def test_shifted_requests_get_fresh_ids() -> None:
    plain = generate_requests(GeneratorConfig(n_events=100, n_requests=50, seed=3))
    shifted = generate_requests(GeneratorConfig(n_events=100, n_requests=50, seed=3, shift=1.0))
    assert set(plain["id"]).isdisjoint(shifted["id"])
    again = generate_requests(GeneratorConfig(n_events=100, n_requests=50, seed=3, shift=1.0))
    assert again["id"].tolist() == shifted["id"].tolist()
