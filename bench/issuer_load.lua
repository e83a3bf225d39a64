-- wrk script for bench/issuer.sh: POST a client_credentials grant to /token over keep-alive
-- connections and count only the answers that are 200 with an access_token in the body.
-- The URL given to wrk is the token endpoint itself.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
-- bench-client:bench-secret
wrk.headers["Authorization"] = "Basic YmVuY2gtY2xpZW50OmJlbmNoLXNlY3JldA=="

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  bad = 0
end

function response(status, headers, body)
  if status == 200 and body and string.find(body, '"access_token"%s*:%s*"[^"]+"') then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, wrong = 0, 0
  for _, t in ipairs(threads) do
    good = good + t:get("ok")
    wrong = wrong + t:get("bad")
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"ok":%d,"bad":%d,"requests":%d,"seconds":%.3f,"tokens_per_s":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"socket_errors":%d}\n',
    good, wrong, summary.requests, secs, good / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
