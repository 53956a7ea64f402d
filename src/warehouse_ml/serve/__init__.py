"""``wml serve``: score one request at a time over HTTP with the warehouse's serving models.

The batch tables (``offer_predictions``, ``offer_scores``) and this endpoint
encode and score a request the same way; the endpoint reads the models from
the DuckDB file and follows the serving set as builds promote new champions.
"""

from warehouse_ml.serve.app import DEFAULT_MODEL, create_app
from warehouse_ml.serve.geoip import GEOIP_ENV, GeoIp, open_geoip
from warehouse_ml.serve.models import ModelStore, ServingModel, load_serving_models
from warehouse_ml.serve.records import RequestError, stage_record
from warehouse_ml.serve.user_agent import parse_user_agent

__all__ = [
    "DEFAULT_MODEL",
    "GEOIP_ENV",
    "GeoIp",
    "ModelStore",
    "RequestError",
    "ServingModel",
    "create_app",
    "load_serving_models",
    "open_geoip",
    "parse_user_agent",
    "stage_record",
]
