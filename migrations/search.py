"""The function the inbox's search looks request ids up with (PostgreSQL only), as the migrations
0015 and 0018 write it: request_search_ids (see 0012_inbox_scale) runs its query as the tables'
owner, within the tenant the transaction is scoped to."""


def search_ids_function(query: str) -> str:
    """request_search_ids running `query` with $1 the reference, $2 the address prefix, $3 the name
    part, $4 the tenant in scope and $5 the most ids to give."""
    return f"""
CREATE OR REPLACE FUNCTION request_search_ids(ref text, address_prefix text, name_part text, most integer)
RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
ROWS 50
AS $$
DECLARE
    tenant integer := NULLIF(current_setting('app.tenant_id', true), '')::integer;
BEGIN
    RETURN QUERY EXECUTE {query}
        USING ref, address_prefix, name_part, tenant, most;
END
$$
"""


# An address and a name are two queries: an address by its beginning reads a range of the
# lower(email) index, and a common name stops after `most` rows without computing lower(email) for
# every row it reads (one OR made both tests for every row). UNION gives an id found both ways once.
BY_PART = search_ids_function(
    "'SELECT id FROM data_request WHERE reference = $1 AND tenant_id = $4 UNION '\n"
    "        '(SELECT id FROM data_request WHERE tenant_id = $4 AND lower(email) LIKE $2 LIMIT $5) UNION '\n"
    "        '(SELECT id FROM data_request WHERE tenant_id = $4 AND name_search LIKE $3 LIMIT $5) '\n"
    "        'LIMIT $5'"
)
