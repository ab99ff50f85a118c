//! The `--spec` reader: any text gives a spec or a one-line error (exit code 2), never a panic;
//! an accepted spec fills flags as text that the flag parsers then validate without panicking.
#![no_main]

use alignexact::cli::args;
use alignexact::cli::spec::{Spec, KNOWN_KEYS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    match Spec::parse(s) {
        Err(e) => {
            assert_eq!(e.exit_code(), 2);
            assert!(!e.to_string().contains('\n'), "a one-line message: {e}");
        }
        Ok(spec) => {
            for key in KNOWN_KEYS {
                let mut slot = None;
                spec.fill(key, &mut slot);
                if let Some(v) = slot {
                    let flag = format!("--{key}");
                    let _ = args::list(&flag, &v);
                    let _ = args::rational(&flag, &v);
                }
                let mut b = false;
                let _ = spec.fill_flag(key, &mut b);
            }
            let (mut p, mut r) = (None, None);
            spec.fill("p", &mut p);
            spec.fill("r", &mut r);
            if p.as_deref().is_some_and(|x| x.len() < 4096) && r.as_deref().is_some_and(|x| x.len() < 4096) {
                let _ = args::model(p.as_deref(), r.as_deref(), false);
            }
        }
    }
});
