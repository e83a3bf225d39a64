#include <algorithm>
#include <exception>

#include "tollgate/http/server.h"

namespace tollgate {
namespace {

// HEAD is answered by GET handlers unless a HEAD route exists; the session drops the body.
bool MethodMatches(const std::string& route_method, const std::string& method) {
  return route_method == "*" || route_method == method ||
         (method == "HEAD" && route_method == "GET");
}

// Higher is more specific: exact paths beat prefixes, longer prefixes beat shorter ones,
// and a named method beats "*" on the same path.
std::size_t Specificity(bool prefix, const std::string& path, const std::string& route_method,
                        const std::string& method) {
  std::size_t score = prefix ? path.size() * 4 : (std::size_t{1} << 40);
  if (route_method == method)
    score += 2;
  else if (route_method != "*")
    score += 1;  // GET serving HEAD
  return score;
}

ServerResponse NotFound(const ServerRequest&) {
  return ServerResponse::Json(404, R"({"error":"not_found"})");
}

// Never echoes the exception text: it may hold secrets or internals a partner must not see.
ServerResponse InternalError() {
  return ServerResponse::Json(500, R"({"error":"internal_error"})");
}

ServerResponse CallGuarded(const Handler& handler, const ServerRequest& request) {
  try {
    return handler(request);
  } catch (...) {
    return InternalError();
  }
}

}  // namespace

void Router::Add(std::string method, std::string path, Handler handler) {
  routes_.push_back({std::move(method), std::move(path), false, std::move(handler)});
}

void Router::AddPrefix(std::string method, std::string prefix, Handler handler) {
  routes_.push_back({std::move(method), std::move(prefix), true, std::move(handler)});
}

void Router::SetFallback(Handler handler) { fallback_ = std::move(handler); }

ServerResponse Router::Route(const ServerRequest& request) const {
  const Route_* best = nullptr;
  std::size_t best_score = 0;
  std::vector<std::string> allowed;  // methods of routes whose path matches, in order
  for (const Route_& r : routes_) {
    bool path_matches = r.prefix ? request.path.starts_with(r.path) : request.path == r.path;
    if (!path_matches) continue;
    if (!MethodMatches(r.method, request.method)) {
      if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) {
        allowed.push_back(r.method);
      }
      continue;
    }
    std::size_t score = Specificity(r.prefix, r.path, r.method, request.method);
    if (best == nullptr || score > best_score) {
      best = &r;
      best_score = score;
    }
  }
  if (best != nullptr) return CallGuarded(best->handler, request);
  if (!allowed.empty()) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    ServerResponse r = ServerResponse::Json(405, R"({"error":"method_not_allowed"})");
    r.headers.Add("Allow", allow);
    return r;
  }
  return CallGuarded(fallback_ ? fallback_ : Handler(NotFound), request);
}

}  // namespace tollgate
