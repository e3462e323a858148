"""Operator commands print what they did and fail with a clear message on bad input."""

from .conftest import PASSWORD


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_and_tenants_commands(app, client):
    r = run(app, "users", "create", "--email", "Owner@Firma.fi", "--name", "Olli", "--password", PASSWORD)
    assert r.exit_code == 0, r.output
    assert "<owner@firma.fi>" in r.output
    r = run(
        app,
        "tenants",
        "create",
        "--name",
        "Firma Oy",
        "--business-id",
        "2617416-4",
        "--owner-email",
        "owner@firma.fi",
    )
    assert r.exit_code == 0, r.output
    assert "slug firma-oy" in r.output and "Owner: user" in r.output
    r = run(app, "tenants", "create", "--name", "Firma Oy", "--business-id", "26174164")
    assert "slug firma-oy-2" in r.output and "2617416-4" in r.output
    r = run(app, "tenants", "list")
    lines = r.output.strip().splitlines()
    assert len(lines) == 2
    assert "firma-oy\t2617416-4\t1 member(s)\tFirma Oy" in lines[0]
    # The owner created on the command line can log in.
    r = client.post_form("/login", {"email": "owner@firma.fi", "password": PASSWORD}, follow_redirects=True)
    assert "<h1>Firma Oy</h1>" in r.get_data(as_text=True)


def test_cli_errors_are_clear(app):
    r = run(app, "tenants", "create", "--name", "X Oy", "--business-id", "1234567-8")
    assert r.exit_code != 0 and "not a valid Business ID" in r.output
    r = run(app, "tenants", "create", "--name", "X Oy", "--business-id", "2617416-4", "--slug", "app")
    assert r.exit_code != 0 and "reserved" in r.output
    r = run(
        app, "tenants", "create", "--name", "X Oy", "--business-id", "2617416-4", "--owner-email", "no@x.fi"
    )
    assert r.exit_code != 0 and "No user has the address" in r.output
    r = run(app, "users", "create", "--email", "not-an-address", "--name", "X", "--password", PASSWORD)
    assert r.exit_code != 0 and "email" in r.output
    r = run(app, "users", "create", "--email", "a@b.fi", "--name", "X", "--password", "short")
    assert r.exit_code != 0 and "at least 10 characters" in r.output


def test_tenants_list_when_empty(app):
    r = run(app, "tenants", "list")
    assert r.exit_code == 0 and "No tenants yet." in r.output
