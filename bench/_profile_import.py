"""Where the import pipeline's time goes (a helper, not a benchmark: `make bench` skips it).

    .venv/bin/python bench/_profile_import.py [--runs 2] [--pyinstrument FILE.txt] [--explain]

Times the phases of importers.jobs.run_import on the bench/import file by wrapping the module
functions in this process only (nothing is edited), every SQL statement through Django's
execute_wrapper, the stage values, the binary COPY, and the COMMIT (where deferred FK checks run).
--explain loads auto_explain in the session (ANALYZE, plans of statements over 300 ms go to the
server log, printed here). The layer is removed after each run.

The bench file is loaded in parts (importers/writers.py `_load_parts`): the COPY and index
builds run in threads on connections of their own, so the server CPU column covers the
import's own connection only, and a function's wall time is summed over the threads that ran
it. The deferred geometry check runs in a child process ("aside: wait" is what is left of it
when the writer needs it).
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _polygons
from _common import checkpoint, clean_layer, django_setup, log, proc_cpu

SLUG = "bench-import"
TIMES: dict[str, float] = defaultdict(float)
CPU: dict[str, float] = defaultdict(float)  # server backend CPU seconds, for SQL and COMMIT
BACKEND = {"pid": 0}


def wrap(owner, name: str, label: str | None = None, server: bool = False) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        start, cpu = time.perf_counter(), proc_cpu(BACKEND["pid"]) if server else 0.0
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label or name] += time.perf_counter() - start
            if server:
                CPU[label or name] += proc_cpu(BACKEND["pid"]) - cpu

    setattr(owner, name, timed)


def sql_recorder(execute, sql, params, many, context):
    first = "sql: " + " ".join(str(sql).split())[:70]
    start, cpu = time.perf_counter(), proc_cpu(BACKEND["pid"])
    try:
        return execute(sql, params, many, context)
    finally:
        TIMES[first] += time.perf_counter() - start
        CPU[first] += proc_cpu(BACKEND["pid"]) - cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pyinstrument", help="write a pyinstrument text profile here")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    django_setup()
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    import pandas as pd
    from django.db import connection, connections

    from importers import jobs, sources, writers
    from importers.targets import LayerTarget, Target

    path = _polygons.generate(args.features, log=log)
    for name in ("open_source", "read_source", "check_geometries", "_summary",
                 "_source_refs", "write_rows", "_fields_summary"):
        wrap(jobs, name)
    wrap(LayerTarget, "bind", "target.bind")
    wrap(Target, "prepare", "target.prepare")
    for name in ("ewkb_list", "uuid7_series", "_write_batch",
                 "_write_staged", "copy_into", "_record_history"):
        wrap(writers, name, "writers." + name, server=name in ("copy_into", "_record_history"))
    from importers import copy_columns
    wrap(copy_columns, "_values", "copy_columns._values (psycopg's dumpers)")
    from layers.services import feature_batches
    for name in ("create_batch_table", "set_defaults", "index_batch_table",
                 "fix_rows", "attach_batch_table"):
        wrap(feature_batches, name, "batches." + name, server=True)
    # The COPY data, made in this thread while psycopg's writer thread sends the blocks before.
    from importers import copy_binary, jsonb_rows
    from importers.aside import Aside
    wrap(Aside, "__init__", "  aside: fork the geometry check")
    wrap(Aside, "result", "  aside: wait for the geometry check")
    wrap(copy_binary, "ewkb", "  copy_binary.ewkb (the file's WKB)")
    wrap(copy_binary, "ewkb_of", "  copy_binary.ewkb_of (geometries)")
    wrap(jsonb_rows, "encode", "  jsonb_rows.encode (the properties)")
    wrap(copy_binary, "encode_rows", "  copy_binary.encode_rows (row layout)")
    wrap(pd.DataFrame, "to_json", "  to_json (properties of other dtypes)")
    wrap(sources.pyogrio, "read_dataframe", "  pyogrio.read_dataframe")
    db = connections["default"]
    wrap(db, "commit", "COMMIT (deferred FK checks)", server=True)

    profiler = None
    clean_layer(SLUG)
    try:
        for run in range(args.runs):
            TIMES.clear()
            CPU.clear()
            db.ensure_connection()
            BACKEND["pid"] = db.connection.info.backend_pid
            server0, client0 = proc_cpu(BACKEND["pid"]), time.process_time()
            checkpoint()
            if args.explain:
                with connection.cursor() as cur:
                    cur.execute("LOAD 'auto_explain'")
                    cur.execute("SET auto_explain.log_min_duration = '300ms'")
                    cur.execute("SET auto_explain.log_analyze = on")
                    cur.execute("SET auto_explain.log_buffers = on")
                    cur.execute("SET auto_explain.log_triggers = on")
                    cur.execute("SET auto_explain.log_nested_statements = on")
            if args.pyinstrument and run == args.runs - 1:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.005)
                profiler.start()
            start = time.perf_counter()
            with connection.execute_wrapper(sql_recorder):
                outcome = jobs.run_import(jobs.ImportRequest(
                    path=path, target=f"layer:{SLUG}", key=_polygons.KEY, reason="profile"))
            total = time.perf_counter() - start
            if profiler is not None:
                profiler.stop()
            server, client = proc_cpu(BACKEND["pid"]) - server0, time.process_time() - client0
            print(f"\nrun {run + 1}: {total:.2f} s wall, created {outcome.report.created}; "
                  f"CPU: server backend {server:.2f} s, this process {client:.2f} s")
            print("     wall s  % wall  server CPU s")
            for label, seconds in sorted(TIMES.items(), key=lambda kv: -kv[1]):
                if seconds >= 0.01:
                    cpu = f"{CPU[label]:8.2f}" if label in CPU else " " * 8
                    print(f"  {seconds:8.2f}  {100 * seconds / total:5.1f}  {cpu}  {label}")
            if args.explain:
                with connection.cursor() as cur:
                    cur.execute("RESET ALL")
            clean_layer(SLUG)
    finally:
        clean_layer(SLUG)
    if profiler is not None:
        Path(args.pyinstrument).write_text(profiler.output_text(unicode=True, color=False,
                                                                show_all=False))
        print(f"pyinstrument profile: {args.pyinstrument}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
