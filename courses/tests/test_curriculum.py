from decimal import Decimal

import pytest

from courses.curriculum import (
    PracticeBalanceError,
    check_practice_balance,
    curriculum_breakdown,
    practice_balance_error,
    practice_shortfall,
)
from courses.models import ActivityKind, ModulePage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("practice", "theory", "target", "missing"),
    [
        ("54", "18", 75, "0"),  # the Tambov programme: exactly 75 %
        ("50", "22", 75, "16"),  # 22 h of theory need 66 h of practice
        ("6", "2", 75, "0"),
        ("5", "2", 75, "1"),
        ("0", "3", 60, "4.5"),
        ("10", "10", 0, "0"),
        ("1", "1", 70, "1.4"),  # 2.333… rounds up, never down, to a tenth
    ],
)
def test_practice_shortfall_is_the_practice_missing_at_unchanged_theory(
    practice, theory, target, missing
):
    assert practice_shortfall(Decimal(practice), Decimal(theory), target) == Decimal(missing)


def test_breakdown_adds_live_hours_by_module_and_kind():
    program = factories.program([[("theory", "2"), ("practice", "6")], [("practice", "4.5")]])

    breakdown = curriculum_breakdown(program)

    assert breakdown.total_hours == Decimal("12.5")
    assert breakdown.practice_hours == Decimal("10.5")
    assert breakdown.theory_hours == Decimal("2")
    assert breakdown.practice_share == Decimal("84.0")
    assert [module.total_hours for module in breakdown.modules] == [Decimal("8"), Decimal("4.5")]
    assert [activity.kind for activity in breakdown.modules[0].activities] == [
        ActivityKind.THEORY,
        ActivityKind.PRACTICE,
    ]


def test_breakdown_leaves_out_drafts_and_activities_of_draft_modules():
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    factories.lesson(module, "10", live=False)
    hidden_module = program.add_child(
        instance=ModulePage(title="Черновик", slug="draft", live=False)
    )
    factories.case_study(hidden_module, "20")

    breakdown = curriculum_breakdown(program)

    assert breakdown.total_hours == Decimal("8")
    assert [module.title for module in breakdown.modules] == ["Модуль 1"]


def test_breakdown_runs_two_queries_whatever_the_size(django_assert_num_queries):
    small = factories.program()
    large = factories.program([[("theory", "1"), ("practice", "3")] * 5 for _ in range(6)])

    with django_assert_num_queries(2):
        curriculum_breakdown(small)
    with django_assert_num_queries(2):
        curriculum_breakdown(large)


def test_new_theory_in_a_live_programme_at_its_target_is_refused_naming_missing_hours():
    program = factories.program()  # 2 h theory, 6 h practice: 75 %
    module = ModulePage.objects.child_of(program).get()
    new_lesson = factories.lesson(module, "2", live=False)

    message = practice_balance_error(new_lesson)

    # 4 h of theory need 12 h of practice: 6 are missing.
    assert message is not None
    assert "6" in message and "60" in message and "75" in message
    with pytest.raises(PracticeBalanceError):
        check_practice_balance(new_lesson)


def test_a_change_that_keeps_the_share_is_allowed():
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    case = factories.case_study(module, "3", live=False)

    assert practice_balance_error(case) is None


def test_cutting_practice_hours_of_a_live_case_is_refused():
    program = factories.program()
    case = program.get_descendants().type(factories.CaseStudyPage).get().specific
    case.hours = Decimal("5")

    message = practice_balance_error(case)

    assert message is not None and "1" in message


def test_raising_a_programme_target_above_its_share_is_refused():
    program = factories.program()
    program.practice_target = 80

    assert practice_balance_error(program) is not None


def test_a_draft_programme_can_be_written_activity_by_activity():
    program = factories.program([[("theory", "10")]], live=False)
    module = ModulePage.objects.child_of(program).get()

    assert practice_balance_error(factories.lesson(module, "4", live=False)) is None
    # …but publishing the programme itself is checked.
    assert "10" in practice_balance_error(program)


def test_an_empty_programme_cannot_be_published():
    program = factories.program([], live=False)

    assert practice_balance_error(program) is not None


def test_unpublishing_practice_below_the_target_is_refused():
    program = factories.program()
    case = program.get_descendants().type(factories.CaseStudyPage).get().specific

    assert practice_balance_error(case, unpublishing=True) is not None
    assert practice_balance_error(case) is None


def test_publishing_outside_the_admin_goes_through_the_rule_too():
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    new_lesson = factories.lesson(module, "2", live=False)
    revision = new_lesson.save_revision()

    with pytest.raises(PracticeBalanceError):
        revision.publish()

    new_lesson.refresh_from_db()
    assert not new_lesson.live
    assert curriculum_breakdown(program).practice_share == Decimal("75.0")
