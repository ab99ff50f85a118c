//! The `alignexact` binary: a thin wrapper around [`alignexact::cli::main_entry`].
fn main() {
    std::process::exit(alignexact::cli::main_entry());
}
