"""The wizard's steps, in the order a person thinks about a register, with help for every field."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l

from tenants.notices import legal_texts as T
from tenants.notices.schema import requirement_asked

from ..i18n import LANGUAGE_NAMES, current_language
from .fields import F


@dataclass
class Step:
    """One page of the wizard."""

    key: str
    title: object
    intro: object
    fields: list[F]


def _notice_texts(table):
    """Options labelled with the product's notice texts, in the interface language."""
    return lambda: [(k, T.text(table, k, current_language())) for k in table]


def _languages():
    return list(LANGUAGE_NAMES.items())


def _tristate():
    return [("yes", _l("Yes")), ("no", _l("No"))]


def _collected_from():
    return [
        ("data_subject", _l("Only from the people themselves")),
        ("elsewhere", _l("Only from elsewhere, not from the people themselves")),
        ("both", _l("Both from the people themselves and from elsewhere")),
    ]


def _from_the_person(data: dict) -> bool:
    """The Art. 13(2)(e) requirement is asked unless the firm said no data come from the person."""
    return requirement_asked(data.get("collected_from"))


NOT_FROM_THE_PERSON = _l(
    "Not asked in this notice: under Sources of data you answered that the data come only from elsewhere, not from the people themselves, so nothing is asked of them."
)


def _contact_members():
    """Members of the current tenant, set on `g` by the view for this request only."""
    return g.get("contact_member_options", [])


STEPS: list[Step] = [
    Step(
        "basics",
        _l("Basics and controller"),
        _l(
            "Name the register and say who is responsible for it. The controller is the firm that decides why and how the data are processed. Its details come from your organisation's settings: check them, as they are published."
        ),
        [
            F(
                "notice.title",
                "line",
                _l("Name of this notice in Seloste"),
                _l(
                    "This name is public: it is shown in the notice’s version history, feed and JSON, and as its heading when the register has no name."
                ),
                _l("Customer register"),
                required=True,
            ),
            F(
                "notice.slug",
                "line",
                _l("Address of the notice"),
                _l(
                    "The last part of the notice's public address: lower-case letters, digits and hyphens. You can change it later; once the notice is published, its old address keeps leading to it."
                ),
                _l("customer-register"),
                required=True,
            ),
            F(
                "notice.languages",
                "multi",
                _l("Languages of the notice"),
                _l(
                    "Write the notice in every language your customers use. Finnish and Swedish are both official languages in Finland."
                ),
                options=_languages,
                required=True,
            ),
            F(
                "notice.primary_language",
                "choice",
                _l("Main language"),
                _l("The language a visitor sees first."),
                options=_languages,
                required=True,
            ),
            F(
                "register_name",
                "text",
                _l("Name of the register"),
                _l("A short name that says whose data the register holds."),
                _l("Customer register of Kahvila Oy"),
            ),
            F(
                "controller.name",
                "line",
                _l("Controller's name"),
                _l("The firm's official name, as in the trade register."),
                _l("Kahvila Oy"),
                required=True,
            ),
            F(
                "controller.business_id",
                "line",
                _l("Business ID (Y-tunnus)"),
                _l("With the Business ID anyone can look the firm up in the trade register."),
                "1234567-8",
            ),
            F(
                "controller.street_address",
                "line",
                _l("Street address"),
                _l("The law asks for the controller's contact details; a postal address is the usual one."),
                _l("Rantakatu 1"),
            ),
            F(
                "controller.postal_code",
                "line",
                _l("Postal code"),
                _l("The postal code of the address."),
                "00100",
            ),
            F("controller.city", "line", _l("City"), _l("The town or city of the address."), _l("Helsinki")),
            F(
                "controller.phone",
                "line",
                _l("Phone"),
                _l("Optional. A number people can call about their data."),
                "09 123 4567",
            ),
            F(
                "controller.email",
                "email",
                _l("Email"),
                _l(
                    "An address where people can reach the firm about privacy matters. It is published; it is not taken from anyone's login."
                ),
                "info@kahvila.fi",
            ),
            F(
                "controller.representative",
                "line",
                _l("Representative in the EU (only for firms outside the EU)"),
                _l(
                    "Only a firm without an establishment in the EU that offers goods or services to people here needs one (GDPR Art. 27). Give the representative's name and contact details; otherwise leave this empty."
                ),
                _l("EU Rep Oy, Rantakatu 2, 00100 Helsinki"),
            ),
        ],
    ),
    Step(
        "contact",
        _l("Contact person and data protection officer"),
        _l(
            "Who answers questions and requests about this register? Requests sent through Seloste go to this person."
        ),
        [
            F(
                "contact.member_user_id",
                "choice",
                _l("Contact person"),
                _l("Choose a member of your organisation, or leave empty and name another person below."),
                options=_contact_members,
            ),
            F(
                "contact.name",
                "line",
                _l("Name"),
                _l("Filled in from the member you chose; write a name here for someone outside Seloste."),
                _l("Maija Meikäläinen"),
            ),
            F(
                "contact.title",
                "text",
                _l("Title or role"),
                _l("Optional. Tells people what the person does in the firm."),
                _l("Customer service manager"),
            ),
            F(
                "contact.email",
                "email",
                _l("Email"),
                _l(
                    "Where questions and requests about the register can be sent. A shared address keeps working when people change jobs."
                ),
                "tietosuoja@kahvila.fi",
            ),
            F(
                "contact.phone",
                "line",
                _l("Phone"),
                _l("Optional. A number for questions about the register."),
                "040 123 4567",
            ),
            F(
                "contact.address",
                "line",
                _l("Postal address"),
                _l("Optional. Only if letters should go somewhere else than the controller's address."),
                _l("Rantakatu 1, 00100 Helsinki"),
            ),
            F(
                "dpo.appointed",
                "tristate",
                _l("Have you appointed a data protection officer?"),
                _l(
                    "A DPO is required of public authorities and of firms whose core activity is large-scale monitoring of people or processing of special categories (GDPR Art. 37). Most small firms do not need one."
                ),
                options=_tristate,
            ),
            F(
                "dpo.name",
                "line",
                _l("Data protection officer's name"),
                _l(
                    "Only when you have a data protection officer. The notice must tell how to reach them (GDPR Art. 13(1)(b)); an outside firm acting as the officer may be named instead of a person."
                ),
                "Tuula Virtanen",
                show_when=("dpo.appointed", "yes"),
            ),
            F(
                "dpo.email",
                "email",
                _l("Data protection officer's email"),
                _l("An address that reaches the data protection officer directly."),
                "dpo@kahvila.fi",
                show_when=("dpo.appointed", "yes"),
            ),
            F(
                "dpo.phone",
                "line",
                _l("Data protection officer's phone"),
                _l("Optional. A number where the data protection officer can be reached."),
                "040 765 4321",
                show_when=("dpo.appointed", "yes"),
            ),
        ],
    ),
    Step(
        "purposes",
        _l("Purposes and legal bases"),
        _l(
            "Why do you process the data? Give each purpose its legal basis: the law allows processing only on one of six grounds. The rights section of the notice follows from the bases you choose."
        ),
        [
            F(
                "purposes",
                "group",
                _l("Purposes"),
                _l(
                    "One row for each thing you do with the data, such as serving customers, invoicing or marketing, each with its own legal basis."
                ),
                item_label=_l("Purpose %(n)s"),
                fields=[
                    F(
                        "description",
                        "rich",
                        _l("What the data are used for"),
                        _l("Describe the purpose concretely."),
                        _l("We use the data to deliver orders and to handle invoicing and complaints."),
                    ),
                    F(
                        "legal_basis",
                        "choice",
                        _l("Legal basis"),
                        _l(
                            "Contract: needed to serve a customer. Legal obligation: a law requires it, e.g. accounting. Legitimate interests: your interest, weighed against the person's. Consent: the person agreed, and may withdraw."
                        ),
                        options=_notice_texts(T.LEGAL_BASES),
                    ),
                    F(
                        "legitimate_interest",
                        "rich",
                        _l("The legitimate interest (only when that is the basis)"),
                        _l(
                            "Say what the interest is, and why the person's interests and rights do not override it."
                        ),
                        _l(
                            "Keeping in touch with our existing customers about products like those they have bought."
                        ),
                        show_when=("legal_basis", "legitimate_interests"),
                    ),
                ],
            ),
            F(
                "direct_marketing",
                "bool",
                _l("We use the data for direct marketing"),
                _l("People may always object to direct marketing; the notice will say so."),
            ),
            F(
                "research_statistics",
                "bool",
                _l("We use the data for scientific or historical research or for statistics"),
                _l(
                    "People may then object to that use on grounds of their situation (GDPR Art. 21(6)); the notice will say so."
                ),
            ),
            F(
                "processed_electronically",
                "bool",
                _l("The data are processed electronically"),
                _l(
                    "Almost always yes. With consent or contract as the basis, this gives people the right to data portability."
                ),
            ),
            F(
                "consent_withdrawal",
                "rich",
                _l("How consent can be withdrawn"),
                _l(
                    "Needed when any purpose is based on consent. Withdrawing must be as easy as giving consent."
                ),
                _l("Every newsletter has a link for unsubscribing; you can also email us."),
            ),
            F(
                "requirement.kind",
                "choice",
                _l("Must people give the data?"),
                _l(
                    "The law asks you to say whether giving the data is required by law or by a contract, and what follows if a person does not give them."
                ),
                options=_notice_texts(T.REQUIREMENT_KINDS),
                asked_when=_from_the_person,
                not_asked=NOT_FROM_THE_PERSON,
            ),
            F(
                "requirement.consequences",
                "rich",
                _l("What follows if the data are not given"),
                _l(
                    "Say plainly what the person misses by not giving the data, such as an order that cannot be delivered or an application that cannot be considered. If giving them is voluntary, say that nothing follows."
                ),
                _l("Without an address we cannot deliver the order."),
                asked_when=_from_the_person,
            ),
        ],
    ),
    Step(
        "data",
        _l("Data subjects and personal data"),
        _l("Whose data are in the register, and which data?"),
        [
            F(
                "data_subjects",
                "list",
                _l("Groups of people"),
                _l("One group per line."),
                _l("Customers"),
                item_label=_l("Group %(n)s"),
            ),
            F(
                "data_categories",
                "list",
                _l("Personal data processed"),
                _l("One kind of data per line. List only what you really collect."),
                _l("Name and contact details"),
                item_label=_l("Data %(n)s"),
            ),
            F(
                "special_categories_used",
                "tristate",
                _l("Do you process special categories of personal data?"),
                _l(
                    "Special categories are data about health, ethnic origin, political opinions, religious or philosophical beliefs, trade union membership, genetic or biometric data, sex life or sexual orientation (GDPR Art. 9)."
                ),
                options=_tristate,
            ),
            F(
                "special_categories",
                "multi",
                _l("Special categories of personal data"),
                _l(
                    "Data about health, beliefs, ethnic origin and the like may be processed only on the grounds in GDPR Art. 9."
                ),
                options=_notice_texts(T.SPECIAL_CATEGORIES),
                show_when=("special_categories_used", "yes"),
            ),
            F(
                "special_justification",
                "rich",
                _l("Why you may process these special categories"),
                _l("Name the ground in Art. 9(2) and the law it rests on."),
                _l("Sick leave certificates, under the employer's obligations in employment law."),
                show_when=("special_categories_used", "yes"),
            ),
            F(
                "explicit_consent",
                "bool",
                _l("We process special categories on the person's explicit consent"),
                _l(
                    "GDPR Art. 9(2)(a). Explicit consent can be withdrawn at any time and gives the right to data portability; the notice will say so."
                ),
            ),
            F(
                "criminal_data",
                "bool",
                _l("We process data on criminal convictions and offences"),
                _l(
                    "For example a criminal record extract. These are not a special category but have rules of their own (GDPR Art. 10): they may be processed only where a law allows it."
                ),
            ),
            F(
                "criminal_justification",
                "rich",
                _l("The law that allows processing them"),
                _l("Name the law and say what you check and why."),
                _l(
                    "We check the criminal record extract of people hired to work with children, as the Act on Checking the Criminal Background of Persons Working with Children (504/2002) requires, and keep only the fact that it was shown."
                ),
            ),
            F(
                "personal_identity_code",
                "bool",
                _l("We process personal identity codes (henkilötunnus)"),
                _l(
                    "Allowed only with consent, where a law provides for it, or where identifying the person unambiguously is necessary (Tietosuojalaki 29 §). Never ask for it just in case."
                ),
            ),
            F(
                "personal_identity_code_justification",
                "rich",
                _l("Why the personal identity code is needed"),
                _l(
                    "Say what you need the code for and which ground of Tietosuojalaki 29 § you rely on: the person's consent, a law that requires it, or a real need to identify the person unambiguously."
                ),
                _l("Needed to identify employees for salary payment and tax reporting."),
            ),
        ],
    ),
    Step(
        "sources",
        _l("Sources of data"),
        _l("Where do the data come from? If not from the people themselves, the law asks you to say where."),
        [
            F(
                "collected_from",
                "choice",
                _l("Where do the data come from?"),
                _l(
                    "From the people themselves: they give you the data, for example when they order or apply. From elsewhere: any other source, such as another firm, a public register or a referee. When some data come from elsewhere, the notice must name the sources, list the personal data and say whether any source is publicly accessible (GDPR Art. 14)."
                ),
                options=_collected_from,
            ),
            F(
                "sources",
                "list",
                _l("Sources"),
                _l("One source per line."),
                _l("The customers themselves when they order"),
                item_label=_l("Source %(n)s"),
            ),
            F(
                "sources_public",
                "tristate",
                _l("Is any of the sources publicly accessible?"),
                _l(
                    "Asked when some data come from elsewhere. A publicly accessible source is one anyone may consult, such as the trade register or a public website. The notice says so only when you answer yes."
                ),
                options=_tristate,
            ),
        ],
    ),
    Step(
        "recipients",
        _l("Recipients and transfers"),
        _l("Who else gets the data, and do they leave the EU or the EEA?"),
        [
            F(
                "recipients",
                "list",
                _l("Recipients or groups of recipients"),
                _l(
                    "Include service providers that process data for you (processors), such as your accounting firm or email service."
                ),
                _l("Our accounting firm"),
                item_label=_l("Recipient %(n)s"),
            ),
            F(
                "transfers.outside_eea",
                "tristate",
                _l("Are data transferred outside the EU or the EEA?"),
                _l("A cloud service with servers in the United States, for example, means yes."),
                options=_tristate,
            ),
            F(
                "transfers.items",
                "group",
                _l("Transfers"),
                _l(
                    "Only when data leave the EU or the EEA: one row for each recipient there, with the safeguard that makes the transfer lawful."
                ),
                item_label=_l("Transfer %(n)s"),
                fields=[
                    F(
                        "country",
                        "line",
                        _l("Country"),
                        _l("The country where the recipient keeps or handles the data."),
                        _l("United States"),
                    ),
                    F(
                        "recipient",
                        "text",
                        _l("Recipient"),
                        _l("Who gets the data there: a firm's name, or the kind of service."),
                        _l("Email marketing service"),
                    ),
                    F(
                        "safeguard",
                        "choice",
                        _l("Safeguard"),
                        _l(
                            "A transfer needs a legal safeguard, usually an adequacy decision or the standard contractual clauses."
                        ),
                        options=_notice_texts(T.SAFEGUARDS),
                    ),
                    F(
                        "details",
                        "rich",
                        _l("Details of the safeguard"),
                        _l("Optional. Name the safeguard in a few words, or describe another safeguard."),
                        _l("The service provider has signed the EU standard contractual clauses."),
                    ),
                    F(
                        "copy_how",
                        "rich",
                        _l("How to get a copy of the safeguards"),
                        _l(
                            "Needed for standard contractual clauses, binding corporate rules and other safeguards: tell how a person can get a copy, or where the safeguards are available (GDPR Art. 13(1)(f)). Not needed for an adequacy decision or a derogation."
                        ),
                        _l("Ask us for a copy of the clauses by email at tietosuoja@kahvila.fi."),
                    ),
                ],
                show_when=("transfers.outside_eea", "yes"),
            ),
        ],
    ),
    Step(
        "retention",
        _l("Retention"),
        _l("How long do you keep the data? Give a period, or the criteria that decide it."),
        [
            F(
                "retention",
                "rich",
                _l("Retention period"),
                _l(
                    "Accounting records must be kept: books 10 years, vouchers 6 years (Kirjanpitolaki 2:10)."
                ),
                _l("Customer data are kept for two years after the last purchase."),
            ),
        ],
    ),
    Step(
        "security",
        _l("Security"),
        _l(
            "How do you protect the data? Describe it at a general level, without details that would help an intruder."
        ),
        [
            F(
                "security.manual",
                "rich",
                _l("Manual material (paper)"),
                _l(
                    "How papers with personal data are kept safe: where they are stored, who may see them and how they are destroyed. If there are none, say so."
                ),
                _l("Papers are kept in a locked cabinet."),
            ),
            F(
                "security.electronic",
                "rich",
                _l("Electronic data"),
                _l(
                    "How the data in your systems are protected, in general terms: personal user accounts, access only for those who need it, encrypted connections, backups."
                ),
                _l("Each user has their own password; connections are encrypted."),
            ),
        ],
    ),
    Step(
        "cookies",
        _l("Cookies"),
        _l("Does a website connected with this register use cookies?"),
        [
            F(
                "cookies.used",
                "tristate",
                _l("Cookies are used"),
                _l(
                    "Yes, if the website stores cookies or similar data in visitors' browsers, analytics and advertising tools included."
                ),
                options=_tristate,
            ),
            F(
                "cookies.text",
                "rich",
                _l("Which cookies, and how to manage them"),
                _l("Cookies other than strictly necessary ones need consent."),
                _l(
                    "The shop uses cookies it needs to work, and analytics cookies only if you allow them. You can change your choice under Cookie settings at the foot of every page."
                ),
                show_when=("cookies.used", "yes"),
            ),
        ],
    ),
    Step(
        "automated",
        _l("Automated decisions"),
        _l(
            "Do you make decisions about people by computer alone, or profile them, with legal or similarly significant effects?"
        ),
        [
            F(
                "automated_decisions.used",
                "tristate",
                _l("Automated decisions or profiling"),
                _l("For most small firms the answer is no."),
                options=_tristate,
            ),
            F(
                "automated_decisions.description",
                "rich",
                _l("The logic, significance and consequences"),
                _l("Explain in plain words how the decision is made and what it means for the person."),
                _l(
                    "A credit check run by computer decides whether we offer payment by invoice. You may ask a person to look at the decision again."
                ),
                show_when=("automated_decisions.used", "yes"),
            ),
        ],
    ),
    Step(
        "rights",
        _l("Rights"),
        _l(
            "The rights follow from the legal bases you chose, and stay in step when you change them. You may add your own words to any right."
        ),
        [
            F(
                "rights.items",
                "group",
                _l("Rights in this notice"),
                _l(
                    "Each right comes with a standard text that says what it means. Add your own words only where they help, for example how a right works in your service."
                ),
                fixed=True,
                fields=[
                    F(
                        "text",
                        "rich",
                        _l("Your own words (optional)"),
                        _l("Shown after the standard text of this right."),
                        _l("You can correct your contact details yourself in your customer account."),
                    )
                ],
            ),
            F(
                "other_information",
                "rich",
                _l("Other information"),
                _l(
                    "Text from an imported notice that did not fit any section. Move it where it belongs, or keep it here: it is shown at the end of the notice."
                ),
                _l("Camera surveillance at our shop is described in a notice of its own."),
            ),
            F(
                "rights.how_to",
                "rich",
                _l("How people use their rights"),
                _l(
                    "Tell where to send a request. Seloste's request form is linked from the published notice."
                ),
                _l("Send your request through the form on this page or by email."),
            ),
        ],
    ),
    Step("review", _l("Review"), _l("Check what is still missing, and preview the notice."), []),
]

BY_KEY = {s.key: s for s in STEPS}
KEYS = [s.key for s in STEPS]

# Where each part of the completeness report is edited.
STEP_OF_ITEM = {
    "controller": "basics",
    "controller_confirmation": "basics",
    "register_name": "basics",
    "contact": "contact",
    "dpo": "contact",
    "purposes": "purposes",
    "legal_basis": "purposes",
    "legitimate_interest": "purposes",
    "consent_withdrawal": "purposes",
    "requirement": "purposes",
    "data_subjects": "data",
    "data_categories": "data",
    "special_categories": "data",
    "criminal_data": "data",
    "personal_identity_code": "data",
    "collected_from": "sources",
    "sources": "sources",
    "sources_public": "sources",
    "recipients": "recipients",
    "transfers": "recipients",
    "retention": "retention",
    "security": "security",
    "cookies": "cookies",
    "automated_decisions": "automated",
    "rights": "rights",
    "complaint": "rights",
    "other_information": "rights",
}

# The field each part of the completeness report points at (its wrapper has the id `field-<path>`,
# dots as hyphens); the controller's confirmation is a box of its own.
CONTROLLER_CONFIRMATION_ANCHOR = "controller-confirmation"
FIELD_OF_ITEM = {
    "controller": "controller.name",
    "register_name": "register_name",
    "contact": "contact.member_user_id",
    "dpo": "dpo.appointed",
    "purposes": "purposes",
    "legal_basis": "purposes",
    "legitimate_interest": "purposes",
    "consent_withdrawal": "consent_withdrawal",
    "requirement": "requirement.kind",
    "data_subjects": "data_subjects",
    "data_categories": "data_categories",
    "special_categories": "special_categories_used",
    "criminal_data": "criminal_justification",
    "personal_identity_code": "personal_identity_code_justification",
    "collected_from": "collected_from",
    "sources": "sources",
    "sources_public": "sources_public",
    "recipients": "recipients",
    "transfers": "transfers.outside_eea",
    "retention": "retention",
    "security": "security.manual",
    "cookies": "cookies.used",
    "automated_decisions": "automated_decisions.used",
    "rights": "rights.items",
    "complaint": "rights.items",
    "other_information": "other_information",
}
# Findings that point at the fields they name (their `fields` parameter) rather than at one place.
POINT_AT_THEIR_FIELDS = frozenset(
    {"placeholders", "repealed_law", "old_procedure", "authority_address", "languages"}
)


def field_anchor(step: str, path: str) -> str | None:
    """The id of the wrapper of the step's field that holds a draft path (a row's own field when the
    path names one), or None when no field of the step holds it."""
    for spec in BY_KEY[step].fields if step in BY_KEY else []:
        if path != spec.path and not path.startswith(spec.path + "."):
            continue
        index, _sep, rest = path[len(spec.path) + 1 :].partition(".")
        sub = rest.split(".")[0]
        if spec.kind == "group" and index.isdigit() and any(f.path == sub for f in spec.fields):
            return "field-" + f"{spec.path}.{index}.{sub}".replace(".", "-")
        return "field-" + spec.path.replace(".", "-")
    return None


# Top-level draft keys -> step (for pointing at fields named in warnings).
STEP_OF_PATH = {
    **STEP_OF_ITEM,
    "special_justification": "data",
    "personal_identity_code_justification": "data",
    "processed_electronically": "purposes",
    "direct_marketing": "purposes",
    "research_statistics": "purposes",
    "explicit_consent": "data",
    "criminal_justification": "data",
    "prepared_on": "basics",
}
