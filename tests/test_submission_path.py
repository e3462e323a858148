"""The organisation's request form and its submission as many requesters meet them at once: the form is
shown without asking the database, a submission writes its rows and counters in its own tenant, the
form's messages speak the requester's language, and a pooled connection the server closed is replaced
without an error."""

import time

import pytest
from sqlalchemy import event, select, text

from tenants.requests.models import DataRequest, RequestStatusCount
from tenants.scoping import unscoped
from webapp.db import Database
from webapp.requests.forms import _form_clock

from .conftest import login
from .support import owner_url

FORM = "/rantakahvila-oy/request"


def count_statements(app):
    """A list that gets one entry per SQL statement the app sends from now on."""
    sent = []
    engine = app.extensions["seloste_db"].sessionmaker.kw["bind"]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    return sent


def organisation(name: str, slug: str, months: str = "24") -> dict:
    """What the owner sends on the organisation page."""
    return {"name": name, "slug": slug, "default_language": "fi", "request_retention_months": months}


def submit(app, client, email="maija@example.fi"):
    with app.app_context():
        started = _form_clock().dumps(time.time() - 10)
    data = {
        "type": "access",
        "name": "Maija Meikäläinen",
        "email": email,
        "details": "Haluan kopion tiedoistani.",
        "answer_language": "fi",
        "started": started,
        "website": "",
    }
    return client.post(FORM, data=data)


def test_the_form_is_shown_again_without_a_statement_and_names_the_renamed_firm(app, client, notice_firm):
    first = client.get(FORM + "?lang=fi")
    assert first.status_code == 200 and "Rantakahvila Oy" in first.get_data(as_text=True)
    sent = count_statements(app)
    again = client.get(FORM + "?lang=fi")
    assert again.status_code == 200 and "Rantakahvila Oy" in again.get_data(as_text=True)
    assert sent == []  # the address was resolved a moment ago: nothing to ask the database

    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    assert (
        owner.post_form("/app/organisation", organisation("Rantakahvila Ab", "rantakahvila-oy")).status_code
        == 302
    )
    renamed = client.get(FORM + "?lang=fi").get_data(as_text=True)
    assert "Rantakahvila Ab" in renamed and "Rantakahvila Oy" not in renamed


def test_a_submission_is_stored_once_and_counted_in_its_tenant(app, client, session, notice_firm):
    _owner, firm, _notice = notice_firm
    assert client.get(FORM).status_code == 200
    answers = [submit(app, client, email=f"pyytaja{n}@example.fi") for n in range(3)]
    assert all(r.status_code == 302 and "/requests/sent" in r.headers["Location"] for r in answers)
    with unscoped(session):
        session.expire_all()
        stored = session.scalars(select(DataRequest.email).where(DataRequest.tenant_id == firm.id)).all()
        counted = session.scalar(
            select(RequestStatusCount.n).where(
                RequestStatusCount.tenant_id == firm.id, RequestStatusCount.status == "unverified"
            )
        )
    assert sorted(stored) == [f"pyytaja{n}@example.fi" for n in range(3)]
    assert counted == 3


@pytest.mark.parametrize(
    ("language", "says"), [("fi", "Ei ole kelvollinen kokonaisluku"), ("sv", "Inte ett giltigt heltal")]
)
def test_a_forms_own_messages_speak_the_users_language(app, make_owner, language, says):
    make_owner("omistaja@firma.fi", "Firma Oy", language=language)
    owner = app.test_client()
    login(owner, "omistaja@firma.fi")
    form = organisation("Firma Oy", "firma-oy", months="kaksi")
    for _ in range(2):  # the second time from what the first one read
        page = owner.post_form("/app/organisation", form)
        assert page.status_code == 200 and says in page.get_data(as_text=True)


@pytest.mark.postgresql_only
def test_a_pooled_connection_the_server_closed_is_replaced_without_an_error(backend, database_url):
    database = Database(database_url)
    admin = Database(owner_url(database_url))
    try:
        with database.engine.connect() as conn:
            pid = conn.scalar(text("SELECT pg_backend_pid()"))
        with admin.engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        deadline = time.monotonic() + 5
        with admin.engine.connect() as conn:
            while conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}):
                assert time.monotonic() < deadline
                # pg_stat_activity is read once per transaction: end it, or the next look sees the
                # same, a backend that may have gone meanwhile.
                conn.rollback()
                time.sleep(0.05)
        with database.engine.connect() as conn:  # the closed one is thrown away, another is opened
            assert conn.scalar(text("SELECT pg_backend_pid()")) != pid
        with database.engine.connect() as conn:
            again = conn.scalar(text("SELECT pg_backend_pid()"))
        with database.engine.connect() as conn:  # a live one is used again
            assert conn.scalar(text("SELECT pg_backend_pid()")) == again
    finally:
        database.dispose()
        admin.dispose()
