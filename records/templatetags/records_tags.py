"""The trainee's record where a lower app's page shows it ("Моё обучение").

The home page belongs to courses, which may not read assessments or schedule; its template asks
here instead, so the record is computed once, in the layer above them.
"""

from django import template

from courses.models import Enrolment

from ..selectors import TraineeRecord, trainee_record

register = template.Library()


@register.simple_tag
def record_of(enrolment: Enrolment) -> TraineeRecord:
    """`{% record_of enrolment as record %}`: the enrolment's record, completion included."""
    return trainee_record(enrolment=enrolment)
