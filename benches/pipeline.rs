//! The per-file pipeline on one realistic TypeScript file and one realistic Python file
//! (`benches/data/`): parse and walk (no rule), and the full check with every default rule. The text and its
//! line index (`Source::new`) are built once, outside the measurement, so what is timed is
//! `check_source`: the tree-sitter parse, and for the full check the Checker's walk with the
//! semantic state, the rules, and the resolution of findings into diagnostics.
//!
//! Run with `cargo bench --bench pipeline` (add `-- --quick` for a fast, rougher run).

use std::hint::black_box;
use std::path::PathBuf;

use backlint_engine::{check_source, Grammar, RuleSet, Settings, Source};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

struct Sample {
    name: &'static str,
    path: &'static str,
    text: &'static str,
}

const SAMPLES: [Sample; 2] = [
    Sample {
        name: "typescript",
        path: "benches/data/orders_service.ts",
        text: include_str!("data/orders_service.ts"),
    },
    Sample {
        name: "python",
        path: "benches/data/billing_tasks.py",
        text: include_str!("data/billing_tasks.py"),
    },
];

fn rules() -> RuleSet {
    backlint_rules::registry()
        .enable(None, &[])
        .expect("the default rule selection is valid")
}

fn pipeline(criterion: &mut Criterion) {
    let rules = rules();
    let full = Settings::default();
    let parse_and_walk = Settings {
        parse_and_walk: true,
        ..Settings::default()
    };
    for sample in &SAMPLES {
        let grammar = Grammar::from_path(std::path::Path::new(sample.path))
            .expect("the sample has a checked extension");
        let source = Source::new(PathBuf::from(sample.path), sample.text.to_owned());

        // The samples are meant to parse cleanly and to hold a few findings, so that the full
        // check also measures the resolution of findings into diagnostics.
        let report = check_source(&source, grammar, &full, &rules);
        assert!(
            report.notifications.is_empty(),
            "{}: unexpected notifications: {:?}",
            sample.path,
            report.notifications
        );
        assert!(
            !report.diagnostics.is_empty(),
            "{}: the sample should hold findings",
            sample.path
        );

        let mut group = criterion.benchmark_group(format!("pipeline/{}", sample.name));
        group.throughput(Throughput::Bytes(sample.text.len() as u64));
        group.bench_function("parse-and-walk", |bencher| {
            bencher.iter(|| {
                check_source(
                    black_box(&source),
                    grammar,
                    black_box(&parse_and_walk),
                    black_box(&rules),
                )
            })
        });
        group.bench_function("check-all-rules", |bencher| {
            bencher.iter(|| {
                check_source(
                    black_box(&source),
                    grammar,
                    black_box(&full),
                    black_box(&rules),
                )
            })
        });
        group.finish();
    }
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
