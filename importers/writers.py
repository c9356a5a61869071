"""Writing: a binary COPY of the prepared rows into a staging table, then one set-based update
and one set-based insert into the target, edit history in SQL, in the caller's transaction (so
an import is all or nothing). A first import into an empty thematic layer skips the stage: its
rows are COPYed into a batch table of their own, as nothing can match them
(layers/models/batches.py)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, connections
from django.utils import timezone

from importers import copy_binary
from importers.copy_columns import (
    Column,
    Geometries,
    JsonRows,
    copy_into,
    ewkb_list,
    slice_rows,
)
from importers.geometry import Repairs
from importers.targets import Target
from layers.models.common import FeatureBase, history_columns
from layers.services import feature_batches

# A first import of at least PARTS_MIN_ROWS rows into a thematic layer is loaded in PARTS
# tables by as many server processes (_load_parts), one a core, up to four.
PARTS = min(4, os.cpu_count() or 1)
PARTS_MIN_ROWS = 50_000
STAGE = "_sig_import_stage"


@dataclass
class WriteResult:
    created: list[int]
    updated: list[int]
    matched: int
    # The deferred geometry check's findings (positions among the rows given), if it ran here.
    repairs: Repairs | None = None
    # How many rows were created, when their ids are not listed (a batch).
    created_rows: int | None = None

    @property
    def created_count(self) -> int:
        return len(self.created) if self.created_rows is None else self.created_rows


def uuid7_series(n: int) -> np.ndarray:
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
    return raw  # n × 16 bytes, each row what uuid_recv takes


def write_rows(*, target: Target, stage: pd.DataFrame, geoms: np.ndarray | None,
               source_ref: pd.Series, user: AbstractBaseUser | None, public: bool,
               reason: str, json: tuple[str, pd.DataFrame] | None = None,
               repair: Callable[[], Repairs] | None = None, wkb: pa.BinaryArray | None = None,
               order: np.ndarray | None = None, side_tables: list[str] | None = None,
               progress: Callable[[float], None] | None = None) -> WriteResult:
    """Upsert the rows by the target's natural key; returns created and updated ids (a batch:
    how many rows it created). `json`: the JSON column and the attributes that go into it, one
    row per stage row. `repair`: what the deferred geometry check found (importers/geometry.py:
    it runs aside); a batch import reads it after the indexes are built, any other write
    before it writes. `wkb`:
    the file's own WKB of `geoms`, sent as it is (`geoms` may then be None: not parsed).
    `order`: the rows' order by their key (positions among them), when they have one (not
    content hashes: those would scatter the rows). `side_tables`: when
    given, a batch may be loaded in parts by connections of their own, which commit; their
    tables are added to it first, for the caller to drop if its transaction does not commit
    (feature_batches.drop_tables, once it has rolled back)."""
    params = {**target.params(), "user": getattr(user, "pk", None), "public": public,
              "reason": reason, "now": timezone.now()}
    with connection.cursor() as cursor:
        batch = target.claim_empty(cursor)
        repairs = None
        if repair is not None and not batch:
            repairs = repair()
            if repairs.replaced:
                at, fixed = list(repairs.replaced), list(repairs.replaced.values())
                if geoms is not None:
                    geoms = geoms.copy()
                    geoms[at] = fixed
                if wkb is not None:
                    patched = wkb.to_numpy(zero_copy_only=False).copy()
                    patched[at] = list(shapely.to_wkb(np.array(fixed, dtype=object)))
                    wkb = pa.array(patched, type=pa.binary())
            kept = np.ones(len(stage), dtype=bool)
            kept[repairs.refused] = False
            stage, source_ref = stage[kept], source_ref[kept]
            geoms = geoms[kept] if geoms is not None else None
            wkb = wkb.filter(pa.array(kept)) if wkb is not None else None
            json = (json[0], json[1][kept]) if json is not None else None
        elif batch and order is not None:
            # A batch table's rows go in in key order: the server then builds the unique key's
            # btree from presorted input (200k rows: ~0.2 s of its time less), and keys follow
            # the place more often than not. (Gathered here at once: each part gathering its
            # own rows in its thread was measured slower.)
            stage, source_ref = stage.iloc[order], source_ref.iloc[order]
            geoms = geoms[order] if geoms is not None else None
            json = (json[0], json[1].iloc[order]) if json is not None else None
            wkb = wkb.take(pa.array(order)) if wkb is not None else None
        # Only what the file provides: an optional field the file lacks keeps its stored value.
        columns = {c: t for c, t in target.columns.items() if c in stage.columns}
        columns.update({"geom": "geometry", "source_ref": "text"})
        values: dict[str, Column] = {c: stage[c] for c in columns if c in stage.columns}
        values["geom"] = Geometries(geoms=geoms, wkb=wkb)
        values["source_ref"] = source_ref
        if json is not None:
            columns[json[0]] = "jsonb"
            values[json[0]] = JsonRows(json[1])
        if batch:
            return _write_batch(cursor, target, columns, values, params, progress, repair,
                                order, side_tables)
        result = _write_staged(cursor, target, columns, values, params, progress)
        result.repairs = repairs
        return result


def _write_batch(cursor, target: Target, columns: dict[str, str], values: dict[str, Column],
                 params: dict, progress: Callable[[float], None] | None,
                 repair: Callable[[], Repairs] | None, order: np.ndarray | None,
                 side_tables: list[str] | None) -> WriteResult:
    """A first import into an empty thematic layer: nothing to match or update, so its rows go
    into a batch table of their own (layers/models/batches.py), COPYed bare, indexed once and
    attached to `layers_feature`; the import is recorded once, as the batch. `order`: the
    position in the caller's rows of each row in `values`, when they were reordered.
    `side_tables`: see write_rows."""
    n = len(values["source_ref"])
    batch = feature_batches.create_batch_table(
        cursor, layer=target.layer, user_id=params["user"], reason=params["reason"],
        now=params["now"], rows=n)
    sent = uuid7_series(n)  # the rows' uids, in the order they are sent
    uids = sent
    if order is not None:  # the uids by the caller's positions (what `repair` reports)
        uids = np.empty_like(sent)
        uids[order] = sent
    # What every row shares is a column default of the bare table, not a value sent 200,000
    # times (the client's COPY encoding is what the server waits for).
    shared = {"version": 1, "is_verified": True, "is_public": params["public"],
              "recorded_by_id": params["user"], "created_at": params["now"],
              "updated_at": params["now"]}
    shared.update(target.copy_extra())
    values["uid"] = copy_binary.uuids(sent)  # ids: the table's default (the feature sequence)
    types = {**columns, "uid": "uuid"}
    parts: list[str] = []
    if side_tables is not None and n >= PARTS_MIN_ROWS and PARTS > 1:
        parts = feature_batches.part_tables(batch, PARTS)
        side_tables.extend(parts)  # before any is committed: the caller drops them on failure
        _load_parts(batch, parts, values, types, shared, progress)
    else:
        feature_batches.set_defaults(cursor, batch.table, shared)
        # FREEZE: the table is new in this transaction, so its rows are written frozen and
        # the first reads after the import do not rewrite every page to set hint bits.
        copy_into(cursor, batch.table, values, types, progress, freeze=True)
    feature_batches.index_batch_table(cursor, batch.table)  # (empty, when in parts)
    feature_batches.inherit_parts(cursor, batch, parts)
    # The deferred geometry check (importers/geometry.py) has run aside meanwhile: what it
    # found is put right before the table joins layers_feature: nothing invalid is ever seen.
    repairs = repair() if repair else None
    if repairs is not None:
        feature_batches.fix_rows(
            cursor, batch, refused=[uuid.UUID(bytes=uids[i].tobytes()) for i in repairs.refused],
            replaced={uuid.UUID(bytes=uids[i].tobytes()): ewkb for i, ewkb in zip(
                repairs.replaced, ewkb_list(np.array(list(repairs.replaced.values()),
                                                 dtype=object)), strict=True)})
    feature_batches.attach_batch_table(cursor, batch, parts)
    # A thematic layer derives nothing from its rows (LayerTarget.after_write is the base's):
    # the new ids are not fetched.
    return WriteResult(created=[], updated=[], matched=0, repairs=repairs,
                       created_rows=batch.rows)


def _load_parts(batch, tables: list[str], values: dict[str, Column], types: dict[str, str],
                shared: dict[str, object], progress: Callable[[float], None] | None) -> None:
    """The batch's rows in `tables` (contiguous slices of the rows as sent), each created,
    COPYed into and indexed by a connection of its own, in a thread of its own, and committed:
    the server's work for the import (parsing the COPY, building the indexes: ~1.2 s of one
    core for 200k polygons) spread over its processes instead of one. The tables stay out of
    `layers_feature` until the import's own transaction puts them under its batch table;
    should that transaction not commit, the caller drops them (write_rows' `side_tables`:
    only once it has rolled back, as it holds locks on them by then)."""
    n = len(values["source_ref"])
    bounds = np.linspace(0, n, PARTS + 1).astype(int)
    copied = [0.0] * PARTS  # each part's progress, reported from this thread (the caller's
    # progress may write through a connection that only this thread may use)

    def load(k: int) -> None:
        part = {c: slice_rows(v, bounds[k], bounds[k + 1]) for c, v in values.items()}
        side = connections.create_connection("default")
        try:
            side.set_autocommit(False)
            with side.cursor() as cursor:
                feature_batches.create_bare_table(cursor, batch, tables[k])
                feature_batches.set_defaults(cursor, tables[k], shared)
                copy_into(cursor, tables[k], part, types,
                      lambda f: copied.__setitem__(k, f), freeze=True)
                feature_batches.index_batch_table(cursor, tables[k])
            side.commit()
        finally:
            side.close()

    with ThreadPoolExecutor(max_workers=PARTS) as pool:
        loads = [pool.submit(load, k) for k in range(PARTS)]
        while futures.wait(loads, timeout=0.25).not_done:
            if progress:
                progress(sum(copied) / PARTS)
        for done in loads:
            done.result()


def _write_staged(cursor, target: Target, columns: dict[str, str], values: dict[str, list],
                  params: dict, progress: Callable[[float], None] | None) -> WriteResult:
    model = target.model
    table = model._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGE} ({', '.join(f'{c} {t}' for c, t in columns.items())})"
        " ON COMMIT DROP")
    copy_into(cursor, STAGE, values, columns, progress)
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


def _record_history(cursor, model, rows: list[int], kind: str, params: dict) -> None:
    """One historical row per written row (`rows`: their ids), set-based, marked as this
    import (what a revert of the import reads)."""
    if not rows:
        return
    cols = history_columns(model)
    cursor.execute(f"""
        INSERT INTO {model.history.model._meta.db_table}
            ({', '.join(cols)}, history_date, history_change_reason, history_type,
             history_user_id)
        SELECT {', '.join(f't.{c}' for c in cols)}, %(now)s, %(reason)s, %(kind)s, %(user)s
        FROM {model._meta.db_table} t WHERE t.id = ANY(%(ids)s::bigint[])
    """, {**params, "ids": rows, "kind": kind})


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
