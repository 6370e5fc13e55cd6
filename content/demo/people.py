"""Demo people of the Tambov school and of Yugra. All names are invented."""

DEMO_PASSWORD = "demo-2026"

TAMBOV = "68"
YUGRA = "86"
MOSCOW = "77"

# username, last name, first name, patronymic, region code, role, superuser
STAFF = [
    ("admin", "Громов", "Пётр", "Ильич", TAMBOV, "Administrator", True),
    ("instructor", "Смирнова", "Елена", "Викторовна", TAMBOV, "Instructor", False),
    ("senior", "Котов", "Андрей", "Павлович", TAMBOV, "Senior instructor", False),
    ("official", "Белова", "Ирина", "Олеговна", TAMBOV, "Regional official", False),
    ("federal", "Орлов", "Михаил", "Юрьевич", MOSCOW, "Federal official", False),
    ("yugra-instructor", "Хабибуллина", "Альфия", "Рашидовна", YUGRA, "Instructor", False),
    ("yugra-senior", "Ахметов", "Ильдар", "Ринатович", YUGRA, "Senior instructor", False),
    ("yugra-official", "Лаптев", "Константин", "Сергеевич", YUGRA, "Regional official", False),
]

TAMBOV_TRAINEES = [
    ("Соколова", "Анна", "Дмитриевна"),
    ("Кузнецов", "Олег", "Александрович"),
    ("Попова", "Татьяна", "Игоревна"),
    ("Васильева", "Наталья", "Петровна"),
    ("Морозов", "Дмитрий", "Викторович"),
    ("Новикова", "Юлия", "Сергеевна"),
    ("Фёдорова", "Ольга", "Николаевна"),
    ("Волков", "Артём", "Романович"),
    ("Алексеева", "Светлана", "Андреевна"),
    ("Лебедева", "Марина", "Евгеньевна"),
    ("Семёнов", "Игорь", "Владимирович"),
    ("Егорова", "Людмила", "Васильевна"),
    ("Павлова", "Ксения", "Олеговна"),
    ("Козлов", "Максим", "Ильич"),
    ("Степанова", "Галина", "Михайловна"),
    ("Николаева", "Вера", "Анатольевна"),
    ("Орлова", "Екатерина", "Юрьевна"),
    ("Андреев", "Сергей", "Геннадьевич"),
]

YUGRA_TRAINEES = [
    ("Иванова", "Зарема", "Руслановна"),
    ("Петров", "Николай", "Иванович"),
    ("Сидорова", "Алина", "Маратовна"),
    ("Гайнуллин", "Ринат", "Фаридович"),
    ("Мельникова", "Дарья", "Константиновна"),
    ("Захаров", "Павел", "Евгеньевич"),
]

COHORTS = [
    # region code, name, started (days ago), ends (days ahead), capacity, instructor usernames,
    # trainee prefix, trainees. Dates follow the day the demo is built, so that it stays current.
    (TAMBOV, "Группа 1", 50, 24, 20, ["instructor", "senior"], "trainee", TAMBOV_TRAINEES),
    (YUGRA, "Группа 1", 36, 66, 15, ["yugra-instructor"], "yugra", YUGRA_TRAINEES),
]

# Why the demo's withdrawn trainee left: shown on their record and on "Моё обучение".
WITHDRAWAL_REASON = "Перешла на работу в другой регион, продолжит обучение со следующей группой."

# Share of the programme's activities each trainee of a cohort has done, in order; None: withdrawn.
PROGRESS = {
    TAMBOV: [
        0.4,
        1.0,  # trainee02 … trainee05 have completed: the demo issues their certificates
        1.0,
        1.0,
        1.0,
        0.75,
        0.7,
        0.65,
        0.6,
        0.55,
        0.5,
        0.45,
        0.35,
        0.3,
        0.2,
        0.15,
        0.05,
        None,
    ],
    YUGRA: [0.3, 0.25, 0.2, 0.1, 0.05, 0.0],
}

# Those who have done everything: the demo marks them present at every past session as well.
COMPLETERS = {
    f"{prefix}{number:02d}"
    for code, _name, *_dates, _capacity, _instructors, prefix, _trainees in COHORTS
    for number, share in enumerate(PROGRESS[code], start=1)
    if share is not None and share >= 1
}
