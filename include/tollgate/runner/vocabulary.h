#pragma once
// Registers every vocabulary the loaders check files against (tollgate/scenario/
// vocabulary.h), from the modules that own them: token mutations and webhook schemes
// (crypto), signing mutations and the runner's own webhook variant (runner), each mock
// kind's actions and faults (mocks). The command line calls it once at start-up.

namespace tollgate {

/// Idempotent; thread-safe.
void RegisterVocabularies();

}  // namespace tollgate
