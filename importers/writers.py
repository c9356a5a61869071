"""Writing: a binary COPY of the prepared rows into a staging table, then one set-based update
and one set-based insert into the target, edit history in SQL, in the caller's transaction (so
an import is all or nothing). A first import into an empty scope (a new generic layer) skips the
stage: its rows are COPYed straight into the target, as nothing can match them."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import shapely
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from importers.targets import Target
from layers.models.common import FeatureBase

COPY_BATCH = 20_000
STAGE = "_sig_import_stage"


@dataclass
class WriteResult:
    created: list[int]
    updated: list[int]
    matched: int


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


def _ewkb(geoms: np.ndarray) -> list[bytes]:
    return shapely.to_wkb(shapely.set_srid(geoms, 4326), include_srid=True).tolist()


Column = list | Callable[[int, int], list]


def _copy(cursor, table: str, columns: dict[str, Column], types: dict[str, str],
          progress: Callable[[float], None] | None) -> None:
    """Binary COPY into `table`. A column is a list, or a function (start, end) -> the values
    of rows start..end, called batch by batch: the server takes in one batch while this process
    prepares the next (EWKB of 200k polygons: ~0.9 s that now overlaps the server's work)."""
    names = list(columns)
    total = next(len(c) for c in columns.values() if not callable(c))
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)"
    with cursor.copy(sql) as copy:
        copy.set_types([_WIRE.get(types[c], types[c]) for c in names])
        write = copy.write_row
        for start in range(0, total, COPY_BATCH):
            end = min(start + COPY_BATCH, total)
            batch = [c(start, end) if callable(c) else c[start:end] for c in columns.values()]
            for row in zip(*batch, strict=True):
                write(row)
            if progress:
                progress(end / total)


def _constant(value) -> Callable[[int, int], list]:
    return lambda start, end: [value] * (end - start)


def uuid7_series(n: int) -> list[bytes]:
    """n new UUIDs (version 7, RFC 9562): this millisecond, then a counter in the 30 bits after
    it (method 1), the rest random. Increasing, so the unique btree indexes on `uid` grow at
    their right edge instead of touching a random page per row (measured: ~0.8 s less server
    time on 200k rows, feature and history tables together)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 0:6] = np.frombuffer(int(time.time() * 1000).to_bytes(6, "big"), dtype=np.uint8)
    counter = np.arange(n, dtype=np.uint64)
    high = (counter >> np.uint64(18)) & np.uint64(0xFFF)
    low = counter & np.uint64(0x3FFFF)
    raw[:, 6] = (np.uint64(0x70) | (high >> np.uint64(8))).astype(np.uint8)
    raw[:, 7] = (high & np.uint64(0xFF)).astype(np.uint8)
    raw[:, 8] = (np.uint64(0x80) | (low >> np.uint64(12))).astype(np.uint8)  # variant 10
    raw[:, 9] = ((low >> np.uint64(4)) & np.uint64(0xFF)).astype(np.uint8)
    raw[:, 10] = (raw[:, 10] & 0x0F) | ((low & np.uint64(0xF)) << np.uint64(4)).astype(np.uint8)
    return raw.view("V16").ravel().tolist()  # the 16 bytes uuid_recv takes


def _history_columns(model) -> list[str]:
    history = model.history.model
    skip = {"history_id", "history_date", "history_change_reason", "history_type",
            "history_user_id"}
    return [f.column for f in history._meta.concrete_fields if f.column not in skip]


def write_rows(*, target: Target, stage: pd.DataFrame, geoms: np.ndarray,
               source_ref: pd.Series, user: AbstractBaseUser | None, public: bool,
               reason: str, progress: Callable[[float], None] | None = None) -> WriteResult:
    """Upsert the rows by the target's natural key; returns created and updated ids."""
    model = target.model
    # Only what the file provides: an optional field the file lacks keeps its stored value.
    declared = {**target.columns, "attributes": "jsonb", "properties": "jsonb"}
    columns = {c: t for c, t in declared.items() if c in stage.columns}
    columns.update({"geom": "geometry", "source_ref": "text"})
    values = {c: _values(stage[c], t) for c, t in columns.items() if c in stage.columns}
    values["geom"] = lambda start, end: _ewkb(geoms[start:end])
    values["source_ref"] = _values(source_ref, "text")
    params = {**target.params(), "user": getattr(user, "pk", None), "public": public,
              "reason": reason, "now": timezone.now()}
    with connection.cursor() as cursor:
        if issubclass(model, FeatureBase) and target.claim_empty(cursor):
            return _write_first(cursor, target, columns, values, params, progress)
        return _write_staged(cursor, target, columns, values, params, progress)


def _write_first(cursor, target: Target, columns: dict[str, str], values: dict[str, list],
                 params: dict, progress: Callable[[float], None] | None) -> WriteResult:
    """A first import into an empty scope: nothing to match or update, so the rows are COPYed
    straight into the target (no stage, no anti-join), then recorded in the history."""
    model = target.model
    n = len(values["source_ref"])
    types = dict(columns)
    extra = {"uid": (uuid7_series(n), "bytea"), "version": (_constant(1), "int4"),
             "is_verified": (_constant(True), "bool"),
             "is_public": (_constant(params["public"]), "bool"),
             "recorded_by_id": (_constant(params["user"]), "int4"),
             "created_at": (_constant(params["now"]), "timestamptz"),
             "updated_at": (_constant(params["now"]), "timestamptz")}
    for column, (value, wire) in target.copy_extra().items():
        extra[column] = (_constant(value), wire)
    for column, (column_values, pgtype) in extra.items():
        values[column] = column_values
        types[column] = pgtype
    _copy(cursor, model._meta.db_table, values, types, progress)
    created = _record_history(cursor, model, target.scope(), "+", params)
    target.after_write(cursor, created, created)
    return WriteResult(created=created, updated=[], matched=0)


def _write_staged(cursor, target: Target, columns: dict[str, str], values: dict[str, list],
                  params: dict, progress: Callable[[float], None] | None) -> WriteResult:
    model = target.model
    table = model._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGE} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
        " ON COMMIT DROP")
    _copy(cursor, STAGE, values, columns, progress)
    cursor.execute(f"CREATE INDEX ON {STAGE} (source_ref)")
    cursor.execute(f"ANALYZE {STAGE}")

    data_cols = [c for c in columns if c != "source_ref" or _has_source_ref(model)]
    extra = target.insert_extra()
    feature = issubclass(model, FeatureBase)
    compare = [c for c in data_cols if c not in extra]
    sets = [f"{c} = s.{c}" for c in compare]
    bump = ["version = t.version + 1"] if _has(model, "version") else []
    stamp = ["updated_at = %(now)s"] if _has(model, "updated_at") else []
    key = target.key_match()
    cursor.execute(f"""
        SELECT count(*) FROM {STAGE} s
        WHERE EXISTS (SELECT 1 FROM {table} t WHERE {key})""", params)
    matched = cursor.fetchone()[0]
    cursor.execute(f"""
        UPDATE {table} t SET {', '.join(sets + bump + stamp)}
        FROM {STAGE} s
        WHERE {key}
          AND ({', '.join(f't.{c}' for c in compare)})
              IS DISTINCT FROM ({', '.join(f's.{c}' for c in compare)})
        RETURNING t.id""", params)
    updated = [row[0] for row in cursor.fetchall()]

    inserts: dict[str, str] = {c: f"s.{c}" for c in data_cols}
    inserts.update(extra)
    if feature:
        inserts.update({
            "uid": "gen_random_uuid()", "version": "1", "is_verified": "true",
            "is_public": "%(public)s", "recorded_by_id": "%(user)s",
        })
    elif _has(model, "version"):
        inserts.setdefault("version", "1")
    if _has(model, "created_at"):
        inserts.setdefault("created_at", "%(now)s")
    if _has(model, "updated_at"):
        inserts["updated_at"] = "%(now)s"
    inserts.update(_defaults(model, inserts, params))
    cursor.execute(f"""
        INSERT INTO {table} ({', '.join(inserts)})
        SELECT {', '.join(inserts.values())} FROM {STAGE} s
        WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {key})
        RETURNING id""", params)
    created = [row[0] for row in cursor.fetchall()]

    target.after_write(cursor, created + updated, created)
    _record_history(cursor, model, created, "+", params)
    _record_history(cursor, model, updated, "~", params)
    return WriteResult(created=created, updated=updated, matched=matched)


def _record_history(cursor, model, rows: list[int] | str, kind: str, params: dict
                    ) -> list[int]:
    """One historical row per written row, set-based, marked as this import. `rows` is the ids,
    or an SQL condition on the target row `t` (a first import: every row of its scope).
    Returns the ids recorded."""
    if not rows:
        return []
    cols = _history_columns(model)
    where = "t.id = ANY(%(ids)s::bigint[])" if isinstance(rows, list) else rows
    cursor.execute(f"""
        INSERT INTO {model.history.model._meta.db_table}
            ({', '.join(cols)}, history_date, history_change_reason, history_type,
             history_user_id)
        SELECT {', '.join(f't.{c}' for c in cols)}, %(now)s, %(reason)s, %(kind)s, %(user)s
        FROM {model._meta.db_table} t WHERE {where}
        RETURNING id
    """, {**params, "ids": rows if isinstance(rows, list) else None, "kind": kind})
    return [row[0] for row in cursor.fetchall()]


def _defaults(model, inserts: dict[str, str], params: dict) -> dict[str, str]:
    """Model defaults for the columns the file does not fill (Django defaults live in Python,
    not in the database)."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.column in inserts or f.primary_key or getattr(f, "generated", False):
            continue
        if f.has_default():
            value = f.get_default()
        elif f.null:
            continue
        elif f.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField"):
            value = ""
        else:
            continue
        name = f"default_{f.column}"
        params[name] = json.dumps(value) if f.get_internal_type() == "JSONField" else value
        out[f.column] = f"%({name})s"
    return out


def _has(model, name: str) -> bool:
    return any(f.column == name for f in model._meta.concrete_fields)


def _has_source_ref(model) -> bool:
    return _has(model, "source_ref")
