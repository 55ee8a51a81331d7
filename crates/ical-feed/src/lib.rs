//! SKELETON: filled by the ical-feed helper.
