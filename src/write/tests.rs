use std::fs;
use std::io::Write;

use ndarray::{array, Array2};

use super::atomic::temp_path;
use super::*;
use crate::error::IoAction;
use crate::rng::Rng;

fn m() -> Array2<f32> {
    array![[0.1f32, -2.0, 1e-30], [3.4e38, -0.0, 0.000123]]
}

const WORDS: [&str; 2] = ["the", "čaj"];

/// Names in `dir` (temporaries included).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn glove_text_bytes() {
    let mut out = Vec::new();
    write_glove_text(&mut out, &WORDS, m().view()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "the 0.1 -2 1e-30\nčaj 3.4e38 -0 0.000123\n"
    );
}

#[test]
fn word2vec_text_bytes() {
    let mut out = Vec::new();
    write_word2vec_text(&mut out, &WORDS, m().view()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "2 3\nthe 0.1 -2 1e-30\nčaj 3.4e38 -0 0.000123\n"
    );
}

#[test]
fn word2vec_binary_bytes() {
    let mut out = Vec::new();
    let words = vec!["a".to_string(), "čj".to_string()];
    write_word2vec_binary(&mut out, &words, array![[1.0f32, -2.0], [0.5, 0.0]].view()).unwrap();
    let mut want = b"2 2\n".to_vec();
    want.extend_from_slice(b"a \x00\x00\x80\x3f\x00\x00\x00\xc0\n");
    want.extend_from_slice(&[0xc4, 0x8d, b'j', b' ']); // "čj" in UTF-8, then the space
    want.extend_from_slice(b"\x00\x00\x00\x3f\x00\x00\x00\x00\n");
    assert_eq!(out, want);
}

#[test]
fn token_list_bytes() {
    let mut out = Vec::new();
    write_token_list(&mut out, &["<pad>", "new york", " x\t"]).unwrap();
    assert_eq!(out, b"<pad>\nnew york\n x\t\n");
}

#[test]
fn npy_writer_in_f32_matches_the_npy_module() {
    let mut a = Vec::new();
    write_npy_as(&mut a, m().view(), Dtype::F32).unwrap();
    assert_eq!(crate::npy::from_bytes(Path::new(""), &a).unwrap(), m());
    assert_eq!(a.len(), 128 + 6 * 4);
    let mut b = Vec::new();
    crate::npy::write_matrix(&mut b, m().view()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn writers_take_any_matrix_view() {
    // A transposed (Fortran-laid-out) view is written row by row.
    let base = array![[1.0f32, 2.0], [3.0, 4.0]];
    let mut out = Vec::new();
    write_glove_text(&mut out, &["a", "b"], base.t()).unwrap();
    assert_eq!(out, b"a 1 3\nb 2 4\n");
}

#[test]
fn floats_round_trip_exactly() {
    let specials = [
        0.1f32,
        -0.1,
        1.0 / 3.0,
        1e-30,
        -1e-30,
        3.4e38,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        f32::from_bits(1),           // smallest subnormal
        f32::from_bits(0x007f_ffff), // largest subnormal
        -0.0,
        0.0,
        1e-4,
        9.999999e-5,
        1e16,
        9.999999e15,
        16777217.0,
        -6.3681e-5,
    ];
    let mut rng = Rng::new(7);
    let random = (0..200_000).map(|_| f32::from_bits(rng.next_u64() as u32));
    for x in specials.into_iter().chain(random).filter(|x| x.is_finite()) {
        let s = format_f32(x);
        let back: f32 = s.parse().unwrap();
        assert_eq!(back.to_bits(), x.to_bits(), "{x:?} printed as {s}");
        assert!(s.len() <= 17, "{x:?} printed as {s}"); // "-8928226600000000"
        let a = x.abs();
        assert_eq!(
            s.contains('e'),
            a != 0.0 && !(1e-4..1e16).contains(&a),
            "{s}"
        );
    }
    assert_eq!(format_f32(1e-30), "1e-30");
    assert_eq!(format_f32(f32::MAX), "3.4028235e38");
    assert_eq!(format_f32(f32::from_bits(1)), "1e-45");
    assert_eq!(format_f32(0.0001), "0.0001");
    assert_eq!(format_f32(-0.0), "-0");
}

#[test]
fn non_finite_values_are_refused_before_writing() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut mat = m();
        mat[[1, 2]] = bad;
        let mut out = Vec::new();
        let err = write_word2vec_text(&mut out, &WORDS, mat.view()).unwrap_err();
        match err {
            Error::NonFiniteOutput {
                row: 1,
                column: 2,
                ref word,
                value,
                ..
            } => {
                assert_eq!(word, "čaj");
                assert_eq!(value.to_bits(), bad.to_bits());
            }
            ref other => panic!("{other:?}"),
        }
        assert!(out.is_empty(), "nothing written before the check");
        assert!(write_glove_text(&mut out, &WORDS, mat.view()).is_err());
        assert!(write_word2vec_binary(&mut out, &WORDS, mat.view()).is_err());
        assert!(out.is_empty());
        // npy keeps any value.
        crate::npy::write_matrix(&mut out, mat.view()).unwrap();
    }
}

fn bad_token(result: Result<()>) -> (u64, String, &'static str) {
    match result {
        Err(Error::BadToken {
            pos, token, reason, ..
        }) => (pos.record.unwrap(), token.into(), reason),
        other => panic!("expected BadToken, got {other:?}"),
    }
}

/// A writer of two one-value rows, for trying words.
type Writer<'a> = dyn Fn([&str; 2]) -> Result<()> + 'a;

#[test]
fn words_each_format_refuses() {
    let one = array![[1.0f32], [2.0]];
    let glove = |w: [&str; 2]| write_glove_text(&mut Vec::new(), &w, one.view());
    let w2v = |w: [&str; 2]| write_word2vec_text(&mut Vec::new(), &w, one.view());
    let bin = |w: [&str; 2]| write_word2vec_binary(&mut Vec::new(), &w, one.view());
    let list = |w: [&str; 2]| write_token_list(&mut Vec::new(), &w);

    let all: [&Writer<'_>; 4] = [&glove, &w2v, &bin, &list];
    for f in all {
        assert_eq!(bad_token(f(["ok", ""])).0, 2);
        assert!(bad_token(f(["a\nb", "ok"])).2.contains("line break"));
        assert!(bad_token(f(["ok", "a\r"])).2.contains("line break"));
    }
    // GloVe: spaces inside only.
    glove(["new york", "a.b"]).unwrap();
    assert!(bad_token(glove(["ok", " lead"]))
        .2
        .contains("starts or ends"));
    assert!(bad_token(glove(["trail ", "ok"]))
        .2
        .contains("starts or ends"));
    assert!(bad_token(glove(["a\tb", "ok"])).2.contains("tab"));
    // GloVe: a spaced word may not end in a number (found by fuzzing: `2  0` read
    // back as the word `2 ` with one more value), nor the first word start with a
    // byte-order mark.
    for w in ["route 66", "a -0", "x 1e5", "new inf", "2  0"] {
        assert!(
            bad_token(glove(["ok", w])).2.contains("ends in a number"),
            "{w}"
        );
    }
    glove(["66 route", "1990"]).unwrap();
    glove(["a 1x", "\u{feff}b"]).unwrap();
    assert!(bad_token(glove(["\u{feff}a", "ok"]))
        .2
        .contains("byte-order mark"));
    // word2vec: no white space at all.
    let w2v_both: [&Writer<'_>; 2] = [&w2v, &bin];
    for f in w2v_both {
        assert!(bad_token(f(["new york", "ok"])).2.contains("white space"));
        assert!(bad_token(f(["ok", "a\tb"])).2.contains("white space"));
        f(["new_york", "čaj"]).unwrap();
    }
    // The token list takes any other word but one starting with a byte-order mark.
    list([" a ", "b\tc"]).unwrap();
    assert!(bad_token(list(["ok", "\u{feff}b"]))
        .2
        .contains("byte-order mark"));
}

#[test]
fn shapes_are_checked() {
    let mut out = Vec::new();
    let err = write_glove_text(&mut out, &["a"], m().view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Shape {
                what: "words and matrix",
                expected: crate::error::Dims::Count { n: 2, .. },
                found: crate::error::Dims::Count { n: 1, .. },
            }
        ),
        "{err}"
    );
    let empty = Array2::<f32>::zeros((1, 0));
    let err = write_word2vec_text(&mut out, &["a"], empty.view()).unwrap_err();
    assert!(
        matches!(&err, Error::ShapeFault { fault, .. }
            if **fault == crate::error::ShapeFault::EmptyMatrix { rows: 1, cols: 0 }),
        "{err}"
    );
    assert!(
        err.to_string().contains("at least 1 row and 1 column"),
        "{err}"
    );
    assert!(out.is_empty());
}

#[test]
fn formats_from_extensions() {
    for (p, f) in [
        ("a.npy", OutputFormat::Npy),
        ("dir.x/a.TXT", OutputFormat::GloveText),
        ("a.vec", OutputFormat::Word2vecText),
        ("a.b.bin", OutputFormat::Word2vecBinary),
        ("t.SafeTensors", OutputFormat::Safetensors),
    ] {
        assert_eq!(OutputFormat::from_extension(p).unwrap(), f);
        assert_eq!(
            OutputFormat::from_extension(format!("x.{}", f.extension())).unwrap(),
            f
        );
    }
    for p in ["a.csv", "a", "a.npy.gz"] {
        let e = OutputFormat::from_extension(p).unwrap_err().to_string();
        assert!(
            e.contains(".npy (NumPy), .safetensors, .txt (GloVe text), .vec"),
            "{e}"
        );
        assert!(e.contains(p), "{e}");
    }
    assert_eq!(default_vocab_path("t.npy"), Path::new("t.vocab.txt"));
    assert_eq!(default_vocab_path("t"), Path::new("t.vocab.txt"));
    assert_eq!(default_origins_path("t.npy"), Path::new("t.origins.npy"));
}

#[test]
fn atomic_file_appears_only_on_commit() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.txt");
    let mut f = AtomicFile::create(&target, &WritePolicy::new()).unwrap();
    f.write_all(b"new\n").unwrap();
    let temp = f.temp_path().to_path_buf();
    assert!(temp.exists());
    assert!(temp
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(".out.txt."));
    assert_eq!(temp.parent(), Some(dir.path()));
    assert!(!target.exists());
    assert_eq!(f.commit().unwrap(), target);
    assert_eq!(fs::read(&target).unwrap(), b"new\n");
    assert_eq!(listing(dir.path()), ["out.txt"]);
}

#[test]
fn dropping_without_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.npy");
    {
        let mut f = AtomicFile::create(&target, &WritePolicy::new()).unwrap();
        f.write_all(&[0; 3_000_000]).unwrap();
    }
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn force_off_refuses_an_existing_file_before_any_temp() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t.vec");
    fs::write(&target, b"old").unwrap();
    let err = save_matrix(
        &WORDS,
        m().view(),
        &target,
        OutputFormat::Word2vecText,
        &SaveOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::OutputExists { path } if path == &target),
        "{err}"
    );
    assert_eq!(listing(dir.path()), ["t.vec"]);
    assert_eq!(fs::read(&target).unwrap(), b"old");
    // With force it is replaced.
    save_matrix(
        &WORDS,
        m().view(),
        &target,
        OutputFormat::Word2vecText,
        &SaveOptions::new().force(true),
    )
    .unwrap();
    assert!(fs::read_to_string(&target).unwrap().starts_with("2 3\n"));
    assert_eq!(listing(dir.path()), ["t.vec"]);
}

#[test]
fn a_target_that_appears_meanwhile_is_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("late.txt");
    let f = AtomicFile::create(&target, &WritePolicy::new()).unwrap();
    fs::write(&target, b"someone else's").unwrap();
    assert!(matches!(f.commit(), Err(Error::OutputExists { .. })));
    assert_eq!(fs::read(&target).unwrap(), b"someone else's");
    assert_eq!(listing(dir.path()), ["late.txt"]);
}

#[test]
fn output_is_input_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("glove.txt");
    fs::write(&input, b"a 1\n").unwrap();
    // The same file under another spelling of its path.
    let other = dir.path().join(".").join("glove.txt");
    let opts = SaveOptions::new().force(true).input(&input);
    let err = save_matrix(
        &["a"],
        array![[2.0f32]].view(),
        &other,
        OutputFormat::GloveText,
        &opts,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::OutputIsInput { path } if path == &other),
        "{err}"
    );
    assert_eq!(fs::read(&input).unwrap(), b"a 1\n");
    #[cfg(unix)]
    {
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let err = AtomicFile::create(&link, opts.policy()).unwrap_err();
        assert!(matches!(err, Error::OutputIsInput { .. }), "{err}");
        // A dangling link counts as an existing output.
        let dangling = dir.path().join("dangling.txt");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let err = AtomicFile::create(&dangling, &WritePolicy::new()).unwrap_err();
        assert!(matches!(err, Error::OutputExists { .. }), "{err}");
    }
    assert_eq!(
        listing(dir.path())
            .iter()
            .filter(|n| n.ends_with(".tmp"))
            .count(),
        0
    );
}

#[test]
fn missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("no").join("such");
    let err = AtomicFile::create(folder.join("t.npy"), &WritePolicy::new()).unwrap_err();
    match &err {
        Error::Io {
            path,
            action,
            source,
        } => {
            assert_eq!(path, &folder);
            assert_eq!(*action, IoAction::OpenOutputFolder);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with(&format!(
        "{}: cannot open the output folder",
        folder.display()
    )));
    // A file where the folder should be.
    let file = dir.path().join("plain");
    fs::write(&file, b"").unwrap();
    let err = AtomicFile::create(file.join("t.npy"), &WritePolicy::new()).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path, .. } if path == &file),
        "{err}"
    );
    // A folder where the file should be.
    let err = AtomicFile::create(dir.path(), &WritePolicy::new().force(true)).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Io {
                action: IoAction::ReplaceOutput,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn check_target_creates_nothing_and_agrees_with_create() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    fs::write(&input, b"a 1\n").unwrap();
    let opts = WritePolicy::new().force(true).input(&input);
    let err = opts.check_target(&input).unwrap_err();
    assert!(matches!(err, Error::OutputIsInput { .. }), "{err}");
    let err = opts
        .check_target(dir.path().join("no").join("t.npy"))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Io {
                action: IoAction::OpenOutputFolder,
                ..
            }
        ),
        "{err}"
    );
    opts.check_target(dir.path().join("new.npy")).unwrap();
    assert_eq!(listing(dir.path()), ["in.txt"]);
}

#[test]
fn a_failed_group_renames_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.npy");
    let vocab = dir.path().join("t.vocab.txt");
    fs::write(&table, b"old table").unwrap();
    fs::write(&vocab, b"old vocab").unwrap();
    let opts = SaveOptions::new().force(true);
    {
        let mut group = AtomicGroup::new(opts.policy().clone());
        add_outputs(
            &mut group,
            &WORDS,
            m().view(),
            None,
            &table,
            OutputFormat::Npy,
            &Layout::new(),
        )
        .unwrap();
        // The third output cannot be created: the group is dropped uncommitted.
        let err = group
            .create(dir.path().join("missing/report.json"))
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
    }
    assert_eq!(fs::read(&table).unwrap(), b"old table");
    assert_eq!(fs::read(&vocab).unwrap(), b"old vocab");
    assert_eq!(listing(dir.path()), ["t.npy", "t.vocab.txt"]);

    // A bad word is found before any file of the group is created.
    let err = save_matrix(
        &["ok", "a\nb"],
        m().view(),
        &table,
        OutputFormat::Npy,
        &opts,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::BadToken { path, pos, .. } if path == &vocab && pos.record == Some(2)),
        "{err}"
    );
    assert_eq!(listing(dir.path()), ["t.npy", "t.vocab.txt"]);

    // Without force, an existing second output stops the group before it writes.
    fs::remove_file(&table).unwrap();
    let err = save_matrix(
        &WORDS,
        m().view(),
        &table,
        OutputFormat::Npy,
        &SaveOptions::new(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::OutputExists { path } if path == &vocab),
        "{err}"
    );
    assert_eq!(listing(dir.path()), ["t.vocab.txt"]);

    // And a group that succeeds replaces both.
    let written = save_matrix(&WORDS, m().view(), &table, OutputFormat::Npy, &opts).unwrap();
    assert_eq!(written, [table.clone(), vocab.clone()]);
    assert_eq!(crate::npy::read(&table).unwrap(), m());
    assert_eq!(fs::read_to_string(&vocab).unwrap(), "the\nčaj\n");
}

#[test]
fn a_group_refuses_two_outputs_with_one_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    let opts = SaveOptions::new().vocab_path(dir.path().join(".").join("t.npy"));
    let err = save_matrix(&WORDS, m().view(), &out, OutputFormat::Npy, &opts).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidOption {
                option: "output paths",
                ..
            }
        ),
        "{err}"
    );
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn errors_from_saving_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("v.txt");
    let mut mat = m();
    mat[[0, 1]] = f32::NAN;
    let err = save_matrix(
        &WORDS,
        mat.view(),
        &out,
        OutputFormat::GloveText,
        &SaveOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: cannot write matrix[0, 1] = NaN (word \"the\"): expected a finite number, as \
             most GloVe and word2vec readers do (`Layout::allow_non_finite` writes it; npy and \
             safetensors store any value)",
            out.display()
        )
    );
    assert!(listing(dir.path()).is_empty());
}

#[test]
fn a_table_saves_through_the_writers_of_words_and_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let vocab = crate::Vocab::new(WORDS.iter().map(|w| w.to_string()).collect()).unwrap();
    let table = crate::EmbeddingTable::new(m(), vocab, vec![crate::RowOrigin::Exact; 2]).unwrap();
    let out = dir.path().join("w.bin");
    table.save(&out, &SaveOptions::new()).unwrap();
    let bytes = fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"2 3\nthe "));
    assert_eq!(bytes.len(), 4 + 4 + 12 + 1 + 5 + 12 + 1); // "čaj " is 5 bytes
}

#[test]
fn numpy_and_python_read_our_files_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(11);
    let words: Vec<String> = (0..20).map(|i| format!("w{i}")).collect();
    let mat = Array2::from_shape_fn((20, 7), |_| loop {
        let x = f32::from_bits(rng.next_u64() as u32);
        if x.is_finite() {
            break x;
        }
    });
    let npy = dir.path().join("t.npy");
    let txt = dir.path().join("t.txt");
    let vec = dir.path().join("t.vec");
    let bin = dir.path().join("t.bin");
    let o = SaveOptions::new();
    save_matrix(&words, mat.view(), &npy, OutputFormat::Npy, &o).unwrap();
    save_matrix(&words, mat.view(), &txt, OutputFormat::GloveText, &o).unwrap();
    save_matrix(&words, mat.view(), &vec, OutputFormat::Word2vecText, &o).unwrap();
    save_matrix(&words, mat.view(), &bin, OutputFormat::Word2vecBinary, &o).unwrap();
    // Text values parsed by numpy (via Python's correctly rounded float, then f32),
    // the binary records by numpy's frombuffer: all must give our bits.
    let script = r#"
import sys, numpy as np
def bits(a): return ' '.join(str(int(x)) for x in np.asarray(a, np.float32).view(np.uint32).ravel())
a = np.load(sys.argv[1])
print(bits(a))
for path, skip in ((sys.argv[2], 0), (sys.argv[3], 1)):
    rows = [l.split(' ')[1:] for l in open(path, encoding='utf-8').read().splitlines()[skip:]]
    print(bits(np.array(rows, dtype=np.float32)))
raw = open(sys.argv[4], 'rb').read()
head, rest = raw.split(b'\n', 1)
n, d = map(int, head.split())
vals = []
for _ in range(n):
    sp = rest.index(b' ')
    vals.append(np.frombuffer(rest[sp + 1: sp + 1 + 4 * d], '<f4'))
    assert rest[sp + 1 + 4 * d] == 10
    rest = rest[sp + 2 + 4 * d:]
print(bits(vals))
print(open(sys.argv[1].replace('.npy', '.vocab.txt')).read().split() == ['w%d' % i for i in range(n)])
"#;
    let Some(out) = crate::npy::tests::python_numpy(script, &[&npy, &txt, &vec, &bin]) else {
        return;
    };
    let want: String = mat
        .iter()
        .map(|x| x.to_bits().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    for line in &lines[..4] {
        assert_eq!(*line, want);
    }
    assert_eq!(lines[4], "True");
}

// ----- issue 11 items 9, 10, 14: special files, concurrent runs, long names ----------

/// Runs `f` with the stand-in for another run installed: `hook` is called before
/// each file of a group is put in place.
fn with_other_run<T>(hook: impl Fn(&Path) + Send + Sync + 'static, f: impl FnOnce() -> T) -> T {
    use super::atomic::tests::BEFORE_PLACE;
    // One stand-in at a time: the tests that install one run one after the other.
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    *BEFORE_PLACE.lock().unwrap() = Some(std::sync::Arc::new(hook));
    let out = f();
    *BEFORE_PLACE.lock().unwrap() = None;
    out
}

#[test]
fn a_target_another_run_creates_meanwhile_withdraws_the_whole_group() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("t.npy"), dir.path().join("t.vocab.txt"));
    let mut group = AtomicGroup::new(WritePolicy::new());
    group.create(&a).unwrap().write_all(b"ours a").unwrap();
    group.create(&b).unwrap().write_all(b"ours b").unwrap();
    // The other run creates b after our checks, just before we would put b in place
    // (on the old code, between its re-check and its rename: b was replaced).
    let theirs = b.clone();
    let e = with_other_run(
        move |target| {
            if target == theirs {
                fs::write(&theirs, b"their b").unwrap();
            }
        },
        || group.commit().unwrap_err(),
    );
    assert!(
        matches!(&e, Error::OutputExists { path } if *path == b),
        "{e}"
    );
    assert_eq!(fs::read(&b).unwrap(), b"their b");
    assert!(
        !a.exists(),
        "our t.npy must not stay beside their t.vocab.txt"
    );
    assert_eq!(listing(dir.path()), ["t.vocab.txt"]);
}

#[test]
fn two_concurrent_groups_without_force_one_wins_whole() {
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let paths = [dir.path().join("t.npy"), dir.path().join("t.vocab.txt")];
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let runs: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|who| {
                let paths = paths.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut group = AtomicGroup::new(WritePolicy::new());
                    for p in &paths {
                        group.create(p).unwrap().write_all(who.as_bytes()).unwrap();
                    }
                    barrier.wait();
                    group.commit().is_ok()
                })
            })
            .collect();
        let won: Vec<bool> = runs.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(
            won.iter().filter(|&&w| w).count(),
            1,
            "round {round}: {won:?}"
        );
        let winner = if won[0] { "A" } else { "B" };
        for p in &paths {
            assert_eq!(fs::read_to_string(p).unwrap(), winner, "round {round}");
        }
        assert_eq!(listing(dir.path()), ["t.npy", "t.vocab.txt"]);
    }
}

#[test]
fn with_force_a_group_is_from_one_run() {
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let paths = [dir.path().join("t.npy"), dir.path().join("t.vocab.txt")];
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let runs: Vec<_> = ["A", "B"]
            .into_iter()
            .map(|who| {
                let paths = paths.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let mut group = AtomicGroup::new(WritePolicy::new().force(true));
                    for p in &paths {
                        group.create(p).unwrap().write_all(who.as_bytes()).unwrap();
                    }
                    barrier.wait();
                    group.commit().unwrap();
                })
            })
            .collect();
        for r in runs {
            r.join().unwrap();
        }
        let a = fs::read_to_string(&paths[0]).unwrap();
        assert_eq!(fs::read_to_string(&paths[1]).unwrap(), a, "round {round}");
    }
}

#[test]
fn force_while_another_run_renames_between_our_files_keeps_the_group_whole() {
    // With force, the other run's commit waits for our folder lock: simulated here by
    // a commit attempted (in another thread) while we are between our two renames.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("t.npy"), dir.path().join("t.vocab.txt"));
    let mut group = AtomicGroup::new(WritePolicy::new().force(true));
    group.create(&a).unwrap().write_all(b"A").unwrap();
    group.create(&b).unwrap().write_all(b"A").unwrap();
    let mut other = AtomicGroup::new(WritePolicy::new().force(true));
    other.create(&a).unwrap().write_all(b"B").unwrap();
    other.create(&b).unwrap().write_all(b"B").unwrap();
    let other = std::sync::Mutex::new(Some(other));
    let started = std::sync::Mutex::new(None);
    let b2 = b.clone();
    let handle = std::sync::Arc::new(started);
    let h2 = handle.clone();
    with_other_run(
        move |target| {
            if target == b2 {
                let taken = other.lock().unwrap().take();
                if let Some(g) = taken {
                    let t = std::thread::spawn(move || g.commit().unwrap());
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    *h2.lock().unwrap() = Some(t);
                }
            }
        },
        || group.commit().unwrap(),
    );
    let t = handle.lock().unwrap().take().unwrap();
    t.join().unwrap();
    // The other run committed after us, whole: both files are B.
    assert_eq!(fs::read(&a).unwrap(), b"B");
    assert_eq!(fs::read(&b).unwrap(), b"B");
}

#[cfg(unix)]
#[test]
fn devices_fifos_and_links_to_them_are_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.npy");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo touches no memory of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let link = dir.path().join("null.npy");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    let m = array![[1.0f32]];
    for (target, kind) in [
        (&fifo, "a FIFO (named pipe)"),
        (&link, "a symbolic link to a character device"),
    ] {
        for force in [false, true] {
            let o = SaveOptions::new().force(force);
            let e = save_matrix(&["x"], m.view(), target, OutputFormat::GloveText, &o).unwrap_err();
            match &e {
                Error::OutputNotRegular { path, kind: k } => {
                    assert_eq!((path, k.as_str()), (target, kind));
                }
                e => panic!("{}: {e}", target.display()),
            }
            assert!(e
                .to_string()
                .contains("not a regular file; refusing to replace it"));
            assert!(o.policy().check_target(target).is_err());
        }
    }
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert_eq!(listing(dir.path()), ["null.npy", "pipe.npy"]);
    // A link to a regular file is replaced itself, as before (with force).
    let file = dir.path().join("real.txt");
    fs::write(&file, b"kept").unwrap();
    let to_file = dir.path().join("to_file.txt");
    std::os::unix::fs::symlink(&file, &to_file).unwrap();
    let o = SaveOptions::new().force(true);
    save_matrix(&["x"], m.view(), &to_file, OutputFormat::GloveText, &o).unwrap();
    assert_eq!(fs::read(&file).unwrap(), b"kept");
    assert_eq!(fs::read_to_string(&to_file).unwrap(), "x 1\n");
}

/// The registry behind `remove_temp_files` holds a temporary name exactly while it
/// may exist: from before the file is created until it is renamed, linked and
/// removed, or dropped.
#[test]
fn temporaries_are_registered_while_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let registered = |p: &std::path::Path| super::temps::live().iter().any(|l| l == p);
    // Committed by a rename (force) and by a link (no force).
    for force in [true, false] {
        let target = dir.path().join(format!("out{force}.txt"));
        let mut f = AtomicFile::create(&target, &WritePolicy::new().force(force)).unwrap();
        f.write_all(b"x\n").unwrap();
        let temp = f.temp_path().to_path_buf();
        assert!(registered(&temp), "{temp:?}");
        f.commit().unwrap();
        assert!(!registered(&temp), "{temp:?}");
    }
    // Dropped, in a group whose commit fails, and in a group that commits.
    let f = AtomicFile::create(dir.path().join("dropped.txt"), &WritePolicy::new()).unwrap();
    let temp = f.temp_path().to_path_buf();
    assert!(registered(&temp));
    drop(f);
    assert!(!registered(&temp) && !temp.exists());
    let taken = dir.path().join("taken.txt");
    let mut group = AtomicGroup::new(WritePolicy::new());
    let temps: Vec<_> = ["a.txt", "taken.txt"]
        .iter()
        .map(|n| {
            group
                .create(dir.path().join(n))
                .unwrap()
                .temp_path()
                .to_path_buf()
        })
        .collect();
    assert!(temps.iter().all(|t| registered(t)));
    fs::write(&taken, b"another run's").unwrap();
    assert!(group.commit().is_err());
    assert!(temps.iter().all(|t| !registered(t) && !t.exists()));
    let mut group = AtomicGroup::new(WritePolicy::new());
    let temp = group
        .create(dir.path().join("b.txt"))
        .unwrap()
        .temp_path()
        .to_path_buf();
    group.commit().unwrap();
    assert!(!registered(&temp));
}

#[test]
fn names_too_long_are_refused_by_the_checks_and_long_ones_work() {
    let dir = tempfile::tempdir().unwrap();
    let m = array![[1.0f32]];
    // 256 bytes: longer than any usual file system allows.
    let too_long = dir.path().join(format!("{}.txt", "n".repeat(252)));
    let e = WritePolicy::new().check_target(&too_long).unwrap_err();
    assert!(e.to_string().contains("File name too long"), "{e}");
    assert!(
        matches!(e, Error::Io { ref path, .. } if *path == too_long),
        "{e}"
    );
    // 255 bytes: the target fits, and so must its temporary (which is cut to fit).
    let longest = dir.path().join(format!("{}é.txt", "n".repeat(249)));
    assert_eq!(longest.file_name().unwrap().len(), 255);
    let temp = temp_path(&longest, u32::MAX, u32::MAX);
    assert!(temp.file_name().unwrap().len() <= super::atomic::NAME_MAX);
    save_matrix(
        &["x"],
        m.view(),
        &longest,
        OutputFormat::GloveText,
        &SaveOptions::new(),
    )
    .unwrap();
    assert_eq!(fs::read_to_string(&longest).unwrap(), "x 1\n");
    assert_eq!(listing(dir.path()).len(), 1);
}
