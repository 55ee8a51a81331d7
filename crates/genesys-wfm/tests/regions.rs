//! Regions and custom base URLs (the official list itself is checked in `official_sdk.rs`).

use genesys_wfm::{Environment, Region};

#[test]
fn a_region_reads_from_its_aws_name_sdk_key_domain_or_host() {
    for text in [
        "eu-west-2",
        "eu_west_2",
        "euw2.pure.cloud",
        "api.euw2.pure.cloud",
        "login.euw2.pure.cloud",
    ] {
        assert_eq!(text.parse::<Region>().unwrap(), Region::EuWest2, "{text}");
    }
}

#[test]
fn no_region_is_guessed() {
    // There is no Paris API host in the official list: it is refused, with what to do.
    let err = "eu-west-3".parse::<Region>().unwrap_err().to_string();
    assert!(err.contains("not a Genesys Cloud region"), "{err}");
    assert!(err.contains("base URL"), "{err}");
    assert!(Environment::parse("euw3.pure.cloud").is_err());
}

#[test]
fn a_custom_base_url_derives_its_login_url_as_the_sdks_do() {
    let gw = Environment::custom("https://api.example.test/genesys").unwrap();
    assert_eq!(
        gw.api_v2_url().as_str(),
        "https://api.example.test/genesys/api/v2/"
    );
    assert_eq!(
        gw.token_url().as_str(),
        "https://login.example.test/genesys/oauth/token"
    );
    assert_eq!(gw.region(), None);

    // No `api.` label: the base URL is its own login URL.
    let local = Environment::custom("http://127.0.0.1:9000").unwrap();
    assert_eq!(local.api_v2_url().as_str(), "http://127.0.0.1:9000/api/v2/");
    assert_eq!(
        local.token_url().as_str(),
        "http://127.0.0.1:9000/oauth/token"
    );

    // An explicit login URL wins.
    let split = Environment::custom("http://127.0.0.1:9000")
        .unwrap()
        .with_login_url("http://127.0.0.1:9001")
        .unwrap();
    assert_eq!(
        split.token_url().as_str(),
        "http://127.0.0.1:9001/oauth/token"
    );

    assert!(Environment::custom("ftp://api.mypurecloud.de").is_err());
    assert!(Environment::custom("not a url").is_err());
}

#[test]
fn parse_takes_a_region_name_or_a_url() {
    assert_eq!(
        Environment::parse("eu-central-1").unwrap(),
        Environment::from(Region::EuCentral1)
    );
    let env = Environment::parse("https://api.mypurecloud.de").unwrap();
    assert_eq!(env.region(), Some(Region::EuCentral1));
    assert_eq!(env.to_string(), "eu-central-1 (api.mypurecloud.de)");
}
