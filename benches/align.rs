//! Aligner benchmarks: the fixed 20,000-token vocabulary (18,000 real words across
//! all frequency ranks, 2,000 made up) against the real 400,000-word GloVe 6B 50d,
//! in text, gzip and word2vec binary. Target: <= 0.05 s for the text on 2 cores.
//!
//! Needs the real set: `bash ../shared/data/make-glove-6b-50d.sh target/bench-data`
//! (or `PV_BENCH_DATA=DIR`). Without it, the bundled 20k subset is used instead.
//! Run: `cargo bench --bench align`.

use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pretrained_vectors::{Aligner, ReadOptions, Vocab};

fn data_dir() -> PathBuf {
    std::env::var_os("PV_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"))
}

fn align(c: &mut Criterion) {
    let dir = data_dir();
    let threads = 2;
    let (files, tokens): (Vec<PathBuf>, Vec<String>) = if dir.join("vocab20k.txt").exists() {
        let tokens = std::fs::read_to_string(dir.join("vocab20k.txt"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        let files = [
            "glove.6B.50d.txt",
            "glove.6B.50d.txt.gz",
            "glove.6B.50d.w2v.bin",
        ]
        .iter()
        .map(|f| dir.join(f))
        .collect();
        (files, tokens)
    } else {
        eprintln!(
            "no real data in {}; benchmarking the bundled subset (make it with \
             `bash ../shared/data/make-glove-6b-50d.sh target/bench-data`)",
            dir.display()
        );
        let fixture =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/glove.6B.50d.20k.txt.gz");
        let v = pretrained_vectors::read(&fixture).unwrap();
        let mut tokens: Vec<String> = v.words().iter().step_by(2).cloned().collect();
        tokens.extend((0..1000).map(|i| format!("oovword{i:04}x")));
        (vec![fixture], tokens)
    };
    let vocab = Vocab::new(tokens).unwrap();
    let mut g = c.benchmark_group("align_vocab20k");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    let aligner = Aligner::new().read_options(ReadOptions::new().threads(threads));
    for file in &files {
        let bytes = std::fs::metadata(file).unwrap().len();
        g.throughput(Throughput::Bytes(bytes));
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        g.bench_function(name, |b| {
            b.iter(|| aligner.align(file, vocab.clone()).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, align);
criterion_main!(benches);
