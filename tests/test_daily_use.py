"""What a contact person meets every day: the dashboard's counts, the list's days left, the request
page's next steps, the timeline in sentences, and the requester's mail and status page."""

import io
import re
from datetime import date

import pytest

from tenants import accounts
from tenants.scoping import unscoped

from .conftest import PASSWORD, login, now, publish_version
from .test_request_hardening import _entered_due
from .test_requests_web import open_request, path, send

FRIDAY, SATURDAY = date(2026, 11, 27), date(2026, 11, 28)  # due Saturday: practically Monday 30.11
TUESDAY_NEXT, LATER = date(2026, 12, 8), date(2026, 12, 28)


@pytest.fixture
def firm(notice_firm, session):
    """Rantakahvila Oy with its customer-register notice published."""
    publish_version(session, notice_firm, today=date.today())
    return notice_firm


@pytest.fixture
def monday(monkeypatch):
    """Today is Monday 30.11.2026 on the dashboard and in the inbox."""
    today = date(2026, 11, 30)
    for where in ("webapp.inbox.views", "webapp.workspace.views", "webapp.i18n"):
        monkeypatch.setattr(f"{where}.helsinki_today", lambda: today)
    return today


def _references(html: str) -> list[str]:
    return re.findall(r'<a class="ref" href="/app/inbox/\d+">(SEL-[\w-]+)</a>', html)


def _tiles(html: str) -> dict[str, tuple[str, int]]:
    """The dashboard's tiles: key -> (link, count)."""
    found = re.findall(
        r'<a class="tile[^"]*" id="attention-(\w+)" href="([^"]+)"><span class="tile-count">(\d+)</span>',
        html,
    )
    return {key: (href.replace("&amp;", "&"), int(count)) for key, href, count in found}


def test_the_dashboard_counts_what_needs_attention_and_each_count_is_its_list(
    app, client, mailbox, session, firm, monday
):
    made = _entered_due(session, firm, [FRIDAY, SATURDAY, TUESDAY_NEXT, LATER])
    send(app, client, email="vahvistamatta@example.fi")  # waits for the requester to confirm
    login(client, "olli@rantakahvila.fi")
    tiles = _tiles(client.get("/app/").get_data(as_text=True))
    assert {key: count for key, (_link, count) in tiles.items()} == {
        "open": 4,
        "soon": 1,  # due Saturday, practically today; Tuesday 8.12 is eight days away
        "overdue": 1,
        "unverified": 1,
    }
    assert tiles["overdue"][0] == "/app/inbox/?due=overdue"
    for key, (link, count) in tiles.items():
        listed = _references(client.get(link).get_data(as_text=True))
        assert len(listed) == count, key
    assert _references(client.get(tiles["overdue"][0]).get_data(as_text=True)) == [made[FRIDAY].reference]
    assert _references(client.get(tiles["soon"][0]).get_data(as_text=True)) == [made[SATURDAY].reference]


def test_a_count_by_due_date_above_the_cap_says_more_than_and_the_status_counts_stay_exact(
    app, client, mailbox, session, firm, monday, monkeypatch
):
    """A count by due date stops at the cap (it reads an index entry per request); the ones that are
    a status come from the kept counters and are never capped."""
    monkeypatch.setattr("tenants.requests.listing.ATTENTION_CAP", 2)
    _entered_due(session, firm, [date(2026, 11, 20), date(2026, 11, 23), FRIDAY, SATURDAY, TUESDAY_NEXT])
    login(client, "olli@rantakahvila.fi")
    html = client.get("/app/?lang=en").get_data(as_text=True)
    tiles = dict(
        re.findall(r'id="attention-(\w+)" href="[^"]+"><span class="tile-count">([^<]+)</span>', html)
    )
    assert tiles == {"open": "5", "soon": "1", "overdue": "more than 2", "unverified": "0"}
    assert len(_references(client.get("/app/inbox/?due=overdue").get_data(as_text=True))) == 3


def test_the_list_says_how_many_days_are_left_in_words(app, client, session, firm, monday):
    _entered_due(session, firm, [FRIDAY, SATURDAY, TUESDAY_NEXT])
    login(client, "olli@rantakahvila.fi")
    html = client.get("/app/inbox/?lang=en").get_data(as_text=True)
    badges = re.findall(r'<span class="badge( badge--\w+)?"[^>]*>([^<]+)</span>', html)
    assert badges == [
        (" badge--overdue", "overdue by 3 days"),
        (" badge--soon", "due today"),
        ("", "8 days left"),
    ]
    fi = client.get("/app/inbox/?lang=fi").get_data(as_text=True)
    assert "myöhässä 3 päivää" in fi and "erääntyy tänään" in fi and "8 päivää jäljellä" in fi


def test_the_request_page_groups_its_actions_by_the_next_step(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    base = f"/app/inbox/{req.id}"
    html = owner.get(base + "?lang=en").get_data(as_text=True)
    steps = re.findall(r'<details class="step" id="step-(\w+)"( open)?>', html)
    assert steps == [("reply", " open"), ("assign", ""), ("extend", ""), ("close", "")]
    # The extension is one month unless two are chosen.
    assert re.search(r'name="months" value="1" checked', html) and not re.search(
        r'name="months" value="2" checked', html
    )
    # Closing asks how the request ends; nothing is chosen for the member.
    assert "/complete" not in html and "/refuse" not in html
    assert not re.search(r'name="result" value="\w+"[^>]* checked', html)
    r = owner.post_form(f"{base}/close", {"outcome": "Tiedot lähetetty"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="close-result-error"' in page
    assert '<details class="step" id="step-close" open>' in page and "Tiedot lähetetty" in page
    assert owner.post_form(f"{base}/close", {"result": "refused", "outcome": "Ei tietoja"}).status_code == 302
    closing = mailbox.last("maija@example.fi")
    assert "Ei tietoja" in closing.text and "Tietosuojavaltuutetun toimisto" in closing.text
    assert 'id="status">hylätty<' in owner.get(base).get_data(as_text=True)


def test_the_timeline_reads_as_sentences(app, client, mailbox, session, firm):
    user, tenant, _notice = firm
    with unscoped(session):
        colleague = accounts.create_user(
            session,
            email="maija@rantakahvila.fi",
            name="Maija Rantanen",
            password=PASSWORD,
            language="fi",
            now=now(),
        )
        accounts.add_member(session, tenant.id, colleague.id, "handler", now())
    session.commit()
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    base = f"/app/inbox/{req.id}"
    owner.post_form(f"{base}/assign", {"assignee": str(user.id)})
    owner.post_form(f"{base}/assign", {"assignee": str(colleague.id)})
    owner.post_form(f"{base}/assign", {"assignee": ""})
    html = owner.get(base + "?lang=en").get_data(as_text=True)
    sentences = re.findall(r'<p class="event-meta"><strong>([^<]+)</strong>', html)
    assert sentences == [
        "Maija Meikäläinen sent the request through the form",
        "Maija Meikäläinen confirmed the email address (the request was received when it was sent)",
        "Olli took the request on",
        "Olli assigned the request to Maija Rantanen",
        "Olli left the request unassigned",
    ]
    assert "→" not in html


def test_manual_entry_names_request_types_in_the_firms_words(client, session, firm):
    login(client, "olli@rantakahvila.fi")
    html = client.get("/app/inbox/new?lang=en").get_data(as_text=True)
    assert '<option value="access" selected>Access request</option>' in html
    assert "See my data" not in html
    assert "Erasure request" in client.get("/app/inbox/?lang=en").get_data(as_text=True)


def test_a_message_with_files_greets_once_and_says_where_the_files_are(app, client, mailbox, session, firm):
    req = open_request(app, client, mailbox, session)
    owner = app.test_client()
    login(owner, "olli@rantakahvila.fi")
    r = owner.post(
        f"/app/inbox/{req.id}/reply",
        data={
            "csrf_token": owner.csrf_token(),
            "message": "Hei Maija,\n\nliitteenä tietosi.\n\nTerveisin Olli",
            "attachments": [
                (io.BytesIO(b"tilaukset"), "tilaukset.txt"),
                (io.BytesIO(b"laskut"), "laskut.txt"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    mail = mailbox.last("maija@example.fi")
    text = mail.text
    assert text.startswith(f"Rantakahvila Oy lähetti sinulle viestin pyynnöstäsi {req.reference}:")
    assert text.count("Hei") == 1  # the firm's own greeting, not ours on top of it
    assert "Viestissä on 2 tiedostoa: tilaukset.txt, laskut.txt." in text
    assert "Lataa ne, vastaa ja seuraa pyyntöäsi pyyntösi sivulla:" in text
    assert "/requests/status/" in text
    assert not any(part.get_filename() for part in mail.message.iter_attachments())  # not attached
    assert "Viestissä on" not in _reply_without_files(app, owner, mailbox, req)


def _reply_without_files(app, owner, mailbox, req) -> str:
    owner.post_form(f"/app/inbox/{req.id}/reply", {"message": "Kiitos odotuksesta."})
    return mailbox.last("maija@example.fi").text


def test_the_status_page_names_the_organisation_the_notice_and_the_request(
    app, client, mailbox, session, firm
):
    req = open_request(app, client, mailbox, session, type="erasure")
    status = path(mailbox.last("maija@example.fi").link("/requests/status/"))
    html = app.test_client().get(status.split("?")[0] + "?lang=en").get_data(as_text=True)
    about = re.sub(r"\s+", " ", html.split('id="request-about"', 1)[1].split("</dl>", 1)[0])
    assert "<dt>Organisation</dt><dd>Rantakahvila Oy</dd>" in about
    assert '<a href="/rantakahvila-oy/asiakasrekisteri?lang=fi">Asiakasrekisteri</a>' in about
    assert '<dd id="request-type">Erase my data</dd>' in about
    assert f"<title>Your request {req.reference} – Rantakahvila Oy</title>" in html
