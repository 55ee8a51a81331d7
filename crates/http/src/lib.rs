//! SKELETON: filled by the http work.
