//! fastText's character n-grams and their hash, over the UTF-8 bytes of a word.
//!
//! A word's n-grams are taken from `<` + word + `>`: from each byte that is not a
//! UTF-8 continuation byte (`0b10xx_xxxx`), every run of `minn..=maxn` characters
//! (a character being a lead byte and the continuation bytes after it), except the
//! lone `<` and `>`; a piece of a word goes without the mark of an end it lacks
//! (`ing>` for `##ing`). Each n-gram's bucket is its hash modulo the bucket count.

/// fastText's hash: 32-bit FNV-1a over the bytes taken as *signed* chars, so a byte
/// of 0x80 or more is sign-extended before it is mixed in (the C++ `int8_t` cast).
///
/// ```text
/// hash("") = 2166136261
/// ```
#[inline]
pub(crate) fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for &b in bytes {
        h ^= b as i8 as i32 as u32;
        h = h.wrapping_mul(16_777_619);
    }
    h
}

/// Whether `b` continues a UTF-8 character.
#[inline]
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Calls `f(hash)` for every n-gram of `word`, in fastText's order: by start
/// byte, then by length. A whole word is `bounds = (true, true)`: the n-grams of
/// `<` + word + `>`; a piece of a word whose start or end (`bounds.0`, `bounds.1`)
/// is not a word boundary goes without that `<` or `>`. A lone mark is never an
/// n-gram; a lone character of the string is (when `minn` allows one-character
/// n-grams), whichever end it sits at.
///
/// `minn`/`maxn` are character counts; `maxn == 0` (or `minn > maxn`) gives none.
/// The marked word is built in `scratch` (kept by callers across words so that
/// computing many words allocates once).
pub(crate) fn for_each_ngram(
    word: &[u8],
    bounds: (bool, bool),
    minn: usize,
    maxn: usize,
    scratch: &mut Vec<u8>,
    mut f: impl FnMut(u32),
) {
    if maxn == 0 || minn > maxn {
        return;
    }
    let (start, end) = bounds;
    scratch.clear();
    scratch.reserve(word.len() + 2);
    if start {
        scratch.push(b'<');
    }
    scratch.extend_from_slice(word);
    if end {
        scratch.push(b'>');
    }
    let w = &scratch[..];
    for i in 0..w.len() {
        if is_continuation(w[i]) {
            continue;
        }
        let mut j = i;
        let mut n = 0;
        while j < w.len() && n < maxn {
            j += 1;
            while j < w.len() && is_continuation(w[j]) {
                j += 1;
            }
            n += 1;
            let lone_mark = n == 1 && ((start && i == 0) || (end && j == w.len()));
            if n >= minn && !lone_mark {
                f(hash(&w[i..j]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grams(word: &str, minn: usize, maxn: usize) -> Vec<String> {
        grams_within(word, (true, true), minn, maxn)
    }

    /// The naive reference: characters of the marked string, every run of
    /// minn..=maxn characters that is not a lone mark.
    fn grams_within(word: &str, bounds: (bool, bool), minn: usize, maxn: usize) -> Vec<String> {
        let open = if bounds.0 { "<" } else { "" };
        let close = if bounds.1 { ">" } else { "" };
        let chars: Vec<char> = format!("{open}{word}{close}").chars().collect();
        let mut out = vec![];
        for i in 0..chars.len() {
            for n in minn.max(1)..=maxn {
                if i + n > chars.len() {
                    break;
                }
                let lone_mark =
                    n == 1 && ((bounds.0 && i == 0) || (bounds.1 && i + 1 == chars.len()));
                if !lone_mark {
                    out.push(chars[i..i + n].iter().collect());
                }
            }
        }
        out
    }

    #[test]
    fn pieces_inside_a_word_lack_the_marks_of_the_ends_they_do_not_have() {
        for word in ["", "a", "ing", "café", "日本語", "x<y>"] {
            for bounds in [(true, true), (false, true), (true, false), (false, false)] {
                for (minn, maxn) in [(1, 1), (1, 3), (3, 6), (5, 5)] {
                    let mut got = vec![];
                    for_each_ngram(word.as_bytes(), bounds, minn, maxn, &mut vec![], |h| {
                        got.push(h)
                    });
                    let want: Vec<u32> = grams_within(word, bounds, minn, maxn)
                        .iter()
                        .map(|g| hash(g.as_bytes()))
                        .collect();
                    assert_eq!(got, want, "{word:?} {bounds:?} {minn} {maxn}");
                }
            }
        }
        // `##ing` after a word start: `ing`, `ing>`, `ng>`, never `<ing`.
        let mut got = vec![];
        for_each_ngram(b"ing", (false, true), 3, 4, &mut vec![], |h| got.push(h));
        assert_eq!(got, [hash(b"ing"), hash(b"ing>"), hash(b"ng>")]);
    }

    #[test]
    fn fnv1a_with_signed_bytes() {
        assert_eq!(hash(b""), 2_166_136_261);
        // Plain FNV-1a for ASCII: "a" is 0xe40c292c.
        assert_eq!(hash(b"a"), 0xe40c_292c);
        // 0xC3 is sign-extended to 0xFFFFFFC3 before the xor.
        let mut h: u32 = 2_166_136_261;
        h = (h ^ 0xFFFF_FFC3).wrapping_mul(16_777_619);
        assert_eq!(hash(&[0xC3]), h);
        assert_ne!(hash(&[0xC3]), {
            let h: u32 = 2_166_136_261;
            (h ^ 0xC3).wrapping_mul(16_777_619)
        });
    }

    #[test]
    fn ngrams_match_the_naive_reference() {
        for word in ["", "a", "ab", "where", "café", "日本語", "😀x", "naïve"] {
            for (minn, maxn) in [(1, 1), (1, 3), (2, 4), (3, 6), (3, 3), (4, 2), (0, 5)] {
                let mut got = vec![];
                let mut scratch = vec![];
                for_each_ngram(
                    word.as_bytes(),
                    (true, true),
                    minn,
                    maxn,
                    &mut scratch,
                    |h| got.push(h),
                );
                let want: Vec<u32> = grams(word, minn, maxn)
                    .iter()
                    .map(|g| hash(g.as_bytes()))
                    .collect();
                assert_eq!(got, want, "{word:?} {minn} {maxn}");
            }
        }
        let mut n = 0;
        for_each_ngram(b"abc", (true, true), 3, 0, &mut vec![], |_| n += 1);
        assert_eq!(n, 0);
    }

    #[test]
    fn invalid_utf8_is_cut_at_lead_bytes_only() {
        // A stray continuation byte joins the character before it, as in fastText.
        let mut got = vec![];
        for_each_ngram(b"a\x80b", (true, true), 1, 1, &mut vec![], |h| got.push(h));
        assert_eq!(got, vec![hash(b"a\x80"), hash(b"b")]);
    }
}
