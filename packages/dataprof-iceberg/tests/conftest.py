"""Shared fixtures: real PyIceberg catalogs with real Parquet files.

- ``sql_warehouse``: a SQL catalog on SQLite with a file warehouse in ``tmp_path``
  (cheap, one per test) and a factory for the connector config that points at it.
- ``moto_endpoint``: dataprof's shared moto server (the ``moto_server`` fixture: 127.0.0.1,
  a free port, one per session) with a bucket for warehouses.
- ``add_position_deletes`` / ``add_equality_deletes``: PyIceberg writes only
  copy-on-write deletes, so merge-on-read delete files (what Spark and Flink write)
  are written here by hand: a real delete file, a real delete manifest, committed
  through PyIceberg's snapshot producer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestContent,
    ManifestEntry,
    ManifestEntryStatus,
    ManifestFile,
    ManifestWriterV2,
)
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Operation
from pyiceberg.table.update.snapshot import _FastAppendFiles
from pyiceberg.typedef import Record

from dataprof import DataSourceConfig
from dataprof.testing.moto_server import MOTO_REGION, aws_client

REGION = MOTO_REGION
BUCKET = "dataprof-warehouse"


@dataclass
class SqlWarehouse:
    root: Path
    catalog: SqlCatalog

    @property
    def uri(self) -> str:
        return f"sqlite:///{self.root / 'catalog.db'}"

    @property
    def warehouse(self) -> str:
        return (self.root / "warehouse").as_uri()

    def config(self, table: str, namespace: str = "ns", **params: Any) -> DataSourceConfig:
        return DataSourceConfig(
            source_type="iceberg",
            database=namespace,
            table=table,
            connection_params={
                "catalog_type": "sql",
                "uri": self.uri,
                "warehouse": self.warehouse,
                **params,
            },
        )

    def create(self, name: str, data: pa.Table, **properties: str) -> Table:
        table = self.catalog.create_table(("ns", name), schema=data.schema, properties=properties)
        if data.num_rows:
            table.append(data)
        return table


@pytest.fixture
def sql_warehouse(tmp_path: Path) -> Iterator[SqlWarehouse]:
    (tmp_path / "warehouse").mkdir()
    catalog = SqlCatalog(
        "default",
        uri=f"sqlite:///{tmp_path / 'catalog.db'}",
        warehouse=(tmp_path / "warehouse").as_uri(),
    )
    catalog.create_namespace("ns")
    yield SqlWarehouse(tmp_path, catalog)
    catalog.engine.dispose()


# -- moto ---------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moto_endpoint(moto_server: str) -> str:
    """dataprof's shared moto server (``dataprof.testing.moto_server``) with a bucket for
    warehouses."""
    aws_client("s3", moto_server, REGION).create_bucket(Bucket=BUCKET)
    return moto_server


@pytest.fixture(scope="session")
def glue_params(moto_endpoint: str) -> dict[str, Any]:
    """connection_params for the Glue catalog on moto (what a user would write)."""
    endpoint = moto_endpoint
    return {
        "catalog_type": "glue",
        "region": REGION,
        "glue_endpoint": endpoint,
        "s3_endpoint": endpoint,
        "access_key_id": "testing",
        "secret_access_key": "moto-secret-do-not-show",
    }


@pytest.fixture(scope="session")
def glue_catalog(moto_endpoint: str) -> Catalog:
    """A PyIceberg Glue catalog on moto, used to write the tables the connector reads."""
    return load_catalog(
        "default",
        **{
            "type": "glue",
            "client.region": REGION,
            "glue.endpoint": moto_endpoint,
            "s3.endpoint": moto_endpoint,
            "s3.region": REGION,
            "client.access-key-id": "testing",
            "client.secret-access-key": "moto-secret-do-not-show",
        },
    )


# -- merge-on-read delete files ---------------------------------------------------------------
_POS_SCHEMA = pa.schema(
    [
        pa.field("file_path", pa.string(), False, {b"PARQUET:field_id": b"2147483546"}),
        pa.field("pos", pa.int64(), False, {b"PARQUET:field_id": b"2147483545"}),
    ]
)


class _DeleteManifestWriter(ManifestWriterV2):
    def content(self) -> ManifestContent:  # type: ignore[override]
        return ManifestContent.DELETES

    @property
    def _meta(self) -> dict[str, str]:
        return {**super()._meta, "content": "deletes"}


class _AddDeleteFiles(_FastAppendFiles):
    """A fast append whose added files go into a delete manifest."""

    def _manifests(self) -> list[ManifestFile]:
        existing = self._existing_manifests()
        writer = _DeleteManifestWriter(
            spec=self._transaction.table_metadata.spec(),
            schema=self.schema(),
            output_file=self.new_manifest_output(),
            snapshot_id=self._snapshot_id,
            avro_compression=self._compression,
        )
        with writer:
            for data_file in self._added_data_files:
                writer.add(
                    ManifestEntry.from_args(
                        status=ManifestEntryStatus.ADDED,
                        snapshot_id=self._snapshot_id,
                        sequence_number=None,
                        file_sequence_number=None,
                        data_file=data_file,
                    )
                )
        return [writer.to_manifest_file(), *existing]


def _commit_delete_file(table: Table, rows: pa.Table, **file_args: Any) -> Table:
    path = f"{table.location()}/data/delete-{uuid.uuid4()}.parquet"
    with table.io.new_output(path).create() as out:
        pq.write_table(rows, out)
    size = table.io.new_input(path).__len__()
    data_file = DataFile.from_args(
        file_path=path,
        file_format=FileFormat.PARQUET,
        partition=Record(),
        record_count=rows.num_rows,
        file_size_in_bytes=size,
        spec_id=table.spec().spec_id,
        **file_args,
    )
    with table.transaction() as tx:
        producer = _AddDeleteFiles(operation=Operation.DELETE, transaction=tx, io=table.io)
        producer.append_data_file(data_file)
        producer.commit()
    return table.refresh()


def add_position_deletes(table: Table, positions: dict[str, list[int]]) -> Table:
    """Commit one position-delete file deleting ``positions`` (data file path -> row
    positions) and return the refreshed table."""
    paths = [p for p, rows in sorted(positions.items()) for _ in rows]
    pos = [r for _, rows in sorted(positions.items()) for r in sorted(rows)]
    rows = pa.table([pa.array(paths), pa.array(pos, pa.int64())], schema=_POS_SCHEMA)
    return _commit_delete_file(table, rows, content=DataFileContent.POSITION_DELETES)


def add_equality_deletes(table: Table, keys: dict[str, list[Any]]) -> Table:
    """Commit one equality-delete file keyed on ``keys``' columns: every row equal to
    one of the key rows (null equal to null) is deleted."""
    schema = table.schema()
    arrow = schema.as_arrow()
    fields = []
    for column in keys:
        field_id = str(schema.find_field(column).field_id).encode()
        fields.append(
            pa.field(column, arrow.field(column).type, True, {b"PARQUET:field_id": field_id})
        )
    rows = pa.table(
        [pa.array(v, f.type) for v, f in zip(keys.values(), fields, strict=True)],
        schema=pa.schema(fields),
    )
    return _commit_delete_file(
        table,
        rows,
        content=DataFileContent.EQUALITY_DELETES,
        equality_ids=[schema.find_field(c).field_id for c in keys],
    )


@pytest.fixture
def position_deletes() -> Callable[[Table, dict[str, list[int]]], Table]:
    return add_position_deletes


@pytest.fixture
def equality_deletes() -> Callable[[Table, dict[str, list[Any]]], Table]:
    return add_equality_deletes


GLUE_NAMESPACE = "glue_ns"


@pytest.fixture(scope="session")
def glue_namespace(glue_catalog: Catalog) -> str:
    glue_catalog.create_namespace(GLUE_NAMESPACE, {"location": f"s3://{BUCKET}/{GLUE_NAMESPACE}"})
    return GLUE_NAMESPACE


@pytest.fixture
def make_glue_table(
    glue_catalog: Catalog, glue_namespace: str
) -> Iterator[Callable[[pa.Table], str]]:
    """Write ``data`` through PyIceberg's Glue catalog (moto Glue, moto S3) in two
    appends; returns the new table's name. Dropped after the test."""
    created: list[str] = []

    def make(data: pa.Table) -> str:
        name = f"t_{uuid.uuid4().hex[:10]}"
        table = glue_catalog.create_table((glue_namespace, name), schema=data.schema)
        half = data.num_rows // 2
        for part in (data.slice(0, half), data.slice(half)):
            if part.num_rows:
                table.append(part)
        created.append(name)
        return name

    yield make
    for name in created:
        glue_catalog.drop_table((glue_namespace, name))
