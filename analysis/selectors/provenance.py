"""Where a figure's numbers come from: the layers it read, the last import into each
(importers.models.ImportJob) and the last edit of the rows the viewer may see."""

from __future__ import annotations

from django.db import connection

from analysis.selectors.scope import Source
from importers.selectors import last_import
from layers.selectors.features import FeatureSource


def source_of(source: FeatureSource) -> Source:
    """The layer behind `source`, its last successful import and the newest `updated_at` of
    the rows this viewer may see (an import stamps it too, so a command-line import that left
    no ImportJob still shows)."""
    job = last_import(source.layer)
    with connection.cursor() as cur:
        cur.execute(f"SELECT max(t.updated_at) FROM {source.from_sql} "
                    f"WHERE {source.where_sql()}", source.params)
        last_edit = cur.fetchone()[0]
    return Source(slug=source.layer.slug, name=source.layer.name,
                  last_import=job.finished_at if job else None,
                  import_file=job.source_name if job else "", last_edit=last_edit)


def sources_of(*sources: FeatureSource | None) -> list[Source]:
    return [source_of(s) for s in sources if s is not None]
