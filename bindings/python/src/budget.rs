//! Retry budgets for Python: persevere's `RatioBudget` and `TokenBucket`, shared by every
//! decorator given the same object (`budget=`), across threads and event loops.

use persevere::budget::{Budget, RatioBudget as CoreRatio, TokenBucket as CoreBucket};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A budget as a policy holds it.
pub type SharedBudget = Arc<dyn Budget + Send + Sync>;

/// Retries may be at most `ratio` of the calls made in the last `ttl` seconds, plus
/// `min_per_sec` retries per second (Finagle's and tower's retry budget). Share one object
/// between the decorators of the calls it should protect.
#[pyclass(module = "persevere_retry._persevere", frozen)]
pub struct RatioBudget(CoreRatio);

#[pymethods]
impl RatioBudget {
    #[new]
    #[pyo3(signature = (ratio=0.2, min_per_sec=10, ttl=10.0))]
    fn new(ratio: f64, min_per_sec: u32, ttl: f64) -> PyResult<Self> {
        let ttl = Duration::try_from_secs_f64(ttl)
            .map_err(|_| PyValueError::new_err("ttl must be a positive number of seconds"))?;
        CoreRatio::try_new(ratio, min_per_sec, ttl)
            .map(RatioBudget)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The retries the budget would grant now.
    fn available_retries(&self) -> u64 {
        self.0.available_retries(Instant::now())
    }

    fn __repr__(&self) -> String {
        format!(
            "RatioBudget(ratio={}, min_per_sec={}, ttl={})",
            self.0.percent(),
            self.0.min_per_sec(),
            self.0.ttl().as_secs_f64()
        )
    }
}

/// A token bucket: each retry costs tokens, each success earns some back, no retry when the
/// bucket is (nearly) empty. `TokenBucket.aws_standard()`, `TokenBucket.aws_2026()` and
/// `TokenBucket.grpc(max_tokens, token_ratio)` are the published presets.
#[pyclass(module = "persevere_retry._persevere", frozen)]
pub struct TokenBucket(CoreBucket);

#[pymethods]
impl TokenBucket {
    #[new]
    #[pyo3(signature = (capacity, *, retry_cost=None, timeout_cost=None, throttling_cost=None, success_reward=None, initial=None))]
    fn new(
        capacity: f64,
        retry_cost: Option<f64>,
        timeout_cost: Option<f64>,
        throttling_cost: Option<f64>,
        success_reward: Option<f64>,
        initial: Option<f64>,
    ) -> PyResult<Self> {
        if !(capacity.is_finite() && capacity > 0.0) {
            return Err(PyValueError::new_err("capacity must be a positive number"));
        }
        let mut builder = CoreBucket::builder(capacity);
        for (value, name) in [
            (retry_cost, "retry_cost"),
            (timeout_cost, "timeout_cost"),
            (throttling_cost, "throttling_cost"),
            (success_reward, "success_reward"),
            (initial, "initial"),
        ] {
            if value.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
                return Err(PyValueError::new_err(format!(
                    "{name} must be a non-negative number"
                )));
            }
        }
        if let Some(v) = retry_cost {
            builder = builder.retry_cost(v);
        }
        if let Some(v) = timeout_cost {
            builder = builder.timeout_cost(v);
        }
        if let Some(v) = throttling_cost {
            builder = builder.throttling_cost(v);
        }
        if let Some(v) = success_reward {
            builder = builder.success_reward(v);
        }
        if let Some(v) = initial {
            builder = builder.initial(v);
        }
        Ok(TokenBucket(builder.build()))
    }

    /// The AWS SDKs' standard retry quota (500 tokens, 5 per retry, 10 per timeout).
    #[staticmethod]
    fn aws_standard() -> Self {
        TokenBucket(CoreBucket::aws_standard())
    }

    /// The AWS SDKs' 2026 retry quota.
    #[staticmethod]
    fn aws_2026() -> Self {
        TokenBucket(CoreBucket::aws_2026())
    }

    /// gRPC's retry throttling: `max_tokens`, each failure costs 1, each success earns
    /// `token_ratio`, no retry at or below half.
    #[staticmethod]
    fn grpc(max_tokens: f64, token_ratio: f64) -> PyResult<Self> {
        CoreBucket::try_grpc(max_tokens, token_ratio)
            .map(TokenBucket)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The tokens in the bucket now.
    #[getter]
    fn tokens(&self) -> f64 {
        self.0.tokens()
    }

    /// The bucket's capacity.
    #[getter]
    fn capacity(&self) -> f64 {
        self.0.capacity()
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenBucket(capacity={}, tokens={})",
            self.0.capacity(),
            self.0.tokens()
        )
    }
}

/// The budget handle behind a Python budget object (`None` for `budget=None`).
pub fn shared(budget: Option<&Bound<'_, PyAny>>) -> PyResult<Option<SharedBudget>> {
    let Some(budget) = budget.filter(|b| !b.is_none()) else {
        return Ok(None);
    };
    if let Ok(ratio) = budget.downcast::<RatioBudget>() {
        return Ok(Some(Arc::new(ratio.get().0.clone())));
    }
    if let Ok(bucket) = budget.downcast::<TokenBucket>() {
        return Ok(Some(Arc::new(bucket.get().0.clone())));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "budget must be a persevere RatioBudget or TokenBucket",
    ))
}
