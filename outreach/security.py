"""Security headers on every response; pages that may show personal data are never cached."""

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    """Add the headers to every response of `app`; trust the configured number of reverse proxies."""
    proxies = int(app.config["PROXY_COUNT"])
    if proxies:
        # Behind nginx/Caddy the client's address is in X-Forwarded-For; per-IP login limits need it.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # A page reached by a link with a token in it must not hand that link on to another site.
        token_page = getattr(request, "token_page", False)
        headers.setdefault("Referrer-Policy", "no-referrer" if token_page else "strict-origin-when-cross-origin")
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/admin") or getattr(request, "personal_data", False):
            headers["Cache-Control"] = "no-store"
        return response
