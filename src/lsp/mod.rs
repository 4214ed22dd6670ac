//! `coop lsp`: a language server over standard input and output, for editors. It checks the model
//! a file belongs to as `coop check` does (the same codes, places, related places and help) on
//! every change, and answers hover, go to definition, references, completion, rename, document
//! symbols, formatting and "did you mean" quick fixes.
//!
//! It is synchronous (`lsp-server`): one thread reads messages and answers each in turn; checking
//! a model of ten thousand orders again after a change takes a few tens of milliseconds
//! (docs/performance.md), so nothing needs to run in the background.

mod completion;
pub mod convert;
mod hover;
mod index;
mod navigation;
mod shipped;
pub mod workspace;

use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionOptions, CompletionParams, CompletionResponse,
    DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, OneOf, Position, PositionEncodingKind,
    PrepareRenameResponse, PublishDiagnosticsParams, Range, ReferenceParams, RenameOptions,
    RenameParams, ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};

use convert::Encoding;
use workspace::{ModelScope, Settings, Workspace};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Serves one editor on standard input and output until it shuts the server down.
pub fn run_stdio() -> Result<(), Failure> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    threads.join()?;
    Ok(())
}

/// Serves one editor on a connection: the initialization handshake, then every message until
/// `shutdown` and `exit`.
pub fn serve(connection: &Connection) -> Result<(), Failure> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let settings = settings(&params);
    let capabilities = capabilities(settings.encoding);
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "coop", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let mut server = Server {
        connection,
        workspace: Workspace::new(settings),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.request(request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => server.notification(notification)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// What the server does, told to the editor.
fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), " ".to_string()]),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The settings an editor gives in its initialization options (`asOf`, `model`), and the
/// position encoding: UTF-8 when the editor offers it, else the protocol's UTF-16.
fn settings(params: &InitializeParams) -> Settings {
    let options = params.initialization_options.as_ref();
    let text = |name: &str| {
        options
            .and_then(|options| options.get(name))
            .and_then(|value| value.as_str())
    };
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    Settings {
        scope: match text("model") {
            Some("file") => ModelScope::File,
            _ => ModelScope::Directory,
        },
        as_of: text("asOf")
            .and_then(|date| crate::values::Date::parse_from_str(date, "%Y-%m-%d").ok()),
        encoding: if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        },
    }
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
}

impl Server<'_> {
    fn notification(&mut self, notification: Notification) -> Result<(), Failure> {
        let params = notification.params;
        let path = match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(params)?;
                let path = convert::path_of(&params.text_document.uri);
                if let Some(path) = &path {
                    self.workspace.open(path, params.text_document.text);
                }
                path
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams =
                    serde_json::from_value(params)?;
                let path = convert::path_of(&params.text_document.uri);
                if let Some(path) = &path {
                    self.workspace.change(path, params.content_changes);
                }
                path
            }
            DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(params)?;
                convert::path_of(&params.text_document.uri)
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(params)?;
                let path = convert::path_of(&params.text_document.uri);
                if let Some(path) = &path {
                    self.workspace.close(path);
                }
                path
            }
            _ => None,
        };
        match path {
            Some(path) => self.publish(&path),
            None => Ok(()),
        }
    }

    /// Checks the model of a file again and publishes every file's diagnostics.
    fn publish(&mut self, path: &std::path::Path) -> Result<(), Failure> {
        // The copies of shipped packs are shown, not checked.
        if shipped::is_copy(path) {
            return Ok(());
        }
        let published = match self.workspace.analyse(path) {
            Ok(published) => published,
            Err(problem) => {
                self.show_message(&problem)?;
                return Ok(());
            }
        };
        for (file, diagnostics) in published {
            let Some(uri) = convert::uri_of(&file) else {
                continue;
            };
            let params = PublishDiagnosticsParams::new(uri, diagnostics, None);
            self.connection
                .sender
                .send(Message::Notification(Notification::new(
                    PublishDiagnostics::METHOD.to_string(),
                    params,
                )))?;
        }
        Ok(())
    }

    fn show_message(&self, text: &str) -> Result<(), Failure> {
        let params = lsp_types::ShowMessageParams {
            typ: lsp_types::MessageType::WARNING,
            message: format!("coop: {text}"),
        };
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                lsp_types::notification::ShowMessage::METHOD.to_string(),
                params,
            )))?;
        Ok(())
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = match request.method.as_str() {
            HoverRequest::METHOD => self.with(request, |server, params: HoverParams| {
                Ok(server.hover(&params.text_document_position_params))
            }),
            GotoDefinition::METHOD => self.with(request, |server, params: GotoDefinitionParams| {
                let position = &params.text_document_position_params;
                let locations = server.at(position, |analysis, file, offset, encoding| {
                    navigation::definition(analysis, file, offset, encoding)
                });
                Ok(locations.map(GotoDefinitionResponse::Array))
            }),
            References::METHOD => self.with(request, |server, params: ReferenceParams| {
                let include = params.context.include_declaration;
                Ok(server.at(
                    &params.text_document_position,
                    |analysis, file, offset, encoding| {
                        navigation::references(analysis, file, offset, include, encoding)
                    },
                ))
            }),
            Completion::METHOD => self.with(request, |server, params: CompletionParams| {
                Ok(server
                    .completion(&params.text_document_position)
                    .map(CompletionResponse::Array))
            }),
            PrepareRenameRequest::METHOD => {
                self.with(request, |server, params: TextDocumentPositionParams| {
                    let Some(found) = server.at(&params, |analysis, file, offset, encoding| {
                        navigation::renamable(analysis, file, offset)
                            .map(|span| convert::range(&analysis.sources, span, encoding))
                    }) else {
                        return Ok(None);
                    };
                    found.map(|range| Some(PrepareRenameResponse::Range(range)))
                })
            }
            Rename::METHOD => self.with(request, |server, params: RenameParams| {
                let new_name = params.new_name.clone();
                match server.at(
                    &params.text_document_position,
                    |analysis, file, offset, encoding| {
                        navigation::rename(analysis, file, offset, &new_name, encoding)
                    },
                ) {
                    Some(edit) => edit.map(Some),
                    None => Ok(None::<WorkspaceEdit>),
                }
            }),
            DocumentSymbolRequest::METHOD => {
                self.with(request, |server, params: DocumentSymbolParams| {
                    let Some(path) = convert::path_of(&params.text_document.uri) else {
                        return Ok(None);
                    };
                    let encoding = server.workspace.settings.encoding;
                    Ok(server.workspace.analysis(&path).map(|(analysis, file)| {
                        DocumentSymbolResponse::Nested(navigation::symbols(
                            analysis, file, encoding,
                        ))
                    }))
                })
            }
            Formatting::METHOD => self.with(request, |server, params: DocumentFormattingParams| {
                server.format(&params.text_document.uri)
            }),
            CodeActionRequest::METHOD => self.with(request, |server, params: CodeActionParams| {
                Ok(server.quick_fixes(&params.text_document.uri, params.range))
            }),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("coop does not answer `{}`", request.method),
            )),
        };
        match answer {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Decodes a request's parameters and answers it with `answer`.
    fn with<P: serde::de::DeserializeOwned, R: serde::Serialize>(
        &mut self,
        request: Request,
        answer: impl FnOnce(&mut Self, P) -> Result<R, String>,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: P = serde_json::from_value(request.params)
            .map_err(|error| (ErrorCode::InvalidParams, error.to_string()))?;
        let result = answer(self, params).map_err(|message| (ErrorCode::RequestFailed, message))?;
        serde_json::to_value(result).map_err(|error| (ErrorCode::InternalError, error.to_string()))
    }

    /// Runs `answer` on the analysis of the file at a position, with the position's byte offset.
    fn at<T>(
        &self,
        position: &TextDocumentPositionParams,
        answer: impl FnOnce(&workspace::Analysis, crate::source::FileId, usize, Encoding) -> T,
    ) -> Option<T> {
        let path = convert::path_of(&position.text_document.uri)?;
        let (analysis, file) = self.workspace.analysis(&path)?;
        let encoding = self.workspace.settings.encoding;
        let source = analysis.sources.file(file);
        let offset = convert::offset(&source.text, &source.lines, position.position, encoding);
        Some(answer(analysis, file, offset, encoding))
    }

    fn hover(&self, position: &TextDocumentPositionParams) -> Option<Hover> {
        self.at(position, |analysis, file, offset, encoding| {
            let (text, span) = hover::hover(analysis, file, offset)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: text,
                }),
                range: Some(convert::range(&analysis.sources, span, encoding)),
            })
        })
        .flatten()
    }

    fn completion(
        &self,
        position: &TextDocumentPositionParams,
    ) -> Option<Vec<lsp_types::CompletionItem>> {
        let path = convert::path_of(&position.text_document.uri)?;
        let document = self.workspace.document(&path)?;
        let offset = convert::offset(
            &document.text,
            &document.lines,
            position.position,
            self.workspace.settings.encoding,
        );
        let analysis = self.workspace.analysis(&path).map(|(analysis, _)| analysis);
        Some(completion::complete(analysis, &document.text, offset))
    }

    /// The edit that lays an open file out as `coop fmt` does; an error when it does not parse.
    fn format(&self, uri: &Uri) -> Result<Option<Vec<TextEdit>>, String> {
        let Some(path) = convert::path_of(uri) else {
            return Ok(None);
        };
        let Some(document) = self.workspace.document(&path) else {
            return Ok(None);
        };
        let mut sources = crate::source::SourceMap::new();
        let file = sources.add(
            crate::load::display_name(&path),
            PathBuf::from(&path),
            document.text.clone(),
        );
        let formatted = crate::syntax::format(&sources, file)
            .map_err(|diagnostic| format!("not formatted: {}", diagnostic.message))?;
        if formatted == document.text {
            return Ok(Some(Vec::new()));
        }
        let end = convert::position(
            &document.text,
            &document.lines,
            document.text.len(),
            self.workspace.settings.encoding,
        );
        Ok(Some(vec![TextEdit::new(
            Range::new(Position::new(0, 0), end),
            formatted,
        )]))
    }

    /// A quick fix for each diagnostic in a range whose help suggests what was meant.
    fn quick_fixes(&self, uri: &Uri, range: Range) -> Vec<CodeActionOrCommand> {
        let Some(path) = convert::path_of(uri) else {
            return Vec::new();
        };
        let Some((analysis, file)) = self.workspace.analysis(&path) else {
            return Vec::new();
        };
        let encoding = self.workspace.settings.encoding;
        analysis
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.primary.span.file == file)
            .filter_map(|diagnostic| {
                let meant = diagnostic.replacement.as_ref()?;
                let found = convert::range(&analysis.sources, diagnostic.primary.span, encoding);
                if found.end < range.start || range.end < found.start {
                    return None;
                }
                // A path in quotes is replaced in quotes.
                let written = analysis.sources.text(diagnostic.primary.span);
                let text = if written.starts_with('"') {
                    format!("\"{meant}\"")
                } else {
                    meant.clone()
                };
                let location_of = |span| workspace::location(&analysis.sources, span, encoding);
                let edit = WorkspaceEdit::new(
                    [(uri.clone(), vec![TextEdit::new(found, text.clone())])]
                        .into_iter()
                        .collect(),
                );
                Some(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Change to `{text}`"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![convert::diagnostic(
                        diagnostic,
                        &analysis.sources,
                        encoding,
                        &location_of,
                    )]),
                    edit: Some(edit),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                }))
            })
            .collect()
    }
}
