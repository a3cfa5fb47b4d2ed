-- One stateless tools/call of a trivial tool, as a protocol 2025-11-25 client sends it: the method and tool name only
-- in the JSON-RPC body.
local token = os.getenv("TOKEN") or ""
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

dofile(os.getenv("LOAD_DIR") .. "/report.lua")
