"""The columns of an import's binary COPY and how they are sent: values (a Series, an array, a
pyarrow array or a list), geometries (the file's WKB or shapely's) and jsonb rows made block by
block, or fixed-width values already in their wire form. Each block of COPY_BATCH rows becomes
its binary COPY form column by column (importers/copy_binary.py) and goes to the server through
psycopg's queued writer, which sends it from a thread of its own while the next is made.
importers/writers.py decides what is written where; this module only moves the rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
from psycopg import pq
from psycopg.adapt import PyFormat, Transformer
from psycopg.copy import QueuedLibpqWriter

from importers import copy_binary, jsonb_rows

# Rows made into COPY data at a time: the server parses one block while the next is made
# (~2.5 MB each for the bench's polygons).
COPY_BATCH = 8_192


# PostgreSQL type of a stage column -> the type its binary COPY value is dumped as. jsonb and
# geometry go over the wire as bytes already in their binary input format (jsonb: version 1 +
# text; geometry: EWKB), so the server parses no hex and no text escapes.
_WIRE = {"text": "text", "jsonb": "bytea", "geometry": "bytea", "smallint": "int2",
         "integer": "int4", "bigint": "int8", "numeric": "numeric", "date": "date",
         "timestamptz": "timestamptz"}


def _values(values: pd.Series | np.ndarray | list, pgtype: str) -> list:
    """One column as the Python values its binary COPY dumper takes (missing → NULL, but ''
    for text, as the CSV stage with FORCE_NOT_NULL had it)."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    missing = series.isna().to_numpy()
    out = series.astype(object).tolist()
    if pgtype == "text":
        convert = str
        empty = ""
    elif pgtype == "jsonb":
        convert = lambda v: b"\x01" + v.encode()  # noqa: E731
        empty = None
    elif pgtype in ("smallint", "integer", "bigint"):
        convert, empty = int, None
    elif pgtype == "numeric":
        convert = lambda v: v if isinstance(v, Decimal) else Decimal(repr(v))  # noqa: E731
        empty = None
    elif pgtype == "date":
        convert = lambda v: v.date() if isinstance(v, datetime) else v  # noqa: E731
        empty = None
    elif pgtype == "timestamptz":
        convert = lambda v: v.to_pydatetime() if hasattr(v, "to_pydatetime") else v  # noqa: E731
        empty = None
    else:
        convert, empty = (lambda v: v), None
    if pgtype == "jsonb" or missing.any() or pgtype not in ("text", "geometry"):
        return [empty if m else convert(v) for v, m in zip(out, missing, strict=True)]
    return out


_SRID = 4326


def ewkb_list(geoms: np.ndarray) -> list[bytes]:
    """EWKB with SRID 4326 of each geometry, as the geometry column's binary input takes it
    (for the few rows written outside the COPY)."""
    return copy_binary.ewkb_of(geoms, _SRID).arrow().to_pylist()


@dataclass(frozen=True)
class Geometries:
    """A geometry column of the COPY, made into EWKB block by block: from the file's own WKB
    when it is sent as it is (`wkb`), else from shapely geometries."""

    geoms: np.ndarray | None
    wkb: pa.BinaryArray | None = None

    def __len__(self) -> int:
        return len(self.wkb if self.wkb is not None else self.geoms)

    def block(self, start: int, end: int) -> copy_binary.Column:
        if self.wkb is not None:
            return copy_binary.ewkb(self.wkb.slice(start, end - start), _SRID)
        return copy_binary.ewkb_of(self.geoms[start:end], _SRID)


@dataclass(frozen=True)
class JsonRows:
    """A jsonb column of the COPY: each row of `frame` as one JSON object, block by block."""

    frame: pd.DataFrame

    def __len__(self) -> int:
        return len(self.frame)

    def block(self, start: int, end: int) -> copy_binary.Column:
        return jsonb_rows.encode(self.frame.iloc[start:end])


# A column of `copy_into`: values (a Series, an array, a pyarrow array or a list), a function
# (start, end) -> the values of those rows, a Geometries / JsonRows made block by block, or
# fixed-width values already in their wire form (copy_binary.Fixed).
Column = pd.Series | np.ndarray | pa.Array | list | Callable[[int, int], list] | Geometries \
    | JsonRows | copy_binary.Fixed


def _block(values: Column, pgtype: str, start: int, end: int, cursor) -> copy_binary.Column:
    """Rows start..end of one column in their binary COPY form, vectorised; a value the
    vectorised builders do not take (numeric, timestamps of mixed zones, odd objects) goes
    through psycopg's own dumper for its type, as write_row did."""
    if isinstance(values, Geometries | JsonRows):
        return values.block(start, end)
    if isinstance(values, copy_binary.Fixed):  # already in its wire form
        return slice_rows(values, start, end)
    part = values(start, end) if callable(values) else \
        values.iloc[start:end] if isinstance(values, pd.Series) else values[start:end]
    wire = _WIRE.get(pgtype, pgtype)
    try:
        if pgtype == "jsonb":
            raise TypeError("jsonb given as values")  # JsonRows is the vectorised way
        if wire == "text":
            return copy_binary.strings(part, missing="")
        if wire == "bytea":
            return copy_binary.binaries(part)
        if wire in ("int2", "int4", "int8", "float4", "float8"):
            return copy_binary.numbers(part, wire)
        if wire == "bool":
            return copy_binary.booleans(part)
        if wire == "date":
            return copy_binary.dates(part)
        if wire == "timestamptz":
            return copy_binary.timestamps(part)
    except (TypeError, ValueError, OverflowError, pa.ArrowException):
        pass
    return _dumped(part, pgtype, wire, cursor)


def _dumped(values, pgtype: str, wire: str, cursor) -> copy_binary.Var:
    """The values as psycopg dumps them for a binary COPY of `wire` (what `set_types` and
    `write_row` did), the column taken as one row of n values of that type."""
    python = _values(values, pgtype)
    transformer = Transformer(cursor)
    transformer.set_dumper_types([cursor.adapters.types.get_oid(wire)] * len(python),
                                 pq.Format.BINARY)
    dumped = transformer.dump_sequence(python, [PyFormat.BINARY] * len(python))
    return copy_binary.binaries([None if v is None else bytes(v) for v in dumped])


def _as_column(values: list) -> pd.Series | pa.Array:
    """A list as a column converted once, not again for every block: int64 when every value
    is an int (no float for ints with a None in between), a pyarrow binary array for bytes,
    else objects as they are."""
    series = pd.Series(values, dtype=object)
    kind = pd.api.types.infer_dtype(series, skipna=True) if len(series) else "empty"
    if kind == "integer" and not series.isna().any():
        return series.astype("int64")
    if kind == "bytes":
        return pa.array(values, type=pa.large_binary())
    return series


def copy_into(cursor, table: str, columns: dict[str, Column], types: dict[str, str],
          progress: Callable[[float], None] | None, freeze: bool = False) -> None:
    """Binary COPY into `table` (`types`: each column's PostgreSQL type, or its wire type).
    The COPY data is made here, whole columns at a time (importers/copy_binary.py), in blocks
    of COPY_BATCH rows; psycopg's queued writer sends each from a thread of its own while this
    one makes the next, so the server parses one block while the next is being made (its
    plain writer waits for each 1 MB to be taken by the socket before it returns)."""
    names = list(columns)
    columns = {c: _as_column(v) if isinstance(v, list) else v for c, v in columns.items()}
    total = next(len(c) for c in columns.values() if not callable(c))
    options = "FORMAT BINARY, FREEZE" if freeze else "FORMAT BINARY"
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN ({options})"
    raw = getattr(cursor, "cursor", cursor)  # psycopg's cursor under Django's wrapper

    def blocks():
        for start in range(0, total, COPY_BATCH):
            end = min(start + COPY_BATCH, total)
            yield [_block(columns[c], types[c], start, end, raw) for c in names]
            if progress:
                progress(end / total)

    with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
        for chunk in copy_binary.copy_chunks(blocks()):
            copy.write(chunk)


def slice_rows(values: Column, start: int, end: int) -> Column:
    """Rows start..end of a COPY column, whatever its kind."""
    if isinstance(values, Geometries):
        return Geometries(
            geoms=values.geoms[start:end] if values.geoms is not None else None,
            wkb=values.wkb.slice(start, end - start) if values.wkb is not None else None)
    if isinstance(values, JsonRows):
        return JsonRows(values.frame.iloc[start:end])
    if isinstance(values, copy_binary.Fixed):
        return copy_binary.Fixed(values.data[start:end],
                                 None if values.null is None else values.null[start:end])
    if isinstance(values, pd.Series):
        return values.iloc[start:end]
    if isinstance(values, pa.Array):
        return values.slice(start, end - start)
    return values[start:end]
