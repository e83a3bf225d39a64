#pragma once
// One accepted connection: reads requests, routes them, writes responses (HTTP or HTTPS).

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>

#include "http/server_state.h"

namespace tollgate::http {

/// Starts a session on `socket` (already on its own strand) holding connection slot
/// `slot` (see ServerState::Admit). The session owns itself through its pending
/// operations and frees the slot when it ends. Never throws.
void StartSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerState> state,
                  std::uint64_t slot);

}  // namespace tollgate::http
