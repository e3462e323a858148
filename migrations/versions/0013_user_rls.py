"""user accounts under row-level security: a user sees their own row and the members of the firm in scope

Revision ID: 0013_user_rls
Revises: 0013_operator_rls
Create Date: 2026-12-05
"""

from alembic import op

from migrations.rls import OPERATOR_ALL

revision = "0013_user_rls"
down_revision = "0013_operator_rls"
branch_labels = None
depends_on = None

_VISIBLE = (
    f"{OPERATOR_ALL} "
    "OR id = NULLIF(current_setting('app.user_id', true), '')::integer "
    "OR id IN (SELECT user_id FROM membership "
    "WHERE tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer)"
)

# The one look-up across firms the app needs: the account of an address (log-in, sign-up, password
# reset, invitations), as the tables' owner. It answers the id and the interface language only,
# for one exact (normalised) address; the app then reads the row as that user.
ACCOUNT_FUNCTION = """
CREATE FUNCTION user_account_for_email(address text)
RETURNS TABLE (id integer, language varchar)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT u.id, u.language FROM user_account u WHERE u.email = address $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(ACCOUNT_FUNCTION)
    op.execute("ALTER TABLE user_account ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY user_visibility ON user_account USING ({_VISIBLE}) WITH CHECK ({_VISIBLE})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS user_visibility ON user_account")
    op.execute("ALTER TABLE user_account DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS user_account_for_email(text)")
