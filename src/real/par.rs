//! Per-item work of vocabulary-size loops spread over the machine's threads.
//!
//! [`map`] evaluates `f` on every item and returns the results in item order, so a caller that
//! then folds them in order (a sum of enclosures) gets the very same floats as a sequential loop:
//! every item's operations and their rounding are unchanged, only where they run differs. Each
//! worker widens MPFR's exponent range first (MPFR keeps it per thread, see
//! [`super::round::widen_exponent_range`]) and hands a broken-invariant record back to the calling
//! thread (see [`super::enclosure::take_violation`]).

use super::enclosure::{record_violation, take_violation};
use super::round::widen_exponent_range;

/// Items below which [`map`] stays on the calling thread (spawning costs more than it saves).
pub const MIN_PARALLEL_ITEMS: usize = 1 << 14;

/// Workers for `n` items: 1 below `min_items`, else the available parallelism (at most 16 and
/// at most `n`).
fn workers(n: usize, min_items: usize) -> usize {
    if n < min_items.max(2) {
        return 1;
    }
    std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .clamp(1, 16)
        .min(n)
}

/// `items.iter().map(f).collect()`, computed in contiguous chunks on scoped threads (from
/// [`MIN_PARALLEL_ITEMS`] items on).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_from(items, MIN_PARALLEL_ITEMS, f)
}

/// [`map`] for a few heavy items (e.g. blocks of thousands of tokens each): parallel from
/// `min_items` items on.
pub fn map_heavy<T: Sync, R: Send>(items: &[T], min_items: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_from(items, min_items, f)
}

fn map_from<T: Sync, R: Send>(items: &[T], min_items: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let w = workers(items.len(), min_items);
    if w <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(w);
    let f = &f;
    // each worker writes its results into its own slice of one vector (no second copy of the
    // results: at 10^6 items they are tens of MB)
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let violations: Vec<Option<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .zip(out.chunks_mut(chunk))
            .map(|(c, o)| {
                s.spawn(move || {
                    widen_exponent_range();
                    for (x, slot) in c.iter().zip(o.iter_mut()) {
                        *slot = Some(f(x));
                    }
                    take_violation()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for msg in violations.into_iter().flatten() {
        record_violation(msg);
    }
    out.into_iter()
        .map(|r| r.expect("every slot is written by its worker"))
        .collect()
}

/// Items per block of [`fold_in_order`]: the results of one block are held at once.
const BLOCK: usize = 1 << 16;

/// `items.iter().map(f).for_each(sink)` with `f` run by [`map`] one block of items at a time
/// (so at most one block of results is held) and `sink` called on the calling thread in item
/// order.
pub fn fold_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync, mut sink: impl FnMut(R)) {
    for block in items.chunks(BLOCK) {
        for r in map(block, &f) {
            sink(r);
        }
    }
}
