#include "tollgate/runner/fault_matrix.h"

#include <map>

#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/expand.h"

namespace tollgate {
namespace {

// Fault-map key of the faults every TLS service knows, whatever its kind.
constexpr char kTlsKind[] = "tls listener";

}  // namespace

int FaultMatrix::problems() const {
  int n = static_cast<int>(unmapped.size());
  for (const ProfileCheck& p : profiles) {
    if (p.ran && (!p.clean.failed.empty() || !p.clean.errored.empty())) ++n;
    for (const FaultCheck& f : p.faults) n += f.ok() ? 0 : 1;
  }
  return n;
}

bool MatchesFault(const std::string& entry, const std::string& name) {
  std::size_t colon = entry.find(':');
  return entry == name || (colon != std::string::npos && entry.substr(colon + 1) == name);
}

StatusOr<FaultMatrix> CheckFaultMatrix(const std::vector<ProfileRun>& profiles,
                                       const FaultMatrixOptions& options,
                                       const ProfileRunner& run) {
  FaultMatrix matrix;
  std::map<std::string, std::set<std::string>> known_by_kind, mapped_by_kind;
  for (const ProfileRun& p : profiles) {
    if (!p.requirements || !p.environment) {
      return InvalidArgumentError("`" + p.profile + "` is not a profile (no requirements.yaml)");
    }
    ProfileCheck check;
    check.profile = p.profile;
    check.target = p.environment->default_target;
    if (!options.map_only) {
      ASSIGN_OR_RETURN(check.clean, run(p, {}));
      check.ran = true;
    }
    for (const auto& [entry, ids] : p.requirements->faults) {
      // "fault" switches a fault of the target; "service:fault" one of another service
      // (the platform's issuer, say).
      std::size_t colon = entry.find(':');
      std::string service = colon == std::string::npos ? check.target : entry.substr(0, colon);
      std::string fault = colon == std::string::npos ? entry : entry.substr(colon + 1);
      for (const ServiceDecl& s : p.environment->services) {
        if (s.name != service) continue;
        bool tls_fault = mocks::WantsTls(s) && mocks::TlsFaultNames().count(fault);
        mapped_by_kind[tls_fault ? kTlsKind : s.kind].insert(fault);
      }
      if (options.map_only) continue;
      if (!options.only_fault.empty() && !MatchesFault(entry, options.only_fault)) continue;
      ASSIGN_OR_RETURN(RunOutcome got, run(p, {{service, fault}}));
      FaultCheck f;
      f.entry = entry;
      for (const Suite& s : p.suites) {
        for (const ScenarioCase& c : ExpandSuite(s)) {
          for (const std::string& id : ids) {
            if (id == c.case_id || id == c.scenario->id) f.expected.insert(c.case_id);
          }
        }
      }
      for (const std::string& e : f.expected) {
        if (!got.failed.count(e)) f.missed.insert(e);
      }
      for (const std::string& failed : got.failed) {
        if (!f.expected.count(failed)) f.extra.insert(failed);
      }
      f.errored = got.errored;
      check.faults.push_back(std::move(f));
    }
    for (const ServiceDecl& s : p.environment->services) {
      if (const KindTerms* terms = FindKindTerms(s.kind)) {
        for (const Term& t : terms->faults) known_by_kind[s.kind].insert(t.name);
      }
      // Every TLS service knows the TLS faults; some profile must prove each of them.
      if (mocks::WantsTls(s)) known_by_kind[kTlsKind] = mocks::TlsFaultNames();
    }
    if (options.on_profile) options.on_profile(check);
    matrix.profiles.push_back(std::move(check));
  }
  // With every profile checked, every fault of every kind must be in some fault map: a
  // fault no scenario is shown to catch is a hole in the suites.
  if (options.all_profiles && options.only_fault.empty()) {
    for (const auto& [kind, known] : known_by_kind) {
      for (const std::string& f : known) {
        if (!mapped_by_kind[kind].count(f)) matrix.unmapped.push_back(kind + ":" + f);
      }
    }
  }
  return matrix;
}

}  // namespace tollgate
