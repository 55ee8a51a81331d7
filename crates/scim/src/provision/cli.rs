//! The command line of the `scim_provision` example, kept in the library so that tests run
//! exactly what the example runs: parse arguments, read the export, provision, print the report.
//!
//! Exit codes: 0 every row provisioned, skipped or unchanged; 1 some rows failed (they are in
//! the report); 2 bad arguments or unreadable input; 3 the run stopped early (401, 403, connection).

use std::path::PathBuf;
use std::sync::Arc;

use wfm_auth::StaticToken;
use wfm_http::Url;

use super::{Provisioner, zendesk};
use crate::client::Client;
use crate::flavor::Flavor;

/// Usage text.
pub const USAGE: &str = "\
usage: scim_provision --base-url URL --token TOKEN --input zendesk_users.json [options]

Provision the users of a Zendesk users export (the JSON of GET /api/v2/users) into a SCIM 2.0
service provider, idempotently by externalId, and print a JSON report on stdout.

  --base-url URL        SCIM base URL (generic), or the API host for --flavor genesys|cxone
  --token TOKEN         bearer token (default: the SCIM_TOKEN environment variable)
  --input FILE          the Zendesk export
  --dry-run             search only; report what would be created and updated
  --flavor NAME         generic (default), genesys or cxone
  --concurrency N       rows processed at once (default 1)
  --include-end-users   provision Zendesk end-users too (skipped by default)

exit codes: 0 all rows done; 1 some rows failed (see \"failed\"); 2 bad arguments or input;
            3 stopped early (see \"aborted\": credentials refused or server unreachable)";

/// Parsed arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// `--base-url`.
    pub base_url: Url,
    /// `--token` or `SCIM_TOKEN`.
    pub token: String,
    /// `--input`.
    pub input: PathBuf,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--flavor`.
    pub flavor: Flavor,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--include-end-users`.
    pub include_end_users: bool,
}

/// Why arguments were not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `--help` was asked for.
    Help,
    /// The arguments are wrong; the text says how.
    Usage(String),
}

impl Args {
    /// Parse `args` (without the program name); `env_token` is the `SCIM_TOKEN` variable.
    pub fn parse<I: IntoIterator<Item = String>>(
        args: I,
        env_token: Option<String>,
    ) -> Result<Self, ArgsError> {
        let mut base_url = None;
        let mut token = None;
        let mut input = None;
        let mut dry_run = false;
        let mut flavor = Flavor::Generic;
        let mut concurrency = 1usize;
        let mut include_end_users = false;
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let value = |it: &mut I::IntoIter| {
                inline
                    .clone()
                    .or_else(|| it.next())
                    .ok_or_else(|| ArgsError::Usage(format!("{name} needs a value")))
            };
            match name.as_str() {
                "-h" | "--help" => return Err(ArgsError::Help),
                "--base-url" => {
                    let v = value(&mut it)?;
                    base_url = Some(
                        v.parse::<Url>()
                            .map_err(|e| ArgsError::Usage(format!("--base-url {v:?}: {e}")))?,
                    );
                }
                "--token" => token = Some(value(&mut it)?),
                "--input" => input = Some(PathBuf::from(value(&mut it)?)),
                "--dry-run" => dry_run = true,
                "--include-end-users" => include_end_users = true,
                "--flavor" => flavor = value(&mut it)?.parse().map_err(ArgsError::Usage)?,
                "--concurrency" => {
                    let v = value(&mut it)?;
                    concurrency = v
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=64).contains(n))
                        .ok_or_else(|| {
                            ArgsError::Usage(format!("--concurrency {v:?}: expected 1 to 64"))
                        })?;
                }
                other => return Err(ArgsError::Usage(format!("unknown argument {other:?}"))),
            }
        }
        let base_url = base_url.ok_or_else(|| ArgsError::Usage("--base-url is required".into()))?;
        let token = token
            .or(env_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ArgsError::Usage("--token is required (or set SCIM_TOKEN)".into()))?;
        let input = input.ok_or_else(|| ArgsError::Usage("--input is required".into()))?;
        Ok(Self {
            base_url,
            token,
            input,
            dry_run,
            flavor,
            concurrency,
            include_end_users,
        })
    }
}

/// What a run printed and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The process exit code.
    pub exit_code: i32,
    /// The report as pretty JSON (empty when there is none).
    pub stdout: String,
    /// Messages for the operator.
    pub stderr: String,
}

/// Run the command line: `args` without the program name, `env_token` from `SCIM_TOKEN`.
pub async fn run<I: IntoIterator<Item = String>>(args: I, env_token: Option<String>) -> Outcome {
    let fail = |code: i32, stderr: String| Outcome {
        exit_code: code,
        stdout: String::new(),
        stderr,
    };
    let args = match Args::parse(args, env_token) {
        Ok(a) => a,
        Err(ArgsError::Help) => {
            return Outcome {
                exit_code: 0,
                stdout: String::new(),
                stderr: USAGE.to_owned(),
            };
        }
        Err(ArgsError::Usage(msg)) => return fail(2, format!("error: {msg}\n\n{USAGE}")),
    };
    let bytes = match std::fs::read(&args.input) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                2,
                format!("error: cannot read {}: {e}", args.input.display()),
            );
        }
    };
    let rows = match zendesk::read_export(&bytes) {
        Ok(r) => r,
        Err(e) => return fail(2, format!("error: {}: {e}", args.input.display())),
    };
    let client = match Client::builder(args.flavor, args.base_url.clone())
        .token_provider(Arc::new(StaticToken::new(args.token.clone())))
        .build()
    {
        Ok(c) => c,
        Err(e) => return fail(2, format!("error: {e}")),
    };
    let options = zendesk::Options {
        include_end_users: args.include_end_users,
    };
    // The token comes from --token or SCIM_TOKEN: it cannot be refreshed, and a 401 says so.
    let report = Provisioner::new(client)
        .fixed_token(true)
        .dry_run(args.dry_run)
        .concurrency(args.concurrency)
        .run_zendesk(rows, &options)
        .await;
    let stdout =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let (exit_code, stderr) = if let Some(why) = &report.aborted {
        (3, format!("stopped early: {why}"))
    } else if !report.failed.is_empty() {
        (
            1,
            format!(
                "{} of {} rows failed; see \"failed\" in the report",
                report.failed.len(),
                report.total
            ),
        )
    } else {
        (0, String::new())
    };
    Outcome {
        exit_code,
        stdout,
        stderr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, ArgsError> {
        Args::parse(args.iter().map(|s| s.to_string()), None)
    }

    #[test]
    fn parses_arguments() {
        let a = parse(&[
            "--base-url",
            "http://127.0.0.1:1/v2",
            "--token=t",
            "--input",
            "x.json",
            "--dry-run",
            "--flavor",
            "cxone",
        ])
        .unwrap();
        assert!(a.dry_run);
        assert_eq!(a.flavor, Flavor::Cxone);
        assert_eq!(a.token, "t");
        assert_eq!(parse(&["--help"]), Err(ArgsError::Help));
        for bad in [
            &["--token", "t", "--input", "x"][..],
            &["--base-url", "nope", "--token", "t", "--input", "x"],
            &["--base-url", "http://h", "--input", "x"],
            &["--base-url", "http://h", "--token", "t"],
            &[
                "--base-url",
                "http://h",
                "--token",
                "t",
                "--input",
                "x",
                "--what",
            ],
            &[
                "--base-url",
                "http://h",
                "--token",
                "t",
                "--input",
                "x",
                "--concurrency",
                "0",
            ],
            &["--base-url"],
        ] {
            assert!(matches!(parse(bad), Err(ArgsError::Usage(_))), "{bad:?}");
        }
        let env = Args::parse(
            ["--base-url", "http://h", "--input", "x"].map(String::from),
            Some("e".into()),
        )
        .unwrap();
        assert_eq!(env.token, "e");
    }

    #[tokio::test]
    async fn unreadable_input_exits_2() {
        let out = run(
            [
                "--base-url",
                "http://127.0.0.1:9",
                "--token",
                "t",
                "--input",
                "/nonexistent/x.json",
            ]
            .map(String::from),
            None,
        )
        .await;
        assert_eq!(out.exit_code, 2);
        assert!(out.stderr.contains("cannot read"));
    }
}
