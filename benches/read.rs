//! Full loads of GloVe 6B 50d: text, its gzip and the word2vec binary, 2 threads.
//!
//! ```sh
//! bash ../shared/data/make-glove-6b-50d.sh target/bench-data   # the real files, once
//! cargo bench --bench read
//! ```
//!
//! The real files are looked for in `$PV_BENCH_DATA`, else in `target/bench-data`
//! under the repository. Without them the bundled fixture (the 20,000 most frequent
//! words) is benchmarked instead, as gzip, plain text and word2vec binary copies.
//! Throughput is in bytes of the file as stored (compressed bytes for `.gz`).
//! `benches/peer_read.sh` compares whole processes with gensim and `zcat`.

use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use pretrained_vectors::write::write_word2vec_binary;
use pretrained_vectors::ReadOptions;

/// Threads used for every load: the size of the machine the targets are set for.
const THREADS: usize = 2;

/// The real files and the names the benchmarks report them under.
const REAL: [(&str, &str); 3] = [
    ("glove.6B.50d.txt", "glove-6B-50d/text"),
    ("glove.6B.50d.txt.gz", "glove-6B-50d/gzip"),
    ("glove.6B.50d.w2v.bin", "glove-6B-50d/w2v-binary"),
];

const FIXTURE: &str = "fixtures/glove.6B.50d.20k.txt.gz";

fn data_dir() -> PathBuf {
    match std::env::var_os("PV_BENCH_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"),
    }
}

/// The files to load, with their names; `_tmp` keeps fixture copies alive.
fn inputs() -> (Vec<(String, PathBuf)>, Option<tempfile::TempDir>) {
    let dir = data_dir();
    if REAL.iter().all(|(f, _)| dir.join(f).is_file()) {
        let files = REAL
            .iter()
            .map(|(f, name)| (name.to_string(), dir.join(f)))
            .collect();
        return (files, None);
    }
    eprintln!(
        "note: the real GloVe 6B 50d files are not in {}; benchmarking the bundled \
         20,000-word fixture instead. To bench the real ones (about 1 minute, 1.2 GB):\n  \
         bash ../shared/data/make-glove-6b-50d.sh target/bench-data\n\
         (or set PV_BENCH_DATA to a folder holding them)",
        dir.display()
    );
    let gz = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz).expect("the bundled fixture"))
        .read_to_end(&mut text)
        .expect("the fixture decompresses");
    let txt = tmp.path().join("glove.6B.50d.20k.txt");
    std::fs::write(&txt, &text).expect("write the text copy");
    let v = ReadOptions::new().read(&gz).expect("the fixture reads");
    let mut bin = Vec::new();
    write_word2vec_binary(&mut bin, v.words(), v.matrix()).expect("binary copy");
    let bin_path = tmp.path().join("glove.6B.50d.20k.w2v.bin");
    std::fs::write(&bin_path, bin).expect("write the binary copy");
    let files = vec![
        ("fixture-20k/text".to_string(), txt),
        ("fixture-20k/gzip".to_string(), gz),
        ("fixture-20k/w2v-binary".to_string(), bin_path),
    ];
    (files, Some(tmp))
}

fn full_load(c: &mut Criterion) {
    let (files, _tmp) = inputs();
    let opts = ReadOptions::new().threads(THREADS);
    let mut group = c.benchmark_group("read");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (name, path) in &files {
        let bytes = std::fs::metadata(path).expect("the file exists").len();
        let expected = opts.read(path).expect("the file reads").len();
        group.throughput(Throughput::Bytes(bytes));
        // The load is timed; freeing the result (400,000 words) happens outside
        // the measurement.
        group.bench_function(name.as_str(), |b| {
            b.iter_with_large_drop(|| {
                let v = opts.read(black_box(path)).expect("the file reads");
                assert_eq!(v.len(), expected);
                v
            })
        });
    }
    group.finish();
}

criterion_group!(benches, full_load);
criterion_main!(benches);
