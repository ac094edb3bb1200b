//! The contract between the engine and the rules: what a rule declares, what it is given, and
//! how the enabled rules are routed by node kind.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

use aho_corasick::AhoCorasick;
use serde::de::DeserializeOwned;
use tree_sitter::Node;

use crate::diagnostic::{Finding, Level};
use crate::language::{Grammar, Language};
use crate::semantic::{Imports, Semantic};
use crate::source::Source;

/// A rule. It declares the node kinds it wants and is handed each such node once, on the
/// Checker's single walk of the file. Rules keep no mutable state: one instance serves every
/// file on every thread. What a rule computes about a file once is kept for the rest of its
/// walk by [`RuleContext::memo`].
///
/// What a rule finds in a top-level statement depends only on that statement's text, on what
/// the semantic model says of the file (imports, handlers, databases, module-load code), and
/// on the module-level assignments of other statements: the language server reuses the
/// findings of the statements an edit did not touch on those terms (`reuse`). A rule that
/// needs more of the file asks the semantic model, which then includes it in those terms.
pub trait Rule: Send + Sync {
    /// The tree-sitter node kinds the rule inspects in `language` (named kinds such as
    /// `call_expression`, or anonymous tokens such as `any`); empty where the rule does not apply.
    fn node_kinds(&self, language: Language) -> &'static [&'static str];

    /// Inspects one node of a kind the rule declared, and reports through `context`.
    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>);

    /// Whether the rule looks at this file at all, asked once per file before the walk: not
    /// when its `ignore-paths` cover the file (a rule about one library could also say no to
    /// a file that does not import it). A rule that says no is handed none of the file's
    /// nodes, which saves a glob match at every one of them.
    fn checks_file(&self, _file: &FileFacts<'_>) -> bool {
        true
    }

    /// Words of which a file of `language` must hold one for the rule to report anything in
    /// it (`except` for `bare-except`), matched anywhere in its text, ignoring ASCII case. A
    /// file that holds none of the words of any of its rules is not parsed at all. Empty (the
    /// default): the rule may report in any file, and every file of the language is parsed.
    fn required_words(&self, _language: Language) -> Vec<String> {
        Vec::new()
    }
}

/// What is known of a file before its walk, for [`Rule::checks_file`].
pub struct FileFacts<'a> {
    /// Relative to the project's root ([`Source::project_path`]), for path globs.
    pub path: &'a std::path::Path,
    pub grammar: Grammar,
    pub imports: &'a Imports,
}

/// Makes a rule from its options table in the configuration (or none: the defaults).
pub type RuleConstructor = fn(Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError>;

/// How a rule is made: its id, its documentation (`rules/<id>.toml`) and its constructor, which
/// receives the rule's options table from the configuration (or none).
pub struct RuleSpec {
    pub id: &'static str,
    pub docs: &'static str,
    pub new: RuleConstructor,
}

/// A rule's options did not match what it accepts.
#[derive(Debug, thiserror::Error)]
#[error("invalid options for rule `{rule}`: {message}")]
pub struct OptionsError {
    pub rule: &'static str,
    pub message: String,
}

/// Reads a rule's typed options from its configuration table; the defaults when there is none.
pub fn parse_options<T: DeserializeOwned + Default>(
    rule: &'static str,
    table: Option<&toml::Table>,
) -> Result<T, OptionsError> {
    match table {
        None => Ok(T::default()),
        Some(table) => {
            T::deserialize(toml::Value::Table(table.clone())).map_err(|error| OptionsError {
                rule,
                message: error.message().to_owned(),
            })
        }
    }
}

/// What a rule sees while it checks a node, and where its findings go.
pub struct RuleContext<'a> {
    pub source: &'a Source,
    pub semantic: &'a Semantic<'a>,
    pub grammar: Grammar,
    /// The ancestors of the node being checked, the root first.
    pub(crate) ancestors: &'a [Node<'a>],
    pub(crate) memos: &'a RefCell<Memos>,
    pub(crate) rule_index: usize,
    pub(crate) findings: &'a mut Vec<(usize, Finding)>,
}

/// What the rules computed about the file being checked, by rule, kept until its walk ends
/// (see [`RuleContext::memo`]).
#[derive(Default)]
pub(crate) struct Memos {
    /// By rule index and the types of the key and value: a `HashMap<K, V>`.
    tables: HashMap<(usize, TypeId), Box<dyn Any>>,
}

impl<'a> RuleContext<'a> {
    /// The ancestors of the node being checked, its parent first. They are kept by the walk,
    /// so climbing costs nothing, where each `Node::parent` descends from the root of the
    /// file: a rule that climbs from every node of a deep expression that way takes the
    /// square of its depth.
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'a>> + '_ {
        self.ancestors.iter().rev().copied()
    }

    /// What `compute` gives for `key`, computed once per file and rule. A rule is handed each
    /// query in a loop, or each log call in a function, and what it must know of that loop or
    /// function (computed from all of it) is the same for each: recomputing it every time
    /// costs the square of the loop's size. Keys are usually node ids, which stay unique
    /// while the file is checked; `compute` must depend on the key alone.
    pub fn memo<K, V>(&self, key: K, compute: impl FnOnce() -> V) -> V
    where
        K: Hash + Eq + 'static,
        V: Clone + 'static,
    {
        let table_key = (self.rule_index, TypeId::of::<(K, V)>());
        let known = self
            .memos
            .borrow()
            .tables
            .get(&table_key)
            .and_then(|table| table.downcast_ref::<HashMap<K, V>>())
            .and_then(|table| table.get(&key).cloned());
        if let Some(value) = known {
            return value;
        }
        let value = compute();
        let mut memos = self.memos.borrow_mut();
        let table = memos
            .tables
            .entry(table_key)
            .or_insert_with(|| Box::new(HashMap::<K, V>::new()));
        if let Some(table) = table.downcast_mut::<HashMap<K, V>>() {
            table.insert(key, value.clone());
        }
        value
    }

    /// The text of a node.
    pub fn text(&self, node: Node<'_>) -> &str {
        &self.source.text()[node.byte_range()]
    }

    /// Reports a finding on `node`. The returned finding can be given related locations and a fix.
    pub fn report(&mut self, node: Node<'_>, message: impl Into<String>) -> &mut Finding {
        self.report_range(node.byte_range(), message)
    }

    pub fn report_range(
        &mut self,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> &mut Finding {
        let finding = Finding {
            enclosing_function: self.semantic.enclosing_function_name().map(str::to_owned),
            ..Finding::new(range, message.into())
        };
        self.findings.push((self.rule_index, finding));
        let last = self.findings.len() - 1;
        &mut self.findings[last].1
    }
}

/// A rule that is switched on, at the level it reports at.
pub struct EnabledRule {
    pub id: &'static str,
    pub level: Level,
    pub rule: Box<dyn Rule>,
}

/// The enabled rules and, per grammar, the table from tree-sitter kind id to the rules that
/// want that kind: dispatch is one array lookup per node.
pub struct RuleSet {
    rules: Vec<EnabledRule>,
    dispatch: Vec<Vec<Vec<u16>>>,
    /// Per grammar: the words without which no enabled rule reports in a file, when every
    /// rule that looks at the grammar's files declared some.
    prefilters: Vec<Option<AhoCorasick>>,
    suppression_policy: SuppressionPolicy,
    /// A hash of the rules' options, from the configuration they were made with.
    options_key: u64,
}

/// How suppression comments are read under a rule set.
#[derive(Debug, Clone, Default)]
pub struct SuppressionPolicy {
    /// Every rule id backlint has: a suppression naming another is reported.
    pub known_rules: Vec<&'static str>,
    /// Report `backlint-ignore` comments without a reason.
    pub require_reason: bool,
}

impl RuleSet {
    pub fn new(rules: Vec<EnabledRule>) -> RuleSet {
        let dispatch = Grammar::ALL
            .iter()
            .map(|&grammar| {
                let language = grammar.tree_sitter_language();
                let mut table = vec![Vec::new(); language.node_kind_count()];
                for (index, enabled) in rules.iter().enumerate() {
                    for kind in enabled.rule.node_kinds(grammar.language()) {
                        // A kind can have several ids (aliases), so every id is looked at,
                        // not just the first that `id_for_node_kind` would return.
                        for (id, slot) in table.iter_mut().enumerate() {
                            let id = id as u16;
                            if language.node_kind_for_id(id) == Some(kind) {
                                slot.push(index as u16);
                            }
                        }
                    }
                }
                table
            })
            .collect();
        let prefilters = Grammar::ALL
            .iter()
            .zip(&dispatch)
            .map(|(grammar, table): (&Grammar, &Vec<Vec<u16>>)| {
                prefilter(&rules, grammar.language(), table)
            })
            .collect();
        let suppression_policy = SuppressionPolicy {
            known_rules: rules.iter().map(|enabled| enabled.id).collect(),
            require_reason: false,
        };
        RuleSet {
            rules,
            dispatch,
            prefilters,
            suppression_policy,
            options_key: 0,
        }
    }

    /// Records a hash of the options the rules were made with, part of [`RuleSet::key`].
    pub fn with_options_key(mut self, options_key: u64) -> RuleSet {
        self.options_key = options_key;
        self
    }

    /// A hash of everything in the rule set that a file's results depend on: the rules, their
    /// levels and options, and how suppression comments are read. The results cache keys on it.
    pub fn key(&self) -> u64 {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for enabled in &self.rules {
            hasher.update(enabled.id.as_bytes());
            hasher.update(&[0, enabled.level as u8]);
        }
        hasher.update(&self.options_key.to_le_bytes());
        for id in &self.suppression_policy.known_rules {
            hasher.update(id.as_bytes());
            hasher.update(&[0]);
        }
        hasher.update(&[u8::from(self.suppression_policy.require_reason)]);
        hasher.digest()
    }

    pub fn with_suppression_policy(mut self, policy: SuppressionPolicy) -> RuleSet {
        self.suppression_policy = policy;
        self
    }

    pub fn suppression_policy(&self) -> &SuppressionPolicy {
        &self.suppression_policy
    }

    /// The index of an enabled rule.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|enabled| enabled.id == id)
    }

    pub fn rules(&self) -> &[EnabledRule] {
        &self.rules
    }

    /// Whether any enabled rule looks at files of this grammar.
    pub fn applies_to(&self, grammar: Grammar) -> bool {
        self.dispatch[grammar.index()]
            .iter()
            .any(|rules| !rules.is_empty())
    }

    /// Whether a rule could report in a file of `grammar` with this text; `false` only when
    /// the text holds none of the words the rules require.
    pub fn may_report(&self, grammar: Grammar, text: &str) -> bool {
        self.prefilters[grammar.index()]
            .as_ref()
            .is_none_or(|words| words.is_match(text))
    }

    pub(crate) fn rules_for(&self, grammar: Grammar, kind_id: u16) -> &[u16] {
        self.dispatch[grammar.index()]
            .get(kind_id as usize)
            .map_or(&[], Vec::as_slice)
    }
}

/// The automaton of the words that a grammar's rules require (`Rule::required_words`), or
/// `None` when some rule that looks at the grammar's files requires none. A file holding a
/// suppression comment is always parsed, since the comment itself can be reported.
fn prefilter(
    rules: &[EnabledRule],
    language: Language,
    dispatch: &[Vec<u16>],
) -> Option<AhoCorasick> {
    let mut applicable: Vec<usize> = dispatch
        .iter()
        .flatten()
        .map(|&index| index as usize)
        .collect();
    applicable.sort_unstable();
    applicable.dedup();
    let mut words = vec![crate::suppression::SUPPRESSION_MARKER.to_owned()];
    for index in applicable {
        let required = rules[index].rule.required_words(language);
        if required.is_empty() {
            return None;
        }
        words.extend(required);
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .ok()
}
