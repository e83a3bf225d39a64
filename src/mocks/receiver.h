#pragma once
// Kind `receiver`: records whatever is sent to it and answers with a configured status,
// body and headers. Suites assert on its journal with `received` steps.

#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe: immutable after construction.
class Receiver : public MockService {
 public:
  Receiver(const ServiceDecl& decl, ServiceContext ctx);
  void AddRoutes(ServiceRouter& router) override;

 private:
  int status_;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace tollgate::mocks
