//! Comparing a credential with the expected one in constant time, so that
//! how long a refusal takes says nothing of how much of a guess was right.

use subtle::ConstantTimeEq;

/// Whether `given` is `expected`. Only their lengths may show in the time
/// taken.
pub(crate) fn same(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn equal_texts_are_the_same_and_others_are_not() {
        assert!(same("let-me-in", "let-me-in"));
        assert!(!same("let-me-in", "let-me-im"));
        assert!(!same("let-me", "let-me-in"));
        assert!(same("", ""));
    }
}
