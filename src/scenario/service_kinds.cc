#include "service_kinds.h"

namespace tollgate::internal {
namespace {

FieldSpec Field(std::string name, FieldType type, bool required = false,
                std::vector<FieldSpec> fields = {}) {
  return FieldSpec{std::move(name), type, required, std::move(fields), {}, ""};
}

FieldSpec OneOf(std::string name, FieldType type, std::vector<std::string> choices,
                bool required = false) {
  return FieldSpec{std::move(name), type, required, {}, std::move(choices), ""};
}

// `keys:` of an issuer or a JWKS host: the key pairs it generates at start, by kid.
FieldSpec SigningKeys() {
  FieldSpec f = Field("keys", FieldType::kObjectList, false,
                      {Field("kid", FieldType::kString, true),
                       OneOf("alg", FieldType::kString, AlgNames(/*with_hmac=*/false), true)});
  f.unique = "kid";
  return f;
}

}  // namespace

std::vector<std::string> AlgNames(bool with_hmac) {
  std::vector<std::string> names = {"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"};
  if (with_hmac) names.push_back("HS256");
  return names;
}

std::string RefusedAlgHelp(const std::string& name, bool with_hmac) {
  if (name == "none" || name == "None" || name == "NONE") {
    return "an unsigned token (`none`) is never acceptable";
  }
  if (name == "HS256" && !with_hmac) {
    return "`HS256` needs a shared secret; keys here are public keys served in a JWKS";
  }
  return "";
}

const std::vector<FieldSpec>& CommonServiceFields() {
  static const std::vector<FieldSpec> kFields = {
      Field("port", FieldType::kPort),
      Field("bind", FieldType::kString),
      Field("public_url", FieldType::kString),
      Field("journal_limit", FieldType::kPositiveInt),
      Field("tls", FieldType::kObject, false,
            {Field("identity", FieldType::kString), Field("variant", FieldType::kString),
             OneOf("min_version", FieldType::kString, {"1.0", "1.1", "1.2", "1.3"}),
             OneOf("max_version", FieldType::kString, {"1.0", "1.1", "1.2", "1.3"}),
             Field("ciphers", FieldType::kString)}),
      // What one client may make a listener hold (docs/limits.md); read by mocks.
      Field("limits", FieldType::kObject, false,
            {Field("max_header_bytes", FieldType::kPositiveInt),
             Field("max_header_fields", FieldType::kPositiveInt),
             Field("max_body_bytes", FieldType::kPositiveInt),
             Field("max_chunk_extension_bytes", FieldType::kPositiveInt),
             Field("max_buffered_body_bytes", FieldType::kPositiveInt),
             Field("max_connections", FieldType::kPositiveInt),
             Field("max_connections_per_address", FieldType::kPositiveInt),
             Field("reserved_connections", FieldType::kInt),
             Field("header_timeout", FieldType::kDuration),
             Field("io_timeout", FieldType::kDuration)}),
  };
  return kFields;
}

const std::vector<ServiceKindSpec>& ServiceKinds() {
  static const std::vector<ServiceKindSpec> kKinds = {
      {"receiver",
       {
           Field("status", FieldType::kStatusCode),
           Field("body", FieldType::kString),
           Field("headers", FieldType::kStringMap),
           Field("verify", FieldType::kObject, false,
                 {OneOf("scheme", FieldType::kString, {"standard-webhooks", "stripe", "github"},
                        true),
                  Field("secret", FieldType::kString, true),
                  Field("tolerance", FieldType::kDuration)}),
       }},
      {"connectpay",
       {
           Field("realm", FieldType::kString),
           Field(
               "clients", FieldType::kObjectMap, false,
               {Field("secret", FieldType::kString, true), Field("registered", FieldType::kString),
                Field("persons", FieldType::kStringMap)}),
           Field("basic_paths", FieldType::kStringList),
           Field("bearer_paths", FieldType::kStringList),
           // Two-host mode (connectpay.h).
           Field("server_identity", FieldType::kString),
           Field("client_identity", FieldType::kString),
           Field("data_apis", FieldType::kStringMap),
           Field("callback_paths", FieldType::kStringList),
           Field("token_path", FieldType::kString),
           Field("certificates_path", FieldType::kString),
           Field("max_bundle_bytes", FieldType::kPositiveInt),
           Field("token_ttl_seconds", FieldType::kPositiveInt),
       }},
      {"issuer",
       {
           SigningKeys(),
           Field("issuer", FieldType::kString),
           Field("audiences", FieldType::kStringList),
           Field(
               "clients", FieldType::kObjectMap, false,
               {Field("secret", FieldType::kString, true), Field("scopes", FieldType::kStringList),
                Field("roles", FieldType::kStringList), Field("audience", FieldType::kString),
                OneOf("grants", FieldType::kStringList, {"client_credentials", "refresh_token"})}),
           Field("token_ttl", FieldType::kDuration),
           Field("refresh_ttl", FieldType::kDuration),
           Field("typ", FieldType::kString),
           Field("jwks_max_age", FieldType::kDuration),
       }},
      {"jwks",
       {
           SigningKeys(),
           Field("max_age", FieldType::kDuration),
           // The `iss` of the tokens the runner mints with its keys (default: its URL), and
           // what a relying party trusting this key set by URL expects.
           Field("issuer", FieldType::kString),
       }},
      {"mtls",
       {
           Field("server_cert", FieldType::kString, true),
           Field("server_key", FieldType::kString, true),
           Field("client_ca", FieldType::kString, true),
           Field("crl", FieldType::kString),
           Field("registered", FieldType::kStringList),
           OneOf("eku", FieldType::kString, {"strict", "openssl-default"}),
           OneOf("min_version", FieldType::kString, {"1.0", "1.1", "1.2", "1.3"}),
           OneOf("max_version", FieldType::kString, {"1.0", "1.1", "1.2", "1.3"}),
       }},
      {"gateway",
       {
           Field("trust", FieldType::kObject, true,
                 {OneOf("issuer", FieldType::kServiceRef, {"issuer"}, true),
                  Field("audience", FieldType::kString, true)}),
           Field("path", FieldType::kString),
           Field("message_types", FieldType::kObjectMap, false,
                 {Field("required", FieldType::kStringList, true)}),
           OneOf("unassigned_status", FieldType::kInt, {"401", "403"}),
           // A gateway verifies against its issuer's JWKS: public keys only, so no HS256.
           OneOf("algorithms", FieldType::kStringList, AlgNames(/*with_hmac=*/false)),
           Field("leeway", FieldType::kDuration),
           Field("typ", FieldType::kString),
           Field("scoped_paths", FieldType::kStringMap),
           Field("refetch_cooldown", FieldType::kDuration),
           Field("realm", FieldType::kString),
       }},
      {"signed-api",
       {
           Field(
               "signing", FieldType::kObject, false,
               {Field("components", FieldType::kStringList), Field("separator", FieldType::kString),
                OneOf("layout", FieldType::kString, {"plain", "rfc9421"}),
                OneOf("mac", FieldType::kString, {"hmac-sha256", "hmac-sha512"}),
                OneOf("body_digest", FieldType::kString, {"sha256", "sha512"}),
                OneOf("encoding", FieldType::kString, {"hex", "base64"}),
                Field(
                    "headers", FieldType::kObject, false,
                    {Field("signature", FieldType::kString), Field("timestamp", FieldType::kString),
                     Field("nonce", FieldType::kString), Field("key_id", FieldType::kString),
                     Field("algorithm", FieldType::kString)}),
                Field("window", FieldType::kDuration)}),
           Field("clients", FieldType::kObjectMap, true,
                 {Field("secret", FieldType::kString, true)}),
           Field("allow_list", FieldType::kStringList),
           Field("prefix", FieldType::kString),
           Field("token_ttl", FieldType::kDuration),
           Field("refresh_ttl", FieldType::kDuration),
           Field("nonce_capacity", FieldType::kPositiveInt),
       }},
      {"sage-connector",
       {
           Field("trust", FieldType::kObject, true,
                 {OneOf("issuer", FieldType::kServiceRef, {"issuer", "jwks"}, true),
                  Field("audience", FieldType::kString, true)}),
           Field(
               "notification_header", FieldType::kObject, true,
               {Field("name", FieldType::kString, true), Field("value", FieldType::kString, true)}),
           Field("authorisation_ttl", FieldType::kDuration),
           Field("notification_scope", FieldType::kString),
           Field("accounts_scope", FieldType::kString),
           Field("notification_path", FieldType::kString),
           Field("auth_path", FieldType::kString),
           Field("authrefresh_path", FieldType::kString),
           Field("accounts_path", FieldType::kString),
           Field("leeway", FieldType::kDuration),
           Field("refetch_cooldown", FieldType::kDuration),
       }},
  };
  return kKinds;
}

}  // namespace tollgate::internal
