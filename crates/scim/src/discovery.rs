//! Discovery documents (RFC 7643 §5-7, RFC 7644 §4): what a service provider supports
//! (`ServiceProviderConfig`), which resource types it serves, and their schemas.
//!
//! Read them before relying on PATCH, Bulk, ETags or sorting; unknown attributes are kept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `/ServiceProviderConfig`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    /// Schema URNs.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Human-readable help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// PATCH support.
    #[serde(default)]
    pub patch: Supported,
    /// Bulk support and limits.
    #[serde(default)]
    pub bulk: BulkSupport,
    /// Filter support and its result limit.
    #[serde(default)]
    pub filter: FilterSupport,
    /// Password change support.
    #[serde(default)]
    pub change_password: Supported,
    /// Sorting support.
    #[serde(default)]
    pub sort: Supported,
    /// ETag support.
    #[serde(default)]
    pub etag: Supported,
    /// Authentication schemes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authentication_schemes: Vec<Value>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{ "supported": bool }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Supported {
    /// Whether the feature is supported.
    #[serde(default)]
    pub supported: bool,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Bulk support.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkSupport {
    /// Whether Bulk is supported.
    #[serde(default)]
    pub supported: bool,
    /// Most operations per request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_operations: Option<u64>,
    /// Largest request body, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_size: Option<u64>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filter support.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterSupport {
    /// Whether filters are supported.
    #[serde(default)]
    pub supported: bool,
    /// Most results a filtered query returns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u64>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One of `/ResourceTypes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    /// Its id (`User`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (`User`).
    #[serde(default)]
    pub name: String,
    /// Its endpoint (`/Users`).
    #[serde(default)]
    pub endpoint: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Core schema URN.
    #[serde(default)]
    pub schema: String,
    /// Extensions it accepts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema_extensions: Vec<SchemaExtensionRef>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An extension a resource type accepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaExtensionRef {
    /// The extension's URN.
    pub schema: String,
    /// Whether resources must carry it.
    #[serde(default)]
    pub required: bool,
}

/// One of `/Schemas`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The schema URN.
    pub id: String,
    /// Its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its attributes.
    #[serde(default)]
    pub attributes: Vec<SchemaAttribute>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An attribute definition of a [`Schema`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaAttribute {
    /// Attribute name.
    pub name: String,
    /// `string`, `boolean`, `complex`, ...
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Multi-valued or not.
    #[serde(default)]
    pub multi_valued: bool,
    /// Required or not.
    #[serde(default)]
    pub required: bool,
    /// Whether string comparisons are case-sensitive.
    #[serde(default)]
    pub case_exact: bool,
    /// `readOnly`, `readWrite`, `immutable`, `writeOnly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutability: Option<String>,
    /// `always`, `never`, `default`, `request`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<String>,
    /// `none`, `server`, `global`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniqueness: Option<String>,
    /// Sub-attributes of a complex attribute.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<SchemaAttribute>,
    /// Attributes not named above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A discovery list: a `ListResponse` per RFC 7644, or a bare array as some providers send.
pub(crate) fn resources_of<T: serde::de::DeserializeOwned>(
    value: Value,
) -> Result<Vec<T>, serde_json::Error> {
    match value {
        Value::Array(items) => serde_json::from_value(Value::Array(items)),
        Value::Object(mut map) => {
            let items = map
                .remove("Resources")
                .or_else(|| map.remove("resources"))
                .unwrap_or(Value::Array(Vec::new()));
            serde_json::from_value(items)
        }
        other => serde_json::from_value(other),
    }
}
