"""Searching the inbox: a reference exactly, an address by its beginning, a name by any part, with
case and accents not mattering, and what is typed matched literally (% and _ are no wildcards)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from tenants.errors import ValidationFailed
from tenants.models import User
from tenants.requests import listing, service
from tenants.requests.deadlines import due_date
from tenants.requests.models import DataRequest
from tenants.requests.service import NewRequest
from tenants.scoping import scoped_to, unscoped
from tenants.validation import normalise_email

NOW = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
PEOPLE = [
    ("Mäki Åsa", "asa.maki@example.fi"),
    ("Pekka Makinen", "PEKKA_M@Example.fi"),
    ("Liisa Öhman", "liisa%o@example.fi"),
    ("Jörg Straße", "jorg@example.de"),
    ("Kalle Virta", "kalle@mäki.fi"),
]


@pytest.fixture
def people(session, make_owner):
    user, t = make_owner("kasittelija@firma.fi", "Firma Oy")
    _u, other = make_owner("muu@muu.fi", "Muu Oy", business_id="0112038-9")
    made = {}
    with scoped_to(session, other.id):
        service.submit_request(
            session, other.id, None, NewRequest("access", "Mäki Muualla", "maki@muu.fi", "Kopio"), now=NOW
        )
    with scoped_to(session, t.id, user.id):
        for name, email in PEOPLE:
            made[name] = service.submit_request(
                session, t.id, None, NewRequest("access", name, email, "Kopio"), now=NOW
            )
    session.commit()
    return t, made


def _page(session, tenant, typed: str, search) -> set[str]:
    f = listing.Filters(q=typed)
    page = listing.page_query(
        lambda part: listing.filtered_query(tenant.id, f, date(2026, 1, 31), None, part=part, search=search),
        None,
        51,
    )
    return {r.name for r in session.execute(page)}


def found(session, tenant, typed: str) -> set[str]:
    """What the inbox lists for a search, the same whether the ids come from the search indexes
    (looked up first, as the inbox does) or each row is compared, and through the statement the
    inbox builds once for a search (listing.list_page)."""
    with scoped_to(session, tenant.id):
        through_indexes = _page(session, tenant, typed, listing.search_condition(typed, session))
        row_by_row = _page(session, tenant, typed, None)
        f = listing.Filters(q=typed)
        built_once = {
            r.name for r in listing.list_page(session, tenant.id, f, date(2026, 1, 31), None, None, 51)
        }
    assert through_indexes == row_by_row == built_once
    return through_indexes


def test_names_by_any_part_whatever_the_case_and_accents(session, people):
    tenant, _made = people
    assert found(session, tenant, "maki") == {"Mäki Åsa", "Pekka Makinen"}
    assert found(session, tenant, "MÄKI") == {"Mäki Åsa", "Pekka Makinen"}
    assert found(session, tenant, "asa") == {"Mäki Åsa"}  # Å as A; the address asa.maki too
    assert found(session, tenant, "ohm") == {"Liisa Öhman"}
    assert found(session, tenant, "strasse") == {"Jörg Straße"}  # ß folds to ss
    assert found(session, tenant, "kinen") == {"Pekka Makinen"}
    assert found(session, tenant, "Virtanen") == set()


def test_a_search_finding_very_many_lists_the_same(session, people, monkeypatch):
    tenant, _made = people
    monkeypatch.setattr(listing, "SEARCH_IDS", 1)  # more than this many: rows compared in list order
    assert found(session, tenant, "maki") == {"Mäki Åsa", "Pekka Makinen"}


def test_a_name_common_in_the_start_of_the_list_is_walked_for_and_lists_the_same(
    session, people, monkeypatch
):
    tenant, _made = people
    # Two of the first five requests have "maki": common, so no ids are looked up.
    monkeypatch.setattr(listing, "NAME_SAMPLE", 5)
    monkeypatch.setattr(listing, "NAME_COMMON", 2)
    assert found(session, tenant, "maki") == {"Mäki Åsa", "Pekka Makinen"}
    assert found(session, tenant, "ohman") == {"Liisa Öhman"}  # one in five: looked up
    if session.get_bind().dialect.name == "postgresql":
        with scoped_to(session, tenant.id):
            assert "ANY" not in str(listing.search_condition("maki", session))
            assert "ANY" in str(listing.search_condition("ohman", session))


@pytest.mark.postgresql_only
def test_whether_a_name_is_common_is_told_by_the_tenants_own_requests(backend, session, people):
    """request_name_is_common counts the requests of the tenant in scope only, the first `sample` of
    them in the list's order."""
    tenant, _made = people

    def common(scope: int, typed: str, sample: int, enough: int) -> bool:
        with scoped_to(session, scope):
            return session.scalar(
                text("SELECT request_name_is_common(:n, :s, :e)"),
                {"n": "%" + listing._like_literal(typed) + "%", "s": sample, "e": enough},
            )

    assert common(tenant.id, "maki", 10, 2) is True
    assert common(tenant.id, "maki", 10, 3) is False
    assert common(tenant.id, "muualla", 10, 1) is False  # another firm's requester
    other = session.scalar(text("SELECT id FROM tenant WHERE name = 'Muu Oy'"))
    assert common(other, "muualla", 10, 1) is True
    # In the list's order: none is verified yet, so none has a due date and they come as made.
    assert common(tenant.id, "maki", 1, 1) is True  # Åsa Mäki, made first
    assert common(tenant.id, "ohman", 2, 1) is False  # Liisa Öhman is the third


def test_a_page_built_once_for_its_filters_lists_what_one_built_for_its_values_does(session, people):
    """listing.list_page runs one statement for each shape of filters and cursor with the values as
    parameters: page by page, it lists what page_query built with the values lists, in each tenant."""
    tenant, made = people
    with unscoped(session):
        owner = session.scalar(select(User.id).where(User.email == "kasittelija@firma.fi"))
        other = session.scalar(select(DataRequest.tenant_id).where(DataRequest.tenant_id != tenant.id))
    today = date(2026, 1, 31)
    varied = [  # status, type, received, assignee
        ("open", "erasure", date(2026, 1, 2), owner),  # due 2.2.: soon
        ("open", "access", date(2025, 12, 20), None),  # due 20.1.: overdue
        ("completed", "erasure", date(2025, 11, 1), owner),
        ("open", "rectification", date(2026, 1, 30), None),
    ]
    with scoped_to(session, tenant.id):
        for req, (status, kind, received, assignee) in zip(made.values(), varied, strict=False):
            session.execute(
                text(
                    "UPDATE data_request SET status = :s, type = :k, received_on = :r, due_on = :d, "
                    "assignee_id = :a WHERE id = :id"
                ),
                {"s": status, "k": kind, "r": received, "d": due_date(received), "a": assignee, "id": req.id},
            )
    with scoped_to(session, other):  # another tenant's request, due in the same days
        other_request = session.scalar(select(DataRequest.id))
        session.execute(
            text("UPDATE data_request SET status = 'open', received_on = :r, due_on = :d WHERE id = :id"),
            {"r": date(2026, 1, 2), "d": due_date(date(2026, 1, 2)), "id": other_request},
        )
    session.commit()
    shapes = [
        listing.Filters(),
        listing.Filters(status="active"),
        listing.Filters(status="open"),
        listing.Filters(status="unverified"),
        listing.Filters(type="erasure"),
        listing.Filters(type="access", status="active"),
        listing.Filters(assignee="me"),
        listing.Filters(assignee="none"),
        listing.Filters(assignee=str(owner)),
        listing.Filters(due="soon"),
        listing.Filters(due="overdue"),
        listing.Filters(q="maki"),
        listing.Filters(q="maki", status="active"),
        listing.Filters(q="kalle@", type="access"),
    ]
    for tenant_id in (tenant.id, other, tenant.id):
        with scoped_to(session, tenant_id):
            for f in shapes:
                pages, after = [], None
                while True:
                    search = listing.search_condition(f.q, session) if f.q else None
                    built_now = session.execute(
                        listing.page_query(
                            lambda part, f=f, search=search, tenant_id=tenant_id: listing.filtered_query(
                                tenant_id, f, today, owner, part=part, search=search
                            ),
                            after,
                            3,
                        )
                    ).all()
                    built_once = listing.list_page(session, tenant_id, f, today, owner, after, 3)
                    assert built_once == built_now, (tenant_id, f, after)
                    pages.append([r.id for r in built_once])
                    if len(built_once) < 3:
                        break
                    after = (built_once[-1].due_on, built_once[-1].id)
                listed = [i for page in pages for i in page]
                assert len(listed) == len(set(listed))
                with unscoped(session):
                    owners = set(
                        session.scalars(select(DataRequest.tenant_id).where(DataRequest.id.in_(listed)))
                    )
                assert owners <= {tenant_id}, (tenant_id, f)
                if f == listing.Filters():
                    assert set(listed) == (
                        {r.id for r in made.values()} if tenant_id == tenant.id else {other_request}
                    )


def test_a_search_with_a_space_in_it_is_no_address_and_still_finds_names(session, people):
    """A walk for "aino mäki" compares no address: no stored address holds whitespace of any kind."""
    spaces = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    for space in spaces:
        with pytest.raises(ValidationFailed):
            normalise_email(f"aino{space}maki@example.fi")
    assert "email" not in str(listing.search_condition("aino mäki")).lower()
    assert "email" in str(listing.search_condition("aino")).lower()
    tenant, _made = people
    assert found(session, tenant, "mäki åsa") == {"Mäki Åsa"}
    assert found(session, tenant, "pekka  mak") == set()  # two spaces: as typed
    assert found(session, tenant, "PEKKA MAKI") == {"Pekka Makinen"}


def test_addresses_exactly_or_by_their_beginning_in_any_case(session, people):
    tenant, _made = people
    assert found(session, tenant, "pekka_m@example.fi") == {"Pekka Makinen"}
    assert found(session, tenant, "PEKKA_M@EX") == {"Pekka Makinen"}
    assert found(session, tenant, "kalle@mäki") == {"Kalle Virta"}
    # An address is found by its beginning only: the end of one finds nothing.
    assert found(session, tenant, "@example.de") == set()


def test_a_walk_finds_addresses_by_their_beginning_in_any_case(session, people, monkeypatch):
    """Walked to the end (more found than are looked up) or in the start of the list (a common name),
    an address is compared as stored: lower-cased, as what was typed is."""
    tenant, _made = people
    monkeypatch.setattr(listing, "SEARCH_IDS", 0)  # any search that finds one is walked to the end
    assert found(session, tenant, "PEKKA_M@EX") == {"Pekka Makinen"}
    assert found(session, tenant, "Kalle@Mäki") == {"Kalle Virta"}
    with scoped_to(session, tenant.id):
        service.submit_request(
            session, tenant.id, None, NewRequest("access", "Aada Aho", "Maki.A@Example.fi", "Kopio"), now=NOW
        )
    session.commit()
    monkeypatch.setattr(listing, "NAME_SAMPLE", 10)
    monkeypatch.setattr(listing, "NAME_COMMON", 2)  # "maki" is in two names: walked within the bound
    assert found(session, tenant, "MAKI") == {"Mäki Åsa", "Pekka Makinen", "Aada Aho"}
    if session.get_bind().dialect.name == "postgresql":
        with scoped_to(session, tenant.id):
            assert "ANY" not in str(listing.search_condition("MAKI", session))


def test_an_address_is_stored_lower_cased_however_it_is_given(session, people):
    tenant, made = people
    assert made["Pekka Makinen"].email == "pekka_m@example.fi"
    with scoped_to(session, tenant.id):
        request = session.get(DataRequest, made["Pekka Makinen"].id)
        request.email = "Pekka.Uusi@Example.FI"
        session.flush()
        stored = session.connection().scalar(
            text("SELECT email FROM data_request WHERE id = :i"), {"i": request.id}
        )
    assert stored == "pekka.uusi@example.fi"
    session.rollback()


def test_percent_and_underscore_are_matched_as_typed(session, people):
    tenant, _made = people
    assert found(session, tenant, "pekka_m") == {"Pekka Makinen"}
    assert found(session, tenant, "pekka_") == {"Pekka Makinen"}
    assert found(session, tenant, "pekkaxm") == set()  # "_" is no wildcard
    assert found(session, tenant, "liisa%o") == {"Liisa Öhman"}
    assert found(session, tenant, "liisa%") == {"Liisa Öhman"}
    assert found(session, tenant, "%") == set()  # no address or name holds a "%" at the start
    assert found(session, tenant, "m%ki") == set()
    assert found(session, tenant, "\\") == set()


def test_references_exactly_however_typed(session, people):
    tenant, made = people
    ref = made["Kalle Virta"].reference
    assert found(session, tenant, ref.lower().replace("-", " ")) == {"Kalle Virta"}
    assert found(session, tenant, ref[:-1]) == set()  # a reference is not searched by a part


def test_an_erased_name_is_no_longer_found(session, people):
    tenant, made = people
    with scoped_to(session, tenant.id):
        service.erase_personal_data(session, made["Liisa Öhman"], now=NOW)
    assert found(session, tenant, "öhman") == set()


@pytest.mark.postgresql_only
def test_the_search_function_gives_each_id_once_and_at_most_as_many_as_asked(backend, session, people):
    """An address and a name are looked up apart: a request found both ways ('asa' begins Åsa Mäki's
    address and is part of her name) is one id, and the function stops at the number asked for."""
    tenant, made = people

    def ids(typed: str, most: int) -> list[int]:
        address = listing._like_literal(typed.lower()) + "%"
        name = "%" + listing._like_literal(typed) + "%"
        return session.scalars(
            text("SELECT request_search_ids(:r, :a, :n, :m)"),
            {"r": typed, "a": address, "n": name, "m": most},
        ).all()

    with scoped_to(session, tenant.id):
        assert ids("asa", 10) == [made["Mäki Åsa"].id]
        assert sorted(ids("maki", 10)) == sorted([made["Mäki Åsa"].id, made["Pekka Makinen"].id])
        assert len(ids("maki", 1)) == 1
        assert ids("kalle@mäki", 10) == [made["Kalle Virta"].id]


@pytest.mark.postgresql_only
def test_the_ids_a_search_found_go_to_the_page_as_one_value(backend, session, people):
    """However many requests a search finds, the page's statement is the same: the ids are one
    array. (A parameter per id cost a page about 20 ms more processor time at 900 ids.)"""
    from sqlalchemy.dialects import postgresql

    tenant, made = people

    def rendered(typed: str) -> tuple[str, list[int]]:
        with scoped_to(session, tenant.id):
            condition = listing.search_condition(typed, session)
        compiled = condition.compile(
            dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
        )
        return str(compiled), sorted(value for values in compiled.params.values() for value in values)

    one, one_ids = rendered("kalle")
    three, three_ids = rendered("s")  # Åsa, Liisa, Straße
    assert one_ids == [made["Kalle Virta"].id]
    assert len(three_ids) == 3
    assert one == three


@pytest.mark.postgresql_only
def test_postgres_has_the_search_indexes(backend, session):
    """The indexes a search reads at scale (bench/requests_inbox prints their use at a million)."""
    defs = dict(
        session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'data_request'")
        ).all()
    )
    assert "gin (name_search gin_trgm_ops)" in defs["ix_data_request_name_search_trgm"]
    assert "(tenant_id, lower((email)::text) text_pattern_ops)" in defs["ix_data_request_tenant_email_prefix"]


@pytest.mark.postgresql_only
def test_the_app_plans_every_statement_for_its_values(backend, app):
    """No server-side prepared statements: their generic plans cannot tell a tenant of a million
    requests from one of a hundred (bench/inbox_http showed a filter page at 1.7 s with them)."""
    with app.extensions["seloste_db"].engine.connect() as conn:
        assert conn.connection.dbapi_connection.prepare_threshold is None


@pytest.fixture
def early_name(session, make_owner):
    """A firm whose first requests in the list's order (the earliest due) are one person's, who has
    one more later and one not yet verified (no due date); the rest are others'."""
    _user, t = make_owner("sarja@firma.fi", "Sarja Oy")
    plan = [  # name, received (None: unverified, no due date)
        ("Sakari Särjänen", date(2025, 1, 2)),
        ("Sakari Särjänen", date(2025, 1, 3)),
        ("Sakari Särjänen", date(2025, 1, 4)),
        *((f"Muu Henkilö {n}", date(2025, 3, n)) for n in range(1, 7)),
        ("Sakari Särjänen", date(2025, 6, 1)),
        ("Sakari Särjänen", None),
        ("Muu Henkilö 7", None),
    ]
    wanted = []
    with scoped_to(session, t.id):
        for name, received in plan:
            req = service.submit_request(
                session, t.id, None, NewRequest("access", name, "pyytaja@example.fi", "Kopio"), now=NOW
            )
            if received is not None:
                session.execute(
                    text(
                        "UPDATE data_request SET status = 'open', received_on = :r, due_on = :d WHERE id = :id"
                    ),
                    {"r": received, "d": due_date(received), "id": req.id},
                )
            if name == "Sakari Särjänen":
                wanted.append(req.id)
    session.commit()
    return t, wanted


def _all_pages(session, tenant_id: int, f: listing.Filters, size: int) -> list[list[int]]:
    """Every page of the list through listing.list_page, each checked against the page that comparing
    row by row gives after the same cursor."""
    pages, after = [], None
    today = date(2026, 1, 31)
    while True:
        listed = listing.list_page(session, tenant_id, f, today, None, after, size)
        compared = session.execute(
            listing.page_query(
                lambda part: listing.filtered_query(tenant_id, f, today, None, part=part), after, size
            )
        ).all()
        assert listed == compared, (f, size, after)
        pages.append([r.id for r in listed])
        if len(listed) < size:
            return pages
        after = (listed[-1].due_on, listed[-1].id)


@pytest.fixture
def latest_first(session, make_owner):
    """A firm whose requests were received in the reverse order of their making: the later a request
    was made, the sooner it is due. Six of them are one person's, two of those not yet verified (no
    due date, listed last by id); two of her four dated ones are completed, two open."""
    _user, t = make_owner("kaari@firma.fi", "Kaari Oy")
    wanted = []  # the person's requests in the list's order: dated by due date, then undated by id
    undated = []
    with scoped_to(session, t.id):
        for n in range(10):
            name = "Outi Kääriäinen" if n % 2 == 0 or n == 9 else f"Muu Henkilö {n}"
            req = service.submit_request(
                session, t.id, None, NewRequest("access", name, "pyytaja@example.fi", "Kopio"), now=NOW
            )
            if n in (2, 9):  # not verified
                undated.append(req.id)  # both are hers
                continue
            received = date(2025, 12, 20) - timedelta(days=n)
            session.execute(
                text("UPDATE data_request SET status = :s, received_on = :r, due_on = :d WHERE id = :id"),
                {
                    "s": "completed" if n % 3 == 0 else "open",
                    "r": received,
                    "d": due_date(received),
                    "id": req.id,
                },
            )
            if name.startswith("Outi"):
                wanted.insert(0, req.id)
    session.commit()
    return t, wanted + undated


@pytest.mark.postgresql_only
def test_the_ids_a_search_looks_up_are_listed_in_the_lists_order_page_by_page(backend, session, latest_first):
    """The ids come from the look-up in the list's order (due date, then id; undated last), not in
    the order of the ids, and each page takes the first of them that meet the filters: every page is
    what comparing each request lists, in the list's order."""
    tenant, wanted = latest_first
    assert wanted != sorted(wanted)  # the list's order is not the ids' order
    with scoped_to(session, tenant.id):
        terms = listing._search_terms("kaariainen")
        assert listing._how_searched(terms, session) == ("ids", wanted)
        with unscoped(session):
            opened = set(session.scalars(select(DataRequest.id).where(DataRequest.status == "open")))
        for f, expected in (
            (listing.Filters(q="kaariainen"), wanted),
            (listing.Filters(q="KÄÄRIÄ", status="open"), [i for i in wanted if i in opened]),
        ):
            for size in (1, 2, 3, 51):
                listed = [i for page in _all_pages(session, tenant.id, f, size) for i in page]
                assert listed == expected, (f, size)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("bound", [1, 2, 3, 4, 100])
@pytest.mark.parametrize("most_ids", [1, 5000])
def test_a_name_common_only_in_the_start_of_the_list_is_listed_whole_page_by_page(
    backend, session, early_name, monkeypatch, bound, most_ids
):
    """Three of the first four requests have the name, so it is taken as common and walked for; the
    walk reads at most `bound` requests, then the ids are looked up (or, more than `most_ids`, the walk
    goes to the end). Every page is what comparing each request lists, and all five are found."""
    tenant, wanted = early_name
    monkeypatch.setattr(listing, "NAME_SAMPLE", 4)
    monkeypatch.setattr(listing, "NAME_COMMON", 2)
    monkeypatch.setattr(listing, "WALK_BOUND", bound)
    monkeypatch.setattr(listing, "SEARCH_IDS", most_ids)
    with scoped_to(session, tenant.id):
        for f in (listing.Filters(q="sarjanen"), listing.Filters(q="SÄRJÄ", status="open")):
            for size in (1, 2, 3, 51):
                listed = [i for page in _all_pages(session, tenant.id, f, size) for i in page]
                assert listed == (wanted if f.status == "" else wanted[:4]), (f, size)


@pytest.mark.postgresql_only
def test_a_walk_that_finds_less_than_a_page_within_its_bound_looks_the_ids_up(
    backend, session, early_name, monkeypatch
):
    """The name is common in the sample, but a walk of three requests finds less than a page: the
    ids are looked up without the sample, and the page lists them all. A walk that finds a page
    within its bound is the answer: nothing is looked up after it. A name the sample does not take
    for common but found too often to look up is walked to the end at once, looked up once."""
    tenant, wanted = early_name
    monkeypatch.setattr(listing, "NAME_SAMPLE", 4)
    monkeypatch.setattr(listing, "NAME_COMMON", 2)
    monkeypatch.setattr(listing, "WALK_BOUND", 3)
    sent = []

    def seen(conn, cursor, statement, params, context, executemany):
        sent.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with scoped_to(session, tenant.id):
            f = listing.Filters(q="sarjanen")
            page = listing.list_page(session, tenant.id, f, date(2026, 1, 31), None, None, 51)
            assert [r.id for r in page] == wanted
            looked_up = [p for s, p in sent if "request_search_ids" in s]
            assert [p["sample"] for p in looked_up] == [4, 0]  # sampled: common; then looked up
            assert "unnest" in sent[-1][0]  # the page reads the ids looked up
            sent.clear()
            page = listing.list_page(session, tenant.id, f, date(2026, 1, 31), None, None, 2)
            assert [r.id for r in page] == wanted[:2]
            assert [p["sample"] for s, p in sent if "request_search_ids" in s] == [4]
            assert sent[-1][1]["walk_bound"] == 3
            # Not common in the sample, and more found than are looked up: walked to the end at once.
            monkeypatch.setattr(listing, "NAME_COMMON", 4)
            monkeypatch.setattr(listing, "SEARCH_IDS", 2)
            sent.clear()
            page = listing.list_page(session, tenant.id, f, date(2026, 1, 31), None, None, 51)
            assert [r.id for r in page] == wanted
            assert [p["sample"] for s, p in sent if "request_search_ids" in s] == [4]
            assert "walk_bound" not in sent[-1][1] and "unnest" not in sent[-1][0]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
