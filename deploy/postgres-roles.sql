-- Four roles: the owner runs migrations; the app connects as a role that owns nothing, so
-- PostgreSQL's row-level security applies to every query the app makes; seloste_operator (no
-- login) is the only role whose members may open every firm's rows (with app.all_tenants = 'on');
-- seloste_ops logs in as one of those members, for the commands, the daily jobs and the outbox
-- worker (DATABASE_OPERATOR_URL). The web app's role is not a member and cannot make itself one.
CREATE ROLE seloste_owner LOGIN PASSWORD 'change-me';
CREATE ROLE seloste_app LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE seloste_operator NOLOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE seloste_ops LOGIN PASSWORD 'change-me' NOSUPERUSER NOBYPASSRLS IN ROLE seloste_operator;
CREATE DATABASE seloste OWNER seloste_owner;
-- Then, with DATABASE_OWNER_URL (seloste_owner) and DATABASE_APP_ROLE=seloste_app set:
--   flask --app webapp db upgrade
-- which also grants seloste_app and seloste_operator the data rights they need (and nothing on
-- alembic_version). Migration 0013 creates seloste_operator itself when the owner may create roles.
