//! The server: a synchronous main loop that owns every document and configuration, and a pool
//! of workers that check snapshots of documents.
//!
//! The main loop applies each change to its document at once (text, tree, incremental
//! re-parse), and checks documents only when no message is waiting: a burst of changes is
//! checked once, at its last version. A worker skips a snapshot that is no longer the latest
//! version of an open document, and the main loop drops a result for any version but the
//! latest, so stale findings are never shown.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use backlint_engine::config::CONFIG_FILE_NAMES;
use backlint_engine::project_files::WATCHED_GLOBS;
use backlint_engine::settings::Registry;
use backlint_engine::{FileReport, Grammar};
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
    ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, DocumentDiagnosticRequest, HoverRequest, RegisterCapability, Request as _,
    WorkspaceDiagnosticRefresh,
};
use lsp_types::{
    CodeActionOptions, CodeActionParams, CodeActionProviderCapability, DiagnosticOptions,
    DiagnosticServerCapabilities, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
    FileSystemWatcher, FullDocumentDiagnosticReport, GlobPattern, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, LogMessageParams, MessageType,
    PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams,
    RelatedFullDocumentDiagnosticReport, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    Uri, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::code_actions::{code_actions, fix_all_kind};
use crate::diagnostics::{config_problem, to_protocol};
use crate::document::{Document, Memo};
use crate::hover::hover;
use crate::line_index::PositionEncoding;
use crate::transport::{Incoming, Outgoing};
use crate::workspace::{ConfigProblem, Workspaces};

/// The version a closed document is marked with, so that work queued for it is skipped.
const CLOSED: i64 = i64::MIN;

/// How the server ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`, as the protocol asks.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

/// What the client can do, from its `initialize` capabilities.
#[derive(Debug, Clone, Copy, Default)]
struct ClientSupport {
    /// The client pulls diagnostics (`textDocument/diagnostic`), so none are pushed.
    pull_diagnostics: bool,
    /// The client can be asked to pull again (`workspace/diagnostic/refresh`).
    diagnostic_refresh: bool,
    /// The client watches files for the server when asked at run time.
    watched_files_registration: bool,
}

struct OpenDocument {
    document: Document,
    /// The latest version, shared with the workers; [`CLOSED`] once the document is closed.
    latest_version: Arc<AtomicI64>,
    /// The findings for the current version, once checked.
    checked: Option<Checked>,
    /// What the latest check left for the next one.
    memo: Option<Memo>,
}

struct Checked {
    version: i32,
    report: FileReport,
    diagnostics: Vec<lsp_types::Diagnostic>,
}

/// Who waits for a check.
enum Waiting {
    /// Push the findings if they are still current.
    Publish,
    /// Answer a `textDocument/diagnostic` request.
    Pull(RequestId),
}

struct CheckDone {
    uri: Uri,
    version: i32,
    /// The version handle of the document the snapshot was taken from: a document closed and
    /// opened again starts over at its first version, with a new handle.
    latest_version: Arc<AtomicI64>,
    /// `None` when the check was skipped (stale or closed) or the file is excluded.
    checked: Option<(FileReport, Vec<lsp_types::Diagnostic>)>,
    memo: Option<Memo>,
    waiting: Waiting,
}

pub struct Server {
    registry: &'static Registry,
    outgoing: Sender<Outgoing>,
    encoding: PositionEncoding,
    client: ClientSupport,
    documents: HashMap<Uri, OpenDocument>,
    workspaces: Workspaces,
    /// Configuration files whose problems are shown, to clear them once fixed.
    config_problems: BTreeSet<PathBuf>,
    /// Open documents whose findings must be pushed once the input is drained.
    to_check: BTreeSet<Uri>,
    done_sender: Sender<CheckDone>,
    done: Receiver<CheckDone>,
    workers: rayon::ThreadPool,
    next_request_id: i32,
    shutdown_requested: bool,
}

/// Serves one client until `exit` or the end of its input; fails only when the workers
/// cannot be started.
pub fn serve(
    registry: &'static Registry,
    incoming: &Receiver<Incoming>,
    outgoing: Sender<Outgoing>,
) -> io::Result<Ending> {
    let Some((id, params)) = wait_for_initialize(incoming, &outgoing) else {
        return Ok(Ending::Abrupt);
    };
    let mut server = Server::new(registry, &params, outgoing)?;
    server.respond(Response::new_ok(id, server.initialize_result()));
    Ok(server.run(incoming))
}

/// Answers everything before `initialize` as the protocol asks: requests with an error,
/// notifications not at all, `exit` by stopping.
fn wait_for_initialize(
    incoming: &Receiver<Incoming>,
    outgoing: &Sender<Outgoing>,
) -> Option<(RequestId, InitializeParams)> {
    for item in incoming {
        let message = match item {
            Incoming::Message(message) => message,
            Incoming::Malformed { id, code, message } => {
                outgoing.send(Outgoing::Error { id, code, message }).ok()?;
                continue;
            }
        };
        match message {
            Message::Request(request) if request.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => return Some((request.id, params)),
                    Err(error) => {
                        let response = Response::new_err(
                            request.id,
                            ErrorCode::InvalidParams as i32,
                            format!("invalid `initialize` parameters: {error}"),
                        );
                        outgoing.send(Outgoing::Message(response.into())).ok()?;
                    }
                }
            }
            Message::Request(request) => {
                let response = Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".to_owned(),
                );
                outgoing.send(Outgoing::Message(response.into())).ok()?;
            }
            Message::Notification(notification) if notification.method == "exit" => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    None
}

impl Server {
    fn new(
        registry: &'static Registry,
        params: &InitializeParams,
        outgoing: Sender<Outgoing>,
    ) -> io::Result<Server> {
        let capabilities = &params.capabilities;
        let offers_utf8 = capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
        let client = ClientSupport {
            pull_diagnostics: capabilities
                .text_document
                .as_ref()
                .is_some_and(|text_document| text_document.diagnostic.is_some()),
            diagnostic_refresh: capabilities
                .workspace
                .as_ref()
                .and_then(|workspace| workspace.diagnostic.as_ref())
                .and_then(|diagnostics| diagnostics.refresh_support)
                .unwrap_or(false),
            watched_files_registration: capabilities
                .workspace
                .as_ref()
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watched| watched.dynamic_registration)
                .unwrap_or(false),
        };
        let (done_sender, done) = crossbeam_channel::unbounded();
        // Each check is single-threaded; a few workers keep one slow file from holding up the
        // others, without taking every core from the editor.
        let threads =
            std::thread::available_parallelism().map_or(2, |count| count.get().clamp(1, 4));
        let workers = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|index| format!("backlint-lsp-worker-{index}"))
            .stack_size(backlint_engine::WORKER_STACK_SIZE)
            .build()
            .map_err(io::Error::other)?;
        Ok(Server {
            registry,
            outgoing,
            encoding: if offers_utf8 {
                PositionEncoding::Utf8
            } else {
                PositionEncoding::Utf16
            },
            client,
            documents: HashMap::new(),
            workspaces: Workspaces::new(registry, workspace_roots(params)),
            config_problems: BTreeSet::new(),
            to_check: BTreeSet::new(),
            done_sender,
            done,
            workers,
            next_request_id: 0,
            shutdown_requested: false,
        })
    }

    fn initialize_result(&self) -> InitializeResult {
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(match self.encoding {
                    PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
                    PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(SaveOptions::default().into()),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                diagnostic_provider: Some(DiagnosticServerCapabilities::Options(
                    DiagnosticOptions {
                        identifier: Some(crate::diagnostics::SOURCE.to_owned()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            lsp_types::CodeActionKind::QUICKFIX,
                            fix_all_kind(),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp_types::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "backlint".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        }
    }

    fn run(&mut self, incoming: &Receiver<Incoming>) -> Ending {
        self.publish_config_problems();
        let done = self.done.clone();
        loop {
            crossbeam_channel::select! {
                recv(incoming) -> item => {
                    let Ok(item) = item else {
                        return Ending::Abrupt;
                    };
                    if let Some(ending) = self.handle(item) {
                        return ending;
                    }
                }
                recv(done) -> finished => {
                    if let Ok(finished) = finished {
                        self.finish_check(finished);
                    }
                }
            }
            if incoming.is_empty() {
                self.start_checks();
            }
        }
    }

    fn handle(&mut self, item: Incoming) -> Option<Ending> {
        let message = match item {
            Incoming::Message(message) => message,
            Incoming::Malformed { id, code, message } => {
                self.send(Outgoing::Error { id, code, message });
                return None;
            }
        };
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let method = request.method.clone();
                // A bug in a handler must not take the editor's linter down with it.
                if catch_unwind(AssertUnwindSafe(|| self.handle_request(request))).is_err() {
                    self.respond(Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("backlint failed on `{method}`; please report it"),
                    ));
                }
                None
            }
            Message::Notification(notification) if notification.method == "exit" => {
                Some(if self.shutdown_requested {
                    Ending::Clean
                } else {
                    Ending::Abrupt
                })
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.handle_notification(notification)))
                    .is_err()
                {
                    self.log(MessageType::ERROR, format!("backlint failed on `{method}`"));
                }
                None
            }
            // Answers to the server's own requests (registrations, refreshes) need no action.
            Message::Response(_) => None,
        }
    }

    fn handle_request(&mut self, request: Request) {
        if self.shutdown_requested {
            self.respond(Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_owned(),
            ));
            return;
        }
        match request.method.as_str() {
            "shutdown" => {
                self.shutdown_requested = true;
                self.respond(Response::new_ok(request.id, Value::Null));
            }
            DocumentDiagnosticRequest::METHOD => {
                if let Some(params) = self.request_params::<DocumentDiagnosticParams>(&request) {
                    self.pull_diagnostics(request.id, &params.text_document.uri);
                }
            }
            CodeActionRequest::METHOD => {
                if let Some(params) = self.request_params::<CodeActionParams>(&request) {
                    let actions = self.code_actions(&params);
                    self.respond(Response::new_ok(request.id, actions));
                }
            }
            HoverRequest::METHOD => {
                if let Some(params) = self.request_params::<HoverParams>(&request) {
                    let hover = self.hover(&params);
                    self.respond(Response::new_ok(request.id, hover));
                }
            }
            _ => self.respond(Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("backlint does not handle `{}`", request.method),
            )),
        }
    }

    /// The parameters of a request, or `None` after answering that they are invalid.
    fn request_params<P: DeserializeOwned>(&self, request: &Request) -> Option<P> {
        match serde_json::from_value(request.params.clone()) {
            Ok(params) => Some(params),
            Err(error) => {
                self.respond(Response::new_err(
                    request.id.clone(),
                    ErrorCode::InvalidParams as i32,
                    format!("invalid parameters for `{}`: {error}", request.method),
                ));
                None
            }
        }
    }

    fn handle_notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let params = notification.params;
        let result = match method.as_str() {
            DidOpenTextDocument::METHOD => parse(params).map(|params| self.did_open(params)),
            DidChangeTextDocument::METHOD => parse(params).map(|params| self.did_change(params)),
            DidSaveTextDocument::METHOD => parse(params).map(|params| self.did_save(&params)),
            DidCloseTextDocument::METHOD => parse(params).map(|params| self.did_close(&params)),
            DidChangeWatchedFiles::METHOD => {
                parse(params).map(|params| self.did_change_watched_files(&params))
            }
            DidChangeWorkspaceFolders::METHOD => {
                parse(params).map(|params| self.did_change_workspace_folders(&params))
            }
            "initialized" => {
                self.watch_files();
                Ok(())
            }
            // Other notifications (`$/cancelRequest`, `$/setTrace`, configuration pushes) change
            // nothing here; the protocol asks that unknown ones be ignored.
            _ => Ok(()),
        };
        if let Err(error) = result {
            self.log(
                MessageType::ERROR,
                format!("ignored `{method}` with invalid parameters: {error}"),
            );
        }
    }

    fn did_open(&mut self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let Some(path) = document_path(&item.uri) else {
            return;
        };
        let Some(grammar) =
            Grammar::from_path(&path).or_else(|| grammar_of_language(&item.language_id))
        else {
            return;
        };
        let document = Document::new(path, grammar, item.version, item.text);
        self.documents.insert(
            item.uri.clone(),
            OpenDocument {
                document,
                latest_version: Arc::new(AtomicI64::new(i64::from(item.version))),
                checked: None,
                memo: None,
            },
        );
        self.to_check.insert(item.uri);
    }

    fn did_change(&mut self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(open) = self.documents.get_mut(&uri) else {
            return;
        };
        let version = params.text_document.version;
        open.document
            .apply_changes(version, &params.content_changes, self.encoding);
        open.latest_version
            .store(i64::from(version), Ordering::SeqCst);
        open.checked = None;
        self.to_check.insert(uri);
    }

    fn did_save(&mut self, params: &DidSaveTextDocumentParams) {
        if document_path(&params.text_document.uri).is_some_and(|path| is_config_file(&path)) {
            self.reload_configuration();
        } else {
            // A saved middleware or settings module changes what other documents' rules read.
            self.project_files_changed();
        }
    }

    fn did_close(&mut self, params: &DidCloseTextDocumentParams) {
        let uri = &params.text_document.uri;
        if let Some(open) = self.documents.remove(uri) {
            open.latest_version.store(CLOSED, Ordering::SeqCst);
            self.to_check.remove(uri);
            if !self.client.pull_diagnostics {
                self.publish(uri.clone(), Vec::new(), None);
            }
        }
    }

    fn did_change_watched_files(&mut self, params: &DidChangeWatchedFilesParams) {
        let touches_config = params
            .changes
            .iter()
            .filter_map(|change| document_path(&change.uri))
            .any(|path| is_config_file(&path));
        if touches_config {
            self.reload_configuration();
        } else {
            self.project_files_changed();
        }
    }

    fn did_change_workspace_folders(&mut self, params: &DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            if let Some(root) = document_path(&removed.uri) {
                self.workspaces.remove_folder(&root);
            }
        }
        for added in &params.event.added {
            if let Some(root) = document_path(&added.uri) {
                self.workspaces.add_folder(root);
            }
        }
        self.configuration_changed();
    }

    /// Asks the client to tell the server when a configuration file, or a file that rules read
    /// around a document, changes, if it can.
    fn watch_files(&mut self) {
        if !self.client.watched_files_registration {
            return;
        }
        let config_files = CONFIG_FILE_NAMES.iter().map(|name| format!("**/{name}"));
        let project_files = WATCHED_GLOBS.iter().map(|&glob| glob.to_owned());
        let watchers = config_files
            .chain(project_files)
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "backlint-watched-files".to_owned(),
            method: DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        self.request::<RegisterCapability>(RegistrationParams {
            registrations: vec![registration],
        });
    }

    fn reload_configuration(&mut self) {
        self.workspaces.reload();
        self.configuration_changed();
    }

    /// Checks again the open documents whose rules read a file around them (a `package.json`,
    /// middleware, Django settings) that no longer reads as it did.
    fn project_files_changed(&mut self) {
        let mut changed = false;
        for (uri, open) in &mut self.documents {
            if open
                .memo
                .as_ref()
                .is_some_and(|memo| !memo.project_files_hold())
            {
                open.checked = None;
                self.to_check.insert(uri.clone());
                changed = true;
            }
        }
        if changed && self.client.pull_diagnostics && self.client.diagnostic_refresh {
            self.request::<WorkspaceDiagnosticRefresh>(());
        }
    }

    /// Shows the configuration problems, and checks every open document again.
    fn configuration_changed(&mut self) {
        self.publish_config_problems();
        for (uri, open) in &mut self.documents {
            open.checked = None;
            self.to_check.insert(uri.clone());
        }
        if self.client.pull_diagnostics && self.client.diagnostic_refresh {
            self.request::<WorkspaceDiagnosticRefresh>(());
        }
    }

    /// A diagnostic on each configuration file that failed to load, with a message; and none
    /// any more on those that load again.
    fn publish_config_problems(&mut self) {
        let problems = self.workspaces.problems();
        let now: BTreeSet<PathBuf> = problems
            .iter()
            .map(|problem| problem.path.clone())
            .collect();
        for fixed in self
            .config_problems
            .difference(&now)
            .cloned()
            .collect::<Vec<_>>()
        {
            if let Some(uri) = path_uri(&fixed) {
                self.publish(uri, Vec::new(), None);
            }
        }
        for problem in &problems {
            let already_shown = self.config_problems.contains(&problem.path);
            self.show_config_problem(problem, already_shown);
        }
        self.config_problems = now;
    }

    fn show_config_problem(&mut self, problem: &ConfigProblem, already_shown: bool) {
        let text = std::fs::read_to_string(&problem.path).unwrap_or_default();
        if let Some(uri) = path_uri(&problem.path) {
            let diagnostic = config_problem(problem, &text, self.encoding);
            self.publish(uri, vec![diagnostic], None);
        }
        if !already_shown {
            self.notify::<ShowMessage>(ShowMessageParams {
                typ: MessageType::ERROR,
                message: format!(
                    "backlint: {} is invalid ({}); until it is fixed, the last valid configuration (or the defaults) stays in use",
                    problem.path.display(),
                    problem.message
                ),
            });
        }
    }

    /// Hands the documents that changed to the workers, when the client does not pull.
    #[expect(
        clippy::mutable_key_type,
        reason = "`Uri` hashes and compares by its text; its inner cell only caches parsing"
    )]
    fn start_checks(&mut self) {
        let to_check = std::mem::take(&mut self.to_check);
        if self.client.pull_diagnostics {
            return;
        }
        for uri in to_check {
            self.start_check(uri, Waiting::Publish);
        }
    }

    fn start_check(&mut self, uri: Uri, waiting: Waiting) {
        let Some(open) = self.documents.get_mut(&uri) else {
            return;
        };
        open.document.parse_edits();
        let snapshot = open.document.clone();
        let previous = open.memo.clone();
        let latest_version = Arc::clone(&open.latest_version);
        let target = self.workspaces.target(snapshot.path());
        let encoding = self.encoding;
        let done = self.done_sender.clone();
        self.workers.spawn(move || {
            let version = snapshot.version();
            let is_current = latest_version.load(Ordering::SeqCst) == i64::from(version);
            let (checked, memo) = match (&waiting, target) {
                (Waiting::Publish, _) if !is_current => (None, None),
                (_, None) => (Some((FileReport::default(), Vec::new())), None),
                (_, Some(target)) => catch_unwind(AssertUnwindSafe(|| {
                    // A document without a tree (NUL bytes, or one the parser gave up on) has
                    // no findings, and those of its earlier versions go.
                    let (report, memo) = snapshot
                        .check(&target, previous.as_ref())
                        .unwrap_or_default();
                    let diagnostics = to_protocol(&report, &snapshot, &uri, encoding);
                    Some((Some((report, diagnostics)), memo))
                }))
                .ok()
                .flatten()
                .unwrap_or((None, None)),
            };
            // The main loop is gone only when the server is ending.
            let _ = done.send(CheckDone {
                uri,
                version,
                latest_version,
                checked,
                memo,
                waiting,
            });
        });
    }

    fn finish_check(&mut self, finished: CheckDone) {
        let CheckDone {
            uri,
            version,
            latest_version,
            checked,
            memo,
            waiting,
        } = finished;
        let same_document = self
            .documents
            .get_mut(&uri)
            .filter(|open| Arc::ptr_eq(&open.latest_version, &latest_version));
        if let (Some(open), Some(memo)) = (same_document, memo) {
            // A memo of an older version still serves the next check of this document.
            open.memo = Some(memo);
        }
        let open = self.documents.get_mut(&uri).filter(|open| {
            Arc::ptr_eq(&open.latest_version, &latest_version) && open.document.version() == version
        });
        match waiting {
            Waiting::Publish => {
                let (Some(open), Some((report, diagnostics))) = (open, checked) else {
                    return;
                };
                open.checked = Some(Checked {
                    version,
                    report,
                    diagnostics: diagnostics.clone(),
                });
                self.publish(uri, diagnostics, Some(version));
            }
            Waiting::Pull(id) => {
                let diagnostics = match checked {
                    Some((report, diagnostics)) => {
                        if let Some(open) = open {
                            open.checked = Some(Checked {
                                version,
                                report,
                                diagnostics: diagnostics.clone(),
                            });
                        }
                        diagnostics
                    }
                    None => Vec::new(),
                };
                self.respond(Response::new_ok(id, full_report(diagnostics)));
            }
        }
    }

    fn pull_diagnostics(&mut self, id: RequestId, uri: &Uri) {
        let Some(open) = self.documents.get(uri) else {
            self.respond(Response::new_ok(id, full_report(Vec::new())));
            return;
        };
        match &open.checked {
            Some(checked) if checked.version == open.document.version() => {
                let diagnostics = checked.diagnostics.clone();
                self.respond(Response::new_ok(id, full_report(diagnostics)));
            }
            _ => self.start_check(uri.clone(), Waiting::Pull(id)),
        }
    }

    fn code_actions(&mut self, params: &CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let encoding = self.encoding;
        let Some((document, checked)) = self.checked_now(uri) else {
            return Vec::new();
        };
        code_actions(
            document,
            uri,
            &checked.report,
            &checked.diagnostics,
            params.range,
            params.context.only.as_deref(),
            encoding,
        )
    }

    fn hover(&mut self, params: &HoverParams) -> Option<lsp_types::Hover> {
        let position = &params.text_document_position_params;
        let (registry, encoding) = (self.registry, self.encoding);
        let (document, checked) = self.checked_now(&position.text_document.uri)?;
        hover(
            registry,
            document,
            &checked.diagnostics,
            position.position,
            encoding,
        )
    }

    /// An open document with its findings at its current version. Actions and hovers are
    /// asked for right after a change at times: the document is checked now rather than
    /// answered for from findings of another version. `None` for a document that is not open
    /// or that the configuration excludes.
    fn checked_now(&mut self, uri: &Uri) -> Option<(&Document, &Checked)> {
        let open = self.documents.get_mut(uri)?;
        open.document.parse_edits();
        let version = open.document.version();
        if open
            .checked
            .as_ref()
            .is_none_or(|checked| checked.version != version)
        {
            let target = self.workspaces.target(open.document.path())?;
            let (report, memo) = open
                .document
                .check(&target, open.memo.as_ref())
                .unwrap_or_default();
            open.memo = memo;
            let diagnostics = to_protocol(&report, &open.document, uri, self.encoding);
            open.checked = Some(Checked {
                version,
                report,
                diagnostics,
            });
        }
        let checked = open.checked.as_ref()?;
        Some((&open.document, checked))
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn log(&self, typ: MessageType, message: String) {
        self.notify::<LogMessage>(LogMessageParams { typ, message });
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Outgoing::Message(
            Notification::new(N::METHOD.to_owned(), params).into(),
        ));
    }

    fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) {
        self.next_request_id += 1;
        let id = RequestId::from(format!("backlint-{}", self.next_request_id));
        self.send(Outgoing::Message(
            Request::new(id, R::METHOD.to_owned(), params).into(),
        ));
    }

    fn respond(&self, response: Response) {
        self.send(Outgoing::Message(response.into()));
    }

    fn send(&self, outgoing: Outgoing) {
        // The writer stops only when the client's end is closed; the reader then ends the loop.
        let _ = self.outgoing.send(outgoing);
    }
}

fn parse<P: DeserializeOwned>(params: Value) -> Result<P, serde_json::Error> {
    serde_json::from_value(params)
}

fn full_report(items: Vec<lsp_types::Diagnostic>) -> DocumentDiagnosticReportResult {
    DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
        RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        },
    ))
}

/// The folders of the workspace: the client's workspace folders, or its root.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders
            .iter()
            .filter_map(|folder| document_path(&folder.uri))
            .collect();
    }
    #[allow(deprecated)]
    let root_uri = params.root_uri.as_ref();
    root_uri.and_then(document_path).into_iter().collect()
}

/// The path of a `file:` URI. Other schemes (an unsaved buffer) get the URI's path, so that
/// its extension picks the grammar and no configuration folder matches it.
fn document_path(uri: &Uri) -> Option<PathBuf> {
    let url = url::Url::parse(uri.as_str()).ok()?;
    if url.scheme() == "file" {
        return url.to_file_path().ok();
    }
    Some(PathBuf::from(url.path()))
}

fn path_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| CONFIG_FILE_NAMES.contains(&name))
}

/// The grammar for an editor's language id, for buffers whose name has no extension.
fn grammar_of_language(language_id: &str) -> Option<Grammar> {
    match language_id {
        "typescript" => Some(Grammar::TypeScript),
        "typescriptreact" => Some(Grammar::Tsx),
        "javascript" | "javascriptreact" => Some(Grammar::JavaScript),
        "python" => Some(Grammar::Python),
        _ => None,
    }
}
