"""A stand-in for Supabase's PostgREST, as an httpx transport over a real PostgreSQL.

Mocked because PostgREST (a Haskell server) cannot run here; what it does for
``POST /rest/v1/rpc/<function>`` is small and done for real below: check the
``apikey`` (and the ``Authorization`` a legacy JWT key brings), read the JSON body as
named arguments, look the function's argument types up in ``pg_proc`` (as PostgREST
does from its schema cache), and call it in one transaction as ``service_role`` with
the JWT claims set, returning its result as JSON. Errors come back in PostgREST's
shape (``code``, ``message``, ``details``, ``hint``) with its status codes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported when a request is answered: the core session lacks it
    import httpx


class PostgrestEmulation:
    """``httpx.MockTransport(PostgrestEmulation(dsn, key))``; records every request."""

    def __init__(self, dsn: str, key: str, *, bearer: bool = False) -> None:
        import psycopg

        self.key = key
        self.bearer = bearer
        self.requests: list[httpx.Request] = []
        self._conn = psycopg.connect(dsn, autocommit=True)

    def transport(self) -> httpx.MockTransport:
        import httpx

        return httpx.MockTransport(self)

    def close(self) -> None:
        self._conn.close()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("apikey") != self.key:
            return _error(401, "PGRST301", "Invalid API key")
        authorization = request.headers.get("authorization")
        if self.bearer and authorization != f"Bearer {self.key}":
            return _error(401, "PGRST301", "JWT expected in Authorization")
        if not self.bearer and authorization is not None:
            return _error(401, "PGRST301", "a secret key is never a bearer token")
        if request.method != "POST" or not request.url.path.startswith("/rest/v1/rpc/"):
            return _error(404, "PGRST125", f"no route {request.method} {request.url.path}")
        if request.headers.get("content-type") != "application/json":
            return _error(415, "PGRST107", "Content-Type must be application/json")
        function = request.url.path.rsplit("/", 1)[1]
        try:
            args = json.loads(request.content or b"{}")
        except ValueError:
            return _error(400, "PGRST102", "body is not JSON")
        if not isinstance(args, dict):
            return _error(400, "PGRST102", "body must be an object of named arguments")
        return self._call(function, args)

    def _call(self, function: str, args: dict[str, Any]) -> httpx.Response:
        import httpx
        import psycopg

        found = self._conn.execute(
            "select p.proargnames, array(select format_type(t, null) from unnest(p.proargtypes) t),"
            " format_type(p.prorettype, null) from pg_proc p"
            " where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            (function,),
        ).fetchall()
        if len(found) != 1:
            return _error(404, "PGRST202", f"Could not find the function public.{function}")
        names, types, returns = found[0]
        declared = dict(zip(names or [], types, strict=False))
        if set(args) != set(declared):
            return _error(404, "PGRST202", f"no public.{function}({', '.join(sorted(args))})")
        call = ", ".join(f"{name} => %s::{declared[name]}" for name in args)
        params = [
            json.dumps(v) if declared[n] == "jsonb" and v is not None else v
            for n, v in args.items()
        ]
        try:
            with self._conn.transaction():
                self._conn.execute(
                    "select set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true)"
                )
                self._conn.execute("set local role service_role")
                row = self._conn.execute(f"select public.{function}({call})", params).fetchone()
        except psycopg.Error as exc:
            status = 403 if exc.sqlstate == "42501" else 400
            return _error(status, exc.sqlstate or "", exc.diag.message_primary or str(exc))
        if returns == "void":
            return httpx.Response(204)
        # PostgreSQL's own JSON text for a uuid, a timestamp: strings.
        body = json.dumps(row[0] if row else None, default=str)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})


def _error(status: int, code: str, message: str) -> httpx.Response:
    import httpx

    return httpx.Response(
        status, json={"code": code, "message": message, "details": None, "hint": None}
    )
