// Runs one environment file (with a kind `ocsp` service) on the project's PKI profile of
// the given folder, prints one JSON line {"url": ...} per service once started, then
// applies `mock:` actions read from stdin, one per line: `SERVICE ACTION [JSON-ARGS]`,
// answering `ok` or `error: ...`. EOF stops it. The driver of tests/peers/ocsp_peer.py:
// `tollgate mocks up` has no control channel, and the product should not grow one.
//
// Usage: tollgate_ocsp_host ENV.yaml PKI.yaml PKI-OUT-DIR

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "tollgate/base/clock.h"
#include "tollgate/base/file.h"
#include "tollgate/base/redact.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/mocks/service.h"
#include "tollgate/scenario/loader.h"

int main(int argc, char** argv) {
  using namespace std::string_literals;
  if (argc != 4) {
    std::cerr << "usage: tollgate_ocsp_host ENV.yaml PKI.yaml PKI-OUT-DIR\n";
    return 1;
  }
  tollgate::RegisterMockKinds();
  tollgate::StatusOr<std::string> text = tollgate::ReadFile(argv[1]);
  if (!text.ok()) {
    std::cerr << text.status().ToString() << "\n";
    return 2;
  }
  tollgate::Diagnostics diags;
  std::optional<tollgate::Environment> model = tollgate::ParseEnvironment(*text, argv[1], diags);
  if (!model) {
    std::cerr << diags.Render();
    return 2;
  }
  tollgate::OffsetClock clock;
  tollgate::Redactor redactor;
  tollgate::MockEnvironment env(*model, &clock, &redactor);
  env.SetPki(argv[2], argv[3]);
  if (tollgate::Status st = env.Start(); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 3;
  }
  nlohmann::json ready = nlohmann::json::object();
  for (const std::string& name : env.ServiceNames()) ready[name] = env.Url(name);
  std::cout << ready.dump() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::size_t a = line.find(' ');
    std::size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    std::string service = line.substr(0, a);
    std::string action = a == std::string::npos ? "" : line.substr(a + 1, b - a - 1);
    nlohmann::json args = nlohmann::json::parse(b == std::string::npos ? "{}"s : line.substr(b + 1),
                                                nullptr, /*allow_exceptions=*/false);
    tollgate::MockService* svc = env.Service(service);
    tollgate::Status st = !svc                  ? tollgate::NotFoundError("no service " + service)
                          : args.is_discarded() ? tollgate::InvalidArgumentError("bad JSON")
                                                : svc->Control(action, args);
    std::cout << (st.ok() ? "ok"s : "error: " + st.ToString()) << std::endl;
  }
  env.Stop();
  return 0;
}
