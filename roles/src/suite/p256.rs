//! P-256 cipher suite (being written).
