"""Drive the real `envc lsp` binary with pytest-lsp's client (lsprotocol types over stdio).

The binary is `$ENVC_BIN` (the Rust integration test passes `CARGO_BIN_EXE_envc`), else the
debug build. Each test gets its own project folder with an `envc.nix` or `envc.json`.
"""

import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENVC = os.environ.get("ENVC_BIN", str(ROOT / "target" / "debug" / "envc"))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[ENVC, "lsp", "--stdio"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities())
    )
    yield
    await lsp_client.shutdown_session()


async def open_doc(client: LanguageClient, path: pathlib.Path, text: str, version: int = 1):
    path.write_text(text)
    uri = path.as_uri()
    lang = "json" if path.suffix == ".json" else "nix"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=lang, version=version, text=text)
        )
    )
    return uri


def change_doc(client: LanguageClient, uri: str, text: str, version: int):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def diagnostics_for(client: LanguageClient, uri: str, want, timeout: float = 30.0):
    """Wait until the diagnostics published for `uri` satisfy `want` (a predicate)."""

    async def wait():
        while True:
            got = client.diagnostics.get(uri)
            if got is not None and want(got):
                return got
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        return await asyncio.wait_for(wait(), timeout)
    except TimeoutError:
        raise AssertionError(f"diagnostics for {uri} never matched; last: {client.diagnostics.get(uri)!r}")


def position_of(text: str, needle: str, delta: int = 0) -> types.Position:
    """The LSP position (UTF-16 columns) of `needle` in `text`, moved by `delta` characters."""
    offset = text.index(needle) + delta
    before = text[:offset]
    line = before.count("\n")
    col = before[before.rfind("\n") + 1 :]
    return types.Position(line=line, character=len(col.encode("utf-16-le")) // 2)
