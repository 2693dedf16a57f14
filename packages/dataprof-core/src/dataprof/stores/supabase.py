"""Profiles in a Supabase project through its REST API (PostgREST), no database password needed.

``open_store("supabase://<project>.supabase.co")`` with the service role key in
``SUPABASE_SERVICE_ROLE_KEY``. Every operation is ``POST /rest/v1/rpc/<function>`` of
the same SQL functions :class:`PostgresProfileStore` calls, with the same JSON
(:mod:`dataprof.stores.payload`), so both paths store identical rows.

The key travels in the ``apikey`` header. Supabase's new secret keys
(``sb_secret_...``) go there only; a legacy ``service_role`` JWT also goes in
``Authorization: Bearer``, as PostgREST needs it to pick the role. httpx is an
optional dependency (``dataprof-core[supabase]``), imported when a store opens.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from dataprof.errors import ConfigurationError
from dataprof.redaction import redact, remember_secret
from dataprof.stores.base import StoreError
from dataprof.stores.rpc import RpcProfileStore

__all__ = ["SERVICE_ROLE_KEY_ENV_VAR", "SupabaseProfileStore"]

SERVICE_ROLE_KEY_ENV_VAR = "SUPABASE_SERVICE_ROLE_KEY"


def _is_service_role_jwt(key: str) -> bool:
    """A legacy Supabase key: a JWT whose payload says ``"role": "service_role"``."""
    parts = key.split(".")
    if len(parts) != 3:
        return False
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except ValueError:
        return False
    return isinstance(claims, dict) and claims.get("role") == "service_role"


class SupabaseProfileStore(RpcProfileStore):
    """The profile store behind a Supabase project's REST API."""

    def __init__(
        self,
        base_url: str,
        *,
        key: str | None = None,
        transport: Any = None,
        timeout: float = 30.0,
        check: bool = True,
    ) -> None:
        """``base_url`` is ``https://<project>.supabase.co``; ``transport`` an httpx transport
        (tests route requests to a stand-in of PostgREST with it)."""
        try:
            import httpx
        except ImportError:
            raise ConfigurationError(
                "The Supabase profile store needs httpx, which is not installed",
                hint="pip install 'dataprof-core[supabase]'",
            ) from None
        key = key if key is not None else os.environ.get(SERVICE_ROLE_KEY_ENV_VAR)
        if not key:
            raise ConfigurationError(
                f"The Supabase profile store needs the project's service role key in "
                f"{SERVICE_ROLE_KEY_ENV_VAR}",
                hint="Supabase dashboard > Project Settings > API keys: the secret key",
            )
        remember_secret(key)
        headers = {"apikey": key, "Content-Type": "application/json", "Accept": "application/json"}
        if _is_service_role_jwt(key):
            headers["Authorization"] = f"Bearer {key}"
        self._base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self._base_url}/rest/v1/rpc/",
            headers=headers,
            transport=transport,
            timeout=timeout,
        )
        self.round_trips = 0
        self.bytes_sent = 0
        if check:
            self.check_schema()

    @property
    def location(self) -> str:
        return self._base_url

    def __repr__(self) -> str:
        return f"SupabaseProfileStore({self.location!r})"

    def _call(self, function: str, args: dict[str, Any]) -> Any:
        import httpx

        body = json.dumps(args, ensure_ascii=False).encode()
        self.round_trips += 1
        self.bytes_sent += len(body)
        try:
            reply = self._http.post(function, content=body)
        except httpx.HTTPError as exc:
            raise StoreError(
                f"Cannot reach the Supabase REST API at {self.location} ({function}): "
                f"{redact(str(exc))}",
                hint="check the project URL in DATAPROF_STORE and the network",
            ) from None
        if reply.status_code >= 400:
            raise self._error(function, reply)
        if reply.status_code == 204 or not reply.content:
            return None
        return reply.json()

    def _error(self, function: str, reply: Any) -> StoreError:
        try:
            error = reply.json()
        except ValueError:
            error = {}
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "")
        message = redact(str(error.get("message") or reply.text[:200]))
        if code == "PGRST202" or reply.status_code == 404:
            return StoreError(
                f"The profile schema is not in the Supabase project at {self.location} "
                f"(no function {function}): {message}",
                hint="run `dataprof db migrate` (or `supabase db push`) against the project",
            )
        if reply.status_code in (401, 403):
            return StoreError(
                f"Supabase refused {function} at {self.location} ({reply.status_code}): {message}",
                hint=f"put the project's secret (service role) key in {SERVICE_ROLE_KEY_ENV_VAR}",
            )
        return StoreError(
            f"{function} failed at {self.location} ({reply.status_code} {code}): {message}"
        )

    def close(self) -> None:
        self._http.close()
