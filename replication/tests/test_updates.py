"""A copy and its origin: the pages the region changed, the origin's changes listed right after
each kind of change, and one change taken through the copy's approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from wagtail.models import Page, WorkflowState

from accounts.models import Region
from assessments.models import CaseSubmission
from courses.curriculum import PracticeBalanceError
from courses.models import CaseStudyPage, LessonPage, ProgramPage
from replication.exporting import package_bytes, release_of
from replication.importing import import_package
from replication.models import ChangeKind, Decision, PageOrigin
from replication.portable import Refused
from replication.updates import adapted, apply, change_diff, changes, decline
from tests import factories

from .conftest import publish_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def adoption(origin):
    return import_package(
        package_bytes(release_of(origin.program)), region=Region.objects.get(code="86")
    ).adoption


@pytest.fixture
def author(db):
    return factories.user("Senior instructor", region_code="86")


def copy_of(adoption, page) -> Page:
    origin = PageOrigin.objects.get(adoption=adoption, origin_uid=page.translation_key)
    return origin.page.specific


def republish(origin, page, **fields):
    page = type(page).objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()
    release_of(origin.program)
    return page


def kinds(adoption):
    return [(change.kind, change.title) for change in changes(adoption)]


def test_a_fresh_copy_differs_nowhere_and_waits_for_nothing(adoption):
    assert not any(adapted(adoption).values())
    assert changes(adoption) == []


def test_a_page_the_region_edits_shows_as_changed_by_the_region(adoption, origin, author):
    lesson = copy_of(adoption, origin.lesson)
    version = lesson.get_latest_revision_as_object()
    version.summary = "Югорская редакция"
    version.save_revision(user=author)

    here = adapted(adoption)
    assert here[lesson.pk] is True
    assert [pk for pk, changed in here.items() if changed] == [lesson.pk]
    assert changes(adoption) == []  # the region's own edit is not the origin's change


def test_the_origin_changing_a_page_lists_it_with_a_readable_diff(adoption, origin):
    republish(origin, origin.lesson, summary="Добавлена памятка по выплатам")

    [change] = changes(adoption)
    assert (change.kind, change.title) == (ChangeKind.CHANGED, origin.lesson.title)
    assert not change.changed_here
    [field] = change_diff(change)
    assert field.label == "Summary"
    assert '<span class="addition">Добавлена памятка по выплатам</span>' in field.html


def test_a_change_of_a_case_task_shows_in_the_diff(adoption, origin):
    case = CaseStudyPage.objects.get(pk=origin.case.pk)
    task = case.tasks.get()
    task.instructions = "<p>План помощи на месяц.</p>"
    case.tasks = [task]
    case.save_revision().publish()
    release_of(origin.program)

    [change] = changes(adoption)
    [field] = change_diff(change)
    assert field.label == "Case task 1"
    assert "на месяц" in field.html


def test_a_draft_at_the_origin_is_not_a_change(adoption, origin):
    lesson = LessonPage.objects.get(pk=origin.lesson.pk)
    lesson.summary = "Черновик"
    lesson.save_revision()
    release_of(origin.program)
    assert changes(adoption) == []


def test_a_page_added_at_the_origin_is_listed_as_added(adoption, origin):
    factories.lesson(origin.module, "1", title="Новая лекция", kind="practice")
    release_of(origin.program)
    assert kinds(adoption) == [(ChangeKind.ADDED, "Новая лекция")]


def test_a_page_removed_at_the_origin_is_listed_while_the_copy_shows_it(adoption, origin):
    publish_all(adoption.programme)
    LessonPage.objects.get(pk=origin.lesson.pk).unpublish()
    release_of(origin.program)
    assert kinds(adoption) == [(ChangeKind.REMOVED, origin.lesson.title)]
    copy_of(adoption, origin.lesson).unpublish()  # the region follows the origin
    assert changes(adoption) == []


def test_a_page_removed_at_the_origin_is_listed_while_the_draft_copy_has_it(adoption, origin):
    LessonPage.objects.get(pk=origin.lesson.pk).unpublish()
    release_of(origin.program)
    assert kinds(adoption) == [(ChangeKind.REMOVED, origin.lesson.title)]
    copy_of(adoption, origin.lesson).delete()
    assert changes(adoption) == []


def test_a_page_changed_on_both_sides_is_flagged(adoption, origin, author):
    lesson = copy_of(adoption, origin.lesson)
    version = lesson.get_latest_revision_as_object()
    version.summary = "Югорская редакция"
    version.save_revision(user=author)
    republish(origin, origin.lesson, summary="Тамбовская редакция")

    [change] = changes(adoption, here=adapted(adoption))
    assert change.changed_here


def test_taking_a_change_makes_a_draft_sent_for_approval(adoption, origin, author):
    republish(origin, origin.lesson, summary="Добавлена памятка")
    lesson = copy_of(adoption, origin.lesson)
    [change] = changes(adoption)

    decision = apply(adoption, change.uid, user=author)

    lesson.refresh_from_db()
    assert decision.action == Decision.Action.SUBMITTED and decision.decided_by == author
    assert lesson.get_latest_revision_as_object().summary == "Добавлена памятка"
    assert lesson.summary != "Добавлена памятка" or not lesson.live
    state = WorkflowState.objects.get(object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert changes(adoption) == []
    assert not adapted(adoption)[lesson.pk]  # the copy now stands on the new version

    decision.revision.publish(user=author)
    decision.refresh_from_db()
    assert decision.action == Decision.Action.APPLIED


def test_nothing_reaches_the_copy_until_a_person_takes_it(adoption, origin):
    lesson = copy_of(adoption, origin.lesson)
    before = lesson.latest_revision_id
    republish(origin, origin.lesson, summary="Изменено в Тамбове")
    lesson.refresh_from_db()
    assert lesson.latest_revision_id == before
    assert lesson.get_latest_revision_as_object().summary != "Изменено в Тамбове"


def test_a_taken_change_keeps_the_tasks_a_trainees_answer_names(adoption, origin, author):
    copy_case = copy_of(adoption, origin.case)
    publish_all(adoption.programme)
    task_pk = copy_case.tasks.get().pk
    cohort = factories.cohort(adoption.programme, region_code="86")
    enrolment = factories.enrol(factories.user("Trainee", region_code="86"), cohort)
    CaseSubmission.objects.create(
        enrolment=enrolment, case=copy_case, answers={str(task_pk): "Мой план"}
    )
    case = CaseStudyPage.objects.get(pk=origin.case.pk)
    task = case.tasks.get()
    task.title = "Составьте план помощи"
    case.tasks = [task]
    case.save_revision().publish()
    release_of(origin.program)

    [change] = changes(adoption)
    apply(adoption, change.uid, user=author).revision.publish(user=author)

    copy_case.refresh_from_db()
    assert list(copy_case.tasks.values_list("pk", "title")) == [(task_pk, "Составьте план помощи")]
    assert CaseSubmission.objects.get().answers == {str(task_pk): "Мой план"}


def test_taking_an_added_page_puts_a_draft_in_the_copys_module(adoption, origin, author):
    factories.lesson(origin.module, "1", title="Новая лекция", kind="practice")
    release_of(origin.program)
    [change] = changes(adoption)

    decision = apply(adoption, change.uid, user=author)

    page = decision.page.specific
    assert page.title == "Новая лекция" and not page.live
    assert page.get_parent().pk == copy_of(adoption, origin.module).pk
    assert str(PageOrigin.objects.get(page=page).origin_uid) == change.uid
    assert changes(adoption) == []


def test_a_removal_is_not_taken_here_but_can_be_declined(adoption, origin, author):
    LessonPage.objects.get(pk=origin.lesson.pk).unpublish()
    release_of(origin.program)
    [change] = changes(adoption)
    with pytest.raises(Refused, match="unpublished in the copy's page editor"):
        apply(adoption, change.uid, user=author)
    decline(adoption, change.uid, user=author)
    assert changes(adoption) == []


def test_a_declined_change_returns_when_the_origin_changes_the_page_again(adoption, origin, author):
    republish(origin, origin.lesson, summary="Первая правка")
    [change] = changes(adoption)
    decline(adoption, change.uid, user=author)
    assert changes(adoption) == []
    copy = copy_of(adoption, origin.lesson)
    assert copy.get_latest_revision_as_object().summary != "Первая правка"

    republish(origin, origin.lesson, summary="Вторая правка")
    assert [c.kind for c in changes(adoption)] == [ChangeKind.CHANGED]


def test_a_change_is_decided_once(adoption, origin, author):
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    apply(adoption, change.uid, user=author)
    with pytest.raises(Refused, match="no longer waiting"):
        apply(adoption, change.uid, user=author)
    with pytest.raises(Refused, match="no longer waiting"):
        decline(adoption, change.uid, user=author)
    assert Decision.objects.count() == 1


def test_a_page_being_approved_is_not_changed_under_its_approvers(adoption, origin, author):
    lesson = copy_of(adoption, origin.lesson)
    lesson.get_workflow().start(lesson, author)
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    with pytest.raises(Refused, match="is being approved"):
        apply(adoption, change.uid, user=author)
    assert Decision.objects.count() == 0


def test_the_practice_rule_binds_when_the_copy_is_published(adoption, origin, author):
    """A region adds 10 hours of theory to its copy: 6 + 1 of 19 hours is practice."""
    module = copy_of(adoption, origin.module)
    factories.lesson(module, "10", live=False, title="Своя лекция")
    with pytest.raises(PracticeBalanceError, match="practice"):
        publish_all(adoption.programme)


def test_the_practice_rule_lets_a_balanced_copy_be_published(adoption, origin):
    module = copy_of(adoption, origin.module)
    factories.lesson(module, "2", live=False, title="Своя лекция")
    factories.case_study(module, "6", live=False, title="Свой кейс")
    publish_all(adoption.programme)
    assert adoption.programme.get_descendants(inclusive=True).not_live().count() == 0
    hours = sum(
        (page.specific.hours for page in adoption.programme.get_descendants() if page.depth == 6),
        Decimal(0),
    )
    assert hours == Decimal("17")


def test_a_newer_package_adds_the_changes_and_nothing_else(origin, tmp_path):
    first = package_bytes(release_of(origin.program))
    region = Region.objects.get(code="86")
    adoption = import_package(first, region=region).adoption
    republish(origin, origin.lesson, summary="Версия 2")
    second = package_bytes(release_of(origin.program))
    pages = Page.objects.count()

    outcome = import_package(second, region=region)

    assert not outcome.created and outcome.adoption.pk == adoption.pk
    assert Page.objects.count() == pages
    assert [c.kind for c in changes(adoption)] == [ChangeKind.CHANGED]


def test_a_corrected_question_changes_the_quiz_and_is_taken_in_place(adoption, origin, author):
    from assessments.models import Question, QuestionBank, QuestionOption

    bank = QuestionBank.objects.get(title="Меры поддержки")
    question = bank.questions.get(kind="single")
    question.text = "<p>Положена ли семье компенсация за детский сад?</p>"
    question.save()
    factories.question(bank, "true_false", correct_is_true=False)
    release_of(origin.program)

    [change] = changes(adoption)
    assert (change.kind, change.title) == (ChangeKind.CHANGED, origin.quiz.title)
    labels = {field.label: field.html for field in change_diff(change)}
    assert "компенсация за детский сад" in labels["Меры поддержки: Question 1"]
    assert "Меры поддержки: Question 3" in labels  # the question added

    copy_bank = QuestionBank.objects.exclude(pk=bank.pk).get()
    copied = copy_bank.questions.get(kind="single")
    option_pks = list(copied.options.values_list("pk", flat=True))
    apply(adoption, change.uid, user=author)

    copied.refresh_from_db()
    assert copied.text == "<p>Положена ли семье компенсация за детский сад?</p>"
    assert list(copied.options.values_list("pk", flat=True)) == option_pks  # attempts name them
    assert copy_bank.questions.count() == 3
    assert Question.objects.filter(bank=bank).count() == 3  # the origin's bank untouched by it
    assert QuestionOption.objects.filter(question__bank=copy_bank).count() == 2
    assert changes(adoption) == []


def test_a_question_edited_without_a_quiz_using_it_changes_nothing(adoption, origin):
    from assessments.models import QuestionBank

    other = factories.question_bank("Другой банк")
    factories.question(other, "true_false")
    release_of(origin.program)
    assert QuestionBank.objects.count() == 3
    assert changes(adoption) == []


def test_a_document_replaced_at_the_origin_reaches_the_copy_when_taken(adoption, origin, author):
    from django.core.files.base import ContentFile

    from courses.models import CaseStudyAttachment

    document = origin.document
    document.file.save("anketa-2.pdf", ContentFile(b"%PDF-1.4 the new questionnaire"))
    release_of(origin.program)

    waiting = changes(adoption)
    # Both pages that show the document: the lesson's body and the case's attachment.
    assert sorted(change.title for change in waiting) == sorted(
        [origin.lesson.title, origin.case.title]
    )
    lesson_change = next(change for change in waiting if change.title == origin.lesson.title)
    [field] = change_diff(lesson_change)
    assert field.label == f"«{document.title}»"
    assert '<span class="addition">-2.pdf · ' in field.html

    copy_case = copy_of(adoption, origin.case)
    copy_document = CaseStudyAttachment.objects.get(page=copy_case).document
    apply(adoption, lesson_change.uid, user=author)

    copy_document.refresh_from_db()
    assert copy_document.file.read() == b"%PDF-1.4 the new questionnaire"
    assert document.pk != copy_document.pk
    assert CaseStudyAttachment.objects.get(page=copy_case).document_id == copy_document.pk


def test_a_page_the_region_deleted_is_not_offered_again(adoption, origin):
    copy_of(adoption, origin.lesson).delete()
    republish(origin, origin.lesson, summary="Правка после удаления в копии")
    assert changes(adoption) == []


def test_a_taken_change_moves_the_page_onto_the_new_version(adoption, origin, author):
    republish(origin, origin.program, summary="Новое описание программы")
    [change] = changes(adoption)
    apply(adoption, change.uid, user=author)
    page_origin = PageOrigin.objects.get(adoption=adoption, origin_uid=change.uid)
    assert page_origin.release == change.release
    program = ProgramPage.objects.get(pk=adoption.programme_id).get_latest_revision_as_object()
    assert program.summary == "Новое описание программы"
    assert program.slug == f"{origin.program.slug}-86"  # the copy keeps its address
    # Another change elsewhere later: the page taken is not listed again.
    republish(origin, origin.lesson, summary="Другая правка")
    assert [c.uid for c in changes(adoption)] == [str(origin.lesson.translation_key)]


def test_declining_is_recorded_as_declined(adoption, origin, author):
    republish(origin, origin.lesson, summary="Правка")
    [change] = changes(adoption)
    decision = decline(adoption, change.uid, user=author)
    assert decision.action == Decision.Action.DECLINED
    assert Decision.objects.get().action == Decision.Action.DECLINED
    assert not WorkflowState.objects.exists()


def test_a_change_linking_to_a_page_not_yet_taken_waits_for_it(adoption, origin, author):
    new = factories.lesson(origin.module, "1", title="Новая лекция", kind="practice")
    republish(
        origin,
        origin.lesson,
        body=[("paragraph", f'<p><a linktype="page" id="{new.pk}">см.</a></p>')],
    )
    by_title = {change.title: change for change in changes(adoption)}
    with pytest.raises(Refused, match="take that one first"):
        apply(adoption, by_title[origin.lesson.title].uid, user=author)
    apply(adoption, by_title["Новая лекция"].uid, user=author)
    apply(adoption, by_title[origin.lesson.title].uid, user=author)
    added = copy_of(adoption, new)
    body = copy_of(adoption, origin.lesson).get_latest_revision_as_object().body.raw_data
    assert f'id="{added.pk}"' in body[0]["value"]


def test_an_adopted_origin_publishing_takes_a_new_release(
    adoption, origin, django_capture_on_commit_callbacks
):
    from replication.models import Release

    with django_capture_on_commit_callbacks(execute=True):
        lesson = LessonPage.objects.get(pk=origin.lesson.pk)
        lesson.summary = "Опубликовано без экспорта"
        lesson.save_revision().publish()
    assert Release.objects.filter(programme_uid=adoption.origin_uid).count() == 2
    assert [c.title for c in changes(adoption)] == [origin.lesson.title]


def test_a_task_added_at_the_origin_keeps_its_id_through_later_changes(adoption, origin, author):
    from courses.models import CaseStudyTask

    def edit_tasks(change_tasks):
        case = CaseStudyPage.objects.get(pk=origin.case.pk)
        tasks = list(case.tasks.all())
        change_tasks(tasks)
        case.tasks = tasks
        case.save_revision().publish()
        release_of(origin.program)

    edit_tasks(lambda tasks: tasks.append(CaseStudyTask(title="Новая задача", sort_order=1)))
    [change] = changes(adoption)
    apply(adoption, change.uid, user=author).revision.publish(user=author)
    copy_case = copy_of(adoption, origin.case)
    new_pk = copy_case.tasks.get(title="Новая задача").pk

    def rename(tasks):
        [task] = [task for task in tasks if task.title == "Новая задача"]
        task.title = "Новая задача, уточнённая"

    edit_tasks(rename)
    [change] = changes(adoption)
    apply(adoption, change.uid, user=author).revision.publish(user=author)
    assert CaseStudyTask.objects.get(pk=new_pk).title == "Новая задача, уточнённая"
    assert CaseStudyTask.objects.filter(page=copy_case).count() == 2


def test_the_diff_reads_paragraphs_as_words_apart(adoption, origin):
    republish(
        origin, origin.lesson, body=[("paragraph", "<p>Первый абзац.</p><p>Второй абзац.</p>")]
    )
    [change] = changes(adoption)
    [field] = [field for field in change_diff(change) if field.label == "Body"]
    assert "Первый абзац. Второй абзац." in field.html
