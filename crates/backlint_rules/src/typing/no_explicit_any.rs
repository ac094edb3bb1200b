//! no-explicit-any: the `any` type, which switches the type checker off for everything that
//! touches the value.

use backlint_engine::diagnostic::{Applicability, FindingFix};
use backlint_engine::rule::{parse_options, OptionsError, Rule, RuleContext, RuleSpec};
use backlint_engine::syntax::Fields;
use backlint_engine::Language;
use serde::Deserialize;
use tree_sitter::Node;

pub const SPEC: RuleSpec = RuleSpec {
    id: "no-explicit-any",
    docs: include_str!("../../../../rules/no-explicit-any.toml"),
    new,
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
struct Options {
    /// Allow `any` as the element type of a rest parameter (`...args: any[]`).
    ignore_rest_args: bool,
}

fn new(options: Option<&toml::Table>) -> Result<Box<dyn Rule>, OptionsError> {
    let options: Options = parse_options(SPEC.id, options)?;
    Ok(Box::new(NoExplicitAny {
        ignore_rest_args: options.ignore_rest_args,
    }))
}

fn explicit_any_message() -> &'static str {
    "Unexpected `any`: use `unknown` and narrow it with a type guard, or a specific type."
}

struct NoExplicitAny {
    ignore_rest_args: bool,
}

impl Rule for NoExplicitAny {
    fn node_kinds(&self, language: Language) -> &'static [&'static str] {
        match language {
            // `identifier` and the bare `any` token only matter in regions the parser could not
            // parse, where `any` is not wrapped in a `predefined_type`.
            Language::TypeScript => &["predefined_type", "identifier", "any"],
            Language::JavaScript | Language::Python => &[],
        }
    }

    /// The `any` keyword.
    fn required_words(&self, _language: Language) -> Vec<String> {
        ["any"].map(str::to_owned).to_vec()
    }

    fn check(&self, node: Node<'_>, context: &mut RuleContext<'_>) {
        if context.text(node) != "any" {
            return;
        }
        let is_type = match node.kind() {
            "predefined_type" => !is_misparsed_parameter_name(context),
            _ => context.semantic.in_error_region() && follows_type_position_token(node, context),
        };
        if !is_type || (self.ignore_rest_args && is_rest_args_element(context)) {
            return;
        }
        context.report(node, explicit_any_message()).fix = Some(FindingFix {
            applicability: Applicability::Unsafe,
            message: "Replace with `unknown`".to_owned(),
            edits: vec![(node.byte_range(), "unknown".to_owned())],
        });
    }
}

/// Whether `any` is really a parameter *name* that the grammar misread as a type: in the
/// function type `(any) => void`, tree-sitter-typescript 0.23.2 parses `(any)` as a
/// parenthesized type and leaves `=> void` as an ERROR. TypeScript reads a parameter named
/// `any` (of implicit type), which typescript-eslint does not report. The nodes around `any`
/// are the walk's ancestors, not `Node::parent`'s, which costs the depth of the node: `x as
/// any as any …` nests them as deep as it is long.
fn is_misparsed_parameter_name(context: &RuleContext<'_>) -> bool {
    let mut ancestors = context.ancestors();
    let Some(mut node) = ancestors
        .next()
        .filter(|parent| parent.kind() == "parenthesized_type")
    else {
        return false;
    };
    // The ERROR follows the parenthesized type, or the annotation or member it ends.
    for _ in 0..3 {
        match node.next_sibling() {
            Some(next) => {
                return next.is_error() && next.child(0).is_some_and(|first| first.kind() == "=>");
            }
            None => match ancestors.next() {
                Some(parent) => node = parent,
                None => return false,
            },
        }
    }
    false
}

/// Whether the token before `any` (in a region the parser could not parse) is one that only
/// a type follows: `x: any`, `as any`, `<any`, `extends any`, `| any`, `& any`, `=> any`.
/// A variable named `any` after a comma or a parenthesis is left alone.
fn follows_type_position_token(any: Node<'_>, context: &RuleContext<'_>) -> bool {
    let mut previous = any.prev_sibling();
    while let Some(token) = previous.filter(|token| token.kind() == "comment") {
        previous = token.prev_sibling();
    }
    previous.is_some_and(|token| {
        matches!(
            context.text(token),
            ":" | "as" | "<" | "extends" | "|" | "&" | "=>" | "keyof" | "satisfies"
        )
    })
}

/// Whether `any` is the element type of a rest parameter's array type, as typescript-eslint's
/// `ignoreRestArgs` reads it: `...args: any[]`, `readonly any[]`, `Array<any>`,
/// `ReadonlyArray<any>`.
fn is_rest_args_element(context: &RuleContext<'_>) -> bool {
    let mut ancestors = context.ancestors();
    let Some(mut array_type) = ancestors.next() else {
        return false;
    };
    match array_type.kind() {
        "array_type" => {}
        "type_arguments" => {
            let Some(generic) = ancestors
                .next()
                .filter(|generic| generic.kind() == "generic_type")
            else {
                return false;
            };
            array_type = generic;
        }
        _ => return false,
    }
    if array_type.kind() == "generic_type" {
        let name = array_type.field("name");
        if !name.is_some_and(|name| matches!(context.text(name), "Array" | "ReadonlyArray")) {
            return false;
        }
    }
    let Some(mut annotation) = ancestors.next() else {
        return false;
    };
    if annotation.kind() == "readonly_type" {
        let Some(parent) = ancestors.next() else {
            return false;
        };
        annotation = parent;
    }
    if annotation.kind() != "type_annotation" {
        return false;
    }
    let Some(parameter) = ancestors
        .next()
        .filter(|parameter| parameter.kind() == "required_parameter")
    else {
        return false;
    };
    parameter
        .field("pattern")
        .is_some_and(|pattern| pattern.kind() == "rest_pattern")
}
