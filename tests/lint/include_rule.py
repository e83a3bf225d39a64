#!/usr/bin/env python3
"""The include rule of docs/architecture.md, enforced.

A file of module M (src/M/) includes another module's public headers
(include/tollgate/<module>/, include/tollgate/results.h) and never a private header of
another module (src/<other>/*.h). Files outside the modules (src/main.cc, bench/, fuzz/)
include only public headers too. The few exceptions are listed here, each with its reason,
and docs/architecture.md must list every one of them: a new exception is a decision a
reviewer sees in both places.

Usage: include_rule.py ROOT      (exit 0: the rule holds; 1: violations, each printed)
"""
import pathlib
import re
import sys

# (including file, included private header): why it is allowed.
EXCEPTIONS = {
    ("src/main.cc", "cli/cli.h"): "the binary is the cli module's one caller",
    ("bench/signed_bench.cc", "runner/sign_steps.h"): "times the signer the runner uses",
    ("bench/dpop_bench.cc", "mocks/resource_server.h"): "times the resource server's handler alone",
    ("src/mocks/mtls_test.cc", "http/test_pki.h"): "tests share the http module's test PKI",
    ("src/mocks/remote_jwks_test.cc", "http/test_pki.h"): "tests share the http module's test PKI",
    ("src/runner/tls_run_test.cc", "http/test_pki.h"): "tests share the http module's test PKI",
    ("src/runner/tls_resume_run_test.cc", "http/test_pki.h"):
        "tests share the http module's test PKI",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SOURCES = (".cc", ".h")


def module_of(rel):
    parts = rel.split("/")
    if len(parts) >= 3 and parts[0] == "src":
        return parts[1]
    return None


def private_header(root, header):
    """The module whose private header `header` names, or None when it is not one."""
    first = header.split("/", 1)[0]
    if "/" not in header or first == "tollgate":
        return None
    return first if (root / "src" / header).is_file() else None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = []
    for top in ("src", "bench", "fuzz", "include"):
        base = root / top
        if base.is_dir():
            files += [p for p in base.rglob("*") if p.suffix in SOURCES and "node_modules" not in p.parts]
    violations, used = [], set()
    for path in sorted(files):
        rel = path.relative_to(root).as_posix()
        own = module_of(rel)
        for header in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            other = private_header(root, header)
            if other is None or other == own:
                continue
            if rel.startswith("include/"):
                violations.append(f"{rel}: a public header includes private `{header}`")
            elif (rel, header) in EXCEPTIONS:
                used.add((rel, header))
            else:
                violations.append(
                    f"{rel}: includes `{header}`, a private header of module `{other}`; "
                    f"use its public header under include/tollgate/{other}/ or move the "
                    f"declaration there")
    for key in sorted(set(EXCEPTIONS) - used):
        violations.append(f"exception {key[0]} -> {key[1]} is no longer needed: remove it here "
                          f"and in docs/architecture.md")
    doc = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    for including, header in sorted(EXCEPTIONS):
        if f"`{including}`" not in doc or f"`{header}`" not in doc:
            violations.append(f"docs/architecture.md does not list the exception "
                              f"{including} -> {header}")
    for v in violations:
        print(v)
    if not violations:
        print(f"include rule holds: {len(files)} files, {len(EXCEPTIONS)} listed exceptions")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
