//! blocking-call-in-async: calls that block the thread inside `async` functions, so the event
//! loop, and every other request it serves, waits with them.

use backlint_engine::rule::{parse_options, FileFacts, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::{Grammar, Language};
use globset::GlobSet;
use serde::Deserialize;
use tree_sitter::Node;

use crate::paths::{glob_set, test_paths_and, TOOLING_PATHS};
use crate::syntax::{enclosing_function, qualified_name};

pub const SPEC: RuleSpec = RuleSpec {
    id: "blocking-call-in-async",
    docs: include_str!("../../../../rules/blocking-call-in-async.toml"),
    new,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Globs of files that are not checked: tests, and scripts and tools, which serve nobody
    /// else while they wait.
    ignore_paths: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ignore_paths: test_paths_and(TOOLING_PATHS),
        }
    }
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(BlockingCallInAsync {
        ignore_paths: glob_set(SPEC.id, "ignore-paths", &options.ignore_paths)?,
    }))
}

fn blocking_message(call: &str, function: &str, advice: &str) -> String {
    format!("`{call}(…)` blocks the event loop inside the async function `{function}`, so every other request waits with it: {advice}")
}

/// Python calls that block, by qualified name, with what to use instead.
const PYTHON_BLOCKING: &[(&str, &str)] = &[
    ("time.sleep", "use `await asyncio.sleep(…)`."),
    (
        "requests.get",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.post",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.put",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.patch",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.delete",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.head",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.options",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "requests.request",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "urllib.request.urlopen",
        "use an async client (`httpx.AsyncClient`, aiohttp).",
    ),
    (
        "subprocess.run",
        "use `await asyncio.create_subprocess_exec(…)`.",
    ),
    (
        "subprocess.call",
        "use `await asyncio.create_subprocess_exec(…)`.",
    ),
    (
        "subprocess.check_call",
        "use `await asyncio.create_subprocess_exec(…)`.",
    ),
    (
        "subprocess.check_output",
        "use `await asyncio.create_subprocess_exec(…)`.",
    ),
];

const OPEN_ADVICE: &str =
    "read and write files with `await asyncio.to_thread(…)`, `anyio` or `aiofiles`.";
const FS_ADVICE: &str = "use the `fs/promises` function of the same name without `Sync`.";
const CHILD_PROCESS_ADVICE: &str = "use `execFile` or `spawn` (promisified) instead.";

struct BlockingCallInAsync {
    ignore_paths: GlobSet,
}

impl Rule for BlockingCallInAsync {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            Language::Python => &["call"],
            Language::TypeScript | Language::JavaScript => &["call_expression"],
        }
    }

    fn checks_file(&self, file: &FileFacts<'_>) -> bool {
        !self.ignore_paths.is_match(file.path)
    }

    fn check(&self, call: Node<'_>, context: &mut RuleContext<'_>) {
        let Some(callee) = call.field("function") else {
            return;
        };
        // Which calls block is known from the callee alone, and finding the function around
        // the call costs more, so the callee comes first.
        let Some((advice, only_in_handlers)) = blocking_advice(callee, context) else {
            return;
        };
        let function = enclosing_function(call);
        if !is_async(function, context) || only_in_handlers && !is_handler(function, context) {
            return;
        }
        let name = function
            .field("name")
            .map_or("(anonymous)", |name| context.text(name));
        let message = blocking_message(context.text(callee), name, advice);
        context.report(callee, message);
    }
}

/// `async def`, `async function`, `async () => …`, `async method() {}`.
fn is_async(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut cursor = function.walk();
    let is_async = function
        .children(&mut cursor)
        .take_while(|child| child.kind() != "parameters" && child.kind() != "formal_parameters")
        .any(|child| context.text(child) == "async");
    is_async
}

/// What to use instead of a blocking call, and whether it blocks anyone only in a request
/// handler; `None` when the call does not block.
fn blocking_advice(callee: Node<'_>, context: &RuleContext<'_>) -> Option<(&'static str, bool)> {
    if context.grammar == Grammar::Python {
        if context.text(callee) == "open" && context.semantic.imports().resolve("open").is_none() {
            return Some((OPEN_ADVICE, true));
        }
        let name = qualified_name(callee, context)?;
        return PYTHON_BLOCKING
            .iter()
            .find(|(blocking, _)| *blocking == name)
            .map(|(_, advice)| (*advice, false));
    }
    // Async JavaScript outside request handlers is mostly build and CLI code, where nothing
    // else waits.
    let name = qualified_name(callee, context)?;
    let (module, function_name) = name.rsplit_once('.')?;
    match module {
        "fs" | "fs-extra" if function_name.ends_with("Sync") => Some((FS_ADVICE, true)),
        "child_process" if matches!(function_name, "execSync" | "spawnSync" | "execFileSync") => {
            Some((CHILD_PROCESS_ADVICE, true))
        }
        _ => None,
    }
}

/// A request handler: a route's function (`@app.get(…)`, `app.post("/", async (req, res) =>
/// …)`, a Next.js route's `GET`, a NestJS controller method).
fn is_handler(function: Node<'_>, context: &RuleContext<'_>) -> bool {
    context.semantic.handlers().of_function(function).is_some()
}
