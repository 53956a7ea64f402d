"""`wml serve` on a warehouse built by real dbt: its answers equal the batch tables,
bad input gets a 4xx, a new champion is served without a restart, and it works
over a real socket."""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from conftest import Warehouse
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from starlette.testclient import TestClient

from warehouse_ml.serve import GeoIp, ModelStore, create_app

pytestmark = pytest.mark.dbt

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/15.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture(scope="module")
def client(generated: Warehouse) -> Iterator[TestClient]:
    with TestClient(create_app(ModelStore(generated.path, refresh_seconds=60))) as c:
        yield c


def batch_answers(wh: Warehouse) -> dict[str, dict]:
    """Per accepted request: its landed record and the batch tables' answer."""
    rows = wh.query(
        "select r.request_id, r.campaign_id, r.record, p.model_id, p.predicted_offer_id, "
        "p.probability, p.scoring_error "
        "from stg_landing__requests as r inner join offer_predictions as p using (request_id) "
        "where r.reject_reason is null order by r.request_id"
    )
    scores: dict[str, list] = {}
    for request_id, offer_id, probability, rank in wh.query(
        "select request_id, offer_id, probability, rank from offer_scores order by request_id, rank"
    ):
        scores.setdefault(request_id, []).append((offer_id, probability, rank))
    return {
        r[0]: {
            "campaign": r[1],
            "record": r[2],
            "model_id": r[3],
            "offer": r[4],
            "probability": r[5],
            "error": r[6],
            "scores": scores.get(r[0], []),
        }
        for r in rows
    }


def assert_same_as_batch(answer: dict, expected: dict) -> None:
    assert answer["model_id"] == expected["model_id"]
    assert answer["predicted"]["offer"] == expected["offer"]
    assert abs(answer["predicted"]["probability"] - expected["probability"]) <= 1e-6
    served = [(p["offer"], p["probability"]) for p in answer["predictions"]]
    assert [s[0] for s in served] == [s[0] for s in expected["scores"]]
    for (_, got), (_, want, _) in zip(served, expected["scores"], strict=True):
        assert abs(got - want) <= 1e-6


def test_posted_records_get_the_batch_tables_answers(
    generated: Warehouse, client: TestClient
) -> None:
    expected = batch_answers(generated)
    scored = [e for e in expected.values() if e["error"] is None]
    assert len(scored) > 500
    n_vectors = 0
    for request_id, want in expected.items():
        response = client.post(f"/predict/{want['campaign']}", content=want["record"])
        if want["error"] is None:
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["request_id"] == request_id
            assert_same_as_batch(answer, want)
            n_vectors += "input" in answer["source"]
        else:
            # The batch path's reason, as a 4xx (404: no model for the campaign).
            assert 400 <= response.status_code < 500, (want["error"], response.text)
            if want["error"].startswith("input"):
                assert response.json()["error"] == want["error"]
    assert n_vectors > 0 or not any("input" in json.loads(e["record"]) for e in scored)


def test_an_answer_has_every_part_the_issue_names(generated: Warehouse, client: TestClient) -> None:
    campaign, record = generated.query(
        "select r.campaign_id, r.record from stg_landing__requests as r "
        "inner join offer_predictions as p using (request_id) "
        "where p.scoring_error is null and r.record not like '%\"input\"%' limit 1"
    )[0]
    answer = client.post(f"/predict/{campaign.upper()}", content=record).json()
    model_id, columns, classes = generated.query(
        "select model_id, ml_models.feature_columns, ml_models.classes from ml_models join ml_serving_models "
        "using (model_id) where ml_serving_models.model_name = 'offer_conversion' "
        "and ml_serving_models.group_id = ?",
        [campaign],
    )[0]
    assert answer["model_name"] == "offer_conversion" and answer["campaign"] == campaign
    assert answer["model_id"] == model_id
    assert list(answer["mappings"]) == json.loads(columns)
    assert list(answer["mappings"].values()) == answer["input"]
    assert {p["offer"] for p in answer["predictions"]} == set(json.loads(classes))
    probabilities = [p["probability"] for p in answer["predictions"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert abs(sum(probabilities) - 1) < 1e-5
    assert answer["predicted"] == answer["predictions"][0]
    assert {v["from"] for v in answer["source"].values()} == {"request"}
    named = generated.query(
        "select table_name from information_schema.tables where table_name = 'campaign_names'"
    )
    campaign_name = campaign
    if named:
        found = generated.query(
            "select campaign_name from campaign_names where lower(trim(campaign_id)) = ?",
            [campaign],
        )
        campaign_name = found[0][0] if found else campaign
    assert answer["names"]["campaign"] == campaign_name
    assert set(answer["names"]["offers"]) == set(json.loads(classes))


def test_get_analyses_the_user_agent_and_takes_fields_and_vectors(
    generated: Warehouse, client: TestClient
) -> None:
    campaign = _offer_campaign(generated)
    answer = client.get(
        f"/predict/{campaign}", params={"country": "TH"}, headers={"User-Agent": IPHONE}
    ).json()
    assert answer["source"]["dos"] == {"value": "iOS", "from": "user_agent"}
    assert answer["source"]["dtype"] == {"value": "mobile", "from": "user_agent"}
    assert answer["source"]["country"] == {"value": "TH", "from": "request"}
    # A field given explicitly wins over the analysed one.
    android = client.get(f"/predict/{campaign}", params={"ua": IPHONE, "dOs": "Android"}).json()
    assert android["source"]["dos"] == {"value": "Android", "from": "request"}
    # The testclient's address is no IP: nothing to look up, so no GeoIP notice.
    assert not any("GeoIP" in n for n in answer["notices"])
    with_ip = client.get(f"/predict/{campaign}", params={"ip": "81.2.69.7"}).json()
    assert any(n.startswith("IP lookup is off") for n in with_ip["notices"])
    # The encoded input sent back as ?input= gives the same answer.
    vector = ",".join("" if v is None else repr(v) for v in answer["input"])
    again = client.get(f"/predict/{campaign}", params={"input": vector}).json()
    assert again["predictions"] == answer["predictions"] and again["input"] == answer["input"]


def _offer_campaign(wh: Warehouse) -> str:
    """A campaign the offer model serves."""
    return wh.query(
        "select group_id from ml_serving_models where model_name = 'offer_conversion' limit 1"
    )[0][0]


def kept_country(wh: Warehouse) -> tuple[str, str, str]:
    """A campaign with a serving model, a country it kept as a level, and its column."""
    return wh.query(
        "select s.group_id, l.category, l.feature_name "
        "from ml_serving_models as s join fit_category_levels as l "
        "using (fitted_state_id, model_name, group_id) where s.model_name = 'offer_conversion' "
        "and l.column_name = 'country' and l.feature_index is not null limit 1"
    )[0]


def write_city_db(path: Path, country: str) -> Path:
    """A GeoIP2-City database placing 81.2.69.0/24 in ``country``."""
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {
            "country": {"iso_code": country},
            "city": {"names": {"en": "Somewhere"}},
            "location": {"latitude": 12.5, "longitude": -70.25},
        },
    )
    writer.to_db_file(str(path))
    return path


def test_an_ip_is_looked_up_in_a_configured_geoip_database(
    generated: Warehouse, tmp_path: Path
) -> None:
    campaign, country, column = kept_country(generated)
    write_city_db(tmp_path / "city.mmdb", country)
    app = create_app(ModelStore(generated.path), GeoIp(tmp_path / "city.mmdb"))
    with TestClient(app) as geo_client:
        answer = geo_client.get(f"/predict/{campaign}", params={"ip": "81.2.69.7"}).json()
        missing = geo_client.get(f"/predict/{campaign}", params={"ip": "10.0.0.1"}).json()
    assert answer["source"]["country"] == {"value": country, "from": "geoip"}
    assert answer["source"]["lat"] == {"value": 12.5, "from": "geoip"}
    assert answer["mappings"][column] == 1.0
    assert answer["mappings"]["lat"] == 12.5 and answer["mappings"]["long"] == -70.25
    assert answer["notices"] == []
    assert missing["notices"] == ["ip 10.0.0.1 is not in the GeoIP database"]


GARBAGE_BODIES = [
    b"",
    b"{",
    b"[1, 2]",
    b"null",
    b'"text"',
    b"\xff\xfe\x00",
    b'{"lat": "north"}',
    b'{"lat": 200}',
    b'{"long": "1e999"}',
    b'{"input": "1,2,3"}',
    b'{"input": 5}',
    b'{"input": ["1"]}',
    b'{"country": {"a": 1}}',
    b'{"dOs": "iOS", "dos": "Android"}',
    b'{"id": {"x": 1}}',
    b'{"ua": 7}',
    b'{"ip": "not an ip"}',
    b'{"ip": ["1.2.3.4"]}',
    b'{"country": "\\ud800"}',
    b'{"ua": "\\udfff"}',
    b"x" * 70_000,
]


def test_garbage_gets_a_4xx_with_a_message_never_a_500(
    generated: Warehouse, client: TestClient
) -> None:
    campaign = _offer_campaign(generated)
    n_features = generated.query(
        "select n_features from ml_serving_models where group_id = ?", [campaign]
    )[0][0]
    responses = [client.post(f"/predict/{campaign}", content=body) for body in GARBAGE_BODIES]
    responses += [
        client.get(f"/predict/{campaign}", params={"input": ",".join(["1"] * (n_features + 1))}),
        client.get(f"/predict/{campaign}", params={"input": ",".join(["abc"] * n_features)}),
        client.get(f"/predict/{campaign}", params={"lat": "100"}),
        client.get(f"/predict/{campaign}", params={"ip": "999.1.1.1"}),
        client.get("/predict/not-a-campaign"),
        client.get("/predict/00000000-0000-0000-0000-000000000000"),
        client.get(f"/models/no_such_model/predict/{campaign}"),
        client.get("/models/purchase_propensity/predict/all"),
        client.put(f"/predict/{campaign}"),
        client.get("/nowhere"),
    ]
    rng = random.Random(7)
    values = [None, True, 1, -1.5, 1e308, "", " ", "\u2603", "\ud800", "a" * 5000, [], {}, "NaN"]
    fields = ["country", "dOs", "dos", "lat", "long", "input", "id", "ua", "ip", "city", "x"]
    for _ in range(300):
        record = {rng.choice(fields): rng.choice(values) for _ in range(rng.randint(0, 5))}
        # Encoded here: the client would refuse the lone surrogate, a server must not.
        responses.append(client.post(f"/predict/{campaign}", content=json.dumps(record)))
    for response in responses:
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            body = response.json()
            assert body["status"] == response.status_code and body["error"]
    statuses = [r.status_code for r in responses[: len(GARBAGE_BODIES) + 10]]
    assert statuses[: len(GARBAGE_BODIES)] == [400] * (len(GARBAGE_BODIES) - 1) + [413]
    assert statuses[len(GARBAGE_BODIES) :] == [400, 400, 400, 400, 404, 404, 404, 404, 405, 404]
    assert responses[len(GARBAGE_BODIES)].json()["error"] == (
        f"input has {n_features + 1} values, the model expects {n_features}"
    )


def promote_a_copy_of_the_champion(path: Path, campaign: str) -> str:
    """What a build that promotes a new champion does to the registry: append a newer
    champion row (here the same trees under a new id). Returns the new model id."""
    new_id = "00000000-0000-4000-8000-000000000001"
    code = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        'con.execute("insert into ml_models select * replace (? as model_id, '
        "trained_at + interval 1 hour as trained_at) from ml_models where model_id = "
        "(select model_id from ml_serving_models where model_name = 'offer_conversion' "
        'and group_id = ?)", [sys.argv[2], sys.argv[3]])\n'
        "con.close()\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path), new_id, campaign], check=True)
    return new_id


def test_a_new_champion_is_served_without_a_restart_and_a_locked_file_keeps_the_old(
    generated: Warehouse, tmp_path: Path
) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(generated.path, copy)
    campaign = _offer_campaign(generated)
    store = ModelStore(copy, refresh_seconds=0.2)
    with TestClient(create_app(store)) as c:
        before = c.get(f"/predict/{campaign}", params={"country": "TH"}).json()
        # A writer holding the file (as dbt build does): the loaded models keep serving.
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                "c.execute('create table serve_test_lock as select 1 as x'); "
                "print('locked', flush=True); time.sleep(60)",
                str(copy),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            deadline = time.time() + 10
            while c.get("/health").json()["last_error"] is None and time.time() < deadline:
                time.sleep(0.1)
            health = c.get("/health").json()
            assert "lock" in health["last_error"].lower(), health
            during = c.get(f"/predict/{campaign}", params={"country": "TH"}).json()
            assert during["model_id"] == before["model_id"]
        finally:
            holder.kill()
            holder.wait()
        # The server re-reads the file the holder changed; once it has, it stops opening
        # the file until the next change, so the promoting writer does not meet its lock.
        deadline = time.time() + 15
        while c.get("/health").json()["last_error"] is not None and time.time() < deadline:
            time.sleep(0.1)
        new_id = promote_a_copy_of_the_champion(copy, campaign)
        deadline = time.time() + 15
        after = before
        while after["model_id"] != new_id and time.time() < deadline:
            time.sleep(0.1)
            after = c.get(f"/predict/{campaign}", params={"country": "TH"}).json()
        assert after["model_id"] == new_id
        assert after["predictions"] == before["predictions"]
        health = c.get("/health").json()
        assert health["last_error"] is None
        assert health["models"][f"offer_conversion/{campaign}"] == new_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_over_a_real_socket(generated: Warehouse, client: TestClient) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ModelStore(generated.path)), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 30
        while not server.started and time.time() < deadline:
            time.sleep(0.05)
        assert server.started
        campaign = _offer_campaign(generated)
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}") as http:
            assert http.get("/health").json()["status"] == "ok"
            answer = http.get(
                f"/predict/{campaign}", params={"country": "TH"}, headers={"User-Agent": IPHONE}
            ).json()
            bad = http.post(f"/predict/{campaign}", content=b"{nope")
        # A loopback caller is analysed like any other: its address, but no GeoIP database.
        assert any(n.startswith("IP lookup is off") for n in answer["notices"])
        same = client.get(
            f"/predict/{campaign}", params={"country": "TH", "ua": IPHONE, "ip": ""}
        ).json()
        assert answer["predictions"] == same["predictions"]
        assert bad.status_code == 400 and bad.json()["error"].startswith("body is not valid JSON")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_command_with_two_worker_processes_answers_as_the_batch(
    generated: Warehouse, tmp_path: Path
) -> None:
    """`wml serve --workers 2`: uvicorn starts each worker from the app factory, which
    must find the warehouse and the GeoIP database through the environment the command
    sets; a trusted proxy's (loopback's) X-Forwarded-For names the caller looked up."""
    campaign, country, _ = kept_country(generated)
    geoip = write_city_db(tmp_path / "city.mmdb", country)
    port = free_port()
    wml = str(Path(sys.executable).with_name("wml"))
    log = (tmp_path / "serve.log").open("w")
    command = [wml, "serve", "--db", str(generated.path), "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--geoip", str(geoip)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            deadline = time.time() + 120
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                assert server.poll() is None and time.time() < deadline, (
                    tmp_path / "serve.log"
                ).read_text()
                time.sleep(0.2)
            expected = [e for e in batch_answers(generated).values() if e["error"] is None]
            for want in random.Random(5).sample(expected, 20):
                answer = http.post(f"/predict/{want['campaign']}", content=want["record"])
                assert answer.status_code == 200, answer.text
                assert_same_as_batch(answer.json(), want)
            proxied = http.get(
                f"/predict/{campaign}", headers={"X-Forwarded-For": "81.2.69.7"}
            ).json()
            direct = http.get(f"/predict/{campaign}").json()
        assert proxied["source"]["country"] == {"value": country, "from": "geoip"}
        assert direct["notices"] == ["ip 127.0.0.1 is not in the GeoIP database"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
