//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. One run; a rule descriptor
//! for every enabled rule, with its help from `rules/<id>.toml`; results with paths relative to
//! `%SRCROOT%` (the working directory), columns in UTF-16 code units, the loop or call a
//! finding points at as related locations, GitHub's `primaryLocationLineHash` beside backlint's
//! own line-independent fingerprint, and fixes; files that were skipped or analysed with a
//! caveat as tool execution notifications.

use std::collections::BTreeMap;
use std::path::Path;

use backlint_engine::diagnostic::{Fix, NotificationKind};
use backlint_engine::source::Position;
use backlint_engine::suppression::{Suppression, SuppressionKind};
use backlint_engine::{CheckResult, Diagnostic, Level, Notification};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use serde_sarif::sarif::{
    self, ArtifactChange, ArtifactContent, ArtifactLocation, Invocation, Location, Message,
    MultiformatMessageString, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference, ResultLevel, Run,
    RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use url::Url;

use crate::rule_help::{help_markdown, help_text, help_uri};
use crate::ReportContext;

/// The base that result paths are relative to, as GitHub expects it named.
const SOURCE_ROOT: &str = "%SRCROOT%";
/// The key of backlint's own fingerprint (DESIGN.md: rule, path, normalised line, function).
const FINGERPRINT_KEY: &str = "backlint/v1";
/// GitHub reads only this key of `partialFingerprints`.
const LINE_HASH_KEY: &str = "primaryLocationLineHash";
/// GitHub shows at most ten tags per rule.
const MAX_TAGS: usize = 10;
/// What a path segment keeps unescaped in a URI: RFC 3986's unreserved characters.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn render_sarif(result: &CheckResult, context: &ReportContext<'_>) -> String {
    let source_root = Url::from_directory_path(context.working_directory).ok();
    let rule_indexes: BTreeMap<&str, usize> = context
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.docs.id.as_str(), index))
        .collect();
    let mut shown: Vec<&Diagnostic> = result.diagnostics().collect();
    if context.include_suppressed {
        shown.extend(result.suppressed());
        shown.sort_by(|a, b| (&a.path, a.start, a.rule).cmp(&(&b.path, b.start, b.rule)));
    }
    let results: Vec<sarif::Result> = shown
        .into_iter()
        .map(|diagnostic| sarif_result(diagnostic, rule_indexes.get(diagnostic.rule).copied()))
        .collect();
    let notifications: Vec<&Notification> = result.all_notifications();
    let execution_successful = !notifications
        .iter()
        .any(|notification| notification.kind == NotificationKind::InternalError);
    let driver = ToolComponent::builder()
        .name("backlint")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(context.rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let invocation = Invocation::builder()
        .execution_successful(execution_successful)
        .tool_execution_notifications(
            notifications
                .iter()
                .map(|notification| tool_notification(notification))
                .collect::<Vec<_>>(),
        )
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(
            RunAutomationDetails::builder()
                .id(automation_id(context.sarif_category))
                .build(),
        )
        .invocations(vec![invocation])
        .opt_original_uri_base_ids(source_root.map(|root| {
            BTreeMap::from([(
                SOURCE_ROOT.to_owned(),
                ArtifactLocation::builder().uri(root).build(),
            )])
        }))
        .column_kind(json!("utf16CodeUnits"))
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|error| {
        // The SARIF types are plain data; serialising them cannot fail.
        format!("{{\"error\": \"{error}\"}}")
    });
    text.push('\n');
    text
}

/// GitHub takes the part of `automationDetails.id` up to the last `/` as the category that
/// tells this tool's analyses from others on the same commit.
fn automation_id(category: &str) -> String {
    if category.ends_with('/') {
        category.to_owned()
    } else {
        format!("{category}/")
    }
}

fn descriptor(rule: &crate::EnabledRuleDocs<'_>) -> ReportingDescriptor {
    let docs = rule.docs;
    let mut tags: Vec<String> = docs.tags.clone();
    tags.extend(docs.cwe.iter().map(|cwe| format!("external/cwe/cwe-{cwe}")));
    tags.truncate(MAX_TAGS);
    let mut properties = BTreeMap::from([
        ("precision".to_owned(), json!(docs.precision)),
        (
            "problem.severity".to_owned(),
            json!(problem_severity(rule.level)),
        ),
    ]);
    if let Some(severity) = docs.security_severity {
        properties.insert(
            "security-severity".to_owned(),
            json!(format!("{severity:.1}")),
        );
    }
    ReportingDescriptor::builder()
        .id(docs.id.as_str())
        .name(pascal_case(&docs.id))
        .short_description(plain(&docs.summary))
        .full_description(plain(first_paragraph(&docs.rationale)))
        .help(
            MultiformatMessageString::builder()
                .text(help_text(docs))
                .markdown(help_markdown(docs))
                .build(),
        )
        .help_uri(help_uri(&docs.id))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(rule.level.name()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(properties)
                .build(),
        )
        .build()
}

fn sarif_result(diagnostic: &Diagnostic, rule_index: Option<usize>) -> sarif::Result {
    let artifact = artifact_location(&diagnostic.path);
    let location_artifact = artifact.clone();
    let related: Vec<Location> = diagnostic
        .related
        .iter()
        .enumerate()
        .map(|(index, related)| Location {
            id: Some(index as i64 + 1),
            message: Some(message(&related.message)),
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(artifact.clone()),
                region: Some(region(related.start, related.end)),
                ..PhysicalLocation::default()
            }),
            ..Location::default()
        })
        .collect();
    let mut fingerprints =
        BTreeMap::from([(FINGERPRINT_KEY.to_owned(), diagnostic.fingerprint.clone())]);
    if !diagnostic.line_hash.is_empty() {
        fingerprints.insert(LINE_HASH_KEY.to_owned(), diagnostic.line_hash.clone());
    }
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region(diagnostic.start, diagnostic.end))
                .build(),
        )
        .build();
    sarif::Result::builder()
        .rule_id(diagnostic.rule)
        .opt_rule_index(rule_index.map(|index| index as i64))
        .level(result_level(diagnostic.level))
        .message(message(&diagnostic.message))
        .locations(vec![location])
        .opt_related_locations((!related.is_empty()).then_some(related))
        .partial_fingerprints(fingerprints)
        .opt_fixes(
            diagnostic
                .fix
                .as_ref()
                .map(|fix| vec![sarif_fix(fix, &location_artifact)]),
        )
        .opt_suppressions(diagnostic.suppression.as_ref().map(|suppression| {
            vec![sarif::Suppression::builder()
                .kind(json!("inSource"))
                .opt_justification(suppression_justification(suppression))
                .build()]
        }))
        .build()
}

/// The comment's reason, with the kind of comment when it is another tool's.
fn suppression_justification(suppression: &Suppression) -> Option<String> {
    match (suppression.kind, &suppression.reason) {
        (SuppressionKind::Backlint, reason) => reason.clone(),
        (kind, Some(reason)) => Some(format!("{}: {reason}", kind.name())),
        (kind, None) => Some(kind.name().to_owned()),
    }
}

fn sarif_fix(fix: &Fix, artifact: &ArtifactLocation) -> sarif::Fix {
    let replacements: Vec<Replacement> = fix
        .edits
        .iter()
        .map(|edit| {
            Replacement::builder()
                .deleted_region(region(edit.start, edit.end))
                .inserted_content(
                    ArtifactContent::builder()
                        .text(edit.content.as_str())
                        .build(),
                )
                .build()
        })
        .collect();
    sarif::Fix::builder()
        .description(message(&fix.message))
        .artifact_changes(vec![ArtifactChange::builder()
            .artifact_location(artifact.clone())
            .replacements(replacements)
            .build()])
        .build()
}

fn tool_notification(notification: &Notification) -> sarif::Notification {
    let locations = (!notification.path.is_empty()).then(|| {
        vec![Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(artifact_location(&notification.path)),
                ..PhysicalLocation::default()
            }),
            ..Location::default()
        }]
    });
    sarif::Notification::builder()
        .descriptor(
            ReportingDescriptorReference::builder()
                .id(notification.kind.name())
                .build(),
        )
        .level(Value::from(notification.kind.level().name()))
        .message(message(&sentence(&notification.message)))
        .opt_locations(locations)
        .build()
}

/// A path below the working directory as a URI relative to `%SRCROOT%`; any other as an
/// absolute `file:` URI.
fn artifact_location(path: &str) -> ArtifactLocation {
    let as_path = Path::new(path);
    if as_path.is_absolute() {
        let uri = Url::from_file_path(as_path)
            .map(String::from)
            .unwrap_or_else(|()| encode_path(path));
        return ArtifactLocation {
            uri: Some(uri),
            ..ArtifactLocation::default()
        };
    }
    ArtifactLocation {
        uri: Some(encode_path(path)),
        uri_base_id: Some(SOURCE_ROOT.to_owned()),
        ..ArtifactLocation::default()
    }
}

fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|segment| utf8_percent_encode(segment, PATH_SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A region in SARIF's terms: 1-based lines, columns in UTF-16 code units, the end exclusive.
fn region(start: Position, end: Position) -> Region {
    Region {
        start_line: Some(start.line as i64),
        start_column: Some(start.utf16_column as i64),
        end_line: Some(end.line as i64),
        end_column: Some(end.utf16_column as i64),
        ..Region::default()
    }
}

fn message(text: &str) -> Message {
    Message {
        text: Some(text.to_owned()),
        ..Message::default()
    }
}

fn plain(text: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder()
        .text(text.trim())
        .build()
}

fn first_paragraph(text: &str) -> &str {
    let text = text.trim();
    text.split("\n\n").next().unwrap_or(text)
}

/// SARIF viewers show messages as sentences.
fn sentence(text: &str) -> String {
    if text.ends_with('.') {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

fn result_level(level: Level) -> ResultLevel {
    match level {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
        Level::Note => ResultLevel::Note,
    }
}

/// GitHub's `problem.severity` for rules that are not security rules.
fn problem_severity(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "recommendation",
    }
}

/// `n-plus-one-query` → `NPlusOneQuery`: SARIF's friendly rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut characters = word.chars();
            characters.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + characters.as_str()
            })
        })
        .collect()
}
