//! The `genesys_doctor` example's logic: what a token is, and which WFM operations of this crate
//! its OAuth client may call in which divisions. Kept in the library so that tests run it.
//!
//! ```text
//! genesys_doctor (--region REGION | --base-url URL [--login-url URL])
//!     --client-id ID --client-secret SECRET [--business-unit BU] [--json]
//! ```
//!
//! The id and secret may come from `GENESYS_CLIENT_ID` / `GENESYS_CLIENT_SECRET` instead (better:
//! a secret on the command line is visible to other users of the machine). Exit codes: 0 nothing
//! missing, 1 some permission missing somewhere, 2 bad arguments, 3 the org could not be asked
//! (credentials, network).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};
use wfm_auth::{ErrorMetadata, RolesDecide};

use crate::cli::{CONNECTION_FLAGS, Connection, Flags};
use crate::client::{Client, PermittedDivisions};
use crate::endpoints::{self, Endpoint, Requirement};
use crate::error::Error;
use crate::preflight::{self, Operation};

/// What the doctor printed and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The report (text, or JSON with `--json`).
    pub stdout: String,
    /// Errors and usage.
    pub stderr: String,
    /// 0 nothing missing, 1 something missing, 2 bad arguments, 3 the org could not be asked.
    pub exit_code: i32,
}

const USAGE: &str = "usage: genesys_doctor (--region REGION | --base-url URL [--login-url URL]) --client-id ID --client-secret SECRET [--business-unit BU] [--json]";

struct Args {
    connection: Connection,
    business_unit: Option<String>,
    json: bool,
}

/// Runs the doctor with `args` (without the program name); `env` reads environment variables.
pub async fn run(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Outcome {
    let args = match parse(args.into_iter().collect(), &env) {
        Ok(a) => a,
        Err(message) => {
            return Outcome {
                stdout: String::new(),
                stderr: format!("{message}\n{USAGE}"),
                exit_code: 2,
            };
        }
    };
    match diagnose(&args).await {
        Ok((report, missing)) => Outcome {
            stdout: if args.json {
                serde_json::to_string_pretty(&report).unwrap_or_default()
            } else {
                text(&report)
            },
            stderr: String::new(),
            exit_code: i32::from(missing),
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: match e.advice() {
                Some(advice) => format!("error: {e}\nwhat to do: {advice}"),
                None => format!("error: {e}"),
            },
            exit_code: 3,
        },
    }
}

fn parse(args: Vec<String>, env: &impl Fn(&str) -> Option<String>) -> Result<Args, String> {
    let mut valued = CONNECTION_FLAGS.to_vec();
    valued.push("--business-unit");
    let flags = Flags::parse(args, &valued, &["--json"])?;
    Ok(Args {
        connection: Connection::from_flags(&flags, env)?,
        business_unit: flags.value("--business-unit").map(str::to_owned),
        json: flags.has("--json"),
    })
}

/// The report as JSON, and whether anything is missing.
async fn diagnose(args: &Args) -> Result<(Value, bool), Error> {
    let client = args.connection.client()?;
    let me = client.token_info().await?;

    // The divisions that matter: the business unit's and its management units', or all.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let all = client.divisions();
    let all: Vec<_> = futures::TryStreamExt::try_collect(all).await?;
    for d in all {
        names.insert(d.id, d.name);
    }
    let mut relevant: BTreeSet<String> = names.keys().cloned().collect();
    let mut bu_report = Value::Null;
    let mut missing = false;
    if let Some(bu) = &args.business_unit {
        let unit = client.business_unit(bu).await?;
        relevant = client
            .management_units(bu)
            .await?
            .into_iter()
            .filter_map(|m| m.division.map(|d| d.id))
            .chain(unit.division.map(|d| d.id))
            .collect();
        let report = preflight::run(&client, bu, Operation::ALL).await?;
        let gaps: Vec<Value> = report
            .missing()
            .map(|g| {
                json!({
                    "operation": g.operation.name(),
                    "permissions": g.permissions.to_string(),
                    "divisionId": g.division.division_id,
                    "divisionName": g.division.division_name,
                    "managementUnits": g.division.management_units,
                    "agents": g.division.agents.len(),
                })
            })
            .collect();
        missing |= !report.is_ok();
        bu_report = json!({
            "id": bu,
            "name": unit.name,
            "gaps": gaps,
            "unreadableManagementUnits": report.unreadable_management_units.iter().map(|(id, why)| json!({"id": id, "error": why})).collect::<Vec<_>>(),
        });
    }

    let mut cache: BTreeMap<&'static str, PermittedDivisions> = BTreeMap::new();
    let mut operations = Vec::new();
    let client_credentials = me
        .oauth_client
        .as_ref()
        .and_then(|c| c.authorized_grant_type.as_deref())
        .is_some_and(|g| g.eq_ignore_ascii_case("CLIENT-CREDENTIALS"));
    for ep in endpoints::ALL {
        if client_credentials && endpoints::USER_GRANT_ONLY.iter().any(|u| u.name == ep.name) {
            // The calling user's own calendar link: a client-credentials token has no user.
            continue;
        }
        let lacking = lacking_divisions(&client, ep, &relevant, &mut cache).await?;
        missing |= !lacking.is_empty();
        operations.push(json!({
            "name": ep.name,
            "method": ep.method,
            "path": ep.path,
            "permissions": {
                "requirement": match ep.permissions.requirement { Requirement::Any => "any", _ => "all" },
                "names": ep.permissions.names,
            },
            "missingIn": lacking.iter().map(|id| json!({"id": id, "name": names.get(id)})).collect::<Vec<_>>(),
        }));
    }
    let client_info = me.oauth_client.as_ref();
    Ok((
        json!({
            "environment": args.connection.env.to_string(),
            "organization": me.organization,
            "oauthClient": client_info.map(|c| json!({"id": c.id, "name": c.name, "grantType": c.authorized_grant_type})),
            "scopes": me.authorized_scope,
            "businessUnit": bu_report,
            "operations": operations,
        }),
        missing,
    ))
}

/// The relevant divisions where `ep`'s permissions are not held. For an ANY list, permissions
/// are asked one at a time until every division is covered.
async fn lacking_divisions(
    client: &Client<RolesDecide>,
    ep: &Endpoint,
    relevant: &BTreeSet<String>,
    cache: &mut BTreeMap<&'static str, PermittedDivisions>,
) -> Result<Vec<String>, Error> {
    if ep.permissions.is_none() {
        return Ok(Vec::new());
    }
    let mut lacking: BTreeSet<String> = relevant.clone();
    let mut all_held: BTreeSet<String> = relevant.clone();
    for name in ep.permissions.names {
        if !cache.contains_key(name) {
            cache.insert(name, client.permitted_divisions(name).await?);
        }
        let permitted = &cache[name];
        match ep.permissions.requirement {
            Requirement::Any => {
                lacking.retain(|d| !permitted.includes(d));
                if lacking.is_empty() {
                    break;
                }
            }
            _ => all_held.retain(|d| permitted.includes(d)),
        }
    }
    Ok(match ep.permissions.requirement {
        Requirement::Any => lacking.into_iter().collect(),
        _ => relevant.difference(&all_held).cloned().collect(),
    })
}

fn text(report: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "environment: {}",
        report["environment"].as_str().unwrap_or("")
    );
    let _ = writeln!(
        out,
        "organization: {} ({})",
        report["organization"]["name"].as_str().unwrap_or("?"),
        report["organization"]["id"].as_str().unwrap_or("?")
    );
    let c = &report["oauthClient"];
    let _ = writeln!(
        out,
        "OAuth client: {} ({}), grant {}",
        c["name"].as_str().unwrap_or("?"),
        c["id"].as_str().unwrap_or("?"),
        c["grantType"].as_str().unwrap_or("?")
    );
    let _ = writeln!(
        out,
        "client-credentials tokens carry no scopes: roles, per division, decide what follows"
    );
    if let Some(bu) = report["businessUnit"].as_object() {
        let _ = writeln!(out, "\nbusiness unit {}:", bu["id"].as_str().unwrap_or(""));
        for g in bu["gaps"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  MISSING {} for {}: division {} ({}), {} agent(s); fix: grant a role with it to the OAuth client in that division",
                g["permissions"].as_str().unwrap_or(""),
                g["operation"].as_str().unwrap_or(""),
                g["divisionName"].as_str().unwrap_or("?"),
                g["divisionId"].as_str().unwrap_or(""),
                g["agents"]
            );
        }
    }
    let _ = writeln!(out, "\noperations:");
    for op in report["operations"].as_array().into_iter().flatten() {
        let lacking: Vec<String> = op["missingIn"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{} ({})",
                    d["name"].as_str().unwrap_or("?"),
                    d["id"].as_str().unwrap_or("")
                )
            })
            .collect();
        let names: Vec<&str> = op["permissions"]["names"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let any = op["permissions"]["requirement"] == "any";
        let needs = match names.len() {
            0 => "no permission".to_owned(),
            1..=4 => names.join(if any { " or " } else { " and " }),
            n => format!("{} of {n} permissions", if any { "any" } else { "all" }),
        };
        let status = if lacking.is_empty() {
            "ok".to_owned()
        } else {
            format!("MISSING in {}", lacking.join(", "))
        };
        let _ = writeln!(
            out,
            "  {} {}: {status} (needs {needs})",
            op["method"].as_str().unwrap_or(""),
            op["path"].as_str().unwrap_or(""),
        );
    }
    out
}
