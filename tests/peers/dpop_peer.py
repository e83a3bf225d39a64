#!/usr/bin/env python3
"""tollgate's DPoP proofs (RFC 9449) checked by an independent verifier: Debian's python3-jwt
(PyJWT) with python3-cryptography, and the JWK thumbprint (RFC 7638) computed here.

`tollgate_bench_dpop --emit` prints, for ES256, EdDSA and RS256, one correct proof with what it
was made for (method, URI, access token, nonce, the key's thumbprint as tollgate computes it),
and every DPoP mutation of it, marked accepted or refused by a correct server. This script

  - verifies each correct proof with PyJWT, keyed by the proof's own header `jwk`, and checks
    typ, the claims (htm, htu, iat, ath = base64url(SHA-256(token)), nonce, jti) and that the
    Python thumbprint of the `jwk` equals tollgate's;
  - runs its own RFC 9449 §4.3 check (PyJWT for the signature, the rest here) on every
    mutation, the correct proof first so that a reused jti is seen as one, and fails when its
    verdict differs from the mark.

Usage: dpop_peer.py --bin build/bench/tollgate_bench_dpop [-v]
Exit 0 agreement, 1 disagreement, 2 the check could not be made.
"""

import argparse
import base64
import hashlib
import json
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

try:
    import jwt
except ImportError:
    print("error: python3-jwt is missing (apt-get install python3-jwt)", file=sys.stderr)
    sys.exit(2)

ASYMMETRIC = {"ES256", "ES384", "EdDSA", "RS256", "PS256"}
EC_CURVES = {"ES256": "P-256", "ES384": "P-384"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
# RFC 7638 §3.2: the required members of each key type.
REQUIRED = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk):
    members = {name: jwk[name] for name in REQUIRED[jwk["kty"]]}
    text = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(text.encode()).digest())


def normalize(uri):
    """RFC 3986 §6.2.2-6.2.3 as far as RFC 9449 §4.3 needs: no query or fragment, scheme and
    host in lower case, no default port, "/" for an empty path."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if ":" in host:
        host = "[" + host + "]"
    netloc = host
    if parts.port is not None and (scheme, parts.port) not in (("https", 443), ("http", 80)):
        netloc += ":%d" % parts.port
    if parts.username is not None:
        netloc = parts.username + "@" + netloc
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def check(proof, doc, jkt, seen_jtis):
    """This script's own RFC 9449 §4.3 and §7.1 check; returns None or why it refuses."""
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.exceptions.PyJWTError as e:
        return "malformed: %s" % e
    if header.get("typ") != "dpop+jwt":
        return "typ"
    alg = header.get("alg")
    if alg not in ASYMMETRIC:
        return "alg"
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or PRIVATE_MEMBERS & set(jwk) or jwk.get("kty") not in REQUIRED:
        return "jwk"
    # RFC 7518 §3.4: ES256 is P-256, ES384 P-384 (PyJWT does not check the curve).
    if alg in EC_CURVES and jwk.get("crv") != EC_CURVES[alg]:
        return "jwk does not fit alg"
    try:
        key = jwt.PyJWK(jwk, algorithm=alg).key
        claims = jwt.decode(proof, key, algorithms=[alg],
                            options={"verify_iat": False, "require": ["jti", "htm", "htu", "iat"]})
    except jwt.exceptions.PyJWTError as e:
        return "signature or claims: %s" % e
    if claims["htm"] != doc["htm"]:
        return "htm"
    if normalize(claims["htu"]) != normalize(doc["htu"]):
        return "htu"
    if claims.get("nonce") != doc["nonce"]:
        return "nonce"
    if abs(claims["iat"] - doc["now"]) > doc["skew_seconds"]:
        return "iat"
    if claims.get("ath") != b64url(hashlib.sha256(doc["access_token"].encode()).digest()):
        return "ath"
    if thumbprint(jwk) != jkt:
        return "jkt"
    if claims["jti"] in seen_jtis:
        return "jti replayed"
    seen_jtis.add(claims["jti"])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="tollgate_bench_dpop")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    try:
        out = subprocess.run([args.bin, "--emit"], check=True, capture_output=True, text=True)
        doc = json.loads(out.stdout)
    except (OSError, subprocess.CalledProcessError, json.JSONDecodeError) as e:
        print("error: %s --emit: %s" % (args.bin, e), file=sys.stderr)
        return 2

    problems, checked = [], 0
    for entry in doc["keys"]:
        alg, proof = entry["alg"], entry["proof"]
        header = jwt.get_unverified_header(proof)
        if header.get("alg") != alg or set(header) != {"typ", "alg", "jwk"}:
            problems.append("%s: header %s" % (alg, sorted(header)))
        if thumbprint(header["jwk"]) != entry["jkt"]:
            problems.append("%s: tollgate's jkt %s, Python's %s"
                            % (alg, entry["jkt"], thumbprint(header["jwk"])))
        claims = jwt.decode(proof, jwt.PyJWK(header["jwk"], algorithm=alg).key, algorithms=[alg],
                            options={"verify_iat": False})
        if set(claims) != {"jti", "htm", "htu", "iat", "ath", "nonce"}:
            problems.append("%s: claims %s" % (alg, sorted(claims)))
        seen = set()
        verdict = check(proof, doc, entry["jkt"], seen)
        if verdict:
            problems.append("%s: the correct proof is refused (%s)" % (alg, verdict))
        for m in entry["mutations"]:
            # Each mutation against the jtis of the correct proof only.
            refusal = check(m["proof"], doc, entry["jkt"], set(seen))
            checked += 1
            agrees = (refusal is None) == m["accepted"]
            if args.verbose or not agrees:
                print("%-6s %-22s %-9s %s" % (alg, m["name"],
                                             "ok" if agrees else "DISAGREE",
                                             refusal or "accepted"))
            if not agrees:
                problems.append("%s %s: expected %s, this verifier says %s" % (
                    alg, m["name"], "accepted" if m["accepted"] else "refused",
                    refusal or "accepted"))
    print("%d algorithms, %d mutations checked with PyJWT %s: %s" % (
        len(doc["keys"]), checked, jwt.__version__, "agreement" if not problems else
        "%d problems" % len(problems)))
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
