-- Headless Neovim as a real LSP client of `envc lsp`: open $ENVC_NVIM_FILE, attach the
-- server with Neovim's own client, and write what it saw (diagnostics, completion at
-- $ENVC_NVIM_COMPLETE "line:col", hover at $ENVC_NVIM_HOVER "line:col", 0-based) as JSON to
-- $ENVC_NVIM_OUT. Works on Neovim 0.7 (Debian bookworm: `vim.lsp.start_client`) and on
-- newer versions (`vim.lsp.start`).
local out_path = os.getenv("ENVC_NVIM_OUT")
local function finish(result)
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qall!")
end

local ok, err = pcall(function()
  local file = os.getenv("ENVC_NVIM_FILE")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local config = {
    name = "envc",
    cmd = { os.getenv("ENVC_BIN"), "lsp", "--stdio" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  assert(client_id, "the client did not start")

  local got = vim.wait(60000, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 100)
  assert(got, "no diagnostics within 60 s")
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, message = d.message })
  end

  local function at(spec)
    local line, col = spec:match("(%d+):(%d+)")
    return {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = tonumber(line), character = tonumber(col) },
    }
  end

  local completion = {}
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", at(os.getenv("ENVC_NVIM_COMPLETE")), 30000)
  for _, response in pairs(responses or {}) do
    local items = response.result and (response.result.items or response.result) or {}
    for _, item in ipairs(items) do
      table.insert(completion, { label = item.label, detail = item.detail })
    end
  end

  local hover = ""
  responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", at(os.getenv("ENVC_NVIM_HOVER")), 30000)
  for _, response in pairs(responses or {}) do
    if response.result and response.result.contents then
      hover = response.result.contents.value or ""
    end
  end

  finish({ diagnostics = diagnostics, completion = completion, hover = hover })
end)
if not ok then
  finish({ error = tostring(err) })
end
