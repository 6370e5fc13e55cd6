# The schedule's small world (a programme, a cohort with its instructor, one enrolled trainee).
from schedule.tests.test_rules import world  # noqa: F401
