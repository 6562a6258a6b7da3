//! The batched scorer: the best rows for many queries in one pass over the matrix.
//!
//! Every query of `most_similar`, `most_similar_cosmul` and the analogy questions is a
//! combination of a few unit vectors (the query words). So instead of one
//! matrix-vector product per query, the scorer takes a block of candidate rows,
//! computes the cosines of those rows with every distinct query vector at once (one
//! matrix-matrix product, `words x dims` by `dims x block`), and then combines the
//! few columns each query needs: a sum for 3CosAdd, a ratio of products for 3CosMul.
//! The analogy set of `questions-words.txt` has 19,544 questions but only 905
//! distinct words, so a pass costs one product with 905 vectors plus three
//! additions per question and row, not 19,544 products.
//!
//! Blocks of rows are scored in parallel; each chunk of blocks keeps its own best
//! rows per query and the chunks are merged under one total order (higher score
//! first, then the lower row), so the result does not depend on the number of
//! threads. Block boundaries are fixed, so each score is computed the same way too.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2};
use rayon::prelude::*;

/// Candidate rows scored together by one matrix product.
const BLOCK: usize = 512;
/// Blocks per parallel task (each task keeps its own best rows per query).
const BLOCKS_PER_TASK: usize = 32;
/// At most this many distinct query vectors per pass; more queries take more passes.
const MAX_VECTORS: usize = 2048;

/// How a query's per-word cosines become its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// `sum(weight * cos)` (3CosAdd; divided by the query's norm afterwards).
    Add,
    /// `prod((1 + cos) / 2 over positive) / (prod((1 + cos) / 2 over negative) + 1e-6)`
    /// (3CosMul, Levy and Goldberg 2014, as gensim computes it).
    Mul,
}

/// One query: terms `(vector, weight)` into the query vectors (positive weights are
/// the positive words), and rows that must not be returned.
#[derive(Debug, Clone)]
pub(crate) struct Combo {
    pub terms: Vec<(u32, f32)>,
    pub exclude: Vec<u32>,
}

/// A candidate: its score and row. `Ord` is "worse is greater", so a max-heap of
/// these keeps the worst kept candidate on top.
#[derive(Debug, Clone, Copy)]
struct Hit {
    score: f32,
    row: u32,
}

impl Hit {
    /// Better first: higher score, then the lower row.
    fn better(&self, other: &Hit) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.row.cmp(&other.row))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.better(other) == Ordering::Equal
    }
}
impl Eq for Hit {}
impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Hit {
    fn cmp(&self, other: &Self) -> Ordering {
        self.better(other)
    }
}

/// The `k` best candidates seen so far.
#[derive(Debug, Clone)]
struct TopK {
    k: usize,
    heap: BinaryHeap<Hit>,
    /// The score to beat (the worst kept once full, else minus infinity).
    floor: f32,
}

impl TopK {
    fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k.min(1 << 16) + 1),
            floor: f32::NEG_INFINITY,
        }
    }

    /// Offers a candidate (rows arrive in increasing order within a task, so a tie
    /// with the floor never wins).
    fn offer(&mut self, hit: Hit) {
        if self.heap.len() < self.k {
            self.heap.push(hit);
        } else if hit.better(self.heap.peek().expect("k > 0")) == Ordering::Less {
            self.heap.pop();
            self.heap.push(hit);
        } else {
            return;
        }
        if self.heap.len() == self.k {
            self.floor = self.heap.peek().expect("k > 0").score;
        }
    }

    fn merge(&mut self, other: TopK) {
        for hit in other.heap {
            self.offer(hit);
        }
    }

    fn into_sorted(self) -> Vec<(u32, f32)> {
        let mut v = self.heap.into_vec();
        v.sort_by(Hit::better);
        v.into_iter().map(|h| (h.row, h.score)).collect()
    }
}

/// The `k` best rows of `candidates` (unit rows) for each combo, best first, as
/// `(row, raw score)`: for [`Rule::Add`] the raw score is `sum(weight * cos)`, not
/// yet divided by the query's norm. `vectors` are the unit query vectors the terms
/// point into. NaN scores are never returned.
pub(crate) fn top_k(
    candidates: ArrayView2<'_, f32>,
    vectors: ArrayView2<'_, f32>,
    combos: &[Combo],
    rule: Rule,
    k: usize,
) -> Vec<Vec<(u32, f32)>> {
    let mut out = vec![Vec::new(); combos.len()];
    if k == 0 || candidates.nrows() == 0 {
        return out;
    }
    for group in groups(combos) {
        // The group's vectors, and its combos pointing into them.
        let mut local: Vec<u32> = group
            .iter()
            .flat_map(|&q| combos[q].terms.iter().map(|&(v, _)| v))
            .collect();
        local.sort_unstable();
        local.dedup();
        let mut words = Array2::<f32>::zeros((local.len(), vectors.ncols()));
        for (i, &v) in local.iter().enumerate() {
            words.row_mut(i).assign(&vectors.row(v as usize));
        }
        let remapped: Vec<Combo> = group
            .iter()
            .map(|&q| Combo {
                terms: combos[q]
                    .terms
                    .iter()
                    .map(|&(v, w)| (local.binary_search(&v).expect("collected") as u32, w))
                    .collect(),
                exclude: combos[q].exclude.clone(),
            })
            .collect();
        let best = pass(candidates, words.view(), &remapped, rule, k);
        for (&q, b) in group.iter().zip(best) {
            out[q] = b;
        }
    }
    out
}

/// Splits the combos into groups of at most `MAX_VECTORS` distinct vectors each.
fn groups(combos: &[Combo]) -> Vec<Vec<usize>> {
    let mut groups = Vec::new();
    let mut current = Vec::new();
    let mut seen = std::collections::HashSet::<u32, foldhash::fast::FixedState>::default();
    for (q, c) in combos.iter().enumerate() {
        let new = c.terms.iter().filter(|(v, _)| !seen.contains(v)).count();
        if !current.is_empty() && seen.len() + new > MAX_VECTORS {
            groups.push(std::mem::take(&mut current));
            seen.clear();
        }
        seen.extend(c.terms.iter().map(|&(v, _)| v));
        current.push(q);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

/// One pass over the candidates for a group whose vectors are `words`.
fn pass(
    candidates: ArrayView2<'_, f32>,
    words: ArrayView2<'_, f32>,
    combos: &[Combo],
    rule: Rule,
    k: usize,
) -> Vec<Vec<(u32, f32)>> {
    let rows = candidates.nrows();
    let task_rows = BLOCK * BLOCKS_PER_TASK;
    let tasks = rows.div_ceil(task_rows);
    let merged = (0..tasks)
        .into_par_iter()
        .map(|t| {
            let start = t * task_rows;
            let end = (start + task_rows).min(rows);
            let mut best: Vec<TopK> = combos.iter().map(|_| TopK::new(k)).collect();
            let mut cos = Array2::<f32>::zeros((words.nrows(), BLOCK));
            let mut scratch = Scratch::new();
            let mut at = start;
            while at < end {
                let stop = (at + BLOCK).min(end);
                score_block(
                    candidates.slice(s![at..stop, ..]),
                    at,
                    words,
                    &mut cos,
                    combos,
                    rule,
                    &mut best,
                    &mut scratch,
                );
                at = stop;
            }
            best
        })
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
            a
        })
        .expect("at least one task");
    merged.into_iter().map(TopK::into_sorted).collect()
}

/// Buffers reused from block to block.
struct Scratch {
    score: Vec<f32>,
    denominator: Vec<f32>,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            score: vec![0.0; BLOCK],
            denominator: vec![0.0; BLOCK],
        }
    }
}

/// Scores the rows `first..first + block.nrows()` for every combo, with AVX2 where
/// the CPU has it (the same operations in the same order, so the same scores).
#[allow(clippy::too_many_arguments)]
fn score_block(
    block: ArrayView2<'_, f32>,
    first: usize,
    words: ArrayView2<'_, f32>,
    cos: &mut Array2<f32>,
    combos: &[Combo],
    rule: Rule,
    best: &mut [TopK],
    scratch: &mut Scratch,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: `score_block_avx2` only needs AVX2, which the CPU has (checked
        // just above).
        unsafe { score_block_avx2(block, first, words, cos, combos, rule, best, scratch) };
        return;
    }
    score_block_any(block, first, words, cos, combos, rule, best, scratch);
}

/// [`score_block_any`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn score_block_avx2(
    block: ArrayView2<'_, f32>,
    first: usize,
    words: ArrayView2<'_, f32>,
    cos: &mut Array2<f32>,
    combos: &[Combo],
    rule: Rule,
    best: &mut [TopK],
    scratch: &mut Scratch,
) {
    score_block_any(block, first, words, cos, combos, rule, best, scratch);
}

/// The scoring of a block, in portable code (inlined into each CPU variant).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn score_block_any(
    block: ArrayView2<'_, f32>,
    first: usize,
    words: ArrayView2<'_, f32>,
    cos: &mut Array2<f32>,
    combos: &[Combo],
    rule: Rule,
    best: &mut [TopK],
    scratch: &mut Scratch,
) {
    let n = block.nrows();
    let mut cos = cos.slice_mut(s![.., ..n]);
    // cos[w, r] = words[w] . block[r]: each word's cosines contiguous over the rows.
    general_mat_mul(1.0, &words, &block.t(), 0.0, &mut cos);
    let cos = cos.view();
    let column = |w: u32| {
        cos.row(w as usize)
            .to_slice()
            .expect("rows of a standard-layout slice are contiguous")
    };
    for (combo, top) in combos.iter().zip(best.iter_mut()) {
        let score = &mut scratch.score[..n];
        match rule {
            // The common shapes (one word, analogies' three) fused with the scan.
            Rule::Add if combo.terms.len() == 1 => {
                let [(a, ka)] = [combo.terms[0]];
                fused(first, n, [column(a)], [ka], combo, top);
                continue;
            }
            Rule::Add if combo.terms.len() == 3 => {
                let [(a, ka), (b, kb), (c, kc)] = [combo.terms[0], combo.terms[1], combo.terms[2]];
                fused(
                    first,
                    n,
                    [column(a), column(b), column(c)],
                    [ka, kb, kc],
                    combo,
                    top,
                );
                continue;
            }
            Rule::Add => {
                let (&(w0, k0), rest) = combo.terms.split_first().expect("a term");
                for (s, &c) in score.iter_mut().zip(column(w0)) {
                    *s = k0 * c;
                }
                for &(w, k) in rest {
                    for (s, &c) in score.iter_mut().zip(column(w)) {
                        *s += k * c;
                    }
                }
            }
            Rule::Mul => {
                let den = &mut scratch.denominator[..n];
                score.fill(1.0);
                den.fill(1.0);
                for &(w, k) in &combo.terms {
                    let target: &mut [f32] = if k > 0.0 { score } else { den };
                    for (s, &c) in target.iter_mut().zip(column(w)) {
                        *s *= (1.0 + c) / 2.0;
                    }
                }
                for (s, &d) in score.iter_mut().zip(den.iter()) {
                    *s /= d + 0.000_001;
                }
            }
        }
        offer_above_floor(score, first, combo, top);
    }
}

/// Rows scored and checked against the floor together.
const LANES: usize = 16;

/// `sum(weights[t] * columns[t])` for each row, offered when it beats the floor:
/// one pass, `LANES` rows at a time (the compiler vectorises the fixed-size loops).
#[inline(always)]
fn fused<const T: usize>(
    first: usize,
    n: usize,
    columns: [&[f32]; T],
    weights: [f32; T],
    combo: &Combo,
    top: &mut TopK,
) {
    let mut start = 0;
    while start < n {
        let len = LANES.min(n - start);
        let mut lane = [f32::NEG_INFINITY; LANES];
        if len == LANES {
            let cols: [&[f32; LANES]; T] = std::array::from_fn(|t| {
                columns[t][start..start + LANES]
                    .try_into()
                    .expect("LANES values")
            });
            for (i, l) in lane.iter_mut().enumerate() {
                let mut s = weights[0] * cols[0][i];
                for t in 1..T {
                    s += weights[t] * cols[t][i];
                }
                *l = s;
            }
        } else {
            for (i, l) in lane.iter_mut().enumerate().take(len) {
                let mut s = weights[0] * columns[0][start + i];
                for t in 1..T {
                    s += weights[t] * columns[t][start + i];
                }
                *l = s;
            }
        }
        let floor = top.floor;
        if lane.iter().fold(false, |any, &s| any | (s > floor)) {
            for (i, &s) in lane.iter().enumerate().take(len) {
                if s > top.floor {
                    let row = (first + start + i) as u32;
                    if !combo.exclude.contains(&row) {
                        top.offer(Hit { score: s, row });
                    }
                }
            }
        }
        start += len;
    }
}

/// Offers the rows whose score beats the floor, looking at 16 at a time.
#[inline(always)]
fn offer_above_floor(score: &[f32], first: usize, combo: &Combo, top: &mut TopK) {
    for (c, chunk) in score.chunks(16).enumerate() {
        let floor = top.floor;
        if !chunk.iter().fold(false, |any, &s| any | (s > floor)) {
            continue;
        }
        for (i, &s) in chunk.iter().enumerate() {
            if s > top.floor {
                let row = (first + c * 16 + i) as u32;
                if !combo.exclude.contains(&row) {
                    top.offer(Hit { score: s, row });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// A naive reference: every score computed alone, sorted.
    fn naive(
        cand: &Array2<f32>,
        vecs: &Array2<f32>,
        c: &Combo,
        rule: Rule,
        k: usize,
    ) -> Vec<(u32, f32)> {
        let mut all: Vec<(u32, f32)> = (0..cand.nrows())
            .filter(|&r| !c.exclude.contains(&(r as u32)))
            .map(|r| {
                let cos = |v: u32| cand.row(r).dot(&vecs.row(v as usize));
                let s = match rule {
                    Rule::Add => c.terms.iter().map(|&(v, w)| w * cos(v)).sum(),
                    Rule::Mul => {
                        let p: f32 = c
                            .terms
                            .iter()
                            .filter(|t| t.1 > 0.0)
                            .map(|&(v, _)| (1.0 + cos(v)) / 2.0)
                            .product();
                        let n: f32 = c
                            .terms
                            .iter()
                            .filter(|t| t.1 < 0.0)
                            .map(|&(v, _)| (1.0 + cos(v)) / 2.0)
                            .product();
                        p / (n + 0.000_001)
                    }
                };
                (r as u32, s)
            })
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }

    fn unit_rows(n: usize, d: usize, seed: u64) -> Array2<f32> {
        let mut rng = crate::rng::Rng::new(seed);
        let mut m = Array2::from_shape_fn((n, d), |_| rng.normal() as f32);
        for mut r in m.rows_mut() {
            let norm = r.dot(&r).sqrt();
            r /= norm;
        }
        m
    }

    #[test]
    fn batch_equals_one_query_at_a_time() {
        // Enough rows for several tasks and a partial last block.
        let cand = unit_rows(BLOCK * BLOCKS_PER_TASK * 2 + 77, 8, 1);
        let vecs = cand.slice(s![..40, ..]).to_owned();
        let combos: Vec<Combo> = (0..30u32)
            .map(|q| Combo {
                terms: vec![(q, 1.0), ((q + 7) % 40, 1.0), ((q + 13) % 40, -1.0)],
                exclude: vec![q, (q + 7) % 40, (q + 13) % 40],
            })
            .collect();
        for rule in [Rule::Add, Rule::Mul] {
            for k in [1, 5, 40] {
                let got = top_k(cand.view(), vecs.view(), &combos, rule, k);
                for (c, g) in combos.iter().zip(&got) {
                    let want = naive(&cand, &vecs, c, rule, k);
                    let rows: Vec<u32> = g.iter().map(|x| x.0).collect();
                    let want_rows: Vec<u32> = want.iter().map(|x| x.0).collect();
                    assert_eq!(rows, want_rows, "{rule:?} k={k}");
                    for (a, b) in g.iter().zip(&want) {
                        assert!(
                            (a.1 - b.1).abs() <= 1e-5 * b.1.abs().max(1.0),
                            "{a:?} {b:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let cand = unit_rows(BLOCK * BLOCKS_PER_TASK * 3 + 5, 6, 2);
        let vecs = cand.slice(s![..10, ..]).to_owned();
        let combos: Vec<Combo> = (0..10u32)
            .map(|q| Combo {
                terms: vec![(q, 1.0), ((q + 1) % 10, -0.5)],
                exclude: vec![q],
            })
            .collect();
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| top_k(cand.view(), vecs.view(), &combos, Rule::Add, 7))
        };
        let one = run(1);
        let bits = |v: &Vec<Vec<(u32, f32)>>| -> Vec<(u32, u32)> {
            v.iter().flatten().map(|&(r, s)| (r, s.to_bits())).collect()
        };
        assert_eq!(bits(&one), bits(&run(3)));
    }

    #[test]
    fn ties_go_to_the_lower_row_and_nan_never_wins() {
        let mut cand = Array2::<f32>::zeros((40, 2));
        for r in 0..40 {
            cand[[r, 0]] = 1.0;
        }
        cand[[3, 0]] = f32::NAN;
        let vecs = ndarray::array![[1.0f32, 0.0]];
        let combos = vec![Combo {
            terms: vec![(0, 1.0)],
            exclude: vec![1],
        }];
        let got = top_k(cand.view(), vecs.view(), &combos, Rule::Add, 3);
        assert_eq!(
            got[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![0, 2, 4]
        );
    }

    #[test]
    fn many_distinct_vectors_take_several_passes() {
        let cand = unit_rows(300, 4, 3);
        let vecs = unit_rows(MAX_VECTORS + 100, 4, 4);
        let combos: Vec<Combo> = (0..(MAX_VECTORS as u32 + 100))
            .map(|q| Combo {
                terms: vec![(q, 1.0)],
                exclude: vec![],
            })
            .collect();
        assert_eq!(groups(&combos).len(), 2);
        let got = top_k(cand.view(), vecs.view(), &combos, Rule::Add, 2);
        for (c, g) in combos.iter().zip(&got).step_by(97) {
            let want = naive(&cand, &vecs, c, Rule::Add, 2);
            assert_eq!(
                g.iter().map(|x| x.0).collect::<Vec<_>>(),
                want.iter().map(|x| x.0).collect::<Vec<_>>()
            );
        }
    }
}
