//! The language server driven through its protocol, as an editor drives it: the real `coop lsp`
//! binary, JSON-RPC messages on its standard input and output.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

/// An editor's end of the connection.
struct Client {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for responses, in order.
    notifications: Vec<Value>,
}

impl Client {
    fn start(cache: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coop"))
            .arg("lsp")
            .env("XDG_CACHE_HOME", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("coop lsp starts");
        let input = child.stdin.take().expect("a piped standard input");
        let output = BufReader::new(child.stdout.take().expect("a piped standard output"));
        Client {
            child,
            input,
            output,
            next_id: 1,
            notifications: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("sent");
        self.input.flush().expect("flushed");
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.output.read_line(&mut line).expect("a header line");
            assert!(!line.is_empty(), "the server closed its output");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.output.read_exact(&mut body).expect("a body");
        serde_json::from_slice(&body).expect("JSON")
    }

    /// Sends a request and returns its result, keeping the notifications that came first.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message.get("id") == Some(&json!(id)) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// The next diagnostics published for a file.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let position = self.notifications.iter().position(|message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
            });
            if let Some(position) = position {
                let message = self.notifications.remove(position);
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            let message = self.receive();
            self.notifications.push(message);
        }
    }
}

fn uri(path: &Path) -> String {
    let path = std::fs::canonicalize(path).expect("the file exists");
    format!("file://{}", path.display())
}

/// The labels of completion items, or the names of symbols.
fn labels(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|item| item["label"].as_str().or(item["name"].as_str()))
        .collect()
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

#[test]
fn an_editor_checks_navigates_completes_and_formats() {
    let directory = common::scratch("lsp-model");
    let cache = common::scratch("lsp-cache");
    let agencies = directory.join("agencies.coop");
    let orders = directory.join("orders.coop");
    std::fs::write(
        &agencies,
        "use rules us-wa\n\nagency everett \"City of Everett\" {\n  kind city\n  jurisdiction US-WA\n}\n\n\
         solicitation itb_24_07 \"Dump trucks\" {\n  lead everett\n  method competitive_bid\n  item dump_truck \"Class 8 dump truck\" per truck\n}\n\n\
         contract pc_24_07 \"Class 8 dump trucks\" {\n  awards itb_24_07\n  supplier \"Puget Sound Truck Centers\"\n  term 2024-04-01 to 2027-03-31\n  price dump_truck USD 198,500.00 per truck\n}\n",
    )
    .expect("write");
    let mistaken = "order everett_trucks {\n  buyer everet\n  contract pc_24_07\n  date 2025-01-15\n  line dump_truck 2 truck at USD 198,500.00\n}\n";
    std::fs::write(&orders, mistaken).expect("write");
    let orders_uri = uri(&orders);
    let agencies_uri = uri(&agencies);

    let mut client = Client::start(&cache);
    let initialized = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {},
                "initializationOptions": { "asOf": "2026-01-01" } }),
    );
    let capabilities = &initialized["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "renameProvider",
        "documentSymbolProvider",
        "documentFormattingProvider",
        "codeActionProvider",
    ] {
        assert!(
            !capabilities[capability].is_null(),
            "no {capability}: {capabilities}"
        );
    }
    client.notify("initialized", json!({}));

    // Opening a file checks its directory's model: the misspelt buyer is reported as `coop
    // check` reports it, with its code and its help.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": orders_uri, "languageId": "coop", "version": 1, "text": mistaken } }),
    );
    let diagnostics = client.diagnostics_for(&orders_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "undefined-name");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(
        diagnostics[0]["range"],
        json!({ "start": { "line": 1, "character": 8 }, "end": { "line": 1, "character": 14 } })
    );
    let message = diagnostics[0]["message"].as_str().expect("a message");
    assert!(message.starts_with("no agency named `everet`"), "{message}");
    assert!(
        message.contains("help: did you mean `everett`?"),
        "{message}"
    );
    assert!(client.diagnostics_for(&agencies_uri).is_empty());

    // The "did you mean" is a quick fix.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": orders_uri },
                "range": { "start": { "line": 1, "character": 10 }, "end": { "line": 1, "character": 10 } },
                "context": { "diagnostics": [] } }),
    );
    assert_eq!(actions[0]["title"], "Change to `everett`", "{actions}");
    assert_eq!(
        actions[0]["edit"]["changes"][&orders_uri][0]["newText"],
        "everett"
    );

    // A change that fixes it clears the file's diagnostics.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": orders_uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 1, "character": 14 }, "end": { "line": 1, "character": 14 } }, "text": "t" }] }),
    );
    assert_eq!(client.diagnostics_for(&orders_uri), Vec::<Value>::new());

    // Hover: a declaration's title and fields, a field's meaning, a pack's rules.
    let hover = client.request("textDocument/hover", at(&orders_uri, 1, 10));
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(text.contains("agency `everett`"), "{text}");
    assert!(
        text.contains("agency everett \"City of Everett\" {"),
        "{text}"
    );
    assert!(text.contains("jurisdiction US-WA"), "{text}");
    let hover = client.request("textDocument/hover", at(&orders_uri, 1, 3));
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(text.contains("The agency that orders."), "{text}");
    let hover = client.request("textDocument/hover", at(&agencies_uri, 0, 12));
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(text.contains("rule pack"), "{text}");

    // Definition and references, across files and into a shipped pack.
    let definition = client.request("textDocument/definition", at(&orders_uri, 1, 10));
    assert_eq!(definition[0]["uri"], agencies_uri);
    assert_eq!(
        definition[0]["range"]["start"],
        json!({ "line": 2, "character": 7 })
    );
    let pack = client.request("textDocument/definition", at(&agencies_uri, 0, 12));
    let pack_uri = pack[0]["uri"].as_str().expect("a uri");
    assert!(pack_uri.ends_with("/coop/rules-0.1.0/us-wa.coop"), "{pack}");
    let references = client.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": orders_uri }, "position": { "line": 1, "character": 10 },
                "context": { "includeDeclaration": true } }),
    );
    assert_eq!(references.as_array().map(Vec::len), Some(3), "{references}");
    let item = client.request("textDocument/definition", at(&orders_uri, 4, 8));
    assert_eq!(
        item[0]["range"]["start"],
        json!({ "line": 10, "character": 7 })
    );

    // Completion: the names a field takes, the fields a block takes.
    let completions = client.request("textDocument/completion", at(&orders_uri, 1, 8));
    assert_eq!(labels(&completions), ["everett"], "{completions}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": orders_uri, "version": 3 },
                "contentChanges": [{ "range": { "start": { "line": 5, "character": 0 }, "end": { "line": 5, "character": 0 } }, "text": "  \n" }] }),
    );
    let _ = client.diagnostics_for(&orders_uri);
    let completions = client.request("textDocument/completion", at(&orders_uri, 5, 2));
    for field in ["via", "requests", "fact"] {
        assert!(labels(&completions).contains(&field), "{completions}");
    }

    // Rename everywhere it is written; symbols of a file.
    let rename = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": orders_uri }, "position": { "line": 1, "character": 10 }, "newName": "everett_city" }),
    );
    assert_eq!(
        rename["changes"][&agencies_uri].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        rename["changes"][&orders_uri].as_array().map(Vec::len),
        Some(1)
    );
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": agencies_uri } }),
    );
    assert_eq!(labels(&symbols), ["everett", "itb_24_07", "pc_24_07"]);
    assert_eq!(symbols[1]["children"][0]["name"], "dump_truck");

    // Formatting: the `coop fmt` layout as one edit.
    let formatted = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": orders_uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(
        formatted[0]["newText"],
        "order everett_trucks {\n  buyer everett\n  contract pc_24_07\n  date 2025-01-15\n  line dump_truck 2 truck at USD 198,500.00\n}\n"
    );

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().expect("the server ends");
    assert!(status.success(), "{status}");
}

/// An author at work on a model and its own rule pack: a block left open while typing, completion
/// inside a rule and in `use rules ... with`, hover on the pack, a parameter renamed across files.
#[test]
fn an_author_edits_a_model_and_its_pack() {
    let directory = common::scratch("lsp-pack");
    let cache = common::scratch("lsp-pack-cache");
    let pack = directory.join("pack.coop");
    let model = directory.join("model.coop");
    std::fs::write(
        &pack,
        "pack \"Local rules\"\n\nparameter piggyback_limit = USD 100,000.00\n\n\
         rule local_limit \"Piggyback orders up to the limit\" {\n  cite \"Local policy\"\n  \
         for order o where o.basis == piggyback\n  require o.value <= piggyback_limit\n  \
         else deny \"a piggyback order of {o.value} is over {piggyback_limit}\"\n}\n",
    )
    .expect("write");
    let written = "use rules \"pack.coop\" with piggyback_limit = USD 200,000.00\n\n\
                   agency olympia \"City of Olympia\" { kind city jurisdiction US-WA }\n";
    std::fs::write(&model, written).expect("write");
    let (pack_uri, model_uri) = (uri(&pack), uri(&model));

    let mut client = Client::start(&cache);
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {},
                "initializationOptions": { "asOf": "2026-01-01" } }),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": model_uri, "languageId": "coop", "version": 1, "text": written } }),
    );
    let _ = client.diagnostics_for(&model_uri);

    // Half-way through typing an order, its block is still open: the error is where it opens,
    // and closing it takes the error away.
    let typing = format!("{written}\norder olympia_mowers {{\n  buyer oly");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": model_uri, "version": 2 }, "contentChanges": [{ "text": typing }] }),
    );
    let diagnostics = client.diagnostics_for(&model_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "syntax-error");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({ "line": 4, "character": 21 })
    );
    let message = diagnostics[0]["message"].as_str().expect("a message");
    assert!(message.contains("is never closed"), "{message}");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": model_uri, "version": 3 }, "contentChanges": [{ "text": written }] }),
    );
    let diagnostics = client.diagnostics_for(&model_uri);
    assert!(
        diagnostics
            .iter()
            .all(|diagnostic| diagnostic["code"] != "syntax-error"),
        "{diagnostics:?}"
    );

    // Completion: the parameters of the model's own pack after `with`; in a rule, its variables
    // and the pack's parameters.
    let completions = client.request("textDocument/completion", at(&model_uri, 0, 27));
    assert_eq!(labels(&completions), ["piggyback_limit"], "{completions}");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": pack_uri, "languageId": "coop", "version": 1,
                                  "text": std::fs::read_to_string(&pack).expect("the pack") } }),
    );
    let completions = client.request("textDocument/completion", at(&pack_uri, 7, 21));
    for name in ["o", "piggyback_limit", "sum"] {
        assert!(labels(&completions).contains(&name), "{completions}");
    }

    // Hover on the pack's path: its title, parameters and rules.
    let hover = client.request("textDocument/hover", at(&model_uri, 0, 13));
    let text = hover["contents"]["value"].as_str().expect("markdown");
    for expected in ["rule pack", "Local rules", "piggyback_limit", "local_limit"] {
        assert!(text.contains(expected), "{text}");
    }

    // A parameter renamed where the model sets it: in both files.
    let rename = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": model_uri }, "position": { "line": 0, "character": 30 }, "newName": "cap" }),
    );
    assert_eq!(
        rename["changes"][&model_uri].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        rename["changes"][&pack_uri].as_array().map(Vec::len),
        Some(3)
    );

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().expect("the server ends").success());
}
