//! A string written as JSON text, byte for byte as serde_json writes it,
//! but looked over eight bytes at a time.
//!
//! serde_json looks up every byte of a string in a table to find the ones
//! to escape. An error body's message is a sentence of a hundred bytes or
//! more with nothing to escape in it, and that lookup was most of what
//! writing the body cost: more than the rest of a `404` answer together.

/// One in every byte of a word.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// The top bit of every byte of a word.
const TOPS: u64 = u64::from_le_bytes([0x80; 8]);

/// The top bit of each byte of `word` below `limit` (at most 0x80), and
/// perhaps of bytes above the first such one, never below it. A byte's
/// subtraction sets its top bit only if the byte was below `limit` or a
/// lower byte borrowed, and a lower byte borrows only when it was below
/// `limit` itself. Bytes with their own top bit set (UTF-8 past ASCII)
/// are masked out by `!word`.
const fn below(word: u64, limit: u8) -> u64 {
    word.wrapping_sub(ONES * limit as u64) & !word & TOPS
}

/// The top bit of the bytes of `word` that must be escaped in JSON text
/// (a control character, `"` or `\`), exact up to the first: read little
/// endian, its trailing zeros count the bytes before it.
const fn escapes(word: u64) -> u64 {
    below(word, 0x20) | below(word ^ (ONES * b'"' as u64), 1) | below(word ^ (ONES * b'\\' as u64), 1)
}

fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().expect("eight bytes"))
}

/// Where in a word the first byte to escape is.
fn first(escapes: u64) -> usize {
    escapes.trailing_zeros() as usize / 8
}

/// How many bytes of `bytes` come before the first to escape.
fn clean_run(bytes: &[u8]) -> usize {
    let mut i = 0;
    // Two words a turn: a message is a hundred bytes or more.
    while let Some(pair) = bytes.get(i..i + 16) {
        let (low, high) = (escapes(word(&pair[..8])), escapes(word(&pair[8..])));
        if low | high != 0 {
            return i + if low != 0 { first(low) } else { 8 + first(high) };
        }
        i += 16;
    }
    if let Some(single) = bytes.get(i..i + 8) {
        let found = escapes(word(single));
        if found != 0 {
            return i + first(found);
        }
        i += 8;
    }
    // The last few bytes, in the word that ends the text when there is
    // one: those of it already looked over have nothing to escape, so
    // the first it finds is past them.
    if i < bytes.len() && bytes.len() >= 8 {
        let last = bytes.len() - 8;
        let found = escapes(word(&bytes[last..]));
        return if found != 0 {
            last + first(found)
        } else {
            bytes.len()
        };
    }
    let needs = |&b: &u8| b < 0x20 || b == b'"' || b == b'\\';
    bytes[i..].iter().position(needs).map_or(bytes.len(), |p| i + p)
}

/// Appends the escape serde_json writes for `byte`: a control character,
/// `"` or `\`.
fn push_escape(byte: u8, out: &mut Vec<u8>) {
    let short = match byte {
        b'"' | b'\\' => byte,
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0x08 => b'b',
        0x0C => b'f',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0F)]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

/// Appends `text` to `out` as a JSON string, quotes included.
pub(crate) fn write(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut rest = bytes;
    loop {
        let clean = clean_run(rest);
        out.extend_from_slice(&rest[..clean]);
        let Some((&byte, after)) = rest[clean..].split_first() else {
            break;
        };
        push_escape(byte, out);
        rest = after;
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Vec<u8> {
        let mut out = b"before".to_vec();
        write(&mut out, text);
        out.drain(.."before".len());
        out
    }

    fn assert_as_serde_json(text: &str) {
        assert_eq!(
            String::from_utf8(written(text)).unwrap(),
            serde_json::to_string(text).unwrap(),
            "{text:?}"
        );
    }

    #[test]
    fn every_ascii_character_at_every_place_in_a_word_is_written_as_serde_json_writes_it() {
        let others = ["é", "€", "😀", "\u{7f}", "\u{80}", "\u{2028}"];
        let characters = (0u8..0x80)
            .map(|b| char::from(b).to_string())
            .chain(others.iter().map(|s| s.to_string()));
        for character in characters {
            for before in 0..18 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!("{}{character}{}", "a".repeat(before), "z".repeat(after));
                    assert_as_serde_json(&text);
                }
            }
        }
    }

    #[test]
    fn mixed_text_is_written_as_serde_json_writes_it() {
        let alphabet: Vec<char> = "ab \"\\\n\r\t\u{0}\u{1f}\u{8}\u{c}é€😀/'<>\u{7f}"
            .chars()
            .collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..5_000 {
            let mut text = String::new();
            // xorshift: a fixed, repeatable spread of strings.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let length = (state % 40) as usize;
            let mut pick = state;
            for _ in 0..length {
                pick = pick.rotate_left(5).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                // Mostly plain letters, as real messages are.
                let index = (pick >> 33) as usize % (alphabet.len() * 3);
                text.push(*alphabet.get(index).unwrap_or(&'m'));
            }
            assert_as_serde_json(&text);
        }
    }

    #[test]
    fn the_first_byte_to_escape_in_a_word_is_found_wherever_it_is() {
        let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
        let check = |word: [u8; 8]| {
            let found = escapes(u64::from_le_bytes(word));
            let expected = word.iter().position(|&b| escaped(b));
            assert_eq!((found != 0).then(|| first(found)), expected, "{word:?}");
        };
        let fillers = [b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff];
        for special in 0u8..=255 {
            for place in 0..8 {
                for filler in fillers {
                    let mut word = [filler; 8];
                    word[place] = special;
                    check(word);
                    // A second byte to escape after it, and one anywhere.
                    for (other, second) in [(0x00, b'"'), (0x1f, b'\\'), (b'"', 0x01)] {
                        for later in 0..8 {
                            let mut twice = word;
                            twice[later] = if later > place { other } else { second };
                            check(twice);
                        }
                    }
                }
            }
        }
    }
}
