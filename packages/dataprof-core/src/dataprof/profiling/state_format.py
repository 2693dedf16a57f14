"""The portable state format: profile states that travel between machines.

A state that crosses machines (a fan-out task writes it to S3, the merge task reads
it back) is untrusted input, so it is never a pickle. Its file is::

    magic (8 bytes)  b"\\x89DPS\\r\\n\\x1a\\n"   (PNG's trick: text-mode damage shows)
    version (u16)    FORMAT_VERSION; any other is refused before anything else is read
    meta length (u32), meta: UTF-8 JSON object (run id, item, snapshot, splits, ...)
    body length (u64), body: the state's fields in a small tagged encoding (below)
    HMAC-SHA256 (32 bytes) over everything before it, keyed by the run's key

The HMAC is checked before the meta or the body is parsed: a file no task of this
run wrote (another run, another key, a hand edit, a flipped bit) is refused
without reading it. The body is then decoded by a bounded reader (every length
checked against the bytes left, nesting limited, only plain values and the
engine's own state classes by name), and the result goes through the same checks
as any state read from elsewhere (:meth:`ProfileState.from_fields`): Arrow IPC
for exact counts (validated in full), each DataSketches sketch in its own
serialization, checked (:mod:`.sketch_checks`) before the native library reads it.

Every refusal is a :class:`~dataprof.errors.StateFormatError`.

Body encoding, one tag byte then the value (lengths big-endian):
``N`` None, ``F``/``T`` booleans, ``i`` int (u32 length, signed bytes), ``d``
float (8 bytes), ``s`` str and ``b`` bytes (u32 length), ``l`` list, ``t`` tuple
and ``m`` dict (u32 count), ``D`` Decimal (as text), ``K`` a ``Kind``, ``o`` one
of the engine's state objects (class name, then its ``__getstate__`` value).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from dataprof.errors import StateFormatError

if TYPE_CHECKING:
    from dataprof.profiling.plugins import ColumnMetric
    from dataprof.profiling.state import ProfileState

__all__ = ["FORMAT_VERSION", "MAGIC", "read_state", "read_state_meta", "write_state"]

MAGIC = b"\x89DPS\r\n\x1a\n"
FORMAT_VERSION = 2
"""2: text's distinct-count sketch holds :func:`.hash_text` hashes (1 held two other ones)."""
_HEADER = struct.Struct(">8sHI")
_BODY_LENGTH = struct.Struct(">Q")
_DIGEST = 32
_MAX_DEPTH = 24
_MAX_INT_BYTES = 4096
"""A float column's exact sum in units of 2**-1126 needs a few hundred bytes."""


def _state_classes() -> dict[str, type]:
    from dataprof.profiling.accumulators import (
        BinaryAccumulator,
        BooleanAccumulator,
        ListAccumulator,
        NullAccumulator,
        NumericAccumulator,
        StringAccumulator,
        StructAccumulator,
        UnsupportedAccumulator,
    )
    from dataprof.profiling.accumulators.distribution_summary import DistributionSummary
    from dataprof.profiling.sketches import KllSketch
    from dataprof.profiling.value_counter import ValueCounter

    classes: list[type] = [
        BinaryAccumulator,
        BooleanAccumulator,
        ListAccumulator,
        NullAccumulator,
        NumericAccumulator,
        StringAccumulator,
        StructAccumulator,
        UnsupportedAccumulator,
        KllSketch,
        ValueCounter,
        DistributionSummary,
    ]
    return {cls.__name__: cls for cls in classes}


def _refused(why: str) -> StateFormatError:
    return StateFormatError(f"Not a usable dataprof state file: {why}")


# -- writing ------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        from dataprof.profiling.types import Kind

        self.out = bytearray()
        self.kind = Kind
        self.classes = {cls: name for name, cls in _state_classes().items()}

    def length(self, n: int) -> None:
        self.out += struct.pack(">I", n)

    def text(self, value: str) -> None:
        data = value.encode("utf-8", "surrogatepass")
        self.length(len(data))
        self.out += data

    def value(self, value: Any, where: str) -> None:
        out = self.out
        if value is None:
            out += b"N"
        elif value is True or value is False:
            out += b"T" if value else b"F"
        elif isinstance(value, self.kind):
            out += b"K"
            self.text(value.value)
        elif isinstance(value, int):
            data = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
            out += b"i"
            self.length(len(data))
            out += data
        elif isinstance(value, float):
            out += b"d" + struct.pack(">d", value)
        elif isinstance(value, str):
            out += b"s"
            self.text(value)
        elif isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)
            out += b"b"
            self.length(len(data))
            out += data
        elif isinstance(value, Decimal):
            out += b"D"
            self.text(str(value))
        elif isinstance(value, list | tuple):
            out += b"l" if isinstance(value, list) else b"t"
            self.length(len(value))
            for item in value:
                self.value(item, where)
        elif isinstance(value, dict):
            out += b"m"
            self.length(len(value))
            for key, item in value.items():
                self.value(key, where)
                self.value(item, f"{where}.{key}")
        elif type(value) in self.classes:
            out += b"o"
            self.text(self.classes[type(value)])
            self.value(value.__getstate__(), where)
        else:
            raise StateFormatError(
                f"A profile state holds a {type(value).__name__} at {where}, which the "
                "portable state format cannot carry",
                hint="a plugin metric's state must be plain values (numbers, text, bytes, "
                "lists, dicts) to travel between machines",
            )


def write_state(state: ProfileState, *, key: bytes, meta: Mapping[str, Any]) -> bytes:
    """``state`` as a portable state file signed with ``key``; ``meta`` (JSON-able)
    travels beside it, signed too, so a reader can check what the file claims to be
    (its run, item, snapshot) without decoding the state."""
    writer = _Writer()
    writer.value(state.portable_fields(), "state")
    meta_bytes = json.dumps(dict(meta), sort_keys=True, separators=(",", ":")).encode()
    signed = (
        _HEADER.pack(MAGIC, FORMAT_VERSION, len(meta_bytes))
        + meta_bytes
        + _BODY_LENGTH.pack(len(writer.out))
        + bytes(writer.out)
    )
    return signed + hmac.new(key, signed, hashlib.sha256).digest()


# -- reading ------------------------------------------------------------------------------


def _open(data: bytes, key: bytes) -> tuple[dict[str, Any], memoryview]:
    """The meta and the body of a file whose header, version, lengths and HMAC hold."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _refused(f"expected bytes, got {type(data).__name__}")
    view = memoryview(bytes(data))
    if len(view) < _HEADER.size or bytes(view[:8]) != MAGIC:
        raise _refused("no dataprof state header (damaged, or another kind of file)")
    _, version, meta_length = _HEADER.unpack_from(view)
    if version != FORMAT_VERSION:
        raise _refused(
            f"format version {version}; this dataprof reads version {FORMAT_VERSION} "
            "(the file was written by another dataprof version)"
        )
    body_at = _HEADER.size + meta_length + _BODY_LENGTH.size
    if len(view) < body_at + _DIGEST:
        raise _refused("truncated")
    (body_length,) = _BODY_LENGTH.unpack_from(view, body_at - _BODY_LENGTH.size)
    if len(view) != body_at + body_length + _DIGEST:
        raise _refused(f"{len(view)} bytes where its header says {body_at + body_length + _DIGEST}")
    signed = view[:-_DIGEST]
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, bytes(view[-_DIGEST:])):
        raise _refused(
            "its signature does not match this run's key (damaged, or written by no task "
            "of this run)"
        )
    try:
        meta = json.loads(bytes(view[_HEADER.size : _HEADER.size + meta_length]))
    except ValueError:
        raise _refused("its meta is not JSON") from None
    if not isinstance(meta, dict):
        raise _refused("its meta is not a JSON object")
    return meta, view[body_at : body_at + body_length]


def read_state_meta(data: bytes, *, key: bytes) -> dict[str, Any]:
    """The signed meta of a state file, without decoding the state."""
    return _open(data, key)[0]


def read_state(
    data: bytes, *, key: bytes, column_metrics: Sequence[ColumnMetric] | None = None
) -> tuple[ProfileState, dict[str, Any]]:
    """The state and meta of a file :func:`write_state` wrote with ``key``."""
    from dataprof.profiling.state import ProfileState

    meta, body = _open(data, key)
    try:
        reader = _Reader(body)
        fields = reader.value(0)
        if reader.at != len(body):
            raise ValueError("bytes after the state")
        state = ProfileState.from_fields(fields, column_metrics=column_metrics)
    except StateFormatError:
        raise
    except (Exception, RecursionError) as exc:
        raise _refused(f"its state does not decode ({type(exc).__name__}: {exc})") from None
    return state, meta


def _check_object_state(name: str, state: Any) -> None:
    """The value an object's ``__setstate__`` will get has the shape its
    ``__getstate__`` gives, so no crafted value reaches a native call unchecked (a
    huge int where sketch bytes belong would make ``bytes(n)`` allocate ``n``)."""
    if name == "KllSketch":
        if not isinstance(state, bytes):
            raise ValueError("KLL sketch state is not bytes")
        return
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise ValueError(f"{name} state is not a mapping of names")
    if name == "ValueCounter":
        table = state.get("table")
        shape_ok = (
            set(state) == {"table", "budget", "pruned", "hll", "top"}
            and (table is None or (isinstance(table, dict) and set(table) == {"ipc"}))
            and (table is None or isinstance(table["ipc"], bytes))
            and all(type(state[k]) is int and state[k] >= 0 for k in ("budget", "pruned"))
            and all(state[k] is None or isinstance(state[k], bytes) for k in ("hll", "top"))
        )
        if not shape_ok:
            raise ValueError("value counter state")


class _Reader:
    def __init__(self, body: memoryview) -> None:
        from dataprof.profiling.types import Kind

        self.body = body
        self.at = 0
        self.kind = Kind
        self.classes = _state_classes()
        self.tags: dict[bytes, Callable[[int], Any]] = {
            b"N": lambda _: None,
            b"F": lambda _: False,
            b"T": lambda _: True,
            b"i": lambda _: int.from_bytes(self.take(self.length(_MAX_INT_BYTES)), signed=True),
            b"d": lambda _: struct.unpack(">d", self.take(8))[0],
            b"s": lambda _: self.text(),
            b"b": lambda _: self.take(self.length()),
            b"D": lambda _: self.decimal(),
            b"K": lambda _: self.kind(self.text()),
            b"l": lambda depth: [self.value(depth + 1) for _ in range(self.length())],
            b"t": lambda depth: tuple(self.value(depth + 1) for _ in range(self.length())),
            b"m": self.mapping,
            b"o": self.state_object,
        }

    def take(self, n: int) -> bytes:
        if n > len(self.body) - self.at:
            raise ValueError("truncated")
        chunk = bytes(self.body[self.at : self.at + n])
        self.at += n
        return chunk

    def length(self, limit: int | None = None) -> int:
        (n,) = struct.unpack(">I", self.take(4))
        # Every item takes at least a byte: a count past the bytes left is a lie, and
        # refusing it here keeps a crafted count from allocating anything.
        if n > len(self.body) - self.at or (limit is not None and n > limit):
            raise ValueError(f"length {n} past the end")
        return int(n)

    def text(self) -> str:
        return self.take(self.length()).decode("utf-8", "surrogatepass")

    def decimal(self) -> Decimal:
        try:
            return Decimal(self.text())
        except InvalidOperation:
            raise ValueError("not a decimal") from None

    def mapping(self, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for _ in range(self.length()):
            key = self.value(depth + 1)
            if not isinstance(key, str | int | bytes | float | type(None)):
                raise ValueError(f"a {type(key).__name__} as a mapping key")
            out[key] = self.value(depth + 1)
        return out

    def state_object(self, depth: int) -> Any:
        name = self.text()
        cls = self.classes.get(name)
        if cls is None:
            raise ValueError(f"a state may not contain {name!r}")
        state = self.value(depth + 1)
        _check_object_state(name, state)
        obj: Any = object.__new__(cls)
        obj.__setstate__(state)
        return obj

    def value(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("nested too deep")
        tag = self.take(1)
        read = self.tags.get(tag)
        if read is None:
            raise ValueError(f"unknown tag {tag!r}")
        return read(depth)
