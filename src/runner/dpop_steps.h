#pragma once
// The `dpop:` option of requests and token fetches: the run's named DPoP keys, the
// request-level mutations, and how a proof is shown. CaseRun::AttachDpop (dpop_steps.cc)
// puts the proof on a request.

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "tollgate/base/status.h"
#include "tollgate/crypto/jose.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::runner {

/// The mutations the request builder applies rather than the proof: `missing_header`,
/// `two_headers`, `bearer_scheme`.
const Terms& DpopRequestMutations();

/// Every name `dpop: {mutation}` takes: `none` (a correct proof), the proof's
/// (jose::DpopMutationTerms), then the request-level ones.
Terms DpopMutationVocabulary();

/// The DPoP keys of one run by name, each made at first use and the same for every case
/// after; and for each, a second key of the same algorithm (the `other_key` mutations).
/// Thread-safe.
class DpopKeyring {
 public:
  /// The key `name`, made with `alg` (a DPoP algorithm name) at first use; an error when
  /// the name was made with another algorithm.
  StatusOr<jose::Jwk> Get(const std::string& name, const std::string& alg);
  /// The second key of `name` (another key pair, the same algorithm).
  StatusOr<jose::Jwk> Other(const std::string& name, const std::string& alg);

 private:
  StatusOr<jose::Jwk> Find(const std::string& slot, const std::string& name,
                           const std::string& alg);
  std::mutex mu_;
  std::map<std::string, jose::Jwk> keys_;  // "name" and "name other"
};

/// A proof's header and claims for the transcript, the saved result and the evidence, with
/// any private member of the header's jwk (the `private_key_in_jwk` mutation) left out;
/// null when `proof` is no compact JWS.
nlohmann::json ProofForDisplay(const std::string& proof);

}  // namespace tollgate::runner
