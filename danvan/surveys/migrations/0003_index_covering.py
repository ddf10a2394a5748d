"""PostgreSQL: a covering index for the satisfaction index; SQLite keeps the plain date index.

The index reads, per response, only the date, unit, survey, version, the two masks and the void
mark (``danvan.surveys.index``). With these columns in the index itself PostgreSQL answers from
the index alone (an index-only scan of some 60 MB for 1,000,000 responses) instead of the whole
table with its answers (1.3 GB), so the figure holds when the machine is busy and the table is
not in memory. Keep it in step with the columns ``index.aggregate_by`` reads.

The model state does not change (plain SQL), so ``makemigrations --check`` stays clean. On a large
existing table build it by hand with ``CREATE INDEX CONCURRENTLY`` first; ``IF NOT EXISTS`` then
makes this migration a no-op.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS surveys_resp_index_cover ON surveys_response (submitted_on) "
    "INCLUDE (org_unit_id, survey_id, version_id, element_answered, element_satisfied, voided_at)",
]
BACKWARD = ["DROP INDEX IF EXISTS surveys_resp_index_cover"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_services")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
