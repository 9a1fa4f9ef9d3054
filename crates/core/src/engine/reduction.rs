//! The bundle's reduction figures, computed from the definition alone: forms N → 1, material
//! requests M → K, time limits summed versus the longest dependency chain.

use std::collections::{BTreeMap, BTreeSet};

use super::collect::set_of;
use super::model::Reduction;
use crate::definition::ServiceDefinition;

/// When sub-item `id` finishes at the earliest: its time limit after its slowest dependency.
fn finish_of<'d>(
    def: &'d ServiceDefinition,
    id: &'d str,
    memo: &mut BTreeMap<&'d str, u32>,
    depth: usize,
) -> u32 {
    if let Some(v) = memo.get(id) {
        return *v;
    }
    let Some(item) = def.sub_item(id) else {
        return 0;
    };
    let before = if depth > def.sub_items.len() {
        0
    } else {
        item.depends_on
            .iter()
            .map(|d| finish_of(def, d, memo, depth + 1))
            .max()
            .unwrap_or(0)
    };
    let v = before + u32::from(item.time_limit_days);
    memo.insert(&item.id, v);
    v
}

/// The bundle's reduction figures (forms N → 1, material requests M → K, time limits summed
/// versus the longest dependency chain).
pub fn reduction(def: &ServiceDefinition) -> Reduction {
    let material_requests_before = def.materials.iter().map(|m| m.sub_items.len()).sum();
    let departments: BTreeSet<&str> =
        set_of(def.sub_items.iter().map(|s| s.department.zh.as_str()));
    // Longest path through depends_on (acyclic: checked when the definition loads).
    let mut finish: BTreeMap<&str, u32> = BTreeMap::new();
    let after = def
        .sub_items
        .iter()
        .map(|s| finish_of(def, &s.id, &mut finish, 0))
        .max()
        .unwrap_or(0);
    Reduction {
        forms_before: def.sub_items.len(),
        forms_after: 1,
        material_requests_before,
        materials_after: def.materials.len(),
        departments: departments.len(),
        time_limit_days_before: def
            .sub_items
            .iter()
            .map(|s| u32::from(s.time_limit_days))
            .sum(),
        time_limit_days_after: after,
        reported: def.reported.clone(),
    }
}
