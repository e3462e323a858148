"""A new firm signs up, confirms its address, logs in, switches language and logs out, in a real browser."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from .conftest import assert_accessible

COMPANY = "Rantakahvila Oy"
VALID_BUSINESS_ID = "2617416-4"
INVALID_BUSINESS_ID = "2617416-5"  # wrong check digit
NAME = "Aino Virtanen"
PASSWORD = "kolme pientä porsasta"


def test_signup_verify_login_switch_language_logout(page, live_server, smtp_server):
    email = f"aino.{uuid.uuid4().hex[:8]}@example.fi"
    html = page.locator("html")
    main = page.locator("main")

    # The browser asks for Finnish, so the sign-up page is in Finnish.
    page.goto("/signup")
    expect(html).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page, "the sign-up page")

    # A mistyped Y-tunnus: the error is shown at that field, and nothing typed is lost.
    page.locator("#company_name").fill(COMPANY)
    page.locator("#business_id").fill(INVALID_BUSINESS_ID)
    page.locator("#name").fill(NAME)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    main.get_by_role("button").click()

    business_id = page.locator("#business_id")
    expect(business_id).to_have_attribute("aria-invalid", "true")
    field_error = page.locator(".field", has=business_id).locator("#business_id-error")
    expect(field_error).to_be_visible()
    expect(field_error).not_to_be_empty()
    expect(business_id).to_have_attribute("aria-describedby", re.compile(r"\bbusiness_id-error\b"))
    expect(main.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/signup")
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.locator("#company_name")).to_have_value(COMPANY)
    expect(business_id).to_have_value(INVALID_BUSINESS_ID)
    expect(page.locator("#name")).to_have_value(NAME)
    expect(page.locator("#email")).to_have_value(email)
    assert_accessible(page, "the sign-up page with a field error")

    # Corrected, the sign-up goes through (the password is never sent back, so it is typed again).
    business_id.fill(VALID_BUSINESS_ID)
    page.locator("#password").fill(PASSWORD)
    main.get_by_role("button").click()
    expect(page).to_have_url(f"{live_server.url}/signup/done")
    expect(html).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The confirmation link from the mail leads to the login page with a confirmation notice.
    verify_link = smtp_server.last(email).link("/verify/")
    assert verify_link.startswith(f"{live_server.url}/verify/"), verify_link
    page.goto(verify_link)
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.get_by_role("status")).to_be_visible()
    assert_accessible(page, "the login page")

    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    main.get_by_role("button").click()

    # The dashboard: the firm's name as the heading, the owner among the members, no notices yet.
    expect(page).to_have_url(f"{live_server.url}/app/")
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    expect(html).to_have_attribute("lang", "fi")
    expect(page.locator("section[aria-labelledby=members-heading]")).to_contain_text(NAME)
    expect(page.locator("section[aria-labelledby=notices-heading] .empty")).to_be_visible()
    expect(page.get_by_role("button", name="Suomi")).to_have_attribute("aria-current", "true")
    assert_accessible(page, "the dashboard")

    # The header's language switcher turns the same page into English.
    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/app/")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("button", name="Suomi")).not_to_have_attribute("aria-current", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPANY)
    expect(page.get_by_role("heading", name="Your notices")).to_be_visible()
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()

    # Logging out leads to the front page, logged out.
    log_out.click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("header").get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")
    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
