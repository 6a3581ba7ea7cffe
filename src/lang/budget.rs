//! The evaluation budget: a ceiling on the memory the evaluator allocates.
//!
//! Accounting is per thread and only on the evaluation thread: [`Accounting`] wraps the
//! process allocator and, while [`Ceiling::install`] is in effect on the current thread,
//! adds every allocation's size to the thread's live byte count and subtracts every
//! free. Values, thunks, frames, strings, lists and attribute sets are therefore counted
//! by their real size as they are made, and given back when they are dropped.
//!
//! The allocator itself never fails an allocation (a failed allocation aborts the
//! process): passing the ceiling only raises a flag, which the evaluator checks at
//! every step ([`exceeded`]) and turns into an error there. So that no single request
//! can jump far past the ceiling before that check, the builtins that allocate in
//! proportion to their input ask first with [`reserve`] (`concatLists`, `genList`,
//! `++`, string concatenation...), which fails without allocating anything.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;

/// The ceiling of evaluations whose options name none, set once by the CLI from
/// `--max-memory`, `ENVC_EVAL_MAX_MEMORY` or [`default_ceiling`]; 0 means unset.
static PROCESS_CEILING: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The step budget of evaluations that name none, set by the CLI from
/// `--max-eval-steps` / `ENVC_EVAL_MAX_STEPS`; 0 means none.
static PROCESS_STEPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Set the step budget of evaluations that name none (the CLI, at start).
pub fn set_process_steps(steps: Option<u64>) {
    PROCESS_STEPS.store(steps.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
}

/// The step budget of evaluations that name none, if the CLI set one.
pub fn process_steps() -> Option<u64> {
    match PROCESS_STEPS.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        steps => Some(steps),
    }
}

/// Set the ceiling of evaluations that name none (the CLI, at start).
pub fn set_process_ceiling(bytes: u64) {
    PROCESS_CEILING.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// The ceiling of evaluations that name none: the CLI's, or [`DEFAULT_CEILING`].
pub fn process_ceiling() -> u64 {
    match PROCESS_CEILING.load(std::sync::atomic::Ordering::Relaxed) {
        0 => DEFAULT_CEILING,
        bytes => bytes,
    }
}

/// The ceiling when none is given: 2 GiB, or half of the machine's memory if that is less.
pub const DEFAULT_CEILING: u64 = 2 << 30;

/// The accounting of one thread, in one thread local so that an allocation looks it up
/// once.
struct State {
    /// The ceiling in bytes; `usize::MAX` when nothing is accounted.
    limit: Cell<usize>,
    /// Live bytes allocated on this thread since the ceiling was installed (frees of
    /// memory allocated before can make it negative).
    live: Cell<isize>,
    /// Set when `live` passed `limit`.
    over: Cell<bool>,
}

thread_local! {
    static STATE: State = const {
        State {
            limit: Cell::new(usize::MAX),
            live: Cell::new(0),
            over: Cell::new(false),
        }
    };
}

/// A global allocator that accounts the current thread's allocations against its
/// ceiling (see the module doc). Outside an evaluation it only forwards.
pub struct Accounting<A>(pub A);

// SAFETY: every call is forwarded unchanged to the wrapped allocator; the accounting
// touches only `const`-initialised thread locals without destructors, which never
// allocate and stay accessible for the whole life of the thread.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Accounting<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: as above.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: as above.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grow(new_size - layout.size());
        } else {
            shrink(layout.size() - new_size);
        }
        // SAFETY: as above.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

#[inline]
fn grow(bytes: usize) {
    let _ = STATE.try_with(|s| {
        let limit = s.limit.get();
        if limit == usize::MAX {
            return;
        }
        let now = s.live.get().saturating_add(bytes as isize);
        s.live.set(now);
        if now > 0 && now as usize > limit {
            s.over.set(true);
        }
    });
}

#[inline]
fn shrink(bytes: usize) {
    let _ = STATE.try_with(|s| {
        if s.limit.get() != usize::MAX {
            s.live.set(s.live.get().saturating_sub(bytes as isize));
        }
    });
}

/// The ceiling of the evaluation running on this thread, for as long as it is alive.
pub struct Ceiling {
    bytes: u64,
}

impl Ceiling {
    /// Start accounting this thread's allocations against `bytes`.
    pub fn install(bytes: u64) -> Ceiling {
        STATE.with(|s| {
            s.limit
                .set(usize::try_from(bytes).unwrap_or(usize::MAX - 1));
            s.live.set(0);
            s.over.set(false);
        });
        Ceiling { bytes }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Ceiling {
    fn drop(&mut self) {
        STATE.with(|s| {
            s.limit.set(usize::MAX);
            s.over.set(false);
        });
    }
}

/// Whether this thread's evaluation has allocated past its ceiling.
#[inline]
pub fn exceeded() -> bool {
    STATE.with(|s| s.over.get())
}

/// The ceiling of this thread's evaluation, if one is installed.
pub fn ceiling() -> Option<u64> {
    let limit = STATE.with(|s| s.limit.get());
    (limit != usize::MAX).then_some(limit as u64)
}

/// Ask before allocating `bytes` at once: `Err` (and nothing allocated, the flag raised)
/// if that would pass the ceiling. Builtins call it with the size they are about to
/// allocate, computed with saturating arithmetic so that absurd sizes are refused too.
#[inline]
pub fn reserve(bytes: usize) -> Result<(), Exceeded> {
    STATE.with(|s| {
        let limit = s.limit.get();
        if limit == usize::MAX {
            return Ok(());
        }
        let live = s.live.get().max(0) as usize;
        if live.saturating_add(bytes) > limit {
            s.over.set(true);
            return Err(Exceeded);
        }
        Ok(())
    })
}

/// `reserve` for `n` items of `per_item` bytes each.
#[inline]
pub fn reserve_items(n: usize, per_item: usize) -> Result<(), Exceeded> {
    reserve(n.saturating_mul(per_item))
}

/// The answer of [`reserve`] past the ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded;

/// The default ceiling on this machine: [`DEFAULT_CEILING`], or half of the physical
/// memory (`/proc/meminfo`'s `MemTotal`) if that is less.
pub fn default_ceiling() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text));
    match total {
        Some(total) => DEFAULT_CEILING.min(total / 2),
        None => DEFAULT_CEILING,
    }
}

fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Read a memory size as the user writes it: `2G`, `512MiB`, `1.5GB`, `1000000` (bytes).
/// Units are binary (`K`, `M`, `G`, `T`, with or without `i`/`B`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "`{text}` is not a memory size: use a number of bytes or a unit K, M, G or T (e.g. `2G`)"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("`{text}` is not a memory size: it has no number (e.g. `512M`)"))?;
    let bytes = value * (1u64 << shift) as f64;
    if bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!(
            "`{text}` is not a usable memory size: give at least 1 byte and less than 16 EiB"
        ));
    }
    Ok(bytes as u64)
}

/// A size for messages: `2 GiB`, `512 MiB`, `1.5 GiB`, `100 bytes`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// The lib test binary accounts too, so that budget tests run in-process.
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: Accounting<std::alloc::System> = Accounting(std::alloc::System);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("1Q").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert!(parse_size("NaN").is_err());
    }

    #[test]
    fn sizes_print_readably() {
        assert_eq!(human(2 << 30), "2 GiB");
        assert_eq!(human(3 << 29), "1.5 GiB");
        assert_eq!(human(100), "100 bytes");
    }

    #[test]
    fn allocations_count_against_the_ceiling_and_frees_give_back() {
        let ceiling = Ceiling::install(1 << 20);
        assert!(!exceeded());
        let small = vec![0u8; 1 << 10];
        assert!(!exceeded());
        drop(small);
        assert_eq!(reserve(2 << 20), Err(Exceeded));
        assert!(exceeded(), "a refused reservation raises the flag");
        drop(ceiling);
        assert!(!exceeded());
        let _ceiling = Ceiling::install(1 << 20);
        let big = vec![1u8; 2 << 20];
        assert!(exceeded(), "an allocation past the ceiling raises the flag");
        drop(big);
    }

    #[test]
    fn meminfo_total_is_read_in_bytes() {
        let text = "MemTotal:       16314192 kB\nMemFree:  1 kB\n";
        assert_eq!(mem_total(text), Some(16314192 * 1024));
        assert_eq!(mem_total("nothing"), None);
    }
}
