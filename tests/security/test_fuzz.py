"""Property-based fuzzing (hypothesis) of every form of the app, the public request form and the
importer: whatever is typed, no 5xx; what is accepted is kept as typed (normalised only as the form
says). The examples: any Unicode (control characters, format and bidi characters, unpaired marks),
empty and huge values, nested markup. Profiles in conftest.py: `ci` (default) and `nightly`."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tenants.models import User
from tenants.notices.importing import import_notice
from tenants.requests.models import DataRequest
from tenants.scoping import unscoped

from ..conftest import login
from ..test_import_nothing_lost import lost_words
from ..test_requests_web import open_request, started

SEEN_STATUS: list[int] = []  # every status the fuzzers got, for the suite's figures

MARKUP = st.recursive(
    st.text(max_size=20),
    lambda inner: st.tuples(st.sampled_from(["b", "script", "a", "div", "svg", "p", "img"]), inner).map(
        lambda t: f"<{t[0]} onload=x>{t[1]}</{t[0]}>"
    ),
    max_leaves=12,
)
VALUES = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=120),  # every category, control characters too
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn", "So"]), max_size=30),
    st.sampled_from(["", " ", "\x00", "\u202e", "0", "-1", "99999999999999999999", "y", "on", "fi", "owner"]),
    st.integers(min_value=1, max_value=60_000).map(lambda n: "å" * n),  # huge
    MARKUP,
)


class _Forms(HTMLParser):
    """The POST forms of a page: (action, field names) with the page's own hidden values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "fields": [], "hidden": {}})
        elif tag in ("input", "textarea", "select", "button") and self.forms and a.get("name"):
            form = self.forms[-1]
            if a.get("type") == "hidden" or a["name"] == "csrf_token":
                form["hidden"][a["name"]] = a.get("value") or ""
            elif a.get("type") != "file":
                form["fields"].append(a["name"])


def _forms_of(client, url) -> list[tuple[str, list[str], dict]]:
    parser = _Forms()
    parser.feed(client.get(url).get_data(as_text=True))
    return [(f["action"] or url.split("?")[0], sorted(set(f["fields"])), f["hidden"]) for f in parser.forms]


def _record(response) -> int:
    SEEN_STATUS.append(response.status_code)
    return response.status_code


def _owner_pages(app, client, mailbox, session, firm) -> list[str]:
    notice_id = firm[2].id
    req = open_request(app, app.test_client(), mailbox, session)
    from webapp.notices.steps import STEPS

    return [
        "/app/account/",
        "/app/organisation",
        "/app/members",
        "/app/notices/new",
        "/app/notices/import",
        "/app/inbox/new",
        f"/app/inbox/{req.id}",
        *(f"/app/notices/{notice_id}/steps/{step.key}" for step in STEPS),
    ]


def test_every_form_of_the_app_answers_any_input_without_a_5xx(app, client, mailbox, session, firm):
    login(client, "olli@rantakahvila.fi")
    forms = []
    for url in _owner_pages(app, client, mailbox, session, firm):
        forms += [f for f in _forms_of(client, url) if f[1]]
    anonymous = app.test_client()
    for url in ("/signup", "/login", "/reset"):
        forms += [(a, f, h, anonymous) for a, f, h in _forms_of(anonymous, url) if f]
    forms = [f if len(f) == 4 else (*f, client) for f in forms]
    assert len(forms) >= 20

    @settings(max_examples=settings.default.max_examples * 5)  # many forms: more examples
    @given(st.data())
    def probe(data):
        action, fields, hidden, who = data.draw(st.sampled_from(forms))
        values = {name: data.draw(VALUES) for name in fields}
        r = who.post(action, data={**hidden, **values})
        assert _record(r) < 500, (action, r.status_code)

    probe()


def test_the_public_request_form_keeps_what_it_accepts(app, mailbox, session, firm):
    _user, tenant, notice = firm
    url = f"/{tenant.slug}/{notice.slug}/request"
    visitor = app.test_client()

    accepted = []
    plain = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=40)

    @settings(max_examples=settings.default.max_examples * 2)
    @given(
        name=st.one_of(plain, VALUES),
        details=VALUES,
        phone=st.one_of(st.just(""), VALUES),
        email=st.one_of(st.just("maija@example.fi"), st.emails(), VALUES),
    )
    def probe(name, details, phone, email):
        sent = {"type": "access", "name": name, "email": email, "details": details, "phone": phone}
        r = visitor.post(
            url, data={**sent, "answer_language": "fi", "started": started(app), "hetu_ack": "y"}
        )
        assert _record(r) < 500
        if r.status_code == 302:
            with unscoped(session):
                session.expire_all()
                stored = session.scalars(select(DataRequest).order_by(DataRequest.id.desc())).first()
                assert stored.details == details.strip()
                assert stored.name == " ".join(name.split())
            accepted.append(stored.id)

    probe()
    assert accepted  # the property was exercised on accepted requests, not only on refusals


def test_an_accepted_profile_name_is_kept(app, client, make_owner, session):
    user, _tenant = make_owner("anna@a.fi")
    login(client, "anna@a.fi")
    token = client.csrf_token()

    @given(name=VALUES)
    def probe(name):
        r = client.post(
            "/app/account/", data={"csrf_token": token, "profile-name": name, "profile-language": "fi"}
        )
        assert _record(r) < 500
        with unscoped(session):
            session.expire_all()
            kept = session.get(User, user.id).name
        if r.status_code == 302:
            assert kept == " ".join(name.split())
        assert "\x00" not in kept

    probe()


WORDY = st.text(
    st.characters(categories=["L", "N", "P", "Zs"], include_characters="\n\t<>/#*-"), min_size=1, max_size=400
)


@given(text=st.one_of(WORDY, MARKUP.map(lambda m: "Tietosuojaseloste\n\n" + m)))
def test_the_importer_never_fails_and_loses_no_word(text):
    try:
        result = import_notice(text, content_type="text/plain")
    except Exception as exc:  # a domain refusal (empty, too long) is an answer; anything else is a bug
        assert type(exc).__module__.startswith("tenants"), repr(exc)
        return
    assert not lost_words(result, text)


def test_the_import_page_answers_any_paste_without_a_5xx(app, client, make_owner):
    make_owner("olli@rantakahvila.fi", "Rantakahvila Oy")
    login(client, "olli@rantakahvila.fi")
    token = client.csrf_token()

    @given(text=VALUES, title=VALUES)
    def probe(text, title):
        r = client.post("/app/notices/import", data={"csrf_token": token, "text": text, "title": title})
        assert _record(r) < 500

    probe()


def test_the_fuzzers_saw_no_5xx():
    print(f"fuzz: {len(SEEN_STATUS)} requests, statuses {sorted(set(SEEN_STATUS))}")
    assert not [s for s in SEEN_STATUS if s >= 500]
