"""Athena's type names as Arrow types: the catalog's (``GetTableMetadata``: Hive names
such as ``int``, ``array<struct<a:string>>``) and the engine's (``ColumnInfo`` of a
result: Trino names such as ``integer``, ``decimal`` with precision and scale).

Decimals stay exact (``decimal128(p, s)``), timestamps are microseconds without a zone
(Athena keeps no zone in table columns), nested types keep their shape: the reader
asks Athena for them as JSON (``CAST(... AS JSON)``) and decodes into these types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["UnsupportedAthenaType", "arrow_type", "is_nested", "result_type"]


class UnsupportedAthenaType(ValueError):
    """A type name this reader cannot map; the message names it."""


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type of a catalog (Hive) or engine (Trino) type name."""
    parser = _Parser(name)
    parsed = parser.parse()
    if parser.rest():
        raise UnsupportedAthenaType(f"cannot read the type {name!r}")
    return parsed


def result_type(info: dict[str, Any]) -> pa.DataType:
    """The Arrow type of a result column from its ``ColumnInfo``."""
    import pyarrow as pa

    name = str(info.get("Type", "varchar")).lower()
    if name == "decimal":
        return pa.decimal128(int(info.get("Precision") or 38), int(info.get("Scale") or 0))
    if name in {"array", "map", "row", "json"}:
        return pa.string()  # the caller asked for JSON text; it decodes with its own type
    return arrow_type(name)


def is_nested(data_type: pa.DataType) -> bool:
    import pyarrow as pa

    t = pa.types
    return bool(t.is_list(data_type) or t.is_map(data_type) or t.is_struct(data_type))


_SIMPLE = {
    "boolean": "bool_",
    "tinyint": "int8",
    "smallint": "int16",
    "int": "int32",
    "integer": "int32",
    "bigint": "int64",
    "float": "float32",
    "real": "float32",
    "double": "float64",
    "string": "string",
    "varchar": "string",
    "char": "string",
    "json": "string",
    "uuid": "string",
    "ipaddress": "string",
    "date": "date32",
    "binary": "binary",
    "varbinary": "binary",
}


class _Parser:
    """A recursive-descent reader of ``array<map<string,struct<a:int>>>`` and friends."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        self.pos = 0

    def rest(self) -> str:
        return self.text[self.pos :].strip()

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def _word(self) -> str:
        self._skip()
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        return self.text[start : self.pos].lower()

    def _phrase(self, phrase: str) -> bool:
        """Consume ``phrase`` (``with time zone``) if it comes next."""
        self._skip()
        if self.text[self.pos :].lower().startswith(phrase):
            self.pos += len(phrase)
            return True
        return False

    def _expect(self, ch: str) -> None:
        self._skip()
        if not self.text.startswith(ch, self.pos):
            raise UnsupportedAthenaType(f"cannot read the type {self.text!r} (expected {ch!r})")
        self.pos += 1

    def _peek(self, ch: str) -> bool:
        self._skip()
        return self.text.startswith(ch, self.pos)

    def _args(self) -> list[str]:
        self._expect("(")
        end = self.text.index(")", self.pos)
        args = [a.strip() for a in self.text[self.pos : end].split(",")]
        self.pos = end + 1
        return args

    def parse(self) -> pa.DataType:
        import pyarrow as pa

        word = self._word()
        if word in {"array"}:
            self._expect("<") if self._peek("<") else self._expect("(")
            inner = self.parse()
            self._expect(">") if self._peek(">") else self._expect(")")
            return pa.list_(inner)
        if word == "map":
            self._expect("<")
            key = self.parse()
            self._expect(",")
            value = self.parse()
            self._expect(">")
            return pa.map_(key, value)
        if word in {"struct", "row"}:
            self._expect("<")
            fields = []
            while True:
                self._skip()
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] != ":":
                    self.pos += 1
                field_name = self.text[start : self.pos].strip()
                self._expect(":")
                fields.append(pa.field(field_name, self.parse()))
                if self._peek(","):
                    self._expect(",")
                    continue
                self._expect(">")
                return pa.struct(fields)
        if word == "decimal":
            args = self._args() if self._peek("(") else ["38", "0"]
            return pa.decimal128(int(args[0]), int(args[1]) if len(args) > 1 else 0)
        if word in {"varchar", "char"} and self._peek("("):
            self._args()
            return pa.string()
        if word in {"timestamp", "time"}:
            if self._peek("("):
                self._args()
            zoned = self._phrase("with time zone")
            if word == "time":
                return pa.time64("us")
            return pa.timestamp("us", tz="UTC" if zoned else None)
        if word == "double":
            self._phrase("precision")
        factory = _SIMPLE.get(word)
        if factory is None:
            raise UnsupportedAthenaType(f"cannot read the type {self.text!r}")
        result: pa.DataType = getattr(pa, factory)()
        return result
