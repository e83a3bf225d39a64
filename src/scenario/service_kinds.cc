#include "service_kinds.h"

namespace tollgate::internal {
namespace {

FieldSpec Field(std::string name, FieldType type, bool required = false,
                std::vector<FieldSpec> fields = {}) {
  return FieldSpec{std::move(name), type, required, std::move(fields)};
}

}  // namespace

const std::vector<FieldSpec>& CommonServiceFields() {
  static const std::vector<FieldSpec> kFields = {
      Field("port", FieldType::kPort),         Field("bind", FieldType::kString),
      Field("public_url", FieldType::kString), Field("journal_limit", FieldType::kPositiveInt),
      Field("tls", FieldType::kBool),
  };
  return kFields;
}

const std::vector<ServiceKindSpec>& ServiceKinds() {
  static const std::vector<ServiceKindSpec> kKinds = {
      {"receiver",
       true,
       {
           Field("status", FieldType::kStatusCode),
           Field("body", FieldType::kString),
           Field("headers", FieldType::kStringMap),
       }},
      {"connectpay",
       true,
       {
           Field("realm", FieldType::kString),
           Field("clients", FieldType::kObjectMap, false,
                 {Field("secret", FieldType::kString, true)}),
           Field("basic_paths", FieldType::kStringList),
           Field("bearer_paths", FieldType::kStringList),
       }},
      {"issuer", false, {}},
      {"jwks", false, {}},
      {"mtls", false, {}},
      {"gateway", false, {}},
      {"signed-api", false, {}},
      {"sage-connector", false, {}},
  };
  return kKinds;
}

}  // namespace tollgate::internal
