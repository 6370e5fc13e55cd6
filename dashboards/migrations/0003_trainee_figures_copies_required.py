"""The copies filled (0002) may now be required. A migration of its own: PostgreSQL refuses to
alter a table in the transaction that has just updated its foreign keys (pending trigger events)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_trainee_figures_copies")]

    operations = [
        migrations.AlterField(
            model_name="traineefigures",
            name="trainee",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="traineefigures", name="enrolled_on", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="traineefigures",
            name="cohort_name",
            field=models.CharField(max_length=120),
        ),
        migrations.AlterField(
            model_name="traineefigures", name="cohort_starts_on", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="traineefigures", name="cohort_ends_on", field=models.DateField()
        ),
    ]
