"""The index /metrics counts unfinished tasks on (observability.collectors): the queue's
own index covers only the tasks waiting, and finished ones are most of the table."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX tasks_unfinished_idx ON {TABLE} (task_path, status)"
            " WHERE status IN ('READY', 'RUNNING', 'FAILED')",
            "DROP INDEX tasks_unfinished_idx",
        )
    ]
