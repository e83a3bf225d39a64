#pragma once
// Kind `jwks`: a JWKS host alone, with the misbehaviours relying parties must survive:
// down, 500, slow, garbage, an empty set, the same kid with new material, rotation and
// removal, and a switchable max-age. It is also a KeyHolder, so the runner mints tokens
// with its keys.
//
// `down` answers 503 with `Connection: close`: the HTTP server core has no way for a
// handler to drop a connection without a response, and a refused connection would need
// the listener closed, which would also lose the port. A client sees "no JWKS", the same
// fail-closed case as a dropped connection.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "mocks/key_ring.h"
#include "tollgate/mocks/service.h"

namespace tollgate::mocks {

/// Thread-safe.
class JwksHost : public MockService, public KeyHolder {
 public:
  /// Its table: config keys, `mock:` actions and faults, each with a one-line summary.
  static const KindTerms& Vocabulary();
  /// The longest `slow` delay: a handler thread is held that long.
  static constexpr std::chrono::milliseconds kMaxSlow{30'000};

  /// Reads keys, max_age (and, for minting, issuer, token_ttl, typ).
  static StatusOr<std::unique_ptr<JwksHost>> Create(const ServiceDecl& decl, ServiceContext ctx);
  ~JwksHost() override;

  void AddRoutes(ServiceRouter& router) override;
  std::vector<TargetSetting> TargetSettings() const override;
  /// down, error_500, slow {ms}, malformed, empty, same_kid_new_key {kid?}, rotate_keys
  /// {kid?}, add_key {kid, alg?}, remove_key {kid}, max_age {seconds}, restore.
  Status Control(const std::string& action, const nlohmann::json& args) override;
  /// Serving normally again, with the configured keys and max-age; wakes slow handlers.
  void Restore() override;
  const KeyHolder* keys() const override { return this; }

  jose::Jwks PublishedKeys() const override { return keys_->Published(); }
  std::optional<jose::Jwk> SigningKey(const std::string& kid) const override {
    return keys_->Signing(kid);
  }
  std::string Issuer() const override;
  std::chrono::seconds TokenTtl() const override { return token_ttl_; }
  std::string TokenType() const override { return typ_; }

  /// GET /jwks and /.well-known/jwks.json.
  Handled HandleJwks(const ServerRequest& request);

 private:
  enum class Mode { kNormal, kDown, kError500, kMalformed, kEmpty };
  JwksHost(const ServiceDecl& decl, ServiceContext ctx);

  std::string issuer_;
  std::chrono::seconds token_ttl_{3600};
  std::string typ_;
  std::chrono::seconds configured_max_age_{300};
  std::unique_ptr<KeyRing> keys_;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // Restore() and the destructor end `slow` waits
  std::uint64_t generation_ = 0;  // bumped by Restore()
  Mode mode_ = Mode::kNormal;
  std::chrono::milliseconds slow_{0};
  std::chrono::seconds max_age_{300};
};

}  // namespace tollgate::mocks
