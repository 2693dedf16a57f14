"""Tables on the PostgreSQL stand-in, and configs of the ``redshift`` source pointing at them."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from redshift_emulation import WORKGROUP

from dataprof import DataSourceConfig

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dataprof-redshift-Xy12Zq"
STANDARD = "standard_rows"


def postgres_type(data_type: pa.DataType) -> str:
    """The PostgreSQL column type a Redshift table would declare for ``data_type``."""
    if pa.types.is_int16(data_type):
        return "smallint"
    if pa.types.is_int32(data_type):
        return "integer"
    if pa.types.is_integer(data_type):
        return "bigint"
    if pa.types.is_float32(data_type):
        return "real"
    if pa.types.is_floating(data_type):
        return "double precision"
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_decimal(data_type):
        return f"numeric({data_type.precision},{data_type.scale})"
    if pa.types.is_date(data_type):
        return "date"
    if pa.types.is_timestamp(data_type):
        return "timestamptz" if data_type.tz else "timestamp"
    if pa.types.is_time(data_type):
        return "time"
    return "varchar(65535)"


def load_table(dsn: str, name: str, table: pa.Table, schema: str = "public") -> None:
    """``CREATE TABLE`` from ``table``'s Arrow schema and insert its rows."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        if schema != "public":
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(postgres_type(f.type)))
            for f in table.schema
        )
        target = sql.Identifier(schema, name)
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(target, columns))
        if table.num_rows:
            placeholders = sql.SQL(", ").join(sql.Placeholder() * table.num_columns)
            insert = sql.SQL("INSERT INTO {} VALUES ({})").format(target, placeholders)
            with conn.cursor() as cursor:
                cursor.executemany(insert, [tuple(row.values()) for row in table.to_pylist()])


def redshift_config(database: str, table: str = STANDARD, **params: Any) -> DataSourceConfig:
    connection: dict[str, Any] = {
        "workgroup_name": WORKGROUP,
        "region": "us-east-1",
        "secret_arn": SECRET_ARN,
        "statement_timeout_s": 30,
        **params,
    }
    return DataSourceConfig(
        source_type="redshift", database=database, table=table, connection_params=connection
    )
