import pytest

from tests import factories


@pytest.fixture
def trainee(db):
    return factories.user("Trainee")


@pytest.fixture
def instructor(db):
    return factories.user("Instructor")


@pytest.fixture
def senior_instructor(db):
    return factories.user("Senior instructor")


@pytest.fixture
def official(db):
    return factories.user("Regional official")
