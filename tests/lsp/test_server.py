"""`envc lsp` capabilities, one test each, against the real binary."""

import subprocess

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import ENVC, change_doc, diagnostics_for, open_doc, position_of

GOOD = """{ lib, ... }: {
  name = "demo";
  base.image = "debian:bookworm";
  build.apt = [ "git" ];
  run.user.mode = "host";
}
"""


async def test_diagnostic_did_you_mean_range_is_the_misspelled_key(client: LanguageClient, tmp_path):
    # `é` before the key: the column must count UTF-16 units, not bytes.
    text = GOOD.replace('build.apt = [ "git" ];', 'build = { aptt = [ "é" ]; };')
    uri = await open_doc(client, tmp_path / "envc.nix", text)
    diags = await diagnostics_for(client, uri, lambda d: len(d) > 0)
    assert len(diags) == 1
    d = diags[0]
    assert "unknown field `aptt`" in d.message
    assert "did you mean `apt`" in d.message
    start = position_of(text, "aptt")
    assert d.range.start == start
    assert d.range.end == types.Position(line=start.line, character=start.character + 4)
    # The same message `envc check` prints.
    check = subprocess.run([ENVC, "check", "-f", str(tmp_path / "envc.nix")], capture_output=True, text=True)
    assert check.returncode == 2
    assert "unknown field `aptt`" in check.stderr
    assert d.message.splitlines()[0] in check.stderr


async def test_diagnostics_follow_edits_and_clear(client: LanguageClient, tmp_path):
    uri = await open_doc(client, tmp_path / "envc.nix", GOOD)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    # Unsaved edits are what is checked: a syntax error, then an evaluation error.
    change_doc(client, uri, GOOD.replace('"demo";', '"demo"'), 2)
    diags = await diagnostics_for(client, uri, lambda d: len(d) > 0)
    assert diags[0].range.start.line in (1, 2)
    change_doc(client, uri, GOOD.replace('"demo"', '"demo" + 1'), 3)
    diags = await diagnostics_for(client, uri, lambda d: len(d) > 0 and "+ 1" not in d[0].message and d != diags)
    assert diags[0].range.start.line == 1
    change_doc(client, uri, GOOD, 4)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)


async def test_a_hostile_file_ends_in_a_diagnostic(client: LanguageClient, tmp_path):
    text = "let f = n: if n == 0 then 0 else f (n - 1) + f (n - 1); in { name = toString (f 60); }\n"
    uri = await open_doc(client, tmp_path / "envc.nix", text)
    diags = await diagnostics_for(client, uri, lambda d: len(d) > 0, timeout=120)
    assert "step" in diags[0].message or "limit" in diags[0].message.lower(), diags[0].message


async def test_completion_of_fields_at_depth_and_enum_values(client: LanguageClient, tmp_path):
    text = GOOD.replace('build.apt = [ "git" ];', "build.")
    uri = await open_doc(client, tmp_path / "envc.nix", text)
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "build.", len("build.")),
        )
    )
    labels = {i.label: i for i in items.items} if hasattr(items, "items") else {i.label: i for i in items}
    for field in ["apt", "pip", "files", "steps"]:
        assert field in labels, labels.keys()
    assert labels["apt"].detail
    text2 = GOOD.replace('mode = "host"', 'mode = "')
    change_doc(client, uri, text2, 2)
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text2, 'mode = "', len('mode = "')),
        )
    )
    values = [i.label for i in (items.items if hasattr(items, "items") else items)]
    assert "host" in values, values


async def test_hover_shows_doc_type_and_value_with_its_file(client: LanguageClient, tmp_path):
    uri = await open_doc(client, tmp_path / "envc.nix", GOOD)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(GOOD, "apt =", 1),
        )
    )
    text = hover.contents.value
    assert "`build.apt`" in text
    assert "list of" in text
    assert '["git"]' in text
    assert "envc.nix:4" in text


async def test_definition_of_an_import_and_of_a_field(client: LanguageClient, tmp_path):
    (tmp_path / "gpu.nix").write_text('{ build.apt = [ "nvtop" ]; }\n')
    text = GOOD.replace("{ lib, ... }: {", "{ lib, ... }: {\n  imports = [ ./gpu.nix ];")
    uri = await open_doc(client, tmp_path / "envc.nix", text)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    loc = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "gpu.nix", 1),
        )
    )
    loc = loc[0] if isinstance(loc, list) else loc
    assert loc.uri == (tmp_path / "gpu.nix").as_uri()
    loc = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "name", 1),
        )
    )
    loc = loc[0] if isinstance(loc, list) else loc
    assert loc.uri == uri
    assert loc.range.start.line == text.splitlines().index('  name = "demo";')


async def test_json_diagnostics_and_formatting(client: LanguageClient, tmp_path):
    text = '{"name":"demo","base":{"image":"debian:bookworm"},"build":{"apt":["git"]}}'
    uri = await open_doc(client, tmp_path / "envc.json", text)
    await diagnostics_for(client, uri, lambda d: len(d) == 0)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert len(edits) == 1
    assert edits[0].new_text.startswith('{\n  "name": "demo",\n  "base": {')
    assert edits[0].new_text.endswith("}\n")


async def test_code_action_fixes_did_you_mean(client: LanguageClient, tmp_path):
    text = '{\n  "name": "demo",\n  "base": { "image": "debian:bookworm" },\n  "biuld": { "apt": [] }\n}\n'
    uri = await open_doc(client, tmp_path / "envc.json", text)
    diags = await diagnostics_for(client, uri, lambda d: len(d) > 0)
    assert diags[0].range.start == position_of(text, "biuld")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diags[0].range,
            context=types.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions, "no code action"
    edit = actions[0].edit.changes[uri][0]
    assert edit.new_text == "build"
    assert edit.range == diags[0].range
