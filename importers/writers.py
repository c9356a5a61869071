"""Writing: binary-safe COPY of the prepared rows into a staging table, then one set-based
update and one set-based insert into the target, edit history in SQL, in the caller's
transaction (so an import is all or nothing)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from importers.targets import Target
from layers.models.common import FeatureBase

COPY_BATCH = 50_000
STAGE = "_sig_import_stage"


@dataclass
class WriteResult:
    created: list[int]
    updated: list[int]
    matched: int


def _stage_frame(stage: pd.DataFrame, geoms: np.ndarray, source_ref: pd.Series) -> pd.DataFrame:
    frame = stage.copy()
    frame["geom"] = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
    frame["source_ref"] = source_ref.to_numpy()
    return frame


def _copy(cursor, frame: pd.DataFrame, columns: dict[str, str],
          progress: Callable[[float], None] | None) -> None:
    """COPY the frame into the staging table in CSV batches (pandas writes the CSV in C)."""
    names = list(columns)
    text_columns = [c for c, t in columns.items() if t in ("text", "jsonb")]
    force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
    sql = f"COPY {STAGE} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv{force})"
    total = len(frame)
    with cursor.copy(sql) as copy:
        for start in range(0, total, COPY_BATCH):
            buffer = io.StringIO()
            frame.iloc[start:start + COPY_BATCH][names].to_csv(
                buffer, header=False, index=False, quoting=csv.QUOTE_MINIMAL, na_rep="")
            copy.write(buffer.getvalue())
            if progress:
                progress(min(1.0, (start + COPY_BATCH) / total))


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
    table = model._meta.db_table
    # Only what the file provides: an optional field the file lacks keeps its stored value.
    declared = {**target.columns, "attributes": "jsonb", "properties": "jsonb"}
    columns = {c: t for c, t in declared.items() if c in stage.columns}
    columns.update({"geom": "geometry", "source_ref": "text"})
    frame = _stage_frame(stage, geoms, source_ref)
    params = {**target.params(), "user": getattr(user, "pk", None), "public": public,
              "reason": reason, "now": timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGE} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
            " ON COMMIT DROP")
        _copy(cursor, frame, columns, progress)
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


def _record_history(cursor, model, ids: list[int], kind: str, params: dict) -> None:
    """One historical row per written row, set-based, marked as this import."""
    if not ids:
        return
    cols = _history_columns(model)
    cursor.execute(f"""
        INSERT INTO {model.history.model._meta.db_table}
            ({', '.join(cols)}, history_date, history_change_reason, history_type,
             history_user_id)
        SELECT {', '.join(f't.{c}' for c in cols)}, %(now)s, %(reason)s, %(kind)s, %(user)s
        FROM {model._meta.db_table} t WHERE t.id = ANY(%(ids)s::bigint[])
    """, {**params, "ids": ids, "kind": kind})


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
