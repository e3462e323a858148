"""What the importer knows about the words of notices: headings per section in fi, sv and en.

A heading is matched by meaning rather than by exact string: a list of variants per
schema key (containment and a difflib ratio on normalised text) plus keyword patterns
that catch compounds and rephrasings. Our own rendered headings (legal_texts) are
variants too, so a notice published here imports back into the same sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

from ..legal_texts import HEADINGS, RIGHT_TITLES

# key -> language -> heading variants (written naturally; normalised at import time)
VARIANTS: dict[str, dict[str, list[str]]] = {
    "prepared_on": {
        "fi": ["Laatimispäivä", "Päivitetty", "Päiväys", "Laadittu", "Viimeksi päivitetty", "Muutettu"],
        "sv": ["Datum för uppgörande", "Uppdaterad", "Senast uppdaterad", "Datum"],
        "en": ["Date prepared", "Last updated", "Updated", "Date", "Effective date"],
    },
    "controller": {
        "fi": ["Rekisterinpitäjä", "Rekisterin pitäjä", "Rekisterinpitäjän yhteystiedot"],
        "sv": ["Personuppgiftsansvarig", "Registeransvarig", "Personuppgiftsansvarigs kontaktuppgifter"],
        "en": ["Controller", "Data controller", "Who we are", "Controller and contact details"],
    },
    "contact": {
        "fi": [
            "Yhteyshenkilö rekisteriä koskevissa asioissa",
            "Yhteyshenkilö",
            "Rekisteriasioiden yhteyshenkilö",
        ],
        "sv": [
            "Kontaktperson i ärenden som gäller registret",
            "Kontaktperson",
            "Kontaktperson i registerärenden",
        ],
        "en": ["Contact person", "Contact person for the register", "Contact person for privacy matters"],
    },
    "dpo": {
        "fi": ["Tietosuojavastaava", "Tietosuojavastaavan yhteystiedot"],
        "sv": ["Dataskyddsombud", "Dataskyddsombudets kontaktuppgifter"],
        "en": ["Data protection officer", "DPO"],
    },
    "register_name": {
        "fi": ["Rekisterin nimi"],
        "sv": ["Registrets namn", "Namn på registret"],
        "en": ["Name of the register", "Register name", "Name of register"],
    },
    "purposes": {
        "fi": [
            "Henkilötietojen käsittelyn tarkoitus",
            "Henkilötietojen käsittelyn tarkoitus ja peruste",
            "Käsittelyn tarkoitus",
            "Rekisterin käyttötarkoitus",
            "Henkilötietojen käyttötarkoitus",
            "Mihin käytämme tietoja",
        ],
        "sv": [
            "Ändamålet med behandlingen",
            "Ändamål med behandlingen av personuppgifter",
            "Registrets ändamål",
            "Varför behandlar vi personuppgifter",
        ],
        "en": [
            "Purposes of processing",
            "Purpose of processing",
            "Purposes of the processing",
            "Why we process your data",
            "How we use your data",
            "Purposes",
        ],
    },
    "legal_basis": {
        "fi": ["Käsittelyn oikeusperuste", "Oikeusperuste", "Käsittelyn peruste"],
        "sv": ["Rättslig grund", "Rättslig grund för behandlingen"],
        "en": ["Legal basis", "Lawful basis", "Legal basis for processing"],
    },
    "legitimate_interest": {
        "fi": ["Oikeutetun edun peruste", "Oikeutettu etu", "Rekisterinpitäjän oikeutettu etu"],
        "sv": ["Berättigat intresse", "Den personuppgiftsansvariges berättigade intresse"],
        "en": ["Legitimate interest", "Legitimate interests"],
    },
    "consent": {"fi": ["Suostumus"], "sv": ["Samtycke"], "en": ["Consent"]},
    "requirement": {
        "fi": [
            "Onko tietojen antaminen lakisääteinen tai sopimukseen perustuva vaatimus",
            "Tietojen antamisen pakollisuus",
        ],
        "sv": ["Är det ett lagstadgat eller avtalsenligt krav att lämna uppgifterna"],
        "en": ["Statutory or contractual requirement", "Do you have to give us your data"],
    },
    "data_subjects": {
        # The seeds use this 14(1)(d) wording for the groups of people (see expected.json).
        "fi": [
            "Kyseessä olevat henkilötietoryhmät",
            "Rekisteröityjen ryhmät",
            "Rekisteröidyt",
            "Keitä rekisteri koskee",
        ],
        "sv": ["Registrerade", "Kategorier av registrerade", "Vilka uppgifterna gäller"],
        "en": ["Data subjects", "Categories of data subjects"],
    },
    "data_categories": {
        "fi": [
            "Rekisterin tietosisältö",
            "Käsiteltävät henkilötiedot",
            "Rekisteriin tallennettavat tiedot",
            "Mitä tietoja keräämme",
        ],
        "sv": ["Registrets innehåll", "Personuppgifter som behandlas", "Kategorier av personuppgifter"],
        "en": [
            "Personal data processed",
            "Categories of personal data",
            "Data we collect",
            "What data we collect",
        ],
    },
    "special_categories": {"fi": [], "sv": [], "en": []},
    "sources": {
        "fi": ["Säännönmukaiset tietolähteet", "Tietolähteet", "Mistä saamme tiedot"],
        "sv": ["Regelbundna uppgiftskällor", "Uppgiftskällor", "Varifrån får vi uppgifterna"],
        "en": ["Sources of data", "Sources of personal data", "Where we get your data", "Data sources"],
    },
    "recipients": {
        "fi": [
            "Tietojen säännönmukaiset luovutukset",
            "Vastaanottajat ja vastaanottajaryhmät",
            "Henkilötietojen vastaanottajat",
            "Tietojen luovutukset",
        ],
        "sv": ["Regelbundna utlämnanden", "Mottagare av personuppgifter", "Utlämnande av uppgifter"],
        "en": ["Recipients of personal data", "Who we share your data with", "Disclosure of data"],
    },
    "transfers": {
        "fi": ["Siirrot kolmansiin maihin", "Tietojen siirto EU:n ulkopuolelle"],
        "sv": ["Överföring till tredjeländer", "Överföring av uppgifter utanför EU"],
        "en": ["International transfers", "Transfers to third countries", "Transfers outside the EU or EEA"],
    },
    "retention": {
        "fi": [
            "Säilytysaika",
            "Säilyttämisaika",
            "Henkilötietojen säilytysaika",
            "Henkilötietojen säilyttämisaika",
            "Kuinka kauan säilytämme tietoja",
        ],
        "sv": ["Lagringstid", "Hur länge sparas uppgifterna", "Bevarandetid"],
        "en": [
            "Retention period",
            "Retention",
            "How long we keep your data",
            "Data retention",
            "Storage period",
        ],
    },
    "security": {
        "fi": ["Tietojen suojaus", "Tietoturva", "Henkilötietojen suojaaminen"],
        "sv": ["Skydd av uppgifterna", "Datasäkerhet", "Principer för skydd av registret"],
        "en": ["Security", "Data security", "How we protect your data", "Security measures"],
    },
    "security.manual": {
        "fi": ["Manuaalinen aineisto", "Manuaaliset aineistot", "Paperiaineisto"],
        "sv": ["Manuellt material", "Manuellt behandlat material"],
        "en": ["Manual material", "Paper records", "Manual data"],
    },
    "security.electronic": {
        "fi": [
            "Sähköinen aineisto",
            "Sähköiset aineistot",
            "ATK:lla käsiteltävät tiedot",
            "ATK:lla käsiteltävät toiminnot",
        ],
        "sv": ["Elektroniskt material", "Elektroniskt behandlade uppgifter", "ADB-material"],
        "en": ["Electronic data", "Electronically processed data", "Digital records"],
    },
    "cookies": {
        "fi": ["Evästeiden käyttö"],
        "sv": ["Cookies", "Användning av kakor"],
        "en": ["Use of cookies"],
    },
    "automated_decisions": {
        "fi": ["Automaattinen käsittely ja profilointi", "Automaattinen päätöksenteko", "Profilointi"],
        "sv": ["Automatiserat beslutsfattande", "Profilering"],
        "en": ["Automated decision-making and profiling", "Automated decision-making", "Profiling"],
    },
    "rights": {
        "fi": [
            "Rekisteröidyn oikeuksien toteuttaminen",
            "Muut henkilötietojen käsittelyyn liittyvät oikeudet",
            "Sinun oikeutesi",
        ],
        "sv": ["Dina rättigheter"],
        "en": ["Rights of the data subject", "Data subject rights"],
    },
    "rights.access": {
        "fi": ["Oikeus saada pääsy tietoihin", "Oikeus tarkastaa tiedot"],
        "sv": ["Rätt till tillgång"],
        "en": ["Right to access"],
    },
    "rights.rectification": {
        "fi": ["Oikaisuoikeus", "Oikeus vaatia tiedon korjaamista"],
        "sv": ["Rätt att rätta uppgifter"],
        "en": ["Right to correct your data"],
    },
    "rights.erasure": {
        "fi": ["Oikeus tulla unohdetuksi", "Poisto-oikeus"],
        "sv": ["Rätt att bli bortglömd"],
        "en": ["Right to be forgotten"],
    },
    "rights.restriction": {"fi": ["Rajoittamisoikeus"], "sv": [], "en": []},
    "rights.objection": {
        "fi": ["Vastustamisoikeus", "Kielto-oikeus"],
        "sv": ["Rätt att invända"],
        "en": ["Right to object to processing"],
    },
    "rights.portability": {
        "fi": ["Oikeus saada tiedot siirretyksi", "Siirto-oikeus"],
        "sv": ["Rätt att flytta uppgifter"],
        "en": ["Right to portability"],
    },
    "rights.withdraw_consent": {"fi": ["Suostumuksen peruuttaminen"], "sv": [], "en": []},
    "complaint": {
        "fi": ["Valitusoikeus", "Oikeus tehdä kantelu"],
        "sv": ["Rätt att klaga"],
        "en": ["Right to complain to the supervisory authority"],
    },
    "other_information": {"fi": [], "sv": [], "en": []},
    "title": {
        "fi": ["Tietosuojaseloste", "Rekisteriseloste", "Tietosuojailmoitus", "Tietosuojakäytäntö"],
        "sv": ["Dataskyddsbeskrivning", "Registerbeskrivning", "Dataskyddsmeddelande", "Integritetspolicy"],
        "en": ["Privacy notice", "Privacy policy", "Privacy statement"],
    },
}

# Further variants seen in notices firms write: question headings, the old "data file" wording,
# labels of apps and web pages. "=" marks a short word that names a section only on its own
# ("Tiedot", "Why"): inside a longer heading it means nothing.
MORE_VARIANTS: dict[str, dict[str, list[str]]] = {
    "prepared_on": {
        "fi": ["Viimeisin muutos", "Julkaistu", "Voimassa"],
        "sv": ["Senast ändrad"],
        "en": ["Revised", "Drawn up", "Date of publication"],
    },
    "controller": {
        "fi": ["Sovelluksen julkaisija", "Kuka vastaa tietojesi käsittelystä", "Rekisterinpitäjä ja sen yhteystiedot"],
        "sv": ["Vem är personuppgiftsansvarig", "Vem ansvarar för dina uppgifter"],
        "en": ["Registrar", "Who processes my data", "Who is responsible for your data", "Controller of the register"],
    },
    "contact": {
        "fi": ["Rekisteriasioista vastaava henkilö", "Tietosuojaan liittyvät kysymykset", "Yhteydenotot tietosuoja-asioissa"],
        "sv": ["Kontakt i dataskyddsfrågor"],
        "en": ["Questions about privacy"],
    },
    "register_name": {"fi": [], "sv": ["Registrets benämning"], "en": ["Name of the data file", "Name of the file"]},
    "purposes": {
        "fi": ["Tietojen käyttötarkoitus", "Mihin tietoja käytetään", "Miksi käsittelemme tietojasi", "Miksi tietoja käsitellään", "=Tarkoitus"],
        "sv": ["=Ändamål", "Registrets användningsändamål", "Varför behandlar vi dina uppgifter"],
        "en": ["Why we use your data", "Why do we process your data", "=Why", "What we use it for", "Purpose of processing personal data"],
    },
    "legal_basis": {
        "fi": ["=Peruste", "Millä perusteella tietoja käsitellään"],
        "sv": ["På vilken grund behandlar vi uppgifterna"],
        "en": ["On what basis do we process your data"],
    },
    "data_categories": {
        "fi": ["Tietosisältö", "Käsiteltävät tiedot", "Tallennettavat tiedot", "Rekisteriin tallennettavat tiedot", "Mitä tietoja käsittelemme", "Henkilötietoryhmät", "=Tiedot", "Mitä tietoja"],
        "sv": ["Typ av uppgifter", "Uppgifter som behandlas", "Vilka uppgifter samlar vi in", "Vilka uppgifter behandlar vi"],
        "en": ["Content of the data file", "Content of the register", "Data processed", "What I collect", "Which data", "Personal data we collect", "The data we process", "Data we process"],
    },
    "sources": {
        "fi": ["Mistä tiedot saadaan", "Mistä tiedot tulevat"],
        "sv": ["Varifrån får vi uppgifterna"],
        "en": ["Regular sources of information", "Where does the data come from"],
    },
    "recipients": {
        "fi": ["Luovutukset", "Tietojen luovutus", "Kenelle tietoja luovutetaan", "Kuka tietoja näkee"],
        "sv": ["=Mottagare", "Vem får uppgifterna"],
        "en": ["Regular disclosures of data", "=Sharing", "Who gets the data", "Who can see your data", "=Recipients"],
    },
    "transfers": {
        "fi": ["Siirrot EU:n ulkopuolelle", "=Tietojen siirto", "Siirretäänkö tietoja EU:n ulkopuolelle"],
        "sv": ["Överföring utanför EU"],
        "en": ["=Transfers", "Transfer of data outside the EU or EEA"],
    },
    "retention": {
        "fi": ["=Säilytys", "Kauanko tietoja säilytetään"],
        "sv": ["Förvaringstid", "Hur länge förvarar vi dina uppgifter"],
        "en": ["How long", "How long do we keep it"],
    },
    "security": {
        "fi": ["=Suojaus", "Miten tiedot suojataan", "Miten tiedot on suojattu"],
        "sv": ["=Dataskydd"],
        "en": ["Principles of data file protection"],
    },
    "automated_decisions": {"fi": ["Tehdäänkö automaattisia päätöksiä"], "sv": [], "en": ["Automated decisions"]},
    "rights": {
        "fi": ["=Oikeudet", "Oikeutesi", "Mitä oikeuksia sinulla on", "Mitkä ovat oikeutesi"],
        "sv": ["=Rättigheter", "Vilka rättigheter har du"],
        "en": ["Your rights"],
    },
    "title": {
        "fi": ["=Tietosuoja", "Henkilörekisteriseloste"],
        "sv": ["=Integritet", "Integritetsskydd"],
        "en": ["=Privacy", "Register and privacy statement"],
    },
}  # fmt: skip
for _key, _langs in MORE_VARIANTS.items():
    for _lang, _texts in _langs.items():
        VARIANTS[_key][_lang] += _texts

# Our own headings are variants too.
for _key, _texts in HEADINGS.items():
    for _lang, _text in _texts.items():
        VARIANTS.setdefault(_key, {}).setdefault(_lang, []).append(_text)
for _key, _texts in RIGHT_TITLES.items():
    for _lang, _text in _texts.items():
        VARIANTS["complaint" if _key == "complaint" else f"rights.{_key}"].setdefault(_lang, []).append(_text)

# key -> language -> regex patterns on the normalised heading (compounds, inflections, rephrasings)
KEYWORDS: dict[str, dict[str, list[str]]] = {
    "prepared_on": {"fi": [r"laatimisp", r"\bpäivitetty", r"\bpäiväys"], "sv": [r"\buppdaterad", r"datum för"], "en": [r"last updated", r"date prepared"]},
    "controller": {"fi": [r"rekisterinpitäj", r"rekisterin pitäj"], "sv": [r"personuppgiftsansvarig", r"registeransvarig"], "en": [r"\bcontroller\b"]},
    "contact": {"fi": [r"yhteyshenkilö"], "sv": [r"kontaktperson"], "en": [r"contact person"]},
    "dpo": {"fi": [r"tietosuojavastaav"], "sv": [r"dataskyddsombud"], "en": [r"data protection officer", r"\bdpo\b"]},
    "register_name": {"fi": [r"rekisterin nimi"], "sv": [r"registrets namn"], "en": [r"name of the register"]},
    "purposes": {"fi": [r"tarkoitu", r"käyttötarkoitu"], "sv": [r"ändamål"], "en": [r"\bpurpose"]},
    "legal_basis": {"fi": [r"oikeusperust", r"käsittelyn perust"], "sv": [r"rättslig grund"], "en": [r"legal basis", r"lawful basis"]},
    "legitimate_interest": {"fi": [r"oikeutetu", r"oikeutettu etu"], "sv": [r"berättigat intresse", r"berättigade intress"], "en": [r"legitimate interest"]},
    "requirement": {"fi": [r"tietojen antami", r"lakisääteinen tai sopimuk"], "sv": [r"lagstadgat eller avtal"], "en": [r"statutory or contractual"]},
    "data_subjects": {"fi": [r"rekisteröityjen ryhm"], "sv": [r"kategorier av registrerade"], "en": [r"categories of data subjects"]},
    "data_categories": {"fi": [r"tietosisäl", r"henkilötietoryhm", r"käsiteltävät (?:henkilö)?tiedot"], "sv": [r"registrets innehåll", r"personuppgifter som behandlas", r"kategorier av personuppgifter"], "en": [r"personal data (?:we )?(?:process|collect)", r"categories of personal data"]},
    "special_categories": {"fi": [r"erityi\w* henkilötieto"], "sv": [r"särskilda kategorier"], "en": [r"special categor"]},
    "sources": {"fi": [r"tietolähte", r"tietojen lähte"], "sv": [r"uppgiftskäll"], "en": [r"\bsources?\b"]},
    "recipients": {"fi": [r"luovutu", r"luovute", r"vastaanottaj"], "sv": [r"utlämna", r"mottagare"], "en": [r"recipient", r"disclos", r"share your"]},
    "transfers": {"fi": [r"(?:\beu\b|\beta\b|euroopan).*ulkopuol", r"kolmansiin mai"], "sv": [r"utanför (?:eu|ees)", r"tredje ?land"], "en": [r"outside the (?:eu|eea)", r"third countr", r"international transfer"]},
    "retention": {"fi": [r"säilytysai", r"säilyttämisai", r"säilytysaj", r"säilyttämisaj"], "sv": [r"lagringstid", r"bevarandetid"], "en": [r"retention", r"how long we keep", r"storage period"]},
    "security": {"fi": [r"suojau", r"suojaami", r"tietoturva(?!louk)", r"tekniset ja organisatoriset"], "sv": [r"säkerhet", r"\bskydd"], "en": [r"security", r"\bprotect(?:ed|ion of)?\b"]},
    "security.manual": {"fi": [r"manuaali", r"paperi"], "sv": [r"manuell"], "en": [r"\bmanual\b", r"\bpaper\b"]},
    "security.electronic": {"fi": [r"sähköi", r"\batk\b", r"tietojärjestelm"], "sv": [r"elektronisk", r"\badb\b"], "en": [r"electronic", r"digital"]},
    "cookies": {"fi": [r"eväste"], "sv": [r"\bkakor\b", r"cookie"], "en": [r"cookie"]},
    "automated_decisions": {"fi": [r"automaattinen (?:päätök|käsittely)", r"profiloin"], "sv": [r"automatiserat", r"profilering"], "en": [r"automated", r"profiling"]},
    "rights": {"fi": [r"oikeude", r"oikeuks"], "sv": [r"rättigheter"], "en": [r"\brights\b"]},
    "rights.access": {"fi": [r"tarkastusoikeu", r"\btarkast", r"\btarkist", r"pääsy", r"itseään koskevat tiedot"], "sv": [r"insyn", r"tillgång"], "en": [r"right of access", r"access to your data"]},
    "rights.rectification": {"fi": [r"oikais", r"korjaa", r"korjau"], "sv": [r"rättelse", r"\brätta\b"], "en": [r"rectif", r"\bcorrect"]},
    "rights.erasure": {"fi": [r"poisto", r"poista", r"unohde"], "sv": [r"radering", r"radera", r"glömd"], "en": [r"erasure", r"delet", r"forgotten"]},
    "rights.restriction": {"fi": [r"rajoit"], "sv": [r"begräns"], "en": [r"restrict"]},
    "rights.objection": {"fi": [r"vastust", r"kielto-?oikeu"], "sv": [r"invänd", r"motsätt"], "en": [r"\bobject"]},
    "rights.portability": {"fi": [r"siirretyksi", r"järjestelmästä toiseen", r"siirto-?oikeu", r"siirtää tiedot"], "sv": [r"portabilitet", r"flytta"], "en": [r"portab"]},
    "rights.withdraw_consent": {"fi": [r"suostumuksen peruut", r"peruuttaa suostumu"], "sv": [r"återkalla"], "en": [r"withdraw"]},
    "complaint": {"fi": [r"valitu", r"kantelu", r"valvontaviranomai"], "sv": [r"klagom", r"tillsynsmyndighet"], "en": [r"complain", r"supervisory authority"]},
    "title": {"fi": [r"tietosuojaseloste", r"rekisteriseloste", r"tietosuojailmoitus"], "sv": [r"dataskyddsbeskrivning", r"registerbeskrivning", r"dataskyddsmeddelande", r"integritetspolicy"], "en": [r"privacy (?:notice|policy|statement)"]},
}  # fmt: skip

MORE_KEYWORDS: dict[str, dict[str, list[str]]] = {
    "prepared_on": {"fi": [r"viimeisin muutos", r"\bjulkaistu"], "sv": [r"senast ändrad"], "en": [r"\brevised\b", r"\bdrawn up\b"]},
    "controller": {"fi": [r"kuka vastaa", r"julkaisija"], "sv": [r"vem (?:är|ansvarar)"], "en": [r"\bregistrar\b", r"who (?:processes|is responsible|we are)"]},
    "contact": {"fi": [r"rekisteriasio", r"tietosuoja(?:an liittyv|asi|-asi)"], "sv": [r"kontakt"], "en": [r"\bcontact\b"]},
    "register_name": {"fi": [], "sv": [], "en": [r"name of the (?:data )?file"]},
    "purposes": {"fi": [r"mihin (?:tietoja|käytä)", r"\bmiksi\b"], "sv": [r"varför", r"användningsändamål"], "en": [r"\bwhy\b", r"what we use", r"how we use"]},
    "legal_basis": {"fi": [r"millä perusteella", r"\bperuste\b"], "sv": [r"på vilken grund"], "en": [r"on what basis"]},
    "data_categories": {"fi": [r"mitä (?:henkilö)?tietoja", r"tallennettav", r"käsiteltävät", r"keräämme|tallennamme|tallennan"], "sv": [r"vilka (?:person)?uppgifter", r"typ av uppgifter", r"uppgifter som behandlas"], "en": [r"what (?:personal )?(?:data|information)", r"which data", r"content of the (?:data file|register)", r"(?:i|we) collect", r"data processed", r"\bdata we (?:process|collect|hold)"]},
    "sources": {"fi": [r"mistä (?:tiedot|saamme|tietoja)"], "sv": [r"varifrån"], "en": [r"where (?:we get|does|do)", r"come from"]},
    "recipients": {"fi": [r"kenelle", r"kuka (?:tietoja )?näkee"], "sv": [r"vem får"], "en": [r"who (?:can see|gets|receives)", r"\bsharing\b"]},
    "transfers": {"fi": [r"siirr\w*.*(?:\beu\b|\beta\b|ulkopuol|mai)", r"lähtevätkö"], "sv": [r"överföring"], "en": [r"\btransfers?\b.*(?:\beu\b|\beea\b|outside|abroad)", r"\btransfers\b"]},
    "retention": {"fi": [r"säilyt", r"kauanko", r"kuinka kauan"], "sv": [r"förvar", r"hur länge", r"sparas"], "en": [r"how long", r"\bkeep\b"]},
    "security": {"fi": [r"suojat(?:aan|tu)"], "sv": [r"\bdataskydd\b"], "en": []},
    "automated_decisions": {"fi": [r"automaattis\w* päätö"], "sv": [r"automatiser"], "en": []},
    "rights.access": {"fi": [], "sv": [], "en": [r"inspection"]},
}  # fmt: skip
for _key, _langs in MORE_KEYWORDS.items():
    for _lang, _patterns in _langs.items():
        KEYWORDS.setdefault(_key, {}).setdefault(_lang, []).extend(_patterns)

# Labels of fields inside a controller or contact block (not section headings).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("nimi", "yrityksen nimi", "toiminimi", "yritys", "namn", "företag", "firma", "name", "company"),
    "business_id": (
        "y-tunnus",
        "ytunnus",
        "fo-nummer",
        "fo nummer",
        "business id",
        "company id",
        "registration number",
    ),
    "address": (
        "osoite",
        "postiosoite",
        "käyntiosoite",
        "katuosoite",
        "adress",
        "postadress",
        "besöksadress",
        "address",
        "postal address",
        "street address",
        "visiting address",
    ),
    "phone": (
        "puhelin",
        "puh",
        "puhelinnumero",
        "matkapuhelin",
        "tel",
        "telefon",
        "tfn",
        "phone",
        "telephone",
    ),
    "email": ("sähköposti", "s-posti", "sähköpostiosoite", "e-post", "e-postadress", "email", "e-mail"),
    "title": (
        "titteli",
        "tehtävä",
        "tehtävänimike",
        "asema",
        "befattning",
        "titel",
        "title",
        "role",
        "position",
    ),
    "web": ("www", "verkkosivut", "kotisivut", "webbplats", "hemsida", "website", "web"),
    # a label whose value is read by its look (a phone number, an email address, both)
    "details": (
        "yhteystiedot",
        "muut yhteystiedot",
        "kontaktuppgifter",
        "övriga kontaktuppgifter",
        "contact details",
        "other contact details",
    ),
}
FIELD_OF_LABEL = {label: name for name, labels in FIELD_LABELS.items() for label in labels}

STOPWORDS = {
    "fi": {"ja", "tai", "on", "ei", "että", "sekä", "ovat", "tietoja", "voidaan", "käsitellään", "rekisterin", "henkilötietoja"},
    "sv": {"och", "att", "som", "är", "av", "med", "inte", "eller", "vi", "uppgifter", "för", "till", "om"},
    "en": {"the", "and", "of", "to", "is", "are", "we", "with", "or", "your", "data", "for", "you"},
}  # fmt: skip

ACCEPT = 0.7  # a heading whose best score reaches this is recognised
STRONG = 0.8  # strong enough to turn a lone line or an inline "Label:" into a heading

_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[A-Za-z][.):]|[ivx]+[.)])\s+", re.I)
_NON_WORD = re.compile(r"[^\wåäöÅÄÖ:/-]+")


def normalise(text: str) -> str:
    """Lowercase, numbering and punctuation removed, whitespace folded."""
    text = _NUMBERING.sub("", text.strip())
    text = _NON_WORD.sub(" ", text.lower()).replace(":", " ").replace("/", " ")
    return " ".join(text.split())


@dataclass
class _Entry:
    key: str
    lang: str
    norm: str
    exact: bool = False  # names the section only as the whole heading
    matcher: SequenceMatcher = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # Built once: comparing a heading then costs one set_seq1, not a new table of this variant.
        self.matcher = SequenceMatcher(None, "", self.norm)


_ENTRIES = [
    _Entry(key, lang, normalise(v.lstrip("=")), v.startswith("="))
    for key, langs in VARIANTS.items()
    for lang, vs in langs.items()
    for v in vs
]
_KEYWORDS = [
    (key, lang, re.compile(p)) for key, langs in KEYWORDS.items() for lang, ps in langs.items() for p in ps
]


@dataclass
class HeadingMatch:
    """The section a heading belongs to, how sure we are, and other sections it names."""

    key: str
    score: float
    lang: str
    also: list[str] = field(default_factory=list)


def _scores(norm: str) -> dict[str, tuple[float, int, str, bool]]:
    """Best (score, position, language, named) per key for one clause; named: its words are there."""
    best: dict[str, tuple[float, int, str, bool]] = {}

    def offer(key, score, pos, lang, named=True):
        old = best.get(key)
        if old is None or score > old[0] or (score == old[0] and pos < old[1]):
            best[key] = (score, pos, lang, named or bool(old and old[3]))

    padded = f" {norm} "
    for e in _ENTRIES:
        if not e.norm:
            continue
        if norm == e.norm:
            offer(e.key, 1.0, 0, e.lang)
            continue
        if e.exact:
            continue
        pos = padded.find(f" {e.norm} ")
        if pos >= 0:
            offer(e.key, 0.75 + 0.25 * len(e.norm) / len(norm), pos, e.lang)
        if 0.7 * len(e.norm) <= len(norm) <= 1.4 * len(e.norm):  # near-identical: spelling variants, typos
            matcher = e.matcher
            matcher.set_seq1(norm)
            if (
                matcher.real_quick_ratio() >= 0.85
                and matcher.quick_ratio() >= 0.85
                and (ratio := matcher.ratio()) >= 0.85
            ):
                offer(e.key, ratio, 0, e.lang, named=False)
    for key, lang, pattern in _KEYWORDS:
        m = pattern.search(norm)
        if m:
            offer(key, ACCEPT, m.start(), lang)
    return best


def _refine(key: str, scores: dict) -> str:
    """Prefer the specific sub-section (A: manual / B: electronic) when the heading names one."""
    if key == "security":
        subs = [k for k in ("security.manual", "security.electronic") if k in scores]
        if subs:
            return max(subs, key=lambda k: scores[k][0])
    return key


def match_heading(text: str, *, only: tuple[str, ...] | None = None) -> HeadingMatch | None:
    """The section a heading belongs to, or None; `only` limits the keys (e.g. to rights)."""
    found = _match(text, only)
    return HeadingMatch(found.key, found.score, found.lang, list(found.also)) if found else None


@lru_cache(maxsize=4096)
def _match(text: str, only: tuple[str, ...] | None) -> HeadingMatch | None:
    clauses = [normalise(c) for c in re.split(r"(?<=[.?!])\s+", text.strip())]
    found: list[tuple[str, float, str, dict]] = []
    for clause in clauses:
        if not clause:
            continue
        scores = {
            k: v
            for k, v in _scores(clause).items()
            if v[0] >= ACCEPT and (only is None or k.startswith(only))
        }
        if scores:
            top = max(scores.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
            found.append((_refine(top[0], scores), top[1][0], top[1][2], scores))
    if not found:
        return None
    key, score, lang, _ = found[0]  # the first clause that names a section decides
    also = []
    for _k, _s, _l, scores in found:
        for other in sorted(scores, key=lambda k: scores[k][1]):
            named = scores[other][3]  # a near-miss spelling of another heading is not a second section
            if named and other != key and other not in also and not key.startswith(other + "."):
                also.append(other)
    return HeadingMatch(key, score, lang, also)


def field_label(text: str) -> str | None:
    """The contact field a label such as "Sähköposti" or "Business ID" names, or None."""
    return FIELD_OF_LABEL.get(" ".join(text.lower().strip(" :.").split()))
