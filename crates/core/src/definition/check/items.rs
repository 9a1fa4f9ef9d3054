//! The checks of what a definition bundles: sub-items (availability, dependencies, result
//! delivery), data minimisation, materials and their satisfiers, cross-field rules.

use std::collections::HashSet;

use super::{CheckResult, Checker, check_id, check_opt_text, check_text, err};
use crate::definition::types::{
    Check, DeliveryMethod, ELicenceHolder, FactKind, ResultDelivery, Satisfier,
};

impl Checker<'_> {
    /// An e-licence holder names a top-level fact of each kind, and positive periods.
    pub(super) fn holder(&self, at: &str, h: &ELicenceHolder) -> CheckResult {
        check_text(&format!("{at}.role"), &h.role)?;
        for (field, id, kind) in [
            ("name_fact", &h.name_fact, FactKind::Name),
            ("id_number_fact", &h.id_number_fact, FactKind::IdNumber),
        ] {
            match self.def.fact(id) {
                Some(f) if f.kind == kind => {}
                _ => {
                    return err(
                        format!("{at}.{field}"),
                        format!("`{id}` is not a top-level fact of type {kind:?}"),
                    );
                }
            }
        }
        if h.valid_days == 0 || h.answer_days == 0 {
            return err(
                format!("{at}.valid_days"),
                "valid_days and answer_days must be at least 1",
            );
        }
        Ok(())
    }

    /// Result delivery: methods listed once, each with what it needs.
    pub(super) fn results(at: &str, r: &ResultDelivery) -> CheckResult {
        if r.methods.is_empty() {
            return err(format!("{at}.methods"), "at least one method");
        }
        let set: HashSet<_> = r.methods.iter().collect();
        if set.len() != r.methods.len() {
            return err(format!("{at}.methods"), "a method is listed twice");
        }
        let has = |m: DeliveryMethod| r.methods.contains(&m);
        if has(DeliveryMethod::Window) != r.window.is_some() {
            return err(
                format!("{at}.window"),
                "`window` (office, address, hours) goes with the window method",
            );
        }
        if let Some(w) = &r.window {
            check_text(&format!("{at}.window.office"), &w.office)?;
            check_text(&format!("{at}.window.address"), &w.address)?;
            check_text(&format!("{at}.window.hours"), &w.hours)?;
        }
        if has(DeliveryMethod::ELicence) != r.e_licence.is_some() {
            return err(
                format!("{at}.e_licence"),
                "`e_licence` (where to find it) goes with the e_licence method",
            );
        }
        if let Some(t) = &r.e_licence {
            check_text(&format!("{at}.e_licence"), t)?;
        }
        for (m, t) in &r.unavailable {
            if has(*m) {
                return err(
                    format!("{at}.unavailable.{}", m.as_str()),
                    "a way the sub-item offers cannot also be unavailable",
                );
            }
            check_text(&format!("{at}.unavailable.{}", m.as_str()), t)?;
        }
        Ok(())
    }

    /// The form's delivery choice offers only what every sub-item can do, or says why not:
    /// each option is a delivery method that each sub-item's results list, or declare
    /// `unavailable` with what happens instead. A choice no result can honour would be found
    /// out only after submission.
    pub(super) fn delivery_choice(&self) -> CheckResult {
        let def = self.def;
        let Some(id) = &def.delivery_fact else {
            for (i, s) in def.sub_items.iter().enumerate() {
                if s.results
                    .as_ref()
                    .is_some_and(|r| !r.unavailable.is_empty())
                {
                    return err(
                        format!("sub_items[{i}].results.unavailable"),
                        "`unavailable` answers the form's delivery choice: set `delivery_fact`",
                    );
                }
            }
            return Ok(());
        };
        let Some(fact) = def.fact(id).filter(|f| f.kind == FactKind::Choice) else {
            return err(
                "delivery_fact",
                format!("`{id}` is not a top-level choice fact"),
            );
        };
        for (o, option) in fact.options.iter().enumerate() {
            let Some(m) = crate::wire::parse::<DeliveryMethod>(&option.id) else {
                return err(
                    format!("delivery_fact.options[{o}]"),
                    format!(
                        "`{}` is not a delivery method (mail, window, e_licence)",
                        option.id
                    ),
                );
            };
            // A sub-item whose result is not delivered (a connection) has nothing to choose.
            for (i, s) in def
                .sub_items
                .iter()
                .enumerate()
                .filter(|(_, s)| s.delivers())
            {
                let declared = s
                    .results
                    .as_ref()
                    .is_some_and(|r| r.unavailable.contains_key(&m));
                if !s.result_methods().contains(&m) && !declared {
                    return err(
                        format!("sub_items[{i}].results"),
                        format!(
                            "the form offers `{}` but `{}` cannot deliver that way: add it to `methods`, or say what happens instead in `unavailable.{}`",
                            m.as_str(),
                            s.id,
                            m.as_str()
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// A published bundle time limit holds: the longest chain of dependent sub-items (each
    /// waiting for what it depends on, the rest in parallel) fits within it.
    pub(super) fn bundle_time_limit(&self) -> CheckResult {
        let Some(limit) = self.def.time_limit_days else {
            return Ok(());
        };
        let chain = self.def.longest_chain_days();
        if limit == 0 || chain > u32::from(limit) {
            return err(
                "time_limit_days",
                format!(
                    "the bundle promises {limit} working days but its longest chain of dependent sub-items takes {chain}"
                ),
            );
        }
        Ok(())
    }

    pub(super) fn sub_items(&self) -> CheckResult {
        let def = self.def;
        for (i, item) in def.sub_items.iter().enumerate() {
            let at = |f: &str| format!("sub_items[{i}].{f}");
            if let Some(c) = &item.enabled_if {
                for f in c.facts() {
                    if !def.eligibility.questions.iter().any(|q| q.id == f) {
                        return err(
                            at("enabled_if"),
                            format!(
                                "`{f}` is not an eligibility question: availability is decided right after the pre-screen"
                            ),
                        );
                    }
                }
                if !c.sub_items().is_empty() {
                    return err(
                        at("enabled_if"),
                        "availability cannot depend on the selection",
                    );
                }
            }
            for (j, d) in item.depends_on.iter().enumerate() {
                if d == &item.id || def.sub_item(d).is_none() {
                    return err(
                        format!("sub_items[{i}].depends_on[{j}]"),
                        format!("no other sub-item `{d}`"),
                    );
                }
            }
            for (j, f) in item.facts.iter().enumerate() {
                self.entry(&format!("sub_items[{i}].facts[{j}]"), f)?;
            }
            if let Some(r) = &item.results {
                Self::results(&at("results"), r)?;
            }
        }
        // Dependencies must be acyclic: Kahn's algorithm, reporting a member of the cycle.
        let mut done: HashSet<&str> = HashSet::new();
        loop {
            let ready: Vec<&str> = def
                .sub_items
                .iter()
                .filter(|s| {
                    !done.contains(s.id.as_str())
                        && s.depends_on.iter().all(|d| done.contains(d.as_str()))
                })
                .map(|s| s.id.as_str())
                .collect();
            if ready.is_empty() {
                break;
            }
            done.extend(ready);
        }
        if let Some((i, s)) = def
            .sub_items
            .iter()
            .enumerate()
            .find(|(_, s)| !done.contains(s.id.as_str()))
        {
            return err(
                format!("sub_items[{i}].depends_on"),
                format!("`{}` is part of a dependency cycle", s.id),
            );
        }
        Ok(())
    }

    /// Data minimisation, checked at load: a fact no department receives must not be asked.
    pub(super) fn reachable(&self) -> CheckResult {
        let def = self.def;
        let entries: Vec<&str> = def
            .sub_items
            .iter()
            .flat_map(|s| s.facts.iter())
            .chain(&def.shared_facts)
            .map(String::as_str)
            .collect();
        for (i, f) in def.facts.iter().enumerate() {
            let whole = entries.contains(&f.id.as_str());
            if f.kind == FactKind::Group {
                for (k, field) in f.fields.iter().enumerate() {
                    let named = format!("{}.{}", f.id, field.id);
                    if !whole && !entries.contains(&named.as_str()) {
                        return err(
                            format!("facts[{i}].fields[{k}]"),
                            format!(
                                "no sub-item receives `{named}`: list it in a sub-item's facts or in shared_facts"
                            ),
                        );
                    }
                }
            } else if !whole {
                return err(
                    format!("facts[{i}]"),
                    format!(
                        "no sub-item receives `{}`: list it in a sub-item's facts or in shared_facts",
                        f.id
                    ),
                );
            }
        }
        Ok(())
    }

    pub(super) fn materials(&self) -> CheckResult {
        let def = self.def;
        let mut ids = HashSet::new();
        for (i, m) in def.materials.iter().enumerate() {
            let at = |f: &str| format!("materials[{i}].{f}");
            check_id(&at("id"), &m.id)?;
            if !ids.insert(m.id.as_str()) {
                return err(at("id"), format!("duplicate material id `{}`", m.id));
            }
            check_text(&at("title"), &m.title)?;
            check_opt_text(&at("description"), m.description.as_ref())?;
            if m.sub_items.is_empty() {
                return err(
                    at("sub_items"),
                    "a material is needed by at least one sub-item",
                );
            }
            for (j, s) in m.sub_items.iter().enumerate() {
                if def.sub_item(s).is_none() {
                    return err(
                        format!("materials[{i}].sub_items[{j}]"),
                        format!("no sub-item `{s}`"),
                    );
                }
            }
            if let Some(c) = &m.required_if {
                self.late_condition(&at("required_if"), c)?;
            }
            if m.accept.is_empty()
                || m.accept.iter().any(|a| {
                    a.split_once('/')
                        .is_none_or(|(t, s)| t.is_empty() || s.is_empty())
                })
            {
                return err(at("accept"), "list media types such as image/jpeg");
            }
            if m.max_bytes == 0 {
                return err(at("max_bytes"), "must be positive");
            }
            for (k, p) in m.pages.iter().enumerate() {
                check_text(&format!("materials[{i}].pages[{k}]"), p)?;
            }
            if m.satisfiers.is_empty() {
                return err(
                    at("satisfiers"),
                    "a material needs at least one way to be provided",
                );
            }
            let set: HashSet<_> = m.satisfiers.iter().collect();
            if set.len() != m.satisfiers.len() {
                return err(at("satisfiers"), "a satisfier is listed twice");
            }
            let has = |s: Satisfier| m.satisfiers.contains(&s);
            if has(Satisfier::ELicence) != m.e_licence.is_some() {
                return err(
                    at("e_licence"),
                    "`e_licence` (with its consent text) goes with the e_licence satisfier",
                );
            }
            if let Some(e) = &m.e_licence {
                check_text(&at("e_licence.consent"), &e.consent)?;
                if let Some(c) = &e.available_if {
                    self.late_condition(&at("e_licence.available_if"), c)?;
                }
                if let Some(h) = &e.holder {
                    self.holder(&at("e_licence.holder"), h)?;
                }
            }
            if has(Satisfier::Commitment) != m.commitment.is_some() {
                return err(
                    at("commitment"),
                    "the commitment text goes with the commitment satisfier",
                );
            }
            if let Some(t) = &m.commitment {
                check_text(&at("commitment"), t)?;
            }
            if has(Satisfier::Deferred) != m.deferred_days.is_some_and(|d| d > 0) {
                return err(
                    at("deferred_days"),
                    "deferred_days (at least 1) goes with the deferred satisfier",
                );
            }
        }
        Ok(())
    }

    pub(super) fn rules(&self) -> CheckResult {
        let mut ids = HashSet::new();
        for (i, r) in self.def.rules.iter().enumerate() {
            let at = |f: &str| format!("rules[{i}].{f}");
            check_id(&at("id"), &r.id)?;
            if !ids.insert(r.id.as_str()) {
                return err(at("id"), format!("duplicate rule id `{}`", r.id));
            }
            if r.code.is_empty()
                || !r
                    .code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return err(at("code"), "an error code is snake_case");
            }
            check_text(&at("message"), &r.message)?;
            if let Some(c) = &r.when {
                self.late_condition(&at("when"), c)?;
            }
            let names: Vec<&str> = match &r.check {
                Check::Before { earlier, later } => vec![earlier, later],
                Check::Distinct { facts } => facts.iter().map(String::as_str).collect(),
                Check::SameSurname { name, parent } => vec![name, parent],
                Check::IdBirthDate {
                    id_number,
                    birth_date,
                } => vec![id_number, birth_date],
                Check::SameAs { fact, other } => vec![fact, other],
                Check::OneOf { fact, others } => {
                    if others.is_empty() {
                        return err(at("check"), "one_of names at least one other fact");
                    }
                    std::iter::once(fact.as_str())
                        .chain(others.iter().map(String::as_str))
                        .collect()
                }
                Check::Sum { field, .. } => {
                    let integer_field = field
                        .split_once('.')
                        .and_then(|(g, f)| self.def.fact(g)?.field(f))
                        .is_some_and(|x| x.kind == crate::definition::types::FactKind::Integer);
                    if !integer_field {
                        return err(
                            at("check"),
                            format!("`{field}` is not an integer field of a group"),
                        );
                    }
                    vec![field]
                }
                Check::Holds(c) => {
                    // On a group field, the condition may read that entry's fields too.
                    let group = r
                        .field
                        .as_deref()
                        .and_then(|f| f.split_once('.'))
                        .and_then(|(g, _)| self.def.fact(g));
                    for f in c.facts() {
                        if self.def.fact(f).is_none() && group.is_none_or(|g| g.field(f).is_none())
                        {
                            return err(at("check"), format!("no fact `{f}`"));
                        }
                    }
                    self.selected_ids(&at("check"), c)?;
                    Vec::new()
                }
            };
            for n in names {
                self.entry(&at("check"), n)?;
            }
            match (&r.check, &r.field) {
                (Check::Holds(_), None) => {
                    return err(
                        at("field"),
                        "a `holds` rule names the field its error is shown on",
                    );
                }
                (Check::Holds(_), Some(f)) => self.entry(&at("field"), f)?,
                (_, Some(_)) => return err(at("field"), "only `holds` rules name a field"),
                _ => {}
            }
        }
        Ok(())
    }
}
