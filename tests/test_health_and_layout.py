"""Probes, the front page, and the rule that the domain imports no web framework."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ok", "database": "ok"}


def test_readyz_reports_an_unreachable_database(tmp_path):
    from webapp import create_app

    app = create_app(environ={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x" * 40})
    r = app.test_client().get("/readyz")
    assert r.status_code == 503 and r.get_json()["database"] == "unreachable"


def test_front_page_invites_to_sign_up(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/signup"' in html and 'href="/login"' in html


def test_domain_imports_no_web_framework():
    code = (
        "import importlib, pkgutil, sys, tenants\n"
        "for m in pkgutil.walk_packages(tenants.__path__, 'tenants.'):\n"
        "    importlib.import_module(m.name)\n"
        "web = ('flask', 'werkzeug', 'flask_login', 'flask_babel', 'flask_wtf')\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in web)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"tenants/ pulls in {out.stdout.strip()}"


def test_pages_render_in_the_logged_in_area_for_each_language(client, make_owner):
    from .conftest import login

    make_owner("anna@a.fi", "Anna Oy")
    login(client, "anna@a.fi")
    for lang in ("fi", "sv", "en"):
        for path in ("/app/", "/app/members", "/app/organisation", "/app/account/"):
            r = client.get(f"{path}?lang={lang}")
            assert r.status_code == 200, (path, lang)
            assert f'<html lang="{lang}">' in r.get_data(as_text=True)
