//! SKELETON: filled by the scim helper.
