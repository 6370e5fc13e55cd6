"""The trainee's record where a lower app's page shows it ("Моё обучение", the cohort's roster).

The home page and the cohort page belong to courses, which may not read assessments or
schedule; their templates ask here instead, so the record is computed once, in the layer above
them.
"""

from django import template

from courses.models import Cohort, Enrolment

from ..selectors import TraineeRecord, cohort_records, trainee_record

register = template.Library()


@register.simple_tag
def record_of(enrolment: Enrolment) -> TraineeRecord:
    """`{% record_of enrolment as record %}`: the enrolment's record, completion included."""
    return trainee_record(enrolment=enrolment)


@register.simple_tag
def completed_enrolment_ids(cohort: Cohort) -> frozenset[int]:
    """`{% completed_enrolment_ids cohort as completed %}`: the cohort's enrolments that have
    completed by the one completion service, for the course's cohort page (courses cannot ask
    it: `Enrolment.Status.COMPLETED` is never written, completion is worked out here). Ten
    queries whatever the cohort's size (`cohort_records`)."""
    return frozenset(
        record.enrolment.pk for record in cohort_records(cohort=cohort) if record.complete
    )
