"""Browser journey of certificates: an official issues a cohort's in bulk and watches a real
background worker fill the progress bar; a trainee downloads theirs; verification confirms it;
a revoked one says so.

The worker is a real `db_worker` process on the test database (PostgreSQL), fed through the
database queue, as in production.
"""

import re
from io import BytesIO

from django.test import override_settings
from pypdf import PdfReader

from certificates.codes import display_code
from certificates.models import Certificate
from certificates.tests.conftest import School
from certificates.tests.test_worker import QUEUED, worker
from tests import factories
from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in
from tests.concurrency import require_postgresql

pytestmark = BROWSER_TEST
TRAINEES = 8


def test_official_issues_in_bulk_trainee_downloads_and_verification_confirms(demo_browser):
    from playwright.sync_api import expect

    require_postgresql()
    chromium, base = demo_browser
    school = School(completed=TRAINEES)
    school.cohort.name = "Группа выпуска"
    school.cohort.save()
    official = factories.user("Regional official", username="issuing-official", region_code="68")

    page = new_page(chromium)
    sign_in(page, base, official.username, factories.PASSWORD)
    with override_settings(TASKS=QUEUED):
        page.goto(f"{base}/cohorts/{school.cohort.pk}/")
        panel = page.get_by_test_id("certificate-panel")
        panel.get_by_role("button", name="Выдать удостоверения").click()
        expect(page).to_have_url(re.compile(r"/certificates/batches/\d+/$"))
        # No worker yet: the batch waits at the start.
        progress = page.locator("#batch-progress")
        expect(progress).to_have_attribute("value", "0")
        expect(page.get_by_test_id("batch-state")).to_have_text("Идёт выдача")
        assert serious_violations(page) == []

        runner = worker()
        try:
            # The page's script follows the worker without a reload, to the end.
            expect(page.get_by_test_id("progress-text")).to_contain_text(
                f"{TRAINEES + 1} из {TRAINEES + 1}", timeout=60_000
            )
            expect(progress).to_have_attribute("value", str(TRAINEES + 1))
            expect(page.get_by_test_id("batch-state")).to_have_text("Завершено")
        finally:
            runner.terminate()
            runner.wait(timeout=10)
    # Who was issued, and who is not yet eligible with what is missing.
    page.reload()
    expect(page.get_by_text("68-2026-", exact=False).first).to_be_visible()
    expect(page.get_by_text(school.behind.trainee.last_name).first).to_be_visible()

    # The trainee downloads their PDF from their home.
    holder = school.done[0]
    certificate = Certificate.objects.get(enrolment=holder)
    trainee_page = new_page(chromium)
    sign_in(trainee_page, base, holder.trainee.username, factories.PASSWORD)
    trainee_page.goto(f"{base}/learning/")
    card = trainee_page.get_by_test_id("certificate")
    expect(card).to_contain_text(certificate.serial)
    with trainee_page.expect_download() as download:
        card.get_by_role("link", name="Скачать PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf == certificate.pdf.open("rb").read()
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert holder.trainee.last_name in text and certificate.serial in text

    # The verification page, as anyone holding the paper opens it, confirms it.
    card.get_by_role("link", name="Страница проверки").click()
    expect(trainee_page).to_have_url(re.compile(r"/verify/[0-9A-Z-]+/$"))
    expect(trainee_page.get_by_text("Действительно").first).to_be_visible()
    expect(trainee_page.locator("main")).to_contain_text(certificate.full_name)
    assert serious_violations(trainee_page) == []

    # The demo's revoked certificate says so, with the date and the public reason.
    revoked = Certificate.objects.get(revoked_at__isnull=False)
    visitor = new_page(chromium)
    visitor.goto(f"{base}/verify/")
    visitor.get_by_label("Код проверки").fill(display_code(revoked.code).lower())
    visitor.get_by_role("button", name="Проверить").click()
    expect(visitor.locator("main")).to_contain_text("Отозвано")
    expect(visitor.locator("main")).to_contain_text(revoked.revocation_public_reason)
    expect(visitor.locator("main")).not_to_contain_text(revoked.revocation_reason)
