from django_tasks import task

from .imports import import_apply
from .models import EnrolmentImport


@task()
def apply_enrolment_import(import_id: int) -> str:
    """Apply a confirmed trainee import in the background; returns its final status."""
    enrolment_import = EnrolmentImport.objects.get(pk=import_id)
    return import_apply(enrolment_import=enrolment_import).status
