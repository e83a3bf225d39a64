// The registry of mock kinds' config schemas (tollgate/scenario/service_schema.h) and the
// keys every kind takes, which belong to the environment that starts the services: one
// place for both the loader (which checks them) and docs/mock-kinds.md.

#include <map>
#include <mutex>

#include "tollgate/scenario/service_schema.h"

namespace tollgate {
namespace {

struct KindRegistry {
  std::mutex mu;
  std::vector<std::string> order;
  std::map<std::string, std::shared_ptr<const ServiceKindSpec>> kinds;
};

KindRegistry& Kinds() {
  static KindRegistry* registry = new KindRegistry;
  return *registry;
}

}  // namespace

std::vector<std::string> TlsVersionNames() { return {"1.0", "1.1", "1.2", "1.3"}; }

std::string FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "string";
    case FieldType::kInt:
      return "integer";
    case FieldType::kStatusCode:
      return "integer 100-599";
    case FieldType::kPort:
      return "integer 0-65535";
    case FieldType::kPositiveInt:
      return "integer >= 1";
    case FieldType::kBool:
      return "boolean";
    case FieldType::kDuration:
      return "duration";
    case FieldType::kStringList:
      return "list of strings";
    case FieldType::kStringMap:
      return "mapping name -> string";
    case FieldType::kObject:
      return "mapping";
    case FieldType::kObjectMap:
      return "mapping name -> mapping";
    case FieldType::kObjectList:
      return "list of mappings";
    case FieldType::kServiceRef:
      return "service name";
  }
  return "";
}

const std::vector<FieldSpec>& CommonServiceFields() {
  using T = FieldType;
  static const std::vector<FieldSpec> kFields = {
      Key("port", T::kPort, "port to listen on; 0 (the default) is an ephemeral port"),
      Key("bind", T::kString, "address to listen on (default 127.0.0.1)"),
      Key("public_url", T::kString, "the URL a remote target must use to reach the service"),
      Key("journal_limit", T::kPositiveInt, "how many requests the journal keeps (default 1000)"),
      Key("tls", T::kObject, "serve HTTPS only, with an identity of the project's PKI")
          .Of({Key("identity", T::kString, "PKI identity to serve (default `server`)"),
               Key("variant", T::kString, "its variant (default: the valid one)"),
               Key("min_version", T::kString, "lowest TLS version (default 1.2)")
                   .OneOf(TlsVersionNames()),
               Key("max_version", T::kString, "highest TLS version").OneOf(TlsVersionNames()),
               Key("ciphers", T::kString, "cipher list, OpenSSL syntax")}),
      // What one client may make a listener hold (docs/limits.md); read by mocks.
      Key("limits", T::kObject,
          "what one client may make the listeners hold ([limits.md](limits.md))")
          .Of({Key("max_header_bytes", T::kPositiveInt, "request line and header fields"),
               Key("max_header_fields", T::kPositiveInt, "header fields, trailers included"),
               Key("max_body_bytes", T::kPositiveInt, "the body, after de-chunking"),
               Key("max_chunk_extension_bytes", T::kPositiveInt,
                   "the extensions of one chunk line"),
               Key("max_buffered_body_bytes", T::kPositiveInt,
                   "request bodies all connections hold at once"),
               Key("max_connections", T::kPositiveInt, "open connections of the listener"),
               Key("max_connections_per_address", T::kPositiveInt,
                   "open connections from one IP address"),
               Key("reserved_connections", T::kInt,
                   "slots kept for newcomers; 0 turns eviction off"),
               Key("header_timeout", T::kDuration, "deadline for the complete request header"),
               Key("io_timeout", T::kDuration, "deadline for any one read, write or handshake")}),
  };
  return kFields;
}

void RegisterServiceKind(ServiceKindSpec spec) {
  KindRegistry& r = Kinds();
  std::lock_guard<std::mutex> lock(r.mu);
  std::string kind = spec.kind;
  if (r.kinds.count(kind) == 0) r.order.push_back(kind);
  r.kinds[kind] = std::make_shared<const ServiceKindSpec>(std::move(spec));
}

std::shared_ptr<const ServiceKindSpec> FindServiceKind(const std::string& kind) {
  KindRegistry& r = Kinds();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.kinds.find(kind);
  return it == r.kinds.end() ? nullptr : it->second;
}

std::vector<std::string> ServiceKindNames() {
  KindRegistry& r = Kinds();
  std::lock_guard<std::mutex> lock(r.mu);
  return r.order;
}

void ClearServiceKinds() {
  KindRegistry& r = Kinds();
  std::lock_guard<std::mutex> lock(r.mu);
  r.order.clear();
  r.kinds.clear();
}

}  // namespace tollgate
