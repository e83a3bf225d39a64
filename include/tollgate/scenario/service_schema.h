#pragma once
// The config schema of the mock service kinds an environment file may declare. Each kind
// owns its keys: the mocks module keeps one table per kind (schema, actions and faults,
// its static Vocabulary()) and registers it at start-up (RegisterVocabularies() in
// tollgate/runner/vocabulary.h); the environment loader checks every service against the
// registered schema of its kind, so the service reads an already typed `config`. The keys
// every kind takes (CommonServiceFields: where and how it listens) belong to the
// environment and live here. Unlike a vocabulary of names, an unregistered kind is never
// accepted: with no kind registered every service is refused, with a message saying so.
// Registration happens before loading; lookups are thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "tollgate/scenario/vocabulary.h"

namespace tollgate {

/// The type of one configuration key; the loader checks it and stores it as JSON.
enum class FieldType {
  kString,       // string (env templates evaluated at load); one of `choices` when given
  kInt,          // any integer; one of `choices` when given
  kStatusCode,   // integer 100..599
  kPort,         // integer 0..65535
  kPositiveInt,  // integer > 0
  kBool,         // true / false
  kDuration,     // a duration string ("20m"), checked and stored as written
  kStringList,   // list of strings; each one of `choices` when given
  kStringMap,    // mapping string -> string
  kObject,       // mapping with `fields`
  kObjectMap,    // mapping name -> mapping with `fields`
  kObjectList,   // list of mappings with `fields`; `unique` names a field that must differ
  kServiceRef,   // the name of a service declared earlier whose kind is one of `choices`
};

/// How FieldType reads in documentation ("duration", "list of strings", ...).
std::string FieldTypeName(FieldType type);

/// One key of a service's mapping. Build with Key() and the modifiers below.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  /// One line: what the key means to the service, with its default when it has one.
  std::string summary;
  bool required = false;
  std::vector<FieldSpec> fields;     // kObject, kObjectMap, kObjectList: the keys of each
  std::vector<std::string> choices;  // allowed values (kString, kInt, kStringList) or kinds
                                     // (kServiceRef); empty: any
  std::string unique;                // kObjectList: a field whose values must all differ
  /// Values outside `choices` refused with a reason of their own (the help line), e.g.
  /// `none` for a key's algorithm.
  Terms refused;

  /// This key must be present.
  FieldSpec Required() && {
    required = true;
    return std::move(*this);
  }
  /// The keys of each mapping (kObject, kObjectMap, kObjectList).
  FieldSpec Of(std::vector<FieldSpec> keys) && {
    fields = std::move(keys);
    return std::move(*this);
  }
  /// The allowed values (or, for kServiceRef, kinds).
  FieldSpec OneOf(std::vector<std::string> values) && {
    choices = std::move(values);
    return std::move(*this);
  }
  /// kObjectList: the field whose values must all differ.
  FieldSpec Unique(std::string field) && {
    unique = std::move(field);
    return std::move(*this);
  }
  /// Values refused with their own reason.
  FieldSpec Refusing(Terms reasons) && {
    refused = std::move(reasons);
    return std::move(*this);
  }
};

/// A key named `name` of type `type`, meaning `summary`.
inline FieldSpec Key(std::string name, FieldType type, std::string summary) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  f.summary = std::move(summary);
  return f;
}

/// One kind of mock service: its name and its own keys.
struct ServiceKindSpec {
  std::string kind;
  std::vector<FieldSpec> fields;  // kind-specific keys (the common ones are separate)
};

/// The TLS versions a `min_version` or `max_version` key may name.
std::vector<std::string> TlsVersionNames();

/// Keys every kind takes (besides `kind` and `faults`, which the loader handles itself).
const std::vector<FieldSpec>& CommonServiceFields();

/// Sets (or replaces) the schema of `spec.kind`. Kinds keep their registration order.
void RegisterServiceKind(ServiceKindSpec spec);
/// The schema of `kind`, or null when nobody registered it.
std::shared_ptr<const ServiceKindSpec> FindServiceKind(const std::string& kind);
/// Every registered kind, in registration order (empty before registration).
std::vector<std::string> ServiceKindNames();
/// Forgets every registered kind (tests of an unregistered loader).
void ClearServiceKinds();

}  // namespace tollgate
