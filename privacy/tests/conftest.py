# The dashboards' small world: a programme with a quiz and two cases, cohorts, trainees, staff.
from dashboards.tests.conftest import world  # noqa: F401
