#!/usr/bin/python3
"""A resource server for sender-constrained access tokens (RFC 9449 DPoP, RFC 8705 mTLS).

An independent peer for tollgate's sender-constrained profile: it shares no code with
tollgate and is written from the RFCs with Debian's PyJWT 2.6 and python3-cryptography 38,
the way a bank's developer would write one in Python (http.server over TLS, ssl module).

  GET /accounts, POST /payments   the protected API (JSON answers)

Each request needs exactly one Authorization header (scheme `DPoP` or `Bearer`, any case)
and at most one `DPoP` header. The access token is a JWT of the trusted issuer, checked
with PyJWT against the issuer's JWKS (signature, iss, aud, exp). Then its binding:

  cnf.jkt        the DPoP scheme and a proof checked here as RFC 9449 §4.3 says: one
                 compact JWS parsed strictly, typ dpop+jwt, an allowed asymmetric alg, a
                 public jwk that fits alg and verifies the signature, no crit, jti/htm/htu/
                 iat, htm the method, htu the request's URI without query and fragment
                 (scheme and host case-insensitive, default port dropped), the server's
                 nonce on nonce paths (§9), iat within the skew, ath the token's hash (§7.1),
                 the jwk's RFC 7638 thumbprint the token's cnf.jkt, a jti seen once (§11.1).
                 The Bearer scheme with such a token is a downgrade and refused (§7.2).
  cnf.x5t#S256   base64url(SHA-256(DER of the TLS client certificate's leaf)) equals it
                 (RFC 8705 §3.1); without a client certificate the token is refused.
  neither        refused: only sender-constrained tokens (FAPI 2.0 SP §5.3.3.2).

Answers: 200; 401 with `WWW-Authenticate: DPoP error="invalid_dpop_proof"|"use_dpop_nonce"|
"invalid_token", algs="..."` for DPoP-bound tokens (`DPoP-Nonce` with use_dpop_nonce),
`Bearer realm=..., error="invalid_token"` otherwise, both challenges when no credentials
came; 400 invalid_request for two Authorization or DPoP headers.

Served over HTTPS (TLS 1.2+) with an optional client certificate verified against
--client-ca. Planted defects (--no-ath-check, ...) each switch on one known mistake, so a
test can show that tollgate fails exactly the cases that catch it; see --help.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.request
from urllib.parse import parse_qs, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from jwt.algorithms import get_default_algorithms

DEFECTS = {
    "no-ath-check": "do not compare the proof's ath with the presented token's hash",
    "no-replay-check": "keep no record of proofs' jti: a proof can be replayed",
    "replay-by-proof": "remember whole proofs, not their jti: a new proof may reuse a jti",
    "ignore-htu": "do not compare the proof's htu with the request's URI",
    "ignore-htm": "do not compare the proof's htm with the request's method",
    "htu-exact": "compare htu as raw strings (query, fragment and case count)",
    "no-jkt-check": "do not compare the proof key's thumbprint with cnf.jkt",
    "iat-unbounded": "accept a proof's iat however far in the past or future",
    "no-nonce-check": "hand out nonces but never check a proof's nonce",
    "no-typ-check": "accept a proof whatever its typ",
    "accept-symmetric": "take proofs with alg none or HS256 without checking a signature",
    "accept-private-jwk": "accept a proof whose header jwk holds a private key",
    "alg-key-unchecked": "take a header jwk that does not fit alg (an ES256 proof by a P-384 "
                         "key), as PyJWT alone does",
    "algs-not-enforced": "accept a proof of any asymmetric algorithm, not only the listed",
    "proof-optional": "serve a DPoP-bound token under the DPoP scheme without a DPoP header",
    "first-dpop-header-wins": "take the first of two DPoP headers instead of refusing",
    "accept-bearer-downgrade": "serve a DPoP-bound token sent with the Bearer scheme",
    "accept-unbound-token": "serve a token without cnf as a plain bearer token",
    "ignore-cert-binding": "do not compare cnf.x5t#S256 with the client certificate",
    "cert-binding-optional": "check cnf.x5t#S256 only when a client certificate came",
    "scheme-case-sensitive": "recognise the DPoP scheme only when spelt exactly `DPoP`",
    "bearer-challenge-for-dpop": "answer DPoP failures with a Bearer challenge",
    "no-www-authenticate": "answer 401 without WWW-Authenticate",
    "no-algs-param": "DPoP challenges carry no algs parameter",
    "skip-audience": "do not verify the token's aud",
    "skip-issuer": "do not verify the token's iss",
    "accept-expired": "do not verify the token's exp",
    "accept-not-yet-valid": "do not verify the token's nbf and iat",
    "skip-signature": "read the token's claims without verifying its signature",
    "accept-query-token": "take the token from an access_token query parameter too "
                          "(RFC 6750 §2.3, which FAPI 2.0 rules out)",
}

ACCOUNTS, PAYMENTS = "/accounts", "/payments"
ROUTES = {ACCOUNTS: "GET", PAYMENTS: "POST"}
DURATION = re.compile(r"^(\d{1,9})(ms|s|m|h)$")
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
B64TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# The algorithms a JWS can name that are public-key ones (the rest: none, HS*).
PUBLIC_KEY_ALGS = ["ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512",
                   "PS256", "PS384", "PS512"]
EC_CURVES = {"ES256": "secp256r1", "ES384": "secp384r1", "ES512": "secp521r1"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
# RFC 7638 §3.2: the required members of each key type, in lexicographic order.
THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
                      "OKP": ("crv", "kty", "x")}
UNBOUNDED_SKEW = 10 * 365 * 24 * 3600


def duration(text):
    m = DURATION.match(text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration like 500ms, 3s or 20m: {text!r}")
    return int(m.group(1)) * UNITS[m.group(2)]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode_strict(text):
    """base64url without padding, canonical (RFC 7515 §2); ValueError otherwise."""
    if not B64URL.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:
        raise ValueError("non-canonical base64url")
    return data


def strict_json_object(data):
    def no_duplicates(pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                raise ValueError(f"duplicate member {k!r}")
            out[k] = v
        return out
    value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def thumbprint(jwk):
    """RFC 7638: SHA-256 over the required members, sorted, no whitespace."""
    members = {name: jwk[name] for name in THUMBPRINT_MEMBERS[jwk["kty"]]}
    text = json.dumps(members, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return b64url(hashlib.sha256(text.encode("utf-8")).digest())


def normalize_htu(uri):
    """RFC 9449 §4.3 with RFC 3986 §6.2.2-6.2.3: no query or fragment, scheme and host in
    lower case, no default port, "/" for an empty path."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        end = hostport.find("]")
        host, port = hostport[:end + 1], hostport[end + 1:]
    else:
        host, sep, p = hostport.partition(":")
        port = sep + p
    host = host.lower()
    if (scheme, port) in (("https", ":443"), ("http", ":80")):
        port = ""
    netloc = userinfo + at + host + port
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


class Refusal(Exception):
    """An answer other than 200: status, challenge scheme (DPoP, Bearer, both), error."""

    def __init__(self, status, scheme, error, description, nonce=False):
        super().__init__(description)
        self.status, self.scheme, self.error = status, scheme, error
        self.description, self.nonce = description, nonce


class ProofError(Exception):
    def __init__(self, error, description):
        super().__init__(description)
        self.error, self.description = error, description


class KeySet:
    """The issuer's JWKS, fetched over HTTP(S), cached, refetched on an unknown kid at most
    once per cooldown; fails closed when it cannot be read."""

    def __init__(self, url, ca, ttl=300, cooldown=10):
        self.url, self.ttl, self.cooldown = url, ttl, cooldown
        self.context = ssl.create_default_context(cafile=ca) if ca else None
        self.lock = threading.Lock()
        self.keys, self.fetched, self.last_refetch = None, None, None

    def fetch(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=self.context))
        with opener.open(self.url, timeout=10) as r:
            doc = json.loads(r.read())
        keys = {}
        for entry in doc.get("keys", []):
            try:
                keys[entry.get("kid")] = jwt.PyJWK(entry)
            except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                continue  # a key this library cannot use is not a key to verify with
        self.keys, self.fetched = keys, time.monotonic()

    def get(self, kid):
        with self.lock:
            now = time.monotonic()
            if self.keys is None or now - self.fetched > self.ttl:
                self.fetch()
            if kid not in self.keys and (self.last_refetch is None
                                         or now - self.last_refetch >= self.cooldown):
                self.last_refetch = now
                self.fetch()
            key = self.keys.get(kid)
            if key is None:
                raise jwt.InvalidTokenError("no key of the issuer has this kid")
            return key


class ResourceServer:
    def __init__(self, args):
        self.args = args
        self.keyset = KeySet(args.jwks_url, args.jwks_ca)
        self.nonce_secret = os.urandom(32)
        self.replay = {}  # "jti htu" -> expiry (epoch seconds)
        self.replay_lock = threading.Lock()
        # --accept-issuer-thumbprint: the thumbprints of the client's CA certificates, which
        # the broken comparison also takes for the client's own.
        self.issuer_thumbprints = set()
        if args.accept_issuer_thumbprint:
            with open(args.accept_issuer_thumbprint, "rb") as f:
                pem = f.read().decode()
            for block in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                                    pem, re.S):
                der = base64.b64decode("".join(block.split()))
                self.issuer_thumbprints.add(b64url(hashlib.sha256(der).digest()))

    def has(self, defect):
        return getattr(self.args, defect.replace("-", "_"))

    # --- nonces (RFC 9449 §9): a keyed hash of the lifetime's epoch, the current one and the
    # one before accepted.
    def nonce_for(self, epoch):
        mac = hmac.new(self.nonce_secret, str(epoch).encode(), hashlib.sha256).digest()
        return b64url(mac)[:22]

    def current_nonce(self):
        return self.nonce_for(int(time.time() // self.args.nonce_lifetime))

    def nonce_ok(self, nonce):
        epoch = int(time.time() // self.args.nonce_lifetime)
        return any(hmac.compare_digest(nonce, self.nonce_for(e)) for e in (epoch, epoch - 1))

    # --- the access token
    def verify_token(self, token, scheme):
        try:
            header = jwt.get_unverified_header(token)
            if "crit" in header:
                raise jwt.InvalidTokenError("crit: no extension is understood")
            options = {"require": ["exp", "iss", "aud"]}
            if self.has("skip-signature"):
                # The signature never checked (verify_signature off); the claims still are.
                options["verify_signature"] = False
                options["verify_aud"] = options["verify_iss"] = True
                options["verify_exp"] = options["verify_nbf"] = options["verify_iat"] = True
            key = None if self.has("skip-signature") else self.keyset.get(header.get("kid"))
            if self.has("skip-audience"):
                options["verify_aud"] = False
                options["require"].remove("aud")
            if self.has("accept-expired"):
                options["verify_exp"] = False
            if self.has("skip-issuer"):
                options["require"].remove("iss")
            if self.has("accept-not-yet-valid"):
                options["verify_nbf"] = options["verify_iat"] = False
            return jwt.decode(token, key.key if key else None, algorithms=PUBLIC_KEY_ALGS,
                              audience=None if self.has("skip-audience") else self.args.audience,
                              issuer=None if self.has("skip-issuer") else self.args.issuer,
                              leeway=self.args.leeway, options=options)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, OSError) as e:
            # OSError: the key set could not be read: fail closed.
            raise Refusal(401, scheme, "invalid_token", "the access token is not valid "
                          f"({type(e).__name__})")

    # --- the DPoP proof (RFC 9449 §4.3), raising ProofError
    def check_proof(self, proof, method, uri, token, jkt, nonce_required):
        bad = lambda why: ProofError("invalid_dpop_proof", why)  # noqa: E731
        # Step 2: one well-formed compact JWS.
        segments = proof.split(".")
        if len(segments) != 3:
            raise bad("not a compact JWS")
        try:
            header = strict_json_object(b64url_decode_strict(segments[0]))
            claims = strict_json_object(b64url_decode_strict(segments[1]))
            signature = b64url_decode_strict(segments[2])
        except (ValueError, UnicodeDecodeError) as e:
            raise bad(f"malformed: {e}")
        # Step 4: typ (a media type: case-insensitive, "application/" optional).
        typ = header.get("typ")
        if not self.has("no-typ-check"):
            if not isinstance(typ, str) or typ.lower().removeprefix("application/") != "dpop+jwt":
                raise bad("typ is not dpop+jwt")
        # Step 5: an asymmetric algorithm this server accepts.
        alg = header.get("alg")
        allowed = PUBLIC_KEY_ALGS if self.has("algs-not-enforced") else self.args.dpop_algs
        unchecked = self.has("accept-symmetric") and isinstance(alg, str) and (
            alg.lower() == "none" or alg.upper().startswith("HS"))
        if not unchecked and (not isinstance(alg, str) or alg not in allowed):
            raise bad("alg is not an allowed asymmetric algorithm")
        # Step 7: the jwk, a public key.
        jwk = header.get("jwk")
        if not isinstance(jwk, dict) or jwk.get("kty") not in THUMBPRINT_MEMBERS:
            raise bad("no usable jwk in the header")
        if PRIVATE_MEMBERS & set(jwk) and not self.has("accept-private-jwk"):
            raise bad("the header jwk holds a private key")
        if any(not isinstance(jwk.get(m), str) for m in THUMBPRINT_MEMBERS[jwk["kty"]]):
            raise bad("the header jwk lacks its required members")
        if "crit" in header:
            raise bad("crit names extensions this server does not support")
        # Step 6: the signature, by that jwk.
        if not unchecked:
            algorithm = get_default_algorithms()[alg]
            try:
                public = {k: v for k, v in jwk.items() if k not in PRIVATE_MEMBERS}
                key = algorithm.from_jwk(json.dumps(public))
            except (jwt.PyJWTError, ValueError, TypeError, KeyError) as e:
                raise bad(f"the header jwk is not a key: {e}")
            if not self.has("alg-key-unchecked") and not self.key_fits(key, alg):
                raise bad("the header jwk does not fit alg")
            signing_input = (segments[0] + "." + segments[1]).encode()
            try:
                ok = algorithm.verify(signing_input, key, signature)
            except (ValueError, TypeError):
                ok = False
            if not ok:
                raise bad("the signature does not verify with the header jwk")
        # Step 3: the claims.
        for name in ("jti", "htm", "htu"):
            if not isinstance(claims.get(name), str) or not claims[name]:
                raise bad(f"no {name}")
        iat = claims.get("iat")
        if isinstance(iat, bool) or not isinstance(iat, (int, float)) or iat != iat \
                or abs(iat) > 253402300799:
            raise bad("no iat NumericDate")
        # Steps 8-9: the request it was made for.
        if not self.has("ignore-htm") and claims["htm"] != method:
            raise bad("htm is not the request's method")
        htu = normalize_htu(claims["htu"])
        if self.has("htu-exact"):
            if claims["htu"] != uri:
                raise bad("htu is not the request's URI")
        elif not self.has("ignore-htu") and htu != normalize_htu(uri):
            raise bad("htu is not the request's URI")
        # Step 10 and §9: this server's nonce.
        if nonce_required and not self.has("no-nonce-check"):
            nonce = claims.get("nonce")
            if not isinstance(nonce, str):
                raise ProofError("use_dpop_nonce", "this server requires a nonce")
            if not self.nonce_ok(nonce):
                raise ProofError("use_dpop_nonce", "the nonce is not the server's")
        # Step 11: created within the window.
        now = time.time()
        skew = UNBOUNDED_SKEW if self.has("iat-unbounded") else self.args.iat_skew
        if iat < now - skew or iat > now + skew:
            raise bad("iat is outside the window")
        # Step 12 and §7.1: the presented token and the key it is bound to.
        if not self.has("no-ath-check"):
            ath = claims.get("ath")
            if not isinstance(ath, str):
                raise bad("no ath, though an access token is presented")
            want = b64url(hashlib.sha256(token.encode("ascii")).digest())
            if not hmac.compare_digest(ath, want):
                raise bad("ath is not the hash of the presented access token")
        if not self.has("no-jkt-check") and not hmac.compare_digest(thumbprint(jwk), jkt):
            raise ProofError("invalid_token", "the proof's key is not the token's cnf.jkt")
        # §11.1: each jti once per URI while its iat is inside the window.
        if not self.has("no-replay-check"):
            entry = claims["jti"] + " " + htu
            if self.has("replay-by-proof"):
                entry = hashlib.sha256(proof.encode()).hexdigest()
            with self.replay_lock:
                for k in [k for k, exp in self.replay.items() if exp < now]:
                    del self.replay[k]
                if entry in self.replay:
                    raise bad("this jti was used already")
                if len(self.replay) >= 100000:
                    raise bad("too many recent proofs to check this one for replay")
                self.replay[entry] = iat + skew

    @staticmethod
    def key_fits(key, alg):
        if alg.startswith("ES"):
            return isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == EC_CURVES[alg]
        if alg.startswith(("RS", "PS")):
            return isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048
        if alg == "EdDSA":
            return isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey))
        return False

    def request_uri(self, path, headers):
        if self.args.public_url:
            return self.args.public_url.rstrip("/") + path
        return "https://" + (headers.get("Host") or "") + path

    def check_certificate(self, x5t, leaf_der, scheme):
        if self.has("ignore-cert-binding"):
            return
        if leaf_der is None:
            if self.has("cert-binding-optional"):
                return
            raise Refusal(401, scheme, "invalid_token",
                          "the token is bound to a client certificate")
        presented = b64url(hashlib.sha256(leaf_der).digest())
        if not hmac.compare_digest(presented, x5t) and x5t not in self.issuer_thumbprints:
            raise Refusal(401, scheme, "invalid_token",
                          "the token is bound to another client certificate")

    def handle(self, method, path, headers, leaf_der, query=""):
        """(status, body, [(header, value)])."""
        if path not in ROUTES:
            return 404, {"error": "not_found"}, []
        if ROUTES[path] != method:
            return 405, {"error": "method_not_allowed"}, [("Allow", ROUTES[path])]
        authz = headers.get_all("Authorization") or []
        proofs = headers.get_all("DPoP") or []
        if len(authz) > 1:
            raise Refusal(400, "Bearer", "invalid_request", "more than one Authorization header")
        if len(proofs) > 1 and not self.has("first-dpop-header-wins"):
            raise Refusal(400, "DPoP", "invalid_request", "more than one DPoP header")
        if not authz and self.has("accept-query-token"):
            token = parse_qs(query).get("access_token", [""])[0]
            if token:
                authz = [("DPoP " if proofs else "Bearer ") + token]
        if not authz:
            raise Refusal(401, "both", "", "")
        scheme_name, _, credentials = authz[0].strip().partition(" ")
        credentials = credentials.strip(" ")
        if self.has("scheme-case-sensitive"):
            dpop_scheme = scheme_name == "DPoP"
        else:
            dpop_scheme = scheme_name.lower() == "dpop"
        if not dpop_scheme and scheme_name.lower() != "bearer":
            raise Refusal(401, "both", "", "")
        scheme = "DPoP" if dpop_scheme else "Bearer"
        token = credentials
        if not B64TOKEN.match(token):
            raise Refusal(401, scheme, "invalid_token", "malformed")
        claims = self.verify_token(token, scheme)
        cnf = claims.get("cnf") if isinstance(claims.get("cnf"), dict) else {}
        jkt = cnf.get("jkt") if isinstance(cnf.get("jkt"), str) else None
        x5t = cnf.get("x5t#S256") if isinstance(cnf.get("x5t#S256"), str) else None
        if jkt is None and x5t is None:
            if not self.has("accept-unbound-token"):
                raise Refusal(401, scheme, "invalid_token", "the token is not sender-constrained")
            return self.serve(path, claims)
        if jkt is None and dpop_scheme:
            raise Refusal(401, "DPoP", "invalid_token", "the token is not bound to a DPoP key")
        if jkt is not None and not dpop_scheme:
            # RFC 9449 §7.2: a DPoP-bound token presented as a bearer token.
            if not self.has("accept-bearer-downgrade"):
                raise Refusal(401, "DPoP", "invalid_token",
                              "a DPoP-bound token needs the DPoP scheme")
        elif jkt is not None:
            if not proofs:
                if not self.has("proof-optional"):
                    raise Refusal(401, "DPoP", "invalid_dpop_proof", "no DPoP proof")
            else:
                try:
                    self.check_proof(proofs[0], method, self.request_uri(path, headers), token,
                                     jkt, path in self.args.nonce_path)
                except ProofError as e:
                    raise Refusal(401, "DPoP", e.error, e.description,
                                  nonce=e.error == "use_dpop_nonce")
        if x5t is not None:
            self.check_certificate(x5t, leaf_der, scheme)
        return self.serve(path, claims)

    def serve(self, path, claims):
        client = claims.get("client_id") or claims.get("sub") or ""
        if path == PAYMENTS:
            body = {"status": "accepted", "client": client}
        else:
            body = {"accounts": [{"id": "acc-1", "currency": "EUR"}], "client": client}
        extra = [("DPoP-Nonce", self.current_nonce())] if path in self.args.nonce_path else []
        return 200, body, extra

    def refusal(self, r):
        body = {"error": r.error or "unauthorized"}
        if r.description:
            body["error_description"] = r.description
        headers = []
        if not self.has("no-www-authenticate"):
            description = r.description.replace("\\", "\\\\").replace('"', '\\"')
            bearer = f'Bearer realm="{self.args.realm}"'
            if r.error:
                bearer += f', error="{r.error}"'
                if r.description:
                    bearer += f', error_description="{description}"'
            algs = "" if self.has("no-algs-param") else f'algs="{" ".join(self.args.dpop_algs)}"'
            if r.scheme == "DPoP" and not self.has("bearer-challenge-for-dpop"):
                params = [f'error="{r.error}"', f'error_description="{description}"'] if r.error \
                    else []
                dpop = "DPoP " + ", ".join(params + ([algs] if algs else []))
                headers.append(("WWW-Authenticate", dpop.rstrip()))
            elif r.scheme == "both":
                # No credentials: both ways in (RFC 9449 §7.1, RFC 6750 §3).
                headers.append(("WWW-Authenticate", ("DPoP " + algs).rstrip()))
                headers.append(("WWW-Authenticate", bearer))
            else:
                headers.append(("WWW-Authenticate", bearer))
        if r.nonce:
            headers.append(("DPoP-Nonce", self.current_nonce()))
        return r.status, body, headers


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "peer-resource-server/1"
    app = None  # set by main()
    timeout = 30

    def log_message(self, fmt, *args):
        sys.stderr.write("resource_server: " + (fmt % args) + "\n")

    def log_request(self, code="-", size="-"):
        # Method and path only: never a header, nor a query (it may carry a token).
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        self.log_message("%s %s %s", self.command, path, code)

    def send_json(self, status, body, headers):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def answer(self):
        length = self.headers.get("Content-Length")
        try:
            n = int(length) if length is not None else 0
        except ValueError:
            n = -1
        if n < 0 or n > 1 << 20:
            self.close_connection = True
            self.send_json(400, {"error": "invalid_request"}, [])
            return
        if n:
            self.rfile.read(n)
        try:
            leaf = self.connection.getpeercert(binary_form=True)
        except (ValueError, AttributeError):
            leaf = None
        target = self.path.split("#", 1)[0]
        path, _, query = target.partition("?")
        try:
            status, body, headers = self.app.handle(self.command, path, self.headers, leaf, query)
        except Refusal as r:
            status, body, headers = self.app.refusal(r)
        self.send_json(status, body, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, context):
        super().__init__(address, Handler)
        self.context = context

    def get_request(self):
        sock, addr = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ssl.SSLError, ConnectionError, TimeoutError)):
            sys.stderr.write(f"resource_server: connection from {client_address[0]}: {exc}\n")
            return
        super().handle_error(request, client_address)


def tls_context(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.client_ca:
        # Optional: a request without a certificate still reaches the application, which
        # refuses certificate-bound tokens then (RFC 8705 §3) but serves DPoP-bound ones.
        # OpenSSL checks the chain and the clientAuth purpose.
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(args.client_ca)
    return context


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert", required=True, help="server certificate chain (PEM, leaf first)")
    p.add_argument("--key", required=True, help="server private key (PEM)")
    p.add_argument("--client-ca", help="CA file that verifies optional client certificates")
    p.add_argument("--issuer", required=True, help="the iss of the trusted issuer's tokens")
    p.add_argument("--jwks-url", required=True, help="the trusted issuer's JWKS URL")
    p.add_argument("--jwks-ca", help="CA file for an https JWKS URL")
    p.add_argument("--audience", required=True, help="the aud tokens must carry")
    p.add_argument("--leeway", type=duration, default=60, help="clock skew on the token's exp")
    p.add_argument("--realm", default="resource-server")
    p.add_argument("--public-url", default="",
                   help="the URL clients reach this server at (htu); default: https://Host")
    p.add_argument("--dpop-algs", type=lambda s: s.replace(",", " ").split(),
                   default=["ES256", "PS256", "EdDSA", "RS256"],
                   help="proof algorithms accepted and advertised (space or comma separated)")
    p.add_argument("--iat-skew", type=duration, default=60,
                   help="how far a proof's iat may be from now, either side")
    p.add_argument("--nonce-path", action="append", default=[], choices=sorted(ROUTES),
                   help="a path whose proofs must carry this server's nonce")
    p.add_argument("--nonce-lifetime", type=duration, default=300)
    defects = p.add_argument_group("planted defects")
    for name, what in DEFECTS.items():
        defects.add_argument("--" + name, action="store_true", help=what)
    defects.add_argument("--accept-issuer-thumbprint", metavar="CA_PEM",
                         help="also take cnf.x5t#S256 of a CA certificate in CA_PEM (the "
                              "client's issuers) for the client's leaf")
    args = p.parse_args(argv)
    unknown = [a for a in args.dpop_algs if a not in PUBLIC_KEY_ALGS]
    if unknown or not args.dpop_algs:
        p.error(f"--dpop-algs: asymmetric JWS algorithms only, not {unknown}")
    return args


def main(argv):
    args = parse_args(argv)
    Handler.app = ResourceServer(args)
    server = Server((args.bind, args.port), tls_context(args))
    url = f"https://{args.bind}:{server.server_address[1]}"
    planted = [d for d in DEFECTS if getattr(args, d.replace("-", "_"))]
    if args.accept_issuer_thumbprint:
        planted.append("accept-issuer-thumbprint")
    print(json.dumps({"ready": True, "url": url, "defects": planted}), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
