"""The request's timeline in sentences: who did what ("Maija Rantanen took the request on")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tenants.requests.models import DataRequest, RequestEvent

from ..i18n import format_day

# What happened, without a name: for events whose actor is unknown or was erased with the request.
EVENT_LABELS = {
    "submitted": _l("Sent through the form"),
    "entered": _l("Entered by hand"),
    "verified": _l("Email address confirmed"),
    "linked_duplicate": _l("Linked to a request with the same subject"),
    "unlinked": _l("Link undone: handled on its own"),
    "assigned": _l("Assigned"),
    "note": _l("Internal note"),
    "message_out": _l("Message to the requester"),
    "message_in": _l("Message from the requester"),
    "extended": _l("Deadline extended"),
    "completed": _l("Closed as completed"),
    "refused": _l("Closed as refused"),
    "partly_completed": _l("Closed as partly completed"),
    "expired": _l("Closed: the address was never confirmed"),
}

# The same with the person who acted (%(name)s): the requester or a member.
SENTENCES = {
    "submitted": _l("%(name)s sent the request through the form"),
    "verified": _l("%(name)s confirmed the email address (the request was received when it was sent)"),
    "note": _l("%(name)s wrote an internal note"),
    "message_out": _l("%(name)s sent a message to the requester"),
    "message_in": _l("%(name)s sent a message"),
    "completed": _l("%(name)s closed the request as completed"),
    "refused": _l("%(name)s refused the request"),
    "partly_completed": _l("%(name)s closed the request as partly completed"),
}
ENTERED = {
    "email": _l("%(name)s entered the request, received by email"),
    "phone": _l("%(name)s entered the request, received by phone"),
    "letter": _l("%(name)s entered the request, received by letter"),
}


def _assigned(event: RequestEvent, name: str) -> str:
    data = event.data or {}
    assignee = data.get("assignee") or ""
    if not assignee:
        return _l("%(name)s left the request unassigned") % {"name": name}
    assignee_id = data.get("assignee_id")
    themselves = (
        assignee_id == event.actor_user_id if assignee_id is not None else assignee == event.actor_label
    )
    if themselves:
        return _l("%(name)s took the request on") % {"name": name}
    return _l("%(name)s assigned the request to %(assignee)s") % {"name": name, "assignee": assignee}


def _linked(event: RequestEvent, request: DataRequest, name: str) -> str:
    reference = (event.data or {}).get("reference", "")
    if request.duplicate_of_id is not None or not name:
        return _l("Linked to %(reference)s, an open request of the same person with the same subject") % {
            "reference": reference
        }
    return _l("%(name)s sent the same request again (%(reference)s); it is answered with this one") % {
        "name": name,
        "reference": reference,
    }


def sentence(event: RequestEvent, request: DataRequest) -> str:
    """What happened, naming who acted when the timeline still knows it."""
    name, kind, data = event.actor_label, event.kind, event.data or {}
    if kind == "linked_duplicate":
        return str(_linked(event, request, name))
    if kind == "expired" or not name:
        return str(EVENT_LABELS.get(kind, kind))
    if kind == "assigned":
        return str(_assigned(event, name))
    if kind == "entered" and data.get("channel") in ENTERED:
        return str(ENTERED[data["channel"]] % {"name": name})
    if kind == "extended" and data.get("due_on"):
        return str(
            _l("%(name)s extended the deadline to %(date)s")
            % {"name": name, "date": format_day(data["due_on"])}
        )
    if kind == "unlinked":
        return str(
            _l("%(name)s had this request and %(reference)s handled apart")
            % {"name": name, "reference": data.get("reference", "")}
        )
    if kind in SENTENCES:
        return str(SENTENCES[kind] % {"name": name})
    return str(EVENT_LABELS.get(kind, kind))
