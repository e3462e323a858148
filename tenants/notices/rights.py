"""Which rights a notice must describe, derived from its legal bases (GDPR Art. 7, 15–22, 77)."""

from __future__ import annotations

from .schema import RIGHT_KEYS, NoticeDraft, Right

ALWAYS = ("access", "rectification", "erasure", "restriction", "complaint")


def required_rights(
    bases: set[str],
    *,
    direct_marketing: bool,
    processed_electronically: bool,
    explicit_consent: bool = False,
    research_statistics: bool = False,
) -> list[str]:
    """The rights that apply, in the order a notice lists them.

    Explicit consent to special categories (Art. 9(2)(a)) counts as consent: it can be withdrawn (7(3))
    and, processed by automated means, gives portability (20(1)(a))."""
    keys = set(ALWAYS)
    consent = "consent" in bases or explicit_consent
    if bases & {"legitimate_interests", "public_task"} or direct_marketing or research_statistics:
        keys.add(
            "objection"
        )  # Art. 21(1), always for direct marketing (21(2)), research or statistics (21(6))
    if (consent or "contract" in bases) and processed_electronically:
        keys.add("portability")  # Art. 20
    if consent:
        keys.add("withdraw_consent")  # Art. 7(3)
    return [k for k in RIGHT_KEYS if k in keys]


def rights_for(draft: NoticeDraft) -> list[str]:
    """The rights this draft must describe."""
    return required_rights(
        draft.legal_bases(),
        direct_marketing=draft.direct_marketing,
        processed_electronically=draft.processed_electronically,
        explicit_consent=draft.explicit_consent,
        research_statistics=draft.research_statistics,
    )


def sync_rights(draft: NoticeDraft) -> NoticeDraft:
    """Set the rights list to what the bases require, keeping any own wording of kept rights."""
    own = {item.key: item.text for item in draft.rights.items}
    draft.rights.items = [Right(key=k, text=own.get(k, {})) for k in rights_for(draft)]
    return draft
