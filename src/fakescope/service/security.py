"""The service's front door: Host/Origin checks, API keys, rate limits, body limits, headers.

One ASGI middleware, so that a refused request is refused before its body is read: a wrong Host
(DNS rebinding), a cross-site POST (CSRF), a missing API key, a too-large ``Content-Length``, a
client over its rate or an upload that trickles in (slow-loris) never reach the scanner.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fakescope.service.settings import ServiceSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOAD_PATHS = ("/api/scan", "/api/jobs")
PUBLIC_API = ("/api/health",)
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Swagger UI and ReDoc load their code from a CDN and start it from an inline script.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline' "
    "https://cdn.jsdelivr.net; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class BodyRejected(HTTPException):
    """Raised from ``receive()`` when an upload is too large or too slow."""


class RateLimiter:
    """Token buckets per principal: ``capacity`` tokens, refilled over ``period`` seconds.

    Examples
    --------
    >>> limiter = RateLimiter(2, 60.0)
    >>> limiter.take("alice"), limiter.take("alice"), limiter.take("alice")[0]
    ((True, 0.0), (True, 0.0), False)
    """

    def __init__(self, capacity: float, period_s: float) -> None:
        self.capacity = capacity
        self.rate = capacity / period_s
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, principal: str, cost: float = 1.0) -> tuple[bool, float]:
        """Take ``cost`` tokens; returns (allowed, seconds to wait before retrying)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(principal, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[principal] = (tokens - cost, now)
                return True, 0.0
            self._buckets[principal] = (tokens, now)
            return False, (cost - tokens) / self.rate


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Is ``host`` (a Host header, port optional) on the allow-list?

    ``*`` allows every host; ``.example.org`` allows example.org and its sub-domains.

    Examples
    --------
    >>> host_allowed("localhost:8000", ["localhost"]), host_allowed("[::1]:80", ["::1"])
    (True, True)
    >>> host_allowed("evil.example:8000", ["localhost"])
    False
    """
    name = _hostname(host)
    for entry in allowed:
        entry = entry.lower().strip("[]")
        if entry == "*" or name == entry:
            return True
        if entry.startswith(".") and (name == entry[1:] or name.endswith(entry)):
            return True
    return False


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class GuardMiddleware:
    """Checks every request before the app sees it and adds security headers to every answer."""

    def __init__(
        self, app: ASGIApp, settings: ServiceSettings, limiter: RateLimiter | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(("/docs", "/redoc")) else CSP
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += HEADERS + [(b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await _send_error(send_with_headers, *refusal)
            return
        guarded = self._guard_body(scope, receive)
        try:
            await self.app(scope, guarded, send_with_headers)
        except BodyRejected as exc:  # raised outside a route (nothing turned it into a response)
            if not started:
                await _send_error(send_with_headers, exc.status_code, str(exc.detail), {})

    def _refusal(self, scope: Scope) -> tuple[int, str, dict[str, str]] | None:
        headers = Headers(scope=scope)
        s = self.settings
        host = headers.get("host", "")
        if not host_allowed(host, s.allowed_hosts):
            return (
                400,
                f"Host {host!r} is not allowed; start the service with --allowed-host "
                f"{_hostname(host) or 'NAME'} to serve it under that name",
                {},
            )
        method = scope.get("method", "GET")
        if method not in SAFE_METHODS and not self._same_site(headers, host):
            return 403, "cross-site request refused (its Origin is not this service)", {}
        path: str = scope.get("path", "")
        if s.api_keys and path.startswith("/api/") and path not in PUBLIC_API:
            principal = self._principal(headers)
            if principal is None:
                return (
                    401,
                    "this service needs an API key: send it as 'X-API-Key: KEY' or "
                    "'Authorization: Bearer KEY'",
                    {"www-authenticate": "Bearer"},
                )
        else:
            principal = None
        scope.setdefault("state", {})["principal"] = principal
        if method == "POST" and path in UPLOAD_PATHS:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > s.max_request_bytes:
                return 413, f"the request is larger than the {s.max_request_mb:g} MB limit", {}
            if self.limiter is not None:
                who = principal or _client(scope)
                allowed, wait = self.limiter.take(who)
                if not allowed:
                    return (
                        429,
                        f"rate limit reached; retry in {wait:.0f} s",
                        {"retry-after": str(max(1, round(wait)))},
                    )
        return None

    def _same_site(self, headers: Headers, host: str) -> bool:
        origin = headers.get("origin")
        if origin is None:
            # Browsers send Origin on cross-site POSTs; a script (curl) sends neither header.
            return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
        if origin in self.settings.cors_origins:
            return True
        parts = urlsplit(origin)
        return origin != "null" and parts.netloc.lower() == host.strip().lower()

    def _principal(self, headers: Headers) -> str | None:
        supplied = headers.get("x-api-key")
        auth = headers.get("authorization", "")
        if supplied is None and auth.lower().startswith("bearer "):
            supplied = auth[7:].strip()
        if not supplied:
            return None
        found = None
        for secret, name in self.settings.api_keys.items():
            # Compare with every key (constant time per key) so timing reveals nothing.
            if hmac.compare_digest(secret.encode(), supplied.encode()):
                found = name
        return found

    def _guard_body(self, scope: Scope, receive: Receive) -> Receive:
        s = self.settings
        loop = asyncio.get_running_loop()
        deadline = loop.time() + s.body_total_timeout_s
        received = 0

        async def guarded() -> Message:
            nonlocal received
            timeout = min(s.body_idle_timeout_s, deadline - loop.time())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(0.0, timeout))
            except TimeoutError:
                raise BodyRejected(
                    408,
                    f"the upload stalled (no data for {s.body_idle_timeout_s:g} s, or slower "
                    f"than the {s.body_total_timeout_s:g} s allowed for a request)",
                ) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > s.max_request_bytes:
                    raise BodyRejected(
                        413, f"the request is larger than the {s.max_request_mb:g} MB limit"
                    )
            return message

        return guarded


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"ip:{client[0]}" if client else "ip:unknown"


async def _send_error(send: Send, status: int, detail: str, extra: dict[str, str]) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    if status in (408, 413):
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
