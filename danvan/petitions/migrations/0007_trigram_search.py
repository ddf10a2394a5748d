"""PostgreSQL indexes for duplicates, the daily scan and statistics; SQLite needs none and skips them.

- ``pg_trgm`` and a GIN trigram index on ``search_text``: duplicate candidates and over-level
  matching (``search_text % query``) without reading every petition;
- a partial index on the time of "resolved" steps: statistics count resolutions per period;
- a partial index on ``prolonged_since``: statistics count prolonged cases.

The model state does not change (plain SQL, no ``Meta.indexes``), so ``makemigrations --check``
stays clean. On a large existing table build these by hand with ``CREATE INDEX CONCURRENTLY``
first; ``IF NOT EXISTS`` then makes this migration a no-op.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS petitions_search_trgm ON petitions_petition USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS petitions_event_resolved_at ON petitions_petitionevent (at) "
    "WHERE to_status = 'resolved'",
    "CREATE INDEX IF NOT EXISTS petitions_prolonged_since ON petitions_petition (prolonged_since) "
    "WHERE prolonged_since IS NOT NULL",
]
BACKWARD = [
    "DROP INDEX IF EXISTS petitions_prolonged_since",
    "DROP INDEX IF EXISTS petitions_event_resolved_at",
    "DROP INDEX IF EXISTS petitions_search_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("petitions", "0006_load_reception_rules")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
