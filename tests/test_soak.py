"""`make soak` (`bench/soak.py`) small: 10 trainees and 2 officials for 6 seconds against the site
under gunicorn with the production settings, on the test database (PostgreSQL), with a real
`db_worker`; then its count, which must find every accepted answer, attempt and case work in the
database, and must find it out when one is taken away or was never stored."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from assessments.models import CaseSubmission, Question, QuestionKind, QuizAttempt
from bench import soak
from courses.models import ModulePage
from tests import factories
from tests.concurrency import concurrency_test

TRAINEES, SECONDS = 10, 6


def school():
    """A programme of one module: a lesson, a case study, and a quiz asking every kind of
    question (the count reads each kind's answer as the site stores it)."""
    factories.site_home()
    program = factories.program()
    module = ModulePage.objects.child_of(program).get()
    bank = factories.question_bank()
    factories.question(bank, QuestionKind.SINGLE, options=[("Да", True), ("Нет", False)])
    factories.question(
        bank, QuestionKind.MULTIPLE, options=[("А", True), ("Б", True), ("В", False)]
    )
    factories.question(bank, QuestionKind.TRUE_FALSE, correct_is_true=True)
    factories.question(bank, QuestionKind.SHORT_TEXT, accepted_answers="план")
    factories.question(bank, QuestionKind.NUMERIC, numeric_answer=Decimal("18"))
    factories.question(
        bank, QuestionKind.MATCHING, options=[("ЦЗН", "работа"), ("СФР", "пенсия"), ("МФЦ", "док")]
    )
    factories.question(
        bank, QuestionKind.ORDERING, options=[("Заявление", None), ("Решение", None)]
    )
    factories.quiz(module, [bank], attempts_allowed=soak.ATTEMPTS)
    return program


def accepted_writes(record: dict) -> list[dict]:
    return [
        write
        for person in record["people"]
        for write in person.get("writes", [])
        if write["outcome"] == soak.ACCEPTED
    ]


@concurrency_test
def test_a_small_soak_loses_nothing_and_its_count_finds_what_is_missing(tmp_path):
    plan = soak.add_people(program=school(), trainees=TRAINEES)
    env = soak.site_environment(tmp_path)
    soak.collect_static(env, compress=False)
    site = soak.Site(env, connection.settings_dict["NAME"], tmp_path / "worker.log", workers=2)
    site.start()
    try:
        record = soak.drive(site.base_url, plan, seconds=SECONDS, think=0.1, processes=2)
    finally:
        tasks = site.stop()

    report = soak.check(record)
    result = soak.summary(record, report, tasks)
    assert soak.failures(result) == [], result
    assert result["errors"] == 0 and report.lost == [] and report.unexpected == []
    for kind in ("answers", "attempts started", "attempts submitted", "case work submitted"):
        assert report.accepted[kind] > 0, (kind, report.accepted)
    kinds = {row["kind"]: row for row in result["kinds"]}
    assert kinds["sign-in"]["accepted"] == TRAINEES + len(soak.OFFICIALS)
    for kind in ("dashboard: federal", "dashboard: region", "dashboard: cohort"):
        assert kinds[kind]["accepted"] > 0, kind
    assert tasks["statuses"].get("SUCCESSFUL", 0) > 0 and tasks["failed"] == 0

    # An accepted answer taken out of its attempt is lost, and named.
    write = accepted_writes(record)[-1]
    question = next(iter(soak.by_question(write["fields"])))
    attempt = QuizAttempt.objects.get(pk=write["attempt"])
    kept = {key: value for key, value in attempt.answers.items() if key != str(question)}
    QuizAttempt.objects.filter(pk=attempt.pk).update(answers=kept)
    lost = soak.check(record).lost
    assert lost and all(f"attempt {attempt.pk}, question {question}:" in line for line in lost)
    QuizAttempt.objects.filter(pk=attempt.pk).update(answers=attempt.answers)
    assert soak.check(record).lost == []

    # So is an answer the generator says was accepted but the site never stored: a text nobody
    # typed, sent last to the short-text question of that attempt.
    person = next(p for p in record["people"] if write in p.get("writes", []))
    text = Question.objects.get(kind=QuestionKind.SHORT_TEXT).pk
    person["writes"].append(
        {
            "attempt": attempt.pk,
            "sequence": 10**6,
            "fields": {f"q{text}": ["never sent"]},
            "outcome": soak.ACCEPTED,
        }
    )
    lost = soak.check(record).lost
    assert len(lost) == 1 and f"attempt {attempt.pk}, question {text}: answer #" in lost[0]
    person["writes"].pop()

    # And case work taken away.
    save = next(
        (p["username"], c)
        for p in record["people"]
        for c in p.get("casework", [])
        if c["outcome"] == soak.ACCEPTED
    )
    username, work = save
    CaseSubmission.objects.filter(enrolment__trainee__username=username, case=work["case"]).delete()
    lost = soak.check(record).lost
    assert lost and all(line.startswith(f"{username}: case {work['case']}") for line in lost)
