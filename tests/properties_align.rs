//! Property tests for the aligner: on random files and vocabularies, the table does
//! not depend on the thread count or on the vocabulary's order, and found rows are
//! the file's values.

use std::collections::HashSet;

use ndarray::Array2;
use pretrained_vectors::write::{write_glove_text, write_word2vec_binary};
use pretrained_vectors::{Aligner, ReadOptions, RowOrigin, Vocab};
use proptest::prelude::*;

/// Distinct words (some with upper case, some non-ASCII) and their vectors.
fn file_rows() -> impl Strategy<Value = (Vec<String>, Array2<f32>)> {
    (1usize..40, 1usize..6).prop_flat_map(|(n, dims)| {
        (
            proptest::collection::hash_set("[a-zA-Zéß]{1,6}", n),
            proptest::collection::vec(-1000.0f32..1000.0, n * dims),
            proptest::collection::vec(-1000.0f32..1000.0, 3 * dims),
        )
            .prop_map(move |(words, values, more)| {
                let mut words: Vec<String> = words.into_iter().collect();
                // Upper-case variants of a few words, later in the file, so that a
                // title-case token matches two file words through the fallback.
                let n = words.len();
                for k in 0..n.min(3) {
                    let upper = words[k].to_uppercase();
                    if !words.contains(&upper) {
                        words.push(upper);
                    }
                }
                let mut all = values[..n * dims].to_vec();
                all.extend_from_slice(&more[..(words.len() - n) * dims]);
                let matrix = Array2::from_shape_vec((words.len(), dims), all).unwrap();
                (words, matrix)
            })
    })
}

fn title_case(w: &str) -> String {
    let mut c = w.chars();
    let first = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default();
    first + &c.as_str().to_lowercase()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn threads_and_vocabulary_order_do_not_matter(
        (words, matrix) in file_rows(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..30),
        extra in proptest::collection::hash_set("[a-z]{7,9}", 0..5),
        seed in any::<u64>(),
        binary in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(if binary { "v.bin" } else { "v.txt" });
        let mut bytes = Vec::new();
        if binary {
            write_word2vec_binary(&mut bytes, &words, matrix.view()).unwrap();
        } else {
            write_glove_text(&mut bytes, &words, matrix.view()).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();

        // Vocabulary: picked file words, some upper-cased (fallback), made-up words.
        let mut tokens: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        for w in words.iter().take(3) {
            let t = title_case(w);
            if seen.insert(t.clone()) {
                tokens.push(t);
            }
        }
        for (k, p) in picks.iter().enumerate() {
            let w = &words[p.index(words.len())];
            let t = if k % 3 == 0 { title_case(w) } else { w.clone() };
            if seen.insert(t.clone()) {
                tokens.push(t);
            }
        }
        for e in extra {
            if seen.insert(e.clone()) {
                tokens.push(e);
            }
        }
        let aligner = Aligner::new().seed(seed);
        let one = aligner.clone().read_options(ReadOptions::new().threads(1))
            .align(&path, Vocab::new(tokens.clone()).unwrap()).unwrap();
        let three = aligner.clone().read_options(ReadOptions::new().threads(3))
            .align(&path, Vocab::new(tokens.clone()).unwrap()).unwrap();
        prop_assert_eq!(one.table.weights(), three.table.weights());
        prop_assert_eq!(one.table.origins(), three.table.origins());

        let mut reversed = tokens.clone();
        reversed.reverse();
        let rev = aligner.align(&path, Vocab::new(reversed).unwrap()).unwrap();
        for t in &tokens {
            prop_assert_eq!(one.table.vector(t).unwrap(), rev.table.vector(t).unwrap(), "{}", t);
        }

        // Found rows are the file's values, exactly.
        let file = pretrained_vectors::read(&path).unwrap();
        for (r, t) in one.table.vocab().tokens().iter().enumerate() {
            match one.table.origins()[r] {
                RowOrigin::Exact => prop_assert_eq!(one.table.weights().row(r), file.get(t).unwrap()),
                RowOrigin::Fallback => {
                    let lower = t.to_lowercase();
                    let first = file.words().iter().find(|w| w.to_lowercase() == lower).unwrap();
                    prop_assert_eq!(one.table.weights().row(r), file.get(first).unwrap());
                }
                _ => prop_assert!(file.words().iter().all(|w| w.to_lowercase() != t.to_lowercase())),
            }
        }
    }
}
