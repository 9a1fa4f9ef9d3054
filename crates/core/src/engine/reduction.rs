//! The bundle's reduction figures, computed from the definition alone: forms N → 1, material
//! requests M → K, time limits summed versus the longest dependency chain.

use std::collections::BTreeSet;

use super::collect::set_of;
use super::model::Reduction;
use crate::definition::ServiceDefinition;

/// The bundle's reduction figures (forms N → 1, material requests M → K, time limits summed
/// versus the longest dependency chain).
pub fn reduction(def: &ServiceDefinition) -> Reduction {
    let material_requests_before = def.materials.iter().map(|m| m.sub_items.len()).sum();
    let departments: BTreeSet<&str> =
        set_of(def.sub_items.iter().map(|s| s.department.zh.as_str()));
    let after = def.longest_chain_days();
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
