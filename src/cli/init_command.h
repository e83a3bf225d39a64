#pragma once
// What a target file must define for a set of suites, derived from the suites themselves:
// `tollgate init` writes a commented target file from it, `tollgate validate --target-file`
// names what a target file lacks.

#include <string>
#include <vector>

#include "tollgate/mocks/service.h"
#include "tollgate/scenario/diagnostics.h"
#include "tollgate/scenario/model.h"

namespace tollgate::cli {

/// One `${target.NAME}` the suites use (never `url`, which is the file's `url:` key).
struct TargetUse {
  std::string name;
  SourceLoc first;                  // where the first suite (in load order) uses it
  std::vector<std::string> suites;  // file names of the suites using it, in load order
};

/// Every `${target.NAME}` used by `suites` (scenario templates and suite `vars:` alike),
/// sorted by name. Reads each suite's file again.
std::vector<TargetUse> TargetNamesUsed(const std::vector<Suite>& suites);

/// One diagnostic per name of `uses` that `target` does not define, at the target file,
/// with a did-you-mean when a defined name is close.
void CheckTargetFile(const TargetFile& target, const std::vector<TargetUse>& uses,
                     Diagnostics& diags);

/// What `tollgate init` knows of one profile: its name, the names its suites use, the
/// settings of its reference target with their example values (URLs of the environment
/// already replaced by example hosts) and the reference target's base URL.
struct InitInput {
  std::string profile;
  std::vector<TargetUse> uses;
  std::vector<TargetSetting> reference;
  std::string example_url;
};

/// The commented target file: each used name as a setting with the reference value as its
/// example, or as a secret read from `${env.PROFILE_NAME}` (a value is never written).
std::string RenderTargetFile(const InitInput& input);

/// "SAGE_CONNECTOR_HEADER_VALUE" for profile sage-connector and setting header_value.
std::string SecretVariable(const std::string& profile, const std::string& name);

}  // namespace tollgate::cli
