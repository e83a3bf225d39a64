#!/usr/bin/env python3
"""`tollgate tls audit` against hosts that require a client certificate: Debian's nginx
with `ssl_verify_client on` and the reference target's two hosts (`tollgate mocks up
mocks/connectpay.yaml`), with and without the partner identity of the project's PKI.

Asserts the key findings on each: TLS 1.0 and 1.1 refused, TLS 1.3 offered, client
authentication required (nginx: its HTTP 400 page; the reference target: the
certificate_required and handshake_failure alerts), the CA names of the
CertificateRequest, no `must` finding (exit 0), and the one-way host asking for nothing.
Prints each audit's wall time. Run by ctest as `peers.tls_audit` (label `peers`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_check import CheckError, Peer, free_ports  # noqa: E402

ROOT_CA = "CN=tollgate Test Root CA,O=tollgate"


VERBOSE = False


def audit(tollgate, url, *extra):
    """Runs the audit with JSON on stdout: (exit code, report, seconds)."""
    if VERBOSE:
        p = subprocess.run([tollgate, "tls", "audit", url, *extra], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        print(p.stdout + p.stderr)
    start = time.monotonic()
    p = subprocess.run([tollgate, "tls", "audit", url, "--json", "-", "--timeout", "5s", *extra],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - start
    try:
        report = json.loads(p.stdout)
    except ValueError:
        raise CheckError(f"tls audit {url} {' '.join(extra)}: exit {p.returncode}, no JSON:\n"
                         f"{p.stdout}{p.stderr}")
    return p.returncode, report, took


def expect(problems, label, what, got, want):
    if got != want:
        problems.append(f"{label}: {what}: got {got!r}, expected {want!r}")


def common(problems, label, code, r):
    """What every audited host here must show."""
    expect(problems, label, "exit code (no must finding)", code, 0)
    protocols = r["protocols"]
    for v, offered in (("1.0", False), ("1.1", False), ("1.2", True), ("1.3", True)):
        expect(problems, label, f"TLS {v} offered", protocols[v]["offered"], offered)
    weak = [s["name"] for s in r["tls12_suites"] if s["verdict"] == "weak"]
    expect(problems, label, "weak TLS 1.2 suites", weak, [])
    expect(problems, label, "chain trusted", r["certificate"]["trusted"], True)
    expect(problems, label, "host matched", r["certificate"]["host_matched"], True)


def required(problems, label, r, alerts):
    auth = r["client_auth"]
    expect(problems, label, "client auth", auth["mode"], "required")
    expect(problems, label, "CA names", auth["ca_names"], [ROOT_CA])
    got = [(a["version"], a["alert"], a["http_status"]) for a in auth["without_certificate"]]
    expect(problems, label, "answers without a certificate", got, alerts)


def wait_ready_line(peer, path, timeout):
    """The JSON ready line `tollgate mocks up` prints."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if peer.proc.poll() is not None:
            raise CheckError(f"mocks up exited with {peer.proc.returncode}:\n{peer.tail()}")
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("{") and '"ready":true' in line:
                    return json.loads(line)
        time.sleep(0.05)
    raise CheckError(f"mocks up printed no ready line within {timeout}s:\n{peer.tail()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tollgate", required=True)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="also print each audit's table")
    args = ap.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    tollgate = os.path.abspath(args.tollgate)
    root = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="tollgate-tls-audit-")
    peers = []
    problems, timings = [], []
    try:
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.access(nginx_bin, os.X_OK):
            raise CheckError(f"{nginx_bin} not found: install the Debian package nginx-light "
                             "(scripts/deps.sh)")
        subprocess.run([tollgate, "certs", "generate"], check=True, stdout=subprocess.DEVNULL)
        pki = os.path.join(root, "certs", "generated")
        ca = os.path.join(pki, "ca", "root.pem")

        # nginx, as the peer target's mTLS host (tests/peers/nginx/nginx.conf.in).
        with open(os.path.join(root, "tests", "peers", "nginx", "nginx.conf.in")) as f:
            conf = f.read()
        with open(os.path.join(tmp, "crl.pem"), "w") as out:
            for crl in ("root.crl.pem", "client-ca.crl.pem"):
                with open(os.path.join(pki, "ca", crl)) as f:
                    out.write(f.read())
        port = free_ports(1)[0]
        for key, value in (("@PREFIX@", tmp), ("@PORT@", str(port)),
                           ("@CERT@", os.path.join(pki, "identities/server/valid/chain.pem")),
                           ("@KEY@", os.path.join(pki, "identities/server/valid/key.pem")),
                           ("@CA@", ca), ("@CRL@", os.path.join(tmp, "crl.pem"))):
            conf = conf.replace(key, value)
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = Peer([nginx_bin, "-p", tmp, "-c", os.path.join(tmp, "nginx.conf"), "-e",
                      os.path.join(tmp, "error.log")], dict(os.environ),
                     os.path.join(tmp, "nginx.out"), root)
        peers.append(nginx)
        nginx.wait_ready(port, 10)
        url = f"https://127.0.0.1:{port}"
        # nginx completes the handshake and refuses with its 400 page, at both versions.
        nginx_alerts = [("1.3", None, 400), ("1.2", None, 400)]
        for label, extra in (("nginx, identity partner", ["--identity", "partner"]),
                             ("nginx, no identity", [])):
            code, r, took = audit(tollgate, url, "--ca", ca, *extra)
            timings.append((label, took, r["handshakes"]))
            common(problems, label, code, r)
            required(problems, label, r, nginx_alerts)
            if extra:
                expect(problems, label, "renegotiation refused", r["renegotiation"]["refused"],
                       True)

        # The reference target's two hosts.
        mocks_out = os.path.join(tmp, "mocks.out")
        mocks = Peer([tollgate, "mocks", "up", os.path.join(root, "mocks", "connectpay.yaml")],
                     dict(os.environ), mocks_out, root)
        peers.append(mocks)
        ready = wait_ready_line(mocks, mocks_out, 20)
        svc = ready["services"]["connectpay"]
        alerts = [("1.3", "certificate_required", None), ("1.2", "handshake_failure", None)]
        for label, extra in (("reference mTLS host, identity partner", ["--identity", "partner"]),
                             ("reference mTLS host, no identity", [])):
            code, r, took = audit(tollgate, svc["url"], "--ca", svc["ca_file"], *extra)
            timings.append((label, took, r["handshakes"]))
            common(problems, label, code, r)
            required(problems, label, r, alerts)
            if extra:
                expect(problems, label, "renegotiation refused", r["renegotiation"]["refused"],
                       True)
        label = "reference one-way host"
        code, r, took = audit(tollgate, svc["one_way_url"], "--ca", svc["ca_file"])
        timings.append((label, took, r["handshakes"]))
        common(problems, label, code, r)
        expect(problems, label, "client auth", r["client_auth"]["mode"], "none")

        for label, took, handshakes in timings:
            print(f"{label}: {handshakes} handshakes in {took:.2f} s")
        if problems:
            print("\n".join(["FAILED:"] + problems))
            return 1
        print(f"ok: {len(timings)} audits agree with the expected findings")
        return 0
    except CheckError as e:
        print(f"error: {e}")
        return 2
    finally:
        for p in peers:
            p.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
