-- The JSON-body path the benchmark loads: `hello` called with a JSON
-- object, as `bench/profile/instructions /bench/hello bench/profile/json-body.lua`.
wrk.method = "POST"
wrk.body = '{"who": "bench"}'
wrk.headers["Content-Type"] = "application/json"
