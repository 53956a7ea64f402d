"""The HTTP endpoint: one scoring request in, the serving model's answer out.

``GET /predict/{campaign}`` analyses the caller as the seed's API did: its
User-Agent header (or ``ua=``) gives OS, browser and device type, its address
(or ``ip=``) gives country, city and coordinates when a GeoIP database is
configured; query parameters named like record fields override both, and
``input=`` scores an explicit feature vector. ``POST /predict/{campaign}``
scores a JSON record as the batch path would score the same landed record:
only its own fields, plus ``ua``/``ip`` fields when it asks for that analysis.
``/models/{model_name}/predict/{group}`` does the same for any spec that
scores request records. ``GET /health`` lists the loaded models.

Work per request is about a millisecond of CPU, so handlers run on the event
loop (no thread hand-off); loading models runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import math
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from warehouse_ml.serve.encoding import encode_record, parse_vector
from warehouse_ml.serve.geoip import GEOIP_ENV, GeoIp, open_geoip
from warehouse_ml.serve.models import (
    Loaded,
    ModelStore,
    ServingModel,
    SpecInfo,
    score_on_one_thread,
)
from warehouse_ml.serve.records import RECORD_FIELDS, RequestError, stage_record
from warehouse_ml.serve.user_agent import parse_user_agent, warm_up

__all__ = [
    "DEFAULT_MODEL",
    "WORKER_DB_ENV",
    "WORKER_REFRESH_ENV",
    "app_from_environment",
    "create_app",
]

DEFAULT_MODEL = "offer_conversion"
#: How `wml serve --workers N` tells each worker process its warehouse and poll interval.
WORKER_DB_ENV = "WML_SERVE_DB"
WORKER_REFRESH_ENV = "WML_SERVE_REFRESH_SECONDS"
MAX_BODY_BYTES = 64 * 1024
NO_GEOIP = "IP lookup is off: no GeoIP database configured (wml serve --geoip PATH or WML_GEOIP_DB)"


class _Json(JSONResponse):
    """An answer rendered by orjson: a fifth of the standard library's time per answer."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def _error(status: int, message: str) -> JSONResponse:
    return _Json({"error": message, "status": status}, status_code=status)


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _client_ip(request: Request) -> str | None:
    """The caller's address, when it is an IP one (not a test client's or a socket's name)."""
    host = request.client.host if request.client else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None


def _model_for(loaded: Loaded, model_name: str, group: str) -> tuple[ServingModel, SpecInfo]:
    spec = loaded.specs.get(model_name)
    if spec is None:
        known = ", ".join(sorted(loaded.specs)) or "none"
        raise RequestError(
            f"no model spec named {model_name!r} scores request records (known: {known})", 404
        )
    group_id = group.strip()
    if spec.group_key == "campaign_id":
        # Staging lower-cases campaign ids, so the registry's group ids are lower case.
        group_id = group_id.lower()
    elif spec.group_key is None:
        group_id = "all"
    model = loaded.models.get((model_name, group_id))
    if model is None:
        noun = (spec.group_key or "model spec").removesuffix("_id")
        raise RequestError(
            f"no serving model for {noun} {group!r} of {model_name} "
            "(unknown, none trained, or none passed the quality gate)",
            404,
        )
    return model, spec


def _analysed(
    fields: Mapping[str, Any], ua: str | None, ip: str | None, geoip: GeoIp | None
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The raw record (given fields over geo over user-agent ones), where each came
    from, and notices."""
    notices: list[str] = []
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if ua:
        for column, value in parse_user_agent(ua).as_dict().items():
            if column in RECORD_FIELDS:
                raw[column], origin[column] = value, "user_agent"
    if ip:
        try:
            ip = str(ipaddress.ip_address(ip.strip()))
        except ValueError as exc:
            raise RequestError(f"ip {ip[:100]!r} is not an IP address") from exc
        if geoip is None:
            notices.append(NO_GEOIP)
        else:
            found, notice = geoip.lookup(ip)
            if notice:
                notices.append(notice)
            for column, value in found.items():
                raw[column], origin[column] = value, "geoip"
    for name, value in fields.items():
        column = next((c for c, f in RECORD_FIELDS.items() if name in (c, f)), None)
        if column is not None and value is not None:
            # A given field replaces the analysed one (both names of it, so none disagree).
            raw.pop(column, None)
            origin[column] = "request"
        raw[name] = value
    return raw, origin, notices


def _answer(
    loaded: Loaded,
    model: ServingModel,
    spec: SpecInfo,
    x: np.ndarray,
    source: dict[str, Any],
    notices: list[str],
    request_id: str | None,
) -> dict[str, Any]:
    proba = model.probabilities(x)
    order = sorted(range(len(proba)), key=lambda i: (-proba[i], i))
    label_key = spec.label_column.removesuffix("_id")
    is_campaign = spec.group_key == "campaign_id"

    def entry(i: int) -> dict[str, Any]:
        label = model.labels[i]
        item: dict[str, Any] = {"index": i, label_key: label, "probability": float(proba[i])}
        if is_campaign:
            item["name"] = loaded.offer_names.get((model.group_id, label), label)
        return item

    predictions = [entry(i) for i in order]
    answer: dict[str, Any] = {
        "model_name": model.model_name,
        "model_id": model.model_id,
        "group_key": spec.group_key,
        "group_id": model.group_id,
    }
    if is_campaign:
        answer["campaign"] = model.group_id
    if request_id is not None:
        answer["request_id"] = request_id
    answer.update(
        {
            "predicted": predictions[0],
            "predictions": predictions,
            "mappings": {
                c: _number(v) for c, v in zip(model.feature_columns, x.tolist(), strict=True)
            },
            "input": [_number(v) for v in x.tolist()],
            "source": source,
            "names": {
                "campaign": loaded.campaign_names.get(model.group_id, model.group_id),
                "offers": {p[label_key]: p["name"] for p in predictions},
            }
            if is_campaign
            else {},
            "notices": notices,
        }
    )
    return answer


def _score(
    loaded: Loaded,
    model_name: str,
    group: str,
    fields: Mapping[str, Any],
    ua: str | None,
    ip: str | None,
    geoip: GeoIp | None,
) -> dict[str, Any]:
    model, spec = _model_for(loaded, model_name, group)
    request_id = fields.get("id")
    if request_id is not None and not isinstance(request_id, str | int):
        raise RequestError("id must be text or a number")
    vector = fields.get("input")
    if vector is not None and str(vector).strip() != "":
        if not isinstance(vector, str):
            raise RequestError("input must be comma-separated numbers in one string")
        x = parse_vector(model, vector)
        notices = []
        if any(k in fields for k in (*RECORD_FIELDS, *RECORD_FIELDS.values())) or ua or ip:
            notices.append("input given: the record's fields, user agent and IP were not used")
        source = {"input": {"value": vector, "from": "request"}}
        rid = None if request_id is None else str(request_id)
        return _answer(loaded, model, spec, x, source, notices, rid)
    raw, origin, notices = _analysed(fields, ua, ip, geoip)
    named = fields.get("campaign")
    if isinstance(named, str) and named.strip().lower() not in ("", group.strip().lower()):
        notices.append(f"campaign field {named[:100]!r} ignored: the path's {group!r} is scored")
    staged, ignored = stage_record(raw)
    if ignored:
        notices.append("ignored fields: " + ", ".join(ignored))
    x, unseen = encode_record(model, staged)
    for column in unseen:
        what = "the __other__ level" if column in model.other else "no one-hot column"
        given = staged[column]
        notices.append(f"{column} {given!r} is not a kept level (rare or unseen): {what}")
    source = {
        column: {"value": value, "from": origin.get(column, "request")}
        for column, value in staged.items()
    }
    rid = None if request_id is None else str(request_id)
    return _answer(loaded, model, spec, x, source, notices, rid)


def create_app(store: ModelStore, geoip: GeoIp | None = None) -> Starlette:
    """The ASGI app serving ``store``'s models; polls the warehouse while it runs."""

    def loaded() -> Loaded:
        if store.current is None:
            raise RequestError(
                f"no models loaded yet from {store.path}: {store.last_error or 'loading'}", 503
            )
        return store.current

    async def predict_get(request: Request) -> JSONResponse:
        params = request.query_params
        fields: dict[str, Any] = {k: params[k] for k in params if k not in ("ua", "ip")}
        ua = params["ua"] if "ua" in params else request.headers.get("user-agent")
        ip = params["ip"] if "ip" in params else _client_ip(request)
        return _respond(request, fields, ua, ip)

    async def predict_post(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise RequestError(f"body over {MAX_BODY_BYTES} bytes", 413)
        try:
            fields = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RequestError(f"body is not valid JSON: {exc}") from exc
        if not isinstance(fields, dict):
            raise RequestError("body must be a JSON object of the record's fields")
        try:
            # JSON's \ud800 escapes decode to lone surrogates that no answer could encode.
            json.dumps(fields, ensure_ascii=False).encode()
        except UnicodeEncodeError as exc:
            raise RequestError("body has text that is not valid Unicode (lone surrogate)") from exc
        ua, ip = fields.pop("ua", None), fields.pop("ip", None)
        for name, value in (("ua", ua), ("ip", ip)):
            if value is not None and not isinstance(value, str):
                raise RequestError(f"{name} must be text")
        return _respond(request, fields, ua, ip)

    def _respond(
        request: Request, fields: dict[str, Any], ua: str | None, ip: str | None
    ) -> JSONResponse:
        params = request.path_params
        model_name = params.get("model_name", DEFAULT_MODEL)
        answer = _score(loaded(), model_name, params["group"], fields, ua, ip, geoip)
        return _Json(answer)

    async def predict(request: Request) -> JSONResponse:
        if request.method == "POST":
            return await predict_post(request)
        return await predict_get(request)

    async def health(request: Request) -> JSONResponse:
        report = store.health()
        report["geoip"] = str(geoip.path) if geoip else None
        return _Json(report, status_code=200 if store.current else 503)

    async def request_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestError)
        return _error(exc.status, str(exc))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        score_on_one_thread()  # handlers score in this (the event loop's) thread
        await asyncio.to_thread(warm_up)
        await asyncio.to_thread(store.refresh)
        task = asyncio.create_task(_poll(store))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    methods = ["GET", "POST"]
    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/predict/{group}", predict, methods=methods),
            Route("/models/{model_name}/predict/{group}", predict, methods=methods),
        ],
        exception_handlers={RequestError: request_error, HTTPException: http_error},
        lifespan=lifespan,
    )


async def _poll(store: ModelStore) -> None:
    while True:
        await asyncio.sleep(store.refresh_seconds)
        await asyncio.to_thread(store.refresh)


def app_from_environment() -> Starlette:
    """The app of one ``wml serve --workers N`` process. uvicorn starts each worker by
    importing this factory by name, so the command's options arrive in the environment."""
    store = ModelStore(Path(os.environ[WORKER_DB_ENV]), float(os.environ[WORKER_REFRESH_ENV]))
    return create_app(store, open_geoip(os.environ.get(GEOIP_ENV) or None))
