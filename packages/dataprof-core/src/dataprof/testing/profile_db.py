"""A database shaped like Supabase's, with the profile schema migrated: built once, cloned per test.

Supabase gives every project the API roles ``anon``, ``authenticated`` (both NOLOGIN)
and ``service_role`` (BYPASSRLS), ``auth.uid()`` reading the request's JWT claims,
and default privileges granting the three roles access to what is created in
``public``. Without those, a role gets "permission denied" where Supabase would apply
RLS, and the policies go untested. :func:`supabase_like_setup` lays them down on a
plain PostgreSQL, then ``dataprof db migrate`` runs, as on a real project.

Act as a role the way Supabase's API does, inside a transaction::

    select set_config('request.jwt.claims', '{"sub": "...", "role": "authenticated"}', true);
    set local role authenticated;
"""

from __future__ import annotations

from dataprof.testing.postgres import PostgresServer

__all__ = ["SUPABASE_BOOTSTRAP", "profile_template", "supabase_like_setup"]

SUPABASE_BOOTSTRAP = """
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
end
$$;
create schema if not exists auth;
create or replace function auth.uid() returns uuid language sql stable as $$
  select nullif(current_setting('request.jwt.claims', true)::jsonb ->> 'sub', '')::uuid
$$;
grant usage on schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
"""


def supabase_like_setup(dsn: str) -> None:
    """Supabase's roles, ``auth.uid()`` and default privileges, then the profile schema."""
    from dataprof.stores.migrator import migrate
    from dataprof.stores.pg_connect import connect

    with connect(dsn) as conn:
        conn.execute(SUPABASE_BOOTSTRAP)
    migrate(dsn)


def profile_template(server: PostgresServer) -> str:
    """The name of the migrated Supabase-like template database (built on first use)."""
    return server.template("dataprof_profile_template", supabase_like_setup)
