"""Reference data (dbt seeds): loaded by `dbt build`, names shown beside ids.

The shipped CSVs name the demo's campaigns and offers and the real sample's;
anything they do not name falls back to its id, and a user's own CSVs replace
them on the next build.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import FAST_VARS, ROOT, SHARED, Warehouse, copy_project

from warehouse_ml.generator import GeneratorConfig
from warehouse_ml.generator.campaigns import campaign_offers

SEEDS = ROOT / "seeds"
NAMED_MODELS = (
    "offer_predictions",
    "offer_scores",
    "export_offer_predictions",
    "export_offer_scores",
)


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_seed(folder: Path, name: str, rows: list[dict[str, str]]) -> None:
    with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_shipped_seeds_name_the_demo_and_the_real_sample() -> None:
    campaigns = {row["campaign_id"] for row in read_seed("campaign_names")}
    offers = {(row["campaign_id"], row["offer_id"]) for row in read_seed("offer_names")}
    demo = campaign_offers(GeneratorConfig())
    real = [json.loads(line) for line in (SHARED / "data" / "conversions.json").open()]
    expected = {(c, o) for c, ids in demo.items() for o in ids} | {
        (r["campaign"], r["offer"]) for r in real
    }
    assert offers == expected
    assert campaigns == {c for c, _ in expected}

    countries = read_seed("country_regions")
    codes = [row["country_code"] for row in countries]
    assert len(codes) == len(set(codes)) == 249
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in codes)
    assert {r["country"] for r in real} <= set(codes)
    assert all(row["country_name"] and row["region"] and row["sub_region"] for row in countries)


def test_build_loads_the_seeds(generated: Warehouse) -> None:
    for name in ("campaign_names", "offer_names", "country_regions"):
        assert generated.query(f"select count(*) from {name}") == [(len(read_seed(name)),)]
    assert generated.query(
        "select country_name, region, sub_region from country_regions where country_code = 'TH'"
    ) == [("Thailand", "Asia", "South-eastern Asia")]
    types = dict(generated.query("select column_name, column_type from (describe offer_names)"))
    assert set(types.values()) == {"VARCHAR"}


def test_ids_the_seeds_do_not_name_are_shown_as_ids(generated: Warehouse) -> None:
    # The fixture's generator seed (5) makes campaigns the shipped seeds do not name.
    assert generated.query(
        "select count(*) from offer_predictions as p "
        "join campaign_names as n on p.campaign_id = n.campaign_id"
    ) == [(0,)]
    for model, offer in [
        ("offer_predictions", "predicted_offer"),
        ("offer_scores", "offer"),
        ("export_offer_predictions", "predicted_offer"),
        ("export_offer_scores", "offer"),
    ]:
        total, fallen_back = generated.query(
            f"select count(*), count(*) filter (where campaign_name = campaign_id "
            f"and {offer}_name is not distinct from {offer}_id) from {model}"
        )[0]
        assert total == fallen_back > 0, model
    assert generated.query(
        "select count(*) from export_ml_predictions "
        "where group_name <> group_id or predicted_label_name is distinct from predicted_label"
    ) == [(0,)]


@pytest.fixture(scope="module")
def renamed(generated: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The generated warehouse rebuilt from a project whose user replaced the
    name seeds: two of the three campaigns named (ids in upper case, as a user's
    file may have them), and one offer of each of those."""
    base = tmp_path_factory.mktemp("renamed")
    shutil.copy(generated.path, base / "w.duckdb")
    project = copy_project(base / "project")  # seeds/ included: the user edits them in place
    wh = Warehouse(base / "w.duckdb", generated.landing, generated.requests, project=project)
    served = wh.query(
        "select campaign_id, min(offer_id) from offer_scores group by campaign_id order by 1"
    )
    assert len(served) >= 3
    named = served[:2]
    write_seed(
        project / "seeds",
        "campaign_names",
        [
            {"campaign_id": c.upper(), "campaign_name": f"My campaign {i}"}
            for i, (c, _) in enumerate(named)
        ],
    )
    write_seed(
        project / "seeds",
        "offer_names",
        [
            {"campaign_id": c.upper(), "offer_id": o.upper(), "offer_name": f"My offer {i}"}
            for i, (c, o) in enumerate(named)
        ],
    )
    wh.meta = {"named": named, "unnamed": [c for c, _ in served[2:]], "exports": base / "exports"}
    vars_ = FAST_VARS[:-1] + f", exports_dir: '{base / 'exports'}'}}"
    wh.build("--select", "tag:reference", *NAMED_MODELS, "export_ml_predictions", vars_=vars_)
    return wh


def test_user_replaced_seeds_take_effect(renamed: Warehouse) -> None:
    assert renamed.query("select count(*) from campaign_names") == [(2,)]
    for i, (campaign, offer) in enumerate(renamed.meta["named"]):
        for model in ("offer_scores", "export_offer_scores"):
            names = renamed.query(
                f"select distinct campaign_name, offer_name from {model} "
                "where campaign_id = ? and offer_id = ?",
                [campaign, offer],
            )
            assert names == [(f"My campaign {i}", f"My offer {i}")], model
        # The campaign's other offers are not in the user's file: shown by id.
        assert renamed.query(
            "select count(*) from offer_scores where campaign_id = ? and offer_id <> ? "
            "and offer_name <> offer_id",
            [campaign, offer],
        ) == [(0,)]
        assert renamed.query(
            "select distinct campaign_name from offer_predictions where campaign_id = ?", [campaign]
        ) == [(f"My campaign {i}",)]
        assert renamed.query(
            "select count(*) from export_ml_predictions where group_id = ? and group_name <> ?",
            [campaign, f"My campaign {i}"],
        ) == [(0,)]
    for campaign in renamed.meta["unnamed"]:
        for model in NAMED_MODELS:
            assert renamed.query(
                f"select distinct campaign_name from {model} where campaign_id = ?", [campaign]
            ) == [(campaign,)], model
    offer_names = {(c, o): f"My offer {i}" for i, (c, o) in enumerate(renamed.meta["named"])}
    rows = renamed.query(
        "select campaign_id, predicted_offer_id, predicted_offer_name from offer_predictions "
        "where predicted_offer_id is not null"
    )
    assert rows
    assert all(name == offer_names.get((c, o), o) for c, o, name in rows)
    exported = (renamed.meta["exports"] / "offer_predictions.csv").read_text(encoding="utf-8")
    assert "My campaign 0" in exported
