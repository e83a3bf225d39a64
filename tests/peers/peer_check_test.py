#!/usr/bin/env python3
"""Tests of the peer-target driver (peer_check.py) with a stand-in peer and a stand-in
tollgate, so that they need neither a build nor the network: the comparison, the templates,
and that the peer and the temporary folder never outlive a run."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import peer_check  # noqa: E402

# Serves on the port it is given and writes its pid where the test can find it.
FAKE_PEER = textwrap.dedent("""\
    import http.server, os, sys
    open(sys.argv[2], "w").write(str(os.getpid()))
    if "--crash" in sys.argv:
        sys.exit("peer: crashing on purpose")
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])),
                           http.server.BaseHTTPRequestHandler).serve_forever()
    """)

# `tollgate run ... --json FILE`: writes the verdicts of $FAKE_VERDICTS and exits with
# $FAKE_EXIT; records its arguments and the rendered target file.
FAKE_TOLLGATE = textwrap.dedent("""\
    import json, os, sys
    args = sys.argv[1:]
    out = args[args.index("--json") + 1]
    target = open(args[args.index("--target-file") + 1]).read()
    open(os.environ["FAKE_RECORD"], "w").write(json.dumps({"args": args, "target": target}))
    cases = [{"id": i, "verdict": v, "outcome": o, "failures":
              [{"message": "expected status 401, got 200", "location": "s.yaml:3:9"}]
              if v == "fail" else [], "error": "boom" if v == "error" else "",
              "skip_reason": "slow" if v == "skipped" else "",
              "skip_kind": "slow" if v == "skipped" else ""}
             for i, v, o in json.loads(os.environ["FAKE_VERDICTS"])]
    json.dump({"suites": [{"id": "s", "cases": cases}]}, open(out, "w"))
    sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
    """)


def case(verdict, outcome=None, error="", skip="", kind=""):
    return {"verdict": verdict, "outcome": outcome or verdict, "failures": [], "error": error,
            "skip_reason": skip, "skip_kind": kind}


class CompareTest(unittest.TestCase):
    def test_exact_set_holds(self):
        cases = {"A": case("fail"), "B": case("pass"), "C": case("skipped", skip="slow")}
        self.assertEqual(peer_check.compare(cases, {"A"}, 4), [])

    def test_names_missing_and_unexpected_failures(self):
        cases = {"A": case("pass"), "B": case("fail"), "C": case("skipped", skip="clock\nmore")}
        diff = "\n".join(peer_check.compare(cases, {"A", "C", "Z"}, 4))
        self.assertIn("expected to fail, but pass:  A", diff)
        self.assertIn("expected to fail, but skipped (clock):  C", diff)
        self.assertIn("expected to fail, not in the report:  Z", diff)
        self.assertIn("+ failed, not expected:  B", diff)

    def test_an_error_is_never_accepted(self):
        cases = {"A": case("error", error="target unreachable")}
        diff = "\n".join(peer_check.compare(cases, set(), 0))
        self.assertIn("error (the harness could not check):  A", diff)
        self.assertIn("target unreachable", diff)

    def test_a_should_failure_is_a_failure_with_exit_zero(self):
        cases = {"A": case("fail", outcome="warning")}
        self.assertEqual(peer_check.compare(cases, {"A"}, 0, 0), [])
        self.assertIn("tollgate exited 4, but these outcomes mean exit 0",
                      "\n".join(peer_check.compare(cases, {"A"}, 4)))

    def test_may_fail_holds_either_way_but_must_be_in_the_report(self):
        for verdict in ("pass", "fail"):
            cases = {"A": case("fail"), "B": case(verdict)}
            self.assertEqual(peer_check.compare(cases, {"A"}, 4, None, frozenset({"B"})), [])
        cases = {"A": case("fail")}
        self.assertEqual(peer_check.compare(cases, {"A"}, 4, None, frozenset({"Z"})),
                         ["  - may fail, not in the report:  Z"])

    def test_external_skips_are_exactly_the_listed_cases(self):
        listed = frozenset({"CLOCK"})
        cases = {"A": case("pass"), "CLOCK": case("skipped", kind="external-target"),
                 "SLOW": case("skipped", kind="slow")}
        self.assertEqual(peer_check.compare(cases, set(), 0, None, frozenset(), listed), [])
        # One more case skipped as undecidable: a regression that would pass vacuously.
        cases["A"] = case("skipped", kind="external-target")
        diff = "\n".join(peer_check.compare(cases, set(), 0, None, frozenset(), listed))
        self.assertIn("skipped as undecidable on an external target, not expected:  A", diff)
        # A listed case that ran: its verdict rests on what the target cannot observe.
        cases = {"CLOCK": case("pass")}
        diff = "\n".join(peer_check.compare(cases, set(), 0, None, frozenset(), listed))
        self.assertIn("expected to be skipped (external target), but pass:  CLOCK", diff)
        # A skip without a known reason.
        cases = {"B": case("skipped")}
        diff = "\n".join(peer_check.compare(cases, set(), 0, None, frozenset(), listed))
        self.assertIn("skipped for an unexpected reason (none given):  B", diff)

    def test_exit_code_of_the_config(self):
        cases = {"A": case("fail")}
        self.assertIn("expected 0 (`exit_code`)",
                      "\n".join(peer_check.compare(cases, {"A"}, 4, 0)))


class CaseIdsTest(unittest.TestCase):
    def test_nested_lists_from_anchors_are_spliced(self):
        self.assertEqual(peer_check.case_ids([["A", "B"], "C", [["D"]]]), {"A", "B", "C", "D"})
        self.assertEqual(peer_check.case_ids(None), set())


class RenderTest(unittest.TestCase):
    def test_placeholders_and_tollgate_templates(self):
        text = "url: http://127.0.0.1:{{ peer.port }}/x\nkey: ${env.KEY}\n"
        self.assertEqual(peer_check.render(text, {"peer.port": 8080}, "t"),
                         "url: http://127.0.0.1:8080/x\nkey: ${env.KEY}\n")

    def test_unknown_placeholder_is_an_error_naming_it(self):
        with self.assertRaisesRegex(peer_check.CheckError, r"t: unknown placeholder \{\{prot\}\}"):
            peer_check.render("{{prot}}", {"port": 1}, "t")

    def test_free_ports_are_distinct(self):
        ports = peer_check.free_ports(5)
        self.assertEqual(len(set(ports)), 5)


class RunTest(unittest.TestCase):
    """Whole runs of the driver as ctest runs it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="peer-check-test-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])
        peer = os.path.join(self.dir, "fake")
        os.mkdir(peer)
        with open(os.path.join(peer, "peer.py"), "w") as f:
            f.write(FAKE_PEER)
        self.tollgate = os.path.join(self.dir, "tollgate")
        with open(self.tollgate, "w") as f:
            f.write(f"#!{sys.executable}\n" + FAKE_TOLLGATE)
        os.chmod(self.tollgate, 0o755)
        with open(os.path.join(peer, "environment.yaml.in"), "w") as f:
            f.write("environment: fake\n")
        with open(os.path.join(peer, "target.yaml.in"), "w") as f:
            f.write("url: http://127.0.0.1:{{peer.port}}\nttl: {{ttl}}\n")
        self.pidfile = os.path.join(self.dir, "peer.pid")
        self.record = os.path.join(self.dir, "record.json")
        self.spec = os.path.join(peer, "peer.yaml")
        with open(self.spec, "w") as f:
            f.write(textwrap.dedent(f"""\
                suites: [suites/x]
                vars: {{ttl: 3s}}
                environment: environment.yaml.in
                target: target.yaml.in
                command: ["{{{{python}}}}", "{{{{peer_dir}}}}/peer.py", "{{{{peer.port}}}}",
                          {self.pidfile}]
                tollgate_args: [--jobs, "2"]
                external_skips: []
                configs:
                  clean: {{exit_code: 0, fails: []}}
                  broken:
                    flags: [--crash]
                    fails: []
                  defect:
                    vars: {{ttl: 9s}}
                    tollgate_args: [--tags, slow]
                    fails: [A]
                """))

    def drive(self, config, verdicts, exit_code=0):
        env = dict(os.environ, FAKE_VERDICTS=json.dumps(verdicts), FAKE_EXIT=str(exit_code),
                   FAKE_RECORD=self.record, TMPDIR=self.dir)
        return subprocess.run([sys.executable, os.path.join(HERE, "peer_check.py"), self.spec,
                               config, "--tollgate", self.tollgate], cwd=self.dir, env=env,
                              capture_output=True, text=True, timeout=60)

    def assert_peer_gone_and_tmp_removed(self):
        with open(self.pidfile) as f:
            pid = int(f.read())
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            self.fail(f"the peer (pid {pid}) outlived the run")
        self.assertEqual([d for d in os.listdir(self.dir) if d.startswith("tollgate-")], [])

    def test_clean_run_passes(self):
        r = self.drive("clean", [["A", "pass", "pass"], ["B", "skipped", "skipped"]])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("peers.fake.clean: 2 cases: 1 passed, 0 failed, 1 skipped, 0 errors",
                      r.stdout)
        self.assertIn("OK: exactly the expected 0 case(s) failed", r.stdout)
        self.assert_peer_gone_and_tmp_removed()

    def test_config_vars_flags_and_args_reach_the_run(self):
        r = self.drive("defect", [["A", "fail", "fail"]], exit_code=4)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.record) as f:
            record = json.load(f)
        self.assertIn("ttl: 9s", record["target"])
        self.assertEqual(record["args"][-4:], ["--jobs", "2", "--tags", "slow"])
        self.assert_peer_gone_and_tmp_removed()

    def test_mismatch_is_a_readable_diff(self):
        r = self.drive("clean", [["A", "fail", "fail"]], exit_code=4)
        self.assertEqual(r.returncode, 1)
        self.assertIn("MISMATCH: the failed cases differ from `configs.clean.fails`", r.stdout)
        self.assertIn("+ failed, not expected:  A\n      expected status 401, got 200 at "
                      "s.yaml:3:9", r.stdout)
        self.assertIn("tollgate exited 4, expected 0 (`exit_code`)", r.stdout)
        self.assert_peer_gone_and_tmp_removed()

    def test_harness_exit_is_an_error_not_a_verdict(self):
        r = self.drive("clean", [], exit_code=3)
        self.assertEqual(r.returncode, 2)
        self.assertIn("tollgate run exited 3", r.stderr)
        self.assert_peer_gone_and_tmp_removed()

    def test_a_peer_that_does_not_start_is_reported_with_its_log(self):
        r = self.drive("broken", [])
        self.assertEqual(r.returncode, 2)
        self.assertIn("the peer exited with 1 before serving", r.stderr)
        self.assertIn("peer: crashing on purpose", r.stderr)

    def test_unknown_config_is_an_error(self):
        r = self.drive("nope", [])
        self.assertEqual(r.returncode, 2)
        self.assertIn("no config `nope`; known: clean, broken, defect", r.stderr)

    def test_list(self):
        r = subprocess.run([sys.executable, os.path.join(HERE, "peer_check.py"), self.spec,
                            "--list"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.stdout.split(), ["clean", "broken", "defect"])


if __name__ == "__main__":
    unittest.main()
