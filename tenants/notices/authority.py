"""The Finnish supervisory authority: the one place its contact details live."""

AUTHORITY = {
    "fi": {
        "name": "Tietosuojavaltuutetun toimisto",
        "visiting": "Lintulahdenkuja 4, 00530 Helsinki",
        "postal": "PL 800, 00531 Helsinki",
        "phone": "029 566 6700",
        "email": "tietosuoja@om.fi",
        "web": "https://tietosuoja.fi",
    },
    "sv": {
        "name": "Dataombudsmannens byrå",
        "visiting": "Fågelviksgränden 4, 00530 Helsingfors",
        "postal": "PB 800, 00531 Helsingfors",
        "phone": "029 566 6700",
        "email": "tietosuoja@om.fi",
        "web": "https://tietosuoja.fi/sv",
    },
    "en": {
        "name": "Office of the Data Protection Ombudsman",
        "visiting": "Lintulahdenkuja 4, 00530 Helsinki",
        "postal": "P.O. Box 800, 00531 Helsinki, Finland",
        "phone": "+358 29 566 6700",
        "email": "tietosuoja@om.fi",
        "web": "https://tietosuoja.fi/en",
    },
}

# Addresses the office has left; a notice that still gives them is out of date. Each names the office's
# own street or box, so that another firm's valid PO box (say "PL 123, 00521 Helsinki") is not hit.
OUTDATED_ADDRESS_PATTERNS = (
    r"Ratapihantie\s*9",
    r"\b(?:PL|PB|P\.?\s?O\.?\s?Box)\s*800\s*,?\s*00521\b",
    r"Albertinkatu\s*25",
    r"\b(?:PL|PB|P\.?\s?O\.?\s?Box)\s*315\s*,?\s*00181\b",
)


def authority(language: str) -> dict[str, str]:
    """The authority's details in a notice language."""
    return AUTHORITY[language]
