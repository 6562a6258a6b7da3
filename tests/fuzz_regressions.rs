//! Inputs the fuzzers once failed on, replayed through the same checks the fuzz
//! targets run (`tests/fuzz_checks/mod.rs`). Each lives in
//! `fixtures/fuzz/<target>/<what-it-found>`; `fuzz/README.md` lists them with
//! their fixes.

mod fuzz_checks;

use std::path::Path;

const TARGETS: [&str; 7] = [
    "text",
    "binary",
    "detect",
    "npy",
    "keras_json",
    "token_list",
    "fasttext",
];

/// Replays every kept input of `target`; returns how many there were.
fn replay(target: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fuzz")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let outcome = std::panic::catch_unwind(|| fuzz_checks::run(target, &bytes));
        assert!(outcome.is_ok(), "fuzz regression {name} fails again");
        n += 1;
    }
    n
}

#[test]
fn every_kept_fuzz_input_passes_its_target() {
    let total: usize = TARGETS.iter().map(|t| replay(t)).sum();
    assert!(total > 0, "no fuzz regressions found under fixtures/fuzz");
}

#[test]
fn the_checks_can_fail() {
    // A check that passed everything would make the replay worthless.
    let bad = std::panic::catch_unwind(|| fuzz_checks::run("no-such-target", b""));
    assert!(bad.is_err());
}

#[test]
fn a_line_break_inside_a_binary_word_is_an_error_at_its_byte() {
    use pretrained_vectors::{Error, Format, Position, ReadOptions};
    let file = b"1 1\nab\ncd \x00\x00\x80\x3f\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, file).unwrap();
    let gz = gz.finish().unwrap();
    for input in [&file[..], &gz] {
        let e = ReadOptions::new()
            .format(Format::Word2vecBinary)
            .read_bytes("".as_ref(), input)
            .unwrap_err();
        assert!(
            matches!(&e, Error::WrongFormat { pos, .. } if *pos == Position::record(1, 6)),
            "{e:?}"
        );
        assert!(e.to_string().contains("line break inside a word"), "{e}");
    }
}
