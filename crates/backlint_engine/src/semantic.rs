//! The semantic state the Checker keeps while it walks a file, so that rules ask instead of
//! re-deriving: which scope a node is in and whether it runs when the module loads, which loop
//! (or iteration callback) encloses it, and what the file imported.
//!
//! The state is updated on the walk's enter and leave events. No method here calls
//! `Node::parent`, which costs a walk from the root in tree-sitter: what needs a parent is
//! marked when the parent is entered (the body of a Python function, the callee of an IIFE, the
//! callbacks of `.map`) and picked up when the child is entered.

use std::cell::{Cell, OnceCell};
use std::ops::Range;
use std::sync::OnceLock;

use tree_sitter::Node;

use crate::databases::Databases;
use crate::frameworks::Handlers;
use crate::language::Grammar;
use crate::source::Source;
use crate::syntax::{is_function_expression, top_level_definitions, unwrap_parentheses, Fields};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class,
    Function,
    /// A class's instance field initializer: it runs when an instance is constructed.
    FieldInitializer,
    /// A decorator's expression: it runs when the class it decorates is defined.
    Decorator,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The name of the function, method or class, when it has one.
    pub name: Option<String>,
    /// Whether code directly in this scope runs when the module is loaded.
    pub at_module_load: bool,
    /// The node whose leave event pops this scope.
    node_id: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    For,
    ForIn,
    While,
    DoWhile,
    Comprehension,
    /// A function passed to `.map`, `.forEach`… : its body runs once per element.
    IterationCallback,
}

/// A loop, and the part of it that runs once per iteration.
#[derive(Debug, Clone)]
pub struct LoopFrame {
    pub kind: LoopKind,
    /// The whole loop statement (or the callback), for related locations.
    pub range: Range<usize>,
    /// What runs once per iteration: the body, or a comprehension minus its first iterable.
    per_iteration: Range<usize>,
    once: Option<Range<usize>>,
    node_id: usize,
}

impl LoopFrame {
    fn runs_per_iteration(&self, range: &Range<usize>) -> bool {
        let inside = self.per_iteration.start <= range.start && range.end <= self.per_iteration.end;
        let in_once = self
            .once
            .as_ref()
            .is_some_and(|once| once.start <= range.start && range.end <= once.end);
        inside && !in_once
    }
}

#[derive(Debug, Clone)]
enum LoopEntry {
    Loop(LoopFrame),
    /// A function defined here runs when called, not once per iteration of an outer loop.
    FunctionBoundary {
        node_id: usize,
    },
}

/// What one import binds in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The local name it binds.
    pub local: String,
    /// The module it comes from, as written (`@prisma/client`, `./db`, `os.path`, `.models`).
    pub module: String,
    pub imported: Imported,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    /// `import x from "m"`: the default export.
    Default,
    /// `import * as x from "m"`, `const x = require("m")`, Python `import m`.
    Module,
    /// `import { name as x } from "m"`, Python `from m import name as x`.
    Named(String),
}

/// The top-level imports of a file, collected before the walk.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Imports {
    entries: Vec<Import>,
}

impl Imports {
    pub fn entries(&self) -> &[Import] {
        &self.entries
    }

    /// What a local name was imported as, if it was imported at the top level. When a name is
    /// imported twice, the later import is the one in effect.
    pub fn resolve(&self, local: &str) -> Option<&Import> {
        self.entries
            .iter()
            .rev()
            .find(|import| import.local == local)
    }

    /// Whether the file imports `module` or one of its submodules (`fastapi` matches
    /// `fastapi.responses`; `@trpc/server` matches `@trpc/server/adapters`).
    pub fn has_module(&self, module: &str) -> bool {
        self.entries.iter().any(|import| {
            import.module == module
                || import
                    .module
                    .strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('/'))
        })
    }
}

/// The semantic state at the current point of the walk.
#[derive(Debug)]
pub struct Semantic<'tree> {
    grammar: Grammar,
    scopes: Vec<Scope>,
    loops: Vec<LoopEntry>,
    imports: Imports,
    /// Nodes marked by an ancestor, with what they are, until the walk enters them.
    marked: Vec<(usize, Mark)>,
    /// How many ERROR nodes enclose the current node.
    error_depth: usize,
    /// What module-load code calls, and whether the module is a program's entry point: found
    /// on the first question, since most rules never ask.
    module_load: OnceCell<ModuleLoad>,
    /// The file's request handlers: found on the first question, like `module_load`.
    handlers: OnceCell<Handlers>,
    /// What the file shows of its database libraries: read on the first question.
    databases: OnceCell<Databases>,
    /// Which of the three above the rules asked for, for the reuse of findings.
    asked: Cell<Asked>,
    root: Node<'tree>,
    source: &'tree Source,
}

/// Which of the facts about the whole file (found on the first question) were asked for: the
/// findings of a statement depend on them only if its rules asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Asked {
    pub(crate) module_load: bool,
    pub(crate) handlers: bool,
    /// The text of every handler, with its decorators (see [`Semantic::handler_texts`]).
    pub(crate) handler_texts: bool,
    pub(crate) databases: bool,
}

impl Asked {
    pub(crate) fn union(self, other: Asked) -> Asked {
        Asked {
            module_load: self.module_load || other.module_load,
            handlers: self.handlers || other.handlers,
            handler_texts: self.handler_texts || other.handler_texts,
            databases: self.databases || other.databases,
        }
    }

    pub(crate) fn intersects(self, other: Asked) -> bool {
        self.module_load && other.module_load
            || self.handlers && other.handlers
            || self.handler_texts && other.handler_texts
            || self.databases && other.databases
    }
}

/// The file-wide facts found so far; `None` for those nothing asked for.
pub(crate) struct FoundFacts<'a> {
    pub(crate) handlers: Option<&'a Handlers>,
    pub(crate) databases: Option<&'a Databases>,
    /// The names module-load code calls with the offset of the first call, and whether the
    /// module is an entry point.
    pub(crate) module_load: Option<(&'a [(String, usize)], bool)>,
}

/// Why code inside a function runs when the module loads: the module calls the function, or
/// constructs the class, at its top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadTrigger<'a> {
    /// The function or class name called at the top level.
    pub callee: &'a str,
    /// The byte offset of that call.
    pub call_offset: usize,
    /// Whether the call constructs a class (`new Metrics()`) rather than calls a function.
    pub constructs: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    /// The callee of a call, when it is a function expression: an IIFE.
    ImmediatelyInvoked,
    /// A function argument of `.map`, `.forEach`…
    IterationCallback,
    /// The body of a Python function or lambda: its scope starts here, after the parameters,
    /// whose defaults are evaluated when the `def` runs.
    PythonFunctionBody { name: Option<String> },
    /// A function expression assigned to a variable (`const handler = () => …`): its name.
    Named(String),
}

/// Array methods whose callback runs once per element.
const ITERATION_METHODS: &[&str] = &[
    "map",
    "forEach",
    "flatMap",
    "reduce",
    "reduceRight",
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
];

/// What a node kind means to the semantic model; looked up by kind id, so that entering a
/// node that means nothing to it (most of them) costs one array read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Other,
    JsFunction,
    JsClass,
    JsField,
    JsCall,
    JsFor,
    JsForIn,
    JsWhile,
    JsDoWhile,
    JsDeclarator,
    JsDecorator,
    /// A type annotation or declaration: nothing in it runs.
    JsType,
    PyFunction,
    PyClass,
    PyFor,
    PyWhile,
    PyComprehension,
}

const JS_ROLES: &[(&str, Role)] = &[
    ("function_declaration", Role::JsFunction),
    ("function_expression", Role::JsFunction),
    ("function", Role::JsFunction),
    ("arrow_function", Role::JsFunction),
    ("generator_function_declaration", Role::JsFunction),
    ("generator_function", Role::JsFunction),
    ("method_definition", Role::JsFunction),
    ("class_declaration", Role::JsClass),
    ("class", Role::JsClass),
    ("abstract_class_declaration", Role::JsClass),
    ("public_field_definition", Role::JsField),
    ("field_definition", Role::JsField),
    ("call_expression", Role::JsCall),
    ("new_expression", Role::JsCall),
    ("for_statement", Role::JsFor),
    ("for_in_statement", Role::JsForIn),
    ("while_statement", Role::JsWhile),
    ("do_statement", Role::JsDoWhile),
    ("variable_declarator", Role::JsDeclarator),
    ("decorator", Role::JsDecorator),
    ("type_annotation", Role::JsType),
    ("interface_declaration", Role::JsType),
    ("type_alias_declaration", Role::JsType),
    ("type_arguments", Role::JsType),
    ("type_parameters", Role::JsType),
];

const PYTHON_ROLES: &[(&str, Role)] = &[
    ("function_definition", Role::PyFunction),
    ("lambda", Role::PyFunction),
    ("class_definition", Role::PyClass),
    ("for_statement", Role::PyFor),
    ("while_statement", Role::PyWhile),
    ("list_comprehension", Role::PyComprehension),
    ("set_comprehension", Role::PyComprehension),
    ("dictionary_comprehension", Role::PyComprehension),
    ("generator_expression", Role::PyComprehension),
];

/// The role of every named kind id of a grammar.
fn roles(grammar: Grammar) -> &'static [Role] {
    static TABLES: OnceLock<Vec<Vec<Role>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        Grammar::ALL
            .iter()
            .map(|&grammar| {
                let language = grammar.tree_sitter_language();
                let named_roles = match grammar {
                    Grammar::Python => PYTHON_ROLES,
                    Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => JS_ROLES,
                };
                (0..language.node_kind_count() as u16)
                    .map(|id| {
                        let kind = language
                            .node_kind_for_id(id)
                            .filter(|_| language.node_kind_is_named(id));
                        named_roles
                            .iter()
                            .find(|(name, _)| Some(*name) == kind)
                            .map_or(Role::Other, |(_, role)| *role)
                    })
                    .collect()
            })
            .collect()
    });
    &tables[grammar.index()]
}

impl<'tree> Semantic<'tree> {
    pub fn new(grammar: Grammar, root: Node<'tree>, source: &'tree Source) -> Semantic<'tree> {
        let imports = match grammar {
            Grammar::Python => collect_python_imports(root, source),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => {
                collect_js_imports(root, source)
            }
        };
        Semantic {
            grammar,
            scopes: vec![Scope {
                kind: ScopeKind::Module,
                name: None,
                at_module_load: true,
                node_id: root.id(),
            }],
            loops: Vec::new(),
            imports,
            marked: Vec::new(),
            error_depth: 0,
            module_load: OnceCell::new(),
            handlers: OnceCell::new(),
            databases: OnceCell::new(),
            asked: Cell::new(Asked::default()),
            root,
            source,
        }
    }

    pub fn imports(&self) -> &Imports {
        &self.imports
    }

    /// The innermost scope.
    pub fn scope(&self) -> &Scope {
        // The module scope is pushed first and popped by nothing: the stack is never empty.
        &self.scopes[self.scopes.len() - 1]
    }

    /// Whether the node being visited runs when the module is loaded.
    pub fn is_at_module_load(&self) -> bool {
        self.scope().at_module_load
    }

    /// The name of the innermost named function (or method) around the current node.
    pub fn enclosing_function_name(&self) -> Option<&str> {
        self.scopes
            .iter()
            .rev()
            .filter(|scope| scope.kind == ScopeKind::Function)
            .find_map(|scope| scope.name.as_deref())
    }

    /// Whether the file is a program's entry point rather than a module others import: it
    /// calls one of its own functions as a whole top-level statement (`main()`,
    /// `bootstrap().catch(…)`), exits the process at load (`process.exit`, `sys.exit`), or has
    /// `if __name__ == "__main__":`.
    pub fn is_entry_point(&self) -> bool {
        self.module_load().is_entry_point
    }

    /// When the current node is directly in a top-level function that the module calls at its
    /// top level (`const client = createClient()`), or in the constructor or an instance field
    /// initializer of a top-level class it constructs (`export default new Metrics()`): that
    /// call. The code then runs when the module loads, although it is not module-level code.
    pub fn load_trigger(&self) -> Option<LoadTrigger<'_>> {
        let (callee, constructs) = match self.scopes.as_slice() {
            [_, function] if function.kind == ScopeKind::Function => {
                (function.name.as_deref()?, false)
            }
            [_, class, member] if class.kind == ScopeKind::Class => {
                let is_construction = match member.kind {
                    ScopeKind::FieldInitializer => true,
                    ScopeKind::Function => {
                        matches!(member.name.as_deref(), Some("constructor" | "__init__"))
                    }
                    _ => false,
                };
                if !is_construction {
                    return None;
                }
                (class.name.as_deref()?, true)
            }
            _ => return None,
        };
        let (_, call_offset) = self
            .module_load()
            .invoked
            .iter()
            .find(|(name, _)| name == callee)?;
        Some(LoadTrigger {
            callee,
            call_offset: *call_offset,
            constructs,
        })
    }

    /// The innermost loop in which `node` runs once per iteration, looking no further out than
    /// the enclosing function (a function defined in a loop runs when it is called).
    pub fn enclosing_loop(&self, node: Node<'_>) -> Option<&LoopFrame> {
        let range = node.byte_range();
        for entry in self.loops.iter().rev() {
            match entry {
                LoopEntry::FunctionBoundary { .. } => return None,
                LoopEntry::Loop(frame) if frame.runs_per_iteration(&range) => return Some(frame),
                LoopEntry::Loop(_) => {}
            }
        }
        None
    }

    /// The file's request handlers, and which framework made each.
    pub fn handlers(&self) -> &Handlers {
        self.note_asked(Asked {
            handlers: true,
            ..Asked::default()
        });
        self.handlers
            .get_or_init(|| Handlers::find(self.grammar, self.root, self.source, &self.imports))
    }

    /// The file's request handlers, for a rule that reads what other handlers than the one
    /// it checks do (their bodies and decorators: how the file authenticates its routes). The
    /// findings of a statement that asked depend on the text of every handler.
    pub fn handler_texts(&self) -> &Handlers {
        self.note_asked(Asked {
            handler_texts: true,
            ..Asked::default()
        });
        self.handlers()
    }

    /// Which calls of the file run database queries.
    pub fn databases(&self) -> &Databases {
        self.note_asked(Asked {
            databases: true,
            ..Asked::default()
        });
        self.databases
            .get_or_init(|| Databases::new(self.grammar, self.source, &self.imports))
    }

    fn note_asked(&self, asked: Asked) {
        self.asked.set(self.asked.get().union(asked));
    }

    /// The root of the file's tree.
    pub(crate) fn root(&self) -> Node<'tree> {
        self.root
    }

    /// Which file-wide facts were asked for since the last call.
    pub(crate) fn take_asked(&self) -> Asked {
        self.asked.take()
    }

    /// The file-wide facts found so far (each is found on the first question).
    pub(crate) fn found_facts(&self) -> FoundFacts<'_> {
        FoundFacts {
            handlers: self.handlers.get(),
            databases: self.databases.get(),
            module_load: self
                .module_load
                .get()
                .map(|load| (load.invoked.as_slice(), load.is_entry_point)),
        }
    }

    /// Whether the current node lies in a region the parser could not parse (inside an ERROR
    /// node). Rules that still want to find something there must check the tokens around it.
    pub fn in_error_region(&self) -> bool {
        self.error_depth > 0
    }

    /// The names that module-load code calls or constructs, with the offset of the first
    /// such call.
    pub(crate) fn module_load_calls(&self) -> &[(String, usize)] {
        &self.module_load().invoked
    }

    fn module_load(&self) -> &ModuleLoad {
        self.note_asked(Asked {
            module_load: true,
            ..Asked::default()
        });
        self.module_load
            .get_or_init(|| collect_module_load(self.grammar, self.root, self.source))
    }

    pub(crate) fn enter(&mut self, node: Node<'_>, source: &Source) {
        if node.is_error() {
            self.error_depth += 1;
        }
        let mark = if self.marked.is_empty() {
            None
        } else {
            self.take_mark(node.id())
        };
        let role = roles(self.grammar)
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Role::Other);
        // Types matter to module-load code only, which is read apart from the walk.
        if matches!(role, Role::Other | Role::JsType) && mark.is_none() {
            return;
        }
        match self.grammar {
            Grammar::Python => self.enter_python(node, source, role, mark),
            Grammar::TypeScript | Grammar::Tsx | Grammar::JavaScript => {
                self.enter_js(node, source, role, mark)
            }
        }
    }

    pub(crate) fn leave(&mut self, node: Node<'_>) {
        if node.is_error() {
            self.error_depth -= 1;
        }
        let id = node.id();
        while self.scopes.len() > 1 && self.scopes[self.scopes.len() - 1].node_id == id {
            self.scopes.pop();
        }
        while let Some(entry) = self.loops.last() {
            let entry_id = match entry {
                LoopEntry::Loop(frame) => frame.node_id,
                LoopEntry::FunctionBoundary { node_id } => *node_id,
            };
            if entry_id != id {
                break;
            }
            self.loops.pop();
        }
    }

    fn role(&self, node: Node<'_>) -> Role {
        roles(self.grammar)
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Role::Other)
    }

    fn take_mark(&mut self, id: usize) -> Option<Mark> {
        let index = self.marked.iter().position(|(marked, _)| *marked == id)?;
        Some(self.marked.swap_remove(index).1)
    }

    fn push_scope(
        &mut self,
        kind: ScopeKind,
        name: Option<String>,
        at_module_load: bool,
        node_id: usize,
    ) {
        self.scopes.push(Scope {
            kind,
            name,
            at_module_load,
            node_id,
        });
    }

    fn enter_js(&mut self, node: Node<'_>, source: &Source, role: Role, mark: Option<Mark>) {
        if role == Role::JsFunction {
            let parent_at_load = self.is_at_module_load();
            let at_load = matches!(mark, Some(Mark::ImmediatelyInvoked)) && parent_at_load;
            let name = match mark {
                Some(Mark::Named(ref name)) => Some(name.clone()),
                _ => node_name(node, source),
            };
            self.push_scope(ScopeKind::Function, name, at_load, node.id());
            if matches!(mark, Some(Mark::IterationCallback)) {
                let body = node.field("body").unwrap_or(node).byte_range();
                self.loops.push(LoopEntry::Loop(LoopFrame {
                    kind: LoopKind::IterationCallback,
                    range: node.byte_range(),
                    per_iteration: body,
                    once: None,
                    node_id: node.id(),
                }));
            } else {
                self.loops
                    .push(LoopEntry::FunctionBoundary { node_id: node.id() });
            }
            return;
        }
        match role {
            Role::JsClass => {
                let at_load = self.is_at_module_load();
                self.push_scope(
                    ScopeKind::Class,
                    node_name(node, source),
                    at_load,
                    node.id(),
                );
            }
            Role::JsField if !has_static_keyword(node) => {
                self.push_scope(ScopeKind::FieldInitializer, None, false, node.id());
                self.loops
                    .push(LoopEntry::FunctionBoundary { node_id: node.id() });
            }
            Role::JsCall => self.mark_call(node, source),
            Role::JsDeclarator => {
                let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                    return;
                };
                if name.kind() == "identifier" && self.role(value) == Role::JsFunction {
                    self.marked
                        .push((value.id(), Mark::Named(text(name, source).to_owned())));
                }
            }
            Role::JsDecorator => {
                // A decorator runs when its class is defined, even on a method's parameter.
                let at_load = self
                    .scopes
                    .iter()
                    .rev()
                    .find(|scope| matches!(scope.kind, ScopeKind::Class | ScopeKind::Module))
                    .is_some_and(|scope| scope.at_module_load);
                self.push_scope(ScopeKind::Decorator, None, at_load, node.id());
                self.loops
                    .push(LoopEntry::FunctionBoundary { node_id: node.id() });
            }
            Role::JsFor => self.push_body_loop(node, LoopKind::For),
            Role::JsForIn => self.push_body_loop(node, LoopKind::ForIn),
            Role::JsWhile => self.push_body_loop(node, LoopKind::While),
            Role::JsDoWhile => self.push_body_loop(node, LoopKind::DoWhile),
            _ => {}
        }
    }

    fn mark_call(&mut self, node: Node<'_>, source: &Source) {
        let Some(callee) = node.field("function").or_else(|| node.field("constructor")) else {
            return;
        };
        let callee_inner = unwrap_parentheses(callee);
        if self.role(callee_inner) == Role::JsFunction {
            self.marked
                .push((callee_inner.id(), Mark::ImmediatelyInvoked));
            return;
        }
        if callee.kind() != "member_expression" {
            return;
        }
        let Some(property) = callee.field("property") else {
            return;
        };
        let method = &source.text()[property.byte_range()];
        if !ITERATION_METHODS.contains(&method) {
            return;
        }
        let Some(arguments) = node.field("arguments") else {
            return;
        };
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            if self.role(argument) == Role::JsFunction {
                self.marked.push((argument.id(), Mark::IterationCallback));
            }
        }
    }

    fn push_body_loop(&mut self, node: Node<'_>, kind: LoopKind) {
        let Some(body) = node.field("body") else {
            return;
        };
        self.loops.push(LoopEntry::Loop(LoopFrame {
            kind,
            range: node.byte_range(),
            per_iteration: body.byte_range(),
            once: None,
            node_id: node.id(),
        }));
    }

    fn enter_python(&mut self, node: Node<'_>, source: &Source, role: Role, mark: Option<Mark>) {
        if let Some(Mark::PythonFunctionBody { name }) = mark {
            self.push_scope(ScopeKind::Function, name, false, node.id());
            self.loops
                .push(LoopEntry::FunctionBoundary { node_id: node.id() });
        }
        match role {
            Role::PyFunction => {
                if let Some(body) = node.field("body") {
                    let name = node_name(node, source);
                    self.marked
                        .push((body.id(), Mark::PythonFunctionBody { name }));
                }
            }
            Role::PyClass => {
                let at_load = self.is_at_module_load();
                self.push_scope(
                    ScopeKind::Class,
                    node_name(node, source),
                    at_load,
                    node.id(),
                );
            }
            Role::PyFor => self.push_body_loop(node, LoopKind::For),
            Role::PyWhile => self.push_body_loop(node, LoopKind::While),
            Role::PyComprehension => {
                let mut cursor = node.walk();
                let first_iterable = node
                    .named_children(&mut cursor)
                    .find(|child| child.kind() == "for_in_clause")
                    .and_then(|clause| clause.field("right"));
                self.loops.push(LoopEntry::Loop(LoopFrame {
                    kind: LoopKind::Comprehension,
                    range: node.byte_range(),
                    per_iteration: node.byte_range(),
                    once: first_iterable.map(|iterable| iterable.byte_range()),
                    node_id: node.id(),
                }));
            }
            _ => {}
        }
    }
}

/// What module-load code does, found before the walk.
#[derive(Debug)]
struct ModuleLoad {
    /// Plain names it calls or constructs, with the offset of the first such call.
    invoked: Vec<(String, usize)>,
    /// Whether the module is a program's entry point rather than a module others import: it
    /// calls one of its own functions as a whole statement (`main()`, `bootstrap().catch(…)`),
    /// exits the process (`process.exit`, `sys.exit`), or has `if __name__ == "__main__":`.
    is_entry_point: bool,
}

/// Walks module-load code: the top level, without entering functions (they run when called)
/// or instance fields (they run when constructed).
///
/// A call that is a whole statement of module-level code (`main()`, `void run()`) starts a
/// program; it is not module state being built, so it is not among the invoked names.
fn collect_module_load(grammar: Grammar, root: Node<'_>, source: &Source) -> ModuleLoad {
    let role_table = roles(grammar);
    let role = |node: Node<'_>| {
        role_table
            .get(node.kind_id() as usize)
            .copied()
            .unwrap_or(Role::Other)
    };
    let entry_calls = entry_point_calls(root, source);
    let own_functions = top_level_function_names(root, source);
    let mut is_entry_point = entry_calls
        .iter()
        .any(|(_, callee)| own_functions.contains(callee));
    let mut invoked: Vec<(String, usize)> = Vec::new();
    let runs_at_load = |node: Node<'_>| match role(node) {
        // Types hold no calls, and TypeScript modules are often mostly types.
        Role::JsFunction | Role::PyFunction | Role::JsType => false,
        Role::JsField => has_static_keyword(node),
        _ => true,
    };
    // One cursor over the module-load code, stepping over what does not run at load.
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        let callee = match (grammar, node.kind()) {
            (Grammar::Python, "call") => node.field("function"),
            (Grammar::Python, "if_statement") => {
                let condition = node.field("condition");
                is_entry_point |=
                    condition.is_some_and(|condition| text(condition, source).contains("__name__"));
                None
            }
            (Grammar::Python, _) => None,
            (_, "call_expression") => node.field("function"),
            (_, "new_expression") => node.field("constructor"),
            _ => None,
        };
        if let Some(callee) = callee {
            is_entry_point |= matches!(text(callee, source), "process.exit" | "sys.exit");
            let is_entry_call = entry_calls.iter().any(|(id, _)| *id == node.id());
            if callee.kind() == "identifier" && !is_entry_call {
                let name = text(callee, source);
                match invoked.iter_mut().find(|(known, _)| known == name) {
                    Some((_, offset)) => *offset = (*offset).min(node.start_byte()),
                    None => invoked.push((name.to_owned(), node.start_byte())),
                }
            }
        }
        let mut descended = cursor.goto_first_child();
        loop {
            if descended {
                let node = cursor.node();
                if node.is_named() && runs_at_load(node) {
                    continue 'walk;
                }
            }
            descended = cursor.goto_next_sibling();
            while !descended {
                if !cursor.goto_parent() {
                    break 'walk;
                }
                descended = cursor.goto_next_sibling();
            }
        }
    }
    ModuleLoad {
        invoked,
        is_entry_point,
    }
}

/// The names of the functions a file declares at its top level (`function main`,
/// `const main = async () => …`, `def main():`), exported or not.
fn top_level_function_names(root: Node<'_>, source: &Source) -> Vec<String> {
    top_level_definitions(root, source)
        .into_iter()
        .filter(|(_, value)| {
            is_function_expression(*value)
                || matches!(
                    value.kind(),
                    "function_declaration"
                        | "generator_function_declaration"
                        | "function_definition"
                )
        })
        .map(|(name, _)| name)
        .collect()
}

/// The calls that are whole statements of module-level code (at the top level, or in its
/// `if`/`else`/`try` blocks, such as Python's `if __name__ == "__main__":`), unwrapped from
/// `await`, `void`, parentheses and `.then`/`.catch`/`.finally` chains.
fn entry_point_calls(root: Node<'_>, source: &Source) -> Vec<(usize, String)> {
    let mut statements = Vec::new();
    let mut containers = vec![(root, 0)];
    while let Some((container, depth)) = containers.pop() {
        let mut cursor = container.walk();
        for statement in container.named_children(&mut cursor) {
            match statement.kind() {
                "expression_statement" => statements.push(statement),
                "if_statement" | "else_clause" | "elif_clause" | "statement_block" | "block"
                | "try_statement" | "catch_clause" | "except_clause" | "finally_clause"
                    if depth < 6 =>
                {
                    containers.push((statement, depth + 1));
                }
                _ => {}
            }
        }
    }
    statements
        .into_iter()
        .filter_map(|statement| {
            let mut expression = statement.named_child(0)?;
            loop {
                expression = match expression.kind() {
                    "await_expression" | "parenthesized_expression" | "await" => {
                        expression.named_child(0)?
                    }
                    "unary_expression" => expression.field("argument")?,
                    "call_expression" | "call" => {
                        let callee = expression.field("function")?;
                        let is_chain = matches!(callee.kind(), "member_expression" | "attribute")
                            && callee
                                .field("property")
                                .or_else(|| callee.field("attribute"))
                                .is_some_and(|method| {
                                    matches!(text(method, source), "then" | "catch" | "finally")
                                });
                        if !is_chain {
                            return Some((expression.id(), text(callee, source).to_owned()));
                        }
                        callee.field("object")?
                    }
                    _ => return None,
                };
            }
        })
        .collect()
}

fn has_static_keyword(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    let has_static = node
        .children(&mut cursor)
        .any(|child| child.kind() == "static");
    has_static
}

/// The `name` of a function, class or method; for an anonymous function assigned to a
/// variable (`const handler = () => …`), the name of that variable is not known here and
/// `None` is returned.
fn node_name(node: Node<'_>, source: &Source) -> Option<String> {
    let name = node.field("name")?;
    Some(source.text()[name.byte_range()].to_owned())
}

fn text<'a>(node: Node<'_>, source: &'a Source) -> &'a str {
    &source.text()[node.byte_range()]
}

/// The string inside a string literal node, without its quotes.
fn string_content(node: Node<'_>, source: &Source) -> Option<String> {
    let raw = text(node, source);
    let unquoted = raw.get(1..raw.len().checked_sub(1)?)?;
    Some(unquoted.to_owned())
}

fn collect_js_imports(root: Node<'_>, source: &Source) -> Imports {
    let mut entries = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        match statement.kind() {
            "import_statement" => collect_es_import(statement, source, &mut entries),
            "lexical_declaration" | "variable_declaration" => {
                collect_require(statement, source, &mut entries)
            }
            _ => {}
        }
    }
    Imports { entries }
}

fn collect_es_import(statement: Node<'_>, source: &Source, entries: &mut Vec<Import>) {
    let mut cursor = statement.walk();
    for child in statement.named_children(&mut cursor) {
        match child.kind() {
            "import_clause" => {
                let Some(module) = statement
                    .field("source")
                    .and_then(|node| string_content(node, source))
                else {
                    return;
                };
                let mut clause_cursor = child.walk();
                for part in child.named_children(&mut clause_cursor) {
                    collect_import_clause_part(part, &module, source, entries);
                }
            }
            // TypeScript's `import x = require("m")`.
            "import_require_clause" => {
                let local = child
                    .named_child(0)
                    .filter(|node| node.kind() == "identifier");
                let module = child
                    .field("source")
                    .and_then(|node| string_content(node, source));
                if let (Some(local), Some(module)) = (local, module) {
                    entries.push(Import {
                        local: text(local, source).to_owned(),
                        module,
                        imported: Imported::Module,
                    });
                }
            }
            _ => {}
        }
    }
}

fn collect_import_clause_part(
    part: Node<'_>,
    module: &str,
    source: &Source,
    entries: &mut Vec<Import>,
) {
    match part.kind() {
        "identifier" => entries.push(Import {
            local: text(part, source).to_owned(),
            module: module.to_owned(),
            imported: Imported::Default,
        }),
        "namespace_import" => {
            if let Some(local) = part.named_child(0) {
                entries.push(Import {
                    local: text(local, source).to_owned(),
                    module: module.to_owned(),
                    imported: Imported::Module,
                });
            }
        }
        "named_imports" => {
            let mut cursor = part.walk();
            for specifier in part
                .named_children(&mut cursor)
                .filter(|node| node.kind() == "import_specifier")
            {
                let Some(name) = specifier.field("name") else {
                    continue;
                };
                let local = specifier.field("alias").unwrap_or(name);
                entries.push(Import {
                    local: text(local, source).to_owned(),
                    module: module.to_owned(),
                    imported: Imported::Named(
                        text(name, source).trim_matches(['"', '\'']).to_owned(),
                    ),
                });
            }
        }
        _ => {}
    }
}

/// `const x = require("m")` and `const { a, b: c } = require("m")`.
fn collect_require(declaration: Node<'_>, source: &Source, entries: &mut Vec<Import>) {
    let mut cursor = declaration.walk();
    for declarator in declaration
        .named_children(&mut cursor)
        .filter(|node| node.kind() == "variable_declarator")
    {
        let (Some(pattern), Some(value)) = (declarator.field("name"), declarator.field("value"))
        else {
            continue;
        };
        let Some(module) = required_module(value, source) else {
            continue;
        };
        match pattern.kind() {
            "identifier" => entries.push(Import {
                local: text(pattern, source).to_owned(),
                module,
                imported: Imported::Module,
            }),
            "object_pattern" => {
                let mut pattern_cursor = pattern.walk();
                for property in pattern.named_children(&mut pattern_cursor) {
                    let (name, local) = match property.kind() {
                        "shorthand_property_identifier_pattern" => (property, property),
                        "pair_pattern" => {
                            let (Some(key), Some(value)) =
                                (property.field("key"), property.field("value"))
                            else {
                                continue;
                            };
                            if value.kind() != "identifier" {
                                continue;
                            }
                            (key, value)
                        }
                        _ => continue,
                    };
                    entries.push(Import {
                        local: text(local, source).to_owned(),
                        module: module.clone(),
                        imported: Imported::Named(text(name, source).to_owned()),
                    });
                }
            }
            _ => {}
        }
    }
}

fn required_module(value: Node<'_>, source: &Source) -> Option<String> {
    if value.kind() != "call_expression" {
        return None;
    }
    let callee = value.field("function")?;
    if text(callee, source) != "require" {
        return None;
    }
    let argument = value.field("arguments")?.named_child(0)?;
    if argument.kind() != "string" {
        return None;
    }
    string_content(argument, source)
}

/// Python imports at the top level, and inside top-level `if`/`try` blocks (the
/// `if TYPE_CHECKING:` and `try: import x except ImportError:` idioms).
fn collect_python_imports(root: Node<'_>, source: &Source) -> Imports {
    let mut entries = Vec::new();
    let mut blocks = vec![(root, 0)];
    while let Some((block, depth)) = blocks.pop() {
        let mut cursor = block.walk();
        for statement in block.named_children(&mut cursor) {
            match statement.kind() {
                "import_statement" => collect_python_import(statement, source, &mut entries),
                "import_from_statement" => {
                    collect_python_from_import(statement, source, &mut entries)
                }
                "if_statement" | "try_statement" | "else_clause" | "elif_clause"
                | "except_clause" | "finally_clause" | "block"
                    if depth < 4 =>
                {
                    blocks.push((statement, depth + 1));
                }
                _ => {}
            }
        }
    }
    Imports { entries }
}

fn collect_python_import(statement: Node<'_>, source: &Source, entries: &mut Vec<Import>) {
    let mut cursor = statement.walk();
    for name in statement.children_by_field_name("name", &mut cursor) {
        match name.kind() {
            "dotted_name" => {
                let module = text(name, source).to_owned();
                let local = module.split('.').next().unwrap_or(&module).to_owned();
                entries.push(Import {
                    local,
                    module,
                    imported: Imported::Module,
                });
            }
            "aliased_import" => {
                let (Some(dotted), Some(alias)) = (name.field("name"), name.field("alias")) else {
                    continue;
                };
                entries.push(Import {
                    local: text(alias, source).to_owned(),
                    module: text(dotted, source).to_owned(),
                    imported: Imported::Module,
                });
            }
            _ => {}
        }
    }
}

fn collect_python_from_import(statement: Node<'_>, source: &Source, entries: &mut Vec<Import>) {
    let Some(module) = statement.field("module_name") else {
        return;
    };
    let module = text(module, source).to_owned();
    let mut cursor = statement.walk();
    for name in statement.children_by_field_name("name", &mut cursor) {
        let (imported, local) = match name.kind() {
            "dotted_name" => (name, name),
            "aliased_import" => {
                let (Some(imported), Some(alias)) = (name.field("name"), name.field("alias"))
                else {
                    continue;
                };
                (imported, alias)
            }
            _ => continue,
        };
        entries.push(Import {
            local: text(local, source).to_owned(),
            module: module.clone(),
            imported: Imported::Named(text(imported, source).to_owned()),
        });
    }
}
