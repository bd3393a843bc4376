//! Argument parsing, property-tested: any query string or form body becomes
//! either a well-typed call or a 400 with the standard body, never a panic
//! (which would be a 500) and never anything else.

#[path = "fuzzing/app.rs"]
#[allow(dead_code)]
mod app;

use proptest::prelude::*;

/// Query and form text: names and values from a small alphabet, with
/// percent-escapes (valid or not), `+`, `=`, `&`, JSON punctuation.
fn encoded() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("x".to_owned()),
        Just("y".to_owned()),
        Just("who".to_owned()),
        Just("times".to_owned()),
        Just("p".to_owned()),
        Just("tags".to_owned()),
        Just("_callback".to_owned()),
        "[a-z0-9]{0,6}",
        "-?[0-9]{1,25}(\\.[0-9]{0,5})?(e[0-9]{1,3})?",
        Just("%FF".to_owned()),
        Just("%C3%A9".to_owned()),
        Just("%2".to_owned()),
        Just("%5B1,2%5D".to_owned()),
        Just("%7B%22x%22:1,%22y%22:2%7D".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("+".to_owned()),
        Just("=".to_owned()),
        Just("&".to_owned()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn query_strings_give_a_call_or_a_400(path in 0u8..9, query in encoded()) {
        let mut data = vec![0u8, path, 0xFF];
        data.extend(query.as_bytes());
        let status = answer(&data);
        prop_assert!(matches!(status, 200 | 400 | 405 | 418), "status {} for {:?}", status, query);
    }

    #[test]
    fn form_bodies_give_a_call_or_a_400(path in 0u8..9, form in encoded()) {
        let mut data = vec![1u8, path, 0xFF, 0xFF];
        data.extend(b"content-type: application/x-www-form-urlencoded");
        data.push(0xFF);
        data.extend(form.as_bytes());
        let status = answer(&data);
        prop_assert!(matches!(status, 200 | 400 | 418), "status {} for {:?}", status, form);
    }
}

/// The status of the app's answer, after the fuzz target's own checks.
fn answer(data: &[u8]) -> u16 {
    app::run_one(data);
    app::status(data)
}
