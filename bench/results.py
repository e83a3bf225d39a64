#!/usr/bin/env python3
"""Checks the reports of the benchmarked tools and summarises the timings.

    results.py verify TOOL REPORT SCENARIOS_JSON [--fail-kinds K,K]
        Reads one tool's report and prints one JSON line:
          {"ok": bool, "passed": n, "failed": n, "reason": "...", "internal_seconds": x}
        `ok` is true only when every scenario of SCENARIOS_JSON appears exactly once and
        the ones that failed are exactly the scenarios of the kinds in --fail-kinds (none
        by default: a valid timing run must pass all of them). TOOL is tollgate (its
        --json report), newman (its json reporter export) or stepci (its console output).

    results.py summary RUNS_JSONL META_JSON OUT_JSON
        Takes the per-run records written by run.sh, prints the table (medians of the
        valid runs, scenarios/s, ratio to tollgate --jobs 2) and writes OUT_JSON.
"""

import json
import re
import statistics
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def load_scenarios(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# pm.test checks per newman request, by scenario kind (see gen.py): a request whose script
# ran fewer checks than written does not count as passed.
NEWMAN_CHECKS = {"valid": 2, "wrong": 2, "none": 1, "bearer": 1}


# Each reader takes (report path, {scenario id: kind}) and returns ({scenario id: passed?}, duplicates, internal seconds or None).
def read_tollgate(path, kinds):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    verdicts, dups = {}, []
    for suite in doc.get("suites", []):
        for case in suite.get("cases", []):
            sid = case.get("scenario") or case.get("id")
            if sid in verdicts:
                dups.append(sid)
            verdicts[sid] = case.get("verdict") == "pass"
    return verdicts, dups, doc.get("seconds")


def read_newman(path, kinds):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    run = doc["run"]
    verdicts, dups = {}, []
    for ex in run.get("executions", []):
        name = ex.get("item", {}).get("name", "")
        sid = name.split(" ", 1)[0]
        assertions = ex.get("assertions", [])
        ok = (len(assertions) == NEWMAN_CHECKS.get(kinds.get(sid), -1)
              and all(not a.get("error") and not a.get("skipped") for a in assertions)
              and not ex.get("requestError") and not ex.get("testScript", [{}])[0].get("error"))
        if sid in verdicts:
            dups.append(sid)
        verdicts[sid] = ok
    # Failures that are not tied to an execution (script errors) fail the whole run.
    for failure in run.get("failures", []):
        sid = failure.get("source", {}).get("name", "").split(" ", 1)[0]
        if sid in verdicts:
            verdicts[sid] = False
    timings = run.get("timings", {})
    internal = None
    if "started" in timings and "completed" in timings:
        internal = (timings["completed"] - timings["started"]) / 1000.0
    return verdicts, dups, internal


def read_stepci(path, kinds):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = ANSI.sub("", f.read())
    verdicts, dups = {}, []
    for m in re.finditer(r"^\s*(PASS|FAIL)\s+(BENCH-\d+)\b", text, re.M):
        sid = m.group(2)
        if sid in verdicts:
            dups.append(sid)
        verdicts[sid] = m.group(1) == "PASS"
    summary = re.search(r"^Tests:\s*(\d+) failed, (\d+) passed, (\d+) total", text, re.M)
    if summary:
        failed, passed, total = map(int, summary.groups())
        if total != len(verdicts) or passed != sum(verdicts.values()):
            dups.append("summary line disagrees with the per-test lines")
    else:
        dups.append("no `Tests:` summary line")
    internal = None
    m = re.search(r"^Time:\s*([0-9.]+)s", text, re.M)
    if m:
        internal = float(m.group(1))
    return verdicts, dups, internal


READERS = {"tollgate": read_tollgate, "newman": read_newman, "stepci": read_stepci}


def verify(tool, report, scenarios_path, fail_kinds):
    scs = load_scenarios(scenarios_path)
    out = {"ok": False, "passed": 0, "failed": 0, "reason": "", "internal_seconds": None}
    try:
        verdicts, dups, internal = READERS[tool](report, {s["id"]: s["kind"] for s in scs})
    except (OSError, ValueError, KeyError, IndexError) as e:
        out["reason"] = "cannot read the report: %s" % e
        return out
    out["internal_seconds"] = internal
    out["passed"] = sum(1 for v in verdicts.values() if v)
    out["failed"] = sum(1 for v in verdicts.values() if not v)
    want = {s["id"]: s["kind"] not in fail_kinds for s in scs}
    problems = []
    if dups:
        problems.append("duplicates or inconsistencies: %s" % ", ".join(map(str, dups[:5])))
    missing = [i for i in want if i not in verdicts]
    extra = [i for i in verdicts if i not in want]
    wrong = [i for i in want if i in verdicts and verdicts[i] != want[i]]
    if missing:
        problems.append("%d scenarios missing (first %s)" % (len(missing), missing[0]))
    if extra:
        problems.append("%d unknown scenarios (first %s)" % (len(extra), extra[0]))
    if wrong:
        first = wrong[0]
        problems.append("%d scenarios with an unexpected verdict (first %s: %s, expected %s)" % (
            len(wrong), first, "pass" if verdicts[first] else "fail",
            "pass" if want[first] else "fail"))
    out["ok"] = not problems
    out["reason"] = "; ".join(problems)
    return out


def summary(runs_path, meta_path, out_path):
    with open(meta_path, encoding="utf-8") as f:
        meta = json.load(f)
    runs = []
    with open(runs_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                runs.append(json.loads(line))
    count = meta["scenarios"]
    rows = []
    for cfg in meta["configs"]:
        mine = [r for r in runs if r["config"] == cfg["name"]]
        valid = [r for r in mine if r["valid"]]
        row = dict(cfg)
        row["runs"] = mine
        row["valid_runs"] = len(valid)
        # A configuration is measured only if every one of its runs was valid.
        row["valid"] = bool(mine) and len(valid) == len(mine)
        if row["valid"]:
            row["wall_seconds_median"] = statistics.median(r["wall_seconds"] for r in valid)
            internals = [r["internal_seconds"] for r in valid if r.get("internal_seconds") is not None]
            row["internal_seconds_median"] = statistics.median(internals) if internals else None
            row["scenarios_per_second"] = count / row["wall_seconds_median"]
        else:
            row["wall_seconds_median"] = None
            row["internal_seconds_median"] = None
            row["scenarios_per_second"] = None
            bad = [r for r in mine if not r["valid"]]
            row["invalid_reason"] = bad[0]["reason"] if bad else "not run"
        rows.append(row)
    base = next((r for r in rows if r["name"] == meta["baseline"]), None)
    base_s = base["wall_seconds_median"] if base and base["valid"] else None
    for r in rows:
        if base_s and r["wall_seconds_median"]:
            r["ratio_vs_tollgate"] = r["wall_seconds_median"] / base_s
        else:
            r["ratio_vs_tollgate"] = None

    # The goal: tollgate at least 5x faster than newman.
    newman = next((r for r in rows if r["tool"] == "newman"), None)
    goal = {"statement": "tollgate (--jobs 2) at least 5x faster than newman (wall time)",
            "ratio": newman["ratio_vs_tollgate"] if newman else None}
    goal["met"] = goal["ratio"] is not None and goal["ratio"] >= 5.0
    # Same comparison with one job, to show the result does not rest on parallelism.
    j1 = next((r for r in rows if r["name"] == "tollgate-j1"), None)
    if newman and j1 and newman["valid"] and j1["valid"]:
        goal["ratio_jobs_1"] = newman["wall_seconds_median"] / j1["wall_seconds_median"]

    doc = dict(meta)
    doc["results"] = rows
    doc["goal"] = goal
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    header = ("tool / configuration", "wall s (median)", "in-tool s", "scenarios/s", "x tollgate")
    table = []
    for r in rows:
        if r["valid"]:
            table.append((r["label"], "%.3f" % r["wall_seconds_median"],
                          "%.3f" % r["internal_seconds_median"] if r["internal_seconds_median"] is not None else "-",
                          "%.0f" % r["scenarios_per_second"],
                          "%.1f" % r["ratio_vs_tollgate"] if r["ratio_vs_tollgate"] else "-"))
        else:
            table.append((r["label"], "INVALID", "-", "-", "-"))
    widths = [max(len(str(x[i])) for x in [header] + table) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for t in table:
        print(line(t))
    for r in rows:
        if not r["valid"]:
            print("  INVALID %s: %s" % (r["label"], r.get("invalid_reason", "")))
    print()
    print("%d scenarios, median of %d runs each; ratio = wall time / tollgate --jobs 2 wall time."
          % (count, meta["repeats"]))
    if meta.get("quick"):
        pass  # a quick run's timings prove nothing either way
    elif goal["ratio"] is not None:
        print("goal (tollgate >= 5x faster than newman): %s (%.1fx%s)" % (
            "MET" if goal["met"] else "NOT MET", goal["ratio"],
            ", %.1fx with --jobs 1" % goal["ratio_jobs_1"] if "ratio_jobs_1" in goal else ""))
    else:
        print("goal (tollgate >= 5x faster than newman): no valid measurement")
    required_ok = all(r["valid"] for r in rows if r.get("required"))
    for skipped in meta.get("skipped", []):
        print("skipped %s" % skipped)
    if meta.get("quick"):
        # The quick mode proves the pipeline works (every run checked valid), not the speed.
        print("quick mode: %s; timings are not judged" % (
            "every run valid" if required_ok else "INVALID runs (see above)"))
        return 0 if required_ok else 1
    return 0 if required_ok and goal["met"] else 1


def main(argv):
    if len(argv) >= 4 and argv[0] == "verify":
        fail_kinds = set()
        if len(argv) >= 6 and argv[4] == "--fail-kinds":
            fail_kinds = {k for k in argv[5].split(",") if k}
        print(json.dumps(verify(argv[1], argv[2], argv[3], fail_kinds)))
        return 0
    if len(argv) == 4 and argv[0] == "summary":
        return summary(argv[1], argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
