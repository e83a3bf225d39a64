#pragma once
// Kind `receiver`: records whatever is sent to it and answers with a configured status,
// body and headers. Suites assert on its journal with `received` steps. With `verify:
// {scheme, secret, tolerance}` it checks webhook signatures (standard-webhooks, stripe,
// github): a delivery that fails, or repeats an id already accepted, gets 401, and the
// journal note says "verified" or "rejected: <reason>".

#include <mutex>
#include <optional>
#include <set>

#include "tollgate/crypto/webhooks.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: configuration is immutable; the seen-id set has its own lock.
class Receiver : public MockService {
 public:
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  Receiver(const ServiceDecl& decl, ServiceContext ctx);
  void AddRoutes(ServiceRouter& router) override;
  /// The verdict for one request (no socket needed).
  Handled Handle(const ServerRequest& request);

 private:
  struct Verify {
    webhooks::Scheme scheme;
    std::string secret;
    std::int64_t tolerance = 300;
  };
  int status_;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::optional<Verify> verify_;
  std::mutex mu_;
  std::set<std::string> seen_ids_;  // accepted delivery ids (idempotency)
};

}  // namespace tollgate::mocks
