//! Small collection helpers shared by the engine's modules.

use std::collections::{BTreeMap, BTreeSet};

/// A set built by inserting one by one. `collect()` into a B-tree sorts a vector first, and
/// each element type's sort is its own ~4 KB of wasm in the SPA; these sets are small.
pub(super) fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for x in items {
        set.insert(x);
    }
    set
}

/// A map built by inserting one by one (a later duplicate key wins, as with `collect()`); see
/// [`set_of`].
pub(super) fn map_of<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in items {
        map.insert(k, v);
    }
    map
}
