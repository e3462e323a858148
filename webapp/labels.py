"""Names of the request types as people read them, shared by the request form and the inbox."""

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
