"""Feature batches (layers/models/batches.py): the record of a first bulk import, its history
trigger function, and the geometry validity CHECK made NOT VALID on layers_feature, so that a
batch table can inherit it without a second validity pass over rows the importer checked.
NOT VALID changes nothing for writes: every INSERT and UPDATE is still checked."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# The row's imported version, written to the history the first time it changes or is deleted
# (BEFORE UPDATE OR DELETE on each batch table; TG_ARGV[0] is the batch id). The columns are
# those the feature and its history share, read from the catalogue, so a column added later
# needs no change here.
FUNCTION = """
CREATE OR REPLACE FUNCTION layers_feature_batch_history() RETURNS trigger AS $$
DECLARE
    cols text;
    vals text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM layers_historicalfeature WHERE id = OLD.id) THEN
        SELECT string_agg(quote_ident(f.attname), ', ' ORDER BY f.attnum),
               string_agg('o.' || quote_ident(f.attname), ', ' ORDER BY f.attnum)
        INTO cols, vals
        FROM pg_attribute f
        JOIN pg_attribute h ON h.attrelid = 'layers_historicalfeature'::regclass
             AND h.attname = f.attname AND h.attnum > 0 AND NOT h.attisdropped
        WHERE f.attrelid = 'layers_feature'::regclass AND f.attnum > 0 AND NOT f.attisdropped;
        EXECUTE format(
            'INSERT INTO layers_historicalfeature (%1$s, history_date, history_change_reason, '
            'history_type, history_user_id) SELECT %2$s, b.created_at, b.reason, ''+'', '
            'b.user_id FROM (SELECT ($1).*) o, layers_featurebatch b WHERE b.id = $2',
            cols, vals)
        USING OLD, TG_ARGV[0]::bigint;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

FORWARD = FUNCTION + """
ALTER TABLE layers_feature DROP CONSTRAINT feature_geom_valid;
ALTER TABLE layers_feature ADD CONSTRAINT feature_geom_valid CHECK (st_isvalid(geom)) NOT VALID;
"""

BACKWARD = """
ALTER TABLE layers_feature VALIDATE CONSTRAINT feature_geom_valid;
DROP FUNCTION IF EXISTS layers_feature_batch_history();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('layers', '0011_review_note_db_default'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FeatureBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('table', models.CharField(max_length=63, unique=True, verbose_name='table')),
                ('reason', models.CharField(blank=True, max_length=100, verbose_name='reason')),
                ('created_at', models.DateTimeField(verbose_name='imported at')),
                ('rows', models.PositiveIntegerField(verbose_name='rows')),
                ('reverted_at', models.DateTimeField(blank=True, null=True, verbose_name='reverted at')),
                ('layer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to='layers.layer', verbose_name='layer')),
                ('reverted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reverted by')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
            ],
            options={
                'verbose_name': 'feature batch',
                'verbose_name_plural': 'feature batches',
                'ordering': ['id'],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
