#include "tollgate/http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <thread>

#include "http/listener.h"
#include "http/server_state.h"
#include "http/tls_context.h"

namespace tollgate {
namespace {

namespace net = boost::asio;

// How long Stop() lets open connections finish before it pulls the plug.
constexpr std::chrono::milliseconds kStopGrace{2000};

// An exception escaping a handler would end run() and the thread with it; the server
// keeps all its threads instead (the connection concerned is dropped).
void RunLoop(net::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (...) {
    }
  }
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Router router;

  // Set while running; Start() builds them, Stop() tears them down.
  std::unique_ptr<net::io_context> ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<http::ServerState> state;
  std::shared_ptr<http::Listener> listener;
  std::vector<std::thread> threads;
  unsigned short port = 0;
  bool running = false;
};

Server::Server(ServerOptions options, Router router) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->router = std::move(router);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& m = *impl_;
  if (m.running)
    return FailedPreconditionError("server already started on port " + std::to_string(m.port));
  std::shared_ptr<net::ssl::context> ssl;
  if (m.options.tls) {
    auto ctx = http::MakeServerSslContext(m.options.tls_options);
    if (!ctx.ok()) return ctx.status();
    try {
      // Takes ownership of the SSL_CTX.
      ssl = std::make_shared<net::ssl::context>(ctx->release());
    } catch (const std::exception& e) {
      return InternalError(std::string("TLS context: ") + e.what());
    }
  }
  const int threads = std::max(1, m.options.threads);
  auto ioc = std::make_unique<net::io_context>(threads);
  auto state = std::make_shared<http::ServerState>(m.options, m.router, std::move(ssl));
  auto listener = std::make_shared<http::Listener>(*ioc, state);
  RETURN_IF_ERROR(listener->Open(m.options.bind_address, m.options.port));

  m.ioc = std::move(ioc);
  m.state = std::move(state);
  m.listener = std::move(listener);
  m.port = m.listener->port();
  m.work.emplace(m.ioc->get_executor());
  m.listener->Run();
  for (int i = 0; i < threads; ++i) m.threads.emplace_back([ioc = m.ioc.get()] { RunLoop(*ioc); });
  m.running = true;
  return Status::Ok();
}

void Server::Stop() {
  Impl& m = *impl_;
  if (!m.running) return;
  m.listener->Close();
  for (auto& session : m.state->BeginStop()) session->RequestClose();
  m.state->WaitUntilIdle(kStopGrace);
  m.work.reset();
  m.ioc->stop();
  for (std::thread& t : m.threads) t.join();
  m.threads.clear();
  // Handlers still queued own the last sessions; destroying the context destroys them
  // (their sockets with them) before the listener and state go.
  m.listener.reset();
  m.ioc.reset();
  m.state.reset();
  m.running = false;
}

unsigned short Server::port() const { return impl_->port; }

std::string Server::url() const {
  const std::string& host = impl_->options.bind_address;
  bool v6 = host.find(':') != std::string::npos;
  return std::string(impl_->options.tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) +
         ":" + std::to_string(impl_->port);
}

}  // namespace tollgate
