#pragma once
// The schema of every mock service kind an environment file may declare: the one table to
// extend when a kind learns new keys or becomes supported. Internal to the scenario module.

#include <string>
#include <vector>

namespace tollgate::internal {

/// The type of one configuration key; the loader checks it and stores it as JSON.
enum class FieldType {
  kString,       // string (env templates evaluated at load)
  kInt,          // any integer
  kStatusCode,   // integer 100..599
  kPort,         // integer 0..65535
  kPositiveInt,  // integer > 0
  kBool,         // true / false
  kStringList,   // list of strings
  kStringMap,    // mapping string -> string
  kObjectMap,    // mapping name -> mapping with `fields`
};

/// One key of a service's mapping.
struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  std::vector<FieldSpec> fields;  // kObjectMap: the keys of each entry
};

/// One kind of mock service.
struct ServiceKindSpec {
  std::string kind;
  bool supported = false;         // false: recognised, "not supported yet"
  std::vector<FieldSpec> fields;  // kind-specific keys (the common ones are separate)
};

/// Keys every kind takes (besides `kind` and `faults`, which the loader handles itself).
const std::vector<FieldSpec>& CommonServiceFields();
/// Every known kind, supported or not.
const std::vector<ServiceKindSpec>& ServiceKinds();

}  // namespace tollgate::internal
