//! The crate's error type and its mapping to exit codes (INTERFACE.md).

use std::fmt;

/// Everything that can stop a computation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Bad input or usage: exit code 2. The message names the flag and the fix.
    Input(String),
    /// The job would need more memory or time than allowed: exit code 2, with the estimate.
    TooLarge(String),
    /// The requested digits could not be certified within the precision cap: exit code 3.
    Uncertified {
        /// Which quantity failed.
        quantity: String,
        /// Digits requested.
        digits: usize,
        /// Precision reached, in bits.
        bits: u32,
        /// Significant digits that were certain at that precision.
        reached: usize,
    },
    /// An I/O failure (writing output files): exit code 2.
    Io(String),
    /// A broken internal invariant (an enclosure with `lo > hi`, a non-negative quantity
    /// enclosed wholly below 0): a bug, reported as exit code 3 since nothing can be certified.
    Internal(String),
    /// The digits cannot be certified and more precision does not help (the value lies outside
    /// the floating-point exponent range, or on a rounding boundary): exit code 3. The message
    /// says what the limit is.
    Range(String),
}

impl Error {
    /// The process exit code of INTERFACE.md.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::TooLarge(_) | Error::Io(_) => 2,
            Error::Uncertified { .. } | Error::Internal(_) | Error::Range(_) => 3,
        }
    }
    /// The bare message of an [`Error::Internal`] (the display text of any other error).
    pub fn internal_message(&self) -> String {
        match self {
            Error::Internal(m) => m.clone(),
            e => e.to_string(),
        }
    }
    /// A bad-input error.
    pub fn input(msg: impl Into<String>) -> Error {
        Error::Input(msg.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::TooLarge(m) | Error::Io(m) | Error::Range(m) => f.write_str(m),
            Error::Internal(m) => write!(
                f,
                "internal error (a bug; nothing uncertified was printed): {m}; please report it with the command line"
            ),
            Error::Uncertified {
                quantity,
                digits,
                bits,
                reached,
            } => {
                let reached = if *reached == usize::MAX {
                    "all".to_string()
                } else {
                    reached.to_string()
                };
                write!(
                    f,
                    "could not certify {digits} digits of {quantity} within the precision limit of {bits} bits \
                     (reached {reached} digits); raise --max-bits or ask for fewer --digits"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Result with the crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
