"""The facts a notice states: transfers outside the EU/EEA, special categories, automated decisions,
and where the data come from.

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


# --- where the data come from ---------------------------------------------------------------------

# The person as a source: "rekisteröidyltä itseltään", "asiakkaan antamat tiedot", "av den registrerade".
_PERSON = re.compile(
    r"\b(?:rekisteröidyltä|henkilöltä|asiakkaalta|hakijalta|jäseneltä|työntekijältä|käyttäjältä|sinulta)\b"
    r"|\bitseltään\b|\b(?:rekisteröity|henkilö|asiakas|hakija|jäsen|työntekijä) itse\b"
    r"|\b(?:rekisteröidyn|henkilön|asiakkaan|hakijan|jäsenen|työntekijän|käyttäjän) (?:itse )?"
    r"(?:antam|ilmoittam|tekem|toimittam)"
    r"|\b(?:av|från) (?:den registrerade|dig|kunden|sökanden|medlemmen|den anställda|användaren)\b"
    r"|\b(?:den registrerade|kunden|sökanden|medlemmen|den anställda) själv"
    r"|\bthe data subject\b|\bfrom you\b|\byou yourself\b|\byou give\b"
    r"|\bthe (?:customer|applicant|member|employee|user|person) (?:themselves|gives|provides)\b",
    re.I,
)
# Sources other than the person: authorities, registers, other firms, referees, partners.
_ELSEWHERE = re.compile(
    r"viranomai|rekisteristä|väestötie|väestörekister|asiakastieto|luottotie|yhteistyökumppaneilta"
    r"|kumppaneilta|alihankkijoilta|yrityksiltä|yritykseltä|työnantajalta|suosittelij|rekrytointipalvelu"
    r"|henkilöstöpalvelu|verohallin|kaupparekister|päivityspalvelu|kolmansilta|julkisista lähteistä"
    r"|myndighet|befolkningsdata|kreditupplysning|samarbetspartner|underleverantör|från företag"
    r"|arbetsgivar|referens|skatteförvaltning|handelsregist|tredje part|offentliga källor"
    r"|authorit|population (?:register|information)|credit (?:information|reference)|\bpartners\b"
    r"|subcontractor|other compan|employer|referee|recruitment (?:service|agency)|staffing agency"
    r"|tax administration|trade register|third part|public sources",
    re.I,
)
_ONLY = re.compile(r"\b(?:vain|ainoastaan|pelkästään|endast|enbart|bara|only|solely)\b", re.I)
_OTHER_SOURCES = re.compile(
    r"muista lähteistä|muualta|muilta tahoilta|andra källor|annat håll|other sources|elsewhere|anyone else",
    re.I,
)


@dataclass
class Fact:
    """A question of the notice: the answer the source gives (None: it does not say for sure); a yes or
    no, or for where the data come from one of "data_subject", "both"."""

    answer: bool | str | None
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


def collected_from(sentences: list[tuple[str, str]]) -> Fact:
    """Where the data come from, from the sentences of the sources section: "both" where the text names
    the person and another source, "data_subject" where it says the data come only from the person, and
    nothing stronger than that. Only from elsewhere is never read: a list without the person does not say
    that the person gives nothing."""
    person, other, only, open_ = [], [], [], []
    for key, s in sentences:
        if key != "sources":
            continue
        names_person, names_other = _PERSON.search(s), _ELSEWHERE.search(s)
        if NEGATION.search(s):
            if _OTHER_SOURCES.search(s) and not HEDGE.search(s) and not names_other:
                only.append(s)  # "Muista lähteistä tietoja ei saada."
            continue
        if HEDGE.search(s) and (names_person or names_other):
            open_.append(s)
            continue
        if names_person:
            person.append(s)
            if _ONLY.search(s) and not names_other:
                only.append(s)
        if names_other:
            other.append(s)
    if open_:
        return Fact(None, _quote(open_[:2]))
    if person and other:
        return Fact("both", _quote([person[0], other[0]] if person[0] != other[0] else person[:1]))
    if person and only and not other:
        return Fact("data_subject", _quote(list(dict.fromkeys([person[0], only[0]]))))
    return Fact(None, _quote((person or other)[:1]))


def read_facts(sentences: list[tuple[str, str]]) -> dict[str, Fact]:
    """Every yes/no fact of a notice from its sentences, each with the section it stands in."""
    return {
        "transfers": transfers(sentences),
        "special_categories": special_categories(sentences),
        "automated_decisions": automated_decisions(sentences),
        "collected_from": collected_from(sentences),
    }
