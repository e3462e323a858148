-- Two roles: the owner runs migrations; the app connects as a role that owns nothing,
-- so PostgreSQL's row-level security applies to every query the app makes.
CREATE ROLE seloste_owner LOGIN PASSWORD 'change-me';
CREATE ROLE seloste_app LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE seloste OWNER seloste_owner;
-- Then, with DATABASE_OWNER_URL (seloste_owner) and DATABASE_APP_ROLE=seloste_app set:
--   flask --app webapp db upgrade
-- which also grants seloste_app the data rights it needs (and nothing on alembic_version).
