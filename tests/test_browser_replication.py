"""Replication in a real browser: an administrator exports Tambov's programme, adopts it for
Moscow, adapts one page of the copy in the editor, and takes one change Tambov publishes."""

import re

from django.urls import reverse

from tests.browser import BROWSER_TEST, new_page, serious_violations, sign_in

pytestmark = BROWSER_TEST

TAMBOV = "soprovozhdenie-uchastnikov-svo"
LESSON = "Социальный координатор и региональный сервисный уполномоченный"


def test_a_programme_is_adopted_adapted_and_updated(demo_browser, tmp_path):
    from playwright.sync_api import expect

    from courses.models import LessonPage, ProgramPage
    from replication.exporting import release_of
    from replication.models import Adoption, Decision, PageOrigin

    chromium, base = demo_browser
    page = new_page(chromium)
    sign_in(page, base, "admin")

    # Export: the package downloads from the list of programmes.
    page.goto(base + reverse("replication_index"))
    expect(page.get_by_role("heading", name="Программы и их копии")).to_be_visible()
    tambov_row = page.locator("tr.replication-origin").filter(has_text="Тамбовская область")
    with page.expect_download() as download:
        tambov_row.get_by_role("button", name="Экспорт").click()
    package = tmp_path / "tambov.zip"
    download.value.save_as(package)
    assert download.value.suggested_filename.startswith(f"{TAMBOV}-v")

    # Adopt for Moscow: a draft copy, its origin recorded.
    page.get_by_label("Пакет программы").set_input_files(str(package))
    page.get_by_label("Регион, принимающий программу").select_option(label="Москва (77)")
    page.get_by_role("button", name="Загрузить пакет").click()
    expect(page.get_by_text("принята как черновик")).to_be_visible()
    expect(page.get_by_text("Ваша копия не отстаёт от исходной программы.")).to_be_visible()
    adoption = Adoption.objects.get(region__code="77")
    assert page.url.endswith(reverse("replication_copy", args=(adoption.pk,)))
    assert not adoption.programme.live

    # Adapt one page in Wagtail's editor: the copy then shows it as changed by the region.
    copy_lesson = LessonPage.objects.descendant_of(adoption.programme).get(title=LESSON)
    page.goto(base + reverse("wagtailadmin_pages:edit", args=(copy_lesson.pk,)))
    page.locator("#id_summary").fill("Московская редакция: координатор и уполномоченный.")
    page.get_by_role("button", name="Сохранить черновик").click()
    expect(page.locator(".messages")).to_contain_text("обновлена")
    page.goto(base + reverse("replication_copy", args=(adoption.pk,)))
    row = page.get_by_role("row").filter(has_text=LESSON)
    expect(row).to_contain_text("изменена регионом")
    expect(page.get_by_text("1 страница отличается от исходной программы.")).to_be_visible()
    assert serious_violations(page) == []  # (Wagtail's own message banner is not ours to judge)

    # Tambov publishes an improvement of another page; the copy lists it with its diff.
    origin = (
        LessonPage.objects.descendant_of(ProgramPage.objects.get(slug=TAMBOV))
        .exclude(title=LESSON)
        .first()
    )
    origin.summary = origin.summary + " Дополнено памяткой для семьи."
    origin.save_revision().publish()
    release_of(ProgramPage.objects.get(slug=TAMBOV))
    page.reload()
    change = page.locator("section.replication-change").filter(has_text=origin.title)
    expect(change).to_contain_text("Страница изменена")
    expect(change.locator(".addition")).to_contain_text("Дополнено памяткой для семьи.")
    change.get_by_role("button", name="Принять изменение").click()
    expect(
        page.get_by_text("изменение стало черновиком и отправлено на согласование")
    ).to_be_visible()
    expect(page.get_by_text("Ваша копия не отстаёт от исходной программы.")).to_be_visible()

    decision = Decision.objects.get(adoption=adoption)
    taken = PageOrigin.objects.get(adoption=adoption, origin_uid=origin.translation_key).page
    assert decision.action == Decision.Action.SUBMITTED
    assert taken.specific.get_latest_revision_as_object().summary.endswith("памяткой для семьи.")
    assert taken.specific.workflow_in_progress
    # The region's own edit stays where it was.
    copy_lesson.refresh_from_db()
    assert copy_lesson.get_latest_revision_as_object().summary.startswith("Московская редакция")
    assert re.search(r"/admin/replication/copies/\d+/$", page.url)
