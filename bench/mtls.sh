#!/usr/bin/env bash
# mTLS handshake benchmark: full TLS 1.3 handshakes per second (a new connection each, client
# certificate presented, GET /) against tollgate's `mtls` mock and against Debian's nginx with
# the same certificates, trust, protocol and cipher. See "mTLS handshakes" in bench/README.md.
#
#   bench/mtls.sh                        # 3 rounds of 5 s per server, 2 client processes
#   bench/mtls.sh --seconds 10 --rounds 5 --clients 2
#   bench/mtls.sh --tollgate /path/to/other/tollgate   # time another build of the mock
#   bench/mtls.sh --quick [--tollgate PATH] [--out DIR]
#
# Needs openssl, python3, curl, build/tollgate, and nginx (installs nginx-light with apt-get
# when run as root). The system nginx service is never touched: nginx runs in the foreground
# with its own prefix and configuration under a temporary folder. Writes bench/out/mtls.json.
# --quick: one round of 1 s, installs nothing; without nginx only the mock is measured and
# nginx is named as skipped. It checks the runs, never the rates (ctest: bench-smoke).
# Exit code: 0 when tollgate reached 0.8x nginx (--quick: every run valid), 1 when not, 2 on
# a setup error or an invalid run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
seconds=5
rounds=3
clients=2
cipher=TLS_AES_128_GCM_SHA256
tollgate="$root/build/tollgate"
quick=0

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --tollgate) tollgate="$2"; shift 2 ;;
    --quick) quick=1; seconds=1; rounds=1; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

die() { echo "mtls.sh: $*" >&2; exit 2; }
say() { echo "== $*"; }

for tool in openssl python3 curl; do
  command -v "$tool" >/dev/null || die "$tool is required"
done
nginx_bin="$(command -v nginx || true)"
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
skipped=""
if [ -z "$nginx_bin" ] && [ "$quick" = 1 ]; then
  # The quick mode installs nothing (ctest runs it, offline): the mock is measured alone.
  skipped="nginx: not installed (Debian package nginx-light)"
  say "skipped $skipped"
elif [ -z "$nginx_bin" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing nginx-light (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends nginx-light >/dev/null 2>&1 ||
      { apt-get update >/dev/null && apt-get install -y --no-install-recommends nginx-light >/dev/null; } ||
      die "apt-get install nginx-light failed"
    nginx_bin=/usr/sbin/nginx
  else
    die "nginx is required (Debian: apt-get install nginx-light)"
  fi
fi
[ -x "$tollgate" ] || die "$tollgate is missing; run scripts/build.sh first"

cd "$root"  # tollgate certs generate reads certs/pki.yaml
work="$(mktemp -d)"
mkdir -p "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --------------------------------------------------------------------------- PKI
say "generating the PKI"
"$tollgate" certs generate --out "$work/pki" >/dev/null || die "tollgate certs generate failed"
srv="$work/pki/identities/server/valid"
cli="$work/pki/identities/partner/valid"
# Server trust for client certificates: the one root (the client sends its intermediate).
client_ca="$cli/ca.pem"
# The load generator verifies the server against the root; the same file holds the client's
# intermediate so that OpenSSL's automatic chain building sends leaf + intermediate (+ root):
# `s_time -cert` loads only the leaf.
cat "$srv/ca.pem" "$cli/chain.pem" > "$work/client-store.pem"
for f in "$srv/chain.pem" "$srv/key.pem" "$client_ca" "$cli/cert.pem" "$cli/key.pem"; do
  [ -r "$f" ] || die "generated PKI lacks $f"
done

# --------------------------------------------------------------------------- tollgate mock
cat > "$work/env.yaml" <<EOF
environment: bench-mtls
services:
  bank:
    kind: mtls
    server_cert: $srv/chain.pem
    server_key: $srv/key.pem
    client_ca: $client_ca
    min_version: "1.3"
    max_version: "1.3"
EOF
say "starting tollgate mocks up"
"$tollgate" mocks up "$work/env.yaml" > "$work/mock.ready" 2> "$work/mock.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/mock.ready" ] && break; sleep 0.1; done
[ -s "$work/mock.ready" ] || { cat "$work/mock.log" >&2; die "the mock printed no ready line"; }
mock_url="$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["services"]["bank"]["url"])' "$work/mock.ready")"
mock_port="${mock_url##*:}"

# --------------------------------------------------------------------------- nginx
servers="tollgate nginx"
[ -n "$nginx_bin" ] || servers="tollgate"
nginx_port="$(free_port)"
if [ -n "$nginx_bin" ]; then
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
cat > "$work/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx/logs/access.log;
  client_body_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $srv/chain.pem;
    ssl_certificate_key $srv/key.pem;
    ssl_client_certificate $client_ca;
    ssl_verify_client on;
    ssl_verify_depth 3;
    ssl_protocols TLSv1.3;
    location / { return 200 "ok"; }
  }
}
EOF
say "starting nginx on 127.0.0.1:$nginx_port"
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" \
  > "$work/nginx/stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sk -o /dev/null "https://127.0.0.1:$nginx_port/" 2>/dev/null && break
  [ -s "$work/nginx/logs/access.log" ] && break
  sleep 0.1
done
fi

# --------------------------------------------------------------------------- checks
curl_mtls() {
  curl -s --tlsv1.3 --cacert "$srv/ca.pem" --cert "$cli/chain.pem" --key "$cli/key.pem" "$@"
}
[ "$(curl_mtls -o /dev/null -w '%{http_code}' "$mock_url/")" = 200 ] ||
  die "the mock refused the partner certificate"
[ -z "$nginx_bin" ] ||
  [ "$(curl_mtls -o /dev/null -w '%{http_code}' "https://127.0.0.1:$nginx_port/")" = 200 ] ||
  die "nginx refused the partner certificate"
# Both must refuse a client without a certificate: the comparison is of two-way handshakes.
urls=("$mock_url/")
[ -z "$nginx_bin" ] || urls+=("https://127.0.0.1:$nginx_port/")
for u in "${urls[@]}"; do
  code="$(curl -s --tlsv1.3 --cacert "$srv/ca.pem" -o /dev/null -w '%{http_code}' "$u" || true)"
  case "$code" in 200) die "$u answered 200 without a client certificate" ;; esac
done

# What one handshake negotiates with each server: protocol, cipher, key exchange group, and
# how many TLS 1.3 session tickets the server sends (never used: s_time -new does not resume).
# They must be the same for both servers, or the comparison is void.
negotiated() {  # PORT
  # One GET / over HTTP/1.0, so the server closes the connection when it has answered (an
  # idle client would wait for nginx's 60 s header timeout).
  { printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -connect "127.0.0.1:$1" -tls1_3 -ciphersuites "$cipher" \
      -cert "$cli/cert.pem" -key "$cli/key.pem" -CAfile "$work/client-store.pem" \
      -verify_return_error -ign_eof -msg 2>&1 || true; } | python3 -c '
import re, sys
t = sys.stdin.read()
proto = re.search(r"New, (TLSv[\d.]+), Cipher is (\S+)", t)
group = re.search(r"Server Temp Key: (\S+)", t)
tickets = len(re.findall(r"<<< TLS 1.3, Handshake \[length [0-9a-f]+\], NewSessionTicket", t))
verify = re.search(r"Verify return code: (\d+)", t)
print(proto.group(1) if proto else "?", proto.group(2) if proto else "?",
      group.group(1).rstrip(",") if group else "?", "tickets=%d" % tickets,
      "verify=" + (verify.group(1) if verify else "?"))'
}
mock_tls="$(negotiated "$mock_port")"
say "tollgate negotiates: $mock_tls"
if [ -n "$nginx_bin" ]; then
  nginx_tls="$(negotiated "$nginx_port")"
  say "nginx negotiates:    $nginx_tls"
  [ "$mock_tls" = "$nginx_tls" ] || die "the two servers negotiate differently"
fi
case "$mock_tls" in "TLSv1.3 $cipher "*" verify=0") ;; *) die "unexpected handshake: $mock_tls" ;; esac

# The mock's journal: `total` counts every request and every refused handshake (reading the
# journal is not recorded); the retained entries after seq BEFORE must all be GET / answered
# 200.
mock_total() { curl_mtls "$mock_url/__tollgate/journal" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
mock_bad_since() {
  curl_mtls "$mock_url/__tollgate/journal" | python3 -c '
import json, sys
before = int(sys.argv[1])
print(sum(1 for e in json.load(sys.stdin)["entries"]
          if e["seq"] > before and not (e["method"] == "GET" and e["path"] == "/" and e["status"] == 200)))' "$1"
}
nginx_count() { grep -c '"GET / HTTP/1.0" 200 ' "$work/nginx/logs/access.log" || true; }

# --------------------------------------------------------------------------- load
# One s_time per client process; each counts the connections it completed with -www (a full
# handshake, GET / over HTTP/1.0, the answer read to the server's close). Rate = the sum of
# their connections / the wall time from starting the first to the end of the last.
run_load() {  # PORT TAG -> prints "connections seconds"
  local port="$1" tag="$2" i
  local files=() spids=() t0 t1
  t0="$(date +%s.%N)"
  for i in $(seq "$clients"); do
    openssl s_time -connect "127.0.0.1:$port" -new -tls1_3 -ciphersuites "$cipher" \
      -cert "$cli/cert.pem" -key "$cli/key.pem" -CAfile "$work/client-store.pem" \
      -www / -time "$seconds" > "$work/$tag.$i.txt" 2>&1 &
    spids+=($!)
    files+=("$work/$tag.$i.txt")
  done
  for i in "${spids[@]}"; do wait "$i" || true; done
  t1="$(date +%s.%N)"
  python3 - "$t0" "$t1" "${files[@]}" <<'PY'
import re, sys
# s_time reports whole seconds; the wall time of the client processes is finer.
n = 0; secs = float(sys.argv[2]) - float(sys.argv[1])
for f in sys.argv[3:]:
    t = open(f).read()
    m = re.search(r"(\d+) connections in (\d+) real seconds", t)
    if not m: sys.exit("no s_time summary in " + f + ":\n" + t)
    n += int(m.group(1))
print(n, round(secs, 3))
PY
}

# CPU seconds (user + system) used so far by PID and its direct children (nginx's workers).
cpu_seconds() {
  python3 - "$1" <<'PY'
import os, sys
root = sys.argv[1]; hz = os.sysconf("SC_CLK_TCK"); total = 0
for d in os.listdir("/proc"):
    if not d.isdigit(): continue
    try: f = open(f"/proc/{d}/stat").read()
    except OSError: continue
    parts = f[f.rindex(")") + 2:].split()
    if d == root or parts[1] == root: total += int(parts[11]) + int(parts[12])
print(total / hz)
PY
}
mock_pid="${pids[0]}"
nginx_pid="${pids[1]:-}"

load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_start="$(load_avg)"
say "load average at start: $load_start"
runs="$work/runs.jsonl"
: > "$runs"
for r in $(seq "$rounds"); do
  for server in $servers; do
    if [ "$server" = tollgate ]; then port="$mock_port"; before="$(mock_total)"; spid="$mock_pid"
    else port="$nginx_port"; before="$(nginx_count)"; spid="$nginx_pid"; fi
    cpu0="$(cpu_seconds "$spid")"
    read -r n secs < <(run_load "$port" "$server.$r")
    cpu1="$(cpu_seconds "$spid")"
    if [ "$server" = tollgate ]; then
      after="$(mock_total)"; served=$((after - before))
      bad="$(mock_bad_since "$before")"
      [ "$bad" -gt 0 ] && served=-1
    else after="$(nginx_count)"; served=$((after - before)); fi
    python3 - "$server" "$r" "$n" "$secs" "$served" "$cpu0" "$cpu1" >> "$runs" <<'PY'
import json, sys
server, r, n, secs, served = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
cpu = float(sys.argv[7]) - float(sys.argv[6])
print(json.dumps({"server": server, "round": r, "connections": n, "seconds": secs,
                  "served_200": served, "valid": n == served and n > 0,
                  "handshakes_per_second": n / secs if secs else 0,
                  "server_cpu_seconds": round(cpu, 2),
                  "server_cpu_us_per_handshake": round(cpu / n * 1e6) if n else None}))
PY
    tail -1 "$runs"
  done
done
load_end="$(load_avg)"
say "load average at end: $load_end"

nginx_version="skipped"
[ -z "$nginx_bin" ] || nginx_version="$("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///')"
python3 - "$runs" "$out/mtls.json" "$load_start" "$load_end" "$seconds" "$clients" "$mock_tls" \
  "$nginx_version" "$(openssl version | cut -d' ' -f2)" "$quick" "$skipped" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
quick, skipped = sys.argv[10] == "1", [s for s in [sys.argv[11]] if s]
res = {"load_average_start": sys.argv[3], "load_average_end": sys.argv[4],
       "seconds_per_run": int(sys.argv[5]), "client_processes": int(sys.argv[6]),
       "negotiated": sys.argv[7], "nginx_version": sys.argv[8], "openssl": sys.argv[9],
       "runs": runs, "quick": quick, "skipped": skipped}
ok = all(r["valid"] for r in runs) and any(r["server"] == "tollgate" for r in runs)
if quick:
    # The quick mode proves the pipeline (every handshake answered and logged), not the rate.
    res["all_runs_valid"] = ok
    json.dump(res, open(sys.argv[2], "w"), indent=2)
    for r in runs:
        print(f"{r['server']}: {r['connections']} handshakes, {r['served_200']} logged 200s: "
              f"{'valid' if r['valid'] else 'INVALID'}")
    for s in skipped:
        print(f"skipped {s}")
    print(f"quick mode: {'every run valid' if ok else 'INVALID runs'}; rates are not judged")
    sys.exit(0 if ok else 2)
for s in ("tollgate", "nginx"):
    res[s] = statistics.median(r["handshakes_per_second"] for r in runs if r["server"] == s)
    res[s + "_cpu_us_per_handshake"] = statistics.median(
        r["server_cpu_us_per_handshake"] for r in runs if r["server"] == s)
res["ratio_tollgate_to_nginx"] = res["tollgate"] / res["nginx"]
res["all_runs_valid"] = ok
res["goal_0_8x_met"] = ok and res["ratio_tollgate_to_nginx"] >= 0.8
json.dump(res, open(sys.argv[2], "w"), indent=2)
print(f"tollgate mtls: {res['tollgate']:.0f} handshakes/s (median of {len(runs)//2}), "
      f"server CPU {res['tollgate_cpu_us_per_handshake']} us/handshake")
print(f"nginx {sys.argv[8]}: {res['nginx']:.0f} handshakes/s, "
      f"server CPU {res['nginx_cpu_us_per_handshake']} us/handshake")
print(f"ratio tollgate/nginx: {res['ratio_tollgate_to_nginx']:.2f}  (goal >= 0.8: "
      f"{'met' if res['goal_0_8x_met'] else 'missed'})")
if not ok:
    print("INVALID: a run's count of 200 answers differs from its handshakes", file=sys.stderr)
    sys.exit(2)
sys.exit(0 if res["goal_0_8x_met"] else 1)
PY
