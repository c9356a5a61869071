"""The properties' jsonb made column by column (importers/jsonb_rows.py) parses, row by row, to
what pandas' `to_json` lines gave (the writer's former path), for every kind of column an
attribute table has; and PostgreSQL stores the same jsonb for both."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from django.db import connection

from importers import copy_binary as cb
from importers.jsonb_rows import encode, to_json_lines

STRINGS = ["Kec. Sungai Raya", "", "Ma'had Al-Falah", 'Toko "Desa Jaya"', "a\\b", "a/b",
           "tab\there", "line\nbreak\r", "ctl \x01\x08\x0c\x1f \x7f", "ü é — 😀 \u2028 \u00a0",
           "Jl. Gajah Mada No. 7", "{not json}", "null"]


def parsed(var: cb.Var) -> list:
    out = []
    for value in var.arrow().to_pylist():
        assert value[:1] == b"\x01"  # jsonb binary input: version 1, then the text
        out.append(json.loads(value[1:].decode()))
    return out


def expected(frame: pd.DataFrame) -> list:
    lines = to_json_lines(frame)
    return [json.loads(line) for line in lines.split("\n")[:len(frame)]] if len(frame) else []


def assert_same(frame: pd.DataFrame) -> None:
    got, want = parsed(encode(frame)), expected(frame)
    assert len(got) == len(want) == len(frame)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, (i, frame.iloc[i].to_dict())
        assert list(g) == list(w)  # keys in the columns' order


def floats(rng: np.random.Generator, n: int) -> np.ndarray:
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, 1.5, 2.5, 0.99999999995,
               0.00000000005, 0.00000000015, 1e16 - 1, 1e16, 9007199254740993.0, 1e-15,
               1.0000000001e-15, 1e-16, -1e-12, 5e-11, 123456789.123456789, 1e300, -1e-300,
               0.1 + 0.2, 1 / 3, 2 / 3]
    values = np.concatenate([
        rng.normal(0, 1e3, n), rng.uniform(-1, 1, n) * 10.0 ** rng.integers(-20, 20, n),
        rng.integers(-10**6, 10**6, n) / rng.choice([1, 2, 4, 8, 10, 100, 1000], n)])
    return np.concatenate([special, values])[: max(n, 1) * 3]


def attribute_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m = len(floats(rng, n))
    rng = np.random.default_rng(seed)
    fl = floats(rng, n)
    missing = np.arange(m) % 5 == 0
    text = np.array([STRINGS[i] for i in rng.integers(0, len(STRINGS), m)], dtype=object)
    text[np.arange(m) % 7 == 0] = None
    frame = pd.DataFrame({
        "nama": pd.Series(text, dtype="str"),
        "obj": pd.Series(text, dtype=object),
        "string": pd.Series(text, dtype="string"),
        "arrow": pd.Series(text, dtype=pd.ArrowDtype(pa.string())),
        "luas": fl,
        "f32": np.clip(fl, -3e38, 3e38).astype(np.float32),
        "Float64": pd.array(np.where(missing, None, fl), dtype="Float64"),
        "lantai": rng.integers(-(2**62), 2**62, m),
        "i32": rng.integers(0, 100, m).astype(np.int32),
        "u8": (np.arange(m) % 256).astype(np.uint8),
        "Int64": pd.array(np.where(missing, None, np.arange(m)), dtype="Int64"),
        "ok": rng.random(m) < 0.5,
        "boolean": pd.array(np.where(missing, None, np.arange(m) % 2 == 0), dtype="boolean"),
        "none": pd.Series([None] * m, dtype=object),
        "nan": np.full(m, np.nan),
        "kosong": pd.Series([None] * m, dtype="str"),
        "tanggal": [None if k % 3 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=k)
                    for k in range(m)],
        "waktu": pd.to_datetime("2020-01-01") + pd.to_timedelta(np.arange(m) * 1001,
                                                                unit="ms"),
        "zona": (pd.to_datetime("2020-01-01") + pd.to_timedelta(np.arange(m), unit="h")
                 ).tz_localize("Asia/Jakarta"),
        "campur": [1 if k % 2 else "x" for k in range(m)],
        "desimal": [Decimal("1.10") if k % 2 else None for k in range(m)],
        "kategori": pd.Categorical(np.where(missing, None, text)),
        "Kolom \"aneh\" / ü": np.arange(m),
    })
    return frame


@pytest.mark.parametrize("n", [1, 3, 50, 5_000])
def test_every_row_parses_as_to_json_gave_it(n):
    assert_same(attribute_frame(n, seed=n))


def test_each_column_alone_and_the_bench_columns():
    frame = attribute_frame(300, seed=9)
    for name in frame.columns:
        assert_same(frame[[name]])
    assert_same(frame[["nama", "luas", "lantai"]])


def test_slices_of_a_frame_with_a_filtered_index():
    frame = attribute_frame(400, seed=4)
    kept = frame[frame["ok"]]
    assert_same(kept)
    assert_same(kept.iloc[17:123])


def test_inf_is_null_as_in_to_json():
    frame = pd.DataFrame({"x": [np.inf, -np.inf, np.nan, 1.0]})
    assert parsed(encode(frame)) == [{"x": None}] * 3 + [{"x": 1.0}]
    assert expected(frame) == parsed(encode(frame))


def test_no_rows_and_no_columns():
    assert len(encode(attribute_frame(5).iloc[:0])) == 0
    assert parsed(encode(pd.DataFrame(index=range(3)))) == [{}, {}, {}]


def test_duplicate_column_names_are_refused_as_to_json_refuses_them():
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError):
        encode(frame)


@pytest.mark.django_db
def test_the_database_stores_the_same_jsonb_for_both():
    frame = attribute_frame(2_000, seed=2)
    lines = to_json_lines(frame).split("\n")[:len(frame)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE j (k int4, old jsonb, new jsonb)")
        with cursor.copy("COPY j FROM STDIN (FORMAT BINARY)") as copy:
            for chunk in cb.copy_chunks([[cb.numbers(np.arange(len(frame)), "int4"),
                                          cb.binaries([b"\x01" + line.encode()
                                                       for line in lines]),
                                          encode(frame)]]):
                copy.write(chunk)
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE old = new) FROM j")
        assert cursor.fetchone() == (len(frame), len(frame))


@pytest.mark.parametrize("values", [[12.5, 3.25, 100.125], [1.0, 2.0, 0.0], [-0.5, -2.0, -1e-3],
                                    [np.nan, np.nan], [1e20, 2e-20]])
def test_float_columns_of_one_sort(values):
    assert_same(pd.DataFrame({"luas_m2": values}))
