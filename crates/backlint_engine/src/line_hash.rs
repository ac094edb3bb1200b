//! GitHub code scanning's `primaryLocationLineHash`: a port of the rolling hash of
//! github/codeql-action's `src/fingerprints.ts`. GitHub tracks an alert across commits by this
//! value; when a SARIF result lacks it, the upload action computes it from the file and warns
//! when a tool's own value differs, so it must be computed exactly the same way.
//!
//! The hash of a line covers the first 100 characters (UTF-16 code units) from the start of
//! that line on, skipping spaces and tabs, with `\r\n` and `\r` read as `\n`; the end of the
//! file is a 65535 followed by zeros. A value is `hash:occurrence`, the occurrence counting the
//! earlier lines of the file with the same hash.

use std::collections::HashMap;
use std::ops::ControlFlow;

const BLOCK_SIZE: usize = 100;
const MOD: u64 = 37;
const END_OF_FILE: u16 = 65535;
const TAB: u16 = b'\t' as u16;
const SPACE: u16 = b' ' as u16;
const LINE_FEED: u16 = b'\n' as u16;
const CARRIAGE_RETURN: u16 = b'\r' as u16;

/// One line's hash, and how many lines up to this one (itself included) have the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineHash {
    pub hash: u64,
    pub occurrence: usize,
}

impl std::fmt::Display for LineHash {
    /// GitHub's form: `hash:occurrence`, the hash in lowercase hex.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:x}:{}", self.hash, self.occurrence)
    }
}

/// Calls `found(line, hash)` for every line of `units` (1-based lines, in order) until it
/// breaks: the file's UTF-16 code units as a reader decodes it, a byte order mark included.
pub fn line_hashes(
    units: impl Iterator<Item = u16>,
    mut found: impl FnMut(usize, LineHash) -> ControlFlow<()>,
) {
    let mut hasher = RollingHash::new();
    for unit in units {
        if hasher.push(unit, &mut found).is_break() {
            return;
        }
    }
    if hasher.push(END_OF_FILE, &mut found).is_break() {
        return;
    }
    for _ in 0..BLOCK_SIZE {
        if hasher.line_numbers[hasher.index].is_some() && hasher.output(&mut found).is_break() {
            return;
        }
        hasher.update(0);
    }
}

struct RollingHash {
    window: [u16; BLOCK_SIZE],
    /// The line that starts at each position of the window, if one does.
    line_numbers: [Option<usize>; BLOCK_SIZE],
    hash: u64,
    /// `MOD` to the power `BLOCK_SIZE`: the weight of the character leaving the window.
    first_mod: u64,
    index: usize,
    line_number: usize,
    at_line_start: bool,
    after_carriage_return: bool,
    counts: HashMap<u64, usize>,
}

impl RollingHash {
    fn new() -> RollingHash {
        RollingHash {
            window: [0; BLOCK_SIZE],
            line_numbers: [None; BLOCK_SIZE],
            hash: 0,
            first_mod: (0..BLOCK_SIZE).fold(1u64, |power, _| power.wrapping_mul(MOD)),
            index: 0,
            line_number: 0,
            at_line_start: true,
            after_carriage_return: false,
            counts: HashMap::new(),
        }
    }

    fn push(
        &mut self,
        unit: u16,
        found: &mut impl FnMut(usize, LineHash) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if unit == SPACE || unit == TAB || (self.after_carriage_return && unit == LINE_FEED) {
            self.after_carriage_return = false;
            return ControlFlow::Continue(());
        }
        let unit = if unit == CARRIAGE_RETURN {
            self.after_carriage_return = true;
            LINE_FEED
        } else {
            self.after_carriage_return = false;
            unit
        };
        if self.line_numbers[self.index].is_some() {
            self.output(found)?;
        }
        if self.at_line_start {
            self.at_line_start = false;
            self.line_number += 1;
            self.line_numbers[self.index] = Some(self.line_number);
        }
        if unit == LINE_FEED {
            self.at_line_start = true;
        }
        self.update(unit);
        ControlFlow::Continue(())
    }

    fn output(
        &mut self,
        found: &mut impl FnMut(usize, LineHash) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let occurrence = self.counts.entry(self.hash).or_insert(0);
        *occurrence += 1;
        match self.line_numbers[self.index].take() {
            Some(line) => found(
                line,
                LineHash {
                    hash: self.hash,
                    occurrence: *occurrence,
                },
            ),
            None => ControlFlow::Continue(()),
        }
    }

    fn update(&mut self, unit: u16) {
        let leaving = self.window[self.index];
        self.window[self.index] = unit;
        self.hash = MOD
            .wrapping_mul(self.hash)
            .wrapping_add(u64::from(unit))
            .wrapping_sub(self.first_mod.wrapping_mul(u64::from(leaving)));
        self.index = (self.index + 1) % BLOCK_SIZE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(text: &str) -> Vec<String> {
        let mut all = Vec::new();
        line_hashes(text.encode_utf16(), |line, hash| {
            assert_eq!(line, all.len() + 1, "lines come in order");
            all.push(hash.to_string());
            ControlFlow::Continue(())
        });
        all
    }

    // The test vectors of codeql-action's `src/fingerprints.test.ts`.
    #[test]
    fn an_empty_file_has_one_line() {
        assert_eq!(hashes(""), ["c129715d7a2bc9a3:1"]);
    }

    #[test]
    fn spaces_and_tabs_are_skipped() {
        assert_eq!(
            hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        assert_eq!(
            hashes(" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End"),
            [
                "8b7cf3e952e7aeb2:1",
                "b1ae1287ec4718d9:1",
                "bff680108adb0fcc:1",
                "c6805c5e1288b612:1",
                "b86d3392aea1be30:1",
                "e6ceba753e1a442:1"
            ]
        );
    }

    #[test]
    fn every_line_ending_hashes_alike() {
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(hashes(text), expected, "{text:?}");
        }
    }

    #[test]
    fn identical_hashes_are_counted() {
        assert_eq!(
            hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10)),
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
                "a9cf91f7bbf1862b:1",
                "55ec222b86bcae53:1",
                "cc97dc7b1d7d8f7b:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        assert_eq!(
            hashes("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n"),
            [
                "e54938cc54b302f1:1",
                "bb609acbe9138d60:1",
                "1131fd5871777f34:1",
                "5c482a0f8b35ea28:1",
                "54517377da7028d2:1",
                "2c644846cb18d53e:1",
                "f1b89f20de0d133:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }
}
