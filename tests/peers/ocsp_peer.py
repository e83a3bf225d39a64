#!/usr/bin/env python3
"""The revocation responder (mock kind `ocsp`) against Debian's openssl, which shares no
code with tollgate's responder beyond the library.

A PKI profile whose client certificates name the responder (`revocation:` URLs on a port
free a moment ago) is generated into a temporary folder; tests/peers/ocsp_host.cc runs an
environment with the `ocsp` service on that port and takes `mock:` actions on stdin. Then:

  - `openssl ocsp -issuer client-ca.pem -cert cert.pem -url URL -CAfile root.pem`, with
    URL read from the certificate's AIA (`openssl x509 -ocsp_uri`), must print what each
    state means: good, revoked, tryLater, unauthorized, unknown, a verify failure for a
    wrong responder, "Status times invalid" for a stale response, an error when down, and
    revoked after a run-time `revoke`;
  - the CRL from the certificate's distribution point must pass `openssl crl -CAfile`,
    fail it with `crl_bad_signature`, and make `openssl verify -crl_check` refuse the
    revoked certificate ("certificate revoked") and a `crl_stale` CRL ("CRL has expired").

Usage: ocsp_peer.py --host build/tests/peers/tollgate_ocsp_host [-v]
Exit 0 every check agreed, 1 a check failed, 2 the check could not be made.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_check import die_with_parent, free_ports  # noqa: E402

PKI = """pki: ocsp-peer
revocation:
  crl_url: http://127.0.0.1:{port}/crl
  ocsp_url: http://127.0.0.1:{port}/ocsp
authorities:
  root: {{subject: "CN=OCSP Peer Root", key: ec-p256, days: 3650}}
  client-ca: {{subject: "CN=OCSP Peer Client CA", issuer: root, key: ec-p256, days: 1825}}
identities:
  partner: {{subject: "CN=partner", issuer: client-ca, usage: client, key: ec-p256, days: 90,
            variants: [revoked]}}
"""

ENV = """environment: ocsp-peer
services:
  revocation:
    kind: ocsp
    identity: partner
    port: {port}
"""


class Host:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     preexec_fn=die_with_parent)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("error: the host did not start: " + self.proc.stderr.read())
        self.urls = json.loads(line)

    def act(self, action, args=None):
        cmd = "revocation " + action + ("" if args is None else " " + json.dumps(args))
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise SystemExit("error: action %s: %s" % (action, answer))

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("-v", action="store_true")
    opts = ap.parse_args()
    if not shutil.which("openssl"):
        print("error: openssl not found (apt-get install openssl)")
        return 2
    tmp = tempfile.mkdtemp(prefix="tollgate-ocsp-peer-")
    port = free_ports(1)[0]
    with open(os.path.join(tmp, "pki.yaml"), "w") as f:
        f.write(PKI.format(port=port))
    with open(os.path.join(tmp, "env.yaml"), "w") as f:
        f.write(ENV.format(port=port))
    out = os.path.join(tmp, "generated")
    host = Host([opts.host, os.path.join(tmp, "env.yaml"), os.path.join(tmp, "pki.yaml"), out])
    failures = []
    checked = 0
    try:
        ca, root = os.path.join(out, "ca", "client-ca.pem"), os.path.join(out, "ca", "root.pem")
        valid = os.path.join(out, "identities", "partner", "valid", "cert.pem")
        revoked = os.path.join(out, "identities", "partner", "revoked", "cert.pem")
        _, uri = openssl("x509", "-in", valid, "-noout", "-ocsp_uri")
        uri = uri.strip()
        if uri != "http://127.0.0.1:%d/ocsp" % port:
            failures.append("certificate's OCSP URI is %r" % uri)

        def ocsp(cert, issuer=ca):
            return openssl("ocsp", "-issuer", issuer, "-cert", cert, "-url", uri, "-CAfile",
                           root, "-timeout", "10")

        # (name, action, certificate, what openssl must print, exit status wanted)
        checks = [
            ("good", None, valid, cert_line(valid, "good"), 0),
            ("revoked", None, revoked, cert_line(revoked, "revoked"), 0),
            ("try_later", "try_later", valid, "Responder Error: trylater (3)", 1),
            ("unauthorized", "unauthorized", valid, "Responder Error: unauthorized (6)", 1),
            ("unknown_status", "unknown_status", valid, cert_line(valid, "unknown"), 0),
            ("wrong_responder", "wrong_responder", valid, "Response Verify Failure", None),
            ("stale_produced_at", "stale_produced_at", valid, "Status times invalid", None),
            ("responder_down", "responder_down", valid, "Error querying OCSP responder", 1),
            ("revoke", "revoke", valid, cert_line(valid, "revoked"), 0),
            ("intermediate good", None, ca, cert_line(ca, "good"), 0),
            ("revoke intermediate", "revoke", ca, cert_line(ca, "revoked"), 0),
        ]
        for name, action, cert, want, want_rc in checks:
            if action:
                args = None
                if action == "revoke":
                    args = {"authority": "client-ca"} if cert == ca else {"variant": ""}
                host.act(action, args)
            rc, text = ocsp(cert, root if cert == ca else ca)
            ok = want in text and (want_rc is None or rc == want_rc)
            if name in ("good", "revoked", "intermediate good", "revoke intermediate"):
                ok = ok and "Response verify OK" in text
            print("%-20s %-4s openssl ocsp: %s" % (name, "ok" if ok else "FAIL",
                                                  first_line(text, want)))
            if opts.v or not ok:
                print("    " + text.replace("\n", "\n    "))
            if not ok:
                failures.append("%s: expected %r (exit %s), got exit %d" % (name, want, want_rc, rc))
            host.act("restore")
            checked += 1

        checked += crl_checks(host, out, ca, root, valid, revoked, port, failures, opts.v)
    finally:
        host.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("\n".join(["FAILED:"] + failures))
        return 1
    print("all %d checks agree with openssl" % checked)
    return 0


def cert_line(path, status):
    return path + ": " + status


def first_line(text, want):
    for line in text.splitlines():
        if want in line:
            return line.strip()
    return text.splitlines()[0].strip() if text.strip() else "(no output)"


def crl_checks(host, out, ca, root, valid, revoked, port, failures, verbose):
    _, text = openssl("x509", "-in", valid, "-noout", "-ext", "crlDistributionPoints")
    url = "http://127.0.0.1:%d/crl" % port
    if url not in text:
        failures.append("certificate's CRL distribution point: %r" % text)
    chain = os.path.join(out, "chain-anchors.pem")
    with open(chain, "w") as f:
        f.write(open(ca).read() + open(root).read())

    def fetch():
        der = urllib.request.urlopen(url, timeout=10).read()
        path = os.path.join(out, "fetched.crl")
        with open(path, "wb") as f:
            f.write(der)
        pem = os.path.join(out, "fetched.crl.pem")
        openssl("crl", "-inform", "DER", "-in", path, "-out", pem)
        return path, pem

    def verify(cert, pem):
        return openssl("verify", "-crl_check", "-CAfile", chain, "-CRLfile", pem,
                       "-untrusted", ca, cert)

    def report(name, ok, text, want):
        print("%-20s %-4s openssl: %s" % (name, "ok" if ok else "FAIL", first_line(text, want)))
        if verbose or not ok:
            print("    " + text.replace("\n", "\n    "))
        if not ok:
            failures.append("%s: expected %r" % (name, want))

    der, pem = fetch()
    rc, text = openssl("crl", "-inform", "DER", "-in", der, "-CAfile", chain, "-noout")
    report("crl signature", rc == 0 and "verify OK" in text, text, "verify OK")
    rc, text = verify(revoked, pem)
    report("crl revoked", rc != 0 and "certificate revoked" in text, text, "certificate revoked")
    rc, text = verify(valid, pem)
    report("crl valid", rc == 0 and ": OK" in text, text, ": OK")
    host.act("crl_bad_signature")
    der, pem = fetch()
    rc, text = openssl("crl", "-inform", "DER", "-in", der, "-CAfile", chain, "-noout")
    report("crl_bad_signature", "verify failure" in text, text, "verify failure")
    host.act("restore")
    host.act("crl_stale")
    der, pem = fetch()
    rc, text = verify(valid, pem)
    report("crl_stale", rc != 0 and "CRL has expired" in text, text, "CRL has expired")
    host.act("restore")
    # A revoked intermediate: on root's CRL, which `-crl_check_all` reads.
    host.act("revoke", {"authority": "client-ca"})
    _, leaf_pem = fetch()
    root_der = urllib.request.urlopen(url + "/root", timeout=10).read()
    root_crl = os.path.join(out, "root.crl")
    with open(root_crl, "wb") as f:
        f.write(root_der)
    both = os.path.join(out, "both.crl.pem")
    openssl("crl", "-inform", "DER", "-in", root_crl, "-out", both)
    with open(both, "a") as f:
        f.write(open(leaf_pem).read())
    rc, text = openssl("verify", "-crl_check_all", "-CAfile", chain, "-CRLfile", both,
                       "-untrusted", ca, valid)
    report("crl intermediate", rc != 0 and "error 23 at 1 depth" in text, text,
           "error 23 at 1 depth")
    host.act("restore")
    return 6


if __name__ == "__main__":
    sys.exit(main())
