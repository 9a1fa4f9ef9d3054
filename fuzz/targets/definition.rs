//! Fuzz target: the service-definition parser and checker (`ServiceDefinition::from_toml`),
//! then the engine on whatever definition it accepts. A definition is data an operator writes;
//! a malformed one must be refused with an error, never crash the server at start.

use onething_core::{Application, Date, ServiceDefinition, evaluate, page_statuses, reduction};

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(def) = ServiceDefinition::from_toml("fuzz.toml", source) {
        // What the server and the SPA do with a definition as soon as it loads.
        let today = Date::from_days(20_000);
        let app = Application {
            service_id: def.id.clone(),
            ..Application::default()
        };
        let _ = evaluate(&def, &app, today);
        let _ = page_statuses(&def, &app, today);
        let _ = reduction(&def);
    }
}
