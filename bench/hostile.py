#!/usr/bin/env python3
"""Hostile clients against a running `tollgate mocks up` (bench/hostile.sh starts it).

Reads the mocks' ready line, runs the probes one after the other and writes one JSON
document of results: per probe, what the hostile clients got back, the normal client's
success rate (slowloris) and the peak RSS of the mocks process (VmHWM, reset before each
probe through /proc/PID/clear_refs when the kernel lets us).
"""

import argparse
import json
import os
import selectors
import socket
import ssl
import sys
import threading
import time
import urllib.parse


def listeners(ready):
    out = []
    for name, svc in sorted(ready["services"].items()):
        url = urllib.parse.urlsplit(svc["url"])
        out.append({"name": name, "host": url.hostname, "port": url.port,
                    "tls": url.scheme == "https", "ca_file": svc.get("ca_file")})
    return out


def read_status(pid):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                vals[k] = int(v.split()[0]) // 1024  # MiB
    return vals


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def tls_context(listener):
    ctx = ssl.create_default_context(cafile=listener["ca_file"]) if listener["ca_file"] \
        else ssl.create_default_context()
    if not listener["ca_file"]:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def connect(listener, timeout=3.0, wrap=True):
    s = socket.create_connection((listener["host"], listener["port"]), timeout=timeout)
    if listener["tls"] and wrap:
        s = tls_context(listener).wrap_socket(s, server_hostname=listener["host"])
    return s


def read_head(s, limit=3.0):
    """The status line of what comes back, or an error name."""
    s.settimeout(limit)
    data = b""
    try:
        while b"\r\n" not in data and len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, TimeoutError):
        return "timeout"
    except (ConnectionError, ssl.SSLError, OSError) as e:
        return type(e).__name__
    return data.split(b"\r\n", 1)[0].decode("latin-1") if data else "closed"


def normal_request(listener):
    """One ordinary request on a fresh connection: its status code, or 0."""
    try:
        s = connect(listener)
        s.sendall(f"GET /hostile-bench HTTP/1.1\r\nHost: {listener['host']}\r\n"
                  f"Connection: close\r\n\r\n".encode())
        line = read_head(s)
        s.close()
        parts = line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[0].startswith("HTTP/") else 0
    except (OSError, ssl.SSLError, ValueError):
        return 0


def normal_client(targets, stop, results, pace):
    i = 0
    while not stop.is_set():
        listener = targets[i % len(targets)]
        i += 1
        start = time.monotonic()
        status = normal_request(listener)
        # Served: any answer of the service itself; 503 (no room) and no answer are not.
        results.append((listener["name"], status, time.monotonic() - start))
        time.sleep(pace)


def probe_slowloris(targets, conns, seconds, interval, pid):
    """`conns` connections at each listener, each sending one header byte every
    `interval` seconds (TLS listeners: the bytes of a ClientHello that never ends) and
    reconnecting when cut, while a normal client sends requests and counts answers."""
    sel = selectors.DefaultSelector()
    plain = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"s" * 100000
    hello = b"\x16\x03\x01\x40\x00\x01\x00\x3f\xfc\x03\x03" + b"\x00" * 100000
    state = {}
    stats = {"opened": 0, "cut": 0, "refused": 0}

    def open_one(idx):
        listener = targets[idx % len(targets)]
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((listener["host"], listener["port"]))
            sel.register(s, selectors.EVENT_READ, idx)
            state[idx] = {"sock": s, "sent": 0, "data": hello if listener["tls"] else plain}
            stats["opened"] += 1
        except OSError:
            stats["refused"] += 1

    for i in range(conns * len(targets)):
        open_one(i)
    results = []
    stop = threading.Event()
    clients = [threading.Thread(target=normal_client, args=(targets, stop, results, 0.05))
               for _ in range(2)]
    for c in clients:
        c.start()
    end = time.monotonic() + seconds
    next_tick = time.monotonic()
    while time.monotonic() < end:
        timeout = max(0.0, min(next_tick, end) - time.monotonic())
        for key, _ in sel.select(timeout):
            idx = key.data
            s = state[idx]["sock"]
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 503"):
                stats["refused"] += 1
            # Cut (timeout, eviction) or refused: reconnect, as a slowloris client does.
            sel.unregister(s)
            s.close()
            stats["cut"] += 1
            open_one(idx)
        if time.monotonic() >= next_tick:
            next_tick += interval
            for idx, st in list(state.items()):
                try:
                    st["sock"].send(st["data"][st["sent"]:st["sent"] + 1])
                    st["sent"] += 1
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass  # noticed (and reconnected) through the selector
    stop.set()
    for c in clients:
        c.join()
    for st in state.values():
        st["sock"].close()
    total = len(results)
    served = sum(1 for _, status, _ in results if 200 <= status < 500)
    by = {}
    for name, status, _ in results:
        d = by.setdefault(name, {"sent": 0, "served": 0})
        d["sent"] += 1
        d["served"] += 1 if 200 <= status < 500 else 0
    worst = max((t for _, _, t in results), default=0.0)
    return {"connections_per_listener": conns, "listeners": len(targets),
            "seconds": seconds, "interval": interval,
            "normal_requests": total, "normal_served": served,
            "success_rate": round(served / total, 4) if total else 0.0,
            "slowest_normal_request_s": round(worst, 3), "by_listener": by,
            "hostile": stats, **memory(pid)}


def flood(listener, head, filler, total_bytes):
    """Sends `head`, then `filler` bytes up to `total_bytes`, until the server answers or
    cuts us off; what it answered and how much it took before that."""
    sent = 0
    try:
        s = connect(listener, timeout=10)
        s.sendall(head)
        s.settimeout(0.0 if not listener["tls"] else 10)
        block = filler * (65536 // len(filler))
        answered = None
        while sent < total_bytes:
            try:
                s.settimeout(10)
                n = s.send(block)
                sent += n
            except (ConnectionError, ssl.SSLError, OSError):
                break
            # An answer ends the flood early.
            s.settimeout(0)
            try:
                peek = s.recv(4096)
                answered = peek
                break
            except (BlockingIOError, ssl.SSLWantReadError):
                pass
            except (ConnectionError, ssl.SSLError, OSError):
                break
        s.settimeout(3)
        if answered:
            status = answered.split(b"\r\n", 1)[0].decode("latin-1")
        else:
            status = read_head(s)
        s.close()
    except (OSError, ssl.SSLError) as e:
        status = type(e).__name__
    return {"listener": listener["name"], "status": status, "sent_bytes": sent}


def probe_flood(targets, kind, conns, total_bytes, pid):
    if kind == "chunk_extension":
        head = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext="
        filler = b"e"
    else:
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n0\r\nX-Trailer: ")
        filler = b"t"
    out = []
    lock = threading.Lock()

    def one(listener):
        r = flood(listener, head, filler, total_bytes)
        with lock:
            out.append(r)

    threads = [threading.Thread(target=one, args=(targets[i % len(targets)],))
               for i in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"connections": conns, "bytes_per_connection": total_bytes,
            "answers": sorted(out, key=lambda r: r["listener"]), **memory(pid)}


def probe_journal(targets, fill, readers, body_bytes, pid):
    """Fills each plain listener's journal with `fill` requests, then `readers` concurrent
    GET /__tollgate/journal."""
    plain = [t for t in targets if not t["tls"]] or targets
    body = b"j" * body_bytes
    request = (b"POST /fill HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
               str(len(body)).encode() + b"\r\n\r\n" + body)
    for listener in plain:
        for _ in range(fill):
            try:
                s = connect(listener)
                s.sendall(request)
                read_head(s)
                s.close()
            except (OSError, ssl.SSLError):
                pass
    statuses = []
    lock = threading.Lock()

    def read(listener):
        try:
            s = connect(listener, timeout=30)
            s.sendall(b"GET /__tollgate/journal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            line = read_head(s, limit=30)
            s.settimeout(30)
            while s.recv(65536):
                pass
            s.close()
        except (OSError, ssl.SSLError) as e:
            line = type(e).__name__
        with lock:
            statuses.append(line.split(" ")[1] if line.startswith("HTTP/") else line)

    threads = [threading.Thread(target=read, args=(plain[i % len(plain)],))
               for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {}
    for st in statuses:
        counts[st] = counts.get(st, 0) + 1
    return {"fill_per_listener": fill, "body_bytes": body_bytes, "readers": readers,
            "statuses": counts, **memory(pid)}


PEAK_RESET = {"ok": False}


def memory(pid):
    m = read_status(pid)
    return {"peak_rss_mb": m.get("VmHWM"), "rss_after_mb": m.get("VmRSS"),
            "peak_is_per_probe": PEAK_RESET["ok"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.ready) as f:
        ready = json.loads(f.readline())
    targets = listeners(ready)
    q = a.quick
    results = {"environment": ready.get("environment"), "quick": q,
               "listeners": [{k: t[k] for k in ("name", "tls")} for t in targets],
               "baseline": read_status(a.pid)}
    probes = [
        ("slowloris", lambda: probe_slowloris(targets, 40 if q else 500, 3 if q else 45,
                                              0.5 if q else 3.0, a.pid)),
        ("chunk_extension_flood", lambda: probe_flood(targets, "chunk_extension", 4,
                                                      (2 if q else 200) << 20, a.pid)),
        ("trailer_flood", lambda: probe_flood(targets, "trailer", 4, (2 if q else 64) << 20,
                                              a.pid)),
        ("journal_reads", lambda: probe_journal(targets, 50 if q else 1000, 10 if q else 100,
                                                256 if q else 2048, a.pid)),
    ]
    for name, run in probes:
        PEAK_RESET["ok"] = reset_peak(a.pid)
        print(f"== probe {name}", flush=True)
        results[name] = run()
        print(json.dumps(results[name]), flush=True)
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    sys.exit(main())
