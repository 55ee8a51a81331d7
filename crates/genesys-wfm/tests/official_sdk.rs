//! Our regions, models and paths against the official Genesys Cloud Python SDK package (PyPI
//! `PureCloudPlatformClientV2`, generated from the Platform API's swagger).
//!
//! The test reads `tests/fixtures/purecloud_sdk.json`, the subset of the package this crate uses
//! (region hosts, each model's JSON names and swagger types, each operation's method and
//! `resource_path`), written by `scripts/genesys_sdk_fixture.py` from the downloaded package.
//! Regenerate it when the package moves on; the package version is in the fixture.

use std::collections::BTreeMap;

use genesys_wfm::endpoints;
use genesys_wfm::models::MODELS;
use genesys_wfm::{Environment, Region};
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/purecloud_sdk.json")).unwrap()
}

#[test]
fn every_official_region_has_the_official_api_host_and_the_derived_login_host() {
    let fixture = fixture();
    let official = fixture["regions"].as_object().unwrap();
    assert_eq!(
        official.len(),
        Region::ALL.len(),
        "region count differs from the SDK's"
    );
    for (key, api) in official {
        let api = api.as_str().unwrap();
        let region: Region = key.parse().unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(region.sdk_name(), key);
        let env = Environment::from(region);
        assert_eq!(env.api_url().as_str(), format!("{api}/"), "{key}");
        // The SDK rule: re.sub(r'\/\/(api)\.', '//login.', base_path).
        let login = api.replacen("//api.", "//login.", 1);
        assert_eq!(env.login_url().as_str(), format!("{login}/"), "{key}");
        assert_eq!(
            env.token_url().as_str(),
            format!("{login}/oauth/token"),
            "{key}"
        );
        // The same host given as a custom base URL is recognised, with the same login host.
        let custom = Environment::custom(api).unwrap();
        assert_eq!(custom.region(), Some(region));
        assert_eq!(custom.login_url(), env.login_url());
    }
}

#[test]
fn every_path_we_call_exists_in_the_official_package_with_its_method() {
    let fixture = fixture();
    let ops = fixture["operations"].as_object().unwrap();
    for ep in endpoints::ALL {
        let official = ops
            .get(ep.name)
            .unwrap_or_else(|| panic!("{} ({}) is not in the package", ep.name, ep.path));
        assert_eq!(official["path"], ep.path, "{}", ep.name);
        assert_eq!(official["method"], ep.method, "{}", ep.name);
    }
}

/// The SDK type a Rust field type must match, given the Rust-to-SDK model names.
fn compatible(rust: &str, sdk: &str, names: &BTreeMap<&str, &str>) -> bool {
    let rust = rust.replace(' ', "");
    if let Some(inner) = rust
        .strip_prefix("Option<")
        .and_then(|r| r.strip_suffix('>'))
    {
        return compatible(inner, sdk, names);
    }
    if let Some(inner) = rust.strip_prefix("Vec<").and_then(|r| r.strip_suffix('>')) {
        return sdk
            .strip_prefix("list[")
            .and_then(|s| s.strip_suffix(']'))
            .is_some_and(|s| compatible(inner, s, names));
    }
    match rust.as_str() {
        "String" | "CalendarLink" => sdk == "str",
        "bool" => sdk == "bool",
        "u16" | "u32" | "u64" | "i32" | "i64" => sdk == "int",
        "DateTime<Utc>" => sdk == "datetime",
        "NaiveDate" => sdk == "date",
        "BTreeMap<String,String>" => sdk == "dict(str, str)",
        other => names.get(other) == Some(&sdk),
    }
}

#[test]
fn every_json_field_of_our_models_exists_in_the_official_model_with_a_compatible_type() {
    let fixture = fixture();
    let models = fixture["models"].as_object().unwrap();
    let names: BTreeMap<&str, &str> = MODELS.iter().map(|m| (m.rust, m.sdk)).collect();
    let mut checked = 0;
    for m in MODELS {
        let official = models
            .get(m.sdk)
            .unwrap_or_else(|| panic!("{} ({}) is not in the package", m.sdk, m.rust))
            .as_object()
            .unwrap();
        for (field, ty) in m.fields.iter().zip(m.types) {
            let sdk_ty = official
                .get(*field)
                .unwrap_or_else(|| panic!("{}.{field} is not a field of {}", m.rust, m.sdk))
                .as_str()
                .unwrap();
            assert!(
                compatible(ty, sdk_ty, &names),
                "{}.{field}: our {ty} does not match the SDK's {sdk_ty}",
                m.rust
            );
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} fields checked");
}

#[test]
fn the_error_body_fields_we_read_are_the_official_ones() {
    // ErrorBody is parsed by hand (lenient); its fields are listed here.
    let fixture = fixture();
    let official = fixture["models"]["ErrorBody"].as_object().unwrap();
    for f in [
        "message",
        "code",
        "status",
        "messageWithParams",
        "messageParams",
        "contextId",
        "entityId",
        "entityName",
    ] {
        assert!(official.contains_key(f), "ErrorBody.{f}");
    }
}
