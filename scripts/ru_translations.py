"""Russian translations of the interface, kept as data so that `makemessages` can be rerun freely.

Usage: python scripts/ru_translations.py  (fills empty msgstr in locale/ru/LC_MESSAGES/django.po)
"""

from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "ru" / "LC_MESSAGES" / "django.po"

RU = {
    "Regions and people": "Регионы и люди",
    "Patronymic": "Отчество",
    "Region": "Регион",
    "Login": "Логин",
    "name": "название",
    "code": "код",
    "A region code is two or three digits.": "Код региона — две или три цифры.",
    "The region's official code, such as 68 for the Tambov region.": (
        "Официальный код региона, например 68 для Тамбовской области."
    ),
    "time zone": "часовой пояс",
    "region": "регион",
    "regions": "регионы",
    "Can follow the cohorts of their own region": "Может следить за группами своего региона",
    "Can follow and compare all regions": "Может следить за всеми регионами и сравнивать их",
    "patronymic": "отчество",
    "Trainee": "Слушатель",
    "Instructor": "Преподаватель",
    "Senior instructor": "Старший преподаватель",
    "Regional official": "Региональный куратор",
    "Federal official": "Федеральный куратор",
    "Administrator": "Администратор",
    "Assessments": "Оценивание",
    "Certificates": "Удостоверения",
    "Site content": "Содержание сайта",
    "Text": "Текст",
    "Level": "Уровень",
    "Section": "Раздел",
    "Subsection": "Подраздел",
    "Heading": "Заголовок",
    "A heading that splits a long text into sections": (
        "Заголовок, делящий длинный текст на разделы"
    ),
    "Kind": "Вид",
    "Note": "Примечание",
    "Warning": "Предупреждение",
    "Good practice": "Хорошая практика",
    "Title": "Заголовок",
    "Callout": "Выноска",
    "A highlighted note": "Выделенное примечание",
    "Quote": "Цитата",
    "Who says it": "Кто говорит",
    "Direct speech of a person in the case": "Прямая речь участника кейса",
    "Document": "Документ",
    "A link to a document": "Ссылка на документ",
    "Who": "Кто",
    "For example: mother": "Например: мать",
    "Name": "Имя",
    "Age": "Возраст",
    "Situation": "Ситуация",
    "Person": "Человек",
    "A member of the family in the case": "Член семьи в кейсе",
    "lead": "вступление",
    "body": "текст",
    "home page": "главная страница",
    "standard page": "обычная страница",
    "Programmes and courses": "Программы и курсы",
    "Theory": "Теория",
    "Practice": "Практика",
    "introduction": "вступление",
    "programme index": "список программ",
    "summary": "краткое описание",
    "description": "описание",
    "practice target, %": "целевая доля практики, %",
    "The minimum share of practice in the programme's academic hours.": (
        "Минимальная доля практики в академических часах программы."
    ),
    "programme": "программа",
    "programmes": "программы",
    "learning objectives": "цели обучения",
    "module": "модуль",
    "modules": "модули",
    "academic hours": "академические часы",
    "kind": "вид",
    "activity": "занятие",
    "activities": "занятия",
    "Academic hours": "Академические часы",
    "lesson": "урок",
    "lessons": "уроки",
    "scenario": "сценарий",
    "profile of the family or person": "профиль семьи или человека",
    "Who they are, where they live, what they have already tried.": (
        "Кто они, где живут, что уже пробовали сделать."
    ),
    "members of the family": "члены семьи",
    "discussion guide (instructors only)": "методичка для разбора (только для преподавателей)",
    "Never shown to trainees: expected answers, pitfalls, questions to ask.": (
        "Слушатели её никогда не видят: ожидаемые ответы, типичные ошибки, вопросы группе."
    ),
    "Profile of the family or person": "Профиль семьи или человека",
    "Tasks for the trainee": "Задания слушателю",
    "Task": "Задание",
    "Attachments": "Приложения",
    "Attachment": "Приложение",
    "For instructors only": "Только для преподавателей",
    "case study": "кейс",
    "case studies": "кейсы",
    "title": "название",
    "instructions": "указания",
    "case task": "задание кейса",
    "case tasks": "задания кейса",
    "caption": "подпись",
    "attachment": "приложение",
    "attachments": "приложения",
    "curriculum review": "согласование учебных материалов",
    "curriculum reviews": "согласования учебных материалов",
    "starts on": "дата начала",
    "ends on": "дата окончания",
    "capacity": "вместимость",
    "instructors": "преподаватели",
    "cohort": "группа",
    "cohorts": "группы",
    "Active": "Обучается",
    "Completed": "Завершил обучение",
    "Withdrawn": "Отчислен",
    "trainee": "слушатель",
    "status": "статус",
    "enrolled on": "дата зачисления",
    "completed on": "дата завершения",
    "withdrawn on": "дата отчисления",
    "enrolment": "зачисление",
    "enrolments": "зачисления",
    "Russian": "Русский",
    "English": "Английский",
    "Page not found": "Страница не найдена",
    "The page you asked for does not exist or is not open to you.": (
        "Такой страницы нет или она вам недоступна."
    ),
    "Go to the home page": "На главную страницу",
    "Sign in": "Войти",
    "School of social coordinators": "Школа социальных координаторов",
    "Skip to main content": "Перейти к основному содержанию",
    "Sign in to study": "Войти и учиться",
    "Your programmes": "Ваши программы",
    "Profile of the family": "Профиль семьи",
    "Documents of the case": "Документы кейса",
    "Tasks": "Задания",
    "Discussion guide (instructors only)": "Методичка для разбора (только для преподавателей)",
    "Breadcrumb": "Навигационная цепочка",
    "Learning objectives": "Цели обучения",
    "Activities": "Занятия",
    "%(hours)s ac. h": "%(hours)s ак. ч",
    "No activities are published yet.": "Занятия ещё не опубликованы.",
    "No programmes are open to you yet.": "Вам пока не открыта ни одна программа.",
    "Practice target: at least %(target)s %% of study time.": (
        "Целевая доля практики: не менее %(target)s %% учебного времени."
    ),
    "Modules": "Модули",
    "%(total)s ac. h: practice %(practice)s, theory %(theory)s": (
        "%(total)s ак. ч: практика %(practice)s, теория %(theory)s"
    ),
    "No modules are published yet.": "Модули ещё не опубликованы.",
    "Practice-oriented programme: at least 75 %% of study time is practice.": (
        "Практико-ориентированная программа: не менее 75 %% учебного времени — практика."
    ),
    "Schools of social coordinators: training people who support participants of the special "
    "military operation and their families.": (
        "Школы социальных координаторов: готовим тех, кто поддерживает участников специальной "
        "военной операции и их семьи."
    ),
    "Standard version": "Обычная версия",
    "Version for the visually impaired": "Версия для слабовидящих",
    "Main navigation": "Основная навигация",
    "Menu": "Меню",
    "Authoring": "Редактирование",
    "Sign out": "Выйти",
    "Total": "Всего",
    "Practice share": "Доля практики",
    "The programme «%(program)s» has no published activities yet: publish its modules and "
    "activities first.": (
        "В программе «%(program)s» ещё нет опубликованных занятий: сначала опубликуйте её модули "
        "и занятия."
    ),
    "Refused: the programme «%(program)s» would have %(share)s%% practice, below its target of "
    "%(target)s%%. %(missing)s more academic hours of practice are missing (practice "
    "%(practice)s h, theory %(theory)s h).": (
        "Публикация отклонена: доля практики в программе «%(program)s» стала бы %(share)s %%, "
        "ниже целевых %(target)s %%. Не хватает %(missing)s ак. ч практики (практика "
        "%(practice)s ч, теория %(theory)s ч)."
    ),
}

PLURALS = {
    "%(age)s year": ["%(age)s год", "%(age)s года", "%(age)s лет", "%(age)s лет"],
}


def main() -> None:
    po = polib.pofile(str(PO))
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {"Project-Id-Version": "coordinator-school-lms", "Language": "ru", "Language-Team": "ru"}
    )
    missing = []
    for entry in po:
        if entry.msgid_plural:
            forms = PLURALS.get(entry.msgid)
            if forms:
                entry.msgstr_plural = dict(enumerate(forms))
            elif not any(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif entry.msgid in RU:
            entry.msgstr = RU[entry.msgid]
        elif not entry.msgstr:
            missing.append(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    if missing:
        raise SystemExit("No Russian for:\n" + "\n".join(missing))


if __name__ == "__main__":
    main()
