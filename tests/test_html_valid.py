"""The public pages are valid HTML, checked by the Nu Html Checker (vnu.jar, pinned in package.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tenants.notices import publishing, service
from tenants.notices.schema import AutomatedDecisions, Cookies, Dpo, Transfer, Transfers
from tenants.scoping import scoped_to
from webapp import page_cache as cache

from .conftest import publish_version
from .support import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TODAY = date(2026, 11, 23)
BASE = "/rantakahvila-oy/asiakasrekisteri"


def _vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        skip_or_fail("`java` is missing: install a Java runtime (Debian: openjdk-17-jre-headless)")
    if not VNU.is_file():
        skip_or_fail(f"{VNU.relative_to(ROOT)} is missing: run `npm ci` at the repository root")
    return [java, "-jar", str(VNU), "--errors-only", "--format", "json"]


def _second_version(draft):
    """Change texts (for the diff) and switch on the optional sections, so that every block kind renders."""
    draft.retention.update(
        {
            "fi": "<p>Säilytämme tiedot <strong>kaksi vuotta</strong>.</p><ul><li>Laskut 6 vuotta</li></ul>",
            "en": "<p>We keep the data for <strong>two years</strong>.</p><ul><li>Invoices 6 years</li></ul>",
        }
    )
    draft.recipients.append({"fi": "Uutiskirjepalvelu & co", "en": "Newsletter service & co"})
    draft.dpo = Dpo(appointed=True, name="Tiina Tietosuoja", email="tietosuoja@rantakahvila.fi")
    draft.transfers = Transfers(
        outside_eea=True,
        items=[
            Transfer(
                country="Yhdysvallat",
                recipient={"fi": "Sähköpostipalvelu", "en": "Email service"},
                safeguard="scc",
                details={"fi": "<p>Vakiolausekkeet</p>", "en": "<p>Standard clauses</p>"},
                copy_how={
                    "fi": "<p>Vakiolausekkeet: <a href='https://example.com/scc'>kopio</a></p>",
                    "en": "<p>Standard clauses: <a href='https://example.com/scc'>copy</a></p>",
                },
            )
        ],
    )
    draft.cookies = Cookies(
        used=True,
        text={"fi": "<p>Käytämme välttämättömiä evästeitä.</p>", "en": "<p>We use necessary cookies.</p>"},
    )
    draft.automated_decisions = AutomatedDecisions(used=False)


@pytest.mark.sqlite_only  # the templates do not depend on the database: one JVM start is enough
def test_public_pages_are_valid_html(app, session, notice_firm, tmp_path):
    command = _vnu_command()
    user, tenant, notice = notice_firm
    publish_version(session, notice_firm, today=TODAY)
    publish_version(
        session,
        notice_firm,
        today=TODAY,
        note="Säilytysaika <lyhennetty> & tarkennettu",
        edit=_second_version,
    )

    visitor = app.test_client()
    paths = {
        "notice-fi": f"{BASE}?lang=fi",
        "notice-en": f"{BASE}?lang=en",
        "version-1-fi": f"{BASE}/v/1",
        "history-fi": f"{BASE}/history",
        "history-en": f"{BASE}/history?lang=en",
        "diff-fi": f"{BASE}/diff/1/2",
        "diff-en": f"{BASE}/diff/1/2?lang=en",
        "tenant-index": "/rantakahvila-oy",
    }
    pages = {name: visitor.get(path) for name, path in paths.items()}
    with scoped_to(session, tenant.id, user.id):  # a third version in a language the others lack
        service.update_settings(
            session,
            tenant.id,
            notice.id,
            title=notice.title,
            languages=["sv"],
            primary_language="sv",
            now=datetime.now(UTC),
        )
        publishing.publish(  # some Swedish texts of version 2's new items are missing: no matter here
            session,
            tenant.id,
            notice.id,
            by_user_id=user.id,
            prepared_on=None,
            change_note="På svenska",
            today=TODAY,
            now=datetime.now(UTC),
            allow_incomplete=True,
        )
    session.commit()
    cache.forget_resolutions()
    pages["diff-no-shared-language"] = visitor.get(f"{BASE}/diff/2/3?lang=en")
    assert 'id="no-shared-language"' in pages["diff-no-shared-language"].get_data(as_text=True)
    with scoped_to(session, tenant.id, user.id):
        publishing.withdraw(session, tenant.id, notice.id, now=datetime(2026, 12, 1, 10, tzinfo=UTC))
    session.commit()
    cache.forget_resolutions()
    pages["withdrawn"] = visitor.get(BASE)
    pages["withdrawn-version"] = visitor.get(f"{BASE}/v/1", headers={"Accept-Language": "en"})

    files = {}
    for name, response in pages.items():
        expected = 410 if name.startswith("withdrawn") else 200
        assert response.status_code == expected and response.mimetype == "text/html", (name, response)
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.data)
    notice_fi = pages["notice-fi"].get_data(as_text=True)
    assert all(f'<section id="{key}"' in notice_fi for key in ("dpo", "transfers", "cookies"))
    assert "<ins>" in pages["diff-fi"].get_data(as_text=True)  # the diff page shows both markups
    assert "<del>" in pages["diff-fi"].get_data(as_text=True)

    result = subprocess.run(
        [*command, *(str(f) for f in files.values())],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stderr.strip() or result.stdout.strip()
    try:
        messages = json.loads(output)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no JSON (exit {result.returncode}):\n{output}", pytrace=False)
    problems = [
        m for m in messages if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal"
    ]
    if problems or result.returncode != 0:
        lines = [f"{len(problems)} HTML error(s) from the Nu Html Checker (exit {result.returncode}):"]
        for m in problems:
            where = m.get("url", "?").rsplit("/", 1)[-1]  # vnu says file:/tmp/…/notice-fi.html
            lines.append(
                f"  {where}:{m.get('lastLine', '?')}:{m.get('firstColumn', '?')}: {m.get('message')}"
            )
            if m.get("extract"):
                lines.append(f"      {m['extract'].strip()}")
        pytest.fail("\n".join(lines), pytrace=False)
