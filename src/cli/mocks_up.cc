#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/journal_console.h"
#include "cli/project.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/scenario/loader.h"

namespace tollgate::cli {

int MocksUpCommand(const std::string& env_file, const std::vector<std::string>& faults) {
  Diagnostics diags;
  auto env = LoadEnvironment(env_file, diags);
  if (!env) return std::cerr << diags.Render(), kExitInvalid;
  // Block the stop signals before any server thread starts, so every thread inherits the
  // mask and this thread alone receives them in sigwait.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  OffsetClock clock;
  Redactor redactor;
  MockEnvironment mocks(*env, &clock, &redactor);
  if (PkiPaths pki = ProjectPki(); !pki.out_dir.empty()) mocks.SetPki(pki.config, pki.out_dir);
  for (const std::string& f : faults) {
    std::size_t colon = f.find(':');
    if (colon == std::string::npos) {
      std::cerr << "error: --fault takes SERVICE:FAULT, found `" << f << "`\n";
      return kExitUsage;
    }
    if (Status st = mocks.AddFault(f.substr(0, colon), f.substr(colon + 1)); !st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return kExitUsage;
    }
  }
  if (Status st = mocks.Start(); !st.ok()) {
    std::cerr << "error: " << redactor.Redact(st.message()) << "\n";
    return kExitHarness;
  }
  nlohmann::json ready = mocks.ReadyJson();
  // The ready line is read by other processes, which may run in another directory: a
  // trust anchor relative to ours would point nowhere for them.
  for (nlohmann::json& service : ready["services"]) {
    if (service.contains("ca_file") && service["ca_file"].is_string()) {
      std::filesystem::path ca = service["ca_file"].get<std::string>();
      std::error_code ec;
      std::filesystem::path absolute = std::filesystem::absolute(ca, ec);
      if (!ec) service["ca_file"] = absolute.lexically_normal().string();
    }
  }
  std::cout << ready.dump() << std::endl;
  // Until a stop signal: every few hundred milliseconds, what the partner-facing mocks
  // received, with their verdicts (stderr, so the ready line stays alone on stdout).
  JournalConsole console;
  int sig = 0;
  const timespec poll = {0, 250'000'000};
  while (sig == 0) {
    int got = sigtimedwait(&stop, nullptr, &poll);
    console.Poll(mocks, std::cerr);
    if (got > 0) sig = got;
  }
  mocks.Stop();
  std::cerr << "tollgate: stopped on " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << "\n";
  return kExitOk;
}

}  // namespace tollgate::cli
