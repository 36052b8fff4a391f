use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use crate::stats::Stats;

/// A cache that forgets its least recently used entry when it is full.
pub struct LruCache<K, V> {
    capacity: usize,
    map: HashMap<K, V>,
    order: VecDeque<K>,
    stats: Stats,
}

impl<K: Hash + Eq + Clone, V> LruCache<K, V> {
    /// Creates an empty cache holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        LruCache { capacity, map: HashMap::new(), order: VecDeque::new(), stats: Stats::default() }
    }

    /// Looks a key up and marks it as the most recently used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        if self.map.contains_key(key) {
            self.stats.hits += 1;
            self.touch(key);
            self.map.get(key)
        } else {
            self.stats.misses += 1;
            None
        }
    }

    /// Stores a value, evicting the oldest entry first when the cache is full.
    pub fn put(&mut self, key: K, value: V) {
        if !self.map.contains_key(&key) && self.map.len() == self.capacity {
            self.evict_oldest();
        }
        self.stats.inserts += 1;
        self.touch(&key);
        self.map.insert(key, value);
    }

    fn touch(&mut self, key: &K) {
        self.order.retain(|k| k != key);
        self.order.push_back(key.clone());
    }

    fn evict_oldest(&mut self) {
        // The front of `order` is the least recently used key.
        if let Some(key) = self.order.pop_back() {
            self.map.remove(&key);
            self.stats.evictions += 1;
        }
    }

    /// Returns how many hits the cache has seen since it was created.
    pub fn hits_count(&self) -> u64 {
        self.stats.hits
    }

    /// Resets the hits counter to zero and returns its previous value.
    pub fn reset_hits(&mut self) -> u64 {
        let previous = self.stats.hits;
        self.stats.hits = 0;
        previous
    }

    /// Returns how many misses the cache has seen since it was created.
    pub fn misses_count(&self) -> u64 {
        self.stats.misses
    }

    /// Resets the misses counter to zero and returns its previous value.
    pub fn reset_misses(&mut self) -> u64 {
        let previous = self.stats.misses;
        self.stats.misses = 0;
        previous
    }

    /// Returns how many inserts the cache has seen since it was created.
    pub fn inserts_count(&self) -> u64 {
        self.stats.inserts
    }

    /// Resets the inserts counter to zero and returns its previous value.
    pub fn reset_inserts(&mut self) -> u64 {
        let previous = self.stats.inserts;
        self.stats.inserts = 0;
        previous
    }

    /// Returns how many evictions the cache has seen since it was created.
    pub fn evictions_count(&self) -> u64 {
        self.stats.evictions
    }

    /// Resets the evictions counter to zero and returns its previous value.
    pub fn reset_evictions(&mut self) -> u64 {
        let previous = self.stats.evictions;
        self.stats.evictions = 0;
        previous
    }

    /// Returns how many expirations the cache has seen since it was created.
    pub fn expirations_count(&self) -> u64 {
        self.stats.expirations
    }

    /// Resets the expirations counter to zero and returns its previous value.
    pub fn reset_expirations(&mut self) -> u64 {
        let previous = self.stats.expirations;
        self.stats.expirations = 0;
        previous
    }

    /// Returns how many refreshes the cache has seen since it was created.
    pub fn refreshes_count(&self) -> u64 {
        self.stats.refreshes
    }

    /// Resets the refreshes counter to zero and returns its previous value.
    pub fn reset_refreshes(&mut self) -> u64 {
        let previous = self.stats.refreshes;
        self.stats.refreshes = 0;
        previous
    }
}

impl<K, V> Drop for LruCache<K, V> {
    fn drop(&mut self) {
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_then_get() {
        let mut cache = LruCache::new(2);
        cache.put("a", 1);
        assert_eq!(cache.get(&"a"), Some(&1));
    }
}
