//! Rosters: rows read from a CSV or JSON export ([`parse_csv`], [`parse_json`]) and checked one
//! by one ([`Rules::validate`]) into the users a sync should hold, with a typed reason for every
//! row refused or flagged.
//!
//! ```
//! use cxone_wfm::roster::{parse_csv, Rules};
//! let csv = "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n\
//!            E1,Ada,Lovelace,ada@example.com,Europe/London,T1,Billing:Advanced;Sales:Novice,LON,\n\
//!            E2,Bad,Email,not-an-email,Europe/London,T1,,,\n";
//! let rows = parse_csv(csv)?;
//! let rules = Rules::new([("T1", "role_tier1")]).known_roles(["role_tier1"]);
//! let roster = rules.validate(rows);
//! assert_eq!(roster.users.len(), 1);
//! assert_eq!(roster.users[0].skills.len(), 2);
//! assert_eq!(roster.rejected.len(), 1);
//! # Ok::<(), cxone_wfm::roster::RosterError>(())
//! ```

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{MAX_EXTERNAL_ID_LEN, Skill, User};
use crate::timezone::{ZoneReading, read_zone};

/// The CSV header a roster must have (columns in any order; these names, case-sensitive).
pub const CSV_COLUMNS: [&str; 9] = [
    "externalId",
    "firstName",
    "lastName",
    "email",
    "timezone",
    "jobCode",
    "skills",
    "location",
    "managerExternalId",
];

/// One roster row as read, before any check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// Where the row was: the CSV line (the header is line 1) or the JSON array index plus 1.
    pub line: usize,
    /// `externalId`.
    pub external_id: String,
    /// `firstName`.
    pub first_name: String,
    /// `lastName`.
    pub last_name: String,
    /// `email`.
    pub email: String,
    /// `timezone` as the export spells it.
    pub timezone: String,
    /// `jobCode`, mapped to a role id by [`Rules`].
    pub job_code: String,
    /// `skills`; `Err` holds a CSV cell that is not `Name:Proficiency` pairs.
    pub skills: Result<Vec<Skill>, String>,
    /// `location` (empty: not managed).
    pub location: String,
    /// `managerExternalId` (empty: not managed).
    pub manager_external_id: String,
}

/// A roster that cannot be read at all (no header, a missing column, not a JSON array).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("roster line {line}: {message}")]
pub struct RosterError {
    /// The line (CSV) or entry (JSON, 1-based; 0 for the document) at fault.
    pub line: usize,
    /// What is wrong and what to do.
    pub message: String,
}

/// Reads a CSV roster (RFC 4180: quoted fields may hold commas, quotes and line breaks) whose
/// header names the columns of [`CSV_COLUMNS`]; `jobCode`, `skills`, `location` and
/// `managerExternalId` may be missing from the header. Skills are `Name:Proficiency` pairs
/// joined by `;`. Blank lines are skipped.
pub fn parse_csv(text: &str) -> Result<Vec<RosterRow>, RosterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = csv_records(text);
    let Some((_, header)) = records.next() else {
        return Err(RosterError {
            line: 1,
            message: "the roster is empty: expected a header line".into(),
        });
    };
    let header = header.map_err(|m| RosterError {
        line: 1,
        message: m,
    })?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let mut index = [None; 9];
    for (i, name) in CSV_COLUMNS.iter().enumerate() {
        index[i] = col(name);
        if i < 5 && index[i].is_none() {
            return Err(RosterError {
                line: 1,
                message: format!(
                    "the header has no `{name}` column; expected {}",
                    CSV_COLUMNS.join(",")
                ),
            });
        }
    }
    let mut rows = Vec::new();
    for (line, record) in records {
        let fields = record.map_err(|m| RosterError { line, message: m })?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| -> String {
            index[i]
                .and_then(|c| fields.get(c))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let skills_cell = get(6);
        rows.push(RosterRow {
            line,
            external_id: get(0),
            first_name: get(1),
            last_name: get(2),
            email: get(3),
            timezone: get(4),
            job_code: get(5),
            skills: parse_skills(&skills_cell).ok_or(skills_cell),
            location: get(7),
            manager_external_id: get(8),
        });
    }
    Ok(rows)
}

/// Reads a JSON roster: an array of objects with the CSV's keys; `skills` is an array of
/// `{"skillName", "proficiency"}` objects. A value of the wrong type leaves that field empty,
/// so the row is refused by [`Rules::validate`] with a reason, not the whole file.
pub fn parse_json(text: &str) -> Result<Vec<RosterRow>, RosterError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| RosterError {
        line: e.line(),
        message: format!("not JSON: {e}"),
    })?;
    let serde_json::Value::Array(items) = doc else {
        return Err(RosterError {
            line: 0,
            message: "expected a JSON array of user objects".into(),
        });
    };
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let text = |k: &str| {
            item.get(k)
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let skills = match item.get("skills") {
            None | Some(serde_json::Value::Null) => Ok(Vec::new()),
            Some(v) => serde_json::from_value::<Vec<Skill>>(v.clone()).map_err(|_| v.to_string()),
        };
        rows.push(RosterRow {
            line: i + 1,
            external_id: text("externalId"),
            first_name: text("firstName"),
            last_name: text("lastName"),
            email: text("email"),
            timezone: text("timezone"),
            job_code: text("jobCode"),
            skills,
            location: text("location"),
            manager_external_id: text("managerExternalId"),
        });
    }
    Ok(rows)
}

/// Why a row was refused (not sent) or flagged (sent with a fallback, to review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "reason",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum RowProblem {
    /// A required field is empty (refused).
    MissingField {
        /// The field, as the contract spells it.
        field: &'static str,
    },
    /// The e-mail address is not of the form `local@domain.tld` (refused).
    InvalidEmail {
        /// The value.
        value: String,
    },
    /// The `externalId` is longer than 255 characters (refused).
    ExternalIdTooLong {
        /// Its length in characters.
        length: usize,
    },
    /// The `externalId` holds `/`, `\`, a control character, or is `.`/`..` (refused: it
    /// would read as a path, `../x` for example).
    UnsafeExternalId,
    /// Several rows carry this `externalId`; none of them is sent, and the user is never
    /// deactivated for it (refused).
    DuplicateExternalId {
        /// The lines holding it.
        lines: Vec<usize>,
    },
    /// The skills cell is not `Name:Proficiency` pairs joined by `;` (refused).
    InvalidSkills {
        /// The cell.
        value: String,
    },
    /// The time zone is an offset several zones share; the fallback zone was used (flagged).
    AmbiguousTimezone {
        /// What the roster said.
        given: String,
        /// The zone sent instead.
        fallback: String,
    },
    /// The time zone is not a known name or offset; the fallback zone was used (flagged).
    UnknownTimezone {
        /// What the roster said.
        given: String,
        /// The zone sent instead.
        fallback: String,
    },
    /// The job code has no entry in the role map; the fallback role was used (flagged), or,
    /// without one, the row was refused.
    UnmappedJobCode {
        /// The job code.
        job_code: String,
        /// The role sent instead, if any.
        fallback: Option<String>,
    },
    /// The mapped role id is not among the server's roles; the fallback role was used
    /// (flagged), or, without one, the row was refused.
    UnknownRole {
        /// The role id.
        role: String,
        /// The role sent instead, if any.
        fallback: Option<String>,
    },
    /// Skills not in the list given to [`Rules::known_skills`]: the user was sent without them
    /// (flagged), so one unknown skill does not cost a 400 for the whole user.
    UnknownSkills {
        /// The skill names left out.
        skills: Vec<String>,
    },
}

impl RowProblem {
    /// Whether the row was still sent (with a fallback).
    pub fn is_flag(&self) -> bool {
        match self {
            RowProblem::AmbiguousTimezone { .. }
            | RowProblem::UnknownTimezone { .. }
            | RowProblem::UnknownSkills { .. } => true,
            RowProblem::UnmappedJobCode { fallback, .. }
            | RowProblem::UnknownRole { fallback, .. } => fallback.is_some(),
            _ => false,
        }
    }
}

/// A problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowIssue {
    /// The row's line (CSV) or entry (JSON).
    pub line: usize,
    /// The row's `externalId` as given (may be empty or invalid).
    pub external_id: String,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: RowProblem,
}

/// How rows become users: the role map, the fallbacks and the roles the server knows.
#[derive(Debug, Clone)]
pub struct Rules {
    role_map: HashMap<String, String>,
    fallback_role: Option<String>,
    fallback_timezone: String,
    known_roles: Option<HashSet<String>>,
    known_skills: Option<HashSet<String>>,
}

impl Rules {
    /// Rules with this job code → role id map, no fallback role, fallback zone `Etc/UTC`, and
    /// no role list to check against.
    pub fn new<I, K, V>(role_map: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            role_map: role_map
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            fallback_role: None,
            fallback_timezone: "Etc/UTC".into(),
            known_roles: None,
            known_skills: None,
        }
    }

    /// Reads a role map given as a JSON object of job code → role id (the guide's table).
    pub fn from_role_map_json(text: &str) -> Result<Self, RosterError> {
        let map: HashMap<String, String> = serde_json::from_str(text).map_err(|e| RosterError {
            line: e.line(),
            message: format!(
                "the role map is not a JSON object of job code to role id strings: {e}"
            ),
        })?;
        Ok(Self::new(map))
    }

    /// The role given to rows whose job code is unmapped or maps to an unknown role (the
    /// guide's "Unmapped" role).
    pub fn fallback_role(mut self, role: impl Into<String>) -> Self {
        self.fallback_role = Some(role.into());
        self
    }

    /// The zone given to rows whose time zone is ambiguous or unknown (default `Etc/UTC`).
    pub fn fallback_timezone(mut self, zone: impl Into<String>) -> Self {
        self.fallback_timezone = zone.into();
        self
    }

    /// The role ids the server has (`GET /api/wfm/v2/roles`): mapped roles are checked
    /// against them before anything is sent.
    pub fn known_roles<I: IntoIterator<Item = R>, R: Into<String>>(mut self, roles: I) -> Self {
        self.known_roles = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    /// The skill names the WFM instance has (the contract has no skills endpoint: from your
    /// own list). Skills outside it are left out of what is sent and the row is flagged
    /// ([`RowProblem::UnknownSkills`]); without a list, skills are sent unchecked.
    ///
    /// ```
    /// use cxone_wfm::roster::{parse_csv, Rules};
    /// let rows = parse_csv("externalId,firstName,lastName,email,timezone,jobCode,skills\n\
    ///                       E1,Ada,L,ada@example.com,UTC,T1,Billing:Advanced;Juggling:Novice\n")?;
    /// let roster = Rules::new([("T1", "r1")]).known_skills(["Billing"]).validate(rows);
    /// assert_eq!(roster.users[0].skills.len(), 1); // Billing only
    /// assert_eq!(roster.flagged.len(), 1);         // Juggling, to review
    /// # Ok::<(), cxone_wfm::roster::RosterError>(())
    /// ```
    pub fn known_skills<I: IntoIterator<Item = K>, K: Into<String>>(mut self, skills: I) -> Self {
        self.known_skills = Some(skills.into_iter().map(Into::into).collect());
        self
    }

    /// The configured fallback role.
    pub fn fallback_role_id(&self) -> Option<&str> {
        self.fallback_role.as_deref()
    }

    /// The configured fallback zone.
    pub fn fallback_timezone_name(&self) -> &str {
        &self.fallback_timezone
    }

    /// Whether the server knows `role` (true when no role list was given).
    pub fn is_known_role(&self, role: &str) -> bool {
        self.known_roles.as_ref().is_none_or(|k| k.contains(role))
    }

    /// Checks every row: refused rows are reported and left out, flagged rows are sent with a
    /// fallback and reported. Every `externalId` seen, valid or not, is kept in
    /// [`Roster::present`], so that a user whose row was refused is never deactivated.
    pub fn validate(&self, rows: Vec<RosterRow>) -> Roster {
        let mut lines_of: HashMap<&str, Vec<usize>> = HashMap::with_capacity(rows.len());
        for r in &rows {
            lines_of
                .entry(r.external_id.as_str())
                .or_default()
                .push(r.line);
        }
        let duplicates: HashMap<String, Vec<usize>> = lines_of
            .into_iter()
            .filter(|(id, lines)| lines.len() > 1 && !id.is_empty())
            .map(|(id, lines)| (id.to_owned(), lines))
            .collect();
        let mut roster = Roster {
            users: Vec::with_capacity(rows.len()),
            rejected: Vec::new(),
            flagged: Vec::new(),
            present: HashSet::with_capacity(rows.len()),
        };
        for row in rows {
            roster.present.insert(row.external_id.clone());
            let dup = duplicates.get(&row.external_id).cloned();
            match self.check(row, dup) {
                Ok((user, flags)) => {
                    roster.flagged.extend(flags);
                    roster.users.push(user);
                }
                Err(issue) => roster.rejected.push(issue),
            }
        }
        roster
    }

    fn check(
        &self,
        row: RosterRow,
        duplicate_lines: Option<Vec<usize>>,
    ) -> Result<(User, Vec<RowIssue>), RowIssue> {
        let refuse = |problem| RowIssue {
            line: row.line,
            external_id: row.external_id.clone(),
            problem,
        };
        for (field, value) in [
            ("externalId", &row.external_id),
            ("firstName", &row.first_name),
            ("lastName", &row.last_name),
            ("email", &row.email),
            ("timezone", &row.timezone),
        ] {
            if value.is_empty() {
                return Err(refuse(RowProblem::MissingField { field }));
            }
        }
        let id = &row.external_id;
        let length = id.chars().count();
        if length > MAX_EXTERNAL_ID_LEN {
            return Err(refuse(RowProblem::ExternalIdTooLong { length }));
        }
        if id == "." || id == ".." || id.contains(['/', '\\']) || id.chars().any(char::is_control) {
            return Err(refuse(RowProblem::UnsafeExternalId));
        }
        if let Some(lines) = duplicate_lines {
            return Err(refuse(RowProblem::DuplicateExternalId { lines }));
        }
        if !is_email(&row.email) {
            return Err(refuse(RowProblem::InvalidEmail {
                value: row.email.clone(),
            }));
        }
        let mut skills = match &row.skills {
            Ok(s) => s.clone(),
            Err(cell) => {
                return Err(refuse(RowProblem::InvalidSkills {
                    value: cell.clone(),
                }));
            }
        };
        let mut flags = Vec::new();
        if let Some(known) = &self.known_skills {
            let unknown: Vec<String> = skills
                .iter()
                .filter(|s| !known.contains(&s.skill_name))
                .map(|s| s.skill_name.clone())
                .collect();
            if !unknown.is_empty() {
                skills.retain(|s| known.contains(&s.skill_name));
                flags.push(refuse(RowProblem::UnknownSkills { skills: unknown }));
            }
        }
        let timezone = match read_zone(&row.timezone) {
            ZoneReading::Iana(z) | ZoneReading::Mapped { iana: z, .. } => z,
            ZoneReading::Ambiguous(given) => {
                flags.push(refuse(RowProblem::AmbiguousTimezone {
                    given,
                    fallback: self.fallback_timezone.clone(),
                }));
                self.fallback_timezone.clone()
            }
            ZoneReading::Unknown(given) => {
                flags.push(refuse(RowProblem::UnknownTimezone {
                    given,
                    fallback: self.fallback_timezone.clone(),
                }));
                self.fallback_timezone.clone()
            }
        };
        let fallback = self.fallback_role.clone();
        let role = match self.role_map.get(&row.job_code) {
            None => {
                let issue = refuse(RowProblem::UnmappedJobCode {
                    job_code: row.job_code.clone(),
                    fallback: fallback.clone(),
                });
                let Some(f) = fallback else { return Err(issue) };
                flags.push(issue);
                f
            }
            Some(role) if !self.is_known_role(role) => {
                let issue = refuse(RowProblem::UnknownRole {
                    role: role.clone(),
                    fallback: fallback.clone(),
                });
                let Some(f) = fallback else { return Err(issue) };
                flags.push(issue);
                f
            }
            Some(role) => role.clone(),
        };
        let mut user = User::new(
            row.external_id.clone(),
            row.first_name.clone(),
            row.last_name.clone(),
            row.email.clone(),
            timezone,
        )
        .with_roles([role])
        .with_skills(skills);
        user.location = Some(row.location.clone()).filter(|s| !s.is_empty());
        user.manager_external_id = Some(row.manager_external_id.clone()).filter(|s| !s.is_empty());
        Ok((user, flags))
    }
}

/// A checked roster.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The users to hold, all active.
    pub users: Vec<User>,
    /// Rows refused, with why; they are not sent.
    pub rejected: Vec<RowIssue>,
    /// Rows sent with a fallback (zone or role), to review.
    pub flagged: Vec<RowIssue>,
    /// Every `externalId` in the export, refused rows included: none of them is deactivated.
    pub present: HashSet<String>,
}

/// `local@domain.tld`: one `@`, no spaces, a dot in the domain, labels of letters, digits and
/// hyphens.
fn is_email(s: &str) -> bool {
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || local.contains("..") {
        return false;
    }
    if local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// `Name:Proficiency;Name:Proficiency`; `None` when a pair has no `:` or an empty side.
fn parse_skills(cell: &str) -> Option<Vec<Skill>> {
    let mut skills = Vec::new();
    for pair in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, level) = pair.rsplit_once(':')?;
        let (name, level) = (name.trim(), level.trim());
        if name.is_empty() || level.is_empty() {
            return None;
        }
        skills.push(Skill::new(name, level));
    }
    Some(skills)
}

/// RFC 4180 records with the line each starts on; a record with an unterminated quote is an error.
fn csv_records(text: &str) -> impl Iterator<Item = (usize, Result<Vec<String>, String>)> + '_ {
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    std::iter::from_fn(move || {
        chars.peek()?;
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut at_start = true;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Some((start, Err("a quoted field is not closed".to_owned())));
                }
                fields.push(std::mem::take(&mut field));
                return Some((start, Ok(fields)));
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push('\n');
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_start => {
                    quoted = true;
                    at_start = false;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    at_start = true;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    return Some((start, Ok(fields)));
                }
                _ => {
                    field.push(c);
                    at_start = false;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_lines() {
        let text = "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\n";
        let recs: Vec<_> = csv_records(text).collect();
        assert_eq!(recs[0], (1, Ok(vec!["a".into(), "b".into()])));
        assert_eq!(recs[1], (2, Ok(vec!["x,1".into(), "say \"hi\"".into()])));
        assert_eq!(recs[2], (3, Ok(vec!["multi\nline".into(), "z".into()])));
        assert_eq!(recs.len(), 3);
        assert!(csv_records("\"open").next().unwrap().1.is_err());
    }

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@sub.example.com"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@b.com",
            "a@.com",
            "a@b..com",
            ".a@b.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn skills_cells() {
        assert_eq!(parse_skills("").unwrap(), vec![]);
        assert_eq!(
            parse_skills("Tech: Support:Advanced; Billing:Novice").unwrap(),
            vec![
                Skill::new("Tech: Support", "Advanced"),
                Skill::new("Billing", "Novice")
            ]
        );
        assert!(parse_skills("Billing").is_none());
        assert!(parse_skills("Billing:").is_none());
    }
}
