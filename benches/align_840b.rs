//! The aligner on a GloVe-840B-sized file: 2.2 million words x 300 dims (about
//! 6 GB of text), generated into a temporary folder and never committed, with a
//! 50,000-token vocabulary (45,000 words spread over all ranks, 5,000 missing).
//! Reports the time and the peak resident memory of each run, which must stay near
//! the table's size plus bounded buffers, not the file's.
//!
//! Run: `cargo bench --bench align_840b` (set `PV_SYNTH_DIR` to keep the generated
//! file between runs; `PV_SYNTH_ROWS` to change its size).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use pretrained_vectors::rng::Rng;
use pretrained_vectors::{Aligner, ReadOptions, Vocab};
use rayon::prelude::*;

const DIMS: usize = 300;

fn word(i: usize) -> String {
    format!("w{i:07}x")
}

/// Writes `rows` GloVe lines of random 5-decimal values, in parallel blocks.
fn generate(path: &Path, rows: usize) {
    let t = Instant::now();
    let tmp = path.with_extension("partial");
    let mut out = std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(&tmp).unwrap());
    const BLOCK: usize = 20_000;
    for start in (0..rows).step_by(BLOCK * 8) {
        let blocks: Vec<Vec<u8>> = (start..(start + BLOCK * 8).min(rows))
            .step_by(BLOCK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|b| {
                let mut buf = Vec::with_capacity(BLOCK * DIMS * 9);
                for i in b..(b + BLOCK).min(rows) {
                    let mut rng = Rng::new(i as u64);
                    buf.extend_from_slice(word(i).as_bytes());
                    for _ in 0..DIMS {
                        let k = rng.below(200_000) as i64 - 100_000;
                        let (sign, k) = if k < 0 { ("-", -k) } else { ("", k) };
                        write!(buf, " {sign}{}.{:05}", k / 100_000, k % 100_000).unwrap();
                    }
                    buf.push(b'\n');
                }
                buf
            })
            .collect();
        for b in blocks {
            out.write_all(&b).unwrap();
        }
    }
    out.flush().unwrap();
    drop(out);
    std::fs::rename(&tmp, path).unwrap();
    eprintln!(
        "generated {} ({} rows) in {:.1} s",
        path.display(),
        rows,
        t.elapsed().as_secs_f64()
    );
}

/// Peak resident set of this process since the last reset, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` and `cargo test --benches` probes
    }
    let rows: usize = std::env::var("PV_SYNTH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_200_000);
    let keep = std::env::var_os("PV_SYNTH_DIR").map(PathBuf::from);
    let tempdir = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tempdir.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("synthetic.{rows}x{DIMS}.txt"));
    if !path.exists() {
        generate(&path, rows);
    }
    let file_mib = std::fs::metadata(&path).unwrap().len() as f64 / (1 << 20) as f64;

    let mut rng = Rng::new(840);
    let mut tokens: Vec<String> = (0..45_000)
        .map(|_| word(rng.below(rows as u64) as usize))
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens.extend((0..5_000).map(|i| format!("missing{i:05}")));
    rng.shuffle(&mut tokens);
    let vocab = Vocab::new(tokens).unwrap();
    let table_mib = (vocab.len() * DIMS * 4) as f64 / (1 << 20) as f64;

    let aligner = Aligner::new().read_options(ReadOptions::new().threads(2));
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    for run in 0..4 {
        reset_peak();
        let before = peak_rss_mib();
        let t = Instant::now();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let sampler = std::env::var_os("PV_SYNTH_DEBUG").map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let t = Instant::now();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let st = std::fs::read_to_string("/proc/self/status").unwrap();
                    let rss = st
                        .lines()
                        .find(|l| l.starts_with("RssFile"))
                        .unwrap_or("")
                        .to_string();
                    let anon = st
                        .lines()
                        .find(|l| l.starts_with("RssAnon"))
                        .unwrap_or("")
                        .to_string();
                    eprintln!("{:.3} {rss} {anon}", t.elapsed().as_secs_f64());
                    std::thread::sleep(std::time::Duration::from_millis(40));
                }
            })
        });
        let a = aligner.align(&path, vocab.clone()).unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(s) = sampler {
            s.join().unwrap();
        }
        let secs = t.elapsed().as_secs_f64();
        let peak = peak_rss_mib();
        if std::env::var_os("PV_SYNTH_DEBUG").is_some() {
            let st = std::fs::read_to_string("/proc/self/status").unwrap();
            eprintln!(
                "{}",
                st.lines()
                    .filter(|l| l.starts_with("Rss")
                        || l.starts_with("VmRSS")
                        || l.starts_with("VmHWM"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
        eprintln!(
            "run {run}: {secs:.3} s, peak RSS {peak:.0} MiB (before {before:.0}), found {} missing {}",
            a.report.found,
            a.report.missing
        );
        if run > 0 {
            times.push(secs);
            peaks.push(peak);
        }
    }
    times.sort_by(f64::total_cmp);
    peaks.sort_by(f64::total_cmp);
    println!(
        "align_840b: file {file_mib:.0} MiB ({rows} x {DIMS}), vocabulary {} tokens, table {table_mib:.1} MiB: \
         median {:.3} s ({:.0} MiB/s), median peak RSS {:.0} MiB",
        vocab.len(),
        times[times.len() / 2],
        file_mib / times[times.len() / 2],
        peaks[peaks.len() / 2],
    );
}
