//! The W3C `traceparent` header (Trace Context, level 1): which trace a
//! request belongs to, so that its span and its Sentry event continue the
//! caller's trace instead of starting one.
#![cfg_attr(not(any(feature = "otel", feature = "sentry")), allow(dead_code))]

/// A valid incoming `traceparent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TraceParent {
    /// The trace's id, never all zeros.
    pub(crate) trace_id: [u8; 16],
    /// The caller's span, never all zeros.
    pub(crate) parent_id: [u8; 8],
    /// Whether the caller sampled the trace.
    pub(crate) sampled: bool,
}

impl TraceParent {
    /// Reads a `traceparent` value. Anything malformed is `None`, and the
    /// request starts a trace of its own: a bad header is never an error.
    pub(crate) fn parse(value: &[u8]) -> Option<TraceParent> {
        let text = std::str::from_utf8(value).ok()?.trim_matches([' ', '\t']);
        let mut fields = text.split('-');
        let version = hex::<1>(fields.next()?)?[0];
        let trace_id = hex::<16>(fields.next()?)?;
        let parent_id = hex::<8>(fields.next()?)?;
        let flags = hex::<1>(fields.next()?)?[0];
        // Version 00 has exactly four fields; a later version may add some,
        // and is read as far as 00 goes. Version ff is invalid.
        if version == 0xff || (version == 0 && fields.next().is_some()) {
            return None;
        }
        if trace_id == [0; 16] || parent_id == [0; 8] {
            return None;
        }
        Some(TraceParent {
            trace_id,
            parent_id,
            sampled: flags & 1 == 1,
        })
    }

    /// The trace id as 32 lowercase hexadecimal digits.
    #[cfg(test)]
    fn trace_id_hex(&self) -> String {
        self.trace_id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Exactly `2 * N` lowercase hexadecimal digits, as bytes.
fn hex<const N: usize>(field: &str) -> Option<[u8; N]> {
    let digits = field.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_header_is_read() {
        let parent = TraceParent::parse(GOOD.as_bytes()).unwrap();
        assert_eq!(parent.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parent.parent_id, [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]);
        assert!(parent.sampled);
        let unsampled = GOOD.replace("-01", "-00");
        assert!(!TraceParent::parse(unsampled.as_bytes()).unwrap().sampled);
    }

    #[test]
    fn a_later_version_is_read_as_far_as_version_00_goes() {
        let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes";
        assert!(TraceParent::parse(later.as_bytes()).is_some());
    }

    #[test]
    fn malformed_headers_are_ignored() {
        for bad in [
            "",
            "garbage",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceParent::parse(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(TraceParent::parse(&[0xff, 0xfe]), None);
    }
}
