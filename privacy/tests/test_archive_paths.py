"""The archive's paths are its own: a stored file's name never leads out of `files/`."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.casework import submission_save
from assessments.models import SubmissionFile
from privacy.subject import write_archive

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.mark.parametrize("stored_name", ["../../evil.pdf", "..\\..\\evil.pdf", "/etc/evil.pdf"])
def test_a_file_name_with_folders_stays_inside_the_archive(world, stored_name):
    enrolment = world.enrolments[0]
    case = world.cases[0]
    submission_save(
        user=enrolment.trainee,
        case=case,
        answers={str(task.pk): "План" for task in case.tasks.all()},
        files=[SimpleUploadedFile("plan.pdf", PDF)],
        remove_files=[],
        submit=True,
    )
    SubmissionFile.objects.update(original_name=stored_name)
    target = io.BytesIO()

    write_archive(enrolment.trainee, target)

    names = zipfile.ZipFile(target).namelist()
    [file] = [name for name in names if name.startswith("files/")]
    assert ".." not in file.split("/") and "\\" not in file and "//" not in file
    assert file.startswith("files/case-work/") and file.endswith("evil.pdf")
    assert zipfile.ZipFile(target).read(file) == PDF
