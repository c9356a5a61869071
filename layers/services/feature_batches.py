"""Batch tables (layers/models/batches.py): a first bulk import's rows in a table of their own
that inherits from `layers_feature`. The importer (importers/writers.py) creates the table,
COPYs into it, indexes it, puts right what its geometry check found (`fix_rows`), then attaches
it, all in its one transaction; a failure leaves nothing behind."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.db import connection, connections
from django.utils import timezone

from layers.models import FeatureBatch, Layer

logger = logging.getLogger(__name__)

PARENT = "layers_feature"


def _parent_oid(cursor) -> int:
    cursor.execute("SELECT %s::regclass::oid", [PARENT])
    return cursor.fetchone()[0]


def create_batch_table(cursor, *, layer: Layer, user_id: int | None, reason: str,
                       now: datetime, rows: int) -> FeatureBatch:
    """A batch record and its bare table (the parent's columns, NOT NULLs and defaults, and
    its cheap CHECKs; no index or trigger yet, so a COPY into it writes the heap and checks
    each row's few integers on the way, instead of a scan per constraint afterwards)."""
    batch = FeatureBatch.objects.create(layer=layer, table="", reason=reason[:100],
                                        user_id=user_id, created_at=now, rows=rows)
    batch.table = f"{PARENT}_b{batch.pk}"
    batch.save(update_fields=["table"])
    # Held until this import's transaction ends: its parts, committed by other connections
    # before it, are not orphans while it lives (drop_orphan_parts).
    cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [LOADING, batch.pk])
    drop_orphan_parts(cursor)
    create_bare_table(cursor, batch, batch.table)
    return batch


# Advisory lock key (with the batch id): a batch loading in parts.
LOADING = 0x5167_0001


def drop_orphan_parts(cursor) -> list[str]:
    """Drop the parts an import left when its process died between loading them and its
    transaction's end (invisible tables under no batch table). A part whose import still
    runs is spared: that import holds its batch's advisory lock."""
    cursor.execute("""
        SELECT c.relname, substring(c.relname FROM '^layers_feature_b([0-9]+)_[0-9]+$')::bigint
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = current_schema()
          AND c.relname ~ '^layers_feature_b[0-9]+_[0-9]+$'
          AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid)""")
    dropped = []
    for table, batch_id in cursor.fetchall():
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s::int, %s::int)", [LOADING, batch_id])
        if cursor.fetchone()[0]:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            dropped.append(table)
    return dropped


def create_bare_table(cursor, batch: FeatureBatch, table: str) -> None:
    """`table` like the parent, bare but for its validated CHECKs and the batch's layer CHECK
    (named after the batch table: INHERIT matches CHECKs by name)."""
    # A table of that name can only be an orphan (e.g. left by a test database flush, which
    # empties tables but keeps them, or by an import that died): no batch record names it.
    cursor.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS)")
    # Ids from the feature sequence, taken by the COPY itself (unique across the whole
    # inheritance tree; one `nextval` a row in the server processes that load the rows, not a
    # round trip of 200,000 reserved ids first).
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [PARENT])
    sequence = cursor.fetchone()[0]  # looked up once: per row it costs ~7 µs, 1.3 s in all
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval(%s::regclass)",
                   [sequence])
    checks = [f"ADD CONSTRAINT {batch.table}_layer CHECK (layer_id = {int(batch.layer_id)})"]
    checks += [f"ADD CONSTRAINT {name} {definition}"
               for name, definition in _parent_checks(cursor, validated=True)]
    cursor.execute(f"ALTER TABLE {table} {', '.join(checks)}")


def part_tables(batch: FeatureBatch, parts: int) -> list[str]:
    """The tables of a batch loaded in parts (writers.py: one server process each): they
    hold its rows and inherit from the batch table, which stays empty."""
    return [f"{batch.table}_{k}" for k in range(parts)]


def _parent_checks(cursor, *, validated: bool) -> list[tuple[str, str]]:
    """The parent's CHECKs (name, definition) that are validated there, or those that are not
    (INHERIT matches them by name)."""
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype = 'c' AND convalidated = %s "
                   "ORDER BY conname", [PARENT, validated])
    return cursor.fetchall()


def set_defaults(cursor, table: str, values: dict[str, object]) -> None:
    """Column defaults of a bare table for the values every row of the batch shares (the
    COPY then leaves those columns out); `index_batch_table` puts the parent's back."""
    for column, value in values.items():
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT %s", [value])


def _rename(definition: str, table: str) -> str:
    return re.sub(rf"\bON (\S+\.)?{PARENT} ", f"ON {table} ", definition, count=1)


def index_batch_table(cursor, table: str) -> None:
    """The parent's defaults, CHECKs and unique and spatial indexes on a loaded table (the
    long part: the importer checks geometries meanwhile)."""
    parent = _parent_oid(cursor)
    # The parent's column defaults again (set_defaults changed some for the COPY).
    cursor.execute("""
        SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attidentity = ''""", [parent])
    statements = [f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT, " + ", ".join(
        f"ALTER COLUMN {column} " + (f"SET DEFAULT {default}" if default else "DROP DEFAULT")
        for column, default in cursor.fetchall())]  # (new rows go to the parent, whose id
    # is an identity column)
    # The parent's NOT VALID CHECKs (the geometry validity one, migration 0012): every row it
    # holds was checked when written, and so were these, by the importer (the same GEOS
    # `is_valid`); NOT VALID keeps it enforced for every later write without a second pass
    # over the import. The validated ones came with the table (create_batch_table).
    statements += [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
                   for name, definition in _parent_checks(cursor, validated=False)]
    # Unique and spatial indexes are built after the load (sorted GiST build). Plain btrees on
    # foreign keys are left out: layer_id is one value here, and recorded_by/reviewed_by only
    # serve the deletion of a user.
    cursor.execute("""
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisprimary
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = %s AND (i.indisunique OR a.amname = 'gist') ORDER BY 1""", [parent])
    for n, (name, definition, primary) in enumerate(cursor.fetchall()):
        index = f"{table}_pkey" if primary else f"{table}_i{n}"
        definition = re.sub(rf"INDEX {re.escape(name)} ", f"INDEX {index} ", definition, count=1)
        statements.append(_rename(definition, table))
        if primary:
            statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {index} PRIMARY KEY "
                              f"USING INDEX {index}")
    for statement in statements:
        cursor.execute(statement)


def fix_rows(cursor, batch: FeatureBatch, *, replaced: dict[uuid.UUID, bytes],
             refused: list[uuid.UUID]) -> None:
    """What the importer's geometry check found after the COPY: repaired geometries (EWKB by
    uid) stored instead, refused rows removed. Before the triggers exist: not an edit."""
    if replaced:
        cursor.execute(f"UPDATE {batch.table} t SET geom = ST_GeomFromEWKB(v.ewkb) "
                       "FROM unnest(%s::uuid[], %s::bytea[]) AS v(uid, ewkb) "
                       "WHERE t.uid = v.uid", [list(replaced), list(replaced.values())])
    if refused:
        cursor.execute(f"DELETE FROM {batch.table} WHERE uid = ANY(%s::uuid[])", [refused])
        batch.rows -= len(refused)
        batch.save(update_fields=["rows"])


def attach_batch_table(cursor, batch: FeatureBatch, parts: Sequence[str] = ()) -> None:
    """Foreign keys and triggers on the indexed table (and on its parts, which hold the rows
    when it was loaded in parts), then INHERIT: from here on its rows are rows of
    `layers_feature` (the lock on the parent is SHARE UPDATE EXCLUSIVE: reads and writes of
    other layers go on)."""
    for part in parts:
        _attach(cursor, part, batch, inherit=False)  # under the batch table already
    _attach(cursor, batch.table, batch, inherit=True)
    # What the parent's statement trigger does for its own inserts: new tiles and ETags.
    cursor.execute("UPDATE layers_layer SET data_version = data_version + 1 WHERE id = %s",
                   [batch.layer_id])


def inherit_parts(cursor, batch: FeatureBatch, parts: Sequence[str]) -> None:
    """The parts under the batch table, so that statements on it (fix_rows) reach their rows;
    still no trigger, and not yet part of `layers_feature`."""
    for part in parts:
        cursor.execute(f"ALTER TABLE {part} INHERIT {batch.table}")


def _attach(cursor, table: str, batch: FeatureBatch, *, inherit: bool) -> None:
    parent = _parent_oid(cursor)
    # NOT VALID, as the geometry CHECK: the layer row is locked by the import and the user is
    # the importer; every later write is checked.
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s AND contype = 'f' ORDER BY conname", [parent])
    statements = [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition} NOT VALID"
                  for name, definition in cursor.fetchall()]
    if inherit:
        statements.append(f"ALTER TABLE {table} INHERIT {PARENT}")
    # Row triggers fire on the table that holds the row, so the parent's are repeated here
    # (its statement triggers fire for statements on the parent and see this table's rows).
    cursor.execute("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s "
                   "AND NOT tgisinternal AND tgtype & 1 = 1", [parent])
    statements += [_rename(row[0], table) for row in cursor.fetchall()]
    statements.append(
        f"CREATE TRIGGER layers_feature_batch_history BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION layers_feature_batch_history('{int(batch.pk)}')")
    for statement in statements:
        cursor.execute(statement)


def drop_tables(tables: list[str]) -> None:
    """Remove part tables that a side connection committed, when the import they belong to
    did not (its transaction rolled back): through a connection of their own. It runs while
    the import's own failure is on its way to the user, so it never raises: what it cannot
    drop (the database gone, say) is logged, and the next batch import drops it
    (`drop_orphan_parts`)."""
    if not tables:
        return
    try:
        side = connections.create_connection("default")
        try:
            with side.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        finally:
            side.close()
    except Exception:
        logger.exception("could not drop the parts of a failed import (%s); the next batch "
                         "import drops them", ", ".join(tables))


def batch_of(feature_id: int) -> FeatureBatch | None:
    """The batch whose table holds the feature, if any."""
    with connection.cursor() as cursor:
        # The table holding the row, or the batch table above it when that is a part.
        cursor.execute(f"""
            SELECT coalesce((SELECT i.inhparent::regclass::text FROM pg_inherits i
                             WHERE i.inhrelid = f.tableoid
                               AND i.inhparent <> '{PARENT}'::regclass),
                            f.tableoid::regclass::text)
            FROM {PARENT} f WHERE f.id = %s""", [feature_id])
        row = cursor.fetchone()
    if row is None or row[0] == PARENT:
        return None
    return FeatureBatch.objects.select_related("user").filter(table=row[0]).first()


def untouched_since_import(batch: FeatureBatch) -> tuple[bool, list[int]]:
    """Whether every row of the batch is as imported (none changed or deleted since: a change
    writes the imported version to the history first), and up to 20 ids that are not."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT (SELECT count(*) FROM {batch.table}),
                   ARRAY(SELECT DISTINCT h.id FROM layers_historicalfeature h
                         JOIN {batch.table} t ON t.id = h.id ORDER BY h.id LIMIT 20)""")
        count, changed = cursor.fetchone()
    return count == batch.rows and not changed, list(changed)


def drop_batch_table(batch: FeatureBatch, *, by_id: int | None = None) -> None:
    """Remove the batch's rows at once (the revert of its import). The record stays, marked."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {batch.table} CASCADE")  # and its parts
        cursor.execute("UPDATE layers_layer SET data_version = data_version + 1 WHERE id = %s",
                       [batch.layer_id])
    batch.reverted_at = timezone.now()
    batch.reverted_by_id = by_id
    batch.save(update_fields=["reverted_at", "reverted_by"])
