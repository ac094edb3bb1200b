// Starts `backlint lsp` for TypeScript, JavaScript and Python files; everything else (the
// findings, the quick fixes, the configuration) comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

const LANGUAGES = ["typescript", "typescriptreact", "javascript", "javascriptreact", "python"];

let client;

function activate() {
  const command = vscode.workspace.getConfiguration("backlint").get("path", "backlint");
  client = new LanguageClient(
    "backlint",
    "backlint",
    { command, args: ["lsp"] },
    { documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })) },
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
