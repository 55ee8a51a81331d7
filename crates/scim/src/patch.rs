//! PATCH requests (RFC 7644 §3.5.2): `add`, `replace` and `remove` operations on validated paths,
//! including value-filtered paths such as `emails[type eq "work"].value`.
//!
//! ```
//! use serde_json::json;
//! use wfm_scim::filter::PatchPath;
//! use wfm_scim::PatchRequest;
//!
//! # fn demo() -> Result<(), wfm_scim::filter::FilterError> {
//! let patch = PatchRequest::new()
//!     .replace(PatchPath::parse(r#"emails[type eq "work"].value"#)?, json!("ada@new.example"))
//!     .add(PatchPath::parse("title")?, json!("Team lead"))
//!     .remove(PatchPath::parse("nickName")?);
//! assert_eq!(serde_json::to_value(&patch).unwrap()["Operations"][0]["op"], "replace");
//! # Ok(()) }
//! # demo().unwrap();
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::filter::PatchPath;

/// Schema URN of a PATCH request.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A PATCH request: operations applied atomically, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchRequest {
    /// `[PATCH_OP_SCHEMA]`.
    pub schemas: Vec<String>,
    /// The operations.
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
}

impl Default for PatchRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl PatchRequest {
    /// An empty request.
    pub fn new() -> Self {
        Self {
            schemas: vec![PATCH_OP_SCHEMA.to_owned()],
            operations: Vec::new(),
        }
    }
    /// Append an operation.
    #[must_use]
    pub fn with(mut self, operation: PatchOperation) -> Self {
        self.operations.push(operation);
        self
    }
    /// Append `add` of `value` at `path`.
    #[must_use]
    pub fn add(self, path: PatchPath, value: Value) -> Self {
        self.with(PatchOperation {
            op: PatchOp::Add,
            path: Some(path),
            value: Some(value),
        })
    }
    /// Append `replace` of the value at `path`.
    #[must_use]
    pub fn replace(self, path: PatchPath, value: Value) -> Self {
        self.with(PatchOperation {
            op: PatchOp::Replace,
            path: Some(path),
            value: Some(value),
        })
    }
    /// Append `remove` of the value(s) at `path`.
    #[must_use]
    pub fn remove(self, path: PatchPath) -> Self {
        self.with(PatchOperation {
            op: PatchOp::Remove,
            path: Some(path),
            value: None,
        })
    }
    /// Append a path-less `add`: `value` is an object of attributes to add.
    #[must_use]
    pub fn add_attributes(self, value: serde_json::Map<String, Value>) -> Self {
        self.with(PatchOperation {
            op: PatchOp::Add,
            path: None,
            value: Some(Value::Object(value)),
        })
    }
    /// Append a path-less `replace`: `value` is an object of attributes to replace.
    #[must_use]
    pub fn replace_attributes(self, value: serde_json::Map<String, Value>) -> Self {
        self.with(PatchOperation {
            op: PatchOp::Replace,
            path: None,
            value: Some(Value::Object(value)),
        })
    }
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    /// `add`, `replace` or `remove`.
    pub op: PatchOp,
    /// The target; required for `remove`, optional otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PatchPath>,
    /// The value; absent for `remove`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// A PATCH operation kind. Sent in lower case; read case-insensitively (Microsoft Entra sends
/// `Replace`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOp {
    /// `add`.
    Add,
    /// `replace`.
    Replace,
    /// `remove`.
    Remove,
}

impl PatchOp {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOp::Add => "add",
            PatchOp::Replace => "replace",
            PatchOp::Remove => "remove",
        }
    }
}

impl Serialize for PatchOp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PatchOp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        [PatchOp::Add, PatchOp::Replace, PatchOp::Remove]
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(&s))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown PATCH op {s:?}; expected add, replace or remove"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_as_rfc_7644() {
        let patch = PatchRequest::new()
            .replace(
                PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap(),
                json!("x@y"),
            )
            .remove(PatchPath::parse(r#"members[value eq "2819c223"]"#).unwrap());
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!({
                "schemas": [PATCH_OP_SCHEMA],
                "Operations": [
                    {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@y"},
                    {"op": "remove", "path": "members[value eq \"2819c223\"]"}
                ]
            })
        );
    }

    #[test]
    fn reads_entra_style_ops_and_refuses_bad_paths() {
        let p: PatchRequest = serde_json::from_value(json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "Replace", "path": "active", "value": false}]
        }))
        .unwrap();
        assert_eq!(p.operations[0].op, PatchOp::Replace);
        let bad = serde_json::from_value::<PatchRequest>(json!({
            "schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "replace", "path": "a b"}]
        }));
        assert!(bad.is_err());
    }
}
