#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "cli/certs_command.h"
#include "cli/commands.h"
#include "cli/jwt_command.h"
#include "cli/tls_audit_command.h"
#include "tollgate/runner/vocabulary.h"

namespace tollgate::cli {
namespace {

// --jobs counts worker threads. 0 (taken as the default) and negative numbers (taken as one)
// used to pass silently, so a typo in a CI file changed the run without a word.
CLI::Validator JobsRange() { return CLI::Range(1, 1024).name("JOBS"); }

void AddRunOptions(CLI::App* cmd, RunArgs& a) {
  cmd->add_option("--env", a.env_file, "environment file (default: each profile's)");
  cmd->add_option("--target", a.target,
                  "target URL, or mock:NAME for a service of the environment");
  cmd->add_option("--target-file", a.target_file, "target file with the target's settings");
  cmd->add_option("--tags", a.tags, "tag expression, e.g. 'basic and not slow'");
  cmd->add_option("-j,--jobs", a.jobs, "parallel scenario cases (default: cores)")
      ->check(JobsRange());
  cmd->add_option("--var", a.vars, "K=V: override a suite variable (repeatable)");
  cmd->add_option("--secret", a.secrets, "K=V: a secret, as ${secret.K}; redacted everywhere");
  cmd->add_option("--fault", a.faults,
                  "SERVICE:FAULT: switch on a fault of a reference target, to see the suites "
                  "catch it (repeatable)");
  cmd->add_option("--junit", a.junit, "JUnit XML report")->capture_default_str();
  cmd->add_option("--json", a.json, "JSON report")->capture_default_str();
  cmd->add_option("--html", a.html, "HTML certification report (self-contained)");
  cmd->add_option("--evidence", a.evidence,
                  "folder for an evidence bundle: reports, suites, environment, manifest");
  cmd->add_option("--waivers", a.waivers, "waiver file: known failures with reason and expiry");
  cmd->add_flag("--strict-waivers", a.strict_waivers,
                "a waived case that now passes fails the run");
  cmd->add_option("--shard", a.shard,
                  "I/N: run one shard of the cases, 1-based (or TOLLGATE_SHARD_INDEX and "
                  "TOLLGATE_TOTAL_SHARDS)");
  cmd->add_option("--max-wait", a.max_wait, "bound on any wait step")->capture_default_str();
  cmd->add_flag("-v,--verbose", a.verbose, "print transcripts of failed cases");
  cmd->add_flag("-q,--quiet", a.quiet, "no line per case, only the summary");
}

}  // namespace

int Fail(int code, const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return code;
}

int Main(int argc, char** argv) {
  // The loaders check names other modules own (mutations, actions, faults) against them.
  RegisterVocabularies();
  CLI::App app{
      "tollgate: conformance harness and mock partner environment for payment-API security"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tollgate ") + TOLLGATE_VERSION);

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "run suites (files or folders; default: suites/)");
  run->add_option("paths", run_args.paths, "suite files or folders");
  AddRunOptions(run, run_args);

  RunArgs demo_args;
  CLI::App* demo =
      app.add_subcommand("demo", "every profile against its reference target; writes reports/");
  demo->add_option("-j,--jobs", demo_args.jobs, "parallel scenario cases (default: cores)")
      ->check(JobsRange());
  demo->add_flag("-v,--verbose", demo_args.verbose, "print transcripts of failed cases");
  demo->add_flag("-q,--quiet", demo_args.quiet, "no line per case, only the summary");

  std::vector<std::string> validate_paths;
  std::string validate_env, validate_target_file;
  CLI::App* validate =
      app.add_subcommand("validate", "check suites, environments and target files without running");
  validate->add_option("paths", validate_paths, "suite files or folders (default: suites/)");
  validate->add_option("--env", validate_env, "environment file (default: each profile's)");
  validate->add_option("--target-file", validate_target_file,
                       "target file to check too: it must define every setting the suites use");

  std::string init_profile, init_out;
  CLI::App* init = app.add_subcommand(
      "init", "write a commented target file for running PROFILE against your API");
  init->add_option("profile", init_profile, "profile name (suites/NAME) or folder")->required();
  init->add_option("--out", init_out, "file to write (default: standard output)");

  std::vector<std::string> list_paths;
  CLI::App* list = app.add_subcommand("list", "scenario cases with ids, requirements and tags");
  list->add_option("paths", list_paths, "suite files or folders (default: suites/)");

  CLI::App* mocks = app.add_subcommand("mocks", "run the mock environment on its own");
  mocks->require_subcommand(1);
  std::string up_file;
  std::vector<std::string> up_faults;
  CLI::App* up = mocks->add_subcommand(
      "up", "run an environment until SIGINT/SIGTERM; prints one JSON ready line");
  up->add_option("file", up_file, "environment file")->required();
  up->add_option("--fault", up_faults, "SERVICE:FAULT to switch on (repeatable)");

  std::vector<std::string> selftest_profiles;
  std::string selftest_fault;
  int selftest_jobs = 0;
  bool selftest_map_only = false;
  CLI::App* selftest = app.add_subcommand(
      "selftest",
      "prove the suites: each profile passes against its reference target, and each fault of "
      "the target fails exactly the scenarios its fault map names");
  selftest->add_option("profiles", selftest_profiles, "profile folders (default: suites/*)");
  selftest->add_option("--fault", selftest_fault, "check only this fault");
  selftest->add_option("-j,--jobs", selftest_jobs, "parallel scenario cases (default: cores)")
      ->check(JobsRange());
  selftest->add_flag("--map-only", selftest_map_only,
                     "only check that every fault of every kind is in some fault map");

  CLI::App* report = app.add_subcommand("report", "merge shard results; verify evidence bundles");
  report->require_subcommand(1);
  std::vector<std::string> merge_inputs;
  std::string merge_junit, merge_json, merge_html;
  CLI::App* merge = report->add_subcommand(
      "merge", "merge the JSON results of CI shards into one JUnit, JSON and HTML report");
  merge->add_option("inputs", merge_inputs, "results.json files of the shards")->required();
  merge->add_option("--junit", merge_junit, "merged JUnit XML");
  merge->add_option("--json", merge_json, "merged JSON results");
  merge->add_option("--html", merge_html, "merged HTML certification report");
  std::string verify_dir;
  CLI::App* verify_bundle = report->add_subcommand(
      "verify", "recompute the digests of an evidence bundle; exit 0 intact, 4 changed");
  verify_bundle->add_option("dir", verify_dir, "evidence bundle folder")->required();

  CLI::App* jwt =
      app.add_subcommand("jwt", "mint a token (including hostile variants) or verify one");
  jwt->require_subcommand(1);
  JwtMintArgs mint_args;
  CLI::App* mint = jwt->add_subcommand("mint", "mint a JWT; prints it on stdout");
  mint->add_option("--key", mint_args.key_file, "signing key (PEM or JWK); generated when absent");
  mint->add_option("--alg", mint_args.alg, "RS256 RS384 RS512 PS256 ES256 ES384 EdDSA HS256")
      ->capture_default_str();
  mint->add_option("--kid", mint_args.kid, "key id")->capture_default_str();
  mint->add_option("--iss", mint_args.iss, "issuer claim");
  mint->add_option("--aud", mint_args.aud, "audience claim");
  mint->add_option("--sub", mint_args.sub, "subject claim");
  mint->add_option("--scope", mint_args.scope, "scope claim (space-separated)");
  mint->add_option("--typ", mint_args.typ, "typ header")->capture_default_str();
  mint->add_option("--ttl", mint_args.ttl, "lifetime")->capture_default_str();
  mint->add_option("--claim", mint_args.claims,
                   "K=V extra claim, V as JSON when it parses (repeatable)");
  mint->add_option("--header", mint_args.headers, "K=V extra header member (repeatable)");
  mint->add_option("--mutate", mint_args.mutate, "a hostile variant (see --list-mutations)");
  mint->add_option("--attacker-url", mint_args.attacker_url, "where jku/x5u mutations point")
      ->capture_default_str();
  mint->add_option("--jwks-out", mint_args.jwks_out, "write the public JWKS of the key here");
  mint->add_flag("--list-mutations", mint_args.list_mutations, "list the hostile variants");
  JwtVerifyArgs verify_args;
  CLI::App* verify = jwt->add_subcommand("verify", "verify a JWT; exit 0 valid, 4 rejected");
  verify->add_option("token", verify_args.token, "the token, or - for stdin")->required();
  verify->add_option("--jwks", verify_args.jwks, "JWKS file or URL")->required();
  verify->add_option("--iss", verify_args.issuers, "accepted issuer (repeatable)");
  verify->add_option("--aud", verify_args.audiences, "accepted audience (repeatable)");
  verify->add_option("--alg", verify_args.algs,
                     "allowed algorithm (repeatable; default RS256, ES256)");
  verify->add_option("--typ", verify_args.typ, "required typ header");
  verify->add_option("--scope", verify_args.scope, "required scope");
  verify->add_option("--require", verify_args.require, "required claim (repeatable; default exp)");
  verify->add_option("--leeway", verify_args.leeway, "clock leeway")->capture_default_str();
  verify->add_flag("-v,--verbose", verify_args.verbose,
                   "print each JWKS key skipped as unusable (encryption keys, unknown types, "
                   "unsupported algorithms or curves) and why");

  CLI::App* certs = app.add_subcommand("certs", "build the test PKI; check an onboarding bundle");
  certs->require_subcommand(1);
  CertsGenerateArgs gen_args;
  CLI::App* gen = certs->add_subcommand(
      "generate",
      "build the PKI profile's certificates, variants and bundles (skipped when "
      "up to date)");
  gen->add_option("--config", gen_args.config, "PKI profile")->capture_default_str();
  gen->add_option("--out", gen_args.out, "output folder")->capture_default_str();
  gen->add_flag("--force", gen_args.force, "rebuild even when up to date");
  CertsCheckArgs check_args;
  CLI::App* check = certs->add_subcommand(
      "check", "onboarding check of a PEM bundle; exit 0 accepted, 4 rejected, 2 unreadable");
  check->add_option("bundle", check_args.bundle, "PEM bundle: leaf, intermediate(s), root")
      ->required();
  check->add_option("--anchors", check_args.anchors,
                    "PEM file of allowed roots (default: trust the bundle's own root)");
  check->add_option("--crl", check_args.crl, "PEM file of CRLs; the leaf must not be revoked");
  CertsMatrixArgs matrix_args;
  CLI::App* matrix = certs->add_subcommand(
      "matrix",
      "the path-validation matrix: verify each chain an identity lists against its expected "
      "verdict (exit 0 all agree, 4 not), or --list the table");
  matrix->add_option("--config", matrix_args.config, "PKI profile")->capture_default_str();
  matrix->add_option("--out", matrix_args.out, "output folder")->capture_default_str();
  matrix->add_option("--identity", matrix_args.identity, "the identity whose `chains:` to verify")
      ->capture_default_str();
  matrix->add_flag("--list", matrix_args.list,
                   "print NAME<TAB>accept|refuse<TAB>RULE for every chain of the matrix");

  CLI::App* tls = app.add_subcommand("tls",
                                     "audit a host's TLS, with or without a client "
                                     "certificate");
  tls->require_subcommand(1);
  TlsAuditArgs audit_args;
  CLI::App* audit = tls->add_subcommand(
      "audit",
      "protocols, TLS 1.2 suites, client authentication and its CA names, renegotiation, "
      "resumption and the server certificate; exit 0 no must finding, 4 some");
  audit->add_option("url", audit_args.url, "https://HOST[:PORT]")->required();
  audit->add_option("--identity", audit_args.identity,
                    "present this identity of the project's PKI (certs/pki.yaml)");
  audit->add_option("--cert", audit_args.cert, "client certificate chain (PEM, leaf first)");
  audit->add_option("--key", audit_args.key, "client private key (default: in --cert)");
  audit->add_option("--ca", audit_args.ca,
                    "trust anchors for the server's chain (default: the system's)");
  audit->add_option("--server-name", audit_args.server_name,
                    "SNI and the name the certificate must match (default: the URL's host)");
  audit->add_option("--timeout", audit_args.timeout, "bound on each connect, handshake and read")
      ->capture_default_str();
  audit
      ->add_option("--max-ca-names", audit_args.max_ca_names,
                   "more acceptable CA names than this is an over-broad list")
      ->capture_default_str();
  audit
      ->add_option("--min-days", audit_args.min_days,
                   "fewer days left on the server certificate is a finding")
      ->capture_default_str();
  audit->add_option("--json", audit_args.json,
                    "also write the JSON report to FILE; - prints "
                    "only JSON on standard output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  if (*run) return RunCommand(run_args);
  if (*demo) return DemoCommand(demo_args);
  if (*validate) return ValidateCommand(validate_paths, validate_env, validate_target_file);
  if (*list) return ListCommand(list_paths);
  if (*init) return InitCommand(init_profile, init_out);
  if (*up) return MocksUpCommand(up_file, up_faults);
  if (*mint) return JwtMintCommand(mint_args);
  if (*verify) return JwtVerifyCommand(verify_args);
  if (*gen) return CertsGenerateCommand(gen_args);
  if (*check) return CertsCheckCommand(check_args);
  if (*matrix) return CertsMatrixCommand(matrix_args);
  if (*audit) return TlsAuditCommand(audit_args);
  if (*merge) return ReportMergeCommand(merge_inputs, merge_junit, merge_json, merge_html);
  if (*verify_bundle) return ReportVerifyCommand(verify_dir);
  if (*selftest)
    return SelftestCommand(selftest_profiles, selftest_fault, selftest_jobs, selftest_map_only);
  return kExitUsage;
}

}  // namespace tollgate::cli
