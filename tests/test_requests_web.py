"""The request form, verification, the requester's status page, the inbox and the daily job."""

import csv
import io
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tenants.models import OutboxMessage
from tenants.requests.models import DataRequest, RequestEvent
from tenants.scoping import scoped_to, unscoped
from webapp.requests.forms import _form_clock, started_at

from .conftest import bind_to, login, publish_version

FORM = "/rantakahvila-oy/asiakasrekisteri/request"


@pytest.fixture
def firm(notice_firm, session):
    """The firm with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


def started(app, seconds_ago=10):
    with app.app_context():
        return _form_clock().dumps(time.time() - seconds_ago)


def send(app, client, **changes):
    data = {
        "type": "access",
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "details": "Haluan kopion tiedoistani.",
        "phone": "",
        "answer_language": "fi",
        "started": started(app),
        **changes,
    }
    return client.post_form(FORM, data)


def requests_in(session):
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(DataRequest).order_by(DataRequest.id)))


def path(url):
    return url.replace("http://localhost", "")


def confirm(client, link):
    """Open the verification link and press its button, as the requester does."""
    page = client.get(path(link))
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return client.post("/requests/verify", data={"token": token})


def test_form_offers_the_notices_rights_and_is_framable(app, firm):
    r = app.test_client().get(FORM + "?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'value="access"' in html and 'value="other"' in html
    assert 'value="withdraw_consent"' not in html  # the customer register uses no consent
    assert "personal identity code" in html  # we tell people not to give it
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"]
    assert app.test_client().get("/rantakahvila-oy/request").status_code == 200


def test_every_shown_form_has_its_own_start_time_and_shows_the_organisation_as_it_is_now(
    app, client, session, firm
):
    from webapp import page_cache

    def shown(url):
        html = app.test_client().get(url).get_data(as_text=True)
        return html, re.search(r'name="started" value="([^"]+)"', html).group(1)

    first, first_started = shown(FORM + "?type=erasure")
    again, again_started = shown(FORM + "?type=erasure")
    assert first_started != again_started
    assert re.search(r'value="erasure" checked', first) and re.search(r'value="erasure" checked', again)
    unknown, _ = shown(FORM + "?type=<script>")
    assert " checked" not in unknown.split('name="answer_language"')[0] and "<script>" not in unknown
    swedish, _ = shown(FORM + "?lang=sv")
    assert '<html lang="sv">' in swedish and 'value="sv" selected' in swedish
    # Both are this moment's signed start times, so each form can be sent 3 s after it was shown.
    with app.app_context():
        for stamp in (first_started, again_started):
            assert 0 <= time.time() - started_at(stamp) < 30
    tenant = firm[1]
    with unscoped(session):
        session.get(type(tenant), tenant.id).name = "Rantakahvila ja Leipomo Oy"
    session.commit()
    page_cache.forget_resolutions()
    renamed, _ = shown(FORM)
    assert "Rantakahvila ja Leipomo Oy" in renamed


def test_two_forms_shown_at_the_same_clock_reading_can_each_be_sent_once(app, session, firm, monkeypatch):
    """Two processes can read the clock within the same quarter of a microsecond: the stamps still
    differ, so neither person is told their form was already sent; sending one form twice is refused."""
    import webapp.requests.forms as request_forms

    shown_at = time.time() - 10
    monkeypatch.setattr(request_forms.time, "time", lambda: shown_at)
    pages = [app.test_client().get(FORM).get_data(as_text=True) for _ in range(2)]
    monkeypatch.undo()
    first, second = (re.search(r'name="started" value="([^"]+)"', page).group(1) for page in pages)
    with app.app_context():
        assert first != second and started_at(first) == started_at(second) == shown_at
    for n, stamp in enumerate((first, second)):
        r = send(app, app.test_client(), started=stamp, email=f"henkilo{n}@example.fi")
        assert r.status_code == 302 and "/requests/sent" in r.headers["Location"]
    again = send(app, app.test_client(), started=first, email="henkilo0@example.fi")
    assert again.status_code == 200 and "Tämä lomake on jo lähetetty" in again.get_data(as_text=True)
    assert sorted(r.email for r in requests_in(session)) == ["henkilo0@example.fi", "henkilo1@example.fi"]


def test_a_form_shown_before_stamps_had_a_random_part_can_still_be_sent(app, session, firm):
    with app.app_context():
        bare = _form_clock().dumps(time.time() - 10)  # the stamp as forms showed it until now
        forged = _form_clock().dumps(["soon", "abc"])
    assert send(app, app.test_client(), started=bare).status_code == 302
    refused = send(app, app.test_client(), started=forged, email="toinen@example.fi")
    assert refused.status_code == 200 and len(requests_in(session)) == 1


def test_submit_verify_receipt_and_routing(app, client, mailbox, session, firm):
    notice_id = firm[2].id
    r = send(app, client)
    assert r.status_code == 302 and "/requests/sent" in r.headers["Location"]
    (req,) = requests_in(session)
    assert req.status == "unverified" and req.notice_id == notice_id
    link = path(mailbox.last("maija@example.fi").link("/requests/verify/"))
    # Opening the link (as a mail scanner does) shows a button and changes nothing.
    page = app.test_client().get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="verify-form"' in html and 'method="post"' in html
    assert 'name="csrf_token"' not in html  # no session needed, as in the request form
    assert [r.status for r in requests_in(session)] == ["unverified"]
    assert len(mailbox.to("maija@example.fi")) == 1 and mailbox.to("olli@rantakahvila.fi") == []
    r = confirm(app.test_client(), link)
    assert r.status_code == 302 and "/requests/status/" in r.headers["Location"]
    (req,) = requests_in(session)
    assert req.status == "open" and req.received_on is not None and req.due_on is not None
    receipt = mailbox.last("maija@example.fi")
    assert req.reference in receipt.message["Subject"]
    assert "/requests/status/" in receipt.text
    notification = mailbox.last("olli@rantakahvila.fi")
    assert req.reference in notification.message["Subject"] and f"/app/inbox/{req.id}" in notification.text
    # The link works once: later visits and presses only show the status.
    assert client.get(link).status_code == 302
    token = link.rsplit("/", 1)[-1]
    assert client.post("/requests/verify", data={"token": token}).status_code == 302
    assert len(mailbox.to("olli@rantakahvila.fi")) == 1 and len(mailbox.to("maija@example.fi")) == 2


def test_bad_input_is_explained_and_kept(app, client, session, firm):
    r = send(app, client, email="maija(at)example", details="Minun tietoni")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="email-error"' in html
    assert "Minun tietoni" in html and 'value="Maija Meikäläinen"' in html
    assert requests_in(session) == []


def test_too_fast_and_honeypot_are_not_stored(app, client, session, firm):
    r = send(app, client, started=started(app, seconds_ago=0))
    assert r.status_code == 200 and 'class="form-error"' in r.get_data(as_text=True)
    r = send(app, client, website="http://spam.example")
    assert r.status_code == 302
    assert requests_in(session) == []


def test_hetu_warning_then_sending_anyway(app, client, session, firm):
    r = send(app, client, details="Tunnukseni on 131052-308T")
    assert r.status_code == 200 and 'id="hetu-warning"' in r.get_data(as_text=True)
    assert requests_in(session) == []
    r = send(app, client, details="Tunnukseni on 131052-308T", hetu_ack="1")
    assert r.status_code == 302
    (req,) = requests_in(session)
    assert req.contains_hetu


def open_request(app, client, mailbox, session, **changes):
    send(app, client, **changes)
    email = changes.get("email", "maija@example.fi")
    assert confirm(client, mailbox.last(email).link("/requests/verify/")).status_code == 302
    return requests_in(session)[-1]


def test_inbox_lists_masks_filters_and_searches(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session, details="131052-308T", hetu_ack="1")
    other = open_request(
        app, client, mailbox, session, email="pekka@example.fi", name="Pekka", type="erasure"
    )
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    html = owner.get("/app/inbox/").get_data(as_text=True)
    assert req.reference in html and other.reference in html and "131052-308T" not in html
    html = owner.get("/app/inbox/?type=erasure").get_data(as_text=True)
    assert other.reference in html and req.reference not in html
    html = owner.get(f"/app/inbox/?q={req.reference.lower().replace('-', ' ')}").get_data(as_text=True)
    assert req.reference in html and other.reference not in html
    html = owner.get("/app/inbox/?q=pekka@").get_data(as_text=True)
    assert other.reference in html and req.reference not in html
    # What is typed is matched as it is: "_" and "%" are no wildcards.
    html = owner.get("/app/inbox/?q=p_kka@").get_data(as_text=True)
    assert other.reference not in html
    html = owner.get("/app/inbox/?q=%25@example").get_data(as_text=True)
    assert other.reference not in html and req.reference not in html
    detail = owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)
    assert "131052-308T" in detail  # in full on its own page only, with a note


def test_handling_a_request_from_assignment_to_closing(app, client, mailbox, session, firm):
    owner_id = firm[0].id
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    base = f"/app/inbox/{req.id}"
    assert owner.post_form(f"{base}/assign", {"assignee": str(owner_id)}).status_code == 302
    assert owner.post_form(f"{base}/note", {"note": "Tarkistan tilaukset"}).status_code == 302
    assert owner.post_form(f"{base}/reply", {"message": "Tässä tietosi."}).status_code == 302
    message = mailbox.last("maija@example.fi")
    assert "Tässä tietosi." in message.text
    status_link = path(message.link("/requests/status/"))
    requester = app.test_client()
    page = requester.get(status_link).get_data(as_text=True)
    assert "Tässä tietosi." in page and "Tarkistan tilaukset" not in page  # notes stay internal
    to_owner = len(mailbox.to("olli@rantakahvila.fi"))
    r = requester.post_form(status_link, {"message": "Kiitos, entä laskut?"})
    assert r.status_code == 302
    # Exactly one notification of the reply reaches the assignee, linking to the request.
    (notification,) = mailbox.to("olli@rantakahvila.fi")[to_owner:]
    assert req.reference in notification.text and f"/app/inbox/{req.id}" in notification.text
    r = owner.post_form(f"{base}/extend", {"months": "2", "reason": ""})
    assert r.status_code == 400 and 'id="extend-reason-error"' in r.get_data(as_text=True)
    assert owner.post_form(f"{base}/extend", {"months": "2", "reason": "Laaja aineisto"}).status_code == 302
    assert "Laaja aineisto" in mailbox.last("maija@example.fi").text
    assert owner.post_form(f"{base}/refuse", {"outcome": "Pyyntö on ilmeisen perusteeton"}).status_code == 302
    closing = mailbox.last("maija@example.fi")
    assert (
        "Tietosuojavaltuutetun toimisto" in closing.text and "Pyyntö on ilmeisen perusteeton" in closing.text
    )
    timeline = owner.get(base).get_data(as_text=True)
    for kind in (
        "event--submitted",
        "event--verified",
        "event--assigned",
        "event--note",
        "event--message_out",
        "event--message_in",
        "event--extended",
        "event--refused",
    ):
        assert kind in timeline, kind
    with unscoped(session):
        inbound_before = session.scalar(
            select(func.count(RequestEvent.id)).where(RequestEvent.kind == "message_in")
        )
    to_owner = len(mailbox.to("olli@rantakahvila.fi"))
    r = requester.post_form(status_link, {"message": "Vielä yksi"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="message"' not in html  # closed: no reply form any more
    with unscoped(session):
        session.expire_all()
        inbound_after = session.scalar(
            select(func.count(RequestEvent.id)).where(RequestEvent.kind == "message_in")
        )
    assert inbound_after == inbound_before == 1  # nothing new reached the timeline
    assert len(mailbox.to("olli@rantakahvila.fi")) == to_owner


# A request received by letter, entered by hand.
LETTER = {
    "type": "erasure",
    "name": "Kirje Kirjoittaja",
    "email": "kirje@example.fi",
    "details": "Poistakaa tietoni",
    "answer_language": "fi",
    "channel": "letter",
    "received_on": "2026-11-02",
    "identity_note": "Allekirjoitus vastaa sopimusta",
    "notice": "",
}


def test_manual_entry_and_csv_export(app, client, session, firm):
    login(client, "olli@rantakahvila.fi")
    r = client.post_form("/app/inbox/new", {**LETTER, "identity_note": ""})
    assert r.status_code == 400 and 'id="identity_note-error"' in r.get_data(as_text=True)
    r = client.post_form("/app/inbox/new", LETTER)
    assert r.status_code == 302
    (req,) = requests_in(session)
    assert (req.status, req.channel, req.due_on) == ("open", "letter", date(2026, 12, 2))
    export = client.get("/app/inbox/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][0] == "reference" and rows[1][0] == req.reference and rows[1][6] == "2026-11-02"


def test_a_request_entered_for_a_notice_keeps_the_choice_on_an_error_and_is_stored_with_it(
    app, client, session, firm
):
    notice_id, title = firm[2].id, firm[2].title
    login(client, "olli@rantakahvila.fi")
    page = client.get("/app/inbox/new").get_data(as_text=True)
    assert f'<option value="{notice_id}">{title}</option>' in page
    r = client.post_form("/app/inbox/new", {**LETTER, "notice": str(notice_id), "identity_note": ""})
    assert r.status_code == 400
    assert f'<option value="{notice_id}" selected>{title}</option>' in r.get_data(as_text=True)
    assert client.post_form("/app/inbox/new", {**LETTER, "notice": str(notice_id)}).status_code == 302
    (req,) = requests_in(session)
    assert req.notice_id == notice_id


def _taken_reference(session, make_owner):
    """A reference another organisation's request already has (row-level security hides it)."""
    from tenants.requests import service

    _user, other = make_owner("omistaja@toinen.fi", "Toinen Oy")
    with scoped_to(session, other.id):
        data = service.NewRequest("access", "Toinen Pyytäjä", "toinen@example.fi", "")
        taken = service.submit_request(session, other.id, None, data, now=datetime.now(UTC)).reference
    session.commit()
    return taken


def _references(monkeypatch, first: str) -> list[str]:
    """Make the next new reference `first`, and the ones after it fresh; returns those handed out."""
    from tenants.requests import reference, service

    given: list[str] = []

    def next_reference():
        given.append(first if not given else reference.new_reference())
        return given[-1]

    monkeypatch.setattr(service, "new_reference", next_reference)
    return given


def test_a_reference_another_organisation_has_is_not_reused_and_the_request_is_stored(
    app, client, session, firm, make_owner, monkeypatch
):
    taken = _taken_reference(session, make_owner)
    given = _references(monkeypatch, taken)
    r = send(app, client)
    assert r.status_code == 302 and "/requests/sent" in r.headers["Location"]
    with scoped_to(session, firm[1].id):
        session.expire_all()
        (req,) = session.scalars(select(DataRequest).where(DataRequest.tenant_id == firm[1].id)).all()
    assert given[0] == taken and req.reference == given[1] != taken
    assert len(requests_in(session)) == 2


def test_a_request_entered_by_hand_gets_a_free_reference_too(
    app, client, session, firm, make_owner, monkeypatch
):
    taken = _taken_reference(session, make_owner)
    login(client, "olli@rantakahvila.fi")
    given = _references(monkeypatch, taken)
    r = client.post_form("/app/inbox/new", LETTER)
    assert r.status_code == 302
    assert given[1] in client.get(r.headers["Location"]).get_data(as_text=True)
    assert given[0] == taken != given[1]


def test_nothing_is_lost_when_the_mail_server_is_down(app, client, mailbox, session, firm, smtp_server):
    from tenants.outbox import deliver_due
    from webapp import tokens
    from webapp.mail import transport_for

    def point_mail_to(port):
        app.config["SMTP_PORT"] = port
        app.extensions.pop("seloste_mail", None)

    point_mail_to(1)  # nothing listens there: every delivery fails and stays queued
    for n in range(3):
        send(app, client, email=f"p{n}@example.fi", name=f"Henkilö {n}")
    stored = requests_in(session)
    assert len(stored) == 3
    # The requesters confirm (their links are made here, as the mail is not out yet).
    for req in stored:
        with app.test_request_context():
            token = tokens.make(tokens.REQUEST_VERIFY, {"r": req.id, "t": req.tenant_id})
        assert client.post("/requests/verify", data={"token": token}).status_code == 302
    assert {r.status for r in requests_in(session)} == {"open"}
    with unscoped(session):
        pending = session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
    assert len(pending) == 9  # a link, a receipt and a notification for each request
    assert mailbox.messages == []

    point_mail_to(smtp_server.port)
    later = datetime.now(UTC) + timedelta(minutes=5)
    with app.app_context():
        for _ in range(2):  # a second drain finds nothing more to send
            deliver_due(app.extensions["seloste_db"].new_session, transport_for(app), now=lambda: later)
    for n in range(3):
        subjects = sorted(m.message["Subject"] for m in mailbox.to(f"p{n}@example.fi"))
        assert len(subjects) == 2 and len(set(subjects)) == 2  # one verification link, one receipt
    assert len(mailbox.to("olli@rantakahvila.fi")) == 3  # one notification per request


def test_form_is_rate_limited_per_email_address(database_url, engine, smtp_server):
    from webapp import create_app
    from webapp.limits import limiter

    from .conftest import Client, app_environ

    limited = create_app(environ=app_environ(database_url, smtp_server.port, RATELIMIT_ENABLED="1"))
    limited.test_client_class = Client
    with engine.connect() as conn, conn.begin() as outer:
        bind_to(limited, conn)
        limiter.reset()
        codes = []
        for n in range(7):
            c = limited.test_client()  # a new visitor each time, the same address
            c.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
            codes.append(c.post("/no-such-firm/request", data={"email": "sama@example.fi"}).status_code)
        outer.rollback()
    limiter.reset()
    assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]


def test_daily_job_reminds_expires_and_sends_digests(app, client, mailbox, session, firm):
    open_request(app, client, mailbox, session)
    send(app, client, email="hidas@example.fi", name="Hidas")
    with unscoped(session):
        slow = session.scalar(select(DataRequest).where(DataRequest.email == "hidas@example.fi"))
        open_req = session.scalar(select(DataRequest).where(DataRequest.email == "maija@example.fi"))
    # Pretend the slow one was sent 2 days ago and the open one is due tomorrow.
    with unscoped(session):
        session.execute(
            DataRequest.__table__.update()
            .where(DataRequest.id == slow.id)
            .values(created_at=datetime.now(UTC) - timedelta(days=2))
        )
        session.execute(
            DataRequest.__table__.update()
            .where(DataRequest.id == open_req.id)
            .values(due_on=date.today() + timedelta(days=1))
        )
    session.commit()
    result = app.test_cli_runner().invoke(args=["requests", "remind"])
    assert result.exit_code == 0, result.output
    assert "reminders 1, expired 0, digests 1" in result.output
    from tenants.outbox import deliver_due
    from webapp.mail import transport_for

    with app.app_context():
        deliver_due(
            app.extensions["seloste_db"].new_session, transport_for(app), now=lambda: datetime.now(UTC)
        )
    assert len(mailbox.to("hidas@example.fi")) == 2  # the verification link and one reminder
    assert open_req.reference in mailbox.last("olli@rantakahvila.fi").text


def test_form_works_without_a_session_as_in_a_third_party_iframe(app, session, firm):
    data = {
        "type": "access",
        "name": "Kehys Käyttäjä",
        "email": "kehys@example.fi",
        "details": "x",
        "answer_language": "fi",
        "started": started(app),
    }
    r = app.test_client().post(FORM, data=data)  # no cookie, no CSRF token: what an embedded form sends
    assert r.status_code == 302
    assert [q.email for q in requests_in(session)] == ["kehys@example.fi"]


def test_inbox_page_costs_the_same_number_of_queries_however_many_requests(
    app, client, session, firm, engine
):
    from sqlalchemy import event

    from tenants.requests import service as request_service

    user, tenant, _notice = firm
    owner_id, tenant_id = user.id, tenant.id

    def add(n):
        with scoped_to(session, tenant_id, owner_id):
            owner = session.get(type(user), owner_id)
            for i in range(n):
                request_service.enter_request(
                    session,
                    tenant_id,
                    None,
                    request_service.NewRequest("access", f"Henkilö {i}", f"h{i}-{n}@example.fi", "Tiedot"),
                    channel="email",
                    received_on=date.today(),
                    identity_note="Asiakasrekisterin osoite",
                    by=owner,
                    now=datetime.now(UTC),
                )
        session.commit()

    login(client, "olli@rantakahvila.fi")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for_page():
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/app/inbox/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    add(3)
    few = queries_for_page()
    add(80)
    many = queries_for_page()
    assert few == many, (few, many)
    html = client.get("/app/inbox/").get_data(as_text=True)
    assert html.count("/app/inbox/") >= 50 and "after=" in html  # one page of 50, and a link to the next
