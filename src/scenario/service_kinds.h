#pragma once
// The schema of every mock service kind an environment file may declare: the one table to
// extend when a kind is added or learns new keys. Internal to the scenario module.

#include <string>
#include <vector>

namespace tollgate::internal {

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

/// One key of a service's mapping.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::vector<FieldSpec> fields;     // kObject, kObjectMap, kObjectList: the keys of each
  std::vector<std::string> choices;  // allowed values (kString, kInt, kStringList) or kinds
                                     // (kServiceRef); empty: any
  std::string unique;                // kObjectList: a field whose values must all differ
};

/// One kind of mock service.
struct ServiceKindSpec {
  std::string kind;
  std::vector<FieldSpec> fields;  // kind-specific keys (the common ones are separate)
};

/// Keys every kind takes (besides `kind` and `faults`, which the loader handles itself).
const std::vector<FieldSpec>& CommonServiceFields();
/// Every known kind.
const std::vector<ServiceKindSpec>& ServiceKinds();

/// JWS algorithm names a file may use (RFC 7518, RFC 8037), never `none`; `HS256` only when
/// `with_hmac` (a suite's expectation may name it; a mock's keys and a gateway's allow-list,
/// which work with public keys from a JWKS, cannot).
std::vector<std::string> AlgNames(bool with_hmac);
/// Why `name` is refused where AlgNames(with_hmac) are allowed, when it is a real algorithm
/// (`none`, or `HS256` without `with_hmac`); "" otherwise.
std::string RefusedAlgHelp(const std::string& name, bool with_hmac);

}  // namespace tollgate::internal
