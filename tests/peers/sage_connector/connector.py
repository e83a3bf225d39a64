#!/usr/bin/env python3
"""A Sage-style partner connector, written the way a partner's developer would write it from
the "Securing connector API" guide: Python's standard HTTP server and PyJWT (Debian's
python3-jwt) with the library's defaults (no leeway, PyJWKClient fetching and caching the key
set). It shares no code with tollgate; tollgate's `peers` tests run the sage-connector
profile against it (tests/peers/sage_connector/peer.yaml, docs/ctest.md).

Endpoints:
  POST /notification   Bearer Sage ID token (scope WebhooksLambda) + the partner's custom
                       header; an `authorisation` resource opens an authorisation session
  GET  /auth, /authrefresh ?AuthorisationID=...   once per announced id, within its lifetime
  GET  /accounts       Bearer Sage ID token with scope ProviderAPI

The custom header's value is read from the environment variable named by --header-value-env
so that it never appears on a command line.

Planted defects (each breaks one rule, for tollgate's peer tests): --skip-audience,
--skip-issuer, --accept-expired, --no-scope-check, --no-header-check, --id-reuse,
--accept-unknown-id, --ignore-id-lifetime, --fail-open-jwks, --unbounded-refetch,
--coalesced-refetch.
"""

import argparse
import hmac
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

ALGORITHMS = ["RS256"]  # Sage ID signs its tokens with RS256
NOTIFICATION_SCOPE = "WebhooksLambda"
ACCOUNTS_SCOPE = "ProviderAPI"
MAX_BODY = 64 * 1024
MAX_SESSIONS = 10_000


def duration(text):
    """Seconds from `500ms`, `3s`, `20m`, `1h` (the harness's duration syntax) or a number."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 500ms, 3s, 20m)")
    value = float(m.group(1))
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]


def log(message):
    print(f"connector: {message}", file=sys.stderr, flush=True)


class KeySetUnavailable(jwt.PyJWKClientError):
    """The key set could not be fetched or read (as opposed to: it has no such kid)."""


class KeySetClient(jwt.PyJWKClient):
    """PyJWKClient with a refetch cooldown.

    PyJWT 2.6 refetches the key set on every token with an unknown kid, so anybody can make us
    hammer the identity provider. Here a refetch on an unknown kid happens at most once per
    `cooldown`, and requests arriving while a refetch is in flight wait for it and share it.
    """

    def __init__(self, uri, cooldown, coalesce_only=False, fetch_timeout=5.0, **kwargs):
        super().__init__(uri, **kwargs)
        self.cooldown = cooldown
        self.coalesce_only = coalesce_only  # planted defect: no cooldown, only single-flight
        self.fetch_timeout = fetch_timeout
        self._refetch_lock = threading.Lock()
        self._last_refetch = None
        self._fetches = 0  # bumped by every fetch, so waiters see that one happened

    def fetch_data(self):
        # PyJWT 2.6 opens the URL without a timeout and lets a garbage body escape as a
        # ValueError; both are "no key set" here.
        try:
            with urllib.request.urlopen(self.uri, timeout=self.fetch_timeout) as response:
                data = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as e:
            if self.jwk_set_cache is not None:
                self.jwk_set_cache.put(None)
            raise KeySetUnavailable(f"cannot fetch the key set: {e}") from e
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(data)
        self._fetches += 1
        log(f"key set fetched ({self._fetches} so far)")
        return data

    def get_jwk_set(self, refresh=False):
        try:
            return super().get_jwk_set(refresh)
        except jwt.exceptions.PyJWKSetError as e:
            raise KeySetUnavailable(f"unusable key set: {e}") from e

    def get_signing_key(self, kid):
        key = self.match_kid(self.get_signing_keys(), kid)
        if key is not None:
            return key
        seen = self._fetches
        with self._refetch_lock:
            now = time.monotonic()
            if self._fetches != seen:
                # Somebody fetched while we waited for the lock: use what they got.
                key = self.match_kid(self.get_signing_keys(), kid)
            elif (self.coalesce_only or self._last_refetch is None
                  or now - self._last_refetch >= self.cooldown):
                self._last_refetch = now
                key = self.match_kid(self.get_signing_keys(refresh=True), kid)
        if key is None:
            raise jwt.PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
        return key


class Refused(Exception):
    def __init__(self, status, error, reason):
        super().__init__(reason)
        self.status = status
        self.error = error


class AuthorisationSessions:
    """AuthorisationIDs announced by valid notifications: each opens /auth or /authrefresh
    once, within `ttl` seconds. Thread-safe."""

    def __init__(self, ttl, reuse=False, accept_unknown=False, ignore_lifetime=False):
        self.ttl = ttl
        self.reuse = reuse
        self.accept_unknown = accept_unknown
        self.ignore_lifetime = ignore_lifetime
        self._lock = threading.Lock()
        self._open = {}  # id -> expiry (monotonic seconds)
        self._used = set()

    def announce(self, authorisation_id):
        with self._lock:
            now = time.monotonic()
            if len(self._open) >= MAX_SESSIONS:
                self._open = {k: v for k, v in self._open.items() if v > now}
            if len(self._open) >= MAX_SESSIONS:
                raise Refused(503, "temporarily_unavailable", "too many open authorisations")
            self._open[authorisation_id] = now + self.ttl

    def use(self, authorisation_id):
        """None when the id may be used now, else why not."""
        with self._lock:
            expiry = self._open.get(authorisation_id)
            if expiry is None:
                if authorisation_id in self._used and not self.reuse:
                    return "already used"
                if self.accept_unknown:
                    self._used.add(authorisation_id)
                    return None
                return "not announced"
            if time.monotonic() > expiry and not self.ignore_lifetime:
                del self._open[authorisation_id]
                return "expired"
            if not self.reuse:
                del self._open[authorisation_id]
                if self.accept_unknown:
                    self._used.add(authorisation_id)
            return None


class Connector:
    def __init__(self, args):
        self.args = args
        self.header_value = os.environ.get(args.header_value_env, "")
        if not self.header_value:
            raise SystemExit(f"connector: set {args.header_value_env} to the custom header value")
        if args.unbounded_refetch:
            # Plain PyJWT: refetch on every unknown kid.
            self.keys = jwt.PyJWKClient(args.jwks_url, lifespan=args.jwks_cache_ttl)
        else:
            self.keys = KeySetClient(args.jwks_url, cooldown=args.jwks_refetch_cooldown,
                                     coalesce_only=args.coalesced_refetch,
                                     lifespan=args.jwks_cache_ttl)
        self.sessions = AuthorisationSessions(args.authorisation_ttl, reuse=args.id_reuse,
                                              accept_unknown=args.accept_unknown_id,
                                              ignore_lifetime=args.ignore_id_lifetime)

    def id_token_claims(self, authorization):
        """The claims of the Sage ID token in an Authorization header, or Refused(401)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, "invalid_token", "no Bearer token")
        token = token.strip()
        a = self.args
        try:
            try:
                signing_key = self.keys.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientError as e:
                unavailable = isinstance(e, KeySetUnavailable) or "Fail to fetch" in str(e)
                if not (a.fail_open_jwks and unavailable):
                    raise
                # Planted defect: the identity provider is down, let the token through.
                log(f"key set unavailable ({e}); accepting the token unverified")
                return jwt.decode(token, options={"verify_signature": False})
            options = {}
            if a.skip_audience:
                options["verify_aud"] = False
            if a.accept_expired:
                options["verify_exp"] = False
            return jwt.decode(token, signing_key, algorithms=ALGORITHMS,
                              audience=None if a.skip_audience else a.audience,
                              issuer=None if a.skip_issuer else a.issuer, options=options)
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as e:
            raise Refused(401, "invalid_token", f"ID token refused: {e}") from e
        except Exception as e:  # anything unexpected: fail closed
            raise Refused(401, "invalid_token", f"ID token not verified: {e!r}") from e

    def require_scope(self, claims, scope):
        if self.args.no_scope_check:
            return
        scopes = claims.get("scope", "")
        granted = scopes.split() if isinstance(scopes, str) else []
        if scope not in granted:
            raise Refused(403, "insufficient_scope", f"the ID token lacks scope {scope}")

    def check_custom_header(self, headers):
        if self.args.no_header_check:
            return
        values = headers.get_all(self.args.header_name) or []
        if len(values) != 1 or not hmac.compare_digest(values[0].encode(),
                                                       self.header_value.encode()):
            raise Refused(401, "invalid_request",
                          f"custom header {self.args.header_name} missing or wrong")

    def notification(self, headers, body):
        self.check_custom_header(headers)
        claims = self.id_token_claims(headers.get("Authorization"))
        self.require_scope(claims, NOTIFICATION_SCOPE)
        try:
            event = json.loads(body)
            resource = event["resource"]
        except (ValueError, KeyError, TypeError):
            raise Refused(400, "invalid_request", "not a resource notification")
        if isinstance(resource, dict) and resource.get("type") == "authorisation":
            authorisation_id = resource.get("id")
            if not isinstance(authorisation_id, str) or not 0 < len(authorisation_id) <= 256:
                raise Refused(400, "invalid_request", "bad AuthorisationID")
            self.sessions.announce(authorisation_id)
            return 200, {"received": True}, f"authorisation {authorisation_id} announced"
        return 200, {"received": True}, "notification received"

    def auth(self, path, query):
        ids = urllib.parse.parse_qs(query).get("AuthorisationID", [])
        if len(ids) != 1 or not ids[0]:
            raise Refused(400, "invalid_request", "one AuthorisationID is required")
        why_not = self.sessions.use(ids[0])
        if why_not:
            raise Refused(403, "access_denied", f"AuthorisationID {why_not}")
        # The real connector sends the user on to the bank's consent page.
        return 302, {"Location": f"/consent?session={urllib.parse.quote(ids[0])}"}, \
            f"{path}: AuthorisationID {ids[0]} used"

    def accounts(self, headers):
        claims = self.id_token_claims(headers.get("Authorization"))
        self.require_scope(claims, ACCOUNTS_SCOPE)
        return 200, {"accounts": [{"id": "acc-1", "name": "Current account"}]}, "accounts listed"


def make_handler(connector):
    class Handler(BaseHTTPRequestHandler):
        server_version = "sage-connector-peer/1"
        timeout = 10  # seconds a client may take to send its request

        def _reply(self, status, body=None, headers=None):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer error="invalid_token"')
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _serve(self, handle):
            try:
                result = handle()
            except Refused as r:
                log(f"{self.command} {self.path.split('?')[0]} -> {r.status}: {r}")
                self._reply(r.status, {"error": r.error, "error_description": str(r)})
                return
            status, payload, note = result
            log(f"{self.command} {self.path.split('?')[0]} -> {status}: {note}")
            if status == 302:
                self._reply(302, None, payload)
            else:
                self._reply(status, payload)

        def do_POST(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/notification":
                return self._reply(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._reply(413, {"error": "too_large"})
            body = self.rfile.read(length)
            self._serve(lambda: connector.notification(self.headers, body))

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path in ("/auth", "/authrefresh"):
                self._serve(lambda: connector.auth(url.path, url.query))
            elif url.path == "/accounts":
                self._serve(lambda: connector.accounts(self.headers))
            else:
                self._reply(404, {"error": "not_found"})

        def log_message(self, fmt, *args):
            pass  # one line per request is logged by _serve, without query strings

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--jwks-url", required=True, help="the Sage ID key set URL")
    p.add_argument("--issuer", required=True, help="the Sage ID issuer")
    p.add_argument("--audience", required=True)
    p.add_argument("--header-name", required=True, help="the custom notification header")
    p.add_argument("--header-value-env", default="PARTNER_KEY",
                   help="environment variable holding the custom header's value")
    p.add_argument("--authorisation-ttl", type=duration, default=duration("20m"))
    p.add_argument("--jwks-cache-ttl", type=duration, default=duration("5m"))
    p.add_argument("--jwks-refetch-cooldown", type=duration, default=duration("30s"))
    defects = p.add_argument_group("planted defects")
    for flag, what in [
        ("--skip-audience", "do not check the audience"),
        ("--skip-issuer", "do not check the issuer"),
        ("--accept-expired", "do not check exp"),
        ("--no-scope-check", "accept any scope on /notification and /accounts"),
        ("--no-header-check", "do not check the custom header"),
        ("--id-reuse", "an AuthorisationID may be used again"),
        ("--accept-unknown-id", "/auth accepts ids no notification announced"),
        ("--ignore-id-lifetime", "AuthorisationIDs never expire"),
        ("--fail-open-jwks", "accept tokens unverified when the key set cannot be had"),
        ("--unbounded-refetch", "refetch the key set on every unknown kid (plain PyJWKClient)"),
        ("--coalesced-refetch", "refetch on every unknown kid; concurrent ones share a fetch"),
    ]:
        defects.add_argument(flag, action="store_true", help=what)
    args = p.parse_args()

    connector = Connector(args)
    ThreadingHTTPServer.request_queue_size = 64  # bursts of parallel calls, not the default 5
    server = ThreadingHTTPServer((args.host, args.port), make_handler(connector))
    server.daemon_threads = True
    # SIGTERM (the test driver stopping us) ends serve_forever from another thread.
    signal.signal(signal.SIGTERM,
                  lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    planted = [f for f in ("skip_audience", "skip_issuer", "accept_expired", "no_scope_check",
                           "no_header_check", "id_reuse", "accept_unknown_id",
                           "ignore_id_lifetime", "fail_open_jwks", "unbounded_refetch",
                           "coalesced_refetch") if getattr(args, f)]
    log(f"listening on http://{args.host}:{server.server_address[1]}"
        f" (defects: {', '.join(planted) or 'none'})")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
