"""The request clock runs from submission (Art. 12(3): receipt), across month ends and holidays;
unconfirmed requests show their due date in the inbox with the policy stated; any closure that does
not fully grant the request tells the requester of the complaint and judicial remedy, in their language."""

from datetime import UTC, date, datetime

import pytest

from tenants.requests import service
from tenants.requests.deadlines import due_date, practical_due_date
from tenants.requests.service import NewRequest
from tenants.scoping import scoped_to

from .conftest import login, publish_version
from .test_requests_web import open_request, requests_in, send


@pytest.fixture
def firm(notice_firm, session):
    """The firm with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


@pytest.fixture
def tenant(make_owner, session):
    return make_owner("kasittelija@firma.fi", "Firma Oy")


def _submit_and_verify(session, tenant, submitted: datetime, verified: date):
    user, t = tenant
    data = NewRequest(type="access", name="Maija", email="maija@example.fi", details="Kopio tiedoistani.")
    with scoped_to(session, t.id, user.id):
        request = service.submit_request(session, t.id, None, data, now=submitted)
        assert request.received_on is not None and request.due_on is None  # received, not yet confirmed
        service.verify_request(session, t.id, request.id, today=verified, now=submitted)
    session.commit()
    return request


@pytest.mark.parametrize(
    "submitted,verified,received,due,practical",
    [
        # month end: 31.1 -> 28.2 (a Saturday in 2026) -> Monday 2.3; confirmed three days later changes nothing
        (
            datetime(2026, 1, 31, 9, 0, tzinfo=UTC),
            date(2026, 2, 3),
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 2),
        ),
        # late on 31.1 UTC is already 1.2 in Finland
        (
            datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
            date(2026, 2, 7),
            date(2026, 2, 1),
            date(2026, 3, 1),
            date(2026, 3, 2),
        ),
        # leap year: 31.1.2028 -> 29.2.2028 (a Tuesday)
        (
            datetime(2028, 1, 31, 12, 0, tzinfo=UTC),
            date(2028, 2, 1),
            date(2028, 1, 31),
            date(2028, 2, 29),
            date(2028, 2, 29),
        ),
        # Christmas: 24.11 -> 24.12 (Christmas Eve), 25.12, 26.12, Sunday 27.12 -> Monday 28.12
        (
            datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
            date(2026, 11, 30),
            date(2026, 11, 24),
            date(2026, 12, 24),
            date(2026, 12, 28),
        ),
        # Midsummer: 19.5 -> 19.6 (Midsummer Eve), 20.6 Midsummer Day, Sunday -> Monday 22.6
        (
            datetime(2026, 5, 19, 8, 0, tzinfo=UTC),
            date(2026, 5, 25),
            date(2026, 5, 19),
            date(2026, 6, 19),
            date(2026, 6, 22),
        ),
        # year end: 30.11 -> 30.12 (a Wednesday)
        (
            datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
            date(2026, 12, 6),
            date(2026, 11, 30),
            date(2026, 12, 30),
            date(2026, 12, 30),
        ),
    ],
)
def test_the_month_counts_from_submission_not_from_the_email_confirmation(
    session, tenant, submitted, verified, received, due, practical
):
    request = _submit_and_verify(session, tenant, submitted, verified)
    assert (request.status, request.received_on, request.due_on) == ("open", received, due)
    assert practical_due_date(request.due_on) == practical


def test_an_unconfirmed_request_is_in_the_inbox_with_its_due_date_and_the_policy(
    app, client, mailbox, session, firm
):
    send(app, client)
    (req,) = requests_in(session)
    assert req.status == "unverified" and req.received_on is not None
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    html = owner.get("/app/inbox/?lang=en").get_data(as_text=True)
    row = html.split(req.reference, 1)[1].split("</tr>", 1)[0]
    due = practical_due_date(due_date(req.received_on))
    assert (
        f'<span class="due-date">{due.day} {due:%B} {due.year}</span>' in row
        and "email not yet confirmed" in row
    )
    assert 'id="due-policy"' in html
    detail = owner.get(f"/app/inbox/{req.id}").get_data(as_text=True)
    assert 'id="due"' in detail and 'id="due-policy"' in detail


@pytest.mark.parametrize(
    "language,opening,remedy",
    [
        ("fi", "osittain", "Tietosuojavaltuutetun toimisto"),
        ("sv", "delvis", "Dataombudsmannens byrå"),
        ("en", "in part", "Office of the Data Protection Ombudsman"),
    ],
)
def test_a_partly_completed_request_carries_the_complaint_and_remedy_text_in_the_requesters_language(
    app,
    client,
    mailbox,
    session,
    firm,
    language,
    opening,
    remedy,
):
    req = open_request(app, client, mailbox, session, answer_language=language)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = owner.post_form(
        f"/app/inbox/{req.id}/close",
        {"result": "partly_completed", "outcome": "Laskut toimitettu, lokit eivät."},
    )
    assert r.status_code == 302
    closing = mailbox.last("maija@example.fi")
    assert opening in closing.message["Subject"] and "Laskut toimitettu, lokit eivät." in closing.text
    assert remedy in closing.text and "00531" in closing.text
    (stored,) = requests_in(session)
    assert stored.status == "partly_completed"


def test_a_completed_request_carries_no_complaint_text(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    owner.post_form(f"/app/inbox/{req.id}/close", {"result": "completed", "outcome": "Kopio lähetetty."})
    closing = mailbox.last("maija@example.fi")
    assert "Kopio lähetetty." in closing.text and "Tietosuojavaltuutetun toimisto" not in closing.text
