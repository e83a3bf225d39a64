#pragma once
// A service's `tls:` block: the listener's certificate from a PKI identity, its protocol
// range and ciphers, and the faults every TLS service knows (each weakens one rule of the
// server's TLS configuration).

#include <functional>
#include <set>
#include <string>

#include "tollgate/base/status.h"
#include "tollgate/http/server.h"
#include "tollgate/mocks/environment.h"
#include "tollgate/pki/pki.h"
#include "tollgate/scenario/model.h"
#include "tollgate/scenario/vocabulary.h"

namespace tollgate::mocks {

// TlsFaultTerms, TlsFaultNames and WantsTls are public: tollgate/mocks/environment.h.

/// The listener's TLS settings for `decl` with `faults` (the service's enabled faults)
/// applied; `identity` resolves a PKI identity variant. `ca_file` receives the root that
/// verifies the served certificate.
using IdentityResolver =
    std::function<StatusOr<pki::IdentityFiles>(const std::string&, const std::string&)>;
StatusOr<ServerTlsOptions> ListenerTls(const ServiceDecl& decl, const std::set<std::string>& faults,
                                       const IdentityResolver& identity, std::string* ca_file);

}  // namespace tollgate::mocks
