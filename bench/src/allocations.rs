//! A counting allocator for the benchmark's servers: allocations and bytes
//! per request, counted only while the driver asks, so that the throughput
//! rounds pay one relaxed load per allocation and nothing else.
//!
//! The only unsafe code of the workspace lives here: `GlobalAlloc` is an
//! unsafe trait, and no crate of the ecosystem offers a counter that can be
//! switched off (stats_alloc counts every allocation with four `SeqCst`
//! read-modify-writes, which would tax the very rounds it sits beside).
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The system allocator, counting while `ON`.
pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

fn count(size: usize) {
    if ON.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every call goes to `System` unchanged; counting touches only atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A growth is an allocation of the new size, as a profiler counts it.
        count(new_size);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Answers the driver on stdin/stdout, on a thread of its own: `start`
/// zeroes the counters and counts; `stop` stops and prints
/// `ALLOCATIONS BYTES`.
pub fn answer_the_driver() {
    std::thread::spawn(|| {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { return };
            match line.trim() {
                "start" => {
                    ALLOCATIONS.store(0, Ordering::Relaxed);
                    BYTES.store(0, Ordering::Relaxed);
                    ON.store(true, Ordering::SeqCst);
                    println!("started");
                }
                "stop" => {
                    ON.store(false, Ordering::SeqCst);
                    println!(
                        "{} {}",
                        ALLOCATIONS.load(Ordering::Relaxed),
                        BYTES.load(Ordering::Relaxed)
                    );
                }
                _ => {}
            }
            let _ = std::io::stdout().flush();
        }
    });
}
