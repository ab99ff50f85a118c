//! The exact number parser: never panics, and what it accepts is exact. A parsed rational is
//! re-parsed from its own `a/b` text to the same value, a list parses item by item, and an
//! integer parse agrees with the rational parse.
#![no_main]

use alignexact::exact::parse::{parse_integer, parse_list, parse_rational};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(q) = parse_rational(s) {
        let back = parse_rational(&q.to_string()).expect("a/b text of a parsed number parses");
        assert_eq!(back, q);
        match parse_integer(s) {
            Ok(i) => assert_eq!(rug::Rational::from(i), q),
            Err(_) => assert_ne!(*q.denom(), 1),
        }
    }
    if let Ok(v) = parse_list(s) {
        let items: Vec<&str> = s.split(',').collect();
        assert_eq!(items.len(), v.len());
        for (item, q) in items.iter().zip(&v) {
            assert_eq!(parse_rational(item).as_ref(), Ok(q));
        }
    }
});
