-- Neovim's own LSP client, headless, against `coop lsp`: opens the file named by COOP_FILE,
-- waits for the diagnostics the server publishes, and writes them as JSON to COOP_OUTPUT.
-- Written for Neovim 0.7 (Debian's), whose client starts with `vim.lsp.start_client`.
local file = os.getenv("COOP_FILE")
local output = os.getenv("COOP_OUTPUT")
local coop = os.getenv("COOP_BINARY")

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buffer = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "coop",
  cmd = { coop, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
  init_options = { asOf = "2026-01-01" },
})
vim.lsp.buf_attach_client(buffer, client)

local received = vim.wait(20000, function()
  return #vim.diagnostic.get(buffer) > 0
end, 50)

local found = {}
for _, diagnostic in ipairs(vim.diagnostic.get(buffer)) do
  table.insert(found, {
    line = diagnostic.lnum,
    column = diagnostic.col,
    severity = diagnostic.severity,
    message = diagnostic.message,
    code = diagnostic.code or (diagnostic.user_data and diagnostic.user_data.lsp and diagnostic.user_data.lsp.code),
    source = diagnostic.source,
  })
end
local handle = io.open(output, "w")
handle:write(vim.fn.json_encode({ received = received, diagnostics = found }))
handle:close()
vim.lsp.stop_client(client)
vim.cmd("qall!")
