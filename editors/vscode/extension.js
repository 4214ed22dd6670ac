// Starts `coop lsp` for .coop files: diagnostics, hover, navigation, completion, rename,
// symbols, formatting and quick fixes all come from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("coop");
  const command = settings.get("path") || "coop";
  const asOf = settings.get("asOf");
  client = new LanguageClient(
    "coop",
    "Coop",
    { command, args: ["lsp"] },
    {
      documentSelector: [{ scheme: "file", language: "coop" }],
      initializationOptions: {
        model: settings.get("model") || "directory",
        ...(asOf ? { asOf } : {}),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
