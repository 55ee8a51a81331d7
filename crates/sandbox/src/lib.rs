//! SKELETON: local stand-ins (filled by the http work; `scim` by the scim helper).
pub mod scim;
