#!/usr/bin/python3
"""A bearer-token message gateway, written from the platform's Gateway security guide.

This is an independent peer for tollgate's gateway profile: it shares no code with tollgate
and is written the way a partner's developer would write it with Debian's PyJWT 2.6 and
python3-cryptography: tokens come from the platform's authentication service (an OAuth2
client-credentials issuer), the gateway verifies them with `jwt.PyJWKClient` on the issuer's
JWKS URL and `jwt.decode(..., algorithms, audience, issuer)` with PyJWT's defaults (leeway
0), then checks the token's `roles` against the message type, then the message body.

  POST /api/messages/{type}
    401  no valid JWT (Bearer challenge; error="invalid_token" when a token was sent)
    403  the type is not in the token's roles (--unassigned-status 401: the guide says both)
    400  the body is not a JSON object with the type's required fields
    200  accepted

Served over HTTPS only (TLS 1.2+) with the certificate given by --cert/--key.

Beyond PyJWT's defaults the gateway adds only what the library leaves to the application
and the platform's rules need: exp/iss/aud are required claims (`options["require"]`), the
access-token type `at+jwt` is checked (RFC 9068 §4; PyJWT 2.6 never reads `typ`), a `crit`
header is refused (RFC 7515 §4.1.11; PyJWT 2.6 ignores it, and this gateway understands no
extension), and refetching the key set on an unknown kid is rate-limited (PyJWKClient
refetches on every unknown kid).

Planted defects (--skip-audience, --accept-expired, ...) each switch on one known mistake,
so a test can show that tollgate fails exactly the cases that catch it; see --help.
"""

import argparse
import http.server
import json
import re
import ssl
import sys
import threading
import time
import urllib.request

import jwt

# Planted defects, one flag each (--skip-audience, ...): each is a mistake seen in real
# gateways, so a test can show that tollgate fails exactly the cases that catch it.
DEFECTS = {
    "skip-audience": "do not verify aud (no audience passed, verify_aud off)",
    "skip-issuer": "do not verify iss (no issuer passed to jwt.decode)",
    "accept-expired": "do not verify exp (verify_exp off)",
    "no-role-check": "any authenticated client may send every message type",
    "no-typ-check": "accept any typ header (PyJWT's default)",
    "ignore-crit": "ignore a crit header (PyJWT's default)",
    "validate-body-first": "validate the message body before the token",
    "no-challenge": "401 answers carry no WWW-Authenticate header",
    "strict-scheme": "only the exact spelling 'Bearer' is recognised",
    "no-refetch": "an unknown kid never refetches the key set before the cache expires",
    "allow-tls11": "accept TLS 1.1 as well",
    "allow-tls10": "accept TLS 1.0 and 1.1 as well",
}

DURATION = re.compile(r"^(\d{1,9})(ms|s|m|h)$")
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}


def duration(text):
    """Seconds from a duration like 500ms, 3s, 20m (the suites' syntax)."""
    m = DURATION.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration like 500ms, 3s or 20m: {text!r}")
    return int(m.group(1)) * UNITS[m.group(2)]


def message_type(text):
    """NAME:field,field -> (NAME, [fields])."""
    name, sep, fields = text.partition(":")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME:field,field, found {text!r}")
    return name, [f for f in fields.split(",") if f]


class KeyClient(jwt.PyJWKClient):
    """PyJWKClient with a minimum gap between refetches on an unknown kid.

    PyJWKClient caches the key set for `lifespan` seconds, but refetches it for every token
    whose kid it does not know, so anyone could make the gateway hammer the issuer with
    tokens under made-up kids. Here an unknown kid refetches at most once per `cooldown`.
    A key set that cannot be fetched raises PyJWKClientError: the token is refused.
    """

    def __init__(self, uri, lifespan, cooldown, refetch=True):
        super().__init__(uri, cache_jwk_set=True, lifespan=lifespan)
        self.cooldown = cooldown
        self.refetch = refetch
        self._lock = threading.Lock()
        self._last_refetch = None

    def _may_refetch(self):
        if not self.refetch:
            return False
        with self._lock:
            now = time.monotonic()
            if self._last_refetch is not None and now - self._last_refetch < self.cooldown:
                return False
            self._last_refetch = now
            return True

    def get_signing_key(self, kid):
        key = self.match_kid(self.get_signing_keys(), kid)
        if key is None and self._may_refetch():
            key = self.match_kid(self.get_signing_keys(refresh=True), kid)
        if key is None:
            raise jwt.PyJWKClientError(f'Unable to find a signing key that matches: "{kid}"')
        return key


class Refusal(Exception):
    def __init__(self, status, error, description, challenge=True):
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.challenge = challenge


class Gateway:
    def __init__(self, args):
        self.args = args
        self.types = dict(args.message_type)
        self.keys = KeyClient(args.jwks_url, lifespan=args.jwks_cache_ttl,
                              cooldown=args.jwks_refetch_cooldown,
                              refetch=not self.has("no-refetch"))

    def has(self, defect):
        return getattr(self.args, defect.replace("-", "_"))

    def bearer_token(self, headers):
        value = headers.get("Authorization")
        if value is None:
            raise Refusal(401, "", "no token")
        scheme, _, token = value.strip().partition(" ")
        ok = scheme == "Bearer" if self.has("strict-scheme") else scheme.lower() == "bearer"
        if not ok:
            raise Refusal(401, "", "not a Bearer credential")
        token = token.strip()
        if not token:
            raise Refusal(401, "invalid_request", "empty Bearer credential")
        return token

    def typ_ok(self, typ):
        # A media type: compared without case, with or without "application/" (RFC 7515
        # §4.1.9, RFC 9068 §4).
        want = self.args.typ.lower()
        return isinstance(typ, str) and typ.lower() in (want, "application/" + want)

    def verify(self, token):
        """The token's claims, or Refusal(401)."""
        try:
            header = jwt.get_unverified_header(token)
            if not self.has("no-typ-check") and not self.typ_ok(header.get("typ")):
                raise jwt.InvalidTokenError(f"typ must be {self.args.typ}")
            if not self.has("ignore-crit") and "crit" in header:
                raise jwt.InvalidTokenError("crit header: no extension is understood")
            key = self.keys.get_signing_key(header.get("kid")).key
            # Whatever is checked must also be present: PyJWT skips a check whose claim is
            # absent unless the claim is required.
            require = ["exp"]
            options = {"require": require}
            if self.has("skip-audience"):
                options["verify_aud"] = False
            else:
                require.append("aud")
            if not self.has("skip-issuer"):
                require.append("iss")
            if self.has("accept-expired"):
                options["verify_exp"] = False
            return jwt.decode(token, key, algorithms=self.args.algorithms,
                              audience=None if self.has("skip-audience") else self.args.audience,
                              issuer=None if self.has("skip-issuer") else self.args.issuer,
                              leeway=self.args.leeway, options=options)
        except (jwt.PyJWTError, ValueError, TypeError, OSError) as e:
            # PyJWT raises TypeError when a header's alg does not fit the key's type (an
            # ES256 header over an RSA key): a bad token too, not a server error. OSError: the
            # issuer's key set could not be read; fail closed.
            raise Refusal(401, "invalid_token", type(e).__name__)

    def handle(self, path, headers, body):
        """(status, json body, extra headers) for POST {path}."""
        prefix = self.args.path.rstrip("/") + "/"
        if not path.startswith(prefix) or "/" in path[len(prefix):]:
            return 404, {"error": "not_found"}, {}
        kind = path[len(prefix):]
        message = None
        if self.has("validate-body-first"):
            message = self.parse_message(kind, body)
            if not isinstance(message, dict):
                return message
        claims = self.verify(self.bearer_token(headers))
        roles = claims.get("roles", [])
        if not isinstance(roles, list):
            roles = []
        if not self.has("no-role-check") and kind not in roles:
            return self.args.unassigned_status, {
                "error": "forbidden",
                "error_description": f"message type {kind} is not assigned to this client"}, {}
        if kind not in self.types:
            return 404, {"error": "not_found", "error_description": "unknown message type"}, {}
        if message is None:
            message = self.parse_message(kind, body)
            if not isinstance(message, dict):
                return message
        return 200, {"status": "accepted", "messageType": kind,
                     "messageId": message.get("messageId")}, {}

    def parse_message(self, kind, body):
        """The message as a dict, or a (400, ...) answer."""
        try:
            message = json.loads(body)
        except ValueError:
            return 400, {"error": "bad_request", "error_description": "body is not JSON"}, {}
        if not isinstance(message, dict):
            return 400, {"error": "bad_request", "error_description": "not a JSON object"}, {}
        missing = [f for f in self.types.get(kind, []) if f not in message]
        if missing:
            return 400, {"error": "bad_request",
                         "error_description": "missing fields: " + ", ".join(missing)}, {}
        return message

    def challenge(self, refusal):
        if self.has("no-challenge"):
            return {}
        value = f'Bearer realm="{self.args.realm}"'
        if refusal.error:
            value += f', error="{refusal.error}"'
        return {"WWW-Authenticate": value}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "peer-gateway/1"
    gateway = None  # set by main()
    timeout = 30  # seconds a connection may sit idle (or stall its handshake)

    def log_message(self, fmt, *args):
        # The request line only: never the Authorization header.
        sys.stderr.write("gateway: " + (fmt % args) + "\n")

    def send_json(self, status, body, headers):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            n = -1
        if n < 0 or n > 1 << 20:
            self.close_connection = True
            raise Refusal(400, "bad_request", "bad Content-Length", challenge=False)
        return self.rfile.read(n)

    def do_POST(self):
        try:
            body = self.read_body()
            status, answer, headers = self.gateway.handle(self.path.split("?", 1)[0],
                                                          self.headers, body)
        except Refusal as r:
            status = r.status
            answer = {"error": r.error or "unauthorized", "error_description": r.description}
            headers = self.gateway.challenge(r) if r.challenge and status == 401 else {}
        self.send_json(status, answer, headers)

    def not_allowed(self):
        self.send_json(405, {"error": "method_not_allowed"}, {"Allow": "POST"})

    do_GET = do_PUT = do_DELETE = do_PATCH = not_allowed


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, context):
        super().__init__(address, Handler)
        self.context = context

    def get_request(self):
        sock, addr = self.socket.accept()
        # The handshake happens on the first read, in the connection's own thread, so a
        # slow or refused handshake never holds up the accept loop.
        return self.context.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        # A refused handshake (TLS 1.0 probes, untrusting clients) is expected traffic.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError)):
            sys.stderr.write(f"gateway: connection from {client_address[0]}: {exc}\n")
            return
        super().handle_error(request, client_address)


def tls_context(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.allow_tls10 or args.allow_tls11:
        # OpenSSL 3 refuses TLS 1.0/1.1 below security level 0 (SHA-1 in the handshake).
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = (ssl.TLSVersion.TLSv1 if args.allow_tls10
                                   else ssl.TLSVersion.TLSv1_1)
    return context


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: an ephemeral port")
    p.add_argument("--cert", required=True, help="server certificate chain (PEM, leaf first)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--issuer", required=True, help="the iss the issuer's tokens carry")
    p.add_argument("--jwks-url", required=True, help="the issuer's JWKS URL")
    p.add_argument("--audience", required=True)
    p.add_argument("--algorithms", type=lambda s: s.split(","), default=["RS256", "ES256"])
    p.add_argument("--typ", default="at+jwt", help="the access tokens' typ header")
    p.add_argument("--leeway", type=duration, default=0,
                   help="clock skew allowed on exp, nbf and iat (PyJWT's default: 0)")
    p.add_argument("--path", default="/api/messages", help="message API prefix")
    p.add_argument("--message-type", action="append", type=message_type, default=[],
                   metavar="NAME:FIELD,FIELD", help="a message type and its required fields")
    p.add_argument("--unassigned-status", type=int, choices=[401, 403], default=403)
    p.add_argument("--realm", default="gateway")
    p.add_argument("--jwks-cache-ttl", type=duration, default=300,
                   help="how long the key set is cached (PyJWKClient lifespan)")
    p.add_argument("--jwks-refetch-cooldown", type=duration, default=30,
                   help="minimum gap between key set refetches on an unknown kid")
    defects = p.add_argument_group("planted defects")
    for name, what in DEFECTS.items():
        defects.add_argument("--" + name, action="store_true", help=what)
    args = p.parse_args(argv)
    if not args.message_type:
        p.error("at least one --message-type is needed")
    return args


def main(argv):
    args = parse_args(argv)
    Handler.gateway = Gateway(args)
    # The issuer is on loopback: never send its traffic through a proxy from the environment.
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.ProxyHandler({})))
    server = Server((args.bind, args.port), tls_context(args))
    url = f"https://{args.bind}:{server.server_address[1]}"
    planted = [d for d in DEFECTS if getattr(args, d.replace("-", "_"))]
    print(json.dumps({"ready": True, "url": url, "defects": planted}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
