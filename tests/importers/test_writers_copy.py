"""The writer's COPY (importers/copy_columns.py `copy_into`) stores the stage columns as its former
row-by-row COPY did (`_values` + psycopg's `write_row`): every stage type a target declares,
the geometry as EWKB, the properties as jsonb, ids and uids as `_write_batch` gives them,
in one block and in many."""

from __future__ import annotations

import datetime as dt
import struct
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import shapely
from django.db import connection

from importers import copy_binary, copy_columns, writers
from importers.jsonb_rows import to_json_lines

pytestmark = pytest.mark.django_db

TYPES = {"t": "text", "i2": "smallint", "i4": "integer", "i8": "bigint", "num": "numeric",
         "d": "date", "ts": "timestamptz", "geom": "geometry", "props": "jsonb",
         "id": "int8", "uid": "bytea"}
SQL = {**TYPES, "id": "bigint", "uid": "uuid"}


def old_ewkb(geoms: np.ndarray) -> list[bytes]:
    out = []
    for wkb in shapely.to_wkb(geoms).tolist():
        order = wkb[0]
        kind = int.from_bytes(wkb[1:5], "little" if order else "big") | 0x20000000
        out.append(wkb[:1] + struct.pack("<II" if order else ">II", kind, 4326) + wkb[5:])
    return out


def stage(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    missing = rng.random(n) < 0.25
    names = np.array(["Kec. Sungai Raya", "", "Ma'had", "Toko \"Jaya\"", "ü 😀"], dtype=object)
    frame = pd.DataFrame({
        "t": pd.Series(np.where(missing, None, names[rng.integers(0, 5, n)]), dtype="str"),
        "i2": pd.Series(rng.integers(0, 14, n)).astype("int16"),
        "i4": pd.array(np.where(missing, None, rng.integers(1800, 2100, n)), dtype="Int64"),
        "i8": pd.array(np.where(missing, None, rng.integers(1, 10**12, n)), dtype="Int64"),
        "num": np.where(missing, np.nan, rng.integers(0, 10**9, n) / 100),
        "d": pd.Series([None if m else dt.date(2001, 2, 3) + dt.timedelta(days=int(k))
                        for m, k in zip(missing, rng.integers(0, 9000, n), strict=True)],
                       dtype=object),
        "ts": pd.Series(pd.Timestamp("2024-05-06 07:08:09", tz="Asia/Jakarta")
                        + pd.to_timedelta(rng.integers(0, 10**9, n), unit="s")).mask(missing),
    }, index=np.arange(n) * 3 + 5)  # a filtered frame's index, not 0..n-1
    geoms = np.array([shapely.Point(110 + k / 1000, -0.05) if k % 3 else
                      shapely.box(110, 0, 110.001 + k / 10**6, 0.001) for k in range(n)],
                     dtype=object)
    props = pd.DataFrame({"nama": frame["t"].to_numpy(), "luas": rng.normal(100, 50, n),
                          "lantai": rng.integers(1, 4, n)}, index=frame.index)
    return frame, geoms, props


def write_old(cursor, table: str, frame, geoms, props, ids, uids) -> None:
    values = {c: copy_columns._values(frame[c], TYPES[c]) for c in frame.columns}
    values["geom"] = old_ewkb(geoms)
    lines = to_json_lines(props).split("\n")[:len(props)] if len(props) else []
    values["props"] = [b"\x01" + line.encode() for line in lines]
    values.update({"id": ids, "uid": uids})
    names = list(values)
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([copy_columns._WIRE.get(TYPES[c], TYPES[c]) for c in names])
        for row in zip(*values.values(), strict=True):
            copy.write_row(row)


def rows(cursor, table: str) -> list[tuple]:
    cursor.execute(f"SELECT id, uid, t, i2, i4, i8, num, d, ts, ST_AsEWKB(geom), props "
                   f"FROM {table} ORDER BY id")
    return cursor.fetchall()


@pytest.mark.parametrize(("n", "batch"), [(0, 8_192), (1, 8_192), (1_000, 8_192),
                                           (1_000, 64)])
def test_the_copy_stores_what_write_row_stored(n, batch, monkeypatch):
    monkeypatch.setattr(copy_columns, "COPY_BATCH", batch)
    frame, geoms, props = stage(n, seed=n)
    ids = list(range(10**10, 10**10 + n))
    raw = writers.uuid7_series(n)
    uids = [u.tobytes() for u in raw]
    progress = []
    with connection.cursor() as cursor:
        for table in ("old_copy", "new_copy"):
            cursor.execute(f"CREATE TEMP TABLE {table} "
                           f"({', '.join(f'{c} {t}' for c, t in SQL.items())})")
        write_old(cursor, "old_copy", frame, geoms, props, ids, uids)
        values = {c: frame[c] for c in frame.columns}
        values.update({"geom": copy_columns.Geometries(geoms),
                       "props": copy_columns.JsonRows(props),
                       "id": ids, "uid": copy_binary.uuids(raw)})
        copy_columns.copy_into(cursor, "new_copy", values, TYPES, progress.append)
        old = rows(cursor, "old_copy")
        assert len(old) == n
        assert rows(cursor, "new_copy") == old
    assert progress == ([] if n == 0 else sorted(progress)) and (not n or progress[-1] == 1)


def test_values_of_unusual_types_go_through_psycopgs_dumpers():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE odd (num numeric, ts timestamptz, t text, g geometry)")
        # Offsets that differ row by row: pandas will not make one column of them.
        mixed = pd.Series([dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                           dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)], dtype=object)
        values = {"num": pd.Series([Decimal("1.10"), None], dtype=object), "ts": mixed,
                  "t": pd.Series([1.5, None]),
                  "g": lambda start, end: old_ewkb(np.array([shapely.Point(1, 2)] * 2))[
                      start:end]}
        copy_columns.copy_into(cursor, "odd", values, {"num": "numeric", "ts": "timestamptz",
                                              "t": "text", "g": "geometry"}, None)
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute("SELECT num::text, ts::text, t, ST_AsText(g) FROM odd")
        stored = cursor.fetchall()
    assert [r[0] for r in stored] == ["1.10", None]
    assert [r[1] for r in stored] == ["2024-01-01 03:00:00+00", "2024-01-01 10:00:00+00"]
    assert [r[2] for r in stored] == ["1.5", ""]
    assert {r[3] for r in stored} == {"POINT(1 2)"}


def test_a_row_the_server_refuses_midway_raises_and_the_connection_lives_on(monkeypatch):
    import psycopg
    from django.db import transaction

    monkeypatch.setattr(copy_columns, "COPY_BATCH", 1_000)
    rows = [b"\x01{}"] * 30_000
    rows[20_000] = b"\x02{}"  # not a jsonb version the server knows
    with pytest.raises(psycopg.Error, match="jsonb version"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE refused (j jsonb)")
        copy_columns.copy_into(cursor, "refused", {"j": rows}, {"j": "bytea"}, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
