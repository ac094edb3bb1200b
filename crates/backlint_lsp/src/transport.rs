//! Messages over stdin and stdout, framed with `Content-Length` headers.
//!
//! lsp-server's own stdio transport stops reading at the first body that is not a JSON-RPC
//! message, which would end the server on one bad message. This reader answers such a body
//! with the JSON-RPC error it deserves (`-32700` for text that is not JSON, `-32600` for JSON
//! that is not a message) and goes on reading; it stops only at the end of the input.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message};
use serde_json::{json, Value};

/// What the reader hands to the server.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A body that is not a message: answer it with this error.
    Malformed {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

/// What the writer sends to the client.
#[derive(Debug)]
pub enum Outgoing {
    Message(Message),
    /// An error response without a usable request id (JSON-RPC's `"id": null`).
    Error {
        id: Value,
        code: ErrorCode,
        message: String,
    },
}

/// Starts a reader thread on `input` and a writer thread on `output`. The writer ends when
/// every sender is dropped and all it was given is written.
pub fn start(
    input: impl BufRead + Send + 'static,
    output: impl Write + Send + 'static,
) -> io::Result<(Receiver<Incoming>, Sender<Outgoing>, thread::JoinHandle<()>)> {
    let (incoming_sender, incoming) = crossbeam_channel::unbounded();
    let (outgoing, outgoing_receiver) = crossbeam_channel::unbounded::<Outgoing>();
    // The reader is not joined: it may be blocked reading an input the client never closes.
    thread::Builder::new()
        .name("backlint-lsp-reader".to_owned())
        .spawn(move || read_messages(input, &incoming_sender))?;
    let writer = thread::Builder::new()
        .name("backlint-lsp-writer".to_owned())
        .spawn(move || write_messages(output, &outgoing_receiver))?;
    Ok((incoming, outgoing, writer))
}

fn read_messages(mut input: impl BufRead, incoming: &Sender<Incoming>) {
    loop {
        let body = match read_body(&mut input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(error) if error.kind() == io::ErrorKind::InvalidData => {
                eprintln!("backlint lsp: skipped a message: {error}");
                continue;
            }
            Err(error) => {
                eprintln!("backlint lsp: cannot read the input: {error}");
                return;
            }
        };
        let item = parse_body(&body);
        let is_exit = matches!(&item, Incoming::Message(Message::Notification(notification)) if notification.method == "exit");
        if incoming.send(item).is_err() || is_exit {
            return;
        }
    }
}

fn parse_body(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: format!("the message is not JSON: {error}"),
            }
        }
    };
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            message: format!(
                "the message is not a JSON-RPC request, response or notification: {error}"
            ),
        },
    }
}

/// One message body, `None` at the end of the input. A header block without a usable
/// `Content-Length` is an `InvalidData` error, after which reading goes on with the next block.
fn read_body(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut content_length = None;
    let mut line = String::new();
    let mut read_any_header = false;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if read_any_header {
                break;
            }
            continue;
        }
        read_any_header = true;
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let Some(length) = content_length else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a header block without a valid Content-Length",
        ));
    };
    let mut body_input = input.take(length as u64);
    if length > MAX_BODY_LENGTH {
        // Skipped without being held: its length is the client's word, not memory to reserve.
        let skipped = io::copy(&mut body_input, &mut io::sink())?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a message of {length} bytes, over the limit of {MAX_BODY_LENGTH}"),
        ));
    }
    // Read as it comes rather than allocated up front: a `Content-Length` can claim anything.
    let mut body = Vec::new();
    body_input.read_to_end(&mut body)?;
    if body.len() < length {
        // The input ended inside the body.
        return Ok(None);
    }
    Ok(Some(body))
}

/// The longest message body read: far above any document (a 5 MB file is a 5 MB
/// `didOpen`), far below what would exhaust memory.
const MAX_BODY_LENGTH: usize = 256 * 1024 * 1024;

fn write_messages(mut output: impl Write, outgoing: &Receiver<Outgoing>) {
    for item in outgoing {
        let written = match item {
            Outgoing::Message(message) => message.write(&mut output),
            Outgoing::Error { id, code, message } => {
                let body = json!({
                    "jsonrpc": "2.0",
                    "id": id,
                    "error": { "code": code as i32, "message": message },
                })
                .to_string();
                write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())
                    .and_then(|()| output.flush())
            }
        };
        if let Err(error) = written {
            eprintln!("backlint lsp: cannot write to the client: {error}");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_length_the_input_does_not_hold_ends_the_input_without_reserving_it() {
        let input = format!(
            "{}Content-Length: 99999999999999\r\n\r\n{{}}",
            framed(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#)
        );
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_messages(io::Cursor::new(input), &sender);
        let items: Vec<Incoming> = receiver.try_iter().collect();
        assert_eq!(items.len(), 1);
        assert!(matches!(
            &items[0],
            Incoming::Message(Message::Notification(notification)) if notification.method == "initialized"
        ));
    }

    #[test]
    fn a_body_over_the_limit_is_skipped_and_reading_goes_on() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_BODY_LENGTH + 1).into_bytes();
        input.resize(input.len() + MAX_BODY_LENGTH + 1, b' ');
        input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#).bytes());
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_messages(io::Cursor::new(input), &sender);
        let items: Vec<Incoming> = receiver.try_iter().collect();
        assert_eq!(items.len(), 1);
        assert!(matches!(
            &items[0],
            Incoming::Message(Message::Notification(notification)) if notification.method == "exit"
        ));
    }

    #[test]
    fn bad_bodies_are_answered_and_reading_goes_on() {
        let input = [
            framed("{not json"),
            framed(r#"{"jsonrpc":"2.0","id":7}"#),
            "X-Nothing: 1\r\n\r\n".to_owned(),
            framed(r#"{"jsonrpc":"2.0","method":"exit"}"#),
        ]
        .concat();
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_messages(io::Cursor::new(input), &sender);
        let items: Vec<Incoming> = receiver.try_iter().collect();
        assert!(matches!(
            &items[0],
            Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError,
                ..
            }
        ));
        assert!(matches!(
            &items[1],
            Incoming::Malformed { id, code: ErrorCode::InvalidRequest, .. } if id == &json!(7)
        ));
        assert!(matches!(
            &items[2],
            Incoming::Message(Message::Notification(notification)) if notification.method == "exit"
        ));
        assert_eq!(items.len(), 3);
    }
}
