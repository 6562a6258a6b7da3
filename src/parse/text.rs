//! GloVe and word2vec-text lines over `&[u8]`: header, word, values.
//!
//! A row is `word v1 v2 ... vD`. Fields are separated by runs of spaces or tabs, as
//! Python's `str.split()` (and so Keras' loading loop) reads them: two spaces after
//! the word, fixed-width values (`%9.6f` pads positive values with a space) and tabs
//! are all one separator. The word is everything before the last `D` fields, with
//! the run that separates it from them removed (a right split), because real files
//! have words that hold spaces (GloVe 840B has `. . .`). White space at the start of
//! a line, and trailing spaces, tabs and `\r`, are ignored, so CRLF files and
//! fastText's trailing space are read as they are.

use memchr::{memchr2, memrchr2};

/// Whether a byte separates fields: a space or a tab.
#[inline(always)]
pub(crate) fn is_sep(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Strips the white space a line may end with (`\r` of CRLF, fastText's trailing
/// space, stray tabs).
#[inline]
pub(crate) fn trim_end(mut line: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t' | b'\r'] = line {
        line = rest;
    }
    line
}

/// Strips the separators a line may start with.
#[inline]
pub(crate) fn trim_start(mut line: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = line {
        line = rest;
    }
    line
}

/// The fields of a line: its pieces between runs of separators.
pub(crate) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| is_sep(b)).filter(|f| !f.is_empty())
}

/// Number of fields of a line.
pub(crate) fn count_fields(line: &[u8]) -> usize {
    fields(line).count()
}

/// The first field of a trimmed line, and what follows the run after it (empty when
/// the line has one field). A row's word, when the word holds no separator.
#[inline]
pub(crate) fn first_field(line: &[u8]) -> (&[u8], &[u8]) {
    let line = trim_start(line);
    match memchr2(b' ', b'\t', line) {
        Some(cut) => (&line[..cut], trim_start(&line[cut + 1..])),
        None => (line, &[]),
    }
}

/// The UTF-8 byte-order mark (`EF BB BF`) some editors put at the start of a file;
/// every reader of text skips it. The one definition in the crate.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// What the first line of a text file says about a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderLine {
    /// Two positive integers: `rows dims`.
    Header { rows: u64, dims: u64 },
    /// Two integer-looking fields, but zero, negative or too large: a broken header.
    Bad,
    /// Not a header: the line is a row.
    NotHeader,
}

/// Reads `rows dims` from the first line (already trimmed).
pub(crate) fn header_line(line: &[u8]) -> HeaderLine {
    let mut fields = fields(line);
    let (Some(a), Some(b), None) = (fields.next(), fields.next(), fields.next()) else {
        return HeaderLine::NotHeader;
    };
    let is_int = |f: &[u8]| {
        let digits = f.strip_prefix(b"-").or(f.strip_prefix(b"+")).unwrap_or(f);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    };
    if !is_int(a) || !is_int(b) {
        return HeaderLine::NotHeader;
    }
    let parse = |f: &[u8]| -> Option<u64> {
        let f = f.strip_prefix(b"+").unwrap_or(f);
        std::str::from_utf8(f)
            .ok()?
            .parse::<u64>()
            .ok()
            .filter(|&n| n > 0)
    };
    match (parse(a), parse(b)) {
        (Some(rows), Some(dims)) => HeaderLine::Header { rows, dims },
        _ => HeaderLine::Bad,
    }
}

/// A line cut into its word and its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split<'a> {
    /// `values` holds exactly `dims` fields (not yet parsed), from the first byte of
    /// the first to the last byte of the last.
    Row { word: &'a [u8], values: &'a [u8] },
    /// Fewer fields than `dims` after the word (`found` is how many there are).
    Ragged { found: usize },
    /// Exactly `dims` fields and nothing before them.
    MissingWord,
}

/// Splits a trimmed, non-empty line into the word and its `dims` values: the last
/// `dims` fields are the values, and everything before the run of separators in
/// front of them (white space at the start of the line aside) is the word.
#[inline]
pub(crate) fn split_line(line: &[u8], dims: usize) -> Split<'_> {
    let line = trim_start(line);
    let mut end = line.len();
    let mut found: usize = 0;
    let values_start = loop {
        if end == 0 || dims == 0 {
            // Fewer than `dims` fields in all (or a line of nothing).
            return Split::Ragged {
                found: found.saturating_sub(1),
            };
        }
        let start = memrchr2(b' ', b'\t', &line[..end]).map_or(0, |i| i + 1);
        found += 1;
        if found == dims {
            break start;
        }
        end = start;
        while end > 0 && is_sep(line[end - 1]) {
            end -= 1;
        }
    };
    if values_start == 0 {
        // Exactly `dims` fields: values without a word, or a word and one value
        // too few.
        return if starts_like_number(line) {
            Split::MissingWord
        } else {
            Split::Ragged { found: dims - 1 }
        };
    }
    let mut word_end = values_start;
    while word_end > 0 && is_sep(line[word_end - 1]) {
        word_end -= 1;
    }
    Split::Row {
        word: &line[..word_end],
        values: &line[values_start..],
    }
}

/// Whether a line opens with something that reads as a number (a row missing its
/// word, rather than a row missing a value).
fn starts_like_number(line: &[u8]) -> bool {
    let first = fields(line).next().unwrap_or_default();
    fast_float2::parse::<f32, _>(first).is_ok()
}

/// Why a field did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldErrorKind {
    /// Not a decimal number.
    NotANumber,
    /// NaN or an infinity, while those are refused.
    NonFinite,
}

/// A field that did not parse: which one (1-based) and where it starts in `values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub field: usize,
    pub offset: usize,
    pub kind: FieldErrorKind,
}

impl FieldError {
    /// The field's text, cut to 40 bytes, for messages.
    pub(crate) fn text(&self, values: &[u8]) -> String {
        let rest = &values[self.offset.min(values.len())..];
        let end = memchr2(b' ', b'\t', rest).unwrap_or(rest.len()).min(40);
        String::from_utf8_lossy(&rest[..end]).into_owned()
    }
}

/// Powers of ten that are exact in `f32` (10^10 = 2^10 * 9765625, and 9765625 < 2^24).
const POW10: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/// Negative powers of ten, rounded to `f64`. For every `m <= 2^24` and `e <= 10`,
/// `(m as f64 * NEG_POW10[e]) as f32` equals the correctly rounded `m / 10^e`: the
/// test `multiply_equals_divide_exhaustively` checks all 168 million cases. A
/// multiplication is several times cheaper than a division.
const NEG_POW10: [f64; 11] = [
    1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10,
];

/// Parses the common short decimal (`-0.41242`, `6.3681e-05`) exactly, or gives
/// up (`None`) for anything else, which then goes to the general parser.
///
/// Clinger's fast path: when the digits form an integer `m <= 2^24` and the
/// decimal exponent `e` is within +-10, both `m` and `10^|e|` are exact in `f32`, so
/// one IEEE multiplication or division gives the correctly rounded value (the
/// division is done as an `f64` multiplication proven equal, see [`NEG_POW10`]).
#[inline(always)]
fn parse_short(s: &[u8]) -> Option<(f32, usize)> {
    if let Some(r) = parse_swar(s) {
        return Some(r);
    }
    parse_short_bytewise(s)
}

/// Eight ASCII digits `'0'` in a word: subtracted from a word of text, it turns
/// digits into their values.
const ZEROS: u64 = u64::from_le_bytes([b'0'; 8]);

/// The eight bytes of `s` from `at`, first byte lowest, when `s` has them.
#[inline(always)]
fn load8(s: &[u8], at: usize) -> Option<u64> {
    let bytes = s.get(at..at + 8)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// How many of the eight bytes of `w` (lowest first) are ASCII digits before the
/// first byte that is not.
///
/// A byte `b` is flagged (its top bit set) in `b + 0x46` when `b >= 0x3A` (up to
/// 0xB9), and in `b - 0x30` when `b < 0x30` or `b >= 0xBA`: so exactly the non-digits
/// are flagged. The carries and borrows that cross bytes start only at flagged
/// bytes and move upwards, so the lowest flagged byte is always right.
#[inline(always)]
fn leading_digits(w: u64) -> usize {
    let flags =
        (w.wrapping_add(0x4646_4646_4646_4646) | w.wrapping_sub(ZEROS)) & 0x8080_8080_8080_8080;
    (flags.trailing_zeros() / 8) as usize
}

/// The integer the first `n` bytes of `w` spell (`1 <= n <= 8`, all digits), with
/// three multiplications instead of a loop: the digits are moved to the top of
/// the word (zeros in front), then pairs, fours and eights are combined.
#[inline(always)]
fn digits_value(w: u64, n: usize) -> u64 {
    let mut v = w.wrapping_sub(ZEROS);
    if n < 8 {
        v = (v & ((1u64 << (8 * n)) - 1)) << (8 * (8 - n));
    }
    // Each byte pair becomes one value of two digits in the lower byte of the pair.
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    // Pairs of pairs, then the two halves: 10^2 and 10^6 in one multiplication, 1
    // and 10^4 in the other.
    let pairs = 0x0000_00FF_0000_00FF;
    let hi = (v & pairs).wrapping_mul(100 + (1_000_000 << 32));
    let lo = ((v >> 16) & pairs).wrapping_mul(1 + (10_000 << 32));
    (hi.wrapping_add(lo)) >> 32
}

/// The word-at-a-time form of [`parse_short_bytewise`] for its most common input:
/// `[-]I.F` with 1 to 7 digits in `I` and 1 to 8 in `F`, no exponent, and at least
/// eight bytes readable from each digit run (so not the last value of a line).
/// Anything else gives `None` and is read byte by byte. The same `m / 10^e` as
/// there, so the same correctly rounded value.
#[inline(always)]
fn parse_swar(s: &[u8]) -> Option<(f32, usize)> {
    let neg = s.first() == Some(&b'-');
    let at = usize::from(neg);
    let w = load8(s, at)?;
    let int_len = leading_digits(w);
    if int_len == 0 || int_len == 8 || s.get(at + int_len) != Some(&b'.') {
        return None;
    }
    let frac_at = at + int_len + 1;
    let f = load8(s, frac_at)?;
    let frac_len = leading_digits(f);
    let end = frac_at + frac_len;
    if frac_len == 0 || matches!(s.get(end), Some(b'0'..=b'9' | b'e' | b'E')) {
        return None;
    }
    let m = digits_value(w, int_len) * POW10_U64[frac_len] + digits_value(f, frac_len);
    if m > 1 << 24 {
        return None;
    }
    let v = (m as f64 * NEG_POW10[frac_len]) as f32;
    Some((if neg { -v } else { v }, end))
}

/// `10^n` for the fraction lengths [`parse_swar`] reads.
const POW10_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// [`parse_short`] one byte at a time, for any length and an exponent.
#[inline(always)]
fn parse_short_bytewise(s: &[u8]) -> Option<(f32, usize)> {
    let neg = s.first() == Some(&b'-');
    let mut i = usize::from(neg);
    let mut m: u64 = 0;
    let int_start = i;
    while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
        m = m * 10 + u64::from(d - b'0');
        i += 1;
        if i - int_start > 18 {
            return None;
        }
    }
    let mut digits = i - int_start;
    let mut e: i32 = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
            m = m * 10 + u64::from(d - b'0');
            i += 1;
            if digits + (i - frac_start) > 18 {
                return None;
            }
        }
        digits += i - frac_start;
        e = -((i - frac_start) as i32);
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        let eneg = match s.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exp_start = i;
        let mut x: i32 = 0;
        while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
            x = x.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            i += 1;
        }
        if i == exp_start {
            return None;
        }
        e = e.saturating_add(if eneg { -x } else { x });
    }
    if m > (1 << 24) || !(-10..=10).contains(&e) {
        return None;
    }
    let v = if e < 0 {
        (m as f64 * NEG_POW10[(-e) as usize]) as f32
    } else {
        m as f32 * POW10[e as usize]
    };
    Some((if neg { -v } else { v }, i))
}

/// Parses the `out.len()` values of a row, correctly rounded to f32. `values`
/// starts at the first value and ends at the last; the values are separated by runs
/// of spaces or tabs.
#[inline]
pub(crate) fn parse_values(
    values: &[u8],
    out: &mut [f32],
    allow_non_finite: bool,
) -> Result<(), FieldError> {
    let mut pos = 0;
    let last = out.len().wrapping_sub(1);
    for (i, slot) in out.iter_mut().enumerate() {
        let rest = &values[pos..];
        let bad = |kind| FieldError {
            field: i + 1,
            offset: pos,
            kind,
        };
        // The short path's values are finite by construction (at most 2^24 * 10^10),
        // so only the general parser's need the finite check: no branch then waits
        // on the division.
        let (v, used) = match parse_short(rest) {
            Some(r) => r,
            None => match fast_float2::parse_partial::<f32, _>(rest) {
                Ok((v, _)) if !v.is_finite() && !allow_non_finite => {
                    return Err(bad(FieldErrorKind::NonFinite))
                }
                Ok(r) => r,
                Err(_) => return Err(bad(FieldErrorKind::NotANumber)),
            },
        };
        // The field must end at a separator (or at the end of the line for the last
        // one).
        let end_ok = if i == last {
            used == rest.len()
        } else {
            rest.get(used).is_some_and(|&b| is_sep(b))
        };
        if used == 0 || !end_ok {
            return Err(bad(FieldErrorKind::NotANumber));
        }
        *slot = v;
        pos += used + 1;
        // A run: the common single space costs one comparison.
        while values.get(pos).is_some_and(|&b| is_sep(b)) {
            pos += 1;
        }
    }
    Ok(())
}

/// Infers the dims of a header-less (GloVe) file from its first lines.
///
/// Fields are counted as [`split_line`] cuts them (runs of spaces or tabs are one
/// separator). Each line votes for the number of trailing fields that parse as numbers (never
/// all of them: one is the word), and the most common vote wins, ties going to the
/// earliest. So a word that looks like a number (`1990`, `nan`) or holds spaces, and
/// a broken row near the top, do not change the answer; the broken row is then
/// reported at its own line.
pub(crate) fn infer_dims<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Option<usize> {
    let mut votes: Vec<(usize, usize)> = Vec::new(); // (dims, count), in first-seen order
    for line in lines.take(100) {
        let fields: Vec<&[u8]> = fields(line).collect();
        let numeric = fields
            .iter()
            .rev()
            .take_while(|f| fast_float2::parse::<f32, _>(f).is_ok())
            .count();
        let dims = numeric.min(fields.len().saturating_sub(1));
        match votes.iter_mut().find(|(d, _)| *d == dims) {
            Some((_, n)) => *n += 1,
            None => votes.push((dims, 1)),
        }
    }
    let best = votes.iter().map(|&(_, n)| n).max()?;
    votes
        .iter()
        .find(|&&(_, n)| n == best)
        .map(|&(d, _)| d)
        .filter(|&d| d > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_crlf_and_trailing_spaces() {
        assert_eq!(trim_end(b"a 1 2 \r"), b"a 1 2");
        assert_eq!(trim_end(b" \t\r"), b"");
    }

    #[test]
    fn headers() {
        assert_eq!(
            header_line(b"400000 50"),
            HeaderLine::Header {
                rows: 400000,
                dims: 50
            }
        );
        assert_eq!(header_line(b"0 50"), HeaderLine::Bad);
        assert_eq!(header_line(b"-3 50"), HeaderLine::Bad);
        assert_eq!(header_line(b"99999999999999999999999 50"), HeaderLine::Bad);
        assert_eq!(header_line(b"the 0.5"), HeaderLine::NotHeader);
        assert_eq!(header_line(b"the 0.5 0.25"), HeaderLine::NotHeader);
    }

    #[test]
    fn right_split_keeps_spaces_in_words() {
        assert_eq!(
            split_line(b". . . 0.5 -1", 2),
            Split::Row {
                word: b". . .",
                values: b"0.5 -1"
            }
        );
        assert_eq!(
            split_line(b"the 0.5 -1", 2),
            Split::Row {
                word: b"the",
                values: b"0.5 -1"
            }
        );
        assert_eq!(split_line(b"the 0.5", 2), Split::Ragged { found: 1 });
        assert_eq!(split_line(b"0.5 -1", 2), Split::MissingWord);
        assert_eq!(split_line(b" 0.5 -1", 2), Split::MissingWord);
    }

    #[test]
    fn runs_of_spaces_and_tabs_are_one_separator() {
        let row = |word: &'static [u8], values: &'static [u8]| Split::Row { word, values };
        for (line, word, values) in [
            (&b"of  0.3 0.4"[..], &b"of"[..], &b"0.3 0.4"[..]),
            (b"of\t0.3\t0.4", b"of", b"0.3\t0.4"),
            (b"of \t 0.3  \t0.4", b"of", b"0.3  \t0.4"),
            (b"  of 0.3 0.4", b"of", b"0.3 0.4"),
            (b"\tof  0.300000 -0.400000", b"of", b"0.300000 -0.400000"),
            (b". . .  0.3 0.4", b". . .", b"0.3 0.4"),
            (b"a  b\t0.3 0.4", b"a  b", b"0.3 0.4"),
        ] {
            assert_eq!(split_line(line, 2), row(word, values), "{line:?}");
            let mut out = [0f32; 2];
            parse_values(values, &mut out, false).unwrap();
        }
        assert_eq!(split_line(b"of  0.3", 2), Split::Ragged { found: 1 });
        assert_eq!(split_line(b"  0.3\t0.4", 2), Split::MissingWord);
        assert_eq!(split_line(b"of", 2), Split::Ragged { found: 0 });
        let mut out = [0f32; 3];
        parse_values(b"0.1 \t -2.5\t\t7", &mut out, false).unwrap();
        assert_eq!(out, [0.1, -2.5, 7.0]);
        let e = parse_values(b"0.1  x\t7", &mut out, false).unwrap_err();
        assert_eq!((e.field, e.offset), (2, 5));
        assert_eq!(e.text(b"0.1  x\t7"), "x");
        assert_eq!(first_field(b"  of\t 0.3"), (&b"of"[..], &b"0.3"[..]));
        assert_eq!(count_fields(b" a \t b  c"), 3);
        let lines: [&[u8]; 2] = [b"the  0.1\t0.2", b"of\t\t 0.3  0.4"];
        assert_eq!(infer_dims(lines.into_iter()), Some(2));
    }

    #[test]
    fn values_parse_exactly_and_report_the_field() {
        let mut out = [0f32; 3];
        parse_values(b"0.1 -2.5e-3 7", &mut out, false).unwrap();
        assert_eq!(out, [0.1f32, -2.5e-3, 7.0]);
        let e = parse_values(b"0.1 x 7", &mut out, false).unwrap_err();
        assert_eq!(
            (e.field, e.offset, e.kind),
            (2, 4, FieldErrorKind::NotANumber)
        );
        assert_eq!(e.text(b"0.1 x 7"), "x");
        let e = parse_values(b"0.1 2 7x", &mut out, false).unwrap_err();
        assert_eq!(e.field, 3);
        let e = parse_values(b"0.1 nan 7", &mut out, false).unwrap_err();
        assert_eq!(e.kind, FieldErrorKind::NonFinite);
        parse_values(b"0.1 nan inf", &mut out, true).unwrap();
        assert!(out[1].is_nan() && out[2].is_infinite());
    }

    #[test]
    fn short_path_agrees_with_the_general_parser() {
        let mut rng = crate::rng::Rng::new(11);
        let check = |text: &str| {
            let general = fast_float2::parse_partial::<f32, _>(text.as_bytes()).ok();
            if let Some((v, used)) = parse_short(text.as_bytes()) {
                let (g, gused) = general.unwrap_or_else(|| panic!("{text}"));
                assert_eq!((v.to_bits(), used), (g.to_bits(), gused), "{text}");
            }
        };
        for t in [
            "0",
            "-0",
            "0.418",
            "-0.00066023",
            "4.0071",
            "6.3681e-05",
            "1e10",
            "16777216",
            "16777217",
            "1.5E+3",
            ".5",
            "5.",
            "123456789012345678",
            "0.0000000001",
            "9e-11",
        ] {
            check(t);
        }
        for _ in 0..300_000 {
            let m = rng.below(1 << 26);
            let frac = rng.below(12) as usize;
            let mut t = m.to_string();
            if frac > 0 && frac < t.len() {
                t.insert(t.len() - frac, '.');
            } else if frac > 0 {
                t = format!("0.{}{}", "0".repeat(frac - t.len()), t);
            }
            if rng.below(4) == 0 {
                t = format!("{t}e{}", rng.below(25) as i64 - 12);
            }
            if rng.below(2) == 0 {
                t.insert(0, '-');
            }
            check(&t);
        }
        assert_eq!(
            parse_short(b"-0").map(|(v, _)| v.to_bits()),
            Some((-0.0f32).to_bits())
        );
        assert_eq!(parse_short(b"1e"), None);
        assert_eq!(parse_short(b"+1"), None);
        assert_eq!(parse_short(b"nan"), None);
    }

    #[test]
    fn word_at_a_time_path_agrees_with_the_general_parser() {
        let mut rng = crate::rng::Rng::new(12);
        let mut taken = 0;
        let mut check = |text: &str| {
            // What follows the number decides whether eight bytes can be read.
            for tail in [
                "",
                " ",
                " 0.25 -0.5",
                "\t1",
                "x1234567",
                "e-05 1234567",
                "1234567890",
            ] {
                let line = format!("{text}{tail}");
                let general = fast_float2::parse_partial::<f32, _>(line.as_bytes()).ok();
                if let Some((v, used)) = parse_swar(line.as_bytes()) {
                    taken += 1;
                    let (g, gused) = general.unwrap_or_else(|| panic!("{line:?}"));
                    assert_eq!((v.to_bits(), used), (g.to_bits(), gused), "{line:?}");
                }
                let short = parse_short(line.as_bytes()).map(|(v, n)| (v.to_bits(), n));
                let bytewise = parse_short_bytewise(line.as_bytes()).map(|(v, n)| (v.to_bits(), n));
                assert_eq!(short, bytewise, "{line:?}");
            }
        };
        for t in [
            "0.418",
            "-0.00066023",
            "4.0071",
            "16777216.0",
            "1677721.7",
            "1677721.6",
            "0.5",
            "-0.0",
            "12345678.5",
            "1.123456789",
            "0.",
            ".5",
            "1",
            "00000001.1",
            "-9.99999999",
        ] {
            check(t);
        }
        for _ in 0..200_000 {
            let int_len = 1 + rng.below(8) as u32;
            let int = rng.below(10u64.pow(int_len));
            let frac_len = 1 + rng.below(9) as usize;
            let frac = rng.below(10u64.pow(frac_len as u32));
            let sign = if rng.below(2) == 0 { "-" } else { "" };
            check(&format!("{sign}{int}.{frac:0frac_len$}"));
        }
        assert!(taken > 100_000, "the word-at-a-time path ran {taken} times");
    }

    #[test]
    fn multiply_equals_divide_exhaustively() {
        for e in 1..=10 {
            for m in 0..=(1u32 << 24) {
                let divided = m as f32 / POW10[e];
                let multiplied = (f64::from(m) * NEG_POW10[e]) as f32;
                assert_eq!(divided.to_bits(), multiplied.to_bits(), "m={m} e=-{e}");
            }
        }
    }

    #[test]
    fn dims_are_inferred_despite_numeric_words() {
        let lines: [&[u8]; 3] = [b"1990 0.1 0.2", b"the 0.3 0.4", b"nan 1 2"];
        assert_eq!(infer_dims(lines.into_iter()), Some(2));
        // A broken row near the top is outvoted.
        let lines: [&[u8]; 4] = [b"a 0.1", b"b 0.3 0.4", b"c 1 2", b". . 1 2"];
        assert_eq!(infer_dims(lines.into_iter()), Some(2));
        let lines: [&[u8]; 1] = [b"word"];
        assert_eq!(infer_dims(lines.into_iter()), None);
    }
}
