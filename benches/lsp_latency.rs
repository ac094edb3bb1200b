//! The language server's latency while typing: the time from sending a one-character
//! `didChange` on a 5,000-line TypeScript file to receiving the `publishDiagnostics` for that
//! version, measured through `backlint lsp`'s standard input and output as an editor sees it,
//! for edits in different places.
//!
//! `cargo bench --bench lsp_latency` (`LSP_EDITS=N` changes the number of edits per kind).

use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};

mod timing;

const LINES: usize = 5_000;
/// `const moneySchema = z.object({` in the sample (0-based line).
const MODULE_LEVEL_ASSIGNMENT_LINE: u32 = 42;
const URI: &str = "file:///bench/orders_service.ts";

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Message>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_backlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("backlint lsp starts");
        let stdin = child.stdin.take().expect("a piped stdin");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (sender, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut stdout) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("the server reads");
        self.stdin.flush().expect("the server reads");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Notification::new(method.to_owned(), params).into());
    }

    /// Waits for the diagnostics of `version`, and returns how many there are.
    fn diagnostics_of(&self, version: i32) -> usize {
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(30))
                .expect("diagnostics within 30 s");
            if let Message::Notification(notification) = message {
                if notification.method == "textDocument/publishDiagnostics"
                    && notification.params["version"] == json!(version)
                {
                    return notification.params["diagnostics"]
                        .as_array()
                        .map_or(0, Vec::len);
                }
            }
        }
    }
}

/// The benchmark file: the realistic TypeScript sample, repeated to 5,000 lines.
fn source() -> String {
    let sample = include_str!("data/orders_service.ts");
    let mut text = String::new();
    while text.lines().count() < LINES {
        text.push_str(sample);
    }
    text.lines().take(LINES).collect::<Vec<_>>().join("\n") + "\n"
}

fn main() {
    let edits = timing::count_from_env("LSP_EDITS", 200);
    let text = source();
    let mut server = Server::start();
    server.send(
        Request::new(
            RequestId::from(1),
            "initialize".to_owned(),
            json!({ "capabilities": {}, "processId": null, "rootUri": null }),
        )
        .into(),
    );
    server.notify("initialized", json!({}));
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": URI, "languageId": "typescript", "version": 1, "text": text,
        }}),
    );
    let findings = server.diagnostics_of(1);
    println!(
        "{LINES} lines, {} bytes, {findings} findings; {edits} edits of each kind",
        text.len()
    );
    println!();
    timing::print_header("edit");

    let middle = (LINES / 2) as u32;
    // Where a character is typed, and which: the server re-walks only the statements an edit
    // touched, unless the edit changes what other statements depend on (a module-level
    // assignment) or breaks the syntax; those kinds show the cost of a whole check.
    let kinds: [(&str, u32, u32, &str); 4] = [
        (
            "`x` typed and deleted in the middle (line 2,501)",
            middle,
            0,
            "x",
        ),
        (
            "`x` typed and deleted on the first line (a comment)",
            0,
            0,
            "x",
        ),
        (
            "`x` typed and deleted in a module-level assignment (`const moneySchema`)",
            MODULE_LEVEL_ASSIGNMENT_LINE,
            6,
            "x",
        ),
        (
            "`(` typed and deleted in the middle: a syntax error",
            middle,
            0,
            "(",
        ),
    ];
    let mut version = 1;
    for (name, line, character, typed) in kinds {
        let mut latencies = Vec::with_capacity(edits);
        for edit in 0..edits {
            version += 1;
            // Type the character, then delete it, in turn.
            let (end, text) = if edit % 2 == 0 {
                (character, typed)
            } else {
                (character + 1, "")
            };
            let started = Instant::now();
            server.notify(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{
                        "range": {
                            "start": { "line": line, "character": character },
                            "end": { "line": line, "character": end },
                        },
                        "text": text,
                    }],
                }),
            );
            server.diagnostics_of(version);
            latencies.push(started.elapsed());
        }
        timing::print_row(name, latencies);
    }

    server.send(Request::new(RequestId::from(2), "shutdown".to_owned(), Value::Null).into());
    server.notify("exit", Value::Null);
    let status = server.child.wait().expect("the server exits");
    assert!(status.success(), "the server ends cleanly: {status}");
}
