//! `envc lsp` driven by real clients: pytest-lsp (one test per capability, in
//! tests/lsp/test_server.py) and a headless Neovim attaching the server with its own client.

mod clients;
mod nixd_options;
mod schema;
