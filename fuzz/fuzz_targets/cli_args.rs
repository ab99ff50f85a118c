//! The command-line argument layer: argv built from the input (NUL-separated words) goes through
//! clap and the flag validators (`cli::args`); neither may panic, and every rejection is a
//! usage error. Commands are not run (their cost is the subject of the guards, not of parsing).
#![no_main]

use alignexact::cli::{args, Cli};
use clap::Parser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let words: Vec<&str> = s.split('\0').take(24).collect();
    let argv = std::iter::once("alignexact").chain(words.iter().copied());
    let _ = Cli::try_parse_from(argv);
    for pair in words.windows(2) {
        let (flag, v) = (pair[0], pair[1]);
        let checks = [
            args::precision(Some(v), None).err(),
            args::precision(None, Some(v)).err(),
            args::rational(flag, v).err(),
            args::list(flag, v).err(),
            args::positive_integer(flag, v, &rug::Integer::from(1u64 << 40)).err(),
            args::nonnegative(flag, v).err(),
            args::distribution(flag, Some(v), true).err(),
            args::model(Some(pair[0]), Some(v), false).err(),
        ];
        for e in checks.into_iter().flatten() {
            assert_eq!(e.exit_code(), 2, "{e}");
        }
    }
});
