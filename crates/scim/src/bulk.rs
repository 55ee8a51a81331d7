//! Bulk requests (RFC 7644 §3.7): operations that reference each other by `bulkId`, a
//! `failOnErrors` threshold, and per-operation results with their (string) status read back.
//!
//! ```
//! use wfm_scim::{bulk::{bulk_ref, BulkRequest}, Group, MultiValue, User};
//!
//! # fn demo() -> Result<(), wfm_scim::Error> {
//! let mut team = Group::new("Tier 1");
//! team.members.push(MultiValue::new(bulk_ref("ada")));   // "bulkId:ada": the user created below
//! let request = BulkRequest::new()
//!     .fail_on_errors(1)
//!     .create("ada", &User::new("ada@example.com"))?
//!     .create("tier1", &team)?;
//! assert_eq!(request.operations.len(), 2);
//! # Ok(()) }
//! # demo().unwrap();
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ScimErrorBody};
use crate::patch::PatchRequest;
use crate::resource::{Resource, write_body};

/// Schema URN of a Bulk request.
pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// Schema URN of a Bulk response.
pub const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// The value that refers to the resource created by the operation with `bulk_id`
/// (`"bulkId:<id>"`), for use in another operation of the same request.
pub fn bulk_ref(bulk_id: &str) -> String {
    format!("bulkId:{bulk_id}")
}

/// A Bulk request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRequest {
    /// `[BULK_REQUEST_SCHEMA]`.
    pub schemas: Vec<String>,
    /// Stop after this many failed operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_errors: Option<u32>,
    /// The operations, in order.
    #[serde(rename = "Operations")]
    pub operations: Vec<BulkOperation>,
}

impl Default for BulkRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl BulkRequest {
    /// An empty request.
    pub fn new() -> Self {
        Self {
            schemas: vec![BULK_REQUEST_SCHEMA.to_owned()],
            fail_on_errors: None,
            operations: Vec::new(),
        }
    }

    /// Stop processing after `n` failed operations (`failOnErrors`).
    #[must_use]
    pub fn fail_on_errors(mut self, n: u32) -> Self {
        self.fail_on_errors = Some(n);
        self
    }

    /// Append a POST creating `resource`, known to later operations as `bulkId:{bulk_id}`.
    pub fn create<R: Resource>(mut self, bulk_id: &str, resource: &R) -> Result<Self, Error> {
        check_bulk_id(bulk_id)?;
        self.operations.push(BulkOperation {
            method: "POST".to_owned(),
            bulk_id: Some(bulk_id.to_owned()),
            version: None,
            path: format!("/{}", R::ENDPOINT),
            data: Some(body(resource, false)?),
        });
        Ok(self)
    }

    /// Append a PUT replacing the resource with `resource.id()`; `If-Match` is its version.
    pub fn replace<R: Resource>(mut self, resource: &R) -> Result<Self, Error> {
        let id = resource_path::<R>(resource.id())?;
        self.operations.push(BulkOperation {
            method: "PUT".to_owned(),
            bulk_id: None,
            version: resource.version().map(str::to_owned),
            path: id,
            data: Some(body(resource, true)?),
        });
        Ok(self)
    }

    /// Append a PATCH of the resource `id` (an id, or `bulkId:...` of an earlier operation).
    pub fn modify<R: Resource>(
        mut self,
        id: &str,
        version: Option<&str>,
        patch: &PatchRequest,
    ) -> Result<Self, Error> {
        let path = resource_path::<R>(Some(id))?;
        let data = serde_json::to_value(patch).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        self.operations.push(BulkOperation {
            method: "PATCH".to_owned(),
            bulk_id: None,
            version: version.map(str::to_owned),
            path,
            data: Some(data),
        });
        Ok(self)
    }

    /// Append a DELETE of the resource `id`.
    pub fn delete<R: Resource>(mut self, id: &str, version: Option<&str>) -> Result<Self, Error> {
        let path = resource_path::<R>(Some(id))?;
        self.operations.push(BulkOperation {
            method: "DELETE".to_owned(),
            bulk_id: None,
            version: version.map(str::to_owned),
            path,
            data: None,
        });
        Ok(self)
    }
}

/// One operation of a Bulk request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The temporary id of a POST, for references (`bulkId:...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The version the resource must have (an ETag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource path, relative to the SCIM base (`/Users`, `/Users/{id}`).
    pub path: String,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A Bulk response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResponse {
    /// `[BULK_RESPONSE_SCHEMA]`.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// One result per operation processed, in order. With `failOnErrors`, the operations after
    /// the threshold are absent.
    #[serde(rename = "Operations", default)]
    pub operations: Vec<BulkOperationResult>,
}

impl BulkResponse {
    /// The result of the operation with `bulk_id`.
    pub fn by_bulk_id(&self, bulk_id: &str) -> Option<&BulkOperationResult> {
        self.operations
            .iter()
            .find(|o| o.bulk_id.as_deref() == Some(bulk_id))
    }
    /// The operations that failed.
    pub fn failures(&self) -> impl Iterator<Item = &BulkOperationResult> {
        self.operations.iter().filter(|o| !o.is_success())
    }
}

/// The result of one Bulk operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperationResult {
    /// The method of the operation.
    #[serde(default)]
    pub method: String,
    /// The operation's `bulkId`, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource's new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The HTTP status as sent: a string per RFC 7644 (`"201"`); some servers send a number or
    /// `{"code": 201}`. Read it with [`status_code`](Self::status_code).
    #[serde(default)]
    pub status: Value,
    /// The body of the answer (a SCIM error for failures), if the server sent one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

impl BulkOperationResult {
    /// The status as a number, whatever its spelling.
    pub fn status_code(&self) -> Option<u16> {
        let v = match &self.status {
            Value::Object(map) => map.get("code").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        match v {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        }
    }
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status_code().is_some_and(|s| (200..300).contains(&s))
    }
    /// The SCIM error of a failed operation.
    pub fn error(&self) -> Option<ScimErrorBody> {
        if self.is_success() {
            return None;
        }
        let mut body = self
            .response
            .as_ref()
            .and_then(ScimErrorBody::from_value)
            .unwrap_or_default();
        body.status = body.status.or(self.status_code());
        Some(body)
    }
    /// The created or changed resource's id: the last segment of `location`.
    pub fn id(&self) -> Option<&str> {
        let loc = self.location.as_deref()?.trim_end_matches('/');
        loc.rsplit('/').next().filter(|s| !s.is_empty())
    }
}

fn body<R: Resource>(resource: &R, keep_id: bool) -> Result<Value, Error> {
    write_body(resource, keep_id)
        .map_err(|e| Error::InvalidRequest(format!("cannot serialize the resource: {e}")))
}

fn check_bulk_id(bulk_id: &str) -> Result<(), Error> {
    if bulk_id.is_empty() || bulk_id.contains(|c: char| c.is_whitespace() || c == '"' || c == '/') {
        return Err(Error::InvalidRequest(format!(
            "bulkId {bulk_id:?} must be non-empty, without spaces, quotes or slashes"
        )));
    }
    Ok(())
}

/// `/{Endpoint}/{id}`; the id must be one path segment.
fn resource_path<R: Resource>(id: Option<&str>) -> Result<String, Error> {
    let id = id.ok_or_else(|| {
        Error::InvalidRequest("the resource has no id; read it from the server first".to_owned())
    })?;
    if id.is_empty() || id.contains(['/', '?', '#']) || id == "." || id == ".." {
        return Err(Error::InvalidRequest(format!(
            "id {id:?} cannot be used in a Bulk path"
        )));
    }
    Ok(format!("/{}/{id}", R::ENDPOINT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Group, User};
    use serde_json::json;

    #[test]
    fn builds_rfc_bodies() {
        let mut g = Group::new("G");
        g.members.push(crate::MultiValue::new(bulk_ref("q1")));
        let req = BulkRequest::new()
            .fail_on_errors(1)
            .create("q1", &User::new("a"))
            .unwrap()
            .create("g1", &g)
            .unwrap();
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v["failOnErrors"], 1);
        assert_eq!(v["Operations"][0]["path"], "/Users");
        assert_eq!(
            v["Operations"][1]["data"]["members"][0]["value"],
            "bulkId:q1"
        );
        assert!(BulkRequest::new().create("a b", &User::new("x")).is_err());
        assert!(BulkRequest::new().delete::<User>("../x", None).is_err());
        assert!(BulkRequest::new().replace(&User::new("x")).is_err());
    }

    #[test]
    fn reads_statuses_in_every_spelling() {
        let r: BulkResponse = serde_json::from_value(json!({"schemas": [BULK_RESPONSE_SCHEMA], "Operations": [
            {"method": "POST", "bulkId": "q1", "location": "https://x/v2/Users/abc", "status": "201"},
            {"method": "POST", "bulkId": "q2", "status": "409",
             "response": {"schemas": [], "status": "409", "scimType": "uniqueness", "detail": "taken"}},
            {"method": "PUT", "status": 200},
            {"method": "DELETE", "status": {"code": 404}}
        ]}))
        .unwrap();
        assert_eq!(r.by_bulk_id("q1").unwrap().id(), Some("abc"));
        assert!(r.operations[2].is_success());
        let failures: Vec<_> = r.failures().collect();
        assert_eq!(failures.len(), 2);
        assert_eq!(
            failures[0].error().unwrap().scim_type,
            Some(crate::ScimType::Uniqueness)
        );
        assert_eq!(failures[1].error().unwrap().status, Some(404));
    }
}
