-- hold.lua: wrk script of the steady scenarios. Each request holds one seat
-- of the 1,000,000-seat pool (event 1 of bench/sql/ticket_seed.sql), never
-- the same seat twice in a run: request k of the run takes seat
-- BASE + (k * 104729) mod RANGE, a scattered walk over its own range.
--   wrk -s hold.lua URL -- MODE THREADS BASE RANGE TAG USERS [SERVICE_TOKEN]
-- MODE ticket: POST ticket-app /api/bookings with the service token, body
--   {booking_id, user_id, event_id, seat_ids}; booking ids carry TAG (hex).
-- MODE client: POST client-app /api/bookings as user (k mod USERS), whose
--   session token bench/sql/client_seed.sql made.
-- MODE healthz: GET of the URL (give .../healthz); statuses from wrk's count.
-- done() prints one line "WRK key=value ..." that bench/run reads.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local TOKEN_PREFIX = "beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0beb0"
local EVENT = "00000001-0000-4000-8000-000000000000"

function init(args)
   mode = args[1]
   nt = tonumber(args[2])
   base = tonumber(args[3])
   range = tonumber(args[4])
   tag = tonumber(args[5], 16)
   users = tonumber(args[6])
   service_token = args[7]
   n = 0
   s2xx, s409, s4xx, s5xx, sother = 0, 0, 0, 0, 0
   if mode == "healthz" then
      -- wrk's own static request (GET of the URL's path) and no response
      -- parsing: the lightest client wrk can be
      request = nil
      response = nil
   end
end

function request()
   local k = n * nt + tid
   n = n + 1
   local seat = string.format("00000001-0000-4000-8000-%012d", base + (k * 104729) % range)
   local headers = {["Content-Type"] = "application/json"}
   local body
   if mode == "ticket" then
      headers["Authorization"] = "Bearer " .. service_token
      body = string.format('{"booking_id":"%08x-0000-4000-8000-%012d",' ..
                           '"user_id":"0000beef-0000-4000-8000-%012d",' ..
                           '"event_id":"%s","seat_ids":["%s"]}', tag, k, k % users, EVENT, seat)
   else
      headers["Authorization"] = "Bearer " .. TOKEN_PREFIX .. string.format("%016d", k % users)
      body = string.format('{"event_id":"%s","seat_ids":["%s"]}', EVENT, seat)
   end
   return wrk.format("POST", "/api/bookings", headers, body)
end

function response(status, headers, body)
   if status >= 200 and status < 300 then
      s2xx = s2xx + 1
   elseif status == 409 then
      s409 = s409 + 1
   elseif status >= 400 and status < 500 then
      s4xx = s4xx + 1
   elseif status >= 500 then
      s5xx = s5xx + 1
   else
      sother = sother + 1
   end
end

function done(summary, latency, requests)
   local c = {s2xx = 0, s409 = 0, s4xx = 0, s5xx = 0, sother = 0}
   for _, t in ipairs(threads) do
      for name, _ in pairs(c) do
         c[name] = c[name] + (t:get(name) or 0)
      end
   end
   local secs = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format("WRK requests=%d duration_s=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f " ..
                          "max_ms=%.2f s2xx=%d s409=%d s4xx=%d s5xx=%d sother=%d " ..
                          "non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d\n",
                          summary.requests, secs, summary.requests / secs,
                          latency:percentile(50) / 1000, latency:percentile(99) / 1000,
                          latency.max / 1000, c.s2xx, c.s409, c.s4xx, c.s5xx, c.sother,
                          e.status, e.connect, e.read, e.write, e.timeout))
end
