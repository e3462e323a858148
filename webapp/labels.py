"""Names of the request types as people read them: the requester's words (the form, the requester's
mail and status page) and the firm's (the inbox and manual entry)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# In the words of the person asking (the form, the requester's mail and status page).
TYPE_LABELS = {
    "access": _l("See my data (right of access)"),
    "rectification": _l("Correct my data"),
    "erasure": _l("Erase my data"),
    "restriction": _l("Restrict the processing of my data"),
    "objection": _l("Object to the processing of my data"),
    "portability": _l("Get my data in a machine-readable form (portability)"),
    "withdraw_consent": _l("Withdraw my consent"),
    "other": _l("Another question about my data"),
}
# In the words of the firm handling it (the inbox, its filters and manual entry).
HANDLER_TYPE_LABELS = {
    "access": _l("Access request"),
    "rectification": _l("Rectification request"),
    "erasure": _l("Erasure request"),
    "restriction": _l("Request to restrict processing"),
    "objection": _l("Objection to processing"),
    "portability": _l("Data portability request"),
    "withdraw_consent": _l("Withdrawal of consent"),
    "other": _l("Other question"),
}
TYPE_GUIDANCE = {
    "access": _l("Tell us if you want all your data or something specific, e.g. your order history."),
    "rectification": _l("Tell us which data are wrong and what they should be."),
    "erasure": _l("Tell us which data you want erased, or say 'all'."),
    "restriction": _l("Tell us which processing you want restricted and why."),
    "objection": _l("Tell us which processing you object to, and your reasons."),
    "portability": _l(
        "Tell us which data you want, and whether they should go to you or to another service."
    ),
    "withdraw_consent": _l("Tell us which consent you withdraw, e.g. the newsletter."),
    "other": _l("Write your question."),
}
