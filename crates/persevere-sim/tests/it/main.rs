//! persevere-sim's integration tests, in one binary (one link instead of one per file).

mod brooker;
mod budgets;
mod guards;
mod metastable;
mod outage;
mod wave;
