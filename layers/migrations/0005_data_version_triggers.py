"""Bump Layer.data_version on every write to a layer's data, whatever wrote it."""

from django.db import migrations

CORE = [
    ("layers_administrativearea", "admin_areas"),
    ("layers_asset", "assets"),
    ("layers_assetcategory", "assets"),
    ("layers_landusezone", "land_use"),
    ("layers_landuseclass", "land_use"),
    ("layers_complaint", "complaints"),
    ("layers_complaintcategory", "complaints"),
]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION layers_bump_kind_version() RETURNS trigger AS $$
BEGIN
    UPDATE layers_layer SET data_version = data_version + 1 WHERE kind = TG_ARGV[0];
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION layers_bump_feature_version() RETURNS trigger AS $$
BEGIN
    UPDATE layers_layer SET data_version = data_version + 1
    WHERE id IN (SELECT DISTINCT layer_id FROM changed);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def forward_sql() -> str:
    parts = [FUNCTIONS]
    for table, kind in CORE:
        parts.append(
            f"CREATE TRIGGER {table}_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION layers_bump_kind_version('{kind}');"
        )
    for event, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        parts.append(
            f"CREATE TRIGGER layers_feature_bump_{event.lower()} AFTER {event} ON layers_feature "
            f"REFERENCING {ref} TABLE AS changed FOR EACH STATEMENT "
            "EXECUTE FUNCTION layers_bump_feature_version();"
        )
    return "\n".join(parts)


def reverse_sql() -> str:
    parts = [f"DROP TRIGGER IF EXISTS {t}_bump_version ON {t};" for t, _k in CORE]
    parts += [f"DROP TRIGGER IF EXISTS layers_feature_bump_{e} ON layers_feature;"
              for e in ("insert", "update", "delete")]
    parts += ["DROP FUNCTION IF EXISTS layers_bump_kind_version();",
              "DROP FUNCTION IF EXISTS layers_bump_feature_version();"]
    return "\n".join(parts)


class Migration(migrations.Migration):
    dependencies = [("layers", "0004_layer_data_version")]
    operations = [migrations.RunSQL(forward_sql(), reverse_sql())]
