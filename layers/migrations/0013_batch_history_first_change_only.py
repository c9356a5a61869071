"""The batch history trigger (migration 0012) made fast for bulk updates.

It used to look for each changed row's history through a plan that plpgsql caches: made while
the history table was empty (or not yet analysed), that plan scanned the whole table, and the
table grows with every row the trigger writes. A re-import that changed all 200,000 rows of a
batch took 881 s, most of it in those scans. Now:

- a row whose version is above 1 has changed before, so its imported version is in the history
  already: it is not looked up at all (batch rows are imported at version 1, and every change
  bumps the version);
- the look-up of a version-1 row is planned for its own id each time (EXECUTE), an index scan
  however stale the table's statistics;
- the INSERT is built from the catalogue once per transaction, not once per row: a
  transaction-local setting keeps it. A migration that changes the feature's columns does not
  update batch rows in the same transaction.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION layers_feature_batch_history() RETURNS trigger AS $$
DECLARE
    recorded boolean;
    statement text;
BEGIN
    IF OLD.version = 1 THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM layers_historicalfeature WHERE id = $1)'
            INTO recorded USING OLD.id;
        IF NOT recorded THEN
            statement := current_setting('sig.batch_history_insert', true);
            IF statement IS NULL OR statement = '' THEN
                SELECT format(
                    'INSERT INTO layers_historicalfeature (%1$s, history_date, '
                    'history_change_reason, history_type, history_user_id) SELECT %2$s, '
                    'b.created_at, b.reason, ''+'', b.user_id FROM (SELECT ($1).*) o, '
                    'layers_featurebatch b WHERE b.id = $2',
                    string_agg(quote_ident(f.attname), ', ' ORDER BY f.attnum),
                    string_agg('o.' || quote_ident(f.attname), ', ' ORDER BY f.attnum))
                INTO statement
                FROM pg_attribute f
                JOIN pg_attribute h ON h.attrelid = 'layers_historicalfeature'::regclass
                     AND h.attname = f.attname AND h.attnum > 0 AND NOT h.attisdropped
                WHERE f.attrelid = 'layers_feature'::regclass AND f.attnum > 0
                  AND NOT f.attisdropped;
                PERFORM set_config('sig.batch_history_insert', statement, true);
            END IF;
            EXECUTE statement USING OLD, TG_ARGV[0]::bigint;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def previous_function() -> str:
    from importlib import import_module

    return import_module("layers.migrations.0012_feature_batches").FUNCTION


class Migration(migrations.Migration):

    dependencies = [
        ("layers", "0012_feature_batches"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, previous_function()),
    ]
