#pragma once
// Kind `connectpay`: the reference target of the two-host profile (seed 003, ConnectPay).
// This part serves the generic APIs protected by HTTP Basic
// (Authorization: Basic base64(ClientKey:ClientSecret), RFC 7617) and answers Basic on the
// Bearer-only data APIs with a Bearer challenge. Every refusal is 401 with a challenge and
// the same body whether the key is unknown or the secret wrong; malformed values are
// refused, never a 5xx.
//
// Faults (each breaks exactly one rule, so the suites can be shown to catch it):
//   accept_any_secret        a known key passes with any secret
//   accept_unknown_key       an unknown key passes (with any secret)
//   accept_empty_key         "base64(:secret)" passes as if the key matched
//   omit_challenge           401 without WWW-Authenticate
//   malformed_500            malformed Basic values crash the handler (500)
//   reject_lowercase_scheme  only "Basic" is accepted, not "basic"
//   basic_on_bearer_path     Basic credentials open the Bearer-only data APIs
//   distinct_unknown_key_body  an unknown key gets a different answer than a wrong secret

#include <map>
#include <string>
#include <vector>

#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: immutable after construction.
class ConnectPay : public MockService {
 public:
  ConnectPay(const ServiceDecl& decl, ServiceContext ctx);
  void AddRoutes(ServiceRouter& router) override;
  std::set<std::string> KnownFaults() const override;
  std::vector<TargetSetting> TargetSettings() const override;

  /// The generic-API handler, public so it can be unit-tested without a socket.
  Handled HandleBasic(const ServerRequest& request) const;
  /// The Bearer-only data-API handler.
  Handled HandleBearerOnly(const ServerRequest& request) const;

 private:
  Handled Unauthorized(const std::string& scheme, const std::string& note,
                       const std::string& error) const;

  std::string realm_;
  std::map<std::string, std::string> clients_;  // key -> secret
  std::vector<std::string> basic_paths_;
  std::vector<std::string> bearer_paths_;
};

}  // namespace tollgate::mocks
