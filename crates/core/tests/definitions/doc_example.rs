//! The complete example of `docs/service-definitions.md` loads and behaves as the page says.

use onething_core::{ServiceDefinition, materials_needed};
use serde_json::{Value, json};

use crate::common::{Scenarios, today};

fn example() -> ServiceDefinition {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/service-definitions.md"
    ))
    .expect("read the docs");
    let after = doc
        .split("## A complete example")
        .nth(1)
        .expect("the example section");
    let toml = after
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a toml block");
    ServiceDefinition::from_toml("dog-licence.toml", toml).unwrap_or_else(|e| panic!("{e}"))
}

fn dog(name: &str, breed: &str) -> Value {
    let mut d =
        json!({ "name": name, "breed": breed, "weight_kg": 8, "vaccinated_on": "2026-10-01" });
    if breed == "large" {
        d["leash_training"] = json!(true);
        d["weight_kg"] = json!(35);
    }
    d
}

fn base() -> Value {
    json!({
        "service_id": "dog-licence",
        "sub_items": ["vaccination_record", "registration", "dog_tag"],
        "eligibility": { "lives_in_city": true, "owner_birth_date": "1990-01-01" },
        "answers": {
            "owner_name": "王强",
            "owner_id_number": "330502199001010030",
            "owner_phone": "13900139000",
            "home_address": { "region": ["330000", "330500", "330502"], "detail": "爱山街道1号" },
            "dogs": [dog("豆豆", "small")],
            "tag_delivery": "mail",
            "mailing_address": { "region": ["330000", "330500", "330502"], "detail": "爱山街道1号" }
        },
        "materials": {
            "owner_id_card": { "kind": "e_licence", "consent": true },
            "vaccination_certificate": { "kind": "deferred" }
        }
    })
}

#[test]
fn the_documented_example_behaves_as_described() {
    let mut s = Scenarios::with_definition(example(), base());
    let p = s.ok(&json!({}), "one small dog, tag by post");
    let vaccination = &p.departments[0];
    assert!(
        !vaccination.answers.contains_key("mailing_address"),
        "the vet office never sees it"
    );
    assert_eq!(p.deferred[0].due_days, 7);
    s.ok(
        &json!({ "answers": { "dogs": [dog("豆豆", "small"), dog("大黄", "large")] },
                 "materials": { "neighbour_commitment": { "kind": "commitment", "accepted": true } } }),
        "two dogs need the declaration",
    );
    let two =
        s.app(&json!({ "answers": { "dogs": [dog("豆豆", "small"), dog("大黄", "large")] } }));
    assert_eq!(materials_needed(&s.def, &two, today()).len(), 3);
    s.fails(
        &json!({ "answers": { "dogs": [{ "name": "大黄", "breed": "large", "weight_kg": 35, "vaccinated_on": "2026-10-01", "leash_training": false }] } }),
        &[("large_dog_untrained", "answers.dogs[0].leash_training")],
        "large dogs are trained first",
    );
    let p = s.ok(&json!({ "sub_items": ["vaccination_record", "registration"], "answers": { "tag_delivery": null } }), "no tag");
    assert!(!p.answers.contains_key("tag_delivery"));
    s.ok(
        &json!({ "answers": { "tag_delivery": "window", "mailing_address": null } }),
        "tag at the window",
    );
    s.ok(
        &json!({ "eligibility": { "lives_in_city": false }, "sub_items": ["vaccination_record"] }),
        "outside the city only the vaccination record",
    );
    s.fails(
        &json!({ "sub_items": ["vaccination_record", "dog_tag"] }),
        &[
            ("sub_item_required", "sub_items.registration"),
            ("sub_item_dependency", "sub_items.dog_tag"),
        ],
        "the tag needs the registration",
    );
    s.fails(
        &json!({ "eligibility": { "owner_birth_date": "2010-01-01" } }),
        &[("not_eligible", "eligibility")],
        "adults only",
    );
    s.assert_every_decision_both_ways();
}
