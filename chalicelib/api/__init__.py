"""The API function: a request in, an answer out (bodies, bot traps, intake, HTTP answers, OpenAPI)."""
