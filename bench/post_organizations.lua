-- wrk script: POST /api/v1/organizations with a distinct name per request, counting the answers
-- by status. Environment: BENCH_TOKEN (bearer token), BENCH_RUN_ID (makes names unique per run).
--
--   BENCH_TOKEN=… wrk -t1 -c32 -d60s --timeout 30s -s bench/post_organizations.lua http://127.0.0.1:18083
--
-- Prints one line per status at the end: `status <code> <count>`.

local threads = {}

function setup(thread)
  thread:set("thread_no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  statuses = {}
  run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Школа нагрузочного теста %s-%d-%d","kind":"educational_organization",' ..
      '"region_code":"03","municipality_code":"81606000"}',
    run_id, thread_no, counter)
  return wrk.format(nil, "/api/v1/organizations", nil, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses") or {}
    for code, n in pairs(s) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("status %d %d\n", code, n))
  end
end
