//! Request ids: the one value that the answer, the log line, the span and
//! the Sentry event of a request share, so that a client quoting it leads
//! to all of them.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderValue;

/// The longest id kept from a client.
const MAX_LEN: usize = 128;

/// The id of one request: the client's (or the proxy's) when it is a
/// token of at most 128 visible ASCII characters, otherwise one Pico made:
/// 32 hexadecimal digits, unique within the process and, through a random
/// start, across processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RequestId(HeaderValue);

impl RequestId {
    /// The client's id when it is valid. An invalid one is dropped, never
    /// echoed: it could be anything a log or a header should not hold.
    pub(crate) fn kept_or_made(incoming: Option<&HeaderValue>) -> RequestId {
        match incoming {
            Some(value) if is_valid(value.as_bytes()) => RequestId(value.clone()),
            _ => RequestId::made(),
        }
    }

    /// A new id: a per-process random start, then consecutive numbers from
    /// it scrambled by a bijection (so still distinct).
    fn made() -> RequestId {
        /// The start, and its digits, which every id of the process begins
        /// with: written once.
        static START: OnceLock<(u64, [u8; 16])> = OnceLock::new();
        let (start, digits) = START.get_or_init(|| {
            let start = random_u64();
            let mut digits = [0u8; 16];
            write_hex(&mut digits, start);
            (start, digits)
        });
        let n = next_number();
        let mut buffer = [0u8; 32];
        buffer[..16].copy_from_slice(digits);
        write_hex(
            (&mut buffer[16..]).try_into().expect("16 bytes"),
            scramble(n.wrapping_add(*start)),
        );
        RequestId(HeaderValue::from_bytes(&buffer).expect("hexadecimal digits are a header value"))
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        // Only visible ASCII is ever kept or made.
        self.0.to_str().unwrap_or_default()
    }

    pub(crate) fn header_value(&self) -> HeaderValue {
        self.0.clone()
    }

    /// The id, taken out: an empty value is left, for a record about to
    /// be dropped.
    pub(crate) fn take_header_value(&mut self) -> HeaderValue {
        std::mem::replace(&mut self.0, const { HeaderValue::from_static("") })
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The numbers a thread hands out before it takes the next block.
const BLOCK: u64 = 1024;

/// A number no other id of the process has. Each thread takes a block of
/// [`BLOCK`] from the shared count and hands them out one by one: one
/// request in a thousand touches the count that every core shares.
fn next_number() -> u64 {
    static BLOCKS: AtomicU64 = AtomicU64::new(0);
    thread_local! {
        /// The next number of this thread's block, and the block's end.
        static OWN: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }
    OWN.with(|own| {
        let (mut next, mut end) = own.get();
        if next == end {
            next = BLOCKS.fetch_add(1, Ordering::Relaxed).wrapping_mul(BLOCK);
            end = next.wrapping_add(BLOCK);
        }
        own.set((next.wrapping_add(1), end));
        next
    })
}

fn is_valid(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_LEN && id.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// A bijection of `u64`: multiplying by an odd number and xor-shifting are
/// both invertible, so distinct counters give distinct ids.
fn scramble(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^ (x >> 29)
}

/// A random number from the standard library's hash keys, which the OS
/// seeds: no dependency for eight random bytes a process.
fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// `value`'s 16 hexadecimal digits, a byte (two digits) at a time.
fn write_hex(out: &mut [u8; 16], value: u64) {
    /// The two digits of each byte.
    const PAIRS: [[u8; 2]; 256] = {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut pairs = [[0u8; 2]; 256];
        let mut i = 0;
        while i < 256 {
            pairs[i] = [DIGITS[i >> 4], DIGITS[i & 0xf]];
            i += 1;
        }
        pairs
    };
    for (pair, byte) in out.chunks_exact_mut(2).zip(value.to_be_bytes()) {
        pair.copy_from_slice(&PAIRS[usize::from(byte)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(id: &[u8]) -> bool {
        let value = HeaderValue::from_bytes(id).unwrap();
        RequestId::kept_or_made(Some(&value)).0 == value
    }

    #[test]
    fn a_token_of_visible_ascii_is_kept_and_anything_else_replaced() {
        assert!(kept(b"abc-123_X.y:z/+="));
        assert!(kept(&[b'a'; 128]));
        assert!(!kept(&[b'a'; 129]));
        assert!(!kept(b"two words"));
        assert!(!kept(b"\tabc"));
        assert!(!kept("caf\u{e9}".as_bytes()));
        assert!(!kept(b""));
    }

    #[test]
    fn made_ids_are_32_hex_digits_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..10_000)
            .map(|_| RequestId::kept_or_made(None).as_str().to_owned())
            .collect();
        assert_eq!(ids.len(), 10_000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        );
    }

    #[test]
    fn threads_hand_out_numbers_no_other_thread_has() {
        let per_thread = 3 * BLOCK as usize;
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(move || (0..per_thread).map(|_| next_number()).collect::<Vec<_>>()))
            .collect();
        let mut all = std::collections::HashSet::new();
        for thread in threads {
            for n in thread.join().unwrap() {
                assert!(all.insert(n), "{n} handed out twice");
            }
        }
        assert_eq!(all.len(), 4 * per_thread);
    }

    #[test]
    fn the_scramble_keeps_numbers_apart() {
        let outputs: std::collections::HashSet<u64> = (0..100_000).map(scramble).collect();
        assert_eq!(outputs.len(), 100_000);
    }
}
