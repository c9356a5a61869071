"""Database-side rules that set-based imports cannot skip, and the core catalogue rows."""

from django.db import migrations

PARENT_TRIGGER = r"""
CREATE OR REPLACE FUNCTION layers_adminarea_check_parent() RETURNS trigger AS $$
DECLARE
    p record;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT code, level INTO p FROM layers_administrativearea WHERE id = NEW.parent_id;
    IF p.level <> NEW.level - 1
       OR NEW.code NOT LIKE p.code || '.%'
       OR position('.' IN substr(NEW.code, length(p.code) + 2)) > 0 THEN
        RAISE EXCEPTION 'area % does not belong under parent %', NEW.code, p.code
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'adminarea_parent_prefix';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER layers_adminarea_check_parent
    BEFORE INSERT OR UPDATE OF code, level, parent_id ON layers_administrativearea
    FOR EACH ROW EXECUTE FUNCTION layers_adminarea_check_parent();

CREATE SEQUENCE IF NOT EXISTS layers_complaint_ticket_seq;
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS layers_adminarea_check_parent ON layers_administrativearea;
DROP FUNCTION IF EXISTS layers_adminarea_check_parent();
DROP SEQUENCE IF EXISTS layers_complaint_ticket_seq;
"""

CORE_LAYERS = [
    ("wilayah", "Batas wilayah administrasi", "admin_areas", "polygon", 10),
    ("aset", "Aset sarana dan prasarana", "assets", "", 20),
    ("pola-ruang", "Penggunaan lahan dan pola ruang", "land_use", "polygon", 30),
    ("pengaduan", "Pengaduan masyarakat", "complaints", "point", 40),
]


def add_core_layers(apps, schema_editor):
    Layer = apps.get_model("layers", "Layer")
    for slug, name, kind, geometry_type, order in CORE_LAYERS:
        Layer.objects.get_or_create(
            kind=kind,
            defaults={"slug": slug, "name": name, "geometry_type": geometry_type,
                      "is_public": True, "sort_order": order},
        )


def remove_core_layers(apps, schema_editor):
    apps.get_model("layers", "Layer").objects.exclude(kind="generic").delete()


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_initial")]

    operations = [
        migrations.RunSQL(PARENT_TRIGGER, REVERSE),
        migrations.RunPython(add_core_layers, remove_core_layers),
    ]
