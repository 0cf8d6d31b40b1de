//! How much heap the page holds live, so the UI can stop computing ahead before a long or
//! huge run fills the 4 GiB of a wasm32 page (out of memory there is a `RuntimeError:
//! unreachable` that no panic hook sees: the page just dies).
//!
//! In wasm32 the global allocator is the system one (dlmalloc) wrapped in a counter of the
//! bytes allocated and not yet freed. Natively (the reducer tests) there is no page to
//! kill and nothing is counted: the heap reads 0.

#[cfg(target_arch = "wasm32")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub static LIVE: AtomicUsize = AtomicUsize::new(0);

    pub struct Counting;

    // SAFETY: every call goes to the system allocator unchanged; the wrapper only keeps a
    // count of the bytes it handed out and got back.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                LIVE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                LIVE.fetch_add(layout.size(), Relaxed);
            }
            p
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                LIVE.fetch_add(new_size, Relaxed);
                LIVE.fetch_sub(layout.size(), Relaxed);
            }
            p
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

/// Bytes of heap allocated and not yet freed (0 natively).
pub fn live_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        counting::LIVE.load(std::sync::atomic::Ordering::Relaxed) as u64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}
