"""Texts the product ships inside notices, per notice language (not the interface language).

Headings follow the Finnish heading vocabulary firms expect; the rights texts
are our own standard wording. Each entry has fi, sv and en.
"""

HEADINGS = {
    "prepared_on": {"fi": "Laatimispäivä", "sv": "Datum för uppgörande", "en": "Date prepared"},
    "controller": {"fi": "Rekisterinpitäjä", "sv": "Personuppgiftsansvarig", "en": "Controller"},
    "contact": {
        "fi": "Yhteyshenkilö rekisteriä koskevissa asioissa",
        "sv": "Kontaktperson i ärenden som gäller registret",
        "en": "Contact person",
    },
    "dpo": {"fi": "Tietosuojavastaava", "sv": "Dataskyddsombud", "en": "Data protection officer"},
    "register_name": {"fi": "Rekisterin nimi", "sv": "Registrets namn", "en": "Name of the register"},
    "purposes": {
        "fi": "Henkilötietojen käsittelyn tarkoitus ja oikeusperuste",
        "sv": "Ändamål och rättslig grund för behandlingen",
        "en": "Purpose and legal basis",
    },
    "requirement": {
        "fi": "Onko tietojen antaminen pakollista?",
        "sv": "Är det obligatoriskt att lämna uppgifterna?",
        "en": "Is giving the data required?",
    },
    "data_subjects": {
        "fi": "Keiden tietoja käsittelemme",
        "sv": "Vems uppgifter vi behandlar",
        "en": "Whose data we process",
    },
    "data_categories": {
        "fi": "Rekisterin tietosisältö",
        "sv": "Registrets innehåll",
        "en": "Personal data processed",
    },
    "special_categories": {
        "fi": "Erityiset henkilötietoryhmät",
        "sv": "Särskilda kategorier av personuppgifter",
        "en": "Special categories of personal data",
    },
    "criminal_data": {
        "fi": "Rikostuomiot ja rikkomukset",
        "sv": "Fällande domar i brottmål och överträdelser",
        "en": "Criminal convictions and offences",
    },
    "sources": {
        "fi": "Säännönmukaiset tietolähteet",
        "sv": "Regelbundna uppgiftskällor",
        "en": "Sources of data",
    },
    "recipients": {"fi": "Vastaanottajat", "sv": "Mottagare", "en": "Recipients"},
    "transfers": {
        "fi": "Tietojen siirto EU:n tai ETA:n ulkopuolelle",
        "sv": "Överföring utanför EU eller EES",
        "en": "Transfers outside the EU/EEA",
    },
    "retention": {"fi": "Säilytysaika", "sv": "Lagringstid", "en": "Retention period"},
    "security": {
        "fi": "Rekisterin suojauksen periaatteet",
        "sv": "Principer för skyddet av registret",
        "en": "How the data are protected",
    },
    "cookies": {"fi": "Evästeet", "sv": "Kakor", "en": "Cookies"},
    "automated_decisions": {
        "fi": "Automaattinen päätöksenteko ja profilointi",
        "sv": "Automatiserat beslutsfattande och profilering",
        "en": "Automated decisions and profiling",
    },
    "rights": {"fi": "Rekisteröidyn oikeudet", "sv": "Den registrerades rättigheter", "en": "Your rights"},
    "other_information": {"fi": "Muut tiedot", "sv": "Övrig information", "en": "Other information"},
    "complaint": {
        "fi": "Oikeus tehdä valitus valvontaviranomaiselle",
        "sv": "Rätt att lämna klagomål till tillsynsmyndigheten",
        "en": "Right to lodge a complaint",
    },
}

LABELS = {
    "document": {"fi": "Tietosuojaseloste", "sv": "Dataskyddsbeskrivning", "en": "Privacy notice"},
    "requests": {
        "fi": "Pyynnöt omista tiedoistasi",
        "sv": "Begäranden om dina uppgifter",
        "en": "Requests about your data",
    },
    "request_form": {
        "fi": "Lähetä pyyntö tämän selosteen lomakkeella",
        "sv": "Skicka en begäran med formuläret för den här beskrivningen",
        "en": "Send a request with the form for this notice",
    },
    "tenant_request_form": {
        "fi": "Pyyntö, joka koskee organisaation kaikkia rekistereitä",
        "sv": "En begäran som gäller alla organisationens register",
        "en": "A request about all of the organisation's registers",
    },
    "erasure_limit": {
        "fi": "Tietoja, jotka laki velvoittaa meidät säilyttämään, kuten kirjanpitoon kuuluvia tietoja, emme "
        "voi poistaa ennen kuin säilytysvelvollisuus päättyy.",
        "sv": "Uppgifter som lagen ålägger oss att bevara, till exempel uppgifter som hör till bokföringen, kan "
        "vi inte radera förrän skyldigheten att bevara dem har upphört.",
        "en": "Data that a law obliges us to keep, such as accounting records, cannot be erased until the "
        "obligation to keep them ends.",
    },
    "objection_research": {
        "fi": "Voit vastustaa myös tietojesi käsittelyä tieteellistä tai historiallista tutkimusta taikka "
        "tilastointia varten erityiseen tilanteeseesi liittyvällä perusteella, paitsi jos käsittely on "
        "tarpeen yleistä etua koskevan tehtävän suorittamiseksi.",
        "sv": "Du kan också invända mot att dina uppgifter behandlas för vetenskapliga eller historiska "
        "forskningsändamål eller statistiska ändamål, av skäl som gäller din särskilda situation, utom när "
        "behandlingen behövs för att utföra en uppgift av allmänt intresse.",
        "en": "You may also object, on grounds relating to your particular situation, to the processing of "
        "your data for scientific or historical research or for statistics, unless the processing is "
        "necessary for a task carried out in the public interest.",
    },
    "visiting_address": {"fi": "Käyntiosoite", "sv": "Besöksadress", "en": "Visiting address"},
    "postal_address": {"fi": "Postiosoite", "sv": "Postadress", "en": "Postal address"},
    "business_id": {"fi": "Y-tunnus", "sv": "FO-nummer", "en": "Business ID"},
    "address": {"fi": "Osoite", "sv": "Adress", "en": "Address"},
    "phone": {"fi": "Puhelin", "sv": "Telefon", "en": "Phone"},
    "email": {"fi": "Sähköposti", "sv": "E-post", "en": "Email"},
    "representative": {"fi": "Edustaja EU:ssa", "sv": "Företrädare i EU", "en": "Representative in the EU"},
    "legal_basis": {"fi": "Oikeusperuste", "sv": "Rättslig grund", "en": "Legal basis"},
    "legitimate_interest": {
        "fi": "Oikeutettu etumme",
        "sv": "Vårt berättigade intresse",
        "en": "Our legitimate interest",
    },
    "consent_withdrawal": {
        "fi": "Suostumuksen peruuttaminen",
        "sv": "Återkallande av samtycke",
        "en": "Withdrawing consent",
    },
    "personal_identity_code": {
        "fi": "Henkilötunnus",
        "sv": "Personbeteckning",
        "en": "Personal identity code",
    },
    "security_manual": {"fi": "Manuaalinen aineisto", "sv": "Manuellt material", "en": "Manual material"},
    "security_electronic": {
        "fi": "Sähköisesti käsiteltävät tiedot",
        "sv": "Elektroniskt behandlade uppgifter",
        "en": "Electronic data",
    },
    "no_dpo": {
        "fi": "Emme ole nimittäneet tietosuojavastaavaa.",
        "sv": "Vi har inte utsett något dataskyddsombud.",
        "en": "We have not appointed a data protection officer.",
    },
    "no_transfers": {
        "fi": "Emme siirrä henkilötietoja EU:n tai ETA:n ulkopuolelle.",
        "sv": "Vi överför inte personuppgifter till länder utanför EU eller EES.",
        "en": "We do not transfer personal data outside the EU or the EEA.",
    },
    "no_cookies": {
        "fi": "Emme käytä evästeitä tässä palvelussa.",
        "sv": "Vi använder inte kakor i den här tjänsten.",
        "en": "We do not use cookies in this service.",
    },
    "no_automated_decisions": {
        # Art. 22 as asked: no solely automated decisions with legal or similarly significant effects.
        # Never "we do not profile": that is another statement, which the firm was not asked.
        "fi": "Emme tee sinusta päätöksiä, jotka perustuvat pelkästään automaattiseen käsittelyyn, "
        "profilointi mukaan luettuna, ja joilla on sinuun kohdistuvia oikeusvaikutuksia tai vastaavia "
        "merkittäviä vaikutuksia.",
        "sv": "Vi fattar inga beslut om dig som enbart grundar sig på automatiserad behandling, inbegripet "
        "profilering, och som har rättsliga följder för dig eller på liknande sätt i betydande grad "
        "påverkar dig.",
        "en": "We make no decisions about you based solely on automated processing, including profiling, "
        "that have legal effects on you or similarly significantly affect you.",
    },
    # Where the data come from, as the firm answered it (Art. 13 or 14); nothing is said unanswered.
    "collected_from_data_subject": {
        "fi": "Saamme tiedot sinulta itseltäsi.",
        "sv": "Vi får uppgifterna direkt av dig.",
        "en": "We get the data directly from you.",
    },
    "collected_from_elsewhere": {
        "fi": "Saamme tiedot muualta kuin sinulta itseltäsi.",
        "sv": "Vi får uppgifterna från andra håll än från dig själv.",
        "en": "We get the data from sources other than you.",
    },
    "collected_from_both": {
        "fi": "Saamme tietoja sinulta itseltäsi ja myös muualta.",
        "sv": "Vi får uppgifter direkt av dig och även från andra håll.",
        "en": "We get data directly from you and also from other sources.",
    },
    # Art. 14(2)(f), said only when the firm answered yes.
    "sources_public": {
        "fi": "Tiedot tai osa niistä saadaan yleisesti saatavilla olevista lähteistä.",
        "sv": "Uppgifterna eller en del av dem kommer från allmänt tillgängliga källor.",
        "en": "Some or all of the data come from publicly accessible sources.",
    },
    "transfer_to": {"fi": "Kohdemaa", "sv": "Mottagarland", "en": "Destination"},
    "transfer_recipient": {"fi": "Vastaanottaja", "sv": "Mottagare", "en": "Recipient"},
    # The basis of a transfer: an adequacy decision is no "safeguard", so the label names the basis.
    "transfer_safeguard": {
        "fi": "Siirron peruste",
        "sv": "Grund för överföringen",
        "en": "Basis for the transfer",
    },
    # Art. 13(1)(f): how to get a copy of the safeguards, or where they are available.
    "transfer_copy": {
        "fi": "Näin saat kopion suojatoimista",
        "sv": "Så får du en kopia av skyddsåtgärderna",
        "en": "How to get a copy of the safeguards",
    },
    "how_to_use_rights": {
        "fi": "Näin käytät oikeuksiasi",
        "sv": "Så här använder du dina rättigheter",
        "en": "How to use your rights",
    },
    "version": {"fi": "Versio", "sv": "Version", "en": "Version"},
    "content_hash": {
        "fi": "Sisällön tarkiste (SHA-256)",
        "sv": "Kontrollsumma för innehållet (SHA-256)",
        "en": "Content fingerprint (SHA-256)",
    },
    "draft_preview": {
        "fi": "Luonnoksen esikatselu – ei julkaistu",
        "sv": "Förhandsgranskning av utkast – inte publicerat",
        "en": "Preview of a draft: not published",
    },
}

LEGAL_BASES = {
    "consent": {
        "fi": "Suostumus (EU:n tietosuoja-asetuksen 6 art. 1 kohdan a alakohta)",
        "sv": "Samtycke (artikel 6.1 a i EU:s dataskyddsförordning)",
        "en": "Consent (GDPR Art. 6(1)(a))",
    },
    "contract": {
        "fi": "Sopimus tai sopimusta edeltävät toimet (EU:n tietosuoja-asetuksen 6 art. 1 kohdan b alakohta)",
        "sv": "Avtal eller åtgärder innan ett avtal ingås (artikel 6.1 b i EU:s dataskyddsförordning)",
        "en": "Contract, or steps before entering into one (GDPR Art. 6(1)(b))",
    },
    "legal_obligation": {
        "fi": "Rekisterinpitäjän lakisääteinen velvoite (EU:n tietosuoja-asetuksen 6 art. 1 kohdan c "
        "alakohta)",
        "sv": "Den personuppgiftsansvariges rättsliga förpliktelse (artikel 6.1 c i EU:s "
        "dataskyddsförordning)",
        "en": "A legal obligation of the controller (GDPR Art. 6(1)(c))",
    },
    "vital_interests": {
        "fi": "Henkilön elintärkeiden etujen suojaaminen (EU:n tietosuoja-asetuksen 6 art. 1 kohdan d "
        "alakohta)",
        "sv": "Skydd av en persons grundläggande intressen (artikel 6.1 d i EU:s dataskyddsförordning)",
        "en": "Protecting someone's vital interests (GDPR Art. 6(1)(d))",
    },
    "public_task": {
        "fi": "Yleisen edun mukainen tehtävä tai julkisen vallan käyttö (EU:n tietosuoja-asetuksen 6 art. 1 "
        "kohdan e alakohta)",
        "sv": "En uppgift av allmänt intresse eller myndighetsutövning (artikel 6.1 e i EU:s "
        "dataskyddsförordning)",
        "en": "A task in the public interest or official authority (GDPR Art. 6(1)(e))",
    },
    "legitimate_interests": {
        "fi": "Oikeutettu etu (EU:n tietosuoja-asetuksen 6 art. 1 kohdan f alakohta)",
        "sv": "Berättigat intresse (artikel 6.1 f i EU:s dataskyddsförordning)",
        "en": "Legitimate interests (GDPR Art. 6(1)(f))",
    },
}

REQUIREMENT_KINDS = {
    "statutory": {
        "fi": "Laki edellyttää tietojen antamista.",
        "sv": "Lagen kräver att uppgifterna lämnas.",
        "en": "Giving the data is required by law.",
    },
    "contractual": {
        "fi": "Kanssasi tekemämme sopimus edellyttää tietojen antamista.",
        "sv": "Vårt avtal med dig kräver att uppgifterna lämnas.",
        "en": "Giving the data is a requirement of our contract with you.",
    },
    "contract_prerequisite": {
        "fi": "Tiedot tarvitaan sopimuksen tekemiseen.",
        "sv": "Uppgifterna behövs för att ett avtal ska kunna ingås.",
        "en": "Giving the data is necessary for entering into a contract.",
    },
    "voluntary": {
        "fi": "Tietojen antaminen on vapaaehtoista.",
        "sv": "Det är frivilligt att lämna uppgifterna.",
        "en": "Giving the data is voluntary.",
    },
}

SPECIAL_CATEGORIES = {
    "racial_ethnic": {
        "fi": "Rotu tai etninen alkuperä",
        "sv": "Ras eller etniskt ursprung",
        "en": "Racial or ethnic origin",
    },
    "political": {"fi": "Poliittiset mielipiteet", "sv": "Politiska åsikter", "en": "Political opinions"},
    "religious": {
        "fi": "Uskonnollinen tai filosofinen vakaumus",
        "sv": "Religiös eller filosofisk övertygelse",
        "en": "Religious or philosophical beliefs",
    },
    "trade_union": {
        "fi": "Ammattiliiton jäsenyys",
        "sv": "Medlemskap i fackförening",
        "en": "Trade union membership",
    },
    "genetic": {"fi": "Geneettiset tiedot", "sv": "Genetiska uppgifter", "en": "Genetic data"},
    "biometric": {
        "fi": "Biometriset tiedot henkilön tunnistamiseksi",
        "sv": "Biometriska uppgifter för att identifiera en person",
        "en": "Biometric data for identifying a person",
    },
    "health": {"fi": "Terveystiedot", "sv": "Uppgifter om hälsa", "en": "Data concerning health"},
    "sex_life": {
        "fi": "Seksuaalinen käyttäytyminen tai suuntautuminen",
        "sv": "Sexualliv eller sexuell läggning",
        "en": "Sex life or sexual orientation",
    },
}

SAFEGUARDS = {
    "adequacy": {
        "fi": "Euroopan komission päätös tietosuojan riittävästä tasosta",
        "sv": "Europeiska kommissionens beslut om adekvat skyddsnivå",
        "en": "An adequacy decision of the European Commission",
    },
    "scc": {
        "fi": "Euroopan komission vakiosopimuslausekkeet",
        "sv": "Europeiska kommissionens standardavtalsklausuler",
        "en": "The European Commission's standard contractual clauses",
    },
    "bcr": {
        "fi": "Yritystä koskevat sitovat säännöt",
        "sv": "Bindande företagsbestämmelser",
        "en": "Binding corporate rules",
    },
    "derogation": {
        "fi": "Poikkeus erityistilanteessa (EU:n tietosuoja-asetuksen 49 artikla)",
        "sv": "Undantag i en särskild situation (artikel 49 i EU:s dataskyddsförordning)",
        "en": "A derogation for a specific situation (GDPR Art. 49)",
    },
    "other": {
        "fi": "Muu suojatoimi, kuvattu alla",
        "sv": "En annan skyddsåtgärd, som beskrivs nedan",
        "en": "Another safeguard, described below",
    },
}

RIGHT_TITLES = {
    "access": {"fi": "Tarkastusoikeus", "sv": "Rätt till tillgång", "en": "Right of access"},
    "rectification": {
        "fi": "Oikeus tietojen oikaisemiseen",
        "sv": "Rätt till rättelse",
        "en": "Right to rectification",
    },
    "erasure": {"fi": "Oikeus tietojen poistamiseen", "sv": "Rätt till radering", "en": "Right to erasure"},
    "restriction": {
        "fi": "Oikeus käsittelyn rajoittamiseen",
        "sv": "Rätt till begränsning av behandlingen",
        "en": "Right to restriction of processing",
    },
    "objection": {
        "fi": "Oikeus vastustaa käsittelyä",
        "sv": "Rätt att göra invändningar",
        "en": "Right to object",
    },
    "portability": {
        "fi": "Oikeus siirtää tiedot järjestelmästä toiseen",
        "sv": "Rätt till dataportabilitet",
        "en": "Right to data portability",
    },
    "withdraw_consent": {
        "fi": "Oikeus peruuttaa suostumus",
        "sv": "Rätt att återkalla samtycke",
        "en": "Right to withdraw consent",
    },
    "complaint": {
        "fi": "Oikeus tehdä valitus valvontaviranomaiselle",
        "sv": "Rätt att lämna klagomål till tillsynsmyndigheten",
        "en": "Right to lodge a complaint with the supervisory authority",
    },
}

RIGHT_TEXTS = {
    "access": {
        "fi": "<p>Voit kysyä, käsittelemmekö henkilötietojasi. Jos käsittelemme, saat pyynnöstä "
        "jäljennöksen tiedoista ja selvityksen siitä, miten niitä käsitellään.</p>",
        "sv": "<p>Du kan fråga om vi behandlar personuppgifter om dig. Om vi gör det, kan du få en kopia av "
        "uppgifterna och information om hur vi behandlar dem.</p>",
        "en": "<p>You may ask whether we process your personal data and, if we do, get a copy of the data "
        "and information about how we process them.</p>",
    },
    "rectification": {
        "fi": "<p>Voit pyytää meitä korjaamaan virheelliset tietosi ja täydentämään puutteelliset "
        "tiedot.</p>",
        "sv": "<p>Du kan be oss rätta felaktiga uppgifter om dig och komplettera ofullständiga "
        "uppgifter.</p>",
        "en": "<p>You may ask us to correct inaccurate data about you and to complete incomplete data.</p>",
    },
    "erasure": {
        "fi": "<p>Voit pyytää meitä poistamaan tietosi esimerkiksi silloin, kun niitä ei enää tarvita "
        "siihen tarkoitukseen, jota varten ne kerättiin. Tiedot, jotka laki velvoittaa meidät säilyttämään, "
        "säilytämme kuitenkin laissa säädetyn ajan.</p>",
        "sv": "<p>Du kan be oss radera dina uppgifter, till exempel när de inte längre behövs för det "
        "ändamål som de samlades in för. Uppgifter som vi enligt lag måste spara behåller vi dock under den "
        "tid som lagen kräver.</p>",
        "en": "<p>You may ask us to erase your data, for example when they are no longer needed for the "
        "purpose they were collected for. Data that the law obliges us to keep, we keep for the period the "
        "law requires.</p>",
    },
    "restriction": {
        "fi": "<p>Voit pyytää meitä rajoittamaan tietojesi käsittelyä esimerkiksi siksi aikaa, kun "
        "selvitämme, ovatko tiedot oikein.</p>",
        "sv": "<p>Du kan be oss begränsa behandlingen av dina uppgifter, till exempel medan vi kontrollerar "
        "om uppgifterna är korrekta.</p>",
        "en": "<p>You may ask us to restrict the processing of your data, for example while we check "
        "whether the data are accurate.</p>",
    },
    "objection": {
        "fi": "<p>Jos käsittelemme tietojasi oikeutetun edun tai yleistä etua koskevan tehtävän "
        "perusteella, voit vastustaa käsittelyä erityiseen tilanteeseesi liittyvällä perusteella. Tietojesi "
        "käyttöä suoramarkkinointiin voit vastustaa aina.</p>",
        "sv": "<p>Om vi behandlar dina uppgifter på grundval av ett berättigat intresse eller en uppgift av "
        "allmänt intresse, kan du invända mot behandlingen av skäl som gäller din särskilda situation. Du "
        "kan alltid invända mot att dina uppgifter används för direktmarknadsföring.</p>",
        "en": "<p>Where we process your data on the basis of legitimate interests or a task in the public "
        "interest, you may object to the processing on grounds relating to your particular situation. You "
        "may always object to the use of your data for direct marketing.</p>",
    },
    "portability": {
        "fi": "<p>Voit saada itse antamasi tiedot, joita käsittelemme automaattisesti suostumuksesi tai "
        "sopimuksen perusteella, yleisesti käytetyssä ja koneluettavassa muodossa. Voit myös pyytää, että "
        "siirrämme ne suoraan toiselle rekisterinpitäjälle, jos se on teknisesti mahdollista.</p>",
        "sv": "<p>Uppgifter som du själv har lämnat till oss och som vi behandlar automatiserat på grundval "
        "av ditt samtycke eller ett avtal kan du få i ett vanligt förekommande, maskinläsbart format. Du "
        "kan också be oss överföra dem direkt till en annan personuppgiftsansvarig, om det är tekniskt "
        "möjligt.</p>",
        "en": "<p>You may receive the data you have given us yourself, where we process them by automated "
        "means on the basis of your consent or a contract, in a commonly used machine-readable format. You "
        "may also ask us to transmit them directly to another controller where this is technically "
        "feasible.</p>",
    },
    "withdraw_consent": {
        "fi": "<p>Jos käsittely perustuu suostumukseesi, voit peruuttaa sen milloin tahansa. Peruuttaminen "
        "ei vaikuta sitä ennen tehdyn käsittelyn lainmukaisuuteen.</p>",
        "sv": "<p>Om behandlingen grundar sig på ditt samtycke, kan du när som helst återkalla det. "
        "Återkallandet påverkar inte lagligheten av behandlingen innan samtycket återkallades.</p>",
        "en": "<p>Where processing is based on your consent, you may withdraw it at any time. Withdrawal "
        "does not affect the lawfulness of processing before it.</p>",
    },
    "complaint": {
        "fi": "<p>Jos katsot, että henkilötietojesi käsittelyssä rikotaan lakia, voit tehdä valituksen "
        "valvontaviranomaiselle:</p>",
        "sv": "<p>Om du anser att behandlingen av dina personuppgifter strider mot lagen, kan du lämna "
        "klagomål till tillsynsmyndigheten:</p>",
        "en": "<p>If you consider that the processing of your personal data breaks the law, you may lodge a "
        "complaint with the supervisory authority:</p>",
    },
}

HOW_TO_USE_RIGHTS_DEFAULT = {
    "fi": "<p>Lähetä pyyntösi tässä selosteessa mainitulle yhteyshenkilölle. Vastaamme ilman aiheetonta "
    "viivytystä ja viimeistään kuukauden kuluessa pyynnön saapumisesta. Jos pyyntö on monimutkainen tai "
    "pyyntöjä on paljon, voimme jatkaa määräaikaa kahdella kuukaudella. Kerromme silloin jatkamisesta ja "
    "sen syystä ensimmäisen kuukauden aikana.</p>",
    "sv": "<p>Skicka din begäran till den kontaktperson som anges i den här beskrivningen. Vi svarar utan "
    "onödigt dröjsmål och senast inom en månad från att vi tog emot begäran. Om begäran är komplicerad "
    "eller om vi får många begäranden kan vi förlänga tiden med två månader. Då meddelar vi dig om "
    "förlängningen och orsaken till den inom den första månaden.</p>",
    "en": "<p>Send your request to the contact person named in this notice. We answer without undue delay "
    "and at the latest within one month of receiving it. If the request is complex or we receive many "
    "requests, we may extend this by two further months; we will then tell you so, and why, within the "
    "first month.</p>",
}


def text(table: dict, key: str, language: str) -> str:
    """One entry in a notice language, falling back to English where a translation is missing."""
    entry = table[key]
    return entry.get(language) or entry["en"]
