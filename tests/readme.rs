//! The README's reference tables are checked against the code, so that they cannot drift:
//! the configuration keys, the other tools' equivalent rules, and the rule table.

use std::path::Path;

use backlint_engine::config::TOP_LEVEL_KEYS;
use backlint_engine::suppression::foreign::EQUIVALENTS;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// The cells of each row of the first table after `heading`, header and rule line left out.
fn table_after(readme: &str, heading: &str) -> Vec<Vec<String>> {
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    readme[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|line| {
            line.replace("\\|", "\u{0}")
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().replace('\u{0}', "|"))
                .collect()
        })
        .collect()
}

fn code_list(cell: &str) -> Vec<String> {
    cell.split(", ")
        .filter(|item| !item.is_empty())
        .map(|item| item.trim_matches('`').to_owned())
        .collect()
}

#[test]
fn the_configuration_keys_are_the_ones_the_loader_accepts() {
    let rows = table_after(&readme(), "### Keys");
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|row| (row[0].trim_matches('`').to_owned(), row[1].clone()))
        .collect();
    let accepted: Vec<(String, String)> = TOP_LEVEL_KEYS
        .iter()
        .map(|(key, kind)| ((*key).to_owned(), (*kind).to_owned()))
        .collect();
    assert_eq!(documented, accepted);
}

#[test]
fn the_equivalents_table_is_the_engines() {
    let rows = table_after(&readme(), "| backlint rule | ESLint / oxlint |");
    assert_eq!(rows.len(), EQUIVALENTS.len());
    for (row, equivalent) in rows.iter().zip(EQUIVALENTS) {
        assert_eq!(row[0].trim_matches('`'), equivalent.rule);
        assert_eq!(code_list(&row[1]), equivalent.eslint, "{}", equivalent.rule);
        assert_eq!(code_list(&row[2]), equivalent.biome, "{}", equivalent.rule);
        assert_eq!(code_list(&row[3]), equivalent.noqa, "{}", equivalent.rule);
        assert_eq!(code_list(&row[4]), equivalent.nosec, "{}", equivalent.rule);
        assert_eq!(
            row[5] == "yes",
            equivalent.secret_pragmas,
            "{}",
            equivalent.rule
        );
    }
}

#[test]
fn the_rule_table_lists_every_rule_at_its_level() {
    let rows = table_after(&readme(), "## Rules");
    let documented: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            let id = row[0]
                .trim_start_matches("[`")
                .split('`')
                .next()
                .unwrap_or_default()
                .to_owned();
            (id, row[2].clone())
        })
        .collect();
    let registered: Vec<(String, String)> = backlint_rules::registry()
        .iter()
        .map(|(_, docs)| (docs.id.clone(), docs.level.name().to_owned()))
        .collect();
    assert_eq!(documented, registered);
}
