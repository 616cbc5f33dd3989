-- wrk script: POST one JSON body on every request and count non-2xx answers.
--   BODY_FILE     the JSON body to send (required)
--   BEARER        an API key; adds "Authorization: Bearer <key>" when set
-- wrk -t2 -c32 -d10s --latency -s bench/serving/post.lua http://127.0.0.1:5101/predict
-- Adds one line "non-2xx: N" to wrk's report (run.sh refuses a run with any).

local body_file = os.getenv("BODY_FILE") or error("set BODY_FILE to the JSON body to send")
local f = assert(io.open(body_file, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local bearer = os.getenv("BEARER")
if bearer ~= nil and bearer ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. bearer
end

-- Each wrk thread has its own Lua state; keep one counter per thread and add them up in done().
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("bad") or 0)
  end
  io.write(string.format("non-2xx: %d\n", total))
end
