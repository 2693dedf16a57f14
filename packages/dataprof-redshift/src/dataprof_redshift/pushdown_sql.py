"""The SQL of a Redshift pushdown profile: per column, the aggregates and the top-values
branch, packed into as few statements as Redshift and the Data API accept.

Two statements profile a table:

1. the aggregates of every column in one ``SELECT`` (one scan): ``COUNT``, ``MIN``,
   ``MAX``, exact ``SUM`` (integers through ``DECIMAL(38,0)``), ``STDDEV_SAMP`` over
   ``FLOAT8``, ``APPROXIMATE COUNT(DISTINCT)`` and ``APPROXIMATE PERCENTILE_DISC`` (both
   distributed sketches, allowed side by side, unlike ``MEDIAN``/``PERCENTILE_CONT``,
   which Redshift refuses beside a ``DISTINCT`` aggregate and which are never used),
   string lengths and the counts of each ``inference.PATTERNS`` regex;
2. the top values of every column as one ``UNION ALL`` of per-column
   ``GROUP BY ... ORDER BY n DESC, v LIMIT top_n`` branches, the value in one of three
   typed columns (``BIGINT``, ``FLOAT8``, text) so that nothing passes through a float
   that was not one.

Means of numbers are exact ``SUM`` / valid count, computed here, not ``AVG``:
Redshift's ``AVG`` of an integer is an integer. Where ``AVG`` is used (string lengths)
its argument is cast to ``FLOAT8``. Temporal means, deviations and sums go through
``DATEDIFF`` in the column's unit (day, microsecond), exact integers.

**Splitting.** A statement holds at most ``MAX_STATEMENT_BYTES`` of SQL text (the Data
API's 100 KB limit) and ``MAX_SELECT_ITEMS`` output columns (Redshift's 1,600). Columns
are packed in table order, greedily: a column joins the current statement while

    overhead + sum(len(item.encode()) + 2 for item in items) <= MAX_STATEMENT_BYTES
    1 + number of items <= MAX_SELECT_ITEMS

and otherwise starts the next one, for each of the two kinds of statement. A column
costs about 25 items and 2-3 KB of SQL (its name repeats in every item), so tables up
to about 40 wide columns of 127-byte names, and far more of short names, take exactly
two statements; wider ones take two per group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dataprof.profiling.accumulators import QUANTILES
from dataprof.profiling.inference import PATTERNS
from dataprof.profiling.types import Kind, kind_of, storage_type
from dataprof_redshift.sql import quote_identifier, quote_literal

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "MAX_SELECT_ITEMS",
    "MAX_STATEMENT_BYTES",
    "ColumnPlan",
    "aggregate_statements",
    "plan_column",
    "redshift_regex",
    "top_values_statements",
]

MAX_STATEMENT_BYTES = 100_000
"""The Data API refuses statements over 100 KB."""
MAX_SELECT_ITEMS = 1_600
"""Redshift's limit on the columns of a result."""
TEXT = "VARCHAR(65535)"
_CHARACTER_TYPES = frozenset({"varchar", "bpchar", "name"})


@dataclass(frozen=True)
class ColumnPlan:
    """One column's share of the two statements."""

    index: int
    name: str
    data_type: pa.DataType
    kind: Kind
    aggregates: dict[str, str] = field(default_factory=dict)
    """Figure key -> SQL expression (aliased ``c{index}_{n}`` in the statement)."""
    top_member: str | None = None
    """``long_value``, ``double_value`` or ``text_value``: where its top values travel."""
    top_branch: str | None = None


def plan_column(
    index: int,
    name: str,
    data_type: pa.DataType,
    table_sql: str,
    top_n: int,
    where: dict[str, str],
    type_name: str = "varchar",
) -> ColumnPlan:
    """The aggregates and top-values branch of one column (refusing an unquotable name).

    ``type_name`` is Redshift's (``type_names.ColumnType.type_name``): a column read as
    text that is not a character type (``super``, ``timetz``, intervals, ``varbyte``,
    spatial types) is profiled through its text, as a scan sees it, because Redshift
    refuses ``MIN``, ``LEN`` and regular expressions on those types themselves.
    """
    kind, _ = kind_of(data_type)
    col = quote_identifier(name, where=where)
    aggregates = {"count": f"COUNT({col})"}
    valid = col
    if kind is Kind.FLOAT:
        odd = {"nan": "NaN", "pinf": "Infinity", "ninf": "-Infinity"}
        for key, text in odd.items():
            aggregates[key] = f"COUNT(CASE WHEN {col} = CAST('{text}' AS FLOAT8) THEN 1 END)"
        valid = (
            f"(CASE WHEN {col} <> CAST('NaN' AS FLOAT8) AND {col} <> CAST('Infinity' AS FLOAT8) "
            f"AND {col} <> CAST('-Infinity' AS FLOAT8) THEN {col} END)"
        )
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL):
        total = f"CAST({valid} AS DECIMAL(38, 0))" if kind is Kind.INTEGER else valid
        aggregates |= {
            "distinct": f"APPROXIMATE COUNT(DISTINCT {valid})",
            "min": f"MIN({valid})",
            "max": f"MAX({valid})",
            "sum": f"SUM({total})",
            "std": f"STDDEV_SAMP(CAST({valid} AS FLOAT8))",
            "zeros": f"COUNT(CASE WHEN {valid} = 0 THEN 1 END)",
            "neg": f"COUNT(CASE WHEN {valid} < 0 THEN 1 END)",
        }
        aggregates |= _quantiles(valid)
    elif kind is Kind.TEMPORAL:
        aggregates |= {
            "distinct": f"APPROXIMATE COUNT(DISTINCT {col})",
            "min": f"MIN({col})",
            "max": f"MAX({col})",
        }
        units = _epoch_units(col, data_type)
        if units is not None:
            aggregates |= {
                "unit_sum": f"SUM(CAST({units} AS DECIMAL(38, 0)))",
                "unit_std": f"STDDEV_SAMP(CAST({units} AS FLOAT8))",
            }
        aggregates |= _quantiles(col)
    elif kind is Kind.STRING:
        col = valid = _as_text(col, type_name)
        length = f"LEN({col})"
        aggregates |= {
            "distinct": f"APPROXIMATE COUNT(DISTINCT {col})",
            "min": f"MIN({col})",
            "max": f"MAX({col})",
            "lmin": f"MIN({length})",
            "lmax": f"MAX({length})",
            "lmean": f"AVG(CAST({length} AS FLOAT8))",
            "empty": f"COUNT(CASE WHEN {length} = 0 THEN 1 END)",
        }
        for pattern, regex in PATTERNS.items():
            operator, posix = redshift_regex(regex)
            aggregates[f"re:{pattern}"] = (
                f"COUNT(CASE WHEN {col} {operator} {quote_literal(posix)} THEN 1 END)"
            )
    elif kind is Kind.BOOLEAN:
        aggregates |= {
            "true": f"COUNT(CASE WHEN {col} THEN 1 END)",
            "false": f"COUNT(CASE WHEN NOT {col} THEN 1 END)",
        }
    member = {Kind.INTEGER: "long_value", Kind.FLOAT: "double_value"}.get(kind, "text_value")
    branch = None
    if kind in (Kind.INTEGER, Kind.FLOAT, Kind.DECIMAL, Kind.TEMPORAL, Kind.STRING):
        types = {"long_value": "BIGINT", "double_value": "FLOAT8", "text_value": TEXT}
        values = ", ".join(
            f"CAST({'v' if m == member else 'NULL'} AS {t}) AS {m}" for m, t in types.items()
        )
        branch = (
            f"SELECT {index} AS column_index, {values}, n FROM (SELECT {valid} AS v, COUNT(*) AS n "
            f"FROM {table_sql} WHERE {valid} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v "
            f"LIMIT {int(top_n)}) AS top_{index}"
        )
    return ColumnPlan(index, name, data_type, kind, aggregates, member, branch)


def _as_text(col: str, type_name: str) -> str:
    if type_name in _CHARACTER_TYPES:
        return col
    if type_name == "super":
        return f"JSON_SERIALIZE({col})"
    return f"CAST({col} AS {TEXT})"


def _quantiles(expr: str) -> dict[str, str]:
    return {
        f"q:{name}": f"APPROXIMATE PERCENTILE_DISC({rank}) WITHIN GROUP (ORDER BY {expr})"
        for name, rank in QUANTILES.items()
    }


def _epoch_units(col: str, data_type: pa.DataType) -> str | None:
    """The value as whole units since the epoch (days for dates, else microseconds);
    None for times of day, whose mean and deviation are not computed."""
    import pyarrow as pa

    t = storage_type(data_type)
    if pa.types.is_date(t):
        return f"DATEDIFF(day, CAST('1970-01-01' AS DATE), {col})"
    if pa.types.is_timestamp(t):
        zero = (
            "CAST('1970-01-01 00:00:00+00' AS TIMESTAMPTZ)"
            if t.tz
            else "CAST('1970-01-01 00:00:00' AS TIMESTAMP)"
        )
        return f"DATEDIFF(microsecond, {zero}, {col})"
    return None


def redshift_regex(pattern: str) -> tuple[str, str]:
    """(operator, POSIX pattern) matching what the RE2 ``pattern`` matches with
    ``pyarrow.compute.match_substring_regex``.

    ``(?i:...)`` becomes the case-insensitive operator ``~*`` (every such group in
    ``PATTERNS`` spans all the letters of its pattern); ``\\d`` becomes ``[0-9]`` (RE2's
    is ASCII), ``\\s`` the class ``[:space:]``; a bare ``.`` becomes "anything but a
    newline", as RE2's ``.`` is.
    """
    operator = "~"
    if "(?i:" in pattern:
        operator = "~*"
        pattern = pattern.replace("(?i:", "(")
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif nxt == "s":
                out.append("[:space:]" if in_class else "[[:space:]]")
            else:
                out.append(char + nxt)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class:
            out.append("[^\n]")
            i += 1
            continue
        out.append(char)
        i += 1
    return operator, "".join(out)


def _pack(items: Sequence[Sequence[str]], overhead: int, per_item_extra: int) -> list[list[int]]:
    """Indices of ``items`` grouped so each group fits the limits (module doc)."""
    groups: list[list[int]] = []
    size, count = overhead, 1
    for index, pieces in enumerate(items):
        cost = sum(len(p.encode()) + per_item_extra for p in pieces)
        if (
            groups
            and size + cost <= MAX_STATEMENT_BYTES
            and count + len(pieces) <= MAX_SELECT_ITEMS
        ):
            groups[-1].append(index)
            size, count = size + cost, count + len(pieces)
        else:
            groups.append([index])
            size, count = overhead + cost, 1 + len(pieces)
    return groups


def aggregate_statements(
    plans: Sequence[ColumnPlan], table_sql: str
) -> list[tuple[str, list[int]]]:
    """(SQL, indices into ``plans``) of each aggregate statement."""
    head, tail = "SELECT COUNT(*) AS row_count", f" FROM {table_sql}"
    items = [
        [f"{expr} AS c{p.index}_{n}" for n, expr in enumerate(p.aggregates.values())] for p in plans
    ]
    out = []
    for group in _pack(items, len(head.encode()) + len(tail.encode()), 2):
        listed = ", ".join(item for i in group for item in items[i])
        out.append((f"{head}, {listed}{tail}", group))
    return out


def top_values_statements(plans: Sequence[ColumnPlan]) -> list[str]:
    """The ``UNION ALL`` statements of the columns that have top values."""
    branches = [[p.top_branch] for p in plans if p.top_branch is not None]
    return [
        " UNION ALL ".join(branches[i][0] for i in group)
        for group in _pack(branches, 0, len(" UNION ALL "))
    ]
