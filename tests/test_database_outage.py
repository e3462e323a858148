"""When the database connection is lost during a submission, the requester gets a clear error page
(503, nothing saved or confirmed, try again) and never the "check your email" answer."""

import pytest
from sqlalchemy.exc import OperationalError

from tenants.requests import service
from webapp import unit_of_work

from .test_requests_web import firm, requests_in, send  # noqa: F401  (firm is a fixture)


def _lost(*_args, **_kwargs):
    raise OperationalError("INSERT ...", {}, Exception("terminating connection due to administrator command"))


@pytest.mark.parametrize("where", ["view", "commit"])
def test_a_lost_connection_answers_a_clear_error_and_stores_nothing(
    app,
    client,
    mailbox,
    session,
    firm,  # noqa: F811
    where,
    monkeypatch,
):
    if where == "view":
        monkeypatch.setattr(service, "submit_request", _lost)
    else:  # the view's work is done; the commit after it fails
        monkeypatch.setattr(unit_of_work, "commit_request", _lost)
    answer = send(app, client)
    assert answer.status_code == 503
    assert "Location" not in answer.headers  # not sent on to "check your email"
    html = answer.get_data(as_text=True)
    assert "Mitään ei tallennettu eikä vahvistettu" in html
    assert requests_in(session) == []
    assert mailbox.messages == []
