#!/usr/bin/python3
"""A quick check of resource_server.py on its own, without tollgate: a key set served here,
access tokens and DPoP proofs made here with PyJWT, requests over TLS with and without the
project PKI's client certificate. Each planted defect is started once and shown to let its
attack through.

Usage: self_test.py [--pki certs/generated]   (run `tollgate certs generate` first)
Exit 0 when every check holds, 1 otherwise.
"""

import argparse
import base64
import hashlib
import http.client
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from jwt.algorithms import ECAlgorithm, OKPAlgorithm

HERE = os.path.dirname(os.path.abspath(__file__))
ISSUER = "https://issuer.test"
AUDIENCE = "resource-api"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def thumbprint(jwk):
    members = {k: jwk[k] for k in {"EC": ("crv", "kty", "x", "y"),
                                    "OKP": ("crv", "kty", "x")}[jwk["kty"]]}
    return b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"),
                                            sort_keys=True).encode()).digest())


def public_jwk(key):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    return {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")}


class Keys(http.server.BaseHTTPRequestHandler):
    doc = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.doc)))
        self.end_headers()
        self.wfile.write(self.doc)

    def log_message(self, *a):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    def __init__(self, pki):
        self.pki = pki
        self.issuer_key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(ECAlgorithm.to_jwk(self.issuer_key.public_key()))
        jwk.update(kid="iss-1", alg="ES256", use="sig")
        Keys.doc = json.dumps({"keys": [jwk]}).encode()
        self.jwks = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Keys)
        threading.Thread(target=self.jwks.serve_forever, daemon=True).start()
        self.dpop_key = ec.generate_private_key(ec.SECP256R1())
        self.other_key = ec.generate_private_key(ec.SECP256R1())
        leaf = open(f"{pki}/identities/partner/valid/cert.pem", "rb").read()
        from cryptography import x509
        der = x509.load_pem_x509_certificate(leaf).public_bytes(serialization.Encoding.DER)
        self.x5t = b64url(hashlib.sha256(der).digest())

    def token(self, cnf, **over):
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "partner-app", "client_id": "partner-app",
                  "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex}
        if cnf:
            claims["cnf"] = cnf
        claims.update(over)
        return jwt.encode(claims, self.issuer_key, algorithm="ES256",
                          headers={"kid": "iss-1", "typ": "at+jwt"})

    def proof(self, method, uri, token=None, key=None, nonce=None, header=None, **over):
        key = key or self.dpop_key
        claims = {"jti": uuid.uuid4().hex, "htm": method, "htu": uri, "iat": int(time.time())}
        if token is not None:
            claims["ath"] = b64url(hashlib.sha256(token.encode()).digest())
        if nonce:
            claims["nonce"] = nonce
        claims.update(over)
        alg = "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"
        headers = {"typ": "dpop+jwt", "jwk": public_jwk(key)}
        headers.update(header or {})
        return jwt.encode(claims, key, algorithm=alg, headers=headers)


class Peer:
    def __init__(self, env, flags=()):
        self.env = env
        self.port = free_port()
        pki = env.pki
        argv = [sys.executable, os.path.join(HERE, "resource_server.py"), "--port", str(self.port),
                "--cert", f"{pki}/identities/server/valid/chain.pem",
                "--key", f"{pki}/identities/server/valid/key.pem",
                "--client-ca", f"{pki}/identities/partner/valid/ca.pem",
                "--issuer", ISSUER, "--audience", AUDIENCE,
                "--jwks-url", f"http://127.0.0.1:{env.jwks.server_address[1]}/jwks",
                "--nonce-path", "/payments", *flags]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if '"ready"' not in line:
            raise SystemExit(f"the peer did not start: {line}")
        self.base = f"https://127.0.0.1:{self.port}"

    def request(self, method, path, headers=(), cert=False):
        ctx = ssl.create_default_context(cafile=f"{self.env.pki}/ca/root.pem")
        if cert:
            ctx.load_cert_chain(f"{self.env.pki}/identities/partner/valid/chain.pem",
                                f"{self.env.pki}/identities/partner/valid/key.pem")
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=ctx, timeout=10)
        conn.putrequest(method, path)
        body = b"{}" if method == "POST" else b""
        for name, value in headers:
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        r.read()
        out = (r.status, r.getheaders())
        conn.close()
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)


def header(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pki", default="certs/generated")
    args = p.parse_args()
    env = Env(os.path.abspath(args.pki))
    problems = []

    def expect(what, got, status, challenge=None):
        s, headers = got
        www = " | ".join(header(headers, "WWW-Authenticate"))
        ok = s == status and (challenge is None or challenge in www)
        print(f"{'ok ' if ok else 'BAD'} {what}: {s} {www}")
        if not ok:
            problems.append(what)

    clean = Peer(env)
    try:
        u = clean.base + "/accounts"
        jkt = thumbprint(public_jwk(env.dpop_key))
        t = env.token({"jkt": jkt})
        expect("dpop ok", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", u, t))]), 200)
        proof = env.proof("GET", u, t)
        clean.request("GET", "/accounts", [("Authorization", "DPoP " + t), ("DPoP", proof)])
        expect("replay", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", proof)]), 401, 'invalid_dpop_proof')
        expect("scheme case", clean.request("GET", "/accounts", [
            ("Authorization", "dpop " + t), ("DPoP", env.proof("GET", u, t))]), 200)
        expect("htu query/case", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t),
            ("DPoP", env.proof("GET", u.replace("https", "HTTPS") + "?x=1#f", t))]), 200)
        expect("htu other path", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", clean.base + "/x", t))]),
            401, "invalid_dpop_proof")
        expect("wrong htm", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("POST", u, t))]), 401,
            "invalid_dpop_proof")
        expect("wrong ath", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", u, t + "x"))]), 401,
            "invalid_dpop_proof")
        expect("no ath", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", u))]), 401,
            "invalid_dpop_proof")
        expect("other key", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", u, t, key=env.other_key))]),
            401, 'error="invalid_token"')
        expect("stale iat", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t),
            ("DPoP", env.proof("GET", u, t, iat=int(time.time()) - 65))]), 401,
            "invalid_dpop_proof")
        expect("wrong typ", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t),
            ("DPoP", env.proof("GET", u, t, header={"typ": "JWT"}))]), 401, "invalid_dpop_proof")
        expect("downgrade", clean.request("GET", "/accounts", [("Authorization", "Bearer " + t)]),
               401, 'DPoP error="invalid_token"')
        expect("no proof", clean.request("GET", "/accounts", [("Authorization", "DPoP " + t)]),
               401, 'DPoP error="invalid_dpop_proof"')
        expect("two proofs", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", u, t)),
            ("DPoP", env.proof("GET", u, t))]), 400)
        expect("no credentials", clean.request("GET", "/accounts"), 401, 'Bearer realm=')
        expect("unbound", clean.request("GET", "/accounts", [
            ("Authorization", "Bearer " + env.token(None))]), 401, 'Bearer realm')
        expect("wrong aud", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + env.token({"jkt": jkt}, aud="other")),
            ("DPoP", env.proof("GET", u, t))]), 401, 'invalid_token')
        # Nonces on /payments.
        pu = clean.base + "/payments"
        s, h = clean.request("POST", "/payments", [("Authorization", "DPoP " + t),
                                                   ("DPoP", env.proof("POST", pu, t))])
        expect("nonce required", (s, h), 401, "use_dpop_nonce")
        nonce = (header(h, "DPoP-Nonce") or [""])[0]
        expect("nonce ok", clean.request("POST", "/payments", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("POST", pu, t, nonce=nonce))]),
            200)
        expect("wrong nonce", clean.request("POST", "/payments", [
            ("Authorization", "DPoP " + t), ("DPoP", env.proof("POST", pu, t, nonce="abc"))]),
            401, "use_dpop_nonce")
        # EdDSA.
        ed = ed25519.Ed25519PrivateKey.generate()
        te = env.token({"jkt": thumbprint(public_jwk(ed))})
        expect("eddsa ok", clean.request("GET", "/accounts", [
            ("Authorization", "DPoP " + te), ("DPoP", env.proof("GET", u, te, key=ed))]), 200)
        # Certificate binding.
        tc = env.token({"x5t#S256": env.x5t})
        expect("mtls ok", clean.request("GET", "/accounts", [("Authorization", "Bearer " + tc)],
                                        cert=True), 200)
        expect("mtls no cert", clean.request("GET", "/accounts",
                                             [("Authorization", "Bearer " + tc)]), 401,
               'Bearer realm="resource-server", error="invalid_token"')
        to = env.token({"x5t#S256": b64url(b"x" * 32)})
        expect("mtls other cert", clean.request("GET", "/accounts",
                                                [("Authorization", "Bearer " + to)], cert=True),
               401, "invalid_token")
    finally:
        clean.stop()

    # Each defect lets its attack through.
    def attack(flag, method, path, make, cert=False):
        peer = Peer(env, [flag])
        try:
            expect(flag, peer.request(method, path, make(peer), cert=cert), 200)
        finally:
            peer.stop()

    jkt = thumbprint(public_jwk(env.dpop_key))
    t = env.token({"jkt": jkt})
    attack("--no-ath-check", "GET", "/accounts", lambda p: [
        ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", p.base + "/accounts", "x"))])
    attack("--ignore-htu", "GET", "/accounts", lambda p: [
        ("Authorization", "DPoP " + t), ("DPoP", env.proof("GET", p.base + "/other", t))])
    attack("--no-jkt-check", "GET", "/accounts", lambda p: [
        ("Authorization", "DPoP " + t),
        ("DPoP", env.proof("GET", p.base + "/accounts", t, key=env.other_key))])
    attack("--iat-unbounded", "GET", "/accounts", lambda p: [
        ("Authorization", "DPoP " + t),
        ("DPoP", env.proof("GET", p.base + "/accounts", t, iat=int(time.time()) - 3600))])
    attack("--accept-bearer-downgrade", "GET", "/accounts",
           lambda p: [("Authorization", "Bearer " + t)])
    attack("--no-nonce-check", "POST", "/payments", lambda p: [
        ("Authorization", "DPoP " + t), ("DPoP", env.proof("POST", p.base + "/payments", t))])
    attack("--ignore-cert-binding", "GET", "/accounts",
           lambda p: [("Authorization", "Bearer " + env.token({"x5t#S256": b64url(b"x" * 32)}))],
           cert=True)
    print("self-test:", "OK" if not problems else f"{len(problems)} problems: {problems}")
    env.jwks.shutdown()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
