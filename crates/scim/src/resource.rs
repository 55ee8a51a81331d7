//! SCIM resources (RFC 7643): User with the enterprise and Genesys Cloud extensions, Group, their
//! parts, and the [`Resource`] trait the client is generic over. Unknown attributes are kept.
//!
//! Every struct carries an `extra` map that collects the attributes it does not name, so a
//! resource read, changed and written back loses nothing (custom extensions included).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Core schema URN of User.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core schema URN of Group.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Schema URN of the enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Schema URN of Genesys Cloud's User extension (routing skills, languages, external ids).
pub const GENESYS_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";

/// A resource type the client can create, read, replace, modify, delete and list.
///
/// Implemented by [`User`] and [`Group`]; implement it for a custom resource type of your
/// service provider (any `Serialize + Deserialize` struct with `id` and `meta`).
pub trait Resource: Serialize + DeserializeOwned + Send + 'static {
    /// The endpoint as RFC 7644 names it (`"Users"`); [`Flavor::endpoint`](crate::Flavor::endpoint)
    /// adapts its spelling per platform.
    const ENDPOINT: &'static str;
    /// The core schema URN, added to `schemas` on writes when missing.
    const SCHEMA: &'static str;
    /// Attributes the service provider owns: removed from the body of creates and replaces.
    const READ_ONLY: &'static [&'static str] = &["meta"];

    /// The service provider's id, once created.
    fn id(&self) -> Option<&str>;
    /// The resource's `meta`, when read from a server.
    fn meta(&self) -> Option<&Meta>;
    /// `meta.version`: the ETag sent as `If-Match` on replace, modify and delete.
    fn version(&self) -> Option<&str> {
        self.meta().and_then(|m| m.version.as_deref())
    }
}

/// `meta` (RFC 7643 §3.1): set by the service provider. Dates are kept as sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The resource type (`User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Its URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Its version (the ETag, for example `W/"3"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A password, write-only; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A SCIM User (RFC 7643 §4.1) with the enterprise and Genesys Cloud extensions.
///
/// ```
/// use wfm_scim::{User, MultiValue};
/// let mut user = User::new("ada@example.com");
/// user.external_id = Some("zendesk-42".into());
/// user.emails.push(MultiValue::new("ada@example.com").with_type("work").primary());
/// user.active = Some(true);
/// let json = serde_json::to_value(&user).unwrap();
/// assert_eq!(json["userName"], "ada@example.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Schema URNs of the representation.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The service provider's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provisioning client's id for this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Set by the service provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The unique login name (required on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The user's name parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The name to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A casual name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// A profile URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    /// The job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The relationship to the organisation (`Employee`, `Contractor`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Preferred language (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// Locale (`en-US`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// IANA time zone (`Europe/Paris`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Whether the user may log in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Write-only password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<MultiValue>,
    /// Phone numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<MultiValue>,
    /// Instant-messaging addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ims: Vec<MultiValue>,
    /// Photo URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<MultiValue>,
    /// Postal addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Groups the user belongs to (read-only; change membership on the Group).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<MultiValue>,
    /// Entitlements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<MultiValue>,
    /// Roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<MultiValue>,
    /// Certificates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub x509_certificates: Vec<MultiValue>,
    /// The enterprise extension ([`ENTERPRISE_USER_SCHEMA`]).
    #[serde(
        default,
        rename = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        skip_serializing_if = "Option::is_none"
    )]
    pub enterprise: Option<EnterpriseUser>,
    /// Genesys Cloud's extension ([`GENESYS_USER_SCHEMA`]).
    #[serde(
        default,
        rename = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User",
        skip_serializing_if = "Option::is_none"
    )]
    pub genesys: Option<GenesysUser>,
    /// Attributes and extensions not named above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl User {
    /// A user with this `userName` and the core schema.
    pub fn new(user_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![USER_SCHEMA.to_owned()],
            user_name: Some(user_name.into()),
            ..Self::default()
        }
    }

    /// The primary email, else the first one.
    pub fn primary_email(&self) -> Option<&str> {
        primary_or_first(&self.emails)
    }

    /// A custom schema extension, read from the user (`Ok(None)` when absent).
    ///
    /// ```
    /// use wfm_scim::{SchemaExtension, User};
    /// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    /// struct Badge { number: String }
    /// impl SchemaExtension for Badge { const URN: &'static str = "urn:example:scim:Badge"; }
    ///
    /// let mut user = User::new("ada");
    /// user.set_extension(&Badge { number: "7".into() }).unwrap();
    /// assert!(user.schemas.iter().any(|s| s == "urn:example:scim:Badge"));
    /// assert_eq!(user.extension::<Badge>().unwrap(), Some(Badge { number: "7".into() }));
    /// ```
    pub fn extension<E: SchemaExtension>(&self) -> Result<Option<E>, serde_json::Error> {
        let value = match E::URN {
            ENTERPRISE_USER_SCHEMA => serde_json::to_value(&self.enterprise)?,
            GENESYS_USER_SCHEMA => serde_json::to_value(&self.genesys)?,
            urn => self.extra.get(urn).cloned().unwrap_or(Value::Null),
        };
        if value.is_null() {
            Ok(None)
        } else {
            serde_json::from_value(value).map(Some)
        }
    }

    /// Set a custom schema extension and declare its URN in `schemas`.
    pub fn set_extension<E: SchemaExtension>(
        &mut self,
        extension: &E,
    ) -> Result<(), serde_json::Error> {
        let value = serde_json::to_value(extension)?;
        match E::URN {
            ENTERPRISE_USER_SCHEMA => self.enterprise = Some(serde_json::from_value(value)?),
            GENESYS_USER_SCHEMA => self.genesys = Some(serde_json::from_value(value)?),
            urn => {
                self.extra.insert(urn.to_owned(), value);
            }
        }
        if !self.schemas.iter().any(|s| s == E::URN) {
            self.schemas.push(E::URN.to_owned());
        }
        Ok(())
    }
}

impl Resource for User {
    const ENDPOINT: &'static str = "Users";
    const SCHEMA: &'static str = USER_SCHEMA;
    const READ_ONLY: &'static [&'static str] = &["meta", "groups"];
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

/// A schema extension carried by a resource under its URN.
pub trait SchemaExtension: Serialize + DeserializeOwned {
    /// The extension's schema URN.
    const URN: &'static str;
}

/// The `name` of a User.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// The full name, formatted for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Honorific prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// Honorific suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One value of a multi-valued attribute (emails, phoneNumbers, roles, groups, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MultiValue {
    /// The value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A label for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// The kind (`work`, `home`, `mobile`, ...).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the preferred value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// A reference URI (`$ref`), for groups.
    #[serde(default, rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MultiValue {
    /// A value with nothing else set.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: Some(value.into()),
            ..Self::default()
        }
    }
    /// Set the `type`.
    #[must_use]
    pub fn with_type(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
    /// Mark as primary.
    #[must_use]
    pub fn primary(mut self) -> Self {
        self.primary = Some(true);
        self
    }
}

/// A postal address of a User.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// The full address, formatted for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The kind (`work`, `home`, ...).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether this is the preferred address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The enterprise User extension (RFC 7643 §4.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseUser {
    /// Employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Cost center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Division (on Genesys Cloud: the division name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
    /// Attributes not named above (Genesys Cloud's `dateHire`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SchemaExtension for EnterpriseUser {
    const URN: &'static str = ENTERPRISE_USER_SCHEMA;
}

/// The manager of an enterprise User.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    /// The manager's `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The manager's URI.
    #[serde(default, rename = "$ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The manager's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Genesys Cloud's User extension ([`GENESYS_USER_SCHEMA`]): routing skills and languages (at
/// most 50 each) and external ids by authority, filterable as
/// `urn:...:genesys:purecloud:2.0:User:externalIds[authority eq "x" and value eq "y"]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesysUser {
    /// Routing skills with proficiency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing_skills: Vec<RoutingEntry>,
    /// Routing languages with proficiency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing_languages: Vec<RoutingEntry>,
    /// External ids, each under an authority.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<GenesysExternalId>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SchemaExtension for GenesysUser {
    const URN: &'static str = GENESYS_USER_SCHEMA;
}

/// A Genesys Cloud routing skill or language.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingEntry {
    /// Skill or language name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Proficiency (0 to 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proficiency: Option<f64>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Genesys Cloud external id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenesysExternalId {
    /// Who issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// The id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A SCIM Group (RFC 7643 §4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// Schema URNs of the representation.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The service provider's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provisioning client's id for this group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Set by the service provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The group's name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Members: `value` is a member's `id` (or `bulkId:...` inside a Bulk request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MultiValue>,
    /// Attributes and extensions not named above, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Group {
    /// A group with this display name and the core schema.
    pub fn new(display_name: impl Into<String>) -> Self {
        Self {
            schemas: vec![GROUP_SCHEMA.to_owned()],
            display_name: Some(display_name.into()),
            ..Self::default()
        }
    }
}

impl Resource for Group {
    const ENDPOINT: &'static str = "Groups";
    const SCHEMA: &'static str = GROUP_SCHEMA;
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

/// The body of a resource as sent on create (`keep_id == false`) or replace: schemas completed
/// with the core URN and any extension present, read-only attributes removed.
pub(crate) fn write_body<R: Resource>(
    resource: &R,
    keep_id: bool,
) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(resource)?;
    if let Value::Object(map) = &mut value {
        for key in R::READ_ONLY {
            map.remove(*key);
        }
        if !keep_id {
            map.remove("id");
        }
        let extensions: Vec<String> = map
            .iter()
            .filter(|(k, v)| k.starts_with("urn:") && v.is_object())
            .map(|(k, _)| k.clone())
            .collect();
        let schemas = map
            .entry("schemas")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = schemas {
            for urn in std::iter::once(R::SCHEMA.to_owned()).chain(extensions) {
                if !list.iter().any(|s| s.as_str() == Some(urn.as_str())) {
                    list.push(Value::String(urn));
                }
            }
        }
    }
    Ok(value)
}

fn primary_or_first(values: &[MultiValue]) -> Option<&str> {
    values
        .iter()
        .find(|v| v.primary == Some(true))
        .or_else(|| values.first())
        .and_then(|v| v.value.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_user_round_trips_without_loss() {
        let original = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GENESYS_USER_SCHEMA, "urn:example:custom"],
            "id": "2819c223",
            "externalId": "701984",
            "userName": "bjensen@example.com",
            "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara", "phonetic": "BAR-bra"},
            "displayName": "Babs Jensen",
            "active": true,
            "timezone": "America/Los_Angeles",
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true, "verified": true}],
            "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
            "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "country": "US", "primary": true}],
            "groups": [{"value": "e9e30dba", "$ref": "https://example.com/v2/Groups/e9e30dba", "display": "Tour Guides"}],
            "favouriteColour": "teal",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "employeeNumber": "701984", "division": "Theme Park", "dateHire": "2020-01-01",
                "manager": {"value": "26118915", "$ref": "../Users/26118915", "displayName": "John Smith"}
            },
            "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User": {
                "routingSkills": [{"name": "Billing", "proficiency": 4.5}],
                "routingLanguages": [{"name": "French", "proficiency": 3.0}],
                "externalIds": [{"authority": "zendesk", "value": "42"}]
            },
            "urn:example:custom": {"badge": 7},
            "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z",
                     "version": "W/\"3694e05e9dff591\"", "location": "https://example.com/v2/Users/2819c223"}
        });
        let user: User = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(
            user.enterprise.as_ref().unwrap().employee_number.as_deref(),
            Some("701984")
        );
        assert_eq!(
            user.genesys.as_ref().unwrap().external_ids[0]
                .value
                .as_deref(),
            Some("42")
        );
        assert_eq!(user.version(), Some("W/\"3694e05e9dff591\""));
        assert_eq!(serde_json::to_value(&user).unwrap(), original);
    }

    #[test]
    fn write_bodies_complete_schemas_and_drop_read_only() {
        let mut user = User {
            user_name: Some("a".into()),
            id: Some("1".into()),
            ..User::default()
        };
        user.enterprise = Some(EnterpriseUser {
            department: Some("Support".into()),
            ..Default::default()
        });
        user.meta = Some(Meta {
            version: Some("W/\"1\"".into()),
            ..Default::default()
        });
        user.groups.push(MultiValue::new("g"));
        let body = write_body(&user, false).unwrap();
        assert_eq!(
            body["schemas"],
            json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA])
        );
        assert!(
            body.get("meta").is_none() && body.get("groups").is_none() && body.get("id").is_none()
        );
        assert_eq!(write_body(&user, true).unwrap()["id"], "1");
    }

    #[test]
    fn password_is_redacted_in_debug() {
        let user = User {
            password: Some(Password("hunter2".into())),
            ..User::new("a")
        };
        assert!(!format!("{user:?}").contains("hunter2"));
    }
}
