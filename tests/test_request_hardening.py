"""The request feature against hostile input: control characters, every error at once, henkilötunnus,
duplicates, practical due dates, malformed numbers, CSV formulas, expired links and upload limits."""

import csv
import io
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tenants.requests import service as request_service
from tenants.requests.deadlines import due_date, practical_due_date
from tenants.requests.hetu import MASK
from tenants.requests.models import DataRequest, RequestEvent
from tenants.scoping import scoped_to, unscoped
from webapp.i18n import format_day

from .conftest import login, publish_version
from .test_requests_web import confirm, open_request, path, requests_in, send


@pytest.fixture
def firm(notice_firm, session):
    """The firm with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


HETU = "131052-308T"


def events_of(session, kind):
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(RequestEvent).where(RequestEvent.kind == kind)))


def test_control_characters_in_the_form_are_refused_with_everything_kept(app, client, session, firm):
    r = send(app, client, name="Maija\x00 Meikäläinen", details="Tiedot\x1b[31m ja muuta", phone="040\x00")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for field in ("name", "details", "phone"):
        assert f'id="{field}-error"' in html, field
    assert 'id="email-error"' not in html
    # What was typed is given back as it was (the control characters too, for the person to find).
    assert 'value="Maija\x00 Meikäläinen"' in html and "Tiedot\x1b[31m ja muuta" in html
    assert requests_in(session) == []


def test_every_error_of_the_form_is_shown_at_once(app, client, session, firm):
    r = send(
        app,
        client,
        type="",
        name=" ",
        email="maija(at)example",
        details="Säilytä tämä teksti",
        phone="1" * 41,
        answer_language="de",
        started=_started_now(app),
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for field in ("type", "name", "email", "phone", "answer_language"):
        assert f'id="{field}-error"' in html, field
    assert 'id="form-errors"' in html and "Säilytä tämä teksti" in html and 'value="1111' in html
    assert 'aria-describedby="answer_language-error"' in html
    assert requests_in(session) == []


def _started_now(app):
    from webapp.requests.forms import _form_clock

    with app.app_context():
        return _form_clock().dumps(time.time())


def test_a_henkilotunnus_in_name_or_phone_is_warned_about_and_masked_in_the_list(
    app, client, mailbox, session, firm
):
    for field in ("name", "phone"):
        r = send(app, client, **{field: f"Maija {HETU}" if field == "name" else HETU})
        assert r.status_code == 200 and 'id="hetu-warning"' in r.get_data(as_text=True), field
    assert requests_in(session) == []
    req = open_request(app, client, mailbox, session, name=f"Maija {HETU}", hetu_ack="1")
    assert req.contains_hetu
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    listing = owner.get("/app/inbox/").get_data(as_text=True)
    assert req.reference in listing and HETU not in listing and f"Maija {MASK}" in listing
    assert re.search(
        rf'>{req.reference}</a></td>\s*<td[^>]*>Maija {re.escape(MASK)}<br>.*?<span class="tag" title=',
        listing,
        re.S,
    )
    export = owner.get("/app/inbox/export.csv").get_data(as_text=True)
    assert HETU not in export and MASK in export
    detail = owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)
    assert HETU in detail and 'id="hetu-note"' in detail  # in full on its own page, with a note


def test_the_list_writes_what_a_requester_typed_as_text(app, client, mailbox, session, firm):
    hostile = 'Maija "><img src=x onerror=alert(1)> & <b>'
    req = open_request(app, client, mailbox, session, name=hostile)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    listing = owner.get("/app/inbox/").get_data(as_text=True)
    assert "<img" not in listing and "<b>" not in listing
    row = re.search(
        rf'<a class="ref" href="/app/inbox/{req.id}">{req.reference}</a></td>\s*<td[^>]*>([^<]*)<br>', listing
    )
    assert row and row.group(1) == "Maija &#34;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;"


def test_a_henkilotunnus_in_a_status_page_reply_is_warned_about_first(app, client, mailbox, session, firm):
    open_request(app, client, mailbox, session)
    status_link = path(mailbox.last("maija@example.fi").link("/requests/status/"))
    requester = app.test_client()
    r = requester.post_form(status_link, {"message": f"Tunnukseni on {HETU}"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="hetu-warning"' in html and f"Tunnukseni on {HETU}" in html
    assert events_of(session, "message_in") == []
    r = requester.post_form(status_link, {"message": f"Tunnukseni on {HETU}", "hetu_ack": "1"})
    assert r.status_code == 302
    (event,) = events_of(session, "message_in")
    assert event.data["contains_hetu"] is True


def test_control_characters_in_replies_notes_messages_and_manual_entry(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    status_link = path(mailbox.last("maija@example.fi").link("/requests/status/"))
    r = app.test_client().post_form(status_link, {"message": "Kiitos\x00 paljon"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="message-error"' in html and "Kiitos\x00 paljon" in html
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    base = f"/app/inbox/{req.id}"
    for action, field, text in [
        ("note", "note", "Muistiinpano\x00"),
        ("reply", "message", "Viesti\x07"),
        ("extend", "reason", "Syy\x1b"),
        ("complete", "outcome", "Tehty\x00"),
    ]:
        data = {field: text, "months": "1"} if action == "extend" else {field: text}
        r = owner.post_form(f"{base}/{action}", data)
        html = r.get_data(as_text=True)
        assert r.status_code == 400 and f'id="{action}-{field}-error"' in html, action
        assert text in html, action  # kept for correcting
    assert {e.kind for e in events_of(session, "note")} == set()
    assert events_of(session, "message_out") == [] and requests_in(session)[0].status == "open"
    r = owner.post_form(
        "/app/inbox/new",
        {
            "type": "erasure",
            "name": "Kirje\x00 Kirjoittaja",
            "email": "kirje@example.fi",
            "details": "Poistakaa",
            "answer_language": "xx",
            "channel": "letter",
            "received_on": "ei päivä",
            "identity_note": "Allekirjoitus\x08",
            "notice": "²",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    for field in ("name", "identity_note", "received_on", "answer_language"):
        assert f'id="{field}-error"' in html, field
    assert "Kirje\x00 Kirjoittaja" in html and len(requests_in(session)) == 1


def test_a_duplicate_gets_a_receipt_naming_the_earlier_request_and_no_deadline(
    app, client, mailbox, session, firm
):
    first = open_request(app, client, mailbox, session)
    to_owner = len(mailbox.to("olli@rantakahvila.fi"))
    second = open_request(app, client, mailbox, session, details="Myös laskut, kiitos.")
    assert second.id != first.id
    assert (second.status, second.duplicate_of_id, second.due_on) == ("linked", first.id, None)
    receipt = mailbox.last("maija@example.fi")
    assert second.reference in receipt.message["Subject"]
    assert first.reference in receipt.text
    assert format_day(practical_due_date(first.due_on), "fi") in receipt.text
    # The status link in the receipt is the earlier request's.
    page = app.test_client().get(path(receipt.link("/requests/status/"))).get_data(as_text=True)
    assert first.reference in page and 'id="message"' in page
    assert len(mailbox.to("olli@rantakahvila.fi")) == to_owner  # the contact person is not told twice
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    detail = owner.get(f"/app/inbox/{first.id}").get_data(as_text=True)
    assert "Myös laskut, kiitos." in detail and second.reference in detail
    detail = owner.get(f"/app/inbox/{second.id}").get_data(as_text=True)
    assert 'id="linked-to"' in detail and first.reference in detail and 'id="due"' not in detail
    due_soon = owner.get("/app/inbox/?due=soon").get_data(as_text=True)
    assert second.reference not in due_soon


def test_only_the_same_person_asking_the_same_is_linked(app, client, mailbox, session, firm):
    first = open_request(app, client, mailbox, session)
    # Another person of the household, with the address they share, asking the same.
    housemate = open_request(app, client, mailbox, session, name="Matti Meikäläinen")
    assert (housemate.status, housemate.duplicate_of_id) == ("open", None) and housemate.due_on
    # The same name written differently is the same person.
    again = open_request(app, client, mailbox, session, name="  maija   MEIKÄLÄINEN ")
    assert again.duplicate_of_id == first.id
    # Two "other questions" need not be one question.
    q1 = open_request(app, client, mailbox, session, type="other", details="Kysymys yksi")
    q2 = open_request(app, client, mailbox, session, type="other", details="Kysymys kaksi")
    assert (q1.status, q2.status) == ("open", "open") and q2.duplicate_of_id is None


def test_a_member_can_undo_a_link_and_the_request_gets_its_own_deadline_and_receipt(
    app, client, mailbox, session, firm
):
    first = open_request(app, client, mailbox, session)
    second = open_request(app, client, mailbox, session, details="Tämä on eri asia.")
    assert second.status == "linked"
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    assert 'id="unlink-button"' in owner.get(f"/app/inbox/{second.id}").get_data(as_text=True)
    receipts = len(mailbox.to("maija@example.fi"))
    r = owner.post_form(f"/app/inbox/{second.id}/unlink", {})
    assert r.status_code == 302
    (_first, again) = [x for x in requests_in(session) if x.id in (first.id, second.id)]
    assert (again.status, again.duplicate_of_id, again.closed_at) == ("open", None, None)
    assert again.due_on == due_date(again.received_on)
    assert len(mailbox.to("maija@example.fi")) == receipts + 1
    receipt = mailbox.last("maija@example.fi")
    assert second.reference in receipt.message["Subject"] and first.reference not in receipt.text
    assert format_day(practical_due_date(again.due_on), "fi") in receipt.text
    for rid in (first.id, second.id):
        assert "event--unlinked" in owner.get(f"/app/inbox/{rid}").get_data(as_text=True)
    # An open request cannot be unlinked.
    assert owner.post_form(f"/app/inbox/{second.id}/unlink", {}).status_code == 400


@pytest.fixture
def monday(monkeypatch):
    """Today is Monday 30.11.2026 in the inbox and in the daily job."""
    today = date(2026, 11, 30)
    monkeypatch.setattr("webapp.inbox.views.helsinki_today", lambda: today)
    monkeypatch.setattr("webapp.i18n.helsinki_today", lambda: today)
    return today


def _enter_with_due(session, firm, due_dates, prefix="Henkilö") -> list:
    """Requests entered by hand, then given these legal due dates (in this order)."""
    user, tenant, _notice = firm
    made = []
    with scoped_to(session, tenant.id, user.id):
        owner = session.get(type(user), user.id)
        for n, due in enumerate(due_dates):
            req = request_service.enter_request(
                session,
                tenant.id,
                None,
                request_service.NewRequest(
                    "access", f"{prefix} {n}", f"{prefix[0].lower()}{n}@example.fi", "Tiedot"
                ),
                channel="email",
                received_on=date(2026, 10, 1),
                identity_note="Osoite asiakasrekisterissä",
                by=owner,
                now=datetime.now(UTC),
            )
            req.due_on = due
            made.append(req)
            session.flush()
    session.commit()
    return made


def _entered_due(session, firm, due_dates):
    """Requests entered by hand with these legal due dates; returns them by due date."""
    return {req.due_on: req for req in _enter_with_due(session, firm, due_dates)}


def test_overdue_and_due_soon_use_the_practical_due_date(app, client, session, firm, monday):
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    independence_day, tuesday = date(2026, 12, 6), date(2026, 12, 8)  # a Sunday: due Monday 7.12
    made = _entered_due(session, firm, [friday, saturday, independence_day, tuesday])
    login(client, "olli@rantakahvila.fi")
    html = client.get("/app/inbox/").get_data(as_text=True)
    overdue_rows = re.findall(
        r'<tr class="row--overdue">\s*<td[^>]*><a class="ref" href="[^"]+">(SEL-[\w-]+)<', html
    )
    assert overdue_rows == [made[friday].reference]  # due Saturday is in time until Monday evening
    overdue = client.get("/app/inbox/?due=overdue").get_data(as_text=True)
    assert made[friday].reference in overdue and made[saturday].reference not in overdue
    soon = client.get("/app/inbox/?due=soon").get_data(as_text=True)
    assert [r.reference in soon for r in made.values()] == [False, True, True, False]
    # The list and the page show the practical date.
    assert format_day(date(2026, 11, 30), "fi") in html and format_day(date(2026, 12, 7), "fi") in html
    saturday_page = client.get(f"/app/inbox/{made[saturday].id}").get_data(as_text=True)
    friday_page = client.get(f"/app/inbox/{made[friday].id}").get_data(as_text=True)
    assert 'id="overdue"' not in saturday_page and 'id="overdue"' in friday_page


def test_the_daily_digest_uses_the_practical_due_date(app, client, mailbox, session, firm, monday):
    user = firm[0]
    with unscoped(session):
        session.get(type(user), user.id).language = "en"
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    made = _entered_due(session, firm, [friday, saturday, date(2026, 12, 6), date(2026, 12, 8)])
    result = app.test_cli_runner().invoke(args=["requests", "remind"])
    assert result.exit_code == 0 and "digests 1" in result.output, result.output
    from webapp.mail import drain_outbox

    drain_outbox(app)
    text = mailbox.last("olli@rantakahvila.fi").text
    overdue_part, soon_part = text.split("Due within 7 days:")
    assert made[friday].reference in overdue_part and made[saturday].reference not in overdue_part
    assert f"{made[saturday].reference} (30 November 2026)" in soon_part  # shown as its practical date
    assert f"{made[date(2026, 12, 6)].reference} (7 December 2026)" in soon_part
    assert made[date(2026, 12, 8)].reference not in text


@pytest.mark.parametrize(
    "query",
    [
        "assignee=²",
        "assignee=99999999999",
        "notice=²",
        "notice=99999999999999999999",
        "after=%C2%B2",
        "after=WyJ4IiwgMV0",  # ["x", 1]
        "after=WzEsIDFd",  # [1, 1]
        "after=WyIyMDI2LTAxLTAxIiwgMWUyMF0",  # ["2026-01-01", 1e20]
        "after=WyIyMDI2LTAxLTAxIiwgOTk5OTk5OTk5OTk5OTldCg",  # a huge id
        "after=" + "W1tb" * 700,  # 2 100 nested lists (exhausts the JSON parser)
        "after=WyIyMDI2LTAxLTAxIiwgMV0" + "A" * 100,  # a valid start, then too long to be ours
        "q=%00",
        "q=%25%00_",
        "status=%00&type=%00&due=%00",
    ],
)
def test_the_inbox_list_survives_malformed_arguments(client, firm, query):
    login(client, "olli@rantakahvila.fi")
    r = client.get(f"/app/inbox/?{query}")
    assert r.status_code == 200, r.status_code
    assert client.get(f"/app/inbox/export.csv?{query}").status_code == 200


def test_actions_survive_malformed_numbers(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    base = f"/app/inbox/{req.id}"
    r = owner.post_form(f"{base}/assign", {"assignee": "²"})
    assert r.status_code == 400 and 'id="assign-assignee-error"' in r.get_data(as_text=True)
    r = owner.post_form(f"{base}/assign", {"assignee": "99999999999"})
    assert r.status_code == 400
    r = owner.post_form(f"{base}/extend", {"months": "²", "reason": "Paljon aineistoa"})
    assert r.status_code == 400 and "Paljon aineistoa" in r.get_data(as_text=True)
    assert owner.get("/app/inbox/99999999999").status_code == 404
    assert requests_in(session)[0].assignee_id is None and requests_in(session)[0].extension_months == 0


def test_the_csv_export_neutralises_formulas_and_follows_the_filters(app, client, session, firm):
    user, tenant, _notice = firm
    names = ['=HYPERLINK("http://evil.example","klikkaa")', "+358 40 123", "-1+1", "@SUM(A1:A9)"]
    with scoped_to(session, tenant.id, user.id):
        owner = session.get(type(user), user.id)
        for n, name in enumerate(names):
            request_service.enter_request(
                session,
                tenant.id,
                None,
                request_service.NewRequest("erasure" if n % 2 else "access", name, f"c{n}@example.fi", "x"),
                channel="letter",
                received_on=date(2026, 11, 2),
                identity_note="Kirje",
                by=owner,
                now=datetime.now(UTC),
            )
    session.commit()
    login(client, "olli@rantakahvila.fi")
    rows = list(csv.reader(io.StringIO(client.get("/app/inbox/export.csv").get_data(as_text=True))))
    assert [row[4] for row in rows[1:]] == ["'" + name for name in names]
    assert all(cell[:1] not in "=+-@" or cell == "" for row in rows for cell in row)
    erasures = list(
        csv.reader(io.StringIO(client.get("/app/inbox/export.csv?type=erasure").get_data(as_text=True)))
    )
    assert [row[1] for row in erasures[1:]] == ["erasure", "erasure"]
    assert [row[5] for row in erasures[1:]] == ["c1@example.fi", "c3@example.fi"]
    searched = list(csv.reader(io.StringIO(client.get("/app/inbox/export.csv?q=c2@").get_data(as_text=True))))
    assert [row[5] for row in searched[1:]] == ["c2@example.fi"]
    # The list's CSV link carries the filters.
    html = client.get("/app/inbox/?type=erasure&due=overdue").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" id="export-csv"', html).group(1).replace("&amp;", "&")
    assert "type=erasure" in link and "due=overdue" in link


def _verify_token_made(app, req, seconds_ago):
    from webapp import tokens

    real = time.time
    with app.test_request_context():
        time.time = lambda: real() - seconds_ago
        try:
            return tokens.make(tokens.REQUEST_VERIFY, {"r": req.id, "t": req.tenant_id})
        finally:
            time.time = real


def test_the_verification_link_works_for_7_days_only(app, client, mailbox, session, firm):
    send(app, client)
    (req,) = requests_in(session)
    expired = _verify_token_made(app, req, 7 * 86400 + 60)
    assert client.get(f"/requests/verify/{expired}").status_code == 400
    assert client.post("/requests/verify", data={"token": expired}).status_code == 400
    assert client.post("/requests/verify", data={"token": "forged"}).status_code == 400
    assert [r.status for r in requests_in(session)] == ["unverified"]
    almost = _verify_token_made(app, req, 7 * 86400 - 3600)
    assert client.get(f"/requests/verify/{almost}").status_code == 200
    assert [r.status for r in requests_in(session)] == ["unverified"]  # opening alone changes nothing
    assert client.post("/requests/verify", data={"token": almost}).status_code == 302
    assert [r.status for r in requests_in(session)] == ["open"]


def test_nginx_lets_the_largest_reply_reach_the_app(app):
    from pathlib import Path

    from webapp.attachments import MAX_ATTACHMENT_BYTES

    conf = (Path(__file__).resolve().parent.parent / "deploy" / "nginx-site.conf.in").read_text()
    size, unit = re.search(r"^\s*client_max_body_size\s+(\d+)([km]?);", conf, re.M).groups()
    nginx_bytes = int(size) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]
    form_overhead = 64 * 1024  # the message (at most 5 000 characters), the token, multipart headers
    assert nginx_bytes >= app.config["MAX_CONTENT_LENGTH"] >= MAX_ATTACHMENT_BYTES + form_overhead


def test_the_status_page_of_a_linked_request_points_to_the_earlier_one(app, client, mailbox, session, firm):
    first = open_request(app, client, mailbox, session)
    send(app, client)
    link = mailbox.last("maija@example.fi").link("/requests/verify/")
    r = confirm(client, link)
    page = client.get(r.headers["Location"].replace("http://localhost", "")).get_data(as_text=True)
    assert 'id="linked-to"' in page and first.reference in page and 'id="message"' not in page
    with unscoped(session):
        assert session.scalar(select(func.count(DataRequest.id)).where(DataRequest.status == "linked")) == 1


def test_the_default_list_order_is_due_date_then_undated_across_pages(app, client, session, firm):
    user, tenant, _notice = firm
    dues = [date(2026, 12, 1) + timedelta(days=n % 5) for n in range(57)]
    _enter_with_due(session, firm, dues, prefix="P")
    with scoped_to(session, tenant.id, user.id):
        for n in range(3):  # web requests not yet confirmed: no due date
            request_service.submit_request(
                session,
                tenant.id,
                None,
                request_service.NewRequest("access", f"U {n}", f"u{n}@example.fi", "x"),
                now=datetime.now(UTC),
            )
    session.commit()
    with unscoped(session):
        expected = [
            r.reference
            for r in sorted(
                session.scalars(select(DataRequest)),
                key=lambda r: (r.due_on is None, r.due_on or date.min, r.id),
            )
        ]
    login(client, "olli@rantakahvila.fi")
    seen, url = [], "/app/inbox/"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<td[^>]*><a class="ref" href="/app/inbox/\d+">(SEL-[\w-]+)</a>', html)
        more = re.search(r'<a href="(/app/inbox/\?after=[^"]+)">', html)
        url = more.group(1).replace("&amp;", "&") if more else None
    assert seen == expected and len(seen) == 60


def test_the_list_offers_the_firms_notices_and_members_and_counts_each_status(
    app, client, session, firm, make_owner
):
    user, tenant, notice = firm
    make_owner("mallory@muu.fi", "Muu Oy")  # another firm, with a member of its own
    _enter_with_due(session, firm, [date(2026, 12, 1), date(2026, 12, 2)], prefix="P")
    with scoped_to(session, tenant.id, user.id):
        request_service.submit_request(
            session,
            tenant.id,
            notice.id,
            request_service.NewRequest("access", "U 1", "u1@example.fi", "x"),
            now=datetime.now(UTC),
        )
    session.commit()
    login(client, "olli@rantakahvila.fi")
    html = client.get(f"/app/inbox/?notice={notice.id}&assignee={user.id}").get_data(as_text=True)
    notices = re.search(r'<select class="input" id="notice".*?</select>', html, re.S).group(0)
    assert f'<option value="{notice.id}" selected>{notice.title}</option>' in notices
    assignees = re.search(r'<select class="input" id="assignee".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', assignees) == [str(user.id)]
    assert f'<option value="{user.id}" selected>' in assignees and "mallory" not in html.lower()
    counts = dict(re.findall(r'\?status=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', html))
    assert counts["open"] == "2" and counts["unverified"] == "1" and counts["completed"] == "0"
