//! The WFM user contract's data: [`User`], [`Skill`], [`Role`], and [`UserChanges`], the body
//! of a partial update.

use serde::{Deserialize, Serialize};

/// The most characters an `externalId` may have (the guide: "Max 255 characters").
pub const MAX_EXTERNAL_ID_LEN: usize = 255;

/// A WFM user, keyed by its immutable `externalId`.
///
/// ```
/// use cxone_wfm::User;
/// let user = User::new("EMP-1", "Sarah", "Connor", "s.connor@example.com", "America/Chicago")
///     .with_roles(["wfm_agent"]);
/// let json = serde_json::to_value(&user).unwrap();
/// assert_eq!(json["externalId"], "EMP-1");
/// assert_eq!(json["isActive"], true);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The immutable key (at most [`MAX_EXTERNAL_ID_LEN`] characters, unique).
    pub external_id: String,
    /// Given name.
    #[serde(default)]
    pub first_name: String,
    /// Family name.
    #[serde(default)]
    pub last_name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: String,
    /// IANA time zone (`America/Chicago`).
    #[serde(default)]
    pub timezone: String,
    /// Whether the user is active (the contract defaults it to true on creation).
    #[serde(default = "yes")]
    pub is_active: bool,
    /// Role ids.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Skills with a proficiency.
    #[serde(default)]
    pub skills: Vec<Skill>,
    /// Location identifier, for reporting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The `externalId` of the user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_external_id: Option<String>,
}

fn yes() -> bool {
    true
}

impl User {
    /// An active user with the required fields and nothing else.
    pub fn new(
        external_id: impl Into<String>,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        timezone: impl Into<String>,
    ) -> Self {
        Self {
            external_id: external_id.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            timezone: timezone.into(),
            is_active: true,
            roles: Vec::new(),
            skills: Vec::new(),
            location: None,
            manager_external_id: None,
        }
    }

    /// The same user with these role ids.
    pub fn with_roles<I: IntoIterator<Item = R>, R: Into<String>>(mut self, roles: I) -> Self {
        self.roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// The same user with these skills.
    pub fn with_skills(mut self, skills: Vec<Skill>) -> Self {
        self.skills = skills;
        self
    }
}

/// A skill and the user's proficiency in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skill {
    /// The skill's name (`Technical Support`).
    pub skill_name: String,
    /// The proficiency (`Advanced`).
    pub proficiency: String,
}

impl Skill {
    /// A skill with a proficiency.
    pub fn new(skill_name: impl Into<String>, proficiency: impl Into<String>) -> Self {
        Self {
            skill_name: skill_name.into(),
            proficiency: proficiency.into(),
        }
    }
}

/// A WFM role, as `GET /api/wfm/v2/roles` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Role {
    /// The id users carry in `roles`.
    pub id: String,
    /// The display name.
    #[serde(default)]
    pub name: String,
}

/// The body of a partial `PUT /api/wfm/v2/users/{externalId}`: the key and only the fields
/// that change (the contract keeps fields a PUT omits).
///
/// ```
/// use cxone_wfm::UserChanges;
/// let deactivate = UserChanges::deactivate("EMP-9");
/// assert_eq!(serde_json::to_string(&deactivate).unwrap(), r#"{"externalId":"EMP-9","isActive":false}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserChanges {
    /// The user's key (always sent).
    pub external_id: String,
    /// New given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// New family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// New e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// New time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// New active state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    /// New role ids (the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// New skills (the whole list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<Skill>>,
    /// New location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// New manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_external_id: Option<String>,
}

impl UserChanges {
    /// `{"externalId": id, "isActive": false}`: the guide's deactivation (never a delete).
    pub fn deactivate(external_id: impl Into<String>) -> Self {
        Self {
            external_id: external_id.into(),
            is_active: Some(false),
            ..Self::default()
        }
    }

    /// Every field of `user`: what a full update sends.
    pub fn all_of(user: &User) -> Self {
        Self {
            external_id: user.external_id.clone(),
            first_name: Some(user.first_name.clone()),
            last_name: Some(user.last_name.clone()),
            email: Some(user.email.clone()),
            timezone: Some(user.timezone.clone()),
            is_active: Some(user.is_active),
            roles: Some(user.roles.clone()),
            skills: Some(user.skills.clone()),
            location: user.location.clone(),
            manager_external_id: user.manager_external_id.clone(),
        }
    }

    /// The fields of `desired` that differ from `current` (roles and skills compared as sets);
    /// `None` when nothing differs. A `location` or manager that `desired` leaves out is not
    /// managed: it is never cleared.
    pub fn between(current: &User, desired: &User) -> Option<Self> {
        fn differ<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        fn same_set<T: Ord + Clone>(a: &[T], b: &[T]) -> bool {
            if a == b {
                return true; // the common case, without allocating
            }
            let sorted = |v: &[T]| {
                let mut v = v.to_vec();
                v.sort();
                v.dedup();
                v
            };
            sorted(a) == sorted(b)
        }
        let changes = Self {
            external_id: desired.external_id.clone(),
            first_name: differ(&current.first_name, &desired.first_name),
            last_name: differ(&current.last_name, &desired.last_name),
            email: differ(&current.email, &desired.email),
            timezone: differ(&current.timezone, &desired.timezone),
            is_active: differ(&current.is_active, &desired.is_active),
            roles: (!same_set(&current.roles, &desired.roles)).then(|| desired.roles.clone()),
            skills: (!same_set(&current.skills, &desired.skills)).then(|| desired.skills.clone()),
            location: desired
                .location
                .as_ref()
                .filter(|l| current.location.as_ref() != Some(*l))
                .cloned(),
            manager_external_id: desired
                .manager_external_id
                .as_ref()
                .filter(|m| current.manager_external_id.as_ref() != Some(*m))
                .cloned(),
        };
        (!changes.is_empty()).then_some(changes)
    }

    /// Whether nothing but the key would be sent.
    pub fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.email.is_none()
            && self.timezone.is_none()
            && self.is_active.is_none()
            && self.roles.is_none()
            && self.skills.is_none()
            && self.location.is_none()
            && self.manager_external_id.is_none()
    }

    /// The names of the fields that change, in the contract's spelling.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        let pairs: [(&'static str, bool); 9] = [
            ("firstName", self.first_name.is_some()),
            ("lastName", self.last_name.is_some()),
            ("email", self.email.is_some()),
            ("timezone", self.timezone.is_some()),
            ("isActive", self.is_active.is_some()),
            ("roles", self.roles.is_some()),
            ("skills", self.skills.is_some()),
            ("location", self.location.is_some()),
            ("managerExternalId", self.manager_external_id.is_some()),
        ];
        for (name, set) in pairs {
            if set {
                f.push(name);
            }
        }
        f
    }
}

/// One page of `GET /api/wfm/v2/users`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UsersPage {
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub total_count: Option<u64>,
}

/// The answer of `GET /api/wfm/v2/roles`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RolesAnswer {
    #[serde(default)]
    pub roles: Vec<Role>,
}
