"""Text placed by what it says, where no heading says where it belongs.

Used for notices without headings, for headings per activity ("Website", "Analytics",
"Customers") instead of per topic, for the text after an inline label's value, and to share
out the text under a heading that names two topics ("Luovutukset ja siirrot EU:n
ulkopuolelle"). Each sentence is scored against the words of every section in fi, sv and en;
consecutive sentences about the same thing stay together, and a sentence that names nothing
stays with its neighbours. A placement is sure when one section clearly wins; otherwise the
text also stays where it stood, and the import report lists every placement it inferred.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..richtext import to_plain
from .blocks import Block
from .dates import split_sentences

# section -> patterns on lower-cased text; each pattern that matches adds one to the section's score
TOPICS: dict[str, tuple[str, ...]] = {
    "retention": (
        r"säilyt(?:etään|ämme|än|ää|etty|ys|tämis)|poiste(?:taan|tuvat)|poistamme|poistuvat|hävitetään|pyyhkiytyv",
        r"\bsparas\b|\bsparar\b|förvar(?:as|ar)|\blagras\b|bevaras|raderas|gallras",
        r"\bkept\b|\bkeep (?:the|your|it|them|their|customer|personal)|\bretain|retention|(?:are|is|be) (?:deleted|erased|removed) (?:\d|one|two|three|six|when|after|as soon|within)",
        r"\b(?:\d+|yhden|kahden|kolmen|kuuden|vuoden|kuukauden|viiden|kymmenen)\s*(?:vuo|kuukau|päiv|vuorokau|viiko)|\b(?:\d+|ett|två|tre|sex|tio)\s+(?:år|månad|dag|vecko)|\b(?:\d+|one|two|three|five|six|ten|twelve)\s+(?:years?|months?|days?|weeks?)\b",
    ),
    "transfers": (
        r"(?:eu|eta|ees|eea|euroopan \w+)(?::n)?\s+(?:tai \w+:n\s+)?ulkopuol|utanför (?:eu|ees|europa)|outside (?:the )?(?:eu|eea|european)",
        r"kolmans\w* mai|tredje ?land|third countr",
        r"yhdysval|\busa\b|amerikkalai|united states|\bu\.s\.|amerikansk|förenta staterna",
        r"vakiosopimuslauseke|standardavtalsklausul|standard contractual clauses|tietosuojakehy|data privacy framework|riittävyyspäätö|adequacy decision",
    ),
    "automated_decisions": (
        r"automaattis\w* (?:päätö|luottopäätö|päätöksen)|profiloi|profilointi",
        r"automatiser\w* beslut|automatiskt en|profilering",
        r"automated (?:decision|processing)|solely on automated|profiling|\bprofile (?:you|our|customers|users)",
    ),
    "cookies": (r"eväste|\bkakor\b|\bkak(?:a|an)\b|cookie",),
    "data_categories": (
        r"(?:keräämme|tallennamme|tallennetaan|käsittelemme|käsitellään|kerätään|pyydämme|saamme)\b.{0,90}(?:nim(?:i|et|eä|iä|esi)|osoit|puhelin|sähköpost|syntymä|henkilötunnu)",
        r"(?:behandlar|samlar in|sparar|registrerar|ber om)\b.{0,90}(?:namn|adress|telefon|e-post|födelse|personbeteckning)",
        r"(?:collect|store|record|ask for|process|hold|keep)\b.{0,90}(?:\bname|address|phone|e-?mail|date of birth)",
    ),
    "purposes": (
        r"tarkoitu|käytämme (?:tietoja|niitä)|tietoja käytetään|tarvitsemme (?:tietoja|niitä)|jotta voimme",
        r"perustuu|oikeusperust|suostumu|oikeutet\w* e[td]u|sopimu",
        r"ändamål|används för|behövs för|för att (?:kunna )?(?:sköta|hantera|planera|fakturera|skicka)|grundar sig|rättslig grund|samtycke|berättigat intresse|avtal",
        r"purpose|we use (?:the|your|this|these) (?:data|information)|\bto (?:deliver|manage|handle|invoice|provide|hold|take)\b|necessary (?:for|to)|on the basis of|legal basis|consent|legitimate interest|\bcontract\b",
    ),
    "recipients": (
        r"luovut(?:etaan|amme|eta|ta)|välitetään|välitämme|puolestamme|tilitoimisto|kirjanpitäjä|kuljetusliik|kumppanei"
        r"|\b(?:anneta|annetaan)\b.{0,30}(?:muille|\w+lle\b)",
        r"lämnas ut|lämnar (?:inte )?ut|överlåt|för vår räkning|bokföringsbyrå",
        r"\bshare|disclos|on our behalf|service provider|accounting firm|\bprocessor",
    ),
    "sources": (
        r"saamme tiedot|tiedot saadaan|tietoja saadaan|antaa tiedot|saadaan (?:asiakkaalta|jäseneltä|hakijalta)",
        r"fås av|får vi uppgifter|uppgifterna fås",
        r"we get (?:the|your) data|we receive (?:the|your) data from|you give us|obtained from",
    ),
    "security": (
        r"suoja(?:ttu|taan|amme|tussa)|salasan|tunnuks|lukitu|palomuur|salat|käyttöoikeu|kirjaudutaan|tietoturva",
        r"skydd(?:as|ar|at)|lösenord|krypter|\blåst|behörighet|användarkonto",
        r"protect|password|encrypt|\blocked\b|access control|firewall|two-factor",
    ),
    "rights": (
        r"oikeus (?:tarkastaa|saada|pyytää|vaatia|vastustaa|rajoittaa|siirtää|kieltää|peruuttaa|tehdä)|voit (?:pyytää|tarkastaa|vaatia|peruuttaa|vastustaa|kieltää|tehdä valituksen)|on oikeus",
        r"rätt att|rätt till|du kan (?:begära|be|återkalla|invända|lämna klagomål)|har rätt",
        r"right (?:to|of)|you (?:can|may) (?:ask|request|withdraw|object|complain)|you have the right",
        r"valvontaviranomai|tietosuojavaltuutet|tillsynsmyndighet|dataombudsman|supervisory authority|data protection ombudsman",
    ),
}
_TOPICS = {key: [re.compile(p) for p in ps] for key, ps in TOPICS.items()}
# The person-data words that make a list of data categories ("nimi, osoite, puhelinnumero")
_DATA_NOUNS = re.compile(
    r"\bnim(?:i|et|eä|iä|esi)\b|osoit|puhelinnumer|sähköpostiosoit|syntymä|henkilötunnu"
    r"|\bnamn\b|adress|telefonnummer|e-postadress|födelse|\bname\b|address|phone number|date of birth",
)


SENTENCE_LIMIT = 2000  # characters: text without a sentence break this long is not placed by meaning


@dataclass
class Placement:
    """Blocks that say one thing: the section they belong to (None: none), and whether that is sure."""

    key: str | None
    blocks: list[Block]
    sure: bool


def scores(text: str, allowed: tuple[str, ...] | None = None) -> dict[str, int]:
    """How strongly a text speaks of each section (a text longer than a long paragraph: of none)."""
    if len(text) > SENTENCE_LIMIT:
        return {}
    low = text.lower()
    out = {}
    for key, patterns in _TOPICS.items():
        if allowed is not None and key not in allowed:
            continue
        n = sum(1 for p in patterns if p.search(low))
        if key == "data_categories" and len(_DATA_NOUNS.findall(low)) >= 2:
            n += 1
        if n:
            out[key] = n
    return out


def topic_of(text: str, allowed: tuple[str, ...] | None = None) -> tuple[str | None, bool]:
    """The section a sentence speaks of and whether that is sure (one clear winner)."""
    found = scores(text, allowed)
    if not found:
        return None, False
    ranked = sorted(found.items(), key=lambda kv: -kv[1])
    top, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    if best == second:
        tied = [k for k, v in ranked if v == best]
        top = next(k for k in _PREFERENCE if k in tied)
        return top, False
    return top, best >= 2 and best > second


# When two sections tie, the more specific wins: a sentence on keeping data abroad is a transfer.
_PREFERENCE = (
    "transfers",
    "automated_decisions",
    "cookies",
    "rights",
    "retention",
    "data_categories",
    "sources",
    "recipients",
    "security",
    "purposes",
)


def _pieces(block: Block) -> list[tuple[Block, str]]:
    """A paragraph in plain text cut into sentences; a block with markup or a list item stays whole."""
    text = block.text
    if block.kind != "p" or re.search(r"<(?:a|b|i)\b", block.html):
        return [(block, text)]
    sentences = split_sentences(text)
    if len(sentences) < 2:
        return [(block, text)]
    return [(Block("p", html.escape(s, quote=False)), s) for s in sentences]


def place(blocks: list[Block], allowed: tuple[str, ...] | None = None) -> list[Placement]:
    """Blocks grouped by what they say, in order."""
    out: list[Placement] = []
    for blk, text in [p for b in _join_lists(blocks) for p in _pieces(b)]:
        key, sure = topic_of(text, allowed)
        last = out[-1] if out else None
        if last is not None and (key is None or key == last.key):
            last.blocks.append(blk)
            last.sure = last.sure and (sure or key is None)
        elif last is not None and last.key is None:
            last.key, last.sure = key, sure
            last.blocks.append(blk)
        else:
            out.append(Placement(key, [blk], sure))
    return out


def _join_lists(blocks: list[Block]) -> list[Block]:
    """A run of list items, with the lead-in ending in a colon before it, read as one block."""
    out: list[Block] = []
    for blk in blocks:
        last = out[-1] if out else None
        if blk.kind == "li" and last is not None and last.kind == "group":
            last.html += f"<li>{blk.html}</li>"
        elif blk.kind == "li" and last is not None and last.kind == "p" and last.text.endswith(":"):
            out[-1] = Block("group", f"{last.html}\x00<li>{blk.html}</li>")
        elif blk.kind == "li":
            out.append(Block("group", f"\x00<li>{blk.html}</li>"))
        else:
            out.append(blk)
    return out


def group_blocks(blk: Block) -> list[Block]:
    """A lead-in and its items back as blocks (see _join_lists)."""
    if blk.kind != "group":
        return [blk]
    lead, _, items = blk.html.partition("\x00")
    out = [Block("p", lead)] if to_plain(lead).strip() else []
    return out + [Block("li", i) for i in re.findall(r"<li>(.*?)</li>", items, re.S)]


def text_of(blocks: list[Block]) -> str:
    """Blocks as one line of plain text (for the report)."""
    return " ".join(to_plain(b.html.replace("\x00", " ")) for b in blocks).strip()
