"""The gradebook as a spreadsheet: the grades of every trainee and whether they have completed.

The «Зачтено» column is the trainee record's answer (`records.selectors`), the same as on the
gradebook page, "Моё обучение" and the record page. Each exporter returns
(file name, content type, bytes), as pretix's exporters do.
"""

from __future__ import annotations

from core.http import CSV, XLSX
from core.spreadsheets import csv_bytes, xlsx_bytes

from .selectors import CohortRecords


def _table(records: CohortRecords) -> list[list]:
    items = records.gradebook.items
    header = ["ФИО", "E-mail", "Статус"] + [item.title for item in items]
    header += ["Тесты, %", "Кейсы, %", "Итог, %", "Зачтено"]
    table = [header]
    for record in records:
        trainee, grades = record.enrolment.trainee, record.grades
        line = [trainee.full_name, trainee.email, record.enrolment.get_status_display()]
        line += [grades.cells.get(item.id) for item in items]
        line += [grades.quiz_average, grades.case_average, grades.final]
        line.append("да" if record.complete else "нет")
        table.append(line)
    return table


def export_csv(records: CohortRecords) -> tuple[str, str, bytes]:
    return f"gradebook-{records.cohort.pk}.csv", CSV, csv_bytes(_table(records))


def export_xlsx(records: CohortRecords) -> tuple[str, str, bytes]:
    content = xlsx_bytes(_table(records), sheet_title="Журнал", freeze_panes="D2")
    return f"gradebook-{records.cohort.pk}.xlsx", XLSX, content


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx}
