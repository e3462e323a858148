"""The one catalogue of what a person reads when the domain refuses something.

Services raise `ValidationFailed` with a code (and the field it belongs to); every view, form and
command words it here, in the interface language. A requester reads a few things differently from
a member of the organisation (`FOR_REQUESTERS`).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tenants.errors import ValidationFailed

MESSAGES = {
    # accounts and the organisation
    "business_id_invalid": _l(
        "This is not a valid Business ID. It looks like 1234567-8 and its last digit is a check digit."
    ),
    "email_invalid": _l("Enter an email address such as name@example.fi."),
    "public_email_invalid": _l(
        "Enter the organisation's public email address, such as tietosuoja@yritys.fi, or leave it empty."
    ),
    "public_phone_invalid": _l(
        "Enter a phone number with its digits, such as 09 123 4567 or +358 9 123 4567, or leave it empty."
    ),
    "user_not_found": _l("No user has this email address."),
    "platform_business_id_differs": _l(
        "Seloste's own organisation already exists with another Business ID, which cannot be changed."
    ),
    "email_taken": _l("An account already uses this email address."),
    "name_required": _l("Enter your name."),
    "company_name_required": _l("Enter the company's name."),
    "password_too_short": _l("Use at least 10 characters."),
    "password_too_long": _l("Use at most 256 characters."),
    "password_too_common": _l(
        "This password is among the most common ones or follows a simple pattern, so it is easy to "
        "guess. Choose a phrase of several words of your own."
    ),
    "current_password_wrong": _l("The current password is not correct."),
    "language_invalid": _l("Choose one of the offered languages."),
    "role_invalid": _l("Choose one of the offered roles."),
    "already_member": _l("This person is already a member."),
    "last_owner": _l("The organisation must keep at least one owner."),
    "slug_invalid": _l("Use lower-case letters a–z, digits and hyphens."),
    "slug_reserved": _l("This address is reserved. Choose another."),
    "slug_taken": _l("This address is taken. Choose another."),
    "retention_months_invalid": _l("Between 1 and 120 months."),
    "plan_limit_languages": _l(
        "The Free plan has one language per notice. Upgrade to Pro for Finnish, Swedish and English."
    ),
    "plan_limit_published_notices": _l(
        "The Free plan has one published notice. Upgrade to Pro to publish more."
    ),
    "plan_limit_members": _l("The Free plan has one member. Upgrade to Pro to invite colleagues."),
    "plan_limit_members_invitation": _l(
        "The organisation's plan has room for no more members. Ask its owner to upgrade to Pro, then open the invitation link again."
    ),
    "plan_limit_locked": _l(
        "Editing is paused because the payment is overdue. Update the payment details under Billing; your published notices and request forms keep working."
    ),
    # requests: the form, manual entry and the inbox's actions
    "request_type_invalid": _l("Choose what you want to ask."),
    "too_long": _l("This is too long."),
    "control_characters": _l("This contains invisible control characters. Please remove them."),
    "identity_note_required": _l("Say how you checked who the person is."),
    "channel_invalid": _l("Choose how the request arrived."),
    "received_in_future": _l("The date cannot be in the future."),
    "date_invalid": _l("Give the date, e.g. 2026-11-23."),
    "illegal_transition": _l("That is not possible in the request's current state."),
    "text_required": _l("Write something first."),
    "assignee_invalid": _l("Choose a member of your organisation."),
    "already_extended": _l("The deadline can be extended only once."),
    "extension_months_invalid": _l("Choose one or two months."),
    "extension_too_late": _l("The deadline can only be extended before the original due date."),
    "extension_reason_required": _l("Give the reason; the requester is told it."),
    "outcome_required": _l("Say what was done, or why the request is refused."),
    "close_result_required": _l("Choose whether the request was completed or refused."),
    # notices: importing the notice a firm has
    "import_file_type": _l("Upload a .txt, .html, .md or .docx file, or paste the text."),
    "import_file_too_large": _l("The file is too large (at most 2 MB)."),
    "import_text_too_long": _l("The text is too long (at most 2 MB)."),
    "import_empty": _l("Paste the text of your notice, or choose a file."),
    "import_encoding": _l("The file's characters could not be read. Save it as UTF-8 text and try again."),
    "import_not_docx": _l("This does not look like a Word (.docx) file."),
    "import_docx_too_large": _l(
        "This Word file unpacks to too much content (at most 16 MB, of which the text at most 8 MB) "
        "or has too many parts for a privacy notice. Save the notice alone in a new file, or paste its text."
    ),
    "import_docx_too_slow": _l(
        "Reading this Word file took too long. Save the notice alone in a new file, or paste its text."
    ),
    "import_split_unavailable": _l("This draft was not imported from a file that holds several notices."),
    "import_split_changed": _l(
        "The draft has changed since the import, so it can no longer be split. Import the file again to split it."
    ),
    "import_controller_unknown": _l("Choose either this organisation or the controller your notice names."),
    "import_too_many_headings": _l(
        "The text has more than 500 headings, far more than a privacy notice has. Check that this is the notice you meant to import."
    ),
    # notices: the wizard, publishing and withdrawing
    "title_required": _l("Give the notice a name."),
    "languages_required": _l("Choose at least one language."),
    "primary_language_not_chosen": _l("The main language must be one of the chosen languages."),
    "starter_unknown": _l("Choose one of the offered templates."),
    "not_ready": _l("The completeness check still finds items that must be fixed before publishing."),
    "prepared_on_invalid": _l("Give the date as it appears in the calendar, e.g. 2026-11-23."),
    "prepared_on_in_future": _l("The date prepared cannot be in the future."),
    "prepared_on_required": _l("Your imported notice states no date: give the date it was prepared."),
    "prepared_on_before_previous": _l(
        "The date prepared cannot be earlier than that of the previous version."
    ),
    "change_note_required": _l("Say briefly what changed, for readers of the version history."),
    "not_published": _l("This notice is not published."),
}

# Where the person who sent a request reads something else than a member would.
FOR_REQUESTERS = {
    "text_required": _l("Write your message."),
    "illegal_transition": _l("This request is closed. Send a new request if you need to."),
}

CHECK_THIS = _l("Check this value.")


def message(code: str, *, requester: bool = False) -> str:
    """What a person reads for a domain error code, in the interface language."""
    wording = (FOR_REQUESTERS.get(code) if requester else None) or MESSAGES.get(code) or CHECK_THIS
    return str(wording)


def field_errors(error: ValidationFailed, *, requester: bool = False, prefix: str = "") -> dict[str, str]:
    """Every problem of a refused form as {field name: message}; a problem of the whole form is
    under "form"."""
    return {
        (f"{prefix}{field}" if field else "form"): message(code, requester=requester)
        for field, code in error.problems.items()
    }
