"""Copy onto each trainee's row what the at-risk list read through joins: the trainee, the
enrolment's date, the cohort's name, dates and median (see `TraineeFigures`). Existing rows are
filled from their enrolment, cohort and cohort figures; every later refresh writes them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    TraineeFigures = apps.get_model("dashboards", "TraineeFigures")
    Enrolment = apps.get_model("courses", "Enrolment")
    Cohort = apps.get_model("courses", "Cohort")
    CohortFigures = apps.get_model("dashboards", "CohortFigures")

    def of(model, field, key="pk", outer="cohort_id"):
        return Subquery(model.objects.filter(**{key: OuterRef(outer)}).values(field)[:1])

    TraineeFigures.objects.update(
        trainee_id=of(Enrolment, "trainee_id", outer="enrolment_id"),
        enrolled_on=of(Enrolment, "enrolled_on", outer="enrolment_id"),
        cohort_name=of(Cohort, "name"),
        cohort_starts_on=of(Cohort, "starts_on"),
        cohort_ends_on=of(Cohort, "ends_on"),
    )
    TraineeFigures.objects.filter(
        cohort_id__in=CohortFigures.objects.values("cohort_id")
    ).update(cohort_median_progress=of(CohortFigures, "median_progress", key="cohort_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_rollups"),
        ("courses", "0008_enrolment_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="traineefigures",
            name="trainee",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="traineefigures", name="enrolled_on", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="traineefigures",
            name="cohort_name",
            field=models.CharField(max_length=120, null=True),
        ),
        migrations.AddField(
            model_name="traineefigures", name="cohort_starts_on", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="traineefigures", name="cohort_ends_on", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="traineefigures",
            name="cohort_median_progress",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
