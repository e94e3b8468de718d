//! persevere-macros's integration tests, in one binary (one link instead of one per file).
//! The trybuild cases stay in `tests/ui/`, compiled by `ui::ui`.

mod async_fns;
mod keys;
mod signatures;
mod snippets;
mod stacking;
mod ui;
