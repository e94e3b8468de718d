//! The library's integration tests, one binary (build and link once): a module per topic.
//! Two tests keep binaries of their own because they hold process-wide state: `test_alloc`
//! (a counting global allocator) and `test_blocking_in_runtime` (a warning logged once per
//! process); `loom_budget` runs only under `--cfg persevere_loom`.

#[macro_use]
mod common;
mod fuzz_corpus;
mod prop_breaker;
mod prop_core;
mod test_async;
mod test_breaker;
mod test_budget;
mod test_call;
mod test_cancellation;
mod test_config_values;
mod test_diagnostics;
mod test_error_chain;
mod test_fleet;
mod test_http;
mod test_logging;
mod test_metrics;
mod test_on_error;
mod test_on_predicate;
mod test_policy_config;
mod test_policy_import;
mod test_policy_reload;
mod test_retry_after_http;
mod test_semantics;
mod test_throttle;
mod test_tonic;
mod test_types;
