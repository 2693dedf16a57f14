"""Fixtures: an emulated Athena (``athena_emulation``) over DuckDB, S3 on the shared moto
server, and configs pointing the connector at them."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest

# --import-mode=importlib puts no test folder on sys.path; this one holds the emulation.
_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from athena_emulation import AthenaEmulation  # noqa: E402

from dataprof import DataSourceConfig  # noqa: E402
from dataprof.testing.moto_server import (  # noqa: E402
    MOTO_ACCESS_KEY_ID,
    MOTO_REGION,
    MOTO_SECRET_ACCESS_KEY,
)
from dataprof_athena.pushdown import forget_function_probes  # noqa: E402

DATABASE = "sales"


@pytest.fixture
def athena(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AthenaEmulation]:
    """The emulation, answering every Athena client boto3 makes during the test."""
    emulation = AthenaEmulation(moto_server, f"athena-{uuid.uuid4().hex[:12]}")
    original = boto3.session.Session.client

    def client(self: boto3.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made = original(self, service_name, *args, **kwargs)  # type: ignore[call-overload]
        if service_name == "athena":
            emulation.install(made)
        return made

    monkeypatch.setattr(boto3.session.Session, "client", client)
    forget_function_probes()
    yield emulation
    forget_function_probes()


def athena_params(endpoint: str, **params: Any) -> dict[str, Any]:
    return {
        "region": MOTO_REGION,
        "endpoint_url": endpoint,
        "access_key_id": MOTO_ACCESS_KEY_ID,
        "secret_access_key": MOTO_SECRET_ACCESS_KEY,
        "query_timeout_s": 60,
        **params,
    }


@pytest.fixture
def make_config(athena: AthenaEmulation) -> Callable[..., DataSourceConfig]:
    """``make_config(table_name, data=None, **params)``: a config for that table, created
    in the emulation first when ``data`` is given."""

    def make(table: str, data: pa.Table | None = None, **params: Any) -> DataSourceConfig:
        if data is not None:
            athena.create_table(DATABASE, table, data)
        return DataSourceConfig(
            source_type="athena",
            database=params.pop("database", DATABASE),
            table=table,
            connection_params=athena_params(athena.moto_endpoint, **params),
        )

    return make
