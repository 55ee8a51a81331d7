//! What the command-line programs (`genesys_doctor`, `genesys_schedule_pull`) share: flags,
//! the org's connection, and the client.

use std::collections::{BTreeMap, BTreeSet};

use wfm_auth::{ClientCredentials, RolesDecide};
use wfm_http::{Platform, RateLimit};

use crate::client::Client;
use crate::error::Error;
use crate::region::Environment;

/// The flags of a command line.
pub(crate) struct Flags {
    values: BTreeMap<String, String>,
    switches: BTreeSet<String>,
}

impl Flags {
    /// Reads `args`: each of `valued` takes a value, each of `switches` none; anything else is
    /// an error.
    pub(crate) fn parse(
        args: impl IntoIterator<Item = String>,
        valued: &[&str],
        switches: &[&str],
    ) -> Result<Self, String> {
        let mut flags = Flags {
            values: BTreeMap::new(),
            switches: BTreeSet::new(),
        };
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            if switches.contains(&flag.as_str()) {
                flags.switches.insert(flag);
            } else if valued.contains(&flag.as_str()) {
                let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
                flags.values.insert(flag, value);
            } else {
                return Err(format!("unknown argument {flag:?}"));
            }
        }
        Ok(flags)
    }

    /// A flag's value.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether a switch was given.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.switches.contains(name)
    }
}

/// The flags every program takes to reach an org.
pub(crate) const CONNECTION_FLAGS: [&str; 5] = [
    "--region",
    "--base-url",
    "--login-url",
    "--client-id",
    "--client-secret",
];

/// An org to reach, and the client credentials to reach it with.
pub(crate) struct Connection {
    pub(crate) env: Environment,
    id: String,
    secret: String,
}

impl Connection {
    /// `(--region R | --base-url URL [--login-url URL]) --client-id ID --client-secret SECRET`,
    /// the id and secret also from `GENESYS_CLIENT_ID` / `GENESYS_CLIENT_SECRET`.
    pub(crate) fn from_flags(
        flags: &Flags,
        env: &impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let environment = match (flags.value("--region"), flags.value("--base-url")) {
            (Some(r), None) => {
                if flags.value("--login-url").is_some() {
                    return Err("--login-url goes with --base-url".into());
                }
                Environment::parse(r).map_err(|e| e.to_string())?
            }
            (None, Some(b)) => {
                let e = Environment::custom(b).map_err(|e| e.to_string())?;
                match flags.value("--login-url") {
                    Some(l) => e.with_login_url(l).map_err(|e| e.to_string())?,
                    None => e,
                }
            }
            _ => return Err("give exactly one of --region and --base-url".into()),
        };
        let id = flags
            .value("--client-id")
            .map(str::to_owned)
            .or_else(|| env("GENESYS_CLIENT_ID"))
            .ok_or("no client id: --client-id or GENESYS_CLIENT_ID")?;
        let secret = flags
            .value("--client-secret")
            .map(str::to_owned)
            .or_else(|| env("GENESYS_CLIENT_SECRET"))
            .ok_or("no client secret: --client-secret or GENESYS_CLIENT_SECRET")?;
        Ok(Self {
            env: environment,
            id,
            secret,
        })
    }

    /// A client-credentials client of the org, 300 requests a minute.
    pub(crate) fn client(&self) -> Result<Client<RolesDecide>, Error> {
        let platform = Platform::<RolesDecide>::builder()
            .credentials(ClientCredentials::new(
                self.env.token_url().as_str(),
                self.id.clone(),
                self.secret.clone(),
            ))
            .rate_limit(RateLimit::per_minute(300))
            .build()?;
        Client::new(&platform, self.env.clone())
    }
}
