//! Crate docs.
use std::collections::HashMap;
use crate::config::{Config, Mode};
use serde::Serialize as Ser;

mod parser;

/// A key-value cache.
#[derive(Debug, Clone)]
pub struct Cache<K> {
    map: HashMap<K, String>,
}

pub enum Event {
    Hit,
    Miss,
}

pub trait Store {
    fn get(&self, key: &str) -> Option<String>;
}

impl<K: Eq> Cache<K> {
    /// Creates an empty cache.
    pub fn new() -> Self {
        Cache { map: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

impl Store for Cache<String> {
    fn get(&self, key: &str) -> Option<String> {
        self.map.get(key).cloned()
    }
}

type Map = HashMap<String, Config>;

fn helper(x: i32) -> i32 {
    x + 1
}

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}
