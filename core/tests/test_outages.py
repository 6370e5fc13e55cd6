"""The database unreachable: pages answer with the 503 page (core.outages), drawn without it, in
the visitor's language — whether a view, or the middleware before it, lost the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.concurrency import require_postgresql
from tests.faults import database_unreachable

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_pages_answer_503_without_the_database_and_are_never_a_500():
    require_postgresql()
    factories.site_home()
    # The browser's own report of an error would show the trainee Django's page, not ours.
    visitor = Client(raise_request_exception=False)
    trainee = Client(raise_request_exception=False)
    trainee.force_login(factories.user("Trainee"))
    english = Client(raise_request_exception=False)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with database_unreachable():
        # The home page's route is read in middleware, before any view (handler500's part);
        # the trainee's page loses the database in its view (the middleware's part).
        answers = {
            "home": visitor.get("/"),
            "learning": trainee.get(reverse("courses:learning")),
            "sent": trainee.post(
                reverse("notifications:read_all"), HTTP_REFERER="http://testserver/learning/"
            ),
            "english": english.get("/"),
        }

    for name, response in answers.items():
        assert response.status_code == 503, name
        assert response["Retry-After"] == "60", name
        assert "no-store" in response["Cache-Control"], name
    home = answers["home"].content.decode()
    assert '<html lang="ru">' in home and "База данных недоступна" in home
    assert "Страницу сейчас не удаётся показать. Попробуйте ещё раз через минуту." in home
    sent = answers["sent"].content.decode()
    assert "Ничего не сохранено" in sent
    assert 'href="http://testserver/learning/"' in sent  # back to the page it was sent from
    english_page = answers["english"].content.decode()
    assert '<html lang="en">' in english_page and "The database cannot be reached" in english_page

    # The database back, the same pages answer as ever.
    assert visitor.get("/").status_code == 200
    assert trainee.get(reverse("courses:learning")).status_code == 200
