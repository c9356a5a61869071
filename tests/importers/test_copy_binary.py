"""The vectorised binary COPY encoder (importers/copy_binary.py): what it sends is stored as
exactly what psycopg's `write_row` stores for the same values (a round trip through PostGIS,
every column type the importer uses, NULLs, empty strings, non-ASCII, 0, 1 and many rows,
rows split over several chunks), and its EWKB is byte for byte the WKB with the SRID spliced
in as the writer did it row by row."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import struct
import uuid
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely
from django.db import connection

from importers import copy_binary as cb

pytestmark = pytest.mark.django_db

TEXTS = ["Kec. Sungai Raya", "", "Ma'had Al-Falah", 'Toko "Jaya"', "back\\slash", "tab\tline\n",
         "Jl. Gajah Mada No. 7 — ü é 😀", "x" * 300]


def reference_ewkb(wkb: bytes, srid: int = 4326) -> bytes:
    """The writer's former splice, one geometry at a time."""
    order = wkb[0]
    endian = "<" if order else ">"
    kind = int.from_bytes(wkb[1:5], "little" if order else "big") | 0x20000000
    return wkb[:1] + struct.pack(f"{endian}II", kind, srid) + wkb[5:]


def geometries(n: int, rng: np.random.Generator) -> np.ndarray:
    shapes = [
        shapely.Point(110.1, -0.05),
        shapely.Point(1.5, 2.5, 3.5),
        shapely.LineString([(110, 0), (110.1, 0.1), (110.2, 0)]),
        shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 0)], holes=[[(0.2, 0.1), (0.8, 0.1),
                                                                  (0.8, 0.7), (0.2, 0.1)]]),
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
        shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 2)]]),
        shapely.MultiPoint([(0, 0), (1, 1)]),
        shapely.GeometryCollection([shapely.Point(0, 0), shapely.box(0, 0, 1, 1)]),
        shapely.from_wkt("POLYGON EMPTY"),
    ]
    return np.array([shapes[i] for i in rng.integers(0, len(shapes), n)], dtype=object)


def columns_for(n: int, seed: int = 0) -> list[tuple[str, str, str, list, cb.Column]]:
    """(name, SQL type, write_row wire type, Python values, encoder column) for n rows."""
    rng = np.random.default_rng(seed)
    null = rng.random(n) < 0.2
    ints = rng.integers(-(2**31), 2**31 - 1, n)
    small = rng.integers(-(2**15), 2**15 - 1, n)
    big = rng.integers(-(2**62), 2**62, n)
    floats = rng.normal(0, 1e6, n)
    texts = np.array([TEXTS[i] for i in rng.integers(0, len(TEXTS), n)], dtype=object)
    text_series = pd.Series(np.where(null, None, texts), dtype="str")
    days = pd.Series([dt.date(1990, 1, 1) + dt.timedelta(days=int(d))
                      for d in rng.integers(-20000, 20000, n)], dtype=object)
    days[null] = None
    stamps = pd.Series(pd.Timestamp("2024-03-01 08:00", tz="Asia/Jakarta")
                       + pd.to_timedelta(rng.integers(-10**12, 10**12, n), unit="us"))
    stamps[null] = pd.NaT
    uids = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16)
    blobs = [None if m else rng.bytes(int(k)) for m, k in zip(null, rng.integers(0, 40, n),
                                                           strict=True)]
    geoms = geometries(n, rng)
    wkb = shapely.to_wkb(geoms)
    jsonb = [b"\x01" + json.dumps({"n": i, "t": texts[i]}, ensure_ascii=False).encode()
             for i in range(n)]
    bools = rng.random(n) < 0.5
    return [
        ("i2", "smallint", "int2", [None if m else int(v) for m, v in zip(null, small,
                                                                          strict=True)],
         cb.numbers(pd.array(np.where(null, None, small), dtype="Int16"), "int2")),
        ("i4", "integer", "int4", [int(v) for v in ints], cb.numbers(ints, "int4")),
        ("i8", "bigint", "int8", [None if m else int(v) for m, v in zip(null, big,
                                                                        strict=True)],
         cb.numbers(pd.Series(pd.array(np.where(null, None, big), dtype="Int64")), "int8")),
        ("f8", "double precision", "float8",
         [None if m else float(v) for m, v in zip(null, floats, strict=True)],
         cb.numbers(np.where(null, np.nan, floats), "float8")),
        ("b", "boolean", "bool", [bool(v) for v in bools], cb.booleans(bools)),
        ("u", "uuid", "uuid", [uuid.UUID(bytes=bytes(r)) for r in uids], cb.uuids(uids)),
        ("d", "date", "date", [None if pd.isna(v) else v for v in days], cb.dates(days)),
        ("ts", "timestamptz", "timestamptz",
         [None if pd.isna(v) else v.to_pydatetime() for v in stamps], cb.timestamps(stamps)),
        ("t", "text", "text", ["" if m else str(v) for m, v in zip(null, texts, strict=True)],
         cb.strings(text_series)),
        ("tn", "text", "text", [None if m else str(v) for m, v in zip(null, texts,
                                                                       strict=True)],
         cb.strings(text_series, missing=None)),
        ("by", "bytea", "bytea", blobs, cb.binaries(blobs)),
        ("j", "jsonb", "bytea", jsonb, cb.binaries(jsonb)),
        ("g", "geometry", "bytea", [reference_ewkb(w) for w in wkb], cb.ewkb(wkb, 4326)),
    ]


def stored(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT i2, i4, i8, f8, b, u, d, ts, t, tn, by, j, ST_AsEWKB(g) "
                       f"FROM {table} ORDER BY i4, u")
        return cursor.fetchall()


def write_both(spec, *, chunk_bytes: int = cb.CHUNK_BYTES, blocks: int = 1) -> None:
    names = [s[0] for s in spec]
    ddl = ", ".join(f"{name} {sqltype}" for name, sqltype, *_ in spec)
    with connection.cursor() as cursor:
        for table in ("by_rows", "by_columns"):
            cursor.execute(f"CREATE TEMP TABLE {table} ({ddl})")
        with cursor.copy(f"COPY by_rows ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") \
                as copy:
            copy.set_types([s[2] for s in spec])
            for row in zip(*(s[3] for s in spec), strict=True):
                copy.write_row(row)
        n = len(spec[0][3])
        cuts = np.linspace(0, n, blocks + 1).astype(int)
        parts = [[_slice(s[4], a, b) for s in spec] for a, b in itertools.pairwise(cuts)]
        with cursor.copy(f"COPY by_columns ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") \
                as copy:
            for chunk in cb.copy_chunks(parts, chunk_bytes=chunk_bytes):
                copy.write(chunk)


def _slice(column: cb.Column, start: int, end: int) -> cb.Column:
    if isinstance(column, cb.Var):
        return column.slice(start, end)
    return cb.Fixed(column.data[start:end],
                    None if column.null is None else column.null[start:end])


@pytest.mark.parametrize("n", [0, 1, 7, 2_000])
def test_columns_are_stored_as_write_row_stores_them(n):
    write_both(columns_for(n, seed=n))
    rows = stored("by_rows")
    assert len(rows) == n
    assert stored("by_columns") == rows


def test_rows_split_over_many_chunks_and_blocks():
    spec = columns_for(3_000, seed=3)
    chunks = list(cb.copy_chunks([[s[4] for s in spec]], chunk_bytes=4_096))
    assert len(chunks) > 50
    assert b"".join(chunks) == cb.copy_bytes([s[4] for s in spec])
    write_both(spec, chunk_bytes=4_096, blocks=7)
    assert stored("by_columns") == stored("by_rows")


def test_a_row_bigger_than_a_chunk_is_a_chunk_of_its_own():
    text = cb.strings(["a" * 10_000, "b", "c" * 20_000])
    chunks = list(cb.copy_chunks([[text]], chunk_bytes=1_000))
    assert [len(c) for c in chunks] == [19, 2 + 4 + 10_000, 2 + 4 + 1, 2 + 4 + 20_000, 2]


def test_the_stream_has_the_signature_and_the_trailer():
    data = cb.copy_bytes([cb.numbers([7], "int4"), cb.strings([None], missing=None)])
    assert data == (b"PGCOPY\n\xff\r\n\x00" + b"\0" * 8 + b"\x00\x02" + b"\x00\x00\x00\x04"
                    + b"\x00\x00\x00\x07" + b"\xff\xff\xff\xff" + b"\xff\xff")
    assert cb.copy_bytes([cb.numbers([], "int4")]) == cb.SIGNATURE + cb.TRAILER


@pytest.mark.parametrize("values", [
    pd.Series(["a", None, "Kec. Sungai Raya", ""], dtype=object),
    pd.Series(["a", None, "Kec. Sungai Raya", ""], dtype="str"),
    pd.Series(["a", None, "Kec. Sungai Raya", ""], dtype="string"),
    pd.Series(["a", None, "Kec. Sungai Raya", ""], dtype=pd.ArrowDtype(pa.string())),
    pa.array(["a", None, "Kec. Sungai Raya", ""]),
    pa.chunked_array([["a", None], ["Kec. Sungai Raya", ""]], type=pa.large_string()),
    ["a", None, "Kec. Sungai Raya", ""],
])
def test_text_from_any_kind_of_column(values):
    column = cb.strings(values)
    assert column.null is None
    assert column.arrow().to_pylist() == [b"a", b"", b"Kec. Sungai Raya", b""]


def test_text_of_values_that_are_not_strings_is_their_str():
    assert cb.strings(pd.Series([1, None, 3], dtype="Int64")).arrow().to_pylist() == [
        b"1", b"", b"3"]
    assert cb.strings(pd.Series([1.5, np.nan, 2.0])).arrow().to_pylist() == [
        b"1.5", b"", b"2.0"]
    assert cb.strings(pd.Series([True, 7, "x"], dtype=object)).arrow().to_pylist() == [
        b"True", b"7", b"x"]


def test_ewkb_splices_the_srid_in_each_geometrys_byte_order():
    geoms = geometries(200, np.random.default_rng(5))
    for order in (0, 1):
        wkb = shapely.to_wkb(geoms, byte_order=order)
        expected = [reference_ewkb(w, 32749) for w in wkb]
        assert cb.ewkb(wkb, 32749).arrow().to_pylist() == expected
        arrow = pa.array(wkb, type=pa.binary())  # as pyogrio.read_arrow gives it
        assert cb.ewkb(arrow, 32749).arrow().to_pylist() == expected
        assert cb.ewkb(arrow.slice(10, 50), 32749).arrow().to_pylist() == expected[10:60]
    assert shapely.get_srid(shapely.from_wkb(cb.ewkb(wkb[:3], 4326).arrow().to_pylist())
                            ).tolist() == [4326] * 3


def test_ewkb_of_missing_geometries_is_null():
    wkb = np.array([shapely.to_wkb(shapely.Point(1, 2)), None], dtype=object)
    column = cb.ewkb(wkb, 4326)
    assert column.null.tolist() == [False, True]
    assert column.arrow().to_pylist()[1] == b""


def test_numbers_truncate_floats_for_integer_columns_and_take_objects():
    assert cb.numbers(pd.Series([1.9, -1.9, np.nan]), "int4").data.view(">i4").ravel()[
        :2].tolist() == [1, -1]
    column = cb.numbers(pd.Series([1, None, Decimal(3)], dtype=object), "int8")
    assert column.null.tolist() == [False, True, False]
    assert column.data[[0, 2]].view(">i8").ravel().tolist() == [1, 3]


def test_naive_timestamps_are_refused():
    with pytest.raises(TypeError):
        cb.timestamps(pd.Series(pd.to_datetime(["2024-01-01 10:00"])))
    assert cb.timestamps(pd.Series([None, None])).null.tolist() == [True, True]


@pytest.mark.parametrize("shape", [
    shapely.Point(110.1, -0.05),
    shapely.LineString([(110, 0), (110.1, 0.1), (110.2, 0)]),
    shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 0)]),
    shapely.box(109.5, -0.2, 109.6, -0.1),
])
def test_ewkb_from_coordinates_is_byte_for_byte_to_wkbs(shape):
    rng = np.random.default_rng(11)
    geoms = np.array([shapely.affinity.translate(shape, rng.random(), rng.random())
                      for _ in range(300)], dtype=object)
    assert cb._simple_ewkb(geoms, 4326) is not None  # the fast path, not to_wkb
    expected = [reference_ewkb(w) for w in shapely.to_wkb(geoms)]
    assert cb.ewkb_of(geoms, 4326).arrow().to_pylist() == expected
    assert cb.ewkb_of(geoms[7:8], 4326).arrow().to_pylist() == expected[7:8]


@pytest.mark.parametrize("geoms", [
    geometries(200, np.random.default_rng(8)),  # mixed kinds, Z, collections, empties
    np.array([shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 0)],
                              holes=[[(1, 0.5), (3, 0.5), (3, 2.5), (1, 0.5)]])] * 3),
    np.array([shapely.MultiPolygon([shapely.box(0, 0, 1, 1)])] * 3),
    np.array([shapely.Point(1, 2, 3)] * 3),
    np.array([shapely.Point(1, 2), shapely.from_wkt("POINT EMPTY")]),
    np.array([], dtype=object),
])
def test_ewkb_of_other_geometries_goes_through_to_wkb(geoms):
    assert cb.ewkb_of(geoms, 4326).arrow().to_pylist() == [
        reference_ewkb(w) for w in shapely.to_wkb(geoms)]


def test_values_a_builder_cannot_write_exactly_are_refused_not_bent():
    with pytest.raises(OverflowError):
        cb.numbers(pd.Series([1, 40_000]), "int2")
    with pytest.raises(OverflowError):
        cb.numbers(pd.Series([1.0, 3e10, np.nan]), "int4")
    with pytest.raises(TypeError):
        cb.dates(pd.Series(["2024-01-02"], dtype=object))
    with pytest.raises(TypeError):
        cb.timestamps(pd.Series(["2024-01-02 10:00+07:00"], dtype="str"))
