//! The benchmarks page's generated sections: replaced in place, appended the first time, the prose
//! around them untouched, the targets' rows keyed by target.

use super::*;

const PROSE: &str = "# Benchmarks\n\nWritten by a person.\n\n## Ingest\n\nMore prose.\n";

#[test]
fn a_new_section_is_appended_after_the_prose() {
    let doc = replace_section(PROSE, "ingest:sqlite", "table one\n").unwrap();
    assert_eq!(
        doc,
        format!(
            "{}\n\n<!-- bench:ingest:sqlite begin -->\ntable one\n<!-- bench:ingest:sqlite end -->\n",
            PROSE.trim_end()
        )
    );
}

#[test]
fn a_section_is_replaced_in_place_and_the_prose_around_it_stays() {
    let first = replace_section(PROSE, "ingest:sqlite", "old\nrows\n").unwrap();
    let doc = format!("{first}\n## After\n\nProse after the section.\n");
    let doc = replace_section(&doc, "other", "another bench\n").unwrap();
    let doc = replace_section(&doc, "ingest:sqlite", "new").unwrap();
    assert!(!doc.contains("old\nrows"), "{doc}");
    assert_eq!(doc.matches("<!-- bench:ingest:sqlite begin -->").count(), 1);
    assert!(doc.starts_with(PROSE.trim_end()), "{doc}");
    let section = "<!-- bench:ingest:sqlite begin -->\nnew\n<!-- bench:ingest:sqlite end -->\n\n## After\n\nProse after the section.\n";
    assert!(doc.contains(section), "{doc}");
    assert!(doc.ends_with("<!-- bench:other begin -->\nanother bench\n<!-- bench:other end -->\n"));
}

#[test]
fn a_key_that_is_the_prefix_of_another_does_not_match_it() {
    let doc = replace_section(PROSE, "ingest:sqlite:acks", "acks").unwrap();
    let doc = replace_section(&doc, "ingest:sqlite", "plain").unwrap();
    assert!(doc.contains("begin -->\nacks\n"), "{doc}");
    assert!(doc.contains("begin -->\nplain\n"), "{doc}");
}

#[test]
fn a_begin_marker_without_its_end_is_refused() {
    let doc = format!("{PROSE}<!-- bench:x begin -->\nhalf\n");
    assert!(replace_section(&doc, "x", "new").is_err());
}

#[test]
fn each_run_updates_only_its_own_target_rows() {
    let doc = merge_targets(
        PROSE,
        &[
            Target::new("ingest ≥8,000/s (SQLite)", "1,740/s", Some(false)),
            Target::new("p99 ≤10 ms at 100/s (SQLite)", "3.1 ms", Some(true)),
        ],
        "run A",
    )
    .unwrap();
    let doc = merge_targets(
        &doc,
        &[
            Target::new("outbound ≤0.2 ms/message", "0.15 | ms", None),
            Target::new("ingest ≥8,000/s (SQLite)", "9,000/s", Some(true)),
        ],
        "run B",
    )
    .unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(
        rows,
        [
            "| issue 11 target | latest measured | met? | run |",
            "| ingest ≥8,000/s (SQLite) | 9,000/s | yes | run B |",
            "| p99 ≤10 ms at 100/s (SQLite) | 3.1 ms | yes | run A |",
            "| outbound ≤0.2 ms/message | 0.15 \\| ms | — | run B |",
        ]
    );
    assert!(doc.starts_with(PROSE.trim_end()));
}

#[test]
fn a_published_section_holds_the_run_facts_and_the_table() {
    let dir = std::env::temp_dir().join(format!("sb-report-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("benchmarks.md");
    std::fs::write(&path, PROSE).unwrap();
    let report = Report::begin("unit:test", "a unit test");
    let table = "| a | b |\n|---|---|\n| 1 | 2 |\n";
    let targets = [Target::new("a target", "1 ms", Some(true))];
    report
        .publish_to(&path, table, "A note.", &targets)
        .unwrap();
    report.publish_to(&path, table, "", &targets).unwrap();
    let doc = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(doc.starts_with(PROSE), "{doc}");
    assert_eq!(
        doc.matches("### Latest run: a unit test").count(),
        1,
        "{doc}"
    );
    assert_eq!(doc.matches("| a target | 1 ms | yes |").count(), 1, "{doc}");
    assert!(
        !doc.contains("A note."),
        "the second run's section replaced the first"
    );
    for fact in [
        "- **date**: ",
        "- **command**: `",
        "- **machine**: ",
        " × ",
        "GiB RAM, Linux ",
        "- **load average** (1, 5, 15 min): ",
        "- **commit**: ",
        "| 1 | 2 |",
    ] {
        assert!(doc.contains(fact), "{fact:?} missing from {doc}");
    }
}

#[test]
fn only_bench_settings_are_recorded_and_passwords_are_hidden() {
    let vars = [
        ("PATH", "/bin"),
        ("BENCH_BURST", "500"),
        ("BENCH_POSTGRES_URL", "postgres://sb:secret@db:5432/x"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(
        bench_settings(vars.into_iter()),
        [
            "BENCH_BURST=500",
            "BENCH_POSTGRES_URL=postgres://sb:***@db:5432/x"
        ]
    );
}
