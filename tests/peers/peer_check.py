#!/usr/bin/env python3
"""Runs a tollgate profile against a peer target and checks which cases fail.

A peer target is an independent implementation of a profile's rules (no code shared with
tollgate): a small program started on a loopback port. In its correct configuration the
profile must pass against it; with each planted defect, exactly the expected cases must
fail. ctest runs one test per (peer, configuration), `peers.<peer>.<config>`, label
`peers` (tests/peers/CMakeLists.txt; docs/ctest.md).

Usage:
  peer_check.py tests/peers/<peer>/peer.yaml CONFIG --tollgate build/tollgate [--keep] [-v]
  peer_check.py tests/peers/<peer>/peer.yaml --list        # the configuration names

Interface: a peer is a folder tests/peers/<peer>/ with a `peer.yaml` (the peer's name is
the folder's name). Keys (unknown keys are errors):

  requires:                     checked first; a missing one is a clear error naming its
    programs: {nginx: nginx-light}          Debian package (scripts/deps.sh installs them)
    modules: {jwt: python3-jwt}             Python modules of the interpreter running this
  suites: [suites/sage-connector]           what `tollgate run` runs (project-relative)
  mocks: [sage_id]              environment services given a fixed free port each
  vars: {name: value}           placeholder values; a configuration may override them
  files: {name: template}       rendered into the temporary folder as NAME; {{file.NAME}}
                                is its path. A mapping {template: F, replace: {TEXT: value}}
                                also replaces literal TEXT (each must occur in F), for
                                templates with placeholders of their own (@PORT@)
  logs: [paths]                 more logs of the peer to show when the expectation fails
  environment: template         rendered and given as --env (mocks only: no reference target)
  target: template              rendered and given as --target-file
  env: {NAME: value}            environment variables for the setup, the peer and tollgate
  setup: [[argv...], ...]       commands run before the peer starts (cwd: project root)
  command: [argv...]            starts the peer; it must serve on {{peer.port}}
  ready_timeout: 10             seconds for the peer's port to accept connections
  tollgate_args: [--jobs, "2"]  given to every run of this peer
  external_skips: [case ids]    required: exactly the cases tollgate must skip because an
                                external target cannot observe what decides them (the
                                shared clock, the reference target), so a regression that
                                skips more, or runs one of them, cannot pass unnoticed;
                                every other skip must be `slow` or `tags`
  configs:                      at least `clean`
    NAME:
      flags: [--skip-audience]  appended to `command` (the planted defect)
      vars: {name: value}       overrides of `vars` (a defect planted through a file)
      tollgate_args: [...]      appended to the run (e.g. [--tags, slow, --max-wait, 30s])
      fails: [case ids]         exactly the cases whose verdict must be `fail` (a failed
                                `should` case too: its outcome is a warning); every other
                                case must pass or be skipped, none may be an error. A list
                                in the list is spliced in, so a YAML anchor can share the
                                clean run's failures: `fails: [*clean, CP-MT-006]`
      may_fail: [case ids]      cases whose verdict depends on timing the peer cannot
                                control (say why in a comment): pass or fail both hold
      exit_code: 0              tollgate's exit code; by default whatever the verdicts imply
                                (4 when a `must` case failed, else 0)

Templates are the `files`, `environment` and `target` files (paths relative to the peer
folder), and every string of `vars`, `env`, `setup`, `command`, `logs`, `tollgate_args`
and `replace` values. They
use `{{NAME}}` placeholders (`${...}` is left alone for tollgate):
  {{peer.port}}                 the peer's port
  {{MOCK.port}} {{MOCK.url}}    each service of `mocks` (url: http://127.0.0.1:PORT)
  {{tmp}}                       the temporary folder of this run (removed afterwards)
  {{root}} {{peer_dir}}         the project root, the peer's folder
  {{python}} {{tollgate}}       this interpreter, the tollgate binary
  {{program.NAME}}              the path of a program of `requires.programs`
  {{file.NAME}}                 the path of a rendered `files` entry
  {{NAME}}                      a var (vars may use every placeholder above)

A run: pick free ports, render the files, run `setup`, start the peer in a process group
of its own (killed with the driver, even by SIGKILL: PR_SET_PDEATHSIG), wait for its port,
`tollgate run SUITES --env ENV --target-file TARGET --json ... --junit ...` in the project
root, stop the peer, compare, remove the temporary folder. Exit 0 when the expectation held,
1 when it did not (with a diff), 2 when the check could not be made (bad peer.yaml, missing
package, peer did not start, tollgate did not run).
"""

import argparse
import ctypes
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter

import yaml

SPEC_KEYS = {"requires", "suites", "mocks", "vars", "files", "logs", "environment", "target",
             "env", "setup", "command", "ready_timeout", "tollgate_args", "external_skips",
             "configs"}
CONFIG_KEYS = {"flags", "vars", "tollgate_args", "fails", "may_fail", "exit_code"}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.\-]*)\s*\}\}")
TOLLGATE_TIMEOUT = 150  # seconds; ctest's own timeout is above it


class CheckError(Exception):
    """The check could not be made (exit 2)."""


def load_spec(path):
    try:
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise CheckError(f"{path}: {e}")
    if not isinstance(spec, dict):
        raise CheckError(f"{path}: expected a mapping")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise CheckError(f"{path}: unknown keys {sorted(unknown)}; known: {sorted(SPEC_KEYS)}")
    for key in ("suites", "environment", "target", "command", "external_skips", "configs"):
        if key not in spec:
            raise CheckError(f"{path}: `{key}` is required")
    configs = spec["configs"]
    if not isinstance(configs, dict) or "clean" not in configs:
        raise CheckError(f"{path}: `configs` must be a mapping with at least `clean`")
    for name, config in configs.items():
        if not re.fullmatch(r"[a-z0-9_]+", str(name)):
            raise CheckError(f"{path}: config name `{name}`: use a-z, 0-9 and _")
        config = config or {}
        if not isinstance(config, dict) or set(config) - CONFIG_KEYS:
            raise CheckError(f"{path}: config `{name}`: a mapping of {sorted(CONFIG_KEYS)}")
        configs[name] = config
    return spec


def render(text, values, where):
    def one(m):
        if m.group(1) not in values:
            raise CheckError(f"{where}: unknown placeholder {{{{{m.group(1)}}}}}; known: "
                             + ", ".join(sorted(values)))
        return str(values[m.group(1)])
    return PLACEHOLDER.sub(one, str(text))


def free_ports(n):
    """n distinct ports that were free a moment ago (the kernel's ephemeral choice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def die_with_parent():
    """In the child before exec: SIGKILL when the driver dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Peer:
    """The peer process, in a process group of its own so that stop() reaches its children."""

    def __init__(self, argv, env, log_path, cwd, more_logs=()):
        self.stopped = False
        self.log_path = log_path
        self.more_logs = list(more_logs)
        self.log = open(log_path, "wb")
        try:
            self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                         stdout=self.log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=die_with_parent)
        except OSError as e:
            self.log.close()
            raise CheckError(f"cannot start the peer ({argv[0]}): {e}")

    def wait_ready(self, port, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CheckError(f"the peer exited with {self.proc.returncode} before serving "
                                 f"on port {port}:\n{self.tail()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise CheckError(f"the peer did not accept connections on port {port} within "
                         f"{timeout}s:\n{self.tail()}")

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=grace)
                # The leader is gone; its children (if any) get the same signal next round.
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()

    def tail(self, lines=30):
        if not self.log.closed:
            self.log.flush()
        out = []
        for path in [self.log_path] + self.more_logs:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read().splitlines()
            except OSError:
                continue
            out.append(f"  {os.path.basename(path)}:")
            out += ["  | " + line for line in text[-lines:]] or ["  | (empty)"]
        return "\n".join(out) or "  (no peer log)"


def check_requires(spec, values):
    req = spec.get("requires") or {}
    missing = []
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin" + os.pathsep + "/sbin"
    for program, package in (req.get("programs") or {}).items():
        found = shutil.which(program, path=path)
        if found:
            values[f"program.{program}"] = found
        else:
            missing.append(f"program `{program}` (Debian package {package})")
    for module, package in (req.get("modules") or {}).items():
        if importlib.util.find_spec(module) is None:
            missing.append(f"Python module `{module}` for {sys.executable} "
                           f"(Debian package {package})")
    if missing:
        raise CheckError("missing " + "; ".join(missing) + ": run scripts/deps.sh")


def read_report(path):
    try:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise CheckError(f"no readable JSON report {path}: {e}")
    cases = {}
    for suite in report.get("suites", []):
        for case in suite.get("cases", []):
            if case["id"] in cases:
                raise CheckError(f"case id {case['id']} is in two suites; the expectation "
                                 f"cannot name it")
            cases[case["id"]] = case
    return cases


def case_ids(entries):
    """The case ids of a `fails` or `may_fail` list, nested lists spliced in."""
    ids = set()
    for entry in entries or []:
        ids |= case_ids(entry) if isinstance(entry, list) else {str(entry)}
    return ids


def first_failure(case):
    if case.get("failures"):
        f = case["failures"][0]
        return f"{f.get('message', '')} at {f.get('location', '')}"
    return case.get("error", "").splitlines()[0] if case.get("error") else ""


def summarise(name, cases):
    verdicts = Counter(c["verdict"] for c in cases.values())
    print(f"{name}: {len(cases)} cases: {verdicts['pass']} passed, {verdicts['fail']} failed, "
          f"{verdicts['skipped']} skipped, {verdicts['error']} errors")
    failed = sorted(i for i, c in cases.items() if c["verdict"] == "fail")
    if failed:
        print("  failed: " + ", ".join(
            i + (" (warning)" if cases[i]["outcome"] == "warning" else "") for i in failed))
    # Grouped by the reason's gist: the first line, without the location in parentheses.
    skipped = {}
    for i, c in sorted(cases.items()):
        if c["verdict"] == "skipped":
            gist = (c.get("skip_reason") or "-").splitlines()[0].split(" (`")[0]
            skipped.setdefault(gist, []).append(i)
    for gist, ids in sorted(skipped.items(), key=lambda g: -len(g[1])):
        print(f"  skipped {len(ids)} ({gist}): {', '.join(ids)}")


def compare(cases, expected, rc, want_rc=None, may_fail=frozenset(), external_skips=None):
    """Lines describing how the run differs from the expectation (empty: it held)."""
    failed = {i for i, c in cases.items() if c["verdict"] == "fail"} - may_fail
    errors = sorted(i for i, c in cases.items() if c["verdict"] == "error")
    diff = [f"  - may fail, not in the report:  {i}" for i in sorted(may_fail - set(cases))]
    if external_skips is not None:
        for i, c in sorted(cases.items()):
            kind = c.get("skip_kind", "") if c["verdict"] == "skipped" else ""
            if c["verdict"] == "skipped" and kind not in ("external-target", "slow", "tags"):
                diff.append(f"  ! skipped for an unexpected reason ({kind or 'none given'}):  {i}")
            elif kind == "external-target" and i not in external_skips:
                diff.append(f"  + skipped as undecidable on an external target, not expected:  "
                            f"{i}")
            elif i in external_skips and kind not in ("external-target", "slow", "tags"):
                diff.append(f"  - expected to be skipped (external target), but {c['verdict']}:  "
                            f"{i}")
    for i in sorted(expected - failed):
        if i not in cases:
            diff.append(f"  - expected to fail, not in the report:  {i}")
        else:
            skip = cases[i].get("skip_reason", "")
            got = cases[i]["verdict"] + (f" ({skip.splitlines()[0]})" if skip else "")
            diff.append(f"  - expected to fail, but {got}:  {i}")
    for i in sorted(failed - expected):
        diff.append(f"  + failed, not expected:  {i}\n      {first_failure(cases[i])}")
    for i in errors:
        diff.append(f"  ! error (the harness could not check):  {i}\n      "
                    f"{first_failure(cases[i])}")
    implied = 4 if any(c["outcome"] == "fail" for c in cases.values()) else 0
    if rc != implied:
        diff.append(f"  ! tollgate exited {rc}, but these outcomes mean exit {implied}")
    elif want_rc is not None and rc != want_rc:
        diff.append(f"  ! tollgate exited {rc}, expected {want_rc} (`exit_code`)")
    return diff


def run(spec_path, config_name, tollgate, keep, verbose):
    spec = load_spec(spec_path)
    if config_name not in spec["configs"]:
        raise CheckError(f"{spec_path}: no config `{config_name}`; known: "
                         + ", ".join(spec["configs"]))
    config = spec["configs"][config_name]
    peer_dir = os.path.dirname(os.path.abspath(spec_path))
    peer = os.path.basename(peer_dir)
    root = os.getcwd()
    name = f"peers.{peer}.{config_name}"
    tmp = tempfile.mkdtemp(prefix=f"tollgate-{peer}-{config_name}-")
    values = {"tmp": tmp, "root": root, "peer_dir": peer_dir, "python": sys.executable,
              "tollgate": os.path.abspath(tollgate)}
    proc = None
    try:
        check_requires(spec, values)
        mocks = list(spec.get("mocks") or [])
        ports = free_ports(1 + len(mocks))
        values["peer.port"] = ports[0]
        for mock, port in zip(mocks, ports[1:]):
            values[f"{mock}.port"] = port
            values[f"{mock}.url"] = f"http://127.0.0.1:{port}"
        for fname in spec.get("files") or {}:
            values[f"file.{fname}"] = os.path.join(tmp, os.path.basename(fname))
        merged = dict(spec.get("vars") or {})
        merged.update(config.get("vars") or {})
        for var, value in merged.items():
            values[var] = render(value, values, f"var `{var}`")

        def render_file(template, out_name, replace=None):
            src = os.path.join(peer_dir, template)
            try:
                with open(src, encoding="utf-8") as f:
                    text = render(f.read(), values, src)
            except OSError as e:
                raise CheckError(str(e))
            for literal, value in (replace or {}).items():
                if literal not in text:
                    raise CheckError(f"{src}: `{literal}` (in `replace`) does not occur")
                text = text.replace(literal, render(value, values, f"replace `{literal}`"))
            out = os.path.join(tmp, out_name)
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            return out

        for fname, entry in (spec.get("files") or {}).items():
            if isinstance(entry, dict):
                render_file(entry["template"], os.path.basename(fname), entry.get("replace"))
            else:
                render_file(entry, os.path.basename(fname))
        env_file = render_file(spec["environment"], "environment.yaml")
        target_file = render_file(spec["target"], "target.yaml")
        env = dict(os.environ)
        for k, v in (spec.get("env") or {}).items():
            env[k] = render(v, values, f"env `{k}`")

        for argv in spec.get("setup") or []:
            argv = [render(a, values, "setup") for a in argv]
            r = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True,
                               timeout=60, preexec_fn=die_with_parent)
            if r.returncode != 0:
                raise CheckError(f"setup {' '.join(argv)} exited {r.returncode}:\n"
                                 f"{r.stdout}{r.stderr}")

        argv = [render(a, values, "command") for a in spec["command"]]
        argv += [render(a, values, "flags") for a in config.get("flags") or []]
        print(f"{name}: starting the peer: {' '.join(argv)}")
        logs = [render(path, values, "logs") for path in spec.get("logs") or []]
        proc = Peer(argv, env, os.path.join(tmp, "peer.log"), peer_dir, logs)
        proc.wait_ready(values["peer.port"], float(spec.get("ready_timeout", 10)))

        json_out = os.path.join(tmp, "results.json")
        cmd = [values["tollgate"], "run", *spec["suites"], "--env", env_file,
               "--target-file", target_file, "--json", json_out,
               "--junit", os.path.join(tmp, "junit.xml")]
        cmd += [render(a, values, "tollgate_args") for a in spec.get("tollgate_args") or []]
        cmd += [render(a, values, "tollgate_args") for a in config.get("tollgate_args") or []]
        print(f"{name}: {' '.join(os.path.relpath(c, root) if c.startswith(root) else c for c in cmd)}")
        try:
            r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                               timeout=TOLLGATE_TIMEOUT, preexec_fn=die_with_parent)
        except subprocess.TimeoutExpired:
            raise CheckError(f"tollgate run did not finish within {TOLLGATE_TIMEOUT}s")
        if r.returncode not in (0, 4):
            raise CheckError(f"tollgate run exited {r.returncode}:\n{r.stdout}{r.stderr}")
        cases = read_report(json_out)
        proc.stop()
        summarise(name, cases)
        expected = case_ids(config.get("fails"))
        may_fail = frozenset(case_ids(config.get("may_fail")))
        diff = compare(cases, expected, r.returncode, config.get("exit_code"), may_fail,
                       frozenset(case_ids(spec.get("external_skips"))))
        if verbose or diff:
            print(r.stdout + r.stderr)
        if diff:
            print(f"{name}: MISMATCH: the failed cases differ from `configs.{config_name}.fails` "
                  f"in {os.path.relpath(spec_path, root)}:")
            print("\n".join(diff))
            print(f"{name}: the peer's log (last lines):\n{proc.tail()}")
            return 1
        maybe = ", ".join(f"{i} {cases[i]['verdict']}ed" for i in sorted(may_fail))
        print(f"{name}: OK: exactly the expected {len(expected)} case(s) failed"
              + (f" (may fail: {maybe})" if maybe else ""))
        return 0
    finally:
        if proc is not None:
            proc.stop()
        if keep:
            print(f"{name}: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("spec", help="tests/peers/<peer>/peer.yaml")
    p.add_argument("config", nargs="?", help="the configuration to run")
    p.add_argument("--list", action="store_true", help="print the configuration names")
    p.add_argument("--tollgate", default="build/tollgate", help="the tollgate binary")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("-v", "--verbose", action="store_true", help="print tollgate's output")
    args = p.parse_args()
    # ctest stopping us (timeout) or ^C: unwind through the finally blocks.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, _: sys.exit(128 + s))
    try:
        if args.list:
            print("\n".join(load_spec(args.spec)["configs"]))
            return 0
        if not args.config:
            p.error("a configuration name is required (see --list)")
        return run(args.spec, args.config, args.tollgate, args.keep, args.verbose)
    except CheckError as e:
        print(f"peer_check: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
