#!/usr/bin/env python3
"""The path-validation matrix against two independent verifiers: Debian's `openssl verify`
and nginx's `ssl_verify_client on`.

tollgate's table (`tollgate certs matrix --list`: name, expected verdict, rule) is the
ground truth under test. The project's PKI profile is generated into a temporary folder;
each chain is then

  - verified by tollgate (`tollgate certs matrix`),
  - verified by `openssl verify -purpose sslclient -CAfile ca.pem -untrusted untrusted.pem
    cert.pem` (no other option: OpenSSL's defaults),
  - presented to nginx by `openssl s_client`: one nginx process with one `server` per chain, each on a
    free 127.0.0.1 port, trusting that chain's ca.pem, `ssl_verify_depth` tollgate's limit
    (5 intermediates). Accepted means nginx answered 200; a 400 page, an alert or a closed
    connection is a refusal.

It prints the agreement table and fails when tollgate misses an expected verdict, or when
openssl or nginx disagrees with the expected verdict and the disagreement is not in the
allow-list of docs/certs.md ("Where openssl and nginx differ": chain, verifier, why). An
allow-list entry that no longer disagrees fails too, so the page stays true.

Usage: path_matrix.py --tollgate build/tollgate [--keep] [-v]   (in the project root)
Exit 0 agreement, 1 disagreement, 2 the check could not be made.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from peer_check import CheckError, Peer, free_ports  # noqa: E402

IDENTITY = "partner"
MAX_INTERMEDIATES = 5  # tollgate's kMaxIntermediates (include/tollgate/pki/pki.h)
ALLOW_HEADING = "### Where openssl and nginx differ"

SERVER = """
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name {name};
    ssl_certificate {pki}/identities/server/valid/chain.pem;
    ssl_certificate_key {pki}/identities/server/valid/key.pem;
    ssl_verify_client on;
    ssl_client_certificate {chains}/{name}/ca.pem;
    ssl_verify_depth {depth};
    location / {{ return 200 "ok\\n"; }}
  }}
"""

CONF = """daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 64; }}
http {{
  access_log {tmp}/access.log;
  client_body_temp_path {tmp}/client_body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
{servers}
}}
"""


def run(argv, input=None, **kw):
    return subprocess.run(argv, input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, **kw)


def load_matrix(tollgate):
    r = run([tollgate, "certs", "matrix", "--list"])
    if r.returncode != 0:
        raise CheckError(f"tollgate certs matrix --list exited {r.returncode}: {r.stderr}")
    rows = []
    for line in r.stdout.splitlines():
        name, verdict, rule = line.split("\t")
        rows.append((name, verdict, rule))
    return rows


def load_allow_list(doc_path):
    """{(chain, verifier): why} from the table under ALLOW_HEADING in docs/certs.md."""
    with open(doc_path, encoding="utf-8") as f:
        text = f.read()
    start = text.find(ALLOW_HEADING)
    if start < 0:
        raise CheckError(f"{doc_path} has no section `{ALLOW_HEADING}`")
    allow = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        m = re.match(r"^\| `([a-z0-9_]+)` \| (openssl|nginx) \| (.+) \|$", line)
        if m:
            allow[(m.group(1), m.group(2))] = m.group(3)
    if not allow:
        raise CheckError(f"the allow-list under `{ALLOW_HEADING}` in {doc_path} has no rows")
    return allow


def tollgate_verdicts(tollgate, config, pki):
    r = run([tollgate, "certs", "matrix", "--config", config, "--out", pki,
             "--identity", IDENTITY])
    if r.returncode not in (0, 4):
        raise CheckError(f"tollgate certs matrix exited {r.returncode}: {r.stderr}")
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^(?:ok|FAIL) +([a-z0-9_]+): expected \w+, (accepted|refused)", line)
        if m:
            out[m.group(1)] = "accept" if m.group(2) == "accepted" else "refuse"
    return out


def openssl_verdict(openssl, cdir):
    r = run([openssl, "verify", "-purpose", "sslclient", "-CAfile", "ca.pem", "-untrusted",
             "untrusted.pem", "cert.pem"], cwd=cdir)
    lines = (r.stdout + r.stderr).strip().splitlines() or ["(no output)"]
    # "error 24 at 1 depth lookup: invalid CA certificate" says why; else the last line.
    why = next((line for line in lines if " depth lookup:" in line), lines[-1])
    return ("accept" if r.returncode == 0 else "refuse"), why


def nginx_verdict(openssl, port, cdir):
    """nginx's verdict on the chain, presented by `openssl s_client` at security level 0 (it
    presents anything, even a leaf OpenSSL itself calls invalid: Python's ssl would not)."""
    argv = [openssl, "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-cert", "cert.pem", "-key", "key.pem", "-cipher", "DEFAULT:@SECLEVEL=0",
            "-ign_eof", "-quiet"]
    if os.path.getsize(os.path.join(cdir, "untrusted.pem")) > 0:
        argv += ["-cert_chain", "untrusted.pem"]
    request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    try:
        r = run(argv, cwd=cdir, input=request, timeout=10)
    except subprocess.TimeoutExpired:
        return "refuse", "no answer within 10 s"
    status = r.stdout.split("\n", 1)[0].strip()
    if status.startswith("HTTP/1.1 200 "):
        return "accept", status
    return "refuse", status or (r.stderr.strip().splitlines() or ["closed"])[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tollgate", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print what openssl and nginx said about each chain")
    args = ap.parse_args()
    root = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="tollgate-path-matrix-")
    nginx = None
    started = time.monotonic()
    try:
        openssl = shutil.which("openssl") or "/usr/bin/openssl"
        nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
        for prog, pkg in ((openssl, "openssl"), (nginx_bin, "nginx-light")):
            if not os.access(prog, os.X_OK):
                raise CheckError(f"{prog} not found: install the Debian package {pkg} "
                                 "(scripts/deps.sh)")
        matrix = load_matrix(args.tollgate)
        allow = load_allow_list(os.path.join(root, "docs", "certs.md"))
        pki = os.path.join(tmp, "pki")
        config = os.path.join(root, "certs", "pki.yaml")
        tg = tollgate_verdicts(args.tollgate, config, pki)
        chains = os.path.join(pki, "identities", IDENTITY, "chains")
        names = [n for n, _, _ in matrix if os.path.isdir(os.path.join(chains, n))]
        if len(names) != len(matrix):
            missing = sorted(set(n for n, _, _ in matrix) - set(names))
            raise CheckError(f"certs/pki.yaml does not list every matrix chain: {missing}")

        ports = dict(zip(names, free_ports(len(names))))
        servers = "".join(SERVER.format(port=ports[n], pki=pki, chains=chains, name=n,
                                        depth=MAX_INTERMEDIATES) for n in names)
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(CONF.format(tmp=tmp, servers=servers))
        nginx = Peer([nginx_bin, "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "error.log")],
                     dict(os.environ), os.path.join(tmp, "nginx.out"), root,
                     more_logs=[os.path.join(tmp, "error.log")])
        nginx.wait_ready(ports[names[-1]], 10)

        rows, problems, details = [], [], []
        seen_allowed = set()
        for name, expected, rule in matrix:
            cdir = os.path.join(chains, name)
            o, o_detail = openssl_verdict(openssl, cdir)
            g, g_detail = nginx_verdict(openssl, ports[name], cdir)
            t = tg.get(name, "?")
            marks = []
            if t != expected:
                problems.append(f"{name}: tollgate {t}, expected {expected}")
                marks.append("TOLLGATE")
            for tool, got, detail in (("openssl", o, o_detail), ("nginx", g, g_detail)):
                if got == expected:
                    continue
                if (name, tool) in allow:
                    seen_allowed.add((name, tool))
                    marks.append(f"{tool}: allowed")
                else:
                    problems.append(f"{name}: {tool} {got}s, expected {expected} "
                                    f"(not in the allow-list): {detail}")
                    marks.append(f"{tool}: NOT ALLOWED")
            rows.append((name, expected, t, o, g, ", ".join(marks)))
            if args.verbose:
                details.append(f"{name}: openssl: {o_detail} | nginx: {g_detail}")
        for key in sorted(set(allow) - seen_allowed):
            problems.append(f"{key[0]}: the allow-list of docs/certs.md says {key[1]} disagrees, "
                            "but it agrees now: remove the entry")

        widths = [max(len(r[i]) for r in rows + [("chain", "expected", "tollgate", "openssl",
                                                     "nginx", "")]) for i in range(5)]
        header = ("chain", "expected", "tollgate", "openssl", "nginx")
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r[:5], widths)) + "  " + r[5])
        if args.verbose:
            # nginx logs why it refused a certificate, with the server_name (the chain).
            reasons = {}
            try:
                with open(os.path.join(tmp, "error.log"), encoding="utf-8") as f:
                    for line in f:
                        m = re.search(r"client SSL certificate verify error: \((.*?)\).*"
                                      r"server: ([a-z0-9_]+)", line)
                        if m:
                            reasons[m.group(2)] = m.group(1)
            except OSError:
                pass
            details = [d + (f" ({reasons[d.split(':')[0]]})" if d.split(":")[0] in reasons else "")
                       for d in details]
        if details:
            print("\n" + "\n".join(details))
        agree = sum(1 for r in rows if r[1] == r[3] == r[4])
        print(f"\n{len(rows)} chains: openssl and nginx agree with the expected verdict on "
              f"{agree}; {len(seen_allowed)} allowed disagreement(s) (docs/certs.md); "
              f"{time.monotonic() - started:.1f}s")
        if problems:
            print("\nFAILED:\n  " + "\n  ".join(problems))
            print(nginx.tail(10))
            return 1
        return 0
    except CheckError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        if nginx is not None:
            nginx.stop()
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
