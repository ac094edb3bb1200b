//! mimalloc for every allocation of the process: Rust's, through the global allocator, and
//! tree-sitter's, whose parser allocates a node at a time from C. Parsing is most of a run's
//! time, and mimalloc makes it several percent faster than the system allocator (benches/).

use std::ffi::c_void;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Routes tree-sitter's allocations to mimalloc. Must run before any tree-sitter object
/// exists: memory allocated by one allocator cannot be freed by the other.
pub fn route_tree_sitter_allocations() {
    unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        libmimalloc_sys::mi_malloc(size)
    }
    unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        libmimalloc_sys::mi_calloc(count, size)
    }
    unsafe extern "C" fn realloc(pointer: *mut c_void, size: usize) -> *mut c_void {
        libmimalloc_sys::mi_realloc(pointer, size)
    }
    unsafe extern "C" fn free(pointer: *mut c_void) {
        libmimalloc_sys::mi_free(pointer)
    }
    // SAFETY: called once, first thing in `main`, before any thread or tree-sitter object
    // exists, so nothing allocated by the previous allocator is ever freed by mimalloc.
    unsafe {
        tree_sitter::set_allocator(Some(malloc), Some(calloc), Some(realloc), Some(free));
    }
}
