//! The checks of one fact (a form fact, an eligibility question or a group's field): its id
//! and texts, its condition, the parameters of its type, where an ID number's document type
//! comes from, a group's fields, its prefill source.

use std::collections::HashSet;

use super::{CheckResult, Checker, check_id, check_opt_text, check_text, err, source_options};
use crate::definition::types::{DateBound, Fact, FactKind, IdType, Prefill};

impl Checker<'_> {
    pub(super) fn id_type_source(
        &self,
        path: &str,
        name: &str,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let source = group
            .and_then(|(g, idx)| g.fields[..idx].iter().find(|x| x.id == name))
            .or_else(|| self.def.fact(name).filter(|_| self.pos(name) < before));
        let Some(source) = source else {
            return err(
                path,
                format!("`{name}` is not a fact asked before this one"),
            );
        };
        if source.kind != FactKind::Choice
            || source.options.is_empty()
            || source
                .options
                .iter()
                .any(|o| IdType::from_id(&o.id).is_none())
        {
            return err(
                path,
                format!(
                    "`{name}` must be a choice whose option ids are ID types (resident_id, passport, hk_macao_permit, taiwan_permit)"
                ),
            );
        }
        Ok(())
    }

    pub(super) fn fact(&self, path: &str, f: &Fact, group: Option<(&Fact, usize)>) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        check_id(&at("id"), &f.id)?;
        check_text(&at("label"), &f.label)?;
        check_opt_text(&at("help"), f.help.as_ref())?;
        check_opt_text(&at("warning"), f.warning.as_ref())?;
        check_opt_text(&at("unit"), f.unit.as_ref())?;
        // A group field's conditions may read top-level facts asked before the group.
        let before = group.map_or_else(|| self.pos(&f.id), |(g, _)| self.pos(&g.id));
        if let Some(c) = &f.visible_if {
            self.condition(&at("visible_if"), c, before, group)?;
        }
        self.kind_params(path, f, before, group)?;
        self.id_params(path, f, before, group)?;
        if f.kind == FactKind::Group {
            self.group_fields(path, f, group)?;
        }
        if let Some(p) = f.prefill {
            let fits = match p {
                Prefill::AccountName => f.kind == FactKind::Name,
                Prefill::AccountIdNumber => f.kind == FactKind::IdNumber,
                Prefill::AccountMobile => f.kind == FactKind::Mobile,
            };
            if !fits {
                return err(
                    at("prefill"),
                    "this prefill source does not fit the fact's type",
                );
            }
        }
        Ok(())
    }

    /// The type-specific parameters fit the type.
    pub(super) fn kind_params(
        &self,
        path: &str,
        f: &Fact,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        let kind = f.kind;
        let is = |ks: &[FactKind]| ks.contains(&kind);
        let texty = [FactKind::Text, FactKind::LongText, FactKind::Name];
        if (f.min_length.is_some() || f.max_length.is_some()) && !is(&texty) {
            return err(
                at("max_length"),
                "lengths apply to text, long_text and name facts",
            );
        }
        if f.min_length.zip(f.max_length).is_some_and(|(a, b)| a > b) {
            return err(at("min_length"), "min_length is larger than max_length");
        }
        if (f.min.is_some() || f.max.is_some() || f.unit.is_some()) && kind != FactKind::Integer {
            return err(at("min"), "min, max and unit apply to integer facts");
        }
        if f.min.zip(f.max).is_some_and(|(a, b)| a > b) {
            return err(at("min"), "min is larger than max");
        }
        if (f.earliest.is_some() || f.latest.is_some())
            && !is(&[FactKind::Date, FactKind::DateTime])
        {
            return err(
                at("latest"),
                "earliest and latest apply to date and date_time facts",
            );
        }
        for (name, b) in [("earliest", &f.earliest), ("latest", &f.latest)] {
            if let Some(DateBound { fact: Some(r), .. }) = b {
                let ok = group
                    .and_then(|(g, idx)| g.fields[..idx].iter().find(|x| &x.id == r))
                    .or_else(|| self.def.fact(r).filter(|_| self.pos(r) < before))
                    .is_some_and(|x| matches!(x.kind, FactKind::Date | FactKind::DateTime));
                if !ok {
                    return err(
                        at(name),
                        format!("`{r}` is not a date fact asked before this one"),
                    );
                }
            }
        }
        let choice = is(&[FactKind::Choice, FactKind::MultiChoice]);
        source_and_mask(path, f, choice)?;
        if choice == f.options.is_empty() {
            return err(
                at("options"),
                "choice and multi_choice facts (only) have options",
            );
        }
        let mut opt_ids = HashSet::new();
        for (k, o) in f.options.iter().enumerate() {
            check_id(&format!("{path}.options[{k}].id"), &o.id)?;
            if !opt_ids.insert(o.id.as_str()) {
                return err(
                    format!("{path}.options[{k}].id"),
                    format!("duplicate option `{}`", o.id),
                );
            }
            check_text(&format!("{path}.options[{k}].label"), &o.label)?;
        }
        if (kind == FactKind::Group) == f.fields.is_empty() {
            return err(at("fields"), "group facts (only) have fields");
        }
        if (f.min_items.is_some() || f.max_items.is_some())
            && !is(&[FactKind::Group, FactKind::MultiChoice])
        {
            return err(
                at("max_items"),
                "min_items and max_items apply to group and multi_choice facts",
            );
        }
        if f.min_items.zip(f.max_items).is_some_and(|(a, b)| a > b) {
            return err(at("min_items"), "min_items is larger than max_items");
        }
        Ok(())
    }

    /// ID numbers and names: where the document type comes from.
    pub(super) fn id_params(
        &self,
        path: &str,
        f: &Fact,
        before: usize,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        let kind = f.kind;
        match (kind, &f.id_type, &f.id_type_fact) {
            (FactKind::IdNumber, Some(_), Some(_)) | (FactKind::IdNumber, None, None) => {
                return err(
                    at("id_type"),
                    "an id_number fact has either id_type or id_type_fact",
                );
            }
            (FactKind::IdNumber | FactKind::Name, _, Some(src)) => {
                self.id_type_source(&at("id_type_fact"), src, before, group)?;
            }
            (FactKind::IdNumber | FactKind::Name, _, None) | (_, None, None) => {}
            _ => {
                return err(
                    at("id_type"),
                    "id_type and id_type_fact apply to id_number and name facts",
                );
            }
        }
        if kind == FactKind::Name && f.id_type.is_some() {
            return err(
                at("id_type"),
                "a name reads its document type from id_type_fact",
            );
        }
        Ok(())
    }

    /// A group's fields: unique, valid, not nested.
    pub(super) fn group_fields(
        &self,
        path: &str,
        f: &Fact,
        group: Option<(&Fact, usize)>,
    ) -> CheckResult {
        let at = |x: &str| format!("{path}.{x}");
        if group.is_some() {
            return err(at("type"), "groups do not nest");
        }
        if f.prefill.is_some() {
            return err(at("prefill"), "a group is not prefilled");
        }
        let mut ids = HashSet::new();
        for (k, field) in f.fields.iter().enumerate() {
            let fpath = format!("{path}.fields[{k}]");
            if !ids.insert(field.id.as_str()) {
                return err(
                    format!("{fpath}.id"),
                    format!("duplicate field id `{}`", field.id),
                );
            }
            self.fact(&fpath, field, Some((f, k)))?;
        }
        Ok(())
    }
}

/// `options_from` on choices only, giving exactly its list; `mask` on text only, without lengths.
fn source_and_mask(path: &str, f: &Fact, choice: bool) -> CheckResult {
    let at = |x: &str| format!("{path}.{x}");
    let kind = f.kind;
    if let Some(src) = f.options_from {
        if !choice {
            return err(
                at("options_from"),
                "options_from applies to choice and multi_choice facts",
            );
        }
        if f.options != source_options(src) {
            return err(
                at("options"),
                "options_from gives the options: leave `options` out",
            );
        }
    }
    if let Some(m) = &f.mask {
        if kind != FactKind::Text {
            return err(at("mask"), "a mask applies to text facts");
        }
        if m.is_empty() || m.chars().count() > 100 || m.chars().any(char::is_whitespace) {
            return err(at("mask"), "a mask is 1–100 characters without spaces");
        }
        if f.min_length.is_some() || f.max_length.is_some() {
            return err(
                at("max_length"),
                "a mask fixes the length: leave lengths out",
            );
        }
    }
    Ok(())
}
