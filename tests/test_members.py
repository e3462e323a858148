"""Inviting colleagues, accepting, removing, roles, and switching between organisations."""

from sqlalchemy import select

from tenants import accounts
from tenants.models import Membership
from tenants.scoping import unscoped

from .conftest import PASSWORD, login, now


def _path(url):
    return url.replace("http://localhost", "")


def invite(client, email, role="handler"):
    return client.post_form("/app/members", {"email": email, "role": role}, follow_redirects=True)


def test_invite_creates_account_on_accept(app, client, mailbox, make_owner, session):
    owner, tenant = make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    r = invite(client, "Kaisa@Firma.fi")
    assert "kaisa@firma.fi" in r.get_data(as_text=True)
    mail = mailbox.last("kaisa@firma.fi")
    assert "Firma Oy" in mail.message["Subject"]

    colleague = app.test_client()
    link = _path(mail.link("/invite/"))
    page = colleague.get(link)
    assert page.status_code == 200 and "Firma Oy" in page.get_data(as_text=True)
    r = colleague.post_form(
        link, {"name": "Kaisa Korhonen", "password": "kaisan salasana"}, follow_redirects=True
    )
    assert r.request.path == "/app/"
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True)
    with unscoped(session):
        roles = {
            m.user.email: m.role
            for m in session.scalars(select(Membership).where(Membership.tenant_id == tenant.id))
        }
    assert roles == {"olli@firma.fi": "owner", "kaisa@firma.fi": "handler"}
    # The link is single-use.
    assert app.test_client().get(link).status_code == 400


def test_invite_attaches_an_existing_account_after_login(app, client, mailbox, make_owner, session):
    make_owner("olli@firma.fi", "Firma Oy")
    accountant, own_firm = make_owner("tilitoimisto@tili.fi", "Tilitoimisto Oy")
    login(client, "olli@firma.fi")
    invite(client, "tilitoimisto@tili.fi", role="owner")
    link = _path(mailbox.last("tilitoimisto@tili.fi").link("/invite/"))

    other = app.test_client()
    r = other.post_form(link)  # not logged in: sent to log in first, then back
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    r = other.post_form(
        "/login", {"email": "tilitoimisto@tili.fi", "password": PASSWORD, "next": link}, follow_redirects=True
    )
    assert r.request.path == link
    r = other.post_form(link, follow_redirects=True)
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True)
    # Now a member of two organisations, switching between them.
    html = r.get_data(as_text=True)
    assert "Tilitoimisto Oy" in html
    r = other.post_form(f"/app/tenants/{own_firm.id}/switch", follow_redirects=True)
    assert "<h1>Tilitoimisto Oy</h1>" in r.get_data(as_text=True)


def test_inviting_an_existing_member_is_explained(client, make_owner, mailbox):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    r = invite(client, "olli@firma.fi")
    assert 'aria-invalid="true"' in r.get_data(as_text=True)
    assert mailbox.to("olli@firma.fi") == []


def test_handler_cannot_invite_or_remove(app, client, make_owner, session):
    owner, tenant = make_owner("olli@firma.fi", "Firma Oy")
    with unscoped(session):
        handler = accounts.create_user(
            session, email="h@firma.fi", name="H", password=PASSWORD, language="fi", now=now(), verified=True
        )
        accounts.add_member(session, tenant.id, handler.id, "handler", now())
        owner_membership = session.scalar(select(Membership).where(Membership.user_id == owner.id))
    session.commit()
    login(client, "h@firma.fi")
    page = client.get("/app/members").get_data(as_text=True)
    assert "Olli" in page and 'name="email"' not in page  # no invite form for handlers
    assert invite(client, "x@firma.fi").status_code == 403
    r = client.post_form(f"/app/members/{owner_membership.id}/remove")
    assert r.status_code == 403


def test_owner_removes_member_but_not_the_last_owner(client, make_owner, session):
    owner, tenant = make_owner("olli@firma.fi", "Firma Oy")
    with unscoped(session):
        handler = accounts.create_user(
            session,
            email="h@firma.fi",
            name="Heikki",
            password=PASSWORD,
            language="fi",
            now=now(),
            verified=True,
        )
        member = accounts.add_member(session, tenant.id, handler.id, "handler", now())
        own = session.scalar(select(Membership).where(Membership.user_id == owner.id))
    session.commit()
    login(client, "olli@firma.fi")
    r = client.post_form(f"/app/members/{member.id}/remove", follow_redirects=True)
    assert "Heikki" not in r.get_data(as_text=True).split("<table")[1]
    r = client.post_form(f"/app/members/{own.id}/remove", follow_redirects=True)
    assert 'class="alert alert--error"' in r.get_data(as_text=True)
    with unscoped(session):
        assert session.get(Membership, own.id) is not None


def test_revoked_invitation_link_stops_working(app, client, mailbox, make_owner, session):
    make_owner("olli@firma.fi", "Firma Oy")
    login(client, "olli@firma.fi")
    invite(client, "kaisa@firma.fi")
    link = _path(mailbox.last("kaisa@firma.fi").link("/invite/"))
    page = client.get("/app/members").get_data(as_text=True)
    revoke = page.split('action="/app/invitations/')[1].split('"')[0]
    r = client.post_form(f"/app/invitations/{revoke}", follow_redirects=True)
    assert "kaisa@firma.fi" not in r.get_data(as_text=True)
    assert app.test_client().get(link).status_code == 400


def test_removed_member_no_longer_sees_the_tenant(app, client, make_owner, session):
    owner, tenant = make_owner("olli@firma.fi", "Firma Oy")
    with unscoped(session):
        u = accounts.create_user(
            session,
            email="h@firma.fi",
            name="Heikki",
            password=PASSWORD,
            language="fi",
            now=now(),
            verified=True,
        )
        member = accounts.add_member(session, tenant.id, u.id, "handler", now())
    session.commit()
    removed = app.test_client()
    login(removed, "h@firma.fi")
    login(client, "olli@firma.fi")
    client.post_form(f"/app/members/{member.id}/remove")
    r = removed.get("/app/", follow_redirects=True)
    assert r.request.path == "/app/account/no-organisation"


def test_a_member_removed_from_the_organisation_they_work_in_goes_on_in_their_other_one(
    app, client, make_owner, session
):
    _, firm = make_owner("olli@firma.fi", "Firma Oy")
    accountant, own_firm = make_owner("tilitoimisto@tili.fi", "Tilitoimisto Oy")
    with unscoped(session):
        member = accounts.add_member(session, firm.id, accountant.id, "handler", now())
    session.commit()
    other = app.test_client()
    login(other, "tilitoimisto@tili.fi")
    r = other.post_form(f"/app/tenants/{firm.id}/switch", follow_redirects=True)
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True)
    login(client, "olli@firma.fi")
    client.post_form(f"/app/members/{member.id}/remove")

    r = other.get("/app/", follow_redirects=True)
    assert r.status_code == 200 and "<h1>Tilitoimisto Oy</h1>" in r.get_data(as_text=True)
    members = other.get("/app/members").get_data(as_text=True)
    assert "tilitoimisto@tili.fi" in members and "olli@firma.fi" not in members
    assert other.get("/app/inbox/").status_code == 200
    assert "Firma Oy" not in other.get("/app/").get_data(as_text=True)


def test_pages_send_a_new_session_cookie_only_when_the_organisation_changes(app, make_owner, session):
    _, firm = make_owner("olli@firma.fi", "Firma Oy")
    accountant, own_firm = make_owner("tilitoimisto@tili.fi", "Tilitoimisto Oy")
    with unscoped(session):
        accounts.add_member(session, firm.id, accountant.id, "handler", now())
    session.commit()
    client = app.test_client()
    login(client, "tilitoimisto@tili.fi")
    client.get("/app/")
    # A page that keeps the organisation leaves the cookie as it is: two tabs cannot overwrite
    # each other's session (a message to show once, a switch of organisation) with an older copy.
    for path in ("/app/", "/app/inbox/", "/app/members"):
        r = client.get(path)
        assert r.status_code == 200 and "Set-Cookie" not in r.headers, path
    r = client.post_form(f"/app/tenants/{firm.id}/switch")
    assert "session=" in r.headers.get("Set-Cookie", "")
    r = client.get("/app/")
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True) and "Set-Cookie" not in r.headers


def test_an_invitation_cannot_be_accepted_by_another_account(app, client, mailbox, make_owner, session):
    _, tenant = make_owner("olli@firma.fi", "Firma Oy")
    make_owner("mallory@muu.fi", "Muu Oy")
    login(client, "olli@firma.fi")
    invite(client, "kaisa@firma.fi", role="owner")
    link = _path(mailbox.last("kaisa@firma.fi").link("/invite/"))

    other = app.test_client()
    login(other, "mallory@muu.fi")
    page = other.get(f"{link}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and 'id="invitation-other-address"' in html
    assert "kaisa@firma.fi" in html and 'name="next"' in html
    r = other.post_form(link)
    assert r.status_code == 403
    with unscoped(session):
        members = set(
            session.scalars(select(Membership.user_id).where(Membership.tenant_id == tenant.id)).all()
        )
        mallory = accounts.find_user_by_email(session, "mallory@muu.fi")
        still_open = accounts.list_open_invitations(session, tenant.id)
    assert mallory.id not in members
    assert [i.email for i in still_open] == ["kaisa@firma.fi"]
    # Logging out from that page leads back to the invitation, now for the right person.
    r = other.post_form("/logout", {"next": link})
    assert r.status_code == 302 and r.headers["Location"] == link


def test_the_invited_account_itself_joins_when_logged_in(app, client, mailbox, make_owner, session):
    _, tenant = make_owner("olli@firma.fi", "Firma Oy")
    make_owner("kaisa@firma.fi", "Kaisan Oy")
    login(client, "olli@firma.fi")
    invite(client, "Kaisa@Firma.fi")
    link = _path(mailbox.last("kaisa@firma.fi").link("/invite/"))
    colleague = app.test_client()
    login(colleague, "kaisa@firma.fi")
    r = colleague.post_form(link, follow_redirects=True)
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True)


def test_an_invitation_to_an_existing_account_is_in_that_persons_language(client, mailbox, make_owner):
    make_owner("olli@firma.fi", "Firma Oy")  # the firm's default language is Finnish
    make_owner("sven@firma.fi", "Svens Ab", language="sv")
    login(client, "olli@firma.fi")
    invite(client, "sven@firma.fi")
    invite(client, "uusi@firma.fi")
    known = mailbox.last("sven@firma.fi").message
    newcomer = mailbox.last("uusi@firma.fi").message
    assert known["Content-Language"] == "sv"
    assert newcomer["Content-Language"] == "fi"


def test_a_page_reached_in_the_request_that_logged_the_user_in_finds_their_organisations(
    app, make_owner, session
):
    """A user logged in during the request comes without their memberships: they are read then."""
    from flask import g

    from webapp.auth_session import log_in
    from webapp.db import db
    from webapp.tenancy import tenant_required

    _, firm = make_owner("olli@firma.fi", "Firma Oy")
    accountant, own_firm = make_owner("tilitoimisto@tili.fi", "Tilitoimisto Oy")
    with unscoped(session):
        accounts.add_member(session, firm.id, accountant.id, "handler", now())
    session.commit()

    @tenant_required
    def page():
        return g.tenant.name, [m.tenant.name for m in g.memberships]

    with app.test_request_context("/app/"):
        user = accounts.authenticate(db(), "tilitoimisto@tili.fi", PASSWORD, now())
        log_in(user)
        assert page() == ("Firma Oy", ["Firma Oy", "Tilitoimisto Oy"])
