//! A small caching library.

pub mod cache;
pub mod stats;

pub use cache::LruCache;
pub use stats::Stats;
