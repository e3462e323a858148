"""The yes/no facts a notice states: transfers outside the EU/EEA, special categories, automated decisions.

A fact is read from the sentences that speak of it, wherever they stand. A negation ("ei
käsitellä", "not processed", "behandlas inte") never makes a yes. A "no" needs a plain
statement: a hedge ("ellei", "paitsi", "tarvittaessa", "unless", "utom om") or any mention of
a third country or of a service based there (a US analytics or mailing tool) keeps the answer
open. When unsure, the answer stays unanswered and the sentence that made it so is quoted for
the import report, so that the firm answers the question itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NEGATION = re.compile(
    r"\b(?:ei|eikä|emme|eivät|älä)\b|\b(?:inte|ej|inga|ingen|inget|aldrig)\b"
    r"|\b(?:not|no|never|neither|nor|none)\b|n't\b",
    re.I,
)
HEDGE = re.compile(
    r"\bellei\b|\bpaitsi\b|tarvittaessa|pääsääntöisesti|lähtökohtaisesti|\byleensä\b|mahdollisesti|muutoin"
    r"|\bunless\b|\bexcept\b|as a rule|\bgenerally\b|\bnormally\b|in principle|where necessary|if necessary|otherwise"
    r"|\butom\b|\bförutom\b|i regel|i princip|vanligen|vid behov|i övrigt|annars",
    re.I,
)
_YES_WORD = re.compile(r"^\s*(?:kyllä|joo|yes|ja)\b", re.I)
_SHORT = 5  # words: "Ei siirretä.", "Ei ole käytössä." answer the heading's question

# --- transfers ----------------------------------------------------------------------------------

_ABROAD = re.compile(
    r"(?:\beu\b|\beta\b|\bees\b|\beea\b|euroopan \w+|europeiska \w+|european \w+)(?::n|:s)?\s+(?:tai \w+:n\s+|eller \w+\s+|or \w+\s+)?(?:ulkopuol|utanför)"
    r"|(?:ulkopuolelle|utanför|outside(?: of)?)\s+(?:the\s+)?(?:eu|eea|eta|ees|europ)"
    r"|kolmans\w* mai|tredje ?land|third countr",
    re.I,
)
_FOREIGN = re.compile(
    r"yhdysval|\busa\b|\bus-|amerikkalai|united states|\bu\.s\.|amerikansk|förenta staterna|\bkanada\b|\bcanada\b"
    r"|\bintia\b|\bindien\b|\bindia\b|\bkiina\b|\bkina\b|\bchina\b|iso-britannia|storbritannien|united kingdom|\buk\b"
    r"|google|facebook|\bmeta\b|instagram|mailchimp|microsoft|amazon|\baws\b|hubspot|\bzoom\b|slack|dropbox"
    r"|salesforce|stripe|paypal|youtube|linkedin|vimeo|shopify|zapier|calendly|surveymonkey|cloudflare|tiktok",
    re.I,
)
_MOVED = re.compile(
    r"siirretään|siirtää|siirtyä|siirtyvät|siirtyy|\bsiirto perustuu|käsitellä tietoja \w*(?:lloissa|ssa)\b"
    r"|säilytetään (?:yhdysval|eu:n ulkop)|\btransferred\b|\btransfers? (?:relies|is based|takes place|are made)"
    r"|stored (?:there|in the united states|outside)|processed (?:there|in the united states|outside)"
    r"|överförs\b|överför vi|lagras (?:där|i usa|utanför)|behandlas (?:där|i usa|utanför)",
    re.I,
)
_NOT_MOVED = re.compile(
    r"\b(?:ei|emme)\s+(?:\w+\s+)?(?:siirretä|siirrä|siirry)\b|\böverför(?:s| vi)?\s+inte\b|\binte\s+överförs\b"
    r"|\bnot\s+(?:be\s+)?transferred\b|\bdo(?:es)?\s+not\s+transfer\b|\bno\s+transfers?\b|\bnever\s+transfer"
    r"|\bno (?:personal )?data (?:is|are|will be) transferred",
    re.I,
)

# --- special categories -------------------------------------------------------------------------

SPECIAL = {
    "health": r"tervey|sairau|allergi|lääkity|hälso|hälsa|sjukdom|allergi|health|medical|allerg",
    "trade_union": r"ammattiliit|ammattiyhdist|fackförening|fackligt|trade union",
    "criminal": r"rikosrekister|rikostuom|brottmål|straffregister|criminal (?:record|conviction)",
    "biometric": r"biometr",
    "genetic": r"geneetti|genetisk|genetic",
    "racial_ethnic": r"etninen|etnisen|\brotu|etnisk|ethnic|racial",
    "political": r"poliittinen mielipide|politisk åsikt|political opinion",
    "religious": r"uskonnolli|vakaumu|religiös|religious",
    "sex_life": r"seksuaal|sexualliv|sexuell läggning|sex life|sexual orientation",
}  # fmt: skip
_SPECIAL = {k: re.compile(v, re.I) for k, v in SPECIAL.items()}
_SPECIAL_CLASS = re.compile(
    r"erityi\w* henkilötie|erityisiin henkilötietoryhm|erityisiä henkilötietoryhm|arkaluonte|arkaluont"
    r"|särskilda kategorier|känsliga (?:person)?uppgifter|special categor|sensitive (?:personal )?data",
    re.I,
)
# Sections where naming a special category means processing it (not recipients or retention rules).
_SPECIAL_SECTIONS = ("data_categories", "special_justification", "purposes", "other_information")

# --- automated decisions -------------------------------------------------------------------------

_AUTOMATED = re.compile(
    r"automaattis\w* (?:päätö|luottopäätö|käsittel|päätöksentek)|profiloi|profilointi"
    r"|automatiser\w* (?:beslut|beslutsfattande)|automatiskt (?:en |ett )?(?:kreditprövning|beslut)|profilering"
    r"|automated (?:decision|processing)|solely on automated|profiling|\bprofile (?:you|our|customers|users)",
    re.I,
)


@dataclass
class Fact:
    """A yes/no question of the notice: the answer the source gives (None: it does not say for sure)."""

    answer: bool | None
    quote: str = ""
    categories: list[str] = field(default_factory=list)


def _quote(sentences: list[str]) -> str:
    text = " ".join(sentences)
    return text if len(text) <= 400 else text[:399] + "…"


def _short_answer(sentence: str) -> bool | None:
    """A short sentence under the question's own heading: "Ei.", "Ei ole käytössä.", "Kyllä."."""
    if len(sentence.split()) > _SHORT:
        return None
    if NEGATION.search(sentence):
        return False
    return True if _YES_WORD.match(sentence) else None


def transfers(sentences: list[tuple[str, str]]) -> Fact:
    """Whether data leave the EU/EEA, from (section, sentence) pairs of the whole notice."""
    yes, no, open_ = [], [], []
    for key, s in sentences:
        own = key == "transfers"
        mention = _ABROAD.search(s) or _FOREIGN.search(s)
        if not (own or mention):
            continue
        if _MOVED.search(s) and not NEGATION.search(s):
            yes.append(s)
        elif (_NOT_MOVED.search(s) or (own and _short_answer(s) is False)) and not HEDGE.search(s):
            (open_ if _FOREIGN.search(s) else no).append(s)
        elif own and _short_answer(s):
            yes.append(s)
        elif mention or HEDGE.search(s):
            open_.append(s)
    if yes:
        return Fact(True, _quote(yes[:2]))
    if no and not open_:
        return Fact(False, _quote(no[:1]))
    return Fact(None, _quote(open_[:2]))


def automated_decisions(sentences: list[tuple[str, str]]) -> Fact:
    """Whether decisions are made by computer alone or people profiled."""
    yes, no, open_ = [], [], []
    for key, s in sentences:
        own = key == "automated_decisions"
        mention = _AUTOMATED.search(s)
        if mention and not NEGATION.search(s):
            yes.append(s)
        elif (mention or (own and _short_answer(s) is False)) and NEGATION.search(s):
            (open_ if HEDGE.search(s) else no).append(s)
        elif own and _short_answer(s):
            yes.append(s)
        elif own:
            open_.append(s)
    if yes:
        return Fact(True, _quote(yes[:2]))
    if no:
        return Fact(False, _quote(no[:1]))
    return Fact(None, _quote(open_[:1]))


def special_categories(sentences: list[tuple[str, str]]) -> Fact:
    """Which special categories are processed (Art. 9, and criminal data), or that none are."""
    found: list[str] = []
    yes, no, open_ = [], [], []
    for key, s in sentences:
        named = [k for k, p in _SPECIAL.items() if p.search(s)]
        generic = _SPECIAL_CLASS.search(s)
        if not (named or generic) or key not in (*_SPECIAL_SECTIONS, "special_categories"):
            continue
        if NEGATION.search(s):
            (no if generic and not HEDGE.search(s) else open_).append(s)
        elif named:
            yes.append(s)
            found += [k for k in named if k not in found]
        else:
            open_.append(s)
    if yes:
        return Fact(True, _quote(yes[:2]), found)
    if no and not open_:
        return Fact(False, _quote(no[:1]))
    return Fact(None, _quote(open_[:1]))


def read_facts(sentences: list[tuple[str, str]]) -> dict[str, Fact]:
    """Every yes/no fact of a notice from its sentences, each with the section it stands in."""
    return {
        "transfers": transfers(sentences),
        "special_categories": special_categories(sentences),
        "automated_decisions": automated_decisions(sentences),
    }
