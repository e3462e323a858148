"""Values inside imported sections: dates, contact blocks, list items, bases and rights named in text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import find_date  # noqa: F401  (the date step's reader, long imported from here)
from .vocabulary import field_label

# --- contact blocks ----------------------------------------------------------------------------

EMAIL = re.compile(
    r"(?:\b(?:sähköposti|s-posti|e-post|e-mail|email)\s*:?\s*)?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I
)
BUSINESS_ID = re.compile(
    r"(?:\b(?:y-tunnus|ytunnus|fo-nummer|fo nummer|business id|company id)\s*:?\s*)?\b(?:Y-)?(\d{7}-\d)\b",
    re.I,
)
PHONE = re.compile(
    r"(?:\b(?:puh(?:elin)?|p|tel|tfn|telefon|phone|gsm|mobile|matkapuhelin)\.?\s*:?\s*)?"
    r"(?<![\w+])((?:\+\d{1,3}\s?(?:\(0\)\s?)?|0)\d(?:[ -]?\d){5,12})(?![\w@])",
    re.I,
)
POSTAL = re.compile(r"\b(?:FI-)?(\d{5})[ ,]+([A-ZÅÄÖ][A-Za-zÅÄÖåäöéü-]+)")
WEB = re.compile(r"(?:https?://|www\.)\S+", re.I)
_HOUSE = re.compile(r"\d{1,4}[a-zA-Z]?(?:-\d{1,4})?,?")
_STREET_PREFIXES = {"Pohjoinen", "Eteläinen", "Itäinen", "Läntinen", "Vanha", "Uusi", "Iso", "Pieni"}
_STREET_PREFIXES |= {"Norra", "Södra", "Östra", "Västra", "Gamla", "Nya", "Stora", "Lilla"}
COMPANY_FORMS = {"oy", "oyj", "ab", "abp", "ky", "tmi", "ry", "rf", "ay", "osk", "ltd", "inc", "llc", "gmbh"}


LINE_READ_LIMIT = 1000  # characters of one line of a contact block read for its details


@dataclass
class Party:
    """A controller, contact person or DPO as a source gave it."""

    name: str = ""
    business_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    title: str = ""
    extra: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        """Street, postal code and city as one line."""
        return " ".join(p for p in (self.street, self.postal_code, self.city) if p)

    @property
    def empty(self) -> bool:
        """Nothing was found."""
        return not (self.name or self.email or self.phone or self.address or self.business_id)


def _tidy(text: str) -> str:
    return " ".join(re.sub(r"\(\s*[,;]?\s*\)", " ", text).split()).strip(" ,;|/–-")


def _split_street(text: str) -> tuple[str, str, str]:
    """(text before the street, street and number, text after) on one line."""
    tokens = text.split()
    for i, tok in enumerate(tokens):
        if i == 0 or not _HOUSE.fullmatch(tok) or not re.match(r"[A-ZÅÄÖ]", tokens[i - 1]):
            continue
        start, end = i - 1, i + 1
        if start >= 1 and tokens[start - 1] in _STREET_PREFIXES:
            start -= 1
        if end < len(tokens) and re.fullmatch(r"[A-Za-z],?", tokens[end]):  # staircase: "8 C", "3 B 12"
            end += 1
        if end + 1 < len(tokens) and re.fullmatch(r"(?:as|lgh|bst)\.?", tokens[end], re.I):  # "as. 12"
            end += 1
        if end < len(tokens) and re.fullmatch(r"\d{1,4},?", tokens[end]) and end > i + 1:
            end += 1
        if any(t.strip(",.").lower() in COMPANY_FORMS for t in tokens[end:]):
            continue  # "Firma 2000 Oy": the number is part of a name
        return (
            _tidy(" ".join(tokens[:start])),
            _tidy(" ".join(tokens[start:end])),
            _tidy(" ".join(tokens[end:])),
        )
    return _tidy(text), "", ""


def _take(pattern: re.Pattern, text: str) -> tuple[str, str]:
    m = pattern.search(text)
    if not m:
        return "", text
    return m[1], text[: m.start()] + " " + text[m.end() :]


def _address_into(party: Party, value: str) -> None:
    code, rest = "", value
    m = POSTAL.search(rest)
    if m:
        code, city = m[1], m[2]
        party.postal_code, party.city = party.postal_code or code, party.city or city
        rest = rest[: m.start()] + " " + rest[m.end() :]
    street = _tidy(rest)
    if street:
        party.street = party.street or street


def parse_party(lines: list[str]) -> Party:
    """Name, business ID, address, phone and email from the lines of a contact block."""
    party = Party()
    for line in _labels_joined([" ".join(raw.split()) for raw in lines]):
        if len(line) > LINE_READ_LIMIT:  # no contact detail is this long: the user places it
            party.extra.append(line)
        elif not _labelled_into(party, line):
            _unlabelled_into(party, line)
    return party


def _labels_joined(lines: list[str]) -> list[str]:
    """A label alone on its line ("Nimi") joined to the value on the next ("Anna Koski")."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if field_label(line) and i + 1 < len(lines) and not field_label(lines[i + 1]):
            out.append(f"{line.rstrip(' :')}: {lines[i + 1]}")
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _labelled_into(party: Party, line: str) -> bool:
    """A "Label: value" line into its field; False if the line has no label we know, or no value."""
    label, sep, value = line.partition(":")
    which = field_label(label) if sep else None
    value = value.strip()
    if not which or not value:
        return False
    if which == "details":  # "Muut yhteystiedot: 044 555 0181": read the value by its look
        _unlabelled_into(party, value)
    elif which == "address":
        _address_into(party, value)
    elif which != "web" and not getattr(party, which):
        setattr(party, which, _tidy(value))
    else:  # a web address has no field; a second phone or email does not replace the first
        party.extra.append(line)
    return True


def _unlabelled_into(party: Party, line: str) -> None:
    """A line without a label: its email, IDs and address by their look; the rest is a name or extra."""
    rest = _details_into(party, line)
    before, street, after = _split_street(rest) if not party.street else (_tidy(rest), "", "")
    if street:
        party.street = street
    for piece in (before, after):
        if piece and re.search(r"\w", piece):
            _name_or_extra_into(party, piece)


def _details_into(party: Party, line: str) -> str:
    """Email, business ID, phone and postal code of a line into the party's empty fields; the rest."""
    rest = line
    for attr, pattern in (("email", EMAIL), ("business_id", BUSINESS_ID), ("phone", PHONE)):
        found, after = _take(pattern, rest)
        if found and not getattr(party, attr):
            setattr(party, attr, found.strip())
            rest = after
    m = POSTAL.search(rest)
    if m and not party.postal_code:
        party.postal_code, party.city = m[1], m[2]
        rest = rest[: m.start()] + " " + rest[m.end() :]
    return rest


def _name_or_extra_into(party: Party, piece: str) -> None:
    if not party.name and not WEB.search(piece) and len(piece) <= 200:
        # "Maija Meikäläinen, toimitusjohtaja": the name, then a title or other detail
        party.name, *more = [_tidy(p) for p in piece.split(", ") if _tidy(p)]
        party.extra += more
    else:
        party.extra.append(piece)


# --- lists -------------------------------------------------------------------------------------

# An item boundary: a dash after a space or at the start ("- A - B"), or glued to the end of the
# previous item before a capital ("A- B- C"); "etu- ja sukunimi" stays whole.
_DASH_ITEM = re.compile(r"(?:^|\s)[-–•]\s+|(?<=[^\s\-–])-\s+(?=[A-ZÅÄÖ0-9])")


def split_dash_items(text: str, *, minimum: int = 2) -> tuple[str, list[str]] | None:
    """("lead-in", [items]) for a list glued into one line as "- A- B- C", or None."""
    bounds = list(_DASH_ITEM.finditer(text))
    if len(bounds) < minimum:
        return None
    lead = text[: bounds[0].start()].strip()
    items = []
    for i, m in enumerate(bounds):
        end = bounds[i + 1].start() if i + 1 < len(bounds) else len(text)
        piece = text[m.end() : end].strip()
        if piece:
            items.append(piece)
    return lead, items


def split_sentences(text: str, limit: int) -> list[str]:
    """A long text as pieces under `limit` characters, cut between sentences."""
    if len(text) <= limit:
        return [text]
    out, current = [], ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        while len(sentence) > limit:
            out.append(sentence[:limit])
            sentence = sentence[limit:]
        if current and len(current) + 1 + len(sentence) > limit:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


# --- meanings in text --------------------------------------------------------------------------

LEGAL_BASIS_PATTERNS = {
    "contract": r"(?<!vakio)(?<!malli)(?<!käsittely)(?<!tietojenkäsittely)sopimu[a-zåäö]*|sopimukse\w*|(?<!standard)(?<!biträdes)avtal(?!sklausul)\w*|\bcontract(?!ual clauses)\w*|\bterms of (?:use|service)\b",
    "consent": r"suostumu\w*|\bsamtyck\w*|\bconsent\w*",
    "legitimate_interests": r"\boikeute\w* e[td]u\w*|berättigade? intress\w*|legitimate interests?",
    "legal_obligation": r"lakisäätei\w* velvoit\w*|\blakiin perustuv\w*|lain(?:säädännön)? (?:velvoittama|edellyttämä)\w*|\w*lai?n mukai\w* velvollisuu\w*|\w*laki velvoittaa|\blain (?:perusteella|nojalla)|\w*lagen förpliktar|rättslig\w* förpliktelse\w*|lagstadga\w* skyldighet\w*|legal obligations?|required by (?:the )?(?:\w+ )?(?:law|act)\b|statutory obligations?",
    "vital_interests": r"elintärke\w* etu\w*|grundläggande intressen|vital interests?",
    "public_task": r"yleistä etua koskeva\w* tehtäv\w*|julkisen vallan käyt\w*|allmänt intresse|myndighetsutövning|public interest|official authority|public task",
}  # fmt: skip
_BASIS = {k: re.compile(v, re.I) for k, v in LEGAL_BASIS_PATTERNS.items()}


def legal_bases_in(text: str) -> list[str]:
    """The legal bases a text names, in the order it names them."""
    hits = [(m.start(), key) for key, p in _BASIS.items() if (m := p.search(text))]
    return [key for _pos, key in sorted(hits)]


_RIGHT_PROSE = {
    "access": r"\btarka?st(?:aa|ustaa|usoikeu)|\btarkistaa|pääsy\w* (?:\w+ )?(?:henkilö)?tietoihi|nähtäväksi|nähdä (?:tietosi|omat)|katsoa tietosi|saada tietää|kopio\w* tiedoista|\binsyn\b|tillgång till|granska|right of (?:access|inspection)|\baccess (?:to )?(?:your|the|their) (?:personal )?data|\bsee (?:the|your) (?:personal )?data|\bsee your data|copy of (?:your|the) data|check their own data",
    "rectification": r"\boikai\w*|\bkorjaa\w*|\bkorjat\w*|\brättelse|\brätta\w*|\brectif\w*|\bcorrect\w*",
    "erasure": r"\bpoista\w*|\bpoistoa\b|\bunohdetuksi|\brader\w*|bortglömd|\berase\w*|\berasure|\bdeleted?\b|\bforgotten",
    "restriction": r"\brajoit\w*|\bbegräns\w*|\brestrict\w*",
    "objection": r"\bvastusta\w*|\bkieltää\b.{0,60}(?:suoramainon|suoramarkkinoin|markkinoin|käsittely)|\binvända|\bmotsätta|\bobject(?: to)?\b",
    "portability": r"järjestelmästä toiseen|\bsiirretyksi|siirtämistä toiseen|siirtää tiedot toiselle|koneluettava\w*|dataportab\w*|\bflytta\b|\bportab\w*|\bmove (?:the|your) data|machine-readable",
    "withdraw_consent": r"peruut\w* (?:\w+ ){0,3}suostumu\w*|suostumuksen(?:sa)? (?:\w+ ){0,2}peruut\w*|suostumu\w* (?:\w+ ){0,2}(?:voit )?peruuttaa|återkalla\w*|withdraw\w* (?:\w+ ){0,3}consent",
    "complaint": r"valvontaviranomai\w*|tietosuojavaltuute\w*|\bkantelu\w*|tillsynsmyndighet\w*|dataombudsman\w*|supervisory authority|data protection ombudsman|lodge a complaint",
}  # fmt: skip
_RIGHTS = {k: re.compile(v, re.I) for k, v in _RIGHT_PROSE.items()}


def rights_in(text: str) -> list[str]:
    """The rights a paragraph of prose names, in the order it names them."""
    hits = [(m.start(), key) for key, p in _RIGHTS.items() if (m := p.search(text))]
    return [key for _pos, key in sorted(hits)]


_EU = r"(?:\bEU\b|\bETA\b|\bEES\b|\bEEA\b|Euroopan (?:unionin|talousalueen)|Europeiska unionen|European Union|European Economic Area|kolmansiin maihin|tredje ?land|third countr)"
TRANSFER_MENTION = re.compile(rf"{_EU}.{{0,80}}(?:ulkopuol|utanför|outside)|(?:ulkopuol|utanför|outside).{{0,40}}{_EU}|kolmansiin maihin|tredje ?land|third countr", re.I)  # fmt: skip
_SAFEGUARDS = {
    "scc": re.compile(r"vakiosopimuslause|mallisopimuslause|standardavtalsklausul|standard contractual clauses", re.I),
    "adequacy": re.compile(r"riittävyyspäätö|tietosuojan taso on riittävä|beslut om adekvat|adequacy decision|Data Privacy Framework|tietosuojakehy|dataskyddsramverk", re.I),
    "bcr": re.compile(r"yritystä koskevat sitovat säännöt|bindande företagsbestämmelser|binding corporate rules", re.I),
}  # fmt: skip


def safeguard_in(text: str) -> str | None:
    """The transfer safeguard a text names (scc, adequacy, bcr), or None."""
    return next((key for key, p in _SAFEGUARDS.items() if p.search(text)), None)


NOT_USED = re.compile(
    r"\b(?:ei|eikä|emme)\s+(?:tehdä|käytetä|käytä|sovelleta|suoriteta|harjoiteta|ole|tee)\b"
    r"|\b(?:inte|ingen|inga|aldrig)\b|\b(?:not|no|never)\b",
    re.I,
)
CONSENT_WITHDRAWAL = re.compile(r"peruut|peruu|återkall|withdraw", re.I)
DIRECT_MARKETING = re.compile(
    r"suoramainon|suoramarkkinoin|direktmarknadsför|direktreklam|direct marketing", re.I
)
REQUIREMENT_KINDS = (
    ("voluntary", re.compile(r"vapaaehtoi|frivillig|voluntary|not required|ei ole pakollista", re.I)),
    ("contract_prerequisite", re.compile(r"sopimuksen (?:tekemisen|syntymisen) edellytys|förutsättning för (?:att ingå )?avtal|(?:necessary|required) to (?:enter into|conclude) (?:a|the) contract", re.I)),
    ("statutory", re.compile(r"lakisääteinen|lakiin perustuva|lagstadgad|statutory|required by law", re.I)),
    ("contractual", re.compile(r"sopimukseen perustuva|avtalsenlig|contractual", re.I)),
)  # fmt: skip
HETU = re.compile(
    r"henkilötunnu|\bhetu\b|personbeteckning|personal identity code|social security number", re.I
)


def requirement_kind(text: str) -> str | None:
    """Whether a text says giving the data is statutory, contractual, a contract prerequisite or voluntary."""
    return next((kind for kind, p in REQUIREMENT_KINDS if p.search(text)), None)
