#include "cli/journal_console.h"

namespace tollgate::cli {

std::string FormatJournalLine(const std::string& service, const JournalEntry& e) {
  std::string line = service + ": " + e.method + " " + e.path + " -> " + std::to_string(e.status);
  if (!e.note.empty()) line += " " + e.note;
  return line;
}

void JournalConsole::Poll(const MockEnvironment& env, std::ostream& out) {
  for (const std::string& name : env.ServiceNames()) {
    if (env.Kind(name) != "sage-connector") continue;
    const Journal* journal = env.GetJournal(name);
    if (!journal) continue;
    std::uint64_t& seen = seen_[name];
    for (const JournalEntry& e : journal->Snapshot()) {
      if (e.seq <= seen) continue;
      out << FormatJournalLine(name, e) << "\n";
      seen = e.seq;
    }
  }
  out.flush();
}

}  // namespace tollgate::cli
