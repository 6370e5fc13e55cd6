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

RU.update(
    {
        # People and profile
        "Phone": "Телефон",
        "For example +7 900 123-45-67.": "Например, +7 900 123-45-67.",
        "E-mail": "Электронная почта",
        "Enter a Russian number such as +7 900 123-45-67.": (
            "Укажите российский номер, например +7 900 123-45-67."
        ),
        "Another account already uses this e-mail.": "Этот адрес уже указан в другой учётной записи.",
        "phone": "телефон",
        "In the form +7XXXXXXXXXX.": "В виде +7XXXXXXXXXX.",
        "organisation": "организация",
        "position": "должность",
        "last name": "фамилия",
        "first name": "имя",
        "consent to personal data processing": "согласие на обработку персональных данных",
        "consent given at": "дата согласия",
        "send notifications by e-mail": "присылать уведомления на почту",
        "Your profile is saved.": "Профиль сохранён.",
        "Password": "Пароль",
        "Full name": "ФИО",
        "My profile": "Мой профиль",
        "What the school holds about you": "Какие данные о вас хранит школа",
        "Consent to personal data processing": "Согласие на обработку персональных данных",
        "Given on %(date)s": "Дано %(date)s",
        "Not given": "Не дано",
        "The school keeps only what it needs to teach and certify you: your name, region, "
        "contacts, organisation and position. To correct your name or region, ask your school.": (
            "Школа хранит только то, что нужно для обучения и выдачи удостоверения: ФИО, регион, "
            "контакты, организацию и должность. Чтобы исправить ФИО или регион, обратитесь в школу."
        ),
        "Save": "Сохранить",
        "Change your password": "Сменить пароль",
        # Passwords and invitations
        "Welcome to the school of social coordinators": "Добро пожаловать в школу социальных координаторов",
        "You are enrolled in «%(cohort)s», programme «%(program)s». Your login is %(login)s. "
        "Choose your password by the link below.": (
            "Вы зачислены в группу «%(cohort)s», программа «%(program)s». Ваш логин — %(login)s. "
            "Пароль вы выберете сами по ссылке ниже."
        ),
        "You are enrolled in «%(cohort)s»": "Вы зачислены в группу «%(cohort)s»",
        "Programme: %(program)s.": "Программа: %(program)s.",
        "A new password for the school of social coordinators": (
            "Новый пароль в школе социальных координаторов"
        ),
        "Your password is saved": "Пароль сохранён",
        "Choose your password": "Выберите пароль",
        "Save the password": "Сохранить пароль",
        "The link no longer works": "Ссылка больше не действует",
        "It was used already or is too old.": "Ею уже воспользовались, или срок её действия истёк.",
        "Ask for a new one": "Запросите новую",
        "Check your e-mail": "Проверьте почту",
        "If an account uses this e-mail, a link to choose a new password is on its way.": (
            "Если этот адрес указан в учётной записи, на него придёт ссылка для выбора пароля."
        ),
        "To choose a new password, open this link:": "Чтобы выбрать новый пароль, откройте ссылку:",
        "Your login: %(login)s": "Ваш логин: %(login)s",
        "Choose a new password": "Новый пароль",
        "Enter your e-mail: we will send a link to choose a new password.": (
            "Укажите электронную почту: мы пришлём ссылку для выбора нового пароля."
        ),
        "Send the link": "Прислать ссылку",
        # Cohorts and enrolments
        "Cohorts": "Группы",
        "Cohort": "Группа",
        "New cohort": "Новая группа",
        "Programme": "Программа",
        "Trainees": "Слушатели",
        "Instructors": "Преподаватели",
        "Status": "Статус",
        "Actions": "Действия",
        "Withdraw": "Отчислить",
        "Restore": "Восстановить",
        "Edit": "Изменить",
        "Cancel": "Отмена",
        "Dates": "Сроки",
        "No trainees yet.": "Слушателей пока нет.",
        "No cohorts yet.": "Групп пока нет.",
        "Cohorts you follow": "Группы, за которыми вы следите",
        "Edit «%(name)s»": "Изменение группы «%(name)s»",
        "Trainees and their progress, of %(total)s academic hours": (
            "Слушатели и их продвижение из %(total)s академических часов"
        ),
        "Done, ac. h": "Пройдено, ак. ч",
        "The end cannot come before the start.": "Окончание не может быть раньше начала.",
        "%(count)s trainees already study in this cohort.": (
            "В группе уже учатся слушатели: %(count)s."
        ),
        "The programme of a cohort with trainees cannot be changed.": (
            "Программу группы, в которой есть слушатели, изменить нельзя."
        ),
        "The cohort «%(cohort)s» is full (%(capacity)s places).": (
            "В группе «%(cohort)s» нет мест (мест: %(capacity)s)."
        ),
        "%(trainee)s already studies this programme in «%(cohort)s».": (
            "%(trainee)s уже учится по этой программе в группе «%(cohort)s»."
        ),
        "%(trainee)s already studies this programme.": "%(trainee)s уже учится по этой программе.",
        "The cohort «%(name)s» is created.": "Группа «%(name)s» создана.",
        "The cohort is saved.": "Группа сохранена.",
        "%(name)s is withdrawn.": "%(name)s: отчислен(а).",
        "%(name)s is back in the cohort.": "%(name)s: восстановлен(а) в группе.",
        "completed activity": "пройденное занятие",
        "completed activities": "пройденные занятия",
        "how": "как",
        "completed at": "когда пройдено",
        "Marked as studied by the trainee": "Отмечено слушателем как изученное",
        "Case work submitted": "Работа по кейсу сдана",
        "Quiz passed": "Тест сдан",
        "Session attended": "Занятие посещено",
        # Imports
        "trainee import": "импорт слушателей",
        "trainee imports": "импорты слушателей",
        "Trainee import": "Импорт слушателей",
        "Awaiting confirmation": "Ждёт подтверждения",
        "Being imported": "Выполняется",
        "Imported": "Выполнен",
        "Not imported": "Не выполнен",
        "file": "файл",
        "by": "кто загрузил",
        "Enrol from a spreadsheet": "Зачислить из таблицы",
        "Spreadsheet (CSV or XLSX)": "Таблица (CSV или XLSX)",
        "Up to 2 MB. Start from the template file.": "До 2 МБ. Заполните файл-шаблон.",
        "The file is too large: at most %(size)s MB.": "Файл слишком большой: не более %(size)s МБ.",
        "The file has no column %(columns)s. Start from the template file.": (
            "В файле нет столбца %(columns)s. Заполните файл-шаблон."
        ),
        "The file looks like an Excel workbook but cannot be read. Save it again as .xlsx.": (
            "Файл похож на книгу Excel, но прочитать его не удалось. Сохраните его заново в .xlsx."
        ),
        "This is not a spreadsheet: upload a CSV or XLSX file.": (
            "Это не таблица: загрузите файл CSV или XLSX."
        ),
        "The file is empty.": "Файл пустой.",
        "Old Excel files (.xls) are not supported: save the file as .xlsx or CSV.": (
            "Старый формат Excel (.xls) не поддерживается: сохраните файл в .xlsx или CSV."
        ),
        "The file has no rows.": "В файле нет строк.",
        "The file has a header but no trainees.": "В файле есть заголовок, но нет слушателей.",
        "The file has %(count)s rows; at most %(max)s can be imported at once.": (
            "В файле строк: %(count)s; за один раз можно загрузить не более %(max)s."
        ),
        "%(field)s is missing": "Не указано: %(field)s",
        "%(field)s «%(value)s» has characters a name cannot have": (
            "%(field)s «%(value)s»: недопустимые символы"
        ),
        "E-mail is missing": "Не указана электронная почта",
        "E-mail «%(value)s» is not an e-mail address": ("«%(value)s» — не адрес электронной почты"),
        "Phone is missing": "Не указан телефон",
        "Phone «%(value)s» is not a Russian number such as +7 900 123-45-67": (
            "«%(value)s» — не российский номер телефона вида +7 900 123-45-67"
        ),
        "Cohort «%(value)s» is unknown or not yours": (
            "Группа «%(value)s» не найдена среди ваших групп"
        ),
        "The same e-mail as row %(row)s": "Та же почта, что в строке %(row)s",
        "%(email)s is registered in another region (%(region)s)": (
            "%(email)s зарегистрирован(а) в другом регионе (%(region)s)"
        ),
        "Already enrolled in this cohort": "Уже в этой группе",
        "Already enrolled in «%(cohort)s»": "Уже учится в группе «%(cohort)s»",
        "Cohort «%(cohort)s» is full (%(capacity)s places)": (
            "В группе «%(cohort)s» нет мест (мест: %(capacity)s)"
        ),
        "Fix the rows with problems and upload the file again.": (
            "Исправьте строки с ошибками и загрузите файл снова."
        ),
        "Import of «%(name)s»": "Загрузка файла «%(name)s»",
        "The trainees are enrolled.": "Слушатели зачислены.",
        "New accounts: %(created)s. Existing people enrolled: %(enrolled)s. Brought back: "
        "%(restored)s. Already in the cohort, unchanged: %(skipped)s.": (
            "Новых учётных записей: %(created)s. Зачислено из уже зарегистрированных: "
            "%(enrolled)s. Восстановлено: %(restored)s. Уже были в группе: %(skipped)s."
        ),
        "The import is running. This page refreshes by itself.": (
            "Идёт зачисление. Страница обновится сама."
        ),
        "Confirm and enrol": "Подтвердить и зачислить",
        "Upload another file": "Загрузить другой файл",
        "Upload the corrected file": "Загрузить исправленный файл",
        "Back to the cohort": "Вернуться к группе",
        "Row": "Строка",
        "Result": "Результат",
        "Rows of the file": "Строки файла",
        "New account, enrol": "Новая учётная запись, зачислить",
        "Existing account, enrol": "Уже зарегистрирован(а), зачислить",
        "Bring back to the cohort": "Восстановить в группе",
        "Trainees go to «%(name)s» unless a row names another cohort of your region in the "
        "«Группа» column. You will see every row's problems before anything is saved.": (
            "Слушатели будут зачислены в группу «%(name)s», если в столбце «Группа» не указана "
            "другая группа вашего региона. До сохранения вы увидите ошибки в каждой строке."
        ),
        "Template file:": "Файл-шаблон:",
        "Required columns: Фамилия, Имя, E-mail, Телефон; optional: Отчество, Организация, "
        "Должность, Группа.": (
            "Обязательные столбцы: Фамилия, Имя, E-mail, Телефон; необязательные: Отчество, "
            "Организация, Должность, Группа."
        ),
        "Check the file": "Проверить файл",
        # Learning
        "My learning": "Моё обучение",
        "Whole programme": "Вся программа",
        "Next activity": "Следующее занятие",
        "practice": "практика",
        "theory": "теория",
        "Mark as studied": "Отметить как изученное",
        "«%(title)s» is marked as studied.": "«%(title)s» отмечено как изученное.",
        "Only trainees studying this programme can mark its lessons.": (
            "Отмечать уроки могут только слушатели этой программы."
        ),
        "All published activities are done.": "Все опубликованные занятия пройдены.",
        "Studies began on %(date)s": "Начало обучения: %(date)s",
        "Studies end on %(date)s": "Окончание обучения: %(date)s",
        "You are not enrolled in any programme yet. Your school's coordinator will enrol you.": (
            "Вы пока не зачислены ни на одну программу. Вас зачислит куратор школы."
        ),
        "Studied on %(date)s": "Изучено %(date)s",
        "Trainees of this programme mark lessons studied here.": (
            "Здесь слушатели программы отмечают урок как изученный."
        ),
        "Done": "Пройдено",
        "Not done yet": "Не пройдено",
        "%(done)s of %(total)s ac. h": "%(done)s из %(total)s ак. ч",
        # Notifications
        "Notifications": "Уведомления",
        "notification": "уведомление",
        "notifications": "уведомления",
        "recipient": "получатель",
        "subject": "тема",
        "text": "текст",
        "link": "ссылка",
        "created at": "создано",
        "read at": "прочитано",
        "e-mailed at": "отправлено на почту",
        "unread": "непрочитанных",
        "Mark all as read": "Отметить все как прочитанные",
        "Unread:": "Не прочитано:",
        "No notifications.": "Уведомлений нет.",
        "Pages": "Страницы",
        "Newer": "Новее",
        "Older": "Старше",
        # Errors
        "Not available": "Недоступно",
        "This page is not available to you": "Эта страница вам недоступна",
        "It belongs to another cohort, region or role. If you think you should see it, ask your "
        "school's coordinator.": (
            "Она относится к другой группе, региону или роли. Если вы считаете, что доступ "
            "должен быть, обратитесь к куратору школы."
        ),
    }
)

PLURALS.update(
    {
        "%(counter)s row has problems. Nothing has been enrolled: fix the file and upload it "
        "again.": [
            "%(counter)s строка с ошибками. Никто не зачислен: исправьте файл и загрузите снова.",
            "%(counter)s строки с ошибками. Никто не зачислен: исправьте файл и загрузите снова.",
            "%(counter)s строк с ошибками. Никто не зачислен: исправьте файл и загрузите снова.",
            "%(counter)s строк с ошибками. Никто не зачислен: исправьте файл и загрузите снова.",
        ],
        "%(counter)s row checked, no problems. Confirm to enrol.": [
            "Проверена %(counter)s строка, ошибок нет. Подтвердите зачисление.",
            "Проверены %(counter)s строки, ошибок нет. Подтвердите зачисление.",
            "Проверено %(counter)s строк, ошибок нет. Подтвердите зачисление.",
            "Проверено %(counter)s строк, ошибок нет. Подтвердите зачисление.",
        ],
    }
)

RU.update(
    {
        # Quiz answers
        "This choice is not one of the options.": "Такого варианта ответа нет.",
        "Too many choices.": "Выбрано слишком много вариантов.",
        "Answer «true» or «false».": "Ответьте «верно» или «неверно».",
        "The answer is too long (at most %(max)s characters).": (
            "Ответ слишком длинный (не более %(max)s символов)."
        ),
        "«%(value)s» is not a number.": "«%(value)s» — не число.",
        "Each pair can be used once.": "Каждую пару можно выбрать только один раз.",
        "Choose a position for every item.": "Укажите место для каждого элемента.",
        "Two items cannot share a position.": "У двух элементов не может быть одного места.",
        "Unknown question.": "Неизвестный вопрос.",
        # Question banks and questions
        "question bank": "банк вопросов",
        "question banks": "банки вопросов",
        "Question banks": "Банки вопросов",
        "Single choice": "Один ответ",
        "Multiple choice (partial credit)": "Несколько ответов (частичный балл)",
        "True or false": "Верно или неверно",
        "Short text": "Короткий ответ",
        "Number": "Число",
        "Matching": "Соответствие",
        "Ordering": "Порядок",
        "bank": "банк",
        "question": "вопрос",
        "questions": "вопросы",
        "Questions": "Вопросы",
        "points": "баллы",
        "the statement is true": "утверждение верно",
        "accepted answers": "принимаемые ответы",
        "One answer a line.": "По одному ответу в строке.",
        "correct number": "правильное число",
        "tolerance ±": "допуск ±",
        "explanation": "пояснение",
        "Shown with the correct answer when the quiz's review setting allows.": (
            "Показывается вместе с правильным ответом, если это разрешено настройками теста."
        ),
        "Options, pairs or items": "Варианты, пары или элементы",
        "Option": "Вариант",
        "Choice: tick the correct ones. Matching: each text with its pair. Ordering: list the "
        "items in the correct order.": (
            "Выбор: отметьте правильные. Соответствие: каждый текст со своей парой. Порядок: "
            "перечислите элементы в правильном порядке."
        ),
        "Give at least one accepted answer.": "Укажите хотя бы один принимаемый ответ.",
        "Give the correct number.": "Укажите правильное число.",
        "The tolerance cannot be negative.": "Допуск не может быть отрицательным.",
        "correct": "верный",
        "pair (matching)": "пара (для соответствия)",
        "Only for matching.": "Только для вопросов на соответствие.",
        "option": "вариант",
        "options": "варианты",
        # Quizzes
        "Quizzes": "Тесты",
        "quiz": "тест",
        "quizzes": "тесты",
        "Best attempt": "лучшая попытка",
        "Last attempt": "последняя попытка",
        "Average of attempts": "среднее по попыткам",
        "Never": "Никогда",
        "After each attempt": "После каждой попытки",
        "After the quiz closes": "После закрытия теста",
        "time limit, minutes": "ограничение времени, минут",
        "Empty: no time limit.": "Пусто — без ограничения.",
        "attempts allowed": "число попыток",
        "pass mark, %": "проходной балл, %",
        "shuffle questions": "перемешивать вопросы",
        "shuffle options": "перемешивать варианты",
        "attempt that counts": "какая попытка засчитывается",
        "show correct answers": "показывать правильные ответы",
        "closes at": "закрывается",
        "After this moment no attempt can start; answers may then be shown.": (
            "После этого новые попытки начать нельзя; тогда можно показать ответы."
        ),
        "Rules": "Правила",
        "questions to draw": "сколько вопросов выбрать",
        "Empty: every question.": "Пусто — все вопросы.",
        "section": "раздел",
        "sections": "разделы",
        "In progress": "Идёт",
        "Graded": "Оценена",
        "attempt": "попытка",
        "started at": "начата",
        "deadline": "срок",
        "submitted at": "сдана",
        "closed at the deadline": "закрыта по истечении времени",
        "score": "баллы",
        "maximum score": "максимум баллов",
        "per cent": "процент",
        "quiz attempt": "попытка теста",
        "quiz attempts": "попытки тестов",
        "Only trainees studying this programme can take its quizzes.": (
            "Тесты программы проходят только её слушатели."
        ),
        "This quiz has no questions yet.": "В этом тесте пока нет вопросов.",
        "The quiz is closed.": "Тест закрыт.",
        "You have used all %(count)s attempts.": "Вы использовали все попытки (%(count)s).",
        "Another attempt has just started.": "Другая попытка только что началась.",
        "This attempt is already submitted.": "Эта попытка уже сдана.",
        "Time is up: the attempt was graded with the answers saved before the deadline.": (
            "Время вышло: попытка оценена по ответам, сохранённым до срока."
        ),
        "Your answers are saved.": "Ответы сохранены.",
        "Some answers could not be accepted: see the questions marked below.": (
            "Некоторые ответы не приняты: см. отмеченные вопросы."
        ),
        "Result of attempt %(number)s": "Результат попытки %(number)s",
        "%(score)s of %(max)s points": "%(score)s из %(max)s баллов",
        "passed": "сдан",
        "not passed": "не сдан",
        "pass mark %(mark)s %%": "проходной балл %(mark)s %%",
        "Time ran out: the answers saved before the deadline were graded.": (
            "Время вышло: оценены ответы, сохранённые до срока."
        ),
        "Answers": "Ответы",
        "%(earned)s of %(points)s points": "%(earned)s из %(points)s баллов",
        "your choice": "ваш выбор",
        "Correct answer:": "Правильный ответ:",
        "True": "Верно",
        "False": "Неверно",
        "Your answer:": "Ваш ответ:",
        "Back to the quiz": "Вернуться к тесту",
        "Attempt %(number)s": "Попытка %(number)s",
        "answers are taken until %(time)s": "ответы принимаются до %(time)s",
        "Answers saved": "Ответы сохранены",
        "Save answers": "Сохранить ответы",
        "Submit for grading": "Сдать на проверку",
        "points: %(points)s": "баллов: %(points)s",
        "Choose every correct option.": "Выберите все правильные варианты.",
        "Your answer": "Ваш ответ",
        "Your answer (a number)": "Ваш ответ (число)",
        "Number the items in the right order.": "Пронумеруйте элементы в правильном порядке.",
        "Time limit: %(minutes)s min.": "Ограничение времени: %(minutes)s мин.",
        "No time limit.": "Без ограничения времени.",
        "Attempts allowed: %(count)s.": "Попыток: %(count)s.",
        "Counts: %(policy)s.": "Засчитывается: %(policy)s.",
        "Pass mark: %(mark)s %%.": "Проходной балл: %(mark)s %%.",
        "Closes on %(date)s.": "Тест закрывается %(date)s.",
        "Your attempts": "Ваши попытки",
        "Attempt": "Попытка",
        "Submitted": "Сдана",
        "Details": "Подробнее",
        "Continue": "Продолжить",
        "Your result: %(percent)s %%": "Ваш результат: %(percent)s %%",
        "not passed yet": "пока не сдан",
        "Continue the attempt": "Продолжить попытку",
        "Try again": "Пройти ещё раз",
        "Start the quiz": "Начать тест",
        "No attempts left.": "Попыток не осталось.",
        "Trainees of this programme take the quiz here.": "Здесь тест проходят слушатели программы.",
    }
)

PLURALS["%(left)s attempt left"] = [
    "осталась %(left)s попытка",
    "осталось %(left)s попытки",
    "осталось %(left)s попыток",
    "осталось %(left)s попыток",
]

RU.update(
    {
        # Case work
        "This work can no longer be changed.": "Эту работу уже нельзя изменить.",
        "An answer was sent for a task this case does not have.": (
            "Прислан ответ на задание, которого нет в этом кейсе."
        ),
        "An answer is too long (at most %(max)s characters).": (
            "Ответ слишком длинный (не более %(max)s символов)."
        ),
        "At most %(count)s files can be attached.": "Можно приложить не более %(count)s файлов.",
        "«%(name)s» is larger than %(size)s MB.": "Файл «%(name)s» больше %(size)s МБ.",
        "«%(name)s» is not a PDF, DOCX, JPG or PNG file.": (
            "Файл «%(name)s» — не PDF, DOCX, JPG или PNG."
        ),
        "Write an answer or attach a file before submitting.": (
            "Перед отправкой напишите ответ или приложите файл."
        ),
        "This work has not been submitted yet.": "Эта работа ещё не отправлена на проверку.",
        "This case study has no rubric yet.": "У этого кейса пока нет критериев оценивания.",
        "Choose a level for «%(criterion)s».": "Выберите уровень по критерию «%(criterion)s».",
        "Your work on «%(case)s» is graded": "Ваша работа по кейсу «%(case)s» оценена",
        "Result: %(percent)s %%.": "Результат: %(percent)s %%.",
        "Points": "Баллы",
        "What the work shows": "Что видно в работе",
        "criterion": "критерий",
        "levels": "уровни",
        "rubric criterion": "критерий оценивания",
        "rubric criteria": "критерии оценивания",
        "Draft": "Черновик",
        "times submitted": "сколько раз отправлена",
        "updated at": "изменена",
        "case work": "работа по кейсу",
        "type": "тип",
        "size": "размер",
        "uploaded at": "загружен",
        "files": "файлы",
        "graded by": "кто оценил",
        "comment": "комментарий",
        "graded at": "оценена",
        "released at": "опубликована",
        "case grade": "оценка за кейс",
        "case grades": "оценки за кейсы",
        "Your work is submitted for grading.": "Работа отправлена на проверку.",
        "Draft saved.": "Черновик сохранён.",
        "The grade is saved.": "Оценка сохранена.",
        "Grades released: %(count)s.": "Опубликовано оценок: %(count)s.",
        "weight of quizzes, %": "вес тестов, %",
        "weight of case work, %": "вес кейсов, %",
        "The final grade a trainee needs to complete the programme.": (
            "Итоговая оценка, нужная слушателю для завершения программы."
        ),
        "Grading policy": "Правила оценивания",
        "The weights of quizzes and case work must add up to 100 %.": (
            "Веса тестов и кейсов в сумме должны составлять 100 %."
        ),
        "Rubric": "Критерии оценивания",
        "Criterion": "Критерий",
        "Instructors grade the trainee's work on these criteria.": (
            "По этим критериям преподаватели оценивают работу слушателя."
        ),
        "Grade": "Оценить",
        "Case work to grade": "Кейсы на проверку",
        "The work": "Работа",
        "This case study has no rubric yet: add one in the admin.": (
            "У этого кейса пока нет критериев: добавьте их в редакторе."
        ),
        "pts": "балл.",
        "Comment": "Комментарий",
        "Overall comment": "Общий комментарий",
        "Save the grade": "Сохранить оценку",
        "Save and release": "Сохранить и опубликовать",
        "Gradebook": "Журнал оценок",
        "Export XLSX": "Выгрузить XLSX",
        "Export CSV": "Выгрузить CSV",
        "Final grade: quizzes %(quizzes)s %%, case work %(cases)s %% (averages; an item not done "
        "counts as 0). To complete the programme: at least %(mark)s %%.": (
            "Итоговая оценка: тесты — %(quizzes)s %%, кейсы — %(cases)s %% (средние; невыполненное "
            "задание считается за 0). Для завершения программы нужно не менее %(mark)s %%."
        ),
        "Case grades count once released; «…» marks a grade not yet released.": (
            "Оценки за кейсы учитываются после публикации; «…» — оценка ещё не опубликована."
        ),
        "Grades of «%(name)s», per cent": "Оценки группы «%(name)s», в процентах",
        "Case work": "Кейсы",
        "Final": "Итог",
        "not released": "не опубликована",
        "Nothing waits for grading.": "Работ на проверку нет.",
        "Release all grades": "Опубликовать все оценки",
        "released": "опубликована",
        "Regrade": "Переоценить",
        "Nothing graded yet.": "Пока ничего не оценено.",
        "Your work": "Ваша работа",
        "Not submitted yet.": "Ещё не отправлена.",
        "Submitted on %(date)s; waiting for grading.": "Отправлена %(date)s, ожидает проверки.",
        "Graded.": "Оценена.",
        "Accepted until the end of %(date)s.": "Принимается до конца дня %(date)s.",
        "Grade: %(percent)s %%": "Оценка: %(percent)s %%",
        "Attached files": "Приложенные файлы",
        "Remove «%(name)s»": "Удалить «%(name)s»",
        "download": "скачать",
        "Files (PDF, DOCX, JPG or PNG; up to 10 MB each, 5 in all)": (
            "Файлы (PDF, DOCX, JPG или PNG; до 10 МБ каждый, не более 5)"
        ),
        "Save draft": "Сохранить черновик",
        "Submit again": "Отправить снова",
    }
)

PLURALS["submitted on %(date)s (%(times)s time)"] = [
    "отправлена %(date)s (%(times)s раз)",
    "отправлена %(date)s (%(times)s раза)",
    "отправлена %(date)s (%(times)s раз)",
    "отправлена %(date)s (%(times)s раз)",
]
PLURALS["Waiting: %(counter)s"] = ["Ожидают проверки: %(counter)s"] * 4

RU.update(
    {
        # Completion
        "All activities done": "Все занятия пройдены",
        "%(done)s of %(total)s done; next: «%(next)s».": (
            "Пройдено %(done)s из %(total)s; следующее: «%(next)s»."
        ),
        "All %(total)s done.": "Пройдены все %(total)s.",
        "Final grade": "Итоговая оценка",
        "%(grade)s %% of the %(mark)s %% needed.": "%(grade)s %% при необходимых %(mark)s %%.",
        "Attendance": "Посещаемость",
        "No sessions held yet; %(threshold)s %% needed.": (
            "Занятий ещё не было; нужно не менее %(threshold)s %%."
        ),
        "%(rate)s %% of the %(threshold)s %% needed (%(attended)s of %(counted)s sessions).": (
            "%(rate)s %% при необходимых %(threshold)s %% (посещено %(attended)s из %(counted)s)."
        ),
        "attendance threshold, %": "порог посещаемости, %",
        "The share of sessions a trainee must attend (excused absences aside).": (
            "Доля занятий, которые слушатель должен посетить (без учёта пропусков по уважительной причине)."
        ),
        "Completion": "Завершение обучения",
        "done": "выполнено",
        "still missing": "ещё не выполнено",
        # Schedule
        "Guest-speaker sessions": "Занятия с приглашёнными спикерами",
        "Link": "Ссылка",
        "Repeat weekly, times": "Повторить еженедельно, раз",
        "1: a single session. 6: the same session every week for six weeks.": (
            "1 — одно занятие. 6 — такое же занятие каждую неделю в течение шести недель."
        ),
        "Rating": "Оценка",
        "rating": "оценка",
        "short biography": "краткая биография",
        "photo": "фото",
        "speaker": "спикер",
        "speakers": "спикеры",
        "Speakers": "Спикеры",
        "In person": "Очно",
        "Online": "Онлайн",
        "online": "онлайн",
        "topic": "тема",
        "starts at": "начало",
        "ends at": "окончание",
        "format": "формат",
        "room": "аудитория",
        "materials": "материалы",
        "Materials": "Материалы",
        "session": "занятие",
        "sessions": "занятия",
        "Session": "Занятие",
        "Sessions": "Занятия",
        "Present": "Присутствовал(а)",
        "Late": "Опоздал(а)",
        "Absent": "Отсутствовал(а)",
        "Excused": "Уважительная причина",
        "marked at": "отмечено",
        "marked by": "кто отметил",
        "attendance": "посещаемость",
        "was": "было",
        "became": "стало",
        "when": "когда",
        "attendance change": "изменение отметки",
        "attendance changes": "изменения отметок",
        "session feedback": "отзыв о занятии",
        "The end must come after the start.": "Окончание должно быть позже начала.",
        "The cohort starts only on %(date)s.": "Группа начинает обучение только %(date)s.",
        "The cohort ends on %(date)s.": "Обучение группы заканчивается %(date)s.",
        "An online session needs its link.": "Для онлайн-занятия нужна ссылка.",
        "Week %(week)s: %(errors)s": "Неделя %(week)s: %(errors)s",
        "%(name)s is not in this cohort.": "%(name)s не учится в этой группе.",
        "Unknown attendance mark.": "Неизвестная отметка.",
        "Only trainees of this cohort can check in.": "Отметиться могут только слушатели этой группы.",
        "Check-in is open only during the session.": "Отметиться можно только во время занятия.",
        "This code has expired: scan the code on the screen again.": (
            "Код устарел: отсканируйте код с экрана ещё раз."
        ),
        "Only trainees who attended the session can rate it.": (
            "Оценить занятие могут только те, кто на нём был."
        ),
        "The session has not taken place yet.": "Занятие ещё не состоялось.",
        "Choose a rating from 1 to 5.": "Выберите оценку от 1 до 5.",
        "You have already rated this session.": "Вы уже оценили это занятие.",
        "A new calendar link is made; the old one no longer works.": (
            "Создана новая ссылка на календарь; старая больше не работает."
        ),
        "Sessions saved: %(count)s.": "Сохранено занятий: %(count)s.",
        "«%(topic)s» overlaps «%(other)s» in this cohort.": (
            "«%(topic)s» пересекается по времени с «%(other)s» в этой группе."
        ),
        "A mark was sent for someone not in this cohort.": (
            "Прислана отметка для человека не из этой группы."
        ),
        "Register saved: %(count)s marks changed.": "Журнал сохранён: изменено отметок — %(count)s.",
        "Marked present: %(count)s.": "Отмечено присутствующими: %(count)s.",
        "You are marked: %(status)s.": "Вы отмечены: %(status)s.",
        "Thank you for your feedback.": "Спасибо за отзыв.",
        "My sessions": "Мои занятия",
        "Schedule": "Расписание",
        "Coming sessions": "Ближайшие занятия",
        "No sessions are scheduled.": "Занятий не запланировано.",
        "Whole schedule and calendar subscription": "Всё расписание и подписка на календарь",
        "Check-in": "Отметка",
        "I am here": "Я на занятии",
        "Scan the code with your phone to check in. It changes every minute.": (
            "Отсканируйте код телефоном, чтобы отметиться. Код меняется каждую минуту."
        ),
        "Or open:": "Или откройте:",
        "Check-in opens 15 minutes before the session and closes at its end.": (
            "Отметка открывается за 15 минут до занятия и закрывается с его окончанием."
        ),
        "Back to the session": "Вернуться к занятию",
        "Schedule of «%(name)s»": "Расписание группы «%(name)s»",
        "New session": "Новое занятие",
        "Times are in the region's time zone, %(zone)s.": "Время указано по часовому поясу региона, %(zone)s.",
        "Calendar feed of the cohort:": "Календарь группы:",
        "room to be announced": "аудитория уточняется",
        "ac. h": "ак. ч",
        "Calendar subscription": "Подписка на календарь",
        "Add this address to your phone or computer calendar. Keep it to yourself: anyone with it sees your schedule.": (
            "Добавьте этот адрес в календарь телефона или компьютера. Не передавайте его: по нему видно ваше расписание."
        ),
        "Calendar address": "Адрес календаря",
        "Make a new address": "Создать новый адрес",
        "Past sessions": "Прошедшие занятия",
        "None yet.": "Пока нет.",
        "feedback on this speaker": "отзывы о спикере",
        "Show the check-in QR code": "Показать QR-код для отметки",
        "Attendance register": "Журнал посещаемости",
        "Mark all present": "Отметить всех присутствующими",
        "Mark": "Отметка",
        "Save the register": "Сохранить журнал",
        "Feedback": "Отзывы",
        "Mean rating %(mean)s of 5 (%(count)s ratings).": "Средняя оценка %(mean)s из 5 (оценок: %(count)s).",
        "No ratings yet.": "Оценок пока нет.",
        "History of the register": "История отметок",
        "QR check-in": "отметка по QR-коду",
        "Your attendance": "Ваша посещаемость",
        "Not marked yet.": "Отметки пока нет.",
        "Rate the session": "Оцените занятие",
        "Rating (5 is best)": "Оценка (5 — лучшая)",
        "Send": "Отправить",
        "Thank you: you have rated this session.": "Спасибо: вы оценили это занятие.",
        "Edit «%(topic)s»": "Изменение занятия «%(topic)s»",
        "times in %(zone)s": "время по %(zone)s",
        "Comments": "Комментарии",
    }
)


def main() -> None:
    po = polib.pofile(str(PO))
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {"Project-Id-Version": "coordinator-school-lms", "Language": "ru", "Language-Team": "ru"}
    )
    missing = []
    for entry in po:
        if "fuzzy" in entry.flags:
            # makemessages guesses from similar texts; a guess is never kept.
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
            entry.previous_msgid = entry.previous_msgid_plural = None
        if entry.msgid_plural:
            forms = PLURALS.get(entry.msgid)
            if forms:
                entry.msgstr_plural = dict(enumerate(forms))
            elif not any(entry.msgstr_plural.values()):
                missing.append(entry.msgid)
        elif entry.msgid in RU:
            entry.msgstr = RU[entry.msgid]
        else:  # this file is the one source of the Russian texts
            entry.msgstr = ""
            missing.append(entry.msgid)
    po.save()
    if missing:
        raise SystemExit("No Russian for:\n" + "\n".join(missing))


if __name__ == "__main__":
    main()
