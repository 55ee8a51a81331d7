//! SKELETON: the SCIM stand-in (filled by the scim helper).
