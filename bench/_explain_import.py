"""The database side of the import, taken apart (a helper, not a benchmark: `make bench` skips it).

    .venv/bin/python bench/_explain_import.py [--repeat 3]

On scratch copies of layers_feature / layers_historicalfeature (CREATE TABLE … LIKE … INCLUDING
ALL, plus the same deferred foreign keys), never on the real tables, it times:
  * the stage load as writers.py does it (hex EWKB + pandas to_csv + CSV COPY) against a binary
    COPY of the same rows,
  * the set-based INSERT … SELECT of writers.py, with and without each index / constraint,
  * the history insert (id = ANY(<ids>) as writers.py) against one INSERT … RETURNING chain,
  * a direct binary COPY into the feature table (what a first import of a new layer could do),
and prints EXPLAIN (ANALYZE, BUFFERS) of the INSERT. Every scratch table is dropped at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _polygons
from _common import django_setup, log, proc_cpu, psycopg_connect

FEAT, HIST = "bench_x_feature", "bench_x_hist"
STAGE = "_sig_import_stage"  # writers._copy writes there (a TEMP table: this session only)
FK_FEAT = [
    f"ALTER TABLE {FEAT} ADD CONSTRAINT {FEAT}_layer_fk FOREIGN KEY (layer_id) "
    "REFERENCES layers_layer(id) DEFERRABLE INITIALLY DEFERRED",
    f"ALTER TABLE {FEAT} ADD CONSTRAINT {FEAT}_user_fk FOREIGN KEY (recorded_by_id) "
    "REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED",
]
FK_HIST = [f"ALTER TABLE {HIST} ADD CONSTRAINT {HIST}_user_fk FOREIGN KEY (history_user_id) "
           "REFERENCES auth_user(id) DEFERRABLE INITIALLY DEFERRED"]


def scratch(cur, drop: tuple[str, ...] = (), fks: bool = True, lean_history: bool = False
            ) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {FEAT}, {HIST}")
    cur.execute(f"CREATE TABLE {FEAT} (LIKE layers_feature INCLUDING ALL)")
    cur.execute(f"CREATE TABLE {HIST} (LIKE layers_historicalfeature INCLUDING ALL)")
    if lean_history:  # keep the history's pkey and its (id) index only
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [HIST])
        for name, definition in cur.fetchall():
            if "pkey" not in name and not definition.endswith("(id)"):
                cur.execute(f'DROP INDEX "{name}"')
    cur.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
                [FEAT])
    checks = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [FEAT])
    indexes = cur.fetchall()
    for what in drop:
        if what == "check":
            for name in checks:
                if "version" not in name:
                    cur.execute(f'ALTER TABLE {FEAT} DROP CONSTRAINT "{name}"')
        else:  # an index, by a word of its definition: gist, source_ref, uid, layer_id, recorded
            for name, definition in indexes:
                if what in definition and "pkey" not in name:
                    if "UNIQUE" in definition and what == "uid":
                        cur.execute(f'ALTER TABLE {FEAT} DROP CONSTRAINT IF EXISTS "{name}"')
                    cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    if fks:
        for statement in FK_FEAT + FK_HIST:
            cur.execute(statement)


ADDABLE = {
    "CHECK (ST_IsValid)": [f"ALTER TABLE {FEAT} ADD CONSTRAINT {FEAT}_valid "
                           "CHECK (st_isvalid(geom))"],
    "GiST (geom)": [f"CREATE INDEX ON {FEAT} USING gist (geom)"],
    "unique (layer_id, source_ref) partial, as now": [
        f"CREATE UNIQUE INDEX ON {FEAT} (layer_id, source_ref) WHERE NOT source_ref::text = ''"],
    'the same unique index with source_ref COLLATE "C"': [
        f'CREATE UNIQUE INDEX ON {FEAT} (layer_id, (source_ref::text) COLLATE "C") '
        "WHERE NOT source_ref::text = ''"],
    "unique (uid), random v4 UUIDs": [f"ALTER TABLE {FEAT} ADD UNIQUE (uid)"],
    "btree (layer_id)": [f"CREATE INDEX ON {FEAT} (layer_id)"],
    "btree (recorded_by_id), all NULL": [f"CREATE INDEX ON {FEAT} (recorded_by_id)"],
    "the 2 deferred FKs (checked at COMMIT)": FK_FEAT,
}


def scratch_with(cur, adds: tuple[str, ...]) -> None:
    """The feature table with its primary key only, plus the named pieces of ADDABLE."""
    cur.execute(f"DROP TABLE IF EXISTS {FEAT}, {HIST}")
    cur.execute(f"CREATE TABLE {FEAT} (LIKE layers_feature INCLUDING DEFAULTS INCLUDING "
                "IDENTITY INCLUDING GENERATED)")
    cur.execute(f"ALTER TABLE {FEAT} ADD PRIMARY KEY (id)")
    cur.execute(f"CREATE TABLE {HIST} (LIKE layers_historicalfeature INCLUDING ALL)")
    for name in adds:
        for statement in ADDABLE[name]:
            cur.execute(statement)


def insert_sql(layer_id_param: str = "%(layer_id)s") -> str:
    """writers.write_rows's INSERT for a generic layer, on the scratch tables."""
    return f"""
        INSERT INTO {FEAT} (properties, geom, source_ref, layer_id, uid, version, is_verified,
                            is_public, recorded_by_id, created_at, updated_at)
        SELECT s.properties, s.geom, s.source_ref, {layer_id_param}, gen_random_uuid(), 1, true,
               %(public)s, %(user)s, %(now)s, %(now)s
        FROM {STAGE} s
        WHERE NOT EXISTS (SELECT 1 FROM {FEAT} t
                          WHERE t.layer_id = %(layer_id)s AND t.source_ref = s.source_ref)
        RETURNING id"""


HIST_COLS = ["id", "uid", "version", "source_ref", "is_verified", "is_public", "created_at",
             "updated_at", "geom", "properties", "recorded_by_id", "layer_id"]


def history_sql() -> str:
    cols = ", ".join(HIST_COLS)
    return f"""
        INSERT INTO {HIST} ({cols}, history_date, history_change_reason, history_type,
                            history_user_id)
        SELECT {', '.join(f't.{c}' for c in HIST_COLS)}, %(now)s, %(reason)s, %(kind)s, %(user)s
        FROM {FEAT} t WHERE t.id = ANY(%(ids)s)"""


def chained_sql() -> str:
    """INSERT … RETURNING * feeding the history insert, in one statement."""
    cols = ", ".join(HIST_COLS)
    return f"""
        WITH ins AS ({insert_sql().replace('RETURNING id', 'RETURNING *')})
        INSERT INTO {HIST} ({cols}, history_date, history_change_reason, history_type,
                            history_user_id)
        SELECT {', '.join(f'ins.{c}' for c in HIST_COLS)}, %(now)s, %(reason)s, '+', %(user)s
        FROM ins RETURNING id"""


def clock(fn, repeat: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run the cases whose label has this text")
    parser.add_argument("--explain", action="store_true",
                        help="with --only: still print EXPLAIN ANALYZE of the INSERT")
    args = parser.parse_args()
    django_setup()
    import numpy as np
    import pandas as pd
    import pyogrio
    import shapely
    from psycopg.adapt import Dumper
    from psycopg.pq import Format

    from importers import jobs, writers

    path = _polygons.generate(args.features, log=log)
    frame = pyogrio.read_dataframe(path, use_arrow=True)
    attrs = frame.drop(columns=[frame.geometry.name])
    geoms = np.asarray(frame.geometry.array, dtype=object)
    stage = pd.DataFrame(index=frame.index)
    stage["properties"] = jobs._json_lines(attrs)
    refs = frame[_polygons.KEY].astype("string").str.strip()
    columns = {"properties": "jsonb", "geom": "geometry", "source_ref": "text"}
    n = len(frame)

    conn = psycopg_connect()
    cur = conn.cursor()
    cur.execute("SELECT oid FROM pg_type WHERE typname = 'jsonb'")
    jsonb_oid = cur.fetchone()[0]

    class JsonbText(str):
        pass

    class JsonbTextDumper(Dumper):  # an already serialised JSON text, binary jsonb format
        format = Format.BINARY
        oid = jsonb_oid

        def dump(self, obj):
            return b"\x01" + obj.encode()

    conn.adapters.register_dumper(JsonbText, JsonbTextDumper)
    from layers.models import Layer

    Layer.objects.filter(slug="bench-x").delete()
    layer_id = Layer.objects.create(slug="bench-x", name="bench x", geometry_type="polygon").id
    params = {"layer_id": layer_id, "public": True, "user": None,
              "now": datetime.now(UTC), "reason": "bench", "kind": "+"}
    cases: list[tuple[str, object]] = []

    def case(label):
        def register(fn):
            cases.append((label, fn))
            return fn
        return register

    def new_stage():
        cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cur.execute(f"CREATE TEMP TABLE {STAGE} (properties jsonb, geom geometry, "
                    "source_ref text)")

    def finish_stage():
        cur.execute(f"CREATE INDEX ON {STAGE} (source_ref)")
        cur.execute(f"ANALYZE {STAGE}")

    def binary_stage():
        new_stage()
        wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), include_srid=True)
        with cur.copy(f"COPY {STAGE} (properties, geom, source_ref) FROM STDIN "
                      "(FORMAT BINARY)") as copy:
            copy.set_types(["jsonb", "bytea", "text"])
            for row in zip(map(JsonbText, stage["properties"].tolist()), wkb.tolist(),
                           refs.tolist(), strict=True):
                copy.write_row(row)
        finish_stage()
        conn.commit()

    # --- stage load: as writers.py (CSV) against binary ------------------------------------
    @case("stage load as now: _stage_frame + to_csv + CSV COPY + index + ANALYZE")
    def csv_load():
        new_stage()
        t0 = time.perf_counter()
        staged = writers._stage_frame(stage, geoms, refs)
        t1 = time.perf_counter()
        names = list(columns)
        csv_s, cpu0 = 0.0, time.process_time()
        for start in range(0, n, writers.COPY_BATCH):  # to_csv alone, as _copy calls it
            c0 = time.perf_counter()
            staged.iloc[start:start + writers.COPY_BATCH][names].to_csv(
                io.StringIO(), header=False, index=False, quoting=csv.QUOTE_MINIMAL, na_rep="")
            csv_s += time.perf_counter() - c0
        csv_cpu = time.process_time() - cpu0  # measured apart: not part of the load's CPU
        t2 = time.perf_counter()
        writers._copy(cur, staged, columns, None)
        t3 = time.perf_counter()
        finish_stage()
        conn.commit()
        t4 = time.perf_counter()
        return (t1 - t0) + (t4 - t2), {"_stage_frame": t1 - t0, "to_csv": csv_s,
                                        "_copy (to_csv + COPY)": t3 - t2,
                                        "index+ANALYZE": t4 - t3, "exclude client CPU": csv_cpu}

    @case("stage load binary: to_wkb + psycopg binary COPY + index + ANALYZE")
    def binary_load():
        new_stage()
        t0 = time.perf_counter()
        wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), include_srid=True)
        rows = zip(map(JsonbText, stage["properties"].tolist()), wkb.tolist(),
                   refs.tolist(), strict=True)
        t1 = time.perf_counter()
        with cur.copy(f"COPY {STAGE} (properties, geom, source_ref) FROM STDIN "
                      "(FORMAT BINARY)") as copy:
            copy.set_types(["jsonb", "bytea", "text"])
            for row in rows:
                copy.write_row(row)
        t2 = time.perf_counter()
        finish_stage()
        conn.commit()
        t3 = time.perf_counter()
        return t3 - t0, {"to_wkb": t1 - t0, "COPY": t2 - t1, "index+ANALYZE": t3 - t2}

    # --- the INSERT … SELECT, with and without each index / constraint ----------------------
    variants = [
        ("as now (6 indexes, validity CHECK, 2 deferred FKs)", (), True),
        ("without the validity CHECK (ST_IsValid)", ("check",), True),
        ("without the GiST index", ("gist",), True),
        ("without the unique (layer_id, source_ref) index", ("source_ref",), True),
        ("without the uid unique index", ("uid",), True),
        ("without the layer_id + recorded_by btree indexes", ("(layer_id)", "recorded_by"),
         True),
        ("without the two deferred FKs", (), False),
        ("bare: pkey only, no CHECK, no FK", ("check", "gist", "source_ref", "uid",
                                              "(layer_id)", "recorded_by"), False),
    ]
    for label, drop, fks in variants:
        def insert(drop=drop, fks=fks):
            scratch(cur, drop, fks)
            conn.commit()
            t0 = time.perf_counter()
            cur.execute(insert_sql(), params)
            cur.fetchall()
            t1 = time.perf_counter()
            conn.commit()
            t2 = time.perf_counter()
            return t2 - t0, {"INSERT": t1 - t0, "COMMIT": t2 - t1}

        cases.append((f"INSERT…SELECT + COMMIT, {label}", insert))

    # One piece at a time on top of the bare table: each piece's own cost, additive.
    for label, adds in [("bare: pkey only", ()), *(((f"bare + {k}"), (k,)) for k in ADDABLE),
                        ("bare + all of them (= as now)", tuple(k for k in ADDABLE
                                                               if "COLLATE" not in k))]:
        def insert_with(adds=adds):
            scratch_with(cur, adds)
            conn.commit()
            t0 = time.perf_counter()
            cur.execute(insert_sql(), params)
            cur.fetchall()
            t1 = time.perf_counter()
            conn.commit()
            t2 = time.perf_counter()
            return t2 - t0, {"INSERT": t1 - t0, "COMMIT": t2 - t1}

        cases.append((f"INSERT+COMMIT, {label}", insert_with))

    # --- history: id = ANY(ids) (as now) against one chained statement ----------------------
    @case("INSERT + history (id = ANY(ids)) + COMMIT, as now")
    def history_now():
        scratch(cur)
        conn.commit()
        t0 = time.perf_counter()
        cur.execute(insert_sql(), params)
        ids = [r[0] for r in cur.fetchall()]
        t1 = time.perf_counter()
        cur.execute(history_sql(), {**params, "ids": ids})
        t2 = time.perf_counter()
        conn.commit()
        t3 = time.perf_counter()
        return t3 - t0, {"INSERT": t1 - t0, "history": t2 - t1, "COMMIT": t3 - t2}

    for label, lean, by_layer in (
            ("history alone, as now: id = ANY(ids), 7 indexes on the history table",
             False, False),
            ("history alone, id = ANY(ids), history pkey + (id) index only", True, False),
            ("history alone, WHERE layer_id = X (no id array), 7 indexes", False, True)):
        def history_alone(lean=lean, by_layer=by_layer):
            scratch(cur, lean_history=lean)
            conn.commit()
            cur.execute(insert_sql(), params)
            ids = [r[0] for r in cur.fetchall()]
            conn.commit()
            server0 = proc_cpu(conn.info.backend_pid)
            t0 = time.perf_counter()
            if by_layer:
                cur.execute(history_sql().replace("t.id = ANY(%(ids)s)",
                                                  "t.layer_id = %(layer_id)s"), params)
            else:
                cur.execute(history_sql(), {**params, "ids": ids})
            conn.commit()
            return time.perf_counter() - t0, {
                "history server CPU": proc_cpu(conn.info.backend_pid) - server0}

        cases.append((label, history_alone))

    @case("WITH ins AS (INSERT … RETURNING *) INSERT history + COMMIT")
    def history_chained():
        scratch(cur)
        conn.commit()
        t0 = time.perf_counter()
        cur.execute(chained_sql(), params)
        cur.fetchall()
        t1 = time.perf_counter()
        conn.commit()
        t2 = time.perf_counter()
        return t2 - t0, {"statement": t1 - t0, "COMMIT": t2 - t1}

    # --- a first import straight into the feature table (no stage, no anti-join) ------------
    @case("first import: binary COPY straight into the feature table + history + COMMIT")
    def direct():
        scratch(cur)
        conn.commit()
        t0 = time.perf_counter()
        wkb = shapely.to_wkb(shapely.set_srid(geoms, 4326), include_srid=True)
        uids = [uuid.uuid4() for _ in range(n)]
        now = params["now"]
        t1 = time.perf_counter()
        with cur.copy(f"COPY {FEAT} (properties, geom, source_ref, layer_id, uid, version, "
                      "is_verified, is_public, recorded_by_id, created_at, updated_at) "
                      "FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["jsonb", "bytea", "text", "int8", "uuid", "int4", "bool",
                            "bool", "int4", "timestamptz", "timestamptz"])
            for props, g, ref, uid in zip(map(JsonbText, stage["properties"].tolist()),
                                          wkb.tolist(), refs.tolist(), uids, strict=True):
                copy.write_row((props, g, ref, layer_id, uid, 1, True, True, None, now, now))
        t2 = time.perf_counter()
        cur.execute(f"""
            INSERT INTO {HIST} ({', '.join(HIST_COLS)}, history_date, history_change_reason,
                                history_type, history_user_id)
            SELECT {', '.join(f't.{c}' for c in HIST_COLS)}, %(now)s, %(reason)s, '+',
                   %(user)s
            FROM {FEAT} t WHERE t.layer_id = %(layer_id)s""", params)
        t3 = time.perf_counter()
        conn.commit()
        t4 = time.perf_counter()
        return t4 - t0, {"to_wkb+uuid4": t1 - t0, "COPY": t2 - t1, "history": t3 - t2,
                         "COMMIT": t4 - t3}

    cases = [(label, fn) for label, fn in cases if args.only.lower() in label.lower()]
    results: dict[str, list[tuple[float, dict]]] = {label: [] for label, _fn in cases}
    backend = conn.info.backend_pid
    try:
        for round_no in range(args.repeat):
            for label, fn in cases:
                if label.startswith(("INSERT", "WITH", "history")):
                    binary_stage()  # the same stage rows for every write variant
                cur.execute("CHECKPOINT")
                conn.commit()
                server0, client0 = proc_cpu(backend), time.process_time()
                total, parts = fn()
                cpu = {"server CPU": proc_cpu(backend) - server0,
                       "client CPU": time.process_time() - client0
                       - parts.pop("exclude client CPU", 0.0)}
                results[label].append((total, {**parts, **cpu}))
                log(f"round {round_no + 1}: {total:6.2f} s (CPU server {cpu['server CPU']:.2f} "
                    f"client {cpu['client CPU']:.2f})  {label}")
        # EXPLAIN ANALYZE, FKs made immediate so their triggers are listed.
        plan = ""
        if args.explain or not args.only:
            binary_stage()
            scratch(cur)
            conn.commit()
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + insert_sql(), params)
            plan = "\n".join(r[0] for r in cur.fetchall())
            conn.rollback()
    finally:
        conn.rollback()
        cur.execute(f"DROP TABLE IF EXISTS {FEAT}, {HIST}, {STAGE}")
        conn.commit()
        conn.close()
        Layer.objects.filter(slug="bench-x").delete()
        from django.db import connection

        with connection.cursor() as dj:
            dj.execute("DELETE FROM layers_historicallayer WHERE slug = 'bench-x'")

    print(f"\n{n:,} rows; {args.repeat} interleaved rounds. wall: min / median s; CPU: "
          "median s of the server backend + this process; then the parts of the fastest run:")
    for label, runs in results.items():
        best = min(runs, key=lambda r: r[0])
        detail = ", ".join(f"{k} {v:.2f}" for k, v in best[1].items())
        server = statistics.median(r[1]["server CPU"] for r in runs)
        client = statistics.median(r[1]["client CPU"] for r in runs)
        print(f"  wall {best[0]:6.2f} / {statistics.median(r[0] for r in runs):6.2f}  "
              f"CPU {server:6.2f} + {client:5.2f}  {label}\n{'':8s}({detail})")
    if plan:
        print("\nEXPLAIN (ANALYZE, BUFFERS) of the INSERT (FKs immediate):\n" + plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
