//! The Checker's semantic state, observed through a probe rule: every identifier named
//! `probe…` reports what the state says at that point, and each line's comment says what it
//! must say: `load` or `call` (evaluated at module load or not), the innermost loop kind or
//! `-`, and the enclosing function's name or `-`.

use std::path::PathBuf;

use backlint_engine::rule::{EnabledRule, Rule, RuleContext, RuleSet};
use backlint_engine::semantic::Imported;
use backlint_engine::{check_source, Grammar, Language, Level, Settings, Source};
use tree_sitter::Node;

struct Probe;

impl Rule for Probe {
    fn node_kinds(&self, _language: Language) -> &'static [&'static str] {
        &["identifier"]
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        if !context.text(node).starts_with("probe") {
            return;
        }
        let semantic = context.semantic;
        let state = format!(
            "{} {} {}",
            match semantic.load_trigger() {
                Some(trigger) => format!(
                    "via:{}@{}",
                    trigger.callee,
                    context.source.position(trigger.call_offset).line
                ),
                None if semantic.is_at_module_load() => "load".to_owned(),
                None => "call".to_owned(),
            },
            semantic
                .enclosing_loop(node)
                .map_or("-".to_owned(), |frame| format!("{:?}", frame.kind)),
            semantic.enclosing_function_name().unwrap_or("-"),
        );
        context.report(node, state);
    }
}

fn probe(file: &str, text: &str) {
    let grammar = Grammar::from_path(file.as_ref()).expect("known extension");
    let rules = RuleSet::new(vec![EnabledRule {
        id: "probe",
        level: Level::Note,
        rule: Box::new(Probe),
    }]);
    let source = Source::new(PathBuf::from(file), text.to_owned());
    let report = check_source(&source, grammar, &Settings::default(), &rules);
    let mut failures = Vec::new();
    let mut expected_count = 0;
    for (index, line) in text.lines().enumerate() {
        let Some((_, expected)) = line.rsplit_once(if grammar == Grammar::Python {
            "# is: "
        } else {
            "// is: "
        }) else {
            continue;
        };
        expected_count += expected.split(", ").count();
        let found: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.start.line == index + 1)
            .map(|diagnostic| diagnostic.message.as_str())
            .collect();
        if found.join(", ") != expected.trim() {
            failures.push(format!(
                "line {}: expected `{}`, found {found:?}\n    {line}",
                index + 1,
                expected.trim()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        report.diagnostics.len(),
        expected_count,
        "every probe line must say what it expects"
    );
}

#[test]
fn javascript_scopes_and_loops() {
    probe(
        "module.ts",
        r#"
const a = probeTop; // is: load - -
function handler() {
  return probeInFunction; // is: call - handler
}
const arrow = () => probeInArrow; // is: call - arrow
(function iife() {
  probeInIife; // is: load - iife
})();
(() => probeInArrowIife)(); // is: load - -
class Metrics {
  static registry = probeStatic; // is: load - -
  counter = probeInstanceField; // is: via:Metrics@40 - -
  static {
    probeStaticBlock; // is: load - -
  }
  constructor(prefix = probeDefault) { // is: via:Metrics@40 - constructor
    this.prefix = prefix;
  }
  get value() {
    return probeGetter; // is: call - value
  }
}
for (const user of probeIterable) { // is: load - -
  probeForOfBody; // is: load ForIn -
}
for (let i = 0; i < 3; i++) probeForBody; // is: load For -
while (probeCondition) { probeWhileBody; } // is: load - -, load While -
async function load(items) {
  await Promise.all(items.map(async (item) => probeMapCallback)); // is: call IterationCallback load
  items.forEach(function each(item) { probeForEach; }); // is: call IterationCallback each
  for (const item of items) {
    const later = () => probeDefinedInLoop; // is: call - later
    items.filter((x) => probeFilter); // is: call IterationCallback load
    do { probeDoWhile; } while (false); // is: call DoWhile load
    probeLoopInFunction; // is: call ForIn load
  }
  return probeAfterLoop; // is: call - load
}
export default new Metrics(probeArgument); // is: load - -
@Controller(probeClassDecorator) // is: load - -
class Users {
  constructor(@Inject(probeParameterDecorator) repository) {} // is: load - constructor
  @Get(probeMethodDecorator) // is: load - -
  list() {}
}
const createClient = async (url = probeArrowDefault) => { // is: via:createClient@53 - createClient
  return probeNamedArrow; // is: via:createClient@53 - createClient
};
function neverCalled() {
  return probeNotCalled; // is: call - neverCalled
}
const client = createClient();
"#,
    );
}

#[test]
fn python_scopes_and_loops() {
    probe(
        "module.py",
        r#"
a = probe_top  # is: load - -
def handler(request, limit=probe_default):  # is: load - -
    return probe_in_function  # is: call - handler
@decorator(probe_decorator)  # is: load - -
def decorated():
    pass
class Settings:
    url = probe_class_body  # is: load - -
    def method(self):
        return probe_method  # is: call - method
key = lambda item: probe_lambda  # is: call - -
for row in probe_iterable:  # is: load - -
    probe_for_body  # is: load For -
else:
    probe_for_else  # is: load - -
while probe_condition:  # is: load - -
    probe_while_body  # is: load While -
def load(items):
    names = [probe_element for item in probe_first_iterable]  # is: via:load@31 Comprehension load, via:load@31 - load
    for item in items:
        def later():
            return probe_defined_in_loop  # is: call - later
        probe_in_loop  # is: via:load@31 For load
class Client:
    def __init__(self):
        self.url = probe_init  # is: via:Client@30 - __init__
    def connect(self):
        return probe_not_init  # is: call - connect
client = Client()
loaded = load([])
"#,
    );
}

#[test]
fn imports_are_collected_from_the_top_level() {
    let text = r#"
import defaultExport, { named, original as alias } from "@prisma/client";
import * as z from "zod";
import express = require("express");
const { Pool } = require("pg");
const knex = require("knex");
function inner() { const hidden = require("hidden"); }
"#;
    let grammar = Grammar::TypeScript;
    let source = Source::new(PathBuf::from("a.ts"), text.to_owned());
    let tree = backlint_engine::parse::parse(grammar, text).expect("parses");
    let semantic = backlint_engine::semantic::Semantic::new(grammar, tree.root_node(), &source);
    let imports = semantic.imports();
    let table: Vec<(&str, &str, &Imported)> = imports
        .entries()
        .iter()
        .map(|import| {
            (
                import.local.as_str(),
                import.module.as_str(),
                &import.imported,
            )
        })
        .collect();
    assert_eq!(
        table,
        vec![
            ("defaultExport", "@prisma/client", &Imported::Default),
            (
                "named",
                "@prisma/client",
                &Imported::Named("named".to_owned())
            ),
            (
                "alias",
                "@prisma/client",
                &Imported::Named("original".to_owned())
            ),
            ("z", "zod", &Imported::Module),
            ("express", "express", &Imported::Module),
            ("Pool", "pg", &Imported::Named("Pool".to_owned())),
            ("knex", "knex", &Imported::Module),
        ]
    );
    assert!(imports.has_module("@prisma/client"));
    assert!(imports.has_module("@prisma"));
    assert!(!imports.has_module("@pris"));
    assert!(imports.resolve("hidden").is_none());
}

#[test]
fn python_imports_include_guarded_blocks() {
    let text = r#"
import os
import os.path as osp
from fastapi import FastAPI, Depends as D
from .models import User
try:
    import ujson as json
except ImportError:
    import json
def inner():
    import hidden
"#;
    let grammar = Grammar::Python;
    let source = Source::new(PathBuf::from("a.py"), text.to_owned());
    let tree = backlint_engine::parse::parse(grammar, text).expect("parses");
    let semantic = backlint_engine::semantic::Semantic::new(grammar, tree.root_node(), &source);
    let imports = semantic.imports();
    assert_eq!(
        imports.resolve("os").map(|import| import.module.as_str()),
        Some("os")
    );
    assert_eq!(
        imports.resolve("osp").map(|import| import.module.as_str()),
        Some("os.path")
    );
    assert_eq!(
        imports.resolve("D").map(|import| &import.imported),
        Some(&Imported::Named("Depends".to_owned()))
    );
    assert_eq!(
        imports.resolve("User").map(|import| import.module.as_str()),
        Some(".models")
    );
    assert!(imports.resolve("json").is_some());
    assert!(imports.has_module("fastapi"));
    assert!(imports.resolve("hidden").is_none());
}
