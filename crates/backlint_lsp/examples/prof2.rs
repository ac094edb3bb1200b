use backlint_engine::{Grammar, Settings};
use backlint_lsp::document::Document;
use backlint_lsp::line_index::PositionEncoding;
use backlint_lsp::workspace::Target;
use lsp_types::{Position, Range, TextDocumentContentChangeEvent};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
fn main() {
    let sample = include_str!("../../../benches/data/orders_service.ts");
    let mut text = String::new();
    while text.lines().count() < 5000 {
        text.push_str(sample);
    }
    let text = text.lines().take(5000).collect::<Vec<_>>().join("\n") + "\n";
    let line: u32 = std::env::var("LINE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2500);
    let target = Target {
        settings: Arc::new(Settings::default()),
        rules: Arc::new(backlint_rules::registry().enable(None, &[]).unwrap()),
    };
    let mut document = Document::new(PathBuf::from("a.ts"), Grammar::TypeScript, 0, text);
    let (_, mut memo) = document.check(&target, None).unwrap();
    let n = 400;
    let mut times = vec![];
    let mut apply = vec![];
    for i in 0..n {
        let (end, t) = if i % 2 == 0 { (0, "x") } else { (1, "") };
        let change = TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position::new(line, 0),
                end: Position::new(line, end),
            }),
            range_length: None,
            text: t.to_owned(),
        };
        let start = Instant::now();
        document.apply_changes(i + 1, &[change], PositionEncoding::Utf16);
        apply.push(start.elapsed());
        let start = Instant::now();
        let (report, next) = document.check(&target, memo.as_ref()).unwrap();
        std::hint::black_box(report);
        memo = next;
        times.push(start.elapsed());
    }
    times.sort();
    apply.sort();
    println!(
        "apply p50 {:?}; check p50 {:?} p95 {:?} min {:?}; reused {}",
        apply[n as usize / 2],
        times[n as usize / 2],
        times[n as usize * 95 / 100],
        times[0],
        memo.map_or(0, |m| m.reused())
    );
}
