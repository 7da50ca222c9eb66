-- wrk driver for bench/timeline.py. Usage:
--   wrk -s bench/timeline.lua URL -- <op> <sessions file> [delay_ms]
-- op: floor (GET /healthz, anonymous), floorauth (GET /bench/floor, a trivial view asked for
--     with a reader's session: bench/timeline_wsgi.py), home (GET /?limit=10), homejson (the same as JSON),
--     user (GET /@name/posts?size=10), userjson (the same as JSON), post (POST /compose),
--     homeapi (GET /api/v1/timelines/home?limit=10 with a reader's Bearer token, read from
--     "<sessions file>.tokens", one a line);
--     viewer and viewanon (the insights lane): the user page as a browser asks for it (a
--     browser's User-Agent, so insights counts the view), signed in and anonymous.
-- Each line of the sessions file: "<sessionid> <csrf secret> <username>". Requests pick a random
-- logged-in user (and, for user-timeline reads, a random other user's page).
local op, sessions, usernames, tokens, delay_ms = "floor", {}, {}, {}, 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  op = args[1] or "floor"
  delay_ms = tonumber(args[3] or "0") or 0
  math.randomseed(os.time() * 1000 + (tid or 0))
  if args[2] then
    for line in io.lines(args[2]) do
      local sid, csrf, name = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
      if sid then
        sessions[#sessions + 1] = { sid = sid, csrf = csrf }
        usernames[#usernames + 1] = name
      end
    end
    if op == "homeapi" then
      for line in io.lines(args[2] .. ".tokens") do
        if line ~= "" then tokens[#tokens + 1] = line end
      end
    end
  end
end

function delay()
  if delay_ms <= 0 then return 0 end
  -- Jitter around the mean so the connections do not march in step.
  return math.floor(delay_ms * (0.5 + math.random()))
end

local n = 0
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
function request()
  if op == "floor" then
    return wrk.format("GET", "/healthz")
  elseif op == "homeapi" then
    local auth = { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
    return wrk.format("GET", "/api/v1/timelines/home?limit=10", auth)
  end
  if op == "viewanon" then
    return wrk.format("GET", "/@" .. usernames[math.random(#usernames)] .. "/posts?size=10",
      { ["User-Agent"] = BROWSER })
  end
  local s = sessions[math.random(#sessions)]
  local headers = { ["Cookie"] = "sessionid=" .. s.sid .. "; csrftoken=" .. s.csrf }
  if op == "viewer" then
    headers["User-Agent"] = BROWSER
    return wrk.format("GET", "/@" .. usernames[math.random(#usernames)] .. "/posts?size=10", headers)
  end
  if op == "floorauth" then
    return wrk.format("GET", "/bench/floor", headers)
  elseif op == "home" then
    return wrk.format("GET", "/?limit=10", headers)
  elseif op == "homejson" then
    return wrk.format("GET", "/?limit=10&format=json", headers)
  elseif op == "user" then
    return wrk.format("GET", "/@" .. usernames[math.random(#usernames)] .. "/posts?size=10", headers)
  elseif op == "userjson" then
    return wrk.format("GET", "/@" .. usernames[math.random(#usernames)] .. "/posts?format=json&size=10", headers)
  else
    n = n + 1
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["X-CSRFToken"] = s.csrf
    local body = "visibility=public&text=bench+post+" .. n .. "+from+wrk+%23bench"
    return wrk.format("POST", "/compose", headers, body)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_status": %d, ' ..
    '"errors_timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
