"""Undoing one import as a whole, from its edit history (the importer tags every history row
it writes "import #N: <file>"): its inserts deleted, its updates restored to the rows before
it, in one transaction, set-based. Refused when a row was edited (or linked) since. A first
import into a thematic layer is a batch table (layers/models/batches.py), dropped whole."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from layers import permissions
from layers.codes import Level
from layers.models import Asset, Feature, FeatureBatch, LandUseZone
from layers.models.common import history_columns
from layers.services import feature_batches
from layers.services.edit_errors import (
    EditConflict,
    EditForbidden,
    EditInvalid,
    EditNotFound,
)
from layers.services.wilayah import areas_assign

# Columns a revert does not restore: identity and bookkeeping.
KEPT = {"id", "uid", "version", "created_at", "updated_at"}
_DESA_OF = """(SELECT a.code FROM layers_administrativearea a
    WHERE a.level = {level} AND a.valid_until IS NULL
      AND ST_Intersects(a.geom, ST_PointOnSurface({geom})) ORDER BY a.code LIMIT 1)"""


@dataclass
class ImportRevertResult:
    job_id: int
    deleted: int
    restored: int


def _model_of(target: str) -> type[models.Model] | None:
    if target.startswith("layer:"):
        return Feature
    return {"assets": Asset, "land_use": LandUseZone}.get(target)


def revertable_target(target: str) -> bool:
    """Whether imports into `target` can be undone here (assets, land use, thematic layers)."""
    return _model_of(target) is not None


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def import_revert(*, job_id: int, by: AbstractBaseUser | None) -> ImportRevertResult:
    """Revert import #job_id. 404 for an unknown job or one that wrote nothing revertable,
    403 unless the caller publishes in every wilayah it touched, 409 when a row changed
    since or the import was already reverted."""
    from importers.models import ImportJob  # importers builds on layers, not the reverse

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise EditNotFound(_("No such import."))
    model = _model_of(job.target)
    if model is None:
        raise EditInvalid(_("Only imports of assets, land use and thematic layers can be "
                            "reverted here."))
    table = model._meta.db_table
    history = model.history.model._meta.db_table
    tag = f"import #{job.pk}"
    if model is Feature:
        batch = FeatureBatch.objects.filter(
            Q(reason=tag) | Q(reason__startswith=f"{tag}:")).first()
        if batch is not None:
            return _revert_batch(job.pk, batch, by)
    params = {"tag": tag, "prefix": f"{tag}:%", "undo": f"revert of {tag}",
              "now": timezone.now(), "user": getattr(by, "pk", None)}
    own = "(h.history_change_reason = %(tag)s OR h.history_change_reason LIKE %(prefix)s)"
    rows = _fetch(f"SELECT h.id, h.history_type, h.version, h.history_id FROM {history} h "
                  f"WHERE {own} AND h.history_type IN ('+', '~')", params)
    if not rows:
        raise EditNotFound(_("This import wrote nothing that can be reverted."))
    if _fetch(f"SELECT 1 FROM {history} WHERE history_change_reason = %(undo)s LIMIT 1",
              params):
        raise EditConflict(_("This import was already reverted."))
    params["created"] = [r[0] for r in rows if r[1] == "+"]
    params["updated"] = [r[0] for r in rows if r[1] == "~"]
    params["ids"] = params["created"] + params["updated"]
    params["hids"] = [r[3] for r in rows]
    _fetch(f"SELECT id FROM {table} WHERE id = ANY(%(ids)s::bigint[]) FOR UPDATE", params)
    _refuse_changed(model, table, history, params)
    _refuse_outside_scope(by, table, history, params)
    columns = history_columns(model)
    restored = _restore(model, table, history, columns, params)
    deleted = 0
    if params["created"]:
        _record(table, history, columns, params["created"], "-", params)
        deleted = _execute(f"DELETE FROM {table} WHERE id = ANY(%(created)s::bigint[])",
                           params)
    return ImportRevertResult(job_id=job.pk, deleted=deleted, restored=restored)


def _revert_batch(job_id: int, batch: FeatureBatch, by: AbstractBaseUser | None
                  ) -> ImportRevertResult:
    """A first import kept as a batch table: refused when a row changed since (its imported
    version is then in the history) or was deleted; otherwise the table goes at once."""
    if batch.reverted_at is not None:
        raise EditConflict(_("This import was already reverted."))
    untouched, changed = feature_batches.untouched_since_import(batch)
    if not untouched:
        raise _changed_since(changed)
    desa = _DESA_OF.format(level=int(Level.VILLAGE), geom="t.geom")
    # The batch table with its parts, if it was loaded in parts.
    _refuse_unless_publisher(by, _fetch(f"SELECT DISTINCT {desa} FROM {batch.table} t", {}))
    feature_batches.drop_batch_table(batch, by_id=getattr(by, "pk", None))
    return ImportRevertResult(job_id=job_id, deleted=batch.rows, restored=0)


def _refuse_changed(model, table: str, history: str, params: dict) -> None:
    changed = _fetch(f"""
        SELECT h.id FROM {history} h LEFT JOIN {table} t ON t.id = h.id
        WHERE h.history_id = ANY(%(hids)s::bigint[])
          AND (t.id IS NULL OR t.version <> h.version)
        ORDER BY h.id LIMIT 20""", params)
    linked = []
    for rel in model._meta.related_objects:
        if rel.related_model._meta.db_table == history or not rel.field.db_constraint:
            continue
        linked += _fetch(
            f"SELECT {rel.field.column} FROM {rel.related_model._meta.db_table} "
            f"WHERE {rel.field.column} = ANY(%(created)s::bigint[]) LIMIT 20", params)
    ids = sorted({r[0] for r in changed + linked})
    if ids:
        raise _changed_since(ids)


def _changed_since(ids: list[int]) -> EditConflict:
    return EditConflict(_("Features of this import were edited, deleted or linked to other "
                          "records since (e.g. #%(ids)s); revert those edits first.")
                        % {"ids": ", #".join(str(i) for i in ids[:10]) or "?"})


def _refuse_unless_publisher(by, codes: list[tuple]) -> None:
    """`codes`: rows of one desa code each, every wilayah the import touched."""
    if not permissions.can_revert_import(by, [c[0] for c in codes]):
        raise EditForbidden(_("Only a planner or administrator of every wilayah this import "
                              "touched may revert it."))


def _previous(history: str) -> str:
    """The history row before the import's, per updated row."""
    return f"""
        SELECT DISTINCT ON (p.id) p.* FROM {history} p
        JOIN {history} h ON h.id = p.id AND p.history_id < h.history_id
        WHERE h.history_id = ANY(%(hids)s::bigint[]) AND h.history_type = '~'
        ORDER BY p.id, p.history_id DESC"""


def _refuse_outside_scope(by, table: str, history: str, params: dict) -> None:
    desa = _DESA_OF.format(level=int(Level.VILLAGE), geom="g")
    codes = _fetch(f"""
        SELECT DISTINCT {desa} FROM (
            SELECT t.geom AS g FROM {table} t WHERE t.id = ANY(%(ids)s::bigint[])
            UNION ALL SELECT p.geom FROM ({_previous(history)}) p) x""", params)
    _refuse_unless_publisher(by, codes)


def _restore(model, table: str, history: str, columns: list[str], params: dict) -> int:
    if not params["updated"]:
        return 0
    previous = _fetch(f"SELECT p.id FROM ({_previous(history)}) p", params)
    if len(previous) != len(params["updated"]):
        raise EditConflict(_("Some rows this import changed have no earlier version to go "
                             "back to."))
    sets = [f"{c} = p.{c}" for c in columns if c not in KEPT]
    restored = _execute(f"""
        UPDATE {table} t SET {', '.join(sets)}, version = t.version + 1, updated_at = %(now)s
        FROM ({_previous(history)}) p WHERE t.id = p.id""", params)
    if model is Asset:
        areas_assign(model=Asset, ids=params["updated"])
    _record(table, history, columns, params["updated"], "~", params)
    return restored


def _record(table: str, history: str, columns: list[str], ids: list[int], kind: str,
            params: dict) -> None:
    """One history row per reverted row, marked "revert of import #N", with the user."""
    cols = ", ".join(columns)
    _execute(f"""
        INSERT INTO {history} ({cols}, history_date, history_change_reason, history_type,
                               history_user_id)
        SELECT {', '.join(f't.{c}' for c in columns)}, %(now)s, %(undo)s, %(kind)s, %(user)s
        FROM {table} t WHERE t.id = ANY(%(rows)s::bigint[])""",
             {**params, "rows": ids, "kind": kind})
