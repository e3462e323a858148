"""Values inside imported sections: dates, contact blocks, list items, bases and rights named in text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .vocabulary import field_label

# --- dates -------------------------------------------------------------------------------------

_MONTHS = {
    **{m: i for i, m in enumerate("tammi helmi maalis huhti touko kesä heinä elo syys loka marras joulu".split(), 1)},
    **{m: i for i, m in enumerate("januari februari mars april maj juni juli augusti september oktober november december".split(), 1)},
    **{m: i for i, m in enumerate("january february march april may june july august september october november december".split(), 1)},
}  # fmt: skip
_MONTH_WORD = r"([a-zåäö]+?)(?:kuuta|kuu)?"
_DATE_PATTERNS = (
    (re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b"), lambda m: (m[3], m[2], m[1])),
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), lambda m: (m[1], m[2], m[3])),
    (re.compile(rf"\b(\d{{1,2}})\.?\s+{_MONTH_WORD}\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[2], m[1])),
    (re.compile(rf"\b{_MONTH_WORD}\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), lambda m: (m[3], m[1], m[2])),
)


def find_date(text: str) -> tuple[date, str] | None:
    """The first date in a text (21.03.2019, 4.1.2018, 2019-03-21, 21 March 2019) and the text it was."""
    hits = []
    for pattern, parts in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            year, month, day = parts(m)
            month = _MONTHS.get(month.lower(), None) if not month.isdigit() else int(month)
            try:
                hits.append((m.start(), date(int(year), month, int(day)), m[0]))
            except (TypeError, ValueError):
                continue
    if not hits:
        return None
    _pos, found, written = min(hits)
    return found, written


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
    for raw in lines:
        line = " ".join(raw.split())
        if not _labelled_into(party, line):
            _unlabelled_into(party, line)
    return party


def _labelled_into(party: Party, line: str) -> bool:
    """A "Label: value" line into its field; False if the line has no label we know, or no value."""
    label, sep, value = line.partition(":")
    which = field_label(label) if sep else None
    value = value.strip()
    if not which or not value:
        return False
    if which == "address":
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
    "contract": r"\bsopimu[a-zåäö]*|\bsopimukse\w*|\bavtal\w*|\bcontract\w*",
    "consent": r"\bsuostumu\w*|\bsamtyck\w*|\bconsent\w*",
    "legitimate_interests": r"\boikeutettu\w* etu\w*|\boikeutetu\w* edu\w*|berättigade? intress\w*|legitimate interests?",
    "legal_obligation": r"lakisäätei\w* velvoit\w*|\blakiin perustuv\w*|lain(?:säädännön)? (?:velvoittama|edellyttämä)\w*|rättslig\w* förpliktelse\w*|lagstadga\w* skyldighet\w*|legal obligations?|required by law|statutory obligations?",
    "vital_interests": r"elintärke\w* etu\w*|grundläggande intressen|vital interests?",
    "public_task": r"yleistä etua koskeva\w* tehtäv\w*|julkisen vallan käyt\w*|allmänt intresse|myndighetsutövning|public interest|official authority|public task",
}  # fmt: skip
_BASIS = {k: re.compile(v, re.I) for k, v in LEGAL_BASIS_PATTERNS.items()}


def legal_bases_in(text: str) -> list[str]:
    """The legal bases a text names, in the order it names them."""
    hits = [(m.start(), key) for key, p in _BASIS.items() if (m := p.search(text))]
    return [key for _pos, key in sorted(hits)]


_RIGHT_PROSE = {
    "access": r"\btarka?st(?:aa|ustaa|usoikeu)|\btarkistaa|pääsy (?:henkilö)?tietoihin|\binsyn\b|tillgång till|right of access|access (?:to )?(?:your|the) (?:personal )?data|\bsee (?:the|your) (?:personal )?data|copy of (?:your|the) data",
    "rectification": r"\boikai\w*|\bkorjaa\w*|\brättelse|\brätta\b|\brectif\w*|\bcorrect\w*",
    "erasure": r"\bpoista\w*|\bunohdetuksi|\bradera\w*|bortglömd|\berase\b|\berasure|\bdeleted?\b|\bforgotten",
    "restriction": r"\brajoit\w*|\bbegräns\w*|\brestrict\w*",
    "objection": r"\bvastusta\w*|\bkieltää\b.{0,60}(?:suoramainon|suoramarkkinoin|markkinoin|käsittely)|\binvända|\bmotsätta|\bobject to\b",
    "portability": r"järjestelmästä toiseen|\bsiirretyksi|dataportab\w*|\bflytta\b|\bportab\w*|\bmove (?:the|your) data",
    "withdraw_consent": r"peruuttaa suostumu\w*|suostumuksen(?:sa)? peruut\w*|återkalla\w*|withdraw\w* (?:your |their )?consent",
    "complaint": r"valvontaviranomai\w*|\bkantelu\w*|tillsynsmyndighet\w*|supervisory authority|lodge a complaint",
}  # fmt: skip
_RIGHTS = {k: re.compile(v, re.I) for k, v in _RIGHT_PROSE.items()}


def rights_in(text: str) -> list[str]:
    """The rights a paragraph of prose names, in the order it names them."""
    hits = [(m.start(), key) for key, p in _RIGHTS.items() if (m := p.search(text))]
    return [key for _pos, key in sorted(hits)]


_EU = r"(?:\bEU\b|\bETA\b|\bEES\b|\bEEA\b|Euroopan (?:unionin|talousalueen)|Europeiska unionen|European Union|European Economic Area|kolmansiin maihin|tredje ?land|third countr)"
TRANSFER_MENTION = re.compile(rf"{_EU}.{{0,80}}(?:ulkopuol|utanför|outside)|(?:ulkopuol|utanför|outside).{{0,40}}{_EU}|kolmansiin maihin|tredje ?land|third countr", re.I)  # fmt: skip
_NO_TRANSFER = re.compile(
    r"\b(?:ei|emme)\s+(?:siirretä|siirrä|siirry|luovuteta|luovuta)\b|\böverför(?:s| vi)?\s+inte\b|\binte\s+överförs\b"
    r"|\bnot\s+(?:be\s+)?transferred\b|\bdo(?:es)?\s+not\s+transfer\b|\bno\s+transfers?\b|\bnever\s+transfer"
    r"|\bno (?:personal )?data (?:is|are|will be) transferred",
    re.I,
)
_SAFEGUARDS = {
    "scc": re.compile(r"vakiosopimuslause|mallisopimuslause|standardavtalsklausul|standard contractual clauses", re.I),
    "adequacy": re.compile(r"riittävyyspäätö|tietosuojan taso on riittävä|beslut om adekvat|adequacy decision|Data Privacy Framework", re.I),
    "bcr": re.compile(r"yritystä koskevat sitovat säännöt|bindande företagsbestämmelser|binding corporate rules", re.I),
}  # fmt: skip


def transfers_answer(text: str, *, under_heading: bool = False) -> bool | None:
    """False when a text says data are not transferred outside the EU/EEA, True when it describes a transfer."""
    if _NO_TRANSFER.search(text):
        return False
    if under_heading or TRANSFER_MENTION.search(text):
        return True
    return None


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
SPECIAL = {
    "health": r"tervey|sairau|allergi|hälso|hälsa|health|medical",
    "trade_union": r"ammattiliit|ammattiyhdist|fackförening|fackligt|trade union",
    "criminal": r"rikosrekister|rikostuom|brottmål|straffregister|criminal",
    "biometric": r"biometr",
    "genetic": r"geneetti|genetisk|genetic",
    "racial_ethnic": r"etninen|etnisen|\brotu|etnisk|ethnic|racial",
    "political": r"poliittinen mielipide|politisk åsikt|political opinion",
    "religious": r"uskonnolli|vakaumu|religiös|religious",
    "sex_life": r"seksuaal|sexualliv|sexuell läggning|sex life|sexual orientation",
}  # fmt: skip
_SPECIAL = {k: re.compile(v, re.I) for k, v in SPECIAL.items()}


HETU = re.compile(
    r"henkilötunnu|\bhetu\b|personbeteckning|personal identity code|social security number", re.I
)


def special_categories_in(text: str) -> list[str]:
    """The special categories of data (Art. 9, 10) a text names."""
    return [key for key, p in _SPECIAL.items() if p.search(text)]


def requirement_kind(text: str) -> str | None:
    """Whether a text says giving the data is statutory, contractual, a contract prerequisite or voluntary."""
    return next((kind for kind, p in REQUIREMENT_KINDS if p.search(text)), None)
