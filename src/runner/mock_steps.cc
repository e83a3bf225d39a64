// `mock:` and `received:` steps: an action on a running mock (undone when the case ends),
// and what a mock's journal recorded.

#include "runner/case_run.h"
#include "runner/expect_check.h"
#include "tollgate/base/encoding.h"
#include "tollgate/mocks/environment.h"

namespace tollgate::runner {

bool CaseRun::RunMock(const Step& step, const MockStep& mock) {
  MockService* service = run_.env ? run_.env->Service(mock.service) : nullptr;
  if (!service) return Error(step, "no running service `" + mock.service + "` to control");
  auto args = EvalJson(mock.args, mock.loc);
  if (!args.ok()) return Error(step, args.status().message());
  touched_mocks_ = true;
  Note(MockNote{mock.service, mock.action, NoteJson(*args)});
  if (Status st = service->Control(mock.action, *args); !st.ok()) return Error(step, st.message());
  return true;
}

bool CaseRun::RunReceived(const Step& step, const ReceivedStep& received) {
  const Journal* journal = run_.env ? run_.env->GetJournal(received.service) : nullptr;
  if (!journal) return Error(step, "no running service `" + received.service + "` to ask");
  std::optional<std::string> method, path;
  if (received.method) {
    auto m = Eval(*received.method);
    if (!m.ok()) return Error(step, m.status().message());
    method = *m;
  }
  if (received.path) {
    auto p = Eval(*received.path);
    if (!p.ok()) return Error(step, p.status().message());
    path = *p;
  }
  std::uint64_t since = 0;
  if (received.since) {
    auto v = Eval(*received.since);
    if (!v.ok()) return Error(step, v.status().message());
    try {
      since = std::stoull(*v);
    } catch (const std::exception&) {
      return Error(step,
                   "`since` must be a journal position (a saved `last_seq`), got `" + *v + "`");
    }
  }
  std::vector<JournalEntry> all = journal->Snapshot();
  std::uint64_t last_seq = all.empty() ? journal->total() : all.back().seq;
  std::vector<JournalEntry> selected;
  for (JournalEntry& e : all) {
    if (e.seq <= since) continue;
    if (method && !EqualsIgnoreCase(e.method, *method)) continue;
    if (path && e.path != *path) continue;
    selected.push_back(std::move(e));
  }
  Note(ReceivedNote{received.service, selected.size()});
  if (step.save) {
    nlohmann::json list = nlohmann::json::array();
    for (const JournalEntry& e : selected) list.push_back(e.ToJson());
    scope_.Save(*step.save,
                {{"count", selected.size()}, {"entries", list}, {"last_seq", last_seq}});
  }
  if (!step.expect) return true;
  auto failures = CheckJournal(*step.expect, selected, scope_);
  if (!failures.ok()) return Error(step, failures.status().message());
  return Fail(std::move(failures).value());
}

}  // namespace tollgate::runner
