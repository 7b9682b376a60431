//! Component tests (placeholder).
