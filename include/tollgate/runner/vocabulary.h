#pragma once
// Registers every vocabulary the loaders check files against (tollgate/scenario/
// vocabulary.h), from the modules that own them: token mutations, webhook schemes and
// signature algorithms (crypto), signing mutations and the runner's own webhook variant
// (runner), each mock kind's config schema, actions and faults (mocks,
// RegisterMockKinds()). The command line calls it once at start-up; a program that loads
// environments without it finds no mock kind (tollgate/scenario/service_schema.h).

namespace tollgate {

/// Idempotent; thread-safe.
void RegisterVocabularies();

}  // namespace tollgate
