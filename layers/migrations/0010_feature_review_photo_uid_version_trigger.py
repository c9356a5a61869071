"""Review bookkeeping on every feature, a client uid on asset photos, and a trigger that bumps
`version` on every change of a feature row, whatever wrote it (the admin, a set-based UPDATE):
a stale edit is then refused (409) even after a write that did not go through the services."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


# The columns whose change is an edit. Derived columns (area_id, the generated area_ha and
# length_m) and bookkeeping (version, updated_at) are left out, so deriving the desa after an
# import does not count as a new version. A new editable column must be added here (a test,
# tests/layers/test_editing_services.py, compares these lists with the models).
VERSIONED = {
    "layers_asset": ["uid", "source_ref", "is_verified", "is_public", "recorded_by_id",
                     "review_note", "reviewed_by_id", "reviewed_at", "category_id", "name",
                     "register_code", "geom", "condition", "year_built", "value_idr",
                     "agency_id", "attributes"],
    "layers_landusezone": ["uid", "source_ref", "is_verified", "is_public", "recorded_by_id",
                           "review_note", "reviewed_by_id", "reviewed_at", "land_use_class_id",
                           "name", "plan_name", "regulation", "geom", "attributes"],
    "layers_feature": ["uid", "source_ref", "is_verified", "is_public", "recorded_by_id",
                       "review_note", "reviewed_by_id", "reviewed_at", "layer_id", "geom",
                       "properties"],
}

FUNCTION = """
CREATE OR REPLACE FUNCTION layers_feature_version_bump() RETURNS trigger AS $$
BEGIN
    -- Writers that manage the version themselves (the services, the importer) already
    -- changed it; everything else gets the next one.
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def forward_sql() -> str:
    parts = [FUNCTION]
    for table, columns in VERSIONED.items():
        old = ", ".join(f"OLD.{c}" for c in columns)
        new = ", ".join(f"NEW.{c}" for c in columns)
        parts.append(
            f"CREATE TRIGGER {table}_version_bump BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN (NEW.version = OLD.version AND ({old}) IS DISTINCT FROM ({new})) "
            "EXECUTE FUNCTION layers_feature_version_bump();")
    return "\n".join(parts)


def reverse_sql() -> str:
    parts = [f"DROP TRIGGER IF EXISTS {t}_version_bump ON {t};" for t in VERSIONED]
    parts.append("DROP FUNCTION IF EXISTS layers_feature_version_bump();")
    return "\n".join(parts)


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0009_layer_kind_raster'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='asset',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='asset',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='asset',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='assetphoto',
            name='uid',
            field=models.UUIDField(null=True, editable=False, verbose_name='identifier'),
        ),
        migrations.RunSQL("UPDATE layers_assetphoto SET uid = gen_random_uuid() WHERE uid IS NULL",
                          migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='assetphoto',
            name='uid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='identifier'),
        ),
        migrations.AddField(
            model_name='feature',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='feature',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='feature',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='historicalasset',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='historicalasset',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='historicalasset',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='historicalfeature',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='historicalfeature',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='historicalfeature',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='historicallandusezone',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='historicallandusezone',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='historicallandusezone',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.AddField(
            model_name='landusezone',
            name='review_note',
            field=models.TextField(blank=True, default='', verbose_name='review note'),
        ),
        migrations.AddField(
            model_name='landusezone',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='reviewed'),
        ),
        migrations.AddField(
            model_name='landusezone',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reviewed by'),
        ),
        migrations.RunSQL(forward_sql(), reverse_sql()),
    ]
