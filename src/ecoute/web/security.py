"""Response headers that keep hostile post content and other sites in their place.

Posts are written by strangers and shown to the brand's staff, so the pages
allow no inline script, no plugin, no framing and no off-site fetch: even a
post that slipped past escaping could not run or phone home. Only the API
documentation page relaxes styles, because Swagger UI sets inline styles.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# A report is one self-contained file (it is saved and mailed), so its styles are
# inline; it has no script at all.
REPORT_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)
REPORT_PATHS = ("/reports/report.html", "/reports/weekly/")
# Loopback names only: with no login yet, a page on another site must not reach
# the workspace by pointing its own host name at 127.0.0.1 (DNS rebinding).
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")


class SecurityHeaders:
    """ASGI middleware adding the Content-Security-Policy and its companions to every response."""

    def __init__(self, app: ASGIApp, *, docs_path: str) -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == self.docs_path:
            policy = DOCS_POLICY
        elif path.startswith(REPORT_PATHS):
            policy = REPORT_POLICY
        else:
            policy = PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                # Opening a post must not tell its network which dashboard linked to it.
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
            await send(message)

        await self.app(scope, receive, send_with_headers)
