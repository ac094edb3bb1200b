//! Fingerprints that survive unrelated edits: they hash what a finding is about, never where
//! it is, so inserting lines above a finding or reformatting its whitespace keeps its
//! fingerprint.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_128;

/// What identifies one finding, before the occurrence index is known.
pub struct FingerprintInput<'a> {
    pub rule: &'a str,
    pub path: &'a str,
    pub line_text: &'a str,
    pub enclosing_function: Option<&'a str>,
}

/// Computes the fingerprints of a file's findings, given in source order. Identical inputs
/// (the same rule on two identical lines of one function) are told apart by their occurrence
/// index.
pub fn fingerprints<'a>(inputs: impl IntoIterator<Item = FingerprintInput<'a>>) -> Vec<String> {
    let mut occurrences: HashMap<String, usize> = HashMap::new();
    // The findings of a line come one after the other: its normalized text is made once for
    // them all, since a long minified line can hold thousands.
    let mut last_line: Option<(&str, String)> = None;
    inputs
        .into_iter()
        .map(|input| {
            let normalized_line = match &last_line {
                Some((line, normalized)) if *line == input.line_text => normalized.clone(),
                _ => {
                    // Without any whitespace, so that re-indenting or reformatting the line
                    // (`f( a,b )` → `f(a, b)`) keeps the fingerprint.
                    let normalized: String = input
                        .line_text
                        .chars()
                        .filter(|character| !character.is_whitespace())
                        .collect();
                    last_line = Some((input.line_text, normalized.clone()));
                    normalized
                }
            };
            let key = format!(
                "{}\u{0}{}\u{0}{}\u{0}{}",
                input.rule,
                input.path,
                normalized_line,
                input.enclosing_function.unwrap_or("")
            );
            let occurrence = occurrences.entry(key.clone()).or_insert(0);
            let hash = xxh3_128(format!("{key}\u{0}{occurrence}").as_bytes());
            *occurrence += 1;
            format!("{hash:032x}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(line_text: &'a str, function: Option<&'a str>) -> FingerprintInput<'a> {
        FingerprintInput {
            rule: "bare-except",
            path: "app/views.py",
            line_text,
            enclosing_function: function,
        }
    }

    #[test]
    fn whitespace_does_not_change_a_fingerprint() {
        let a = fingerprints([input("    except:", Some("view"))]);
        let b = fingerprints([input("except:   ", Some("view"))]);
        assert_eq!(a, b);
        let c = fingerprints([input("x = f( a,b )", Some("view"))]);
        let d = fingerprints([input("x = f(a, b)", Some("view"))]);
        assert_eq!(c, d);
    }

    #[test]
    fn identical_lines_get_distinct_fingerprints() {
        let both = fingerprints([
            input("except:", Some("view")),
            input("except:", Some("view")),
        ]);
        assert_ne!(both[0], both[1]);
    }

    #[test]
    fn the_enclosing_function_is_part_of_the_fingerprint() {
        let a = fingerprints([input("except:", Some("view"))]);
        let b = fingerprints([input("except:", Some("other"))]);
        assert_ne!(a, b);
    }
}
