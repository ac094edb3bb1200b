"""`backlint lsp` driven by a real LSP client (pytest-lsp), with the capabilities that
Neovim and Emacs announce. Run by tests/lsp.rs, which sets BACKLINT to the binary."""

import asyncio
import json
import os
import pathlib
import random
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
)
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = ClientServerConfig(server_command=[os.environ["BACKLINT"], "lsp"])

HANDLER_TS = """\
export function handler(body: any) {
  return body;
}
"""

LOADER_PY = """\
def load(path: str) -> str | None:
    try:
        return open(path).read()
    except:
        return None
"""


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "handler.ts").write_text(HANDLER_TS)
    (tmp_path / "src" / "loader.py").write_text(LOADER_PY)
    return tmp_path


def initialize_params(workspace: pathlib.Path, client: str) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(client),
        workspace_folders=[
            types.WorkspaceFolder(uri=workspace.as_uri(), name=workspace.name)
        ],
    )


PUSHED_TO = "neovim@v0.9.1"


@pytest_lsp.fixture(config=SERVER)
async def neovim(lsp_client: LanguageClient, workspace: pathlib.Path):
    """Neovim 0.9 has diagnostics pushed to it."""
    await lsp_client.initialize_session(initialize_params(workspace, PUSHED_TO))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def pulling_neovim(lsp_client: LanguageClient, workspace: pathlib.Path):
    """Neovim 0.10 pulls diagnostics (`textDocument/diagnostic`)."""
    params = initialize_params(workspace, "neovim@v0.10.0")
    # pytest-lsp's copy of these capabilities loses the pull model; Neovim 0.10 announces it.
    params.capabilities.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def emacs(lsp_client: LanguageClient, workspace: pathlib.Path):
    """Emacs 29 offers UTF-8 positions, and watches files for the server."""
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(initialize_params(workspace, "emacs@v29.1"))
    yield
    await lsp_client.shutdown_session()


def language_of(path: pathlib.Path) -> str:
    return {".ts": "typescript", ".py": "python"}[path.suffix]


def open_document(client: LanguageClient, path: pathlib.Path, text=None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id=language_of(path),
                version=1,
                text=path.read_text() if text is None else text,
            )
        )
    )
    return uri


async def eventually(predicate, what: str, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def published(client: LanguageClient, uri: str):
    """The next diagnostics pushed for `uri` (the previous ones are forgotten first)."""
    await eventually(lambda: uri in client.diagnostics, f"diagnostics for {uri}")
    return client.diagnostics.pop(uri)


def found(diagnostics):
    """(code, start line, start character, end line, end character) of each diagnostic."""
    return sorted(
        (
            d.code,
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
        for d in diagnostics
    )


def change(client: LanguageClient, uri: str, version: int, start, end, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=start[0], character=start[1]),
                        end=types.Position(line=end[0], character=end[1]),
                    ),
                    text=text,
                )
            ],
        )
    )


def apply_edits(text: str, edits) -> str:
    """Applies LSP text edits (UTF-16 positions) to a text, last first."""
    lines = text.split("\n")

    def offset(position):
        before = "\n".join(lines[: position.line])
        prefix = len(before) + (1 if position.line > 0 else 0)
        line = lines[position.line] if position.line < len(lines) else ""
        return prefix + len(line.encode("utf-16-le")[: position.character * 2].decode("utf-16-le"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def file_changed(client: LanguageClient, path: pathlib.Path):
    """Tells the server what a client watching files would: `path` changed on disk."""
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Changed)]
        )
    )


def replace_all(client: LanguageClient, uri: str, version: int, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_findings_of_typescript_and_python_documents(
    neovim: LanguageClient, workspace: pathlib.Path
):
    ts = open_document(neovim, workspace / "src" / "handler.ts")
    py = open_document(neovim, workspace / "src" / "loader.py")
    ts_found = await published(neovim, ts)
    assert found(ts_found) == [("no-explicit-any", 0, 30, 0, 33)]
    (any_type,) = ts_found
    assert any_type.source == "backlint"
    assert any_type.severity == types.DiagnosticSeverity.Warning
    assert any_type.code_description.href.endswith("/rules/no-explicit-any.toml")
    assert found(await published(neovim, py)) == [("bare-except", 3, 4, 3, 10)]


N_PLUS_ONE_TS = """\
import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();

export async function names(ids: number[]) {
  for (const id of ids) {
    await prisma.user.findUnique({ where: { id } });
  }
}
"""


async def test_related_locations_point_into_the_document(
    neovim: LanguageClient, workspace: pathlib.Path
):
    path = workspace / "src" / "names.ts"
    path.write_text(N_PLUS_ONE_TS)
    uri = open_document(neovim, path)
    (query,) = await published(neovim, uri)
    assert (query.code, query.range.start.line, query.range.start.character) == (
        "n-plus-one-query",
        6,
        10,
    )
    (loop,) = query.related_information
    assert loop.location.uri == uri
    assert (loop.location.range.start.line, loop.location.range.start.character) == (5, 2)
    assert loop.message == "the loop"


async def test_findings_follow_incremental_edits(
    neovim: LanguageClient, workspace: pathlib.Path
):
    uri = open_document(neovim, workspace / "src" / "handler.ts")
    await published(neovim, uri)
    # A line above the finding moves it down.
    change(neovim, uri, 2, (0, 0), (0, 0), "// the handler\n")
    assert found(await published(neovim, uri)) == [("no-explicit-any", 1, 30, 1, 33)]
    # Fixing it clears it.
    change(neovim, uri, 3, (1, 30), (1, 33), "unknown")
    assert found(await published(neovim, uri)) == []
    # A burst of edits, one character at a time, each its own version: only the last counts.
    change(neovim, uri, 4, (1, 30), (1, 37), "")
    for index, character in enumerate("any"):
        change(neovim, uri, 5 + index, (1, 30 + index), (1, 30 + index), character)
    await eventually(
        lambda: found(neovim.diagnostics.get(uri, [])) == [("no-explicit-any", 1, 30, 1, 33)],
        "the finding of the last version",
    )


async def test_a_closed_document_loses_its_findings(
    neovim: LanguageClient, workspace: pathlib.Path
):
    uri = open_document(neovim, workspace / "src" / "loader.py")
    assert found(await published(neovim, uri)) != []
    neovim.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert found(await published(neovim, uri)) == []


async def code_actions(client: LanguageClient, uri: str, lines, only=None):
    """The actions for lines `lines[0]` to `lines[1]`, of the kinds in `only`."""
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=lines[0], character=0),
                end=types.Position(line=lines[1], character=0),
            ),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )


async def hover_at(client: LanguageClient, uri: str, line: int, character: int):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


def hover_range(hover):
    start, end = hover.range.start, hover.range.end
    return (start.line, start.character, end.line, end.character)


async def test_hovers_document_the_rules_of_findings_and_suppressions(
    neovim: LanguageClient, workspace: pathlib.Path
):
    text = (
        "export function handler(body: any) {\n"
        "  // backlint-ignore-next-line[no-explicit-any]: the client sends anything\n"
        "  const raw: any = body;\n"
        "  return raw;\n"
        "}\n"
    )
    uri = open_document(neovim, workspace / "src" / "hovered.ts", text)
    assert found(await published(neovim, uri)) == [("no-explicit-any", 0, 30, 0, 33)]
    on_finding = await hover_at(neovim, uri, 0, 31)
    assert on_finding.contents.kind == types.MarkupKind.Markdown
    assert on_finding.contents.value.startswith("**backlint `no-explicit-any`** (warning): ")
    assert "backlint explain no-explicit-any" in on_finding.contents.value
    assert hover_range(on_finding) == (0, 30, 0, 33)
    comment = text.splitlines()[1]
    start = comment.index("no-explicit-any")
    in_comment = await hover_at(neovim, uri, 1, start + 3)
    assert in_comment.contents.value == on_finding.contents.value
    assert hover_range(in_comment) == (1, start, 1, start + len("no-explicit-any"))
    # Nothing to say off the findings and outside the comment's list of rules.
    assert await hover_at(neovim, uri, 3, 3) is None
    assert await hover_at(neovim, uri, 1, comment.index("client")) is None
    assert await hover_at(neovim, uri, 1, comment.index("backlint-ignore") + 2) is None


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Catch `Exception`", None),
        (
            "Suppress `bare-except` on this line",
            "    # backlint-ignore-next-line[bare-except]\n    except:\n",
        ),
        (
            "Suppress `bare-except` in this file",
            "# backlint-ignore-file[bare-except]\ndef load(path: str) -> str | None:\n",
        ),
    ],
)
async def test_code_actions_apply_and_clear_the_finding(
    neovim: LanguageClient, workspace: pathlib.Path, title, expected
):
    uri = open_document(neovim, workspace / "src" / "loader.py")
    assert found(await published(neovim, uri)) == [("bare-except", 3, 4, 3, 10)]
    actions = await code_actions(neovim, uri, (3, 3))
    titles = [action.title for action in actions]
    assert titles == [
        "Catch `Exception`",
        "Suppress `bare-except` on this line",
        "Suppress `bare-except` in this file",
    ]
    (action,) = [action for action in actions if action.title == title]
    assert action.kind == types.CodeActionKind.QuickFix
    assert [d.code for d in action.diagnostics] == ["bare-except"]
    fixed = apply_edits(LOADER_PY, action.edit.changes[uri])
    if expected is None:
        assert "    except Exception:\n" in fixed
    else:
        assert expected in fixed
    replace_all(neovim, uri, 2, fixed)
    remaining = [finding[0] for finding in found(await published(neovim, uri))]
    # `except Exception: return None` is what `broad-except` (a note) is about.
    assert remaining == (["broad-except"] if expected is None else [])


async def test_fix_all_applies_safe_fixes_only(
    neovim: LanguageClient, workspace: pathlib.Path
):
    fix_all = [types.CodeActionKind.SourceFixAll]
    uri = open_document(neovim, workspace / "src" / "handler.ts")
    await published(neovim, uri)
    # The `any` fix changes types, so it is not safe, and "fix all" leaves it.
    assert list(await code_actions(neovim, uri, (0, 3), only=fix_all)) == []
    py = open_document(neovim, workspace / "src" / "loader.py")
    await published(neovim, py)
    actions = await code_actions(neovim, py, (0, 0), only=fix_all)
    assert [(a.title, a.kind) for a in actions] == [
        ("backlint: apply all safe fixes", "source.fixAll.backlint")
    ]
    assert "except Exception:" in apply_edits(LOADER_PY, actions[0].edit.changes[py])


async def test_configuration_changes_are_picked_up(
    neovim: LanguageClient, workspace: pathlib.Path
):
    uri = open_document(neovim, workspace / "src" / "handler.ts")
    assert found(await published(neovim, uri)) == [("no-explicit-any", 0, 30, 0, 33)]
    config = workspace / "backlint.toml"

    def config_changed():
        file_changed(neovim, config)

    config.write_text('[rules]\nno-explicit-any = "warning"\n')
    config_changed()
    (warning,) = await published(neovim, uri)
    assert warning.severity == types.DiagnosticSeverity.Warning

    # A broken configuration: a diagnostic on the file, a message, and the last good
    # configuration stays in force.
    config.write_text('[rules]\nno-explicit-any = "warning"\nno-such-rule = "off"\n')
    config_changed()
    problems = await published(neovim, config.as_uri())
    assert [(p.range.start.line, p.range.start.character) for p in problems] == [(2, 0)]
    assert "no-such-rule" in problems[0].message
    await eventually(lambda: neovim.messages, "a message about the configuration")
    assert neovim.messages[0].type == types.MessageType.Error
    (still_warning,) = await published(neovim, uri)
    assert still_warning.severity == types.DiagnosticSeverity.Warning

    config.write_text('[rules]\nno-explicit-any = "off"\n')
    config_changed()
    assert list(await published(neovim, config.as_uri())) == []
    assert found(await published(neovim, uri)) == []


ROUTE_TS = """\
export async function GET(request: Request, { params }: { params: { id: string } }) {
  return Response.json({ id: params.id });
}
"""


async def test_findings_follow_the_files_that_rules_read(
    neovim: LanguageClient, workspace: pathlib.Path
):
    """A route's findings depend on the Next.js version in `package.json`, which the editor
    does not show the server: when it changes on disk, open routes are checked again."""
    manifest = workspace / "package.json"
    manifest.write_text('{ "dependencies": { "next": "14.2.3" } }')
    route = workspace / "app" / "api" / "users" / "[id]" / "route.ts"
    route.parent.mkdir(parents=True)
    uri = open_document(neovim, route, ROUTE_TS)
    assert found(await published(neovim, uri)) == []

    def manifest_changed():
        file_changed(neovim, manifest)

    # Next.js 15 made `params` a promise.
    manifest.write_text('{ "dependencies": { "next": "^15.1.0" } }')
    manifest_changed()
    assert found(await published(neovim, uri)) == [("unawaited-route-params", 1, 29, 1, 38)]
    # An edit elsewhere in the file keeps the finding of the unchanged handler.
    change(neovim, uri, 2, (3, 0), (3, 0), "// the user\n")
    assert found(await published(neovim, uri)) == [("unawaited-route-params", 1, 29, 1, 38)]
    manifest.write_text('{ "dependencies": { "next": "14.2.3" } }')
    manifest_changed()
    assert found(await published(neovim, uri)) == []


async def test_overrides_and_excludes_apply_per_file(workspace: pathlib.Path):
    (workspace / "backlint.toml").write_text(
        'exclude = ["generated"]\n'
        "[[overrides]]\n"
        'files = ["scripts/**"]\n'
        'rules = { bare-except = "off" }\n'
    )
    for folder in ["generated", "scripts"]:
        (workspace / folder).mkdir()
        (workspace / folder / "loader.py").write_text(LOADER_PY)
    client = await SERVER.start()
    try:
        await client.initialize_session(initialize_params(workspace, PUSHED_TO))
        for folder in ["src", "generated", "scripts"]:
            uri = open_document(client, workspace / folder / "loader.py")
            expected = [("bare-except", 3, 4, 3, 10)] if folder == "src" else []
            assert found(await published(client, uri)) == expected, folder
        await client.shutdown_session()
    finally:
        await client.stop()


UNTYPED_PY = """\
def load(path):
    return open(path).read()
"""


async def test_a_project_inside_a_tests_folder_gets_its_rules(tmp_path: pathlib.Path):
    """Rules leave test files alone by their path in the project, not by the folders the
    project sits in: a workspace below `tests/` is checked as `backlint check` checks it."""
    workspace = tmp_path / "tests" / "service"
    (workspace / "src").mkdir(parents=True)
    (workspace / "backlint.toml").write_text("")
    client = await SERVER.start()
    try:
        await client.initialize_session(initialize_params(workspace, PUSHED_TO))
        uri = open_document(client, workspace / "src" / "loader.py", UNTYPED_PY)
        expected = cli_findings(workspace, "src/loader.py", UNTYPED_PY)
        assert [finding[0] for finding in expected] == ["missing-type-hints"]
        assert found(await published(client, uri)) == expected
        await client.shutdown_session()
    finally:
        await client.stop()


async def test_a_document_with_nul_bytes_is_left_alone_until_they_go(
    neovim: LanguageClient, workspace: pathlib.Path
):
    """As `backlint check` skips a file with NUL bytes as binary, the server does not parse
    one (tree-sitter's error recovery can work on such text at length)."""
    uri = open_document(neovim, workspace / "src" / "binary.ts", "let x: any = 1;\x00\n")
    assert found(await published(neovim, uri)) == []
    change(neovim, uri, 2, (0, 15), (0, 16), "")
    assert found(await published(neovim, uri)) == [("no-explicit-any", 0, 7, 0, 10)]


async def test_pull_diagnostics(pulling_neovim: LanguageClient, workspace: pathlib.Path):
    uri = open_document(pulling_neovim, workspace / "src" / "handler.ts")

    async def pull():
        report = await pulling_neovim.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert report.kind == "full"
        return found(report.items)

    assert await pull() == [("no-explicit-any", 0, 30, 0, 33)]
    change(pulling_neovim, uri, 2, (0, 0), (0, 0), "\n")
    assert await pull() == [("no-explicit-any", 1, 30, 1, 33)]
    # Nothing is pushed to a client that pulls.
    await asyncio.sleep(0.2)
    assert uri not in pulling_neovim.diagnostics


async def test_utf8_positions(emacs: LanguageClient, workspace: pathlib.Path):
    path = workspace / "src" / "accents.ts"
    path.write_text('const é = "ü"; export function f(x: any) { return x; }\n')
    uri = open_document(emacs, path)
    # In bytes, `é` and `ü` count two each: `any` starts at 38, not 36.
    assert found(await published(emacs, uri)) == [("no-explicit-any", 0, 38, 0, 41)]
    # Emacs watches the configuration files for the server, and the files rules read
    # around a document.
    (registration,) = emacs.registrations
    assert registration.method == "workspace/didChangeWatchedFiles"
    patterns = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert patterns == [
        "**/.backlint.toml",
        "**/backlint.toml",
        "**/pyproject.toml",
        "**/package.json",
        "**/{middleware,proxy}.{ts,js}",
        "**/settings.py",
        "**/settings/*.py",
    ]


def send_raw(client: LanguageClient, body: bytes):
    client._server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


async def raw_request(client: LanguageClient, request: dict):
    """Sends a request pygls would refuse to build, and waits for its answer."""
    answer = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[request["id"]] = answer
    send_raw(client, json.dumps({"jsonrpc": "2.0", **request}).encode())
    return await asyncio.wait_for(answer, 10)


async def test_bad_requests_get_errors_and_the_server_goes_on(
    neovim: LanguageClient, workspace: pathlib.Path
):
    with pytest.raises(JsonRpcMethodNotFound):
        await neovim.protocol.send_request_async("backlint/noSuchMethod", {})
    with pytest.raises(JsonRpcInvalidParams):
        await raw_request(
            neovim,
            {"id": "raw-1", "method": "textDocument/codeAction", "params": {"textDocument": 42}},
        )
    # A notification with bad parameters is logged and ignored.
    send_raw(neovim, b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 7}')
    # A body that is not JSON, and one that is not a message.
    send_raw(neovim, b"{not json")
    with pytest.raises(JsonRpcInvalidRequest):
        await raw_request(neovim, {"id": "raw-2", "result": 1, "error": 2})
    uri = open_document(neovim, workspace / "src" / "handler.ts")
    assert found(await published(neovim, uri)) == [("no-explicit-any", 0, 30, 0, 33)]
    await eventually(
        lambda: any("didOpen" in m.message for m in neovim.log_messages),
        "a log message about the bad notification",
    )


async def test_exit_codes_follow_the_protocol(workspace: pathlib.Path):
    client = await SERVER.start()
    try:
        await client.initialize_session(initialize_params(workspace, PUSHED_TO))
        await client.shutdown_session()
        assert client._server.returncode == 0
    finally:
        await client.stop()
    client = await SERVER.start()
    try:
        await client.initialize_session(initialize_params(workspace, PUSHED_TO))
        client.exit(None)
        await client._server.wait()
        assert client._server.returncode == 1
    finally:
        await client.stop()


def cli_findings(workspace: pathlib.Path, relative: str, text: str):
    """What `backlint check` finds in `text` saved at `relative`, as `found` shows it."""
    path = workspace / relative
    path.write_text(text)
    output = subprocess.run(
        [os.environ["BACKLINT"], "check", "--format", "json", "--no-cache", relative],
        cwd=workspace,
        capture_output=True,
        check=False,
    )
    document = json.loads(output.stdout)
    # The texts are ASCII: characters and UTF-16 units are the same.
    return sorted(
        (f["rule"], f["line"] - 1, f["column"] - 1, f["end_line"] - 1, f["end_column"] - 1)
        for f in document["findings"]
    )


async def test_the_server_survives_abuse_and_ends_up_right(
    neovim: LanguageClient, workspace: pathlib.Path
):
    uri = open_document(neovim, workspace / "src" / "handler.ts")
    await published(neovim, uri)
    text = HANDLER_TS
    generator = random.Random(12)
    fragments = [": any", "x", "\n", "try { f(); } catch (e) {}\n", "}", "{", " ", "eval(q);\n"]

    def position(offset: int):
        line = text.count("\n", 0, offset)
        return (line, offset - (text.rfind("\n", 0, offset) + 1))

    # A thousand edits as fast as the client can send them, each its own version.
    version = 1
    for _ in range(1000):
        version += 1
        start = generator.randrange(len(text) + 1)
        if generator.random() < 0.4 and start < len(text):
            end = min(len(text), start + generator.randrange(1, 6))
            new = ""
        else:
            end, new = start, generator.choice(fragments)
        change(neovim, uri, version, position(start), position(end), new)
        text = text[:start] + new + text[end:]
    # A version older than the last: the change is still the text the client has.
    change(neovim, uri, 5, position(0), position(0), "x")
    text = "x" + text
    # A character past the end of its line stands for the end of the line (LSP's rule).
    first_line_end = text.index("\n")
    change(neovim, uri, version + 1, (0, 10_000), (0, 10_000), ";")
    text = text[:first_line_end] + ";" + text[first_line_end:]
    # Edits of a document that is not open, and ranges that make no sense, elsewhere.
    other = (workspace / "src" / "never_opened.ts").as_uri()
    change(neovim, other, 3, (0, 0), (0, 0), "let x: any;")
    bad = open_document(neovim, workspace / "src" / "bad.py", "x = 1\n")
    change(neovim, bad, 2, (99, 99), (0, 0), "import os\n")
    change(neovim, bad, 3, (5, 0), (2, 7), "")
    # Garbage between the messages, requests with wrong parameters.
    send_raw(neovim, b"{not json")
    send_raw(neovim, b'{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": []}')
    with pytest.raises(JsonRpcInvalidParams):
        await raw_request(
            neovim,
            {"id": "abuse-1", "method": "textDocument/codeAction", "params": {"range": 1}},
        )
    actions = await code_actions(neovim, other, (0, 0))
    assert not actions
    # A 5 MB document: mostly comments, so that the debug build of the tests checks it in time.
    large_text = "# generated\n" * 420_000 + LOADER_PY
    assert len(large_text) > 5_000_000
    large = open_document(neovim, workspace / "src" / "large.py", large_text)
    await eventually(lambda: large in neovim.diagnostics, "the large document's findings", 120)
    assert found(neovim.diagnostics[large]) == cli_findings(workspace, "src/large.py", large_text)

    expected = cli_findings(workspace, "src/final.ts", text)
    await eventually(
        lambda: found(neovim.diagnostics.get(uri, [])) == expected,
        f"the findings of the final text ({expected})",
        60,
    )


async def test_diagnostics_actions_and_hovers_show_no_secret(
    neovim: LanguageClient, workspace: pathlib.Path
):
    secret = "ghp_Zq7TwVxK4mBn2PlRsYd8Fh3Jc6Ga9Ee1Uo5i"
    text = f'export const github = "{secret}";\nexport const copy = github;\n'
    uri = open_document(neovim, workspace / "src" / "secrets.ts", text)
    diagnostics = await published(neovim, uri)
    assert [d.code for d in diagnostics] == ["hardcoded-secret"]
    actions = await code_actions(neovim, uri, (0, 1))
    assert actions
    hover = await hover_at(neovim, uri, 0, text.index(secret) + 5)
    assert "hardcoded-secret" in hover.contents.value
    assert secret not in repr(diagnostics)
    assert secret not in repr(actions)
    assert secret not in repr(hover)
