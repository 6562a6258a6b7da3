//! Subword vectors per second on one thread: 100,000 words a native fastText
//! model lacks, each computed from its n-gram rows as `getWordVector` does.
//!
//! Run: `PV_FT_MODEL=/work/bench-ft/cc.bin cargo bench --bench fasttext_subwords`
//! (the Common Crawl-sized model that `benches/fasttext_cc.sh` generates; without
//! `PV_FT_MODEL`, the small fixture `skipgram.bin`). Prints the best of three
//! passes after one that brings the rows into the page cache, in wall time and in
//! the thread's CPU time (per core, whatever else the machine runs).

use std::time::Instant;

use pretrained_vectors::rng::Rng;
use pretrained_vectors::FastTextModel;

const WORDS: usize = 100_000;

/// The calling thread's CPU time in seconds.
#[cfg(unix)]
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

#[cfg(not(unix))]
fn thread_cpu_seconds() -> f64 {
    f64::NAN
}

/// Random lower-case words of 5 to 12 letters that the dictionary lacks.
fn unknown_words(model: &FastTextModel) -> Vec<String> {
    let mut rng = Rng::new(7);
    let mut out = Vec::with_capacity(WORDS);
    while out.len() < WORDS {
        let len = 5 + (rng.next_u64() % 8) as usize;
        let w: String = (0..len)
            .map(|_| char::from(b'a' + (rng.next_u64() % 26) as u8))
            .collect();
        if model.word_id(w.as_bytes()).is_none() {
            out.push(w);
        }
    }
    out
}

fn main() {
    let path = std::env::var("PV_FT_MODEL")
        .unwrap_or_else(|_| "fixtures/fasttext/skipgram.bin".to_string());
    let t = Instant::now();
    let model = FastTextModel::read(&path).expect("the model opens");
    println!(
        "{path}: {} words, {} buckets, {} dims, n-grams {:?}; opened in {:.2} s",
        model.word_count(),
        model.buckets(),
        model.dims(),
        model.ngram_lengths(),
        t.elapsed().as_secs_f64()
    );
    let words = unknown_words(&model);
    let mut out = vec![0f32; model.dims()];
    let (mut best, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
    let mut rows = 0;
    for pass in 0..4 {
        let (t, cpu) = (Instant::now(), thread_cpu_seconds());
        rows = 0;
        for w in &words {
            rows += model.word_vector_into(w.as_bytes(), &mut out);
            std::hint::black_box(&out);
        }
        let (s, c) = (t.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu);
        println!("pass {pass}: {WORDS} words in {s:.3} s ({c:.3} s of CPU)");
        if pass > 0 {
            best = best.min(s);
            best_cpu = best_cpu.min(c);
        }
    }
    println!(
        "subword vectors, one thread: {:.0} words/s wall, {:.0} words per CPU second \
         ({:.1} n-gram rows per word, best of 3 warm passes)",
        WORDS as f64 / best,
        WORDS as f64 / best_cpu,
        rows as f64 / WORDS as f64
    );
}
