#pragma once
// `replay:` steps: a request sent before, sent again, once or as concurrent copies that race
// in the target.

#include <chrono>
#include <vector>

#include "tollgate/base/status.h"
#include "tollgate/http/client.h"

namespace tollgate::runner {

/// Sends `copies` copies of `q` through `transport`. More than one are released together
/// (each on its own thread, all waiting until every thread is ready) so they race in the
/// target as a replayed attack would. The responses in copy order, or the first misuse error.
/// `released`, when given, receives when each copy was handed to the transport.
StatusOr<std::vector<ClientResponse>> SendTogether(
    Transport& transport, const ClientRequest& q, int copies,
    std::vector<std::chrono::steady_clock::time_point>* released = nullptr);

}  // namespace tollgate::runner
