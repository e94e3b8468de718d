//! gRPC service config (gRFC A6) into a [`PolicySpec`]: `methodConfig` entries matched by
//! service and method name, `retryPolicy` (maxAttempts capped at 5, exponential backoff with
//! gRPC's ±20 % jitter), `hedgingPolicy`, and `retryThrottling` as gRPC's token bucket, shared
//! by every method.

use super::PolicySpec;
use super::budget::{BudgetKind, Instance, SharedBudget};
use super::error::{ConfigError, join};
use super::status_codes::status_code;
use super::strategy::{StrategyKeys, WaitName};
use super::values::{list, number, string, table, whole};
use crate::Jitter;
use crate::budget::TokenBucket;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

/// A6's client-side cap on `maxAttempts`: "higher values will be treated as equal to the
/// maximum value" (it guards against service configs that arrive by DNS).
const MAX_ATTEMPTS_CAP: u32 = 5;

/// gRPC's retry jitter: each backoff times `random(0.8, 1.2)` (A6 as revised in 2024; before,
/// `random(0, backoff)`).
const GRPC_JITTER: Jitter = Jitter::Proportional(0.2);

/// A proto3 JSON duration: decimal seconds with an `s` (`"0.1s"`, `".5s"`, `"2s"`), at most
/// nine fractional digits, never negative.
fn proto_duration(value: &Value, path: &str) -> Result<Duration, ConfigError> {
    let text = string(value, path)?;
    let bad = || {
        ConfigError::new(
            path,
            format!(
                "must be a proto3 JSON duration such as \"0.1s\" (seconds with an `s`, not negative), got \"{text}\""
            ),
        )
    };
    let number = text.strip_suffix('s').ok_or_else(bad)?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 9
    {
        return Err(bad());
    }
    let secs: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let nanos: u32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().map_err(|_| bad())?
    };
    Ok(Duration::new(secs, nanos))
}

fn positive_duration(
    t: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Duration, ConfigError> {
    let p = join(path, key);
    let d = proto_duration(required(t, key, path)?, &p)?;
    if d.is_zero() {
        return Err(ConfigError::new(p, "must be greater than zero"));
    }
    Ok(d)
}

fn required<'v>(
    t: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v Value, ConfigError> {
    t.get(key)
        .ok_or_else(|| ConfigError::new(join(path, key), "is required"))
}

/// `maxAttempts`: at least 2, and above 5 treated as 5.
fn max_attempts(t: &Map<String, Value>, path: &str) -> Result<NonZeroU32, ConfigError> {
    let p = join(path, "maxAttempts");
    let n = whole(required(t, "maxAttempts", path)?, &p)?;
    if n < 2 {
        return Err(ConfigError::new(
            p,
            format!("must be at least 2 (the first attempt included), got {n}"),
        ));
    }
    let capped = n.min(i128::from(MAX_ATTEMPTS_CAP)) as u32;
    Ok(NonZeroU32::new(capped).unwrap_or(NonZeroU32::MIN))
}

fn codes(
    t: &Map<String, Value>,
    key: &str,
    path: &str,
    needed: bool,
) -> Result<Vec<i32>, ConfigError> {
    let p = join(path, key);
    let Some(value) = t.get(key) else {
        return if needed {
            Err(ConfigError::new(p, "is required"))
        } else {
            Ok(Vec::new())
        };
    };
    let items = list(value, &p)?;
    if needed && items.is_empty() {
        return Err(ConfigError::new(p, "must not be empty"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, v)| status_code(v, &format!("{p}[{i}]")))
        .collect()
}

/// `retryPolicy`: `expo(factor = initialBackoff, base = backoffMultiplier, max_value =
/// maxBackoff)` with gRPC's jitter.
fn retry_policy(value: &Value, path: &str) -> Result<PolicySpec, ConfigError> {
    let t = table(value, path)?;
    let tries = max_attempts(t, path)?;
    let initial = positive_duration(t, "initialBackoff", path)?;
    let max = positive_duration(t, "maxBackoff", path)?;
    let mp = join(path, "backoffMultiplier");
    let multiplier = number(required(t, "backoffMultiplier", path)?, &mp)?;
    if multiplier <= 0.0 {
        return Err(ConfigError::new(
            mp,
            format!("must be greater than zero, got {multiplier}"),
        ));
    }
    if multiplier < 1.0 {
        // gRPC accepts (0, 1): waits that shrink to nothing. expo's base is at least 1.
        return Err(ConfigError::new(
            mp,
            format!(
                "must be at least 1 here (persevere's expo does not shrink its waits), got {multiplier}"
            ),
        ));
    }
    let strategy = StrategyKeys {
        wait: Some(WaitName::Expo),
        base: Some(multiplier),
        factor: Some(initial),
        max_value: Some(max),
        ..StrategyKeys::default()
    };
    Ok(PolicySpec {
        wait: strategy.strategy(path)?,
        strategy,
        jitter: Some(GRPC_JITTER),
        max_tries: Some(tries),
        status_codes: Some(codes(t, "retryableStatusCodes", path, true)?),
        ..PolicySpec::default()
    })
}

/// `hedgingPolicy`: `maxAttempts` attempts, a new one every `hedgingDelay` (default 0: all at
/// once), all of them in flight at once; a non-fatal failure with no attempt left running
/// starts the next at once (no backoff), as gRPC sends the next hedge at once.
fn hedging_policy(value: &Value, path: &str) -> Result<PolicySpec, ConfigError> {
    let t = table(value, path)?;
    let tries = max_attempts(t, path)?;
    let delay = match t.get("hedgingDelay") {
        Some(v) => proto_duration(v, &join(path, "hedgingDelay"))?,
        None => Duration::ZERO,
    };
    let strategy = StrategyKeys {
        wait: Some(WaitName::Constant),
        interval: Some(Duration::ZERO),
        ..StrategyKeys::default()
    };
    Ok(PolicySpec {
        wait: strategy.strategy(path)?,
        strategy,
        jitter: Some(Jitter::None),
        max_tries: Some(tries),
        hedge: Some((delay, tries)),
        status_codes: Some(codes(t, "nonFatalStatusCodes", path, false)?),
        ..PolicySpec::default()
    })
}

/// One `methodConfig` entry's policy: no retries unless it has a retry or hedging policy;
/// its `timeout` (the call's deadline, across all attempts) is `max-time`.
fn method_policy(t: &Map<String, Value>, path: &str) -> Result<PolicySpec, ConfigError> {
    let mut spec = match (t.get("retryPolicy"), t.get("hedgingPolicy")) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                path,
                "sets both retryPolicy and hedgingPolicy (gRPC allows one of them)",
            ));
        }
        (Some(r), None) => retry_policy(r, &join(path, "retryPolicy"))?,
        (None, Some(h)) => hedging_policy(h, &join(path, "hedgingPolicy"))?,
        (None, None) => PolicySpec {
            max_tries: NonZeroU32::new(1),
            ..PolicySpec::default()
        },
    };
    if let Some(timeout) = t.get("timeout") {
        let p = join(path, "timeout");
        let d = proto_duration(timeout, &p)?;
        if d.is_zero() {
            return Err(ConfigError::new(p, "must be greater than zero"));
        }
        spec.max_time = Some(d);
    }
    Ok(spec)
}

/// `retryThrottling`: [`TokenBucket::grpc`], with A6's ranges.
fn throttling(value: &Value, path: &str) -> Result<SharedBudget, ConfigError> {
    let t = table(value, path)?;
    let max_tokens = number(required(t, "maxTokens", path)?, &join(path, "maxTokens"))?;
    let token_ratio = number(required(t, "tokenRatio", path)?, &join(path, "tokenRatio"))?;
    let bucket = TokenBucket::try_grpc(max_tokens, token_ratio).map_err(|e| {
        let key = if e.parameter() == "max_tokens" {
            "maxTokens"
        } else {
            "tokenRatio"
        };
        let text = e.to_string();
        let prefix = format!("`{}` ", e.parameter());
        ConfigError::new(
            join(path, key),
            text.strip_prefix(&prefix).unwrap_or(&text).to_string(),
        )
    })?;
    Ok(SharedBudget {
        kind: BudgetKind::Grpc {
            max_tokens,
            token_ratio,
        },
        instance: Instance::Bucket(bucket),
    })
}

/// Where a `name` entry puts its method config: `Some("svc/method")`, `Some("svc")`, or `None`
/// for the default (no service, no method).
fn name_key(value: &Value, path: &str) -> Result<Option<String>, ConfigError> {
    let t = table(value, path)?;
    let field = |key: &str| -> Result<&str, ConfigError> {
        t.get(key).map_or(Ok(""), |v| string(v, &join(path, key)))
    };
    let (service, method) = (field("service")?, field("method")?);
    match (service.is_empty(), method.is_empty()) {
        (false, false) => Ok(Some(format!("{service}/{method}"))),
        (false, true) => Ok(Some(service.to_string())),
        (true, true) => Ok(None),
        (true, false) => Err(ConfigError::new(
            join(path, "method"),
            "needs a service (a method without its service matches nothing)",
        )),
    }
}

impl PolicySpec {
    /// The policy for a gRPC method, as gRPC matches a method config: the service named
    /// `"<service>/<method>"`, else the one named `"<service>"`, else this spec (the
    /// default). [`from_grpc_service_config`](PolicySpec::from_grpc_service_config) names its
    /// services so.
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_toml(r#"
    ///     max-tries = 1
    ///     [services."shop.Inventory"]
    ///     max-tries = 3
    ///     [services."shop.Inventory/Count"]
    ///     max-tries = 5
    /// "#)?;
    /// assert_eq!(spec.for_grpc_method("shop.Inventory", "Count").max_tries(), Some(5));
    /// assert_eq!(spec.for_grpc_method("shop.Inventory", "List").max_tries(), Some(3));
    /// assert_eq!(spec.for_grpc_method("shop.Billing", "Pay").max_tries(), Some(1));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn for_grpc_method(&self, service: &str, method: &str) -> &PolicySpec {
        self.services
            .get(&format!("{service}/{method}"))
            .or_else(|| self.services.get(service))
            .unwrap_or(self)
    }

    /// A gRPC service config (JSON, gRFC A6) as a spec: each `methodConfig` becomes the
    /// services named `"<service>/<method>"` or `"<service>"` (a whole service), or the
    /// top level (the default, a name with neither); look a method up with
    /// [`for_grpc_method`](PolicySpec::for_grpc_method). With gRPC's rules:
    ///
    /// - no method config, or one without a policy: one attempt, no retry;
    /// - `retryPolicy`: `maxAttempts` from 2 (above 5 treated as 5), `initialBackoff` and
    ///   `maxBackoff` above zero, `backoffMultiplier` above zero (and here at least 1: expo's
    ///   waits do not shrink), `retryableStatusCodes` not empty; the waits are
    ///   `expo(factor = initialBackoff, base = backoffMultiplier, max_value = maxBackoff)`
    ///   with gRPC's jitter, ±20 % (`proportional=0.2`), so a wait may be up to 20 % above
    ///   `maxBackoff`; the codes are [`retryable_status_codes`](PolicySpec::retryable_status_codes);
    /// - `hedgingPolicy`: `maxAttempts` (capped at 5) attempts, all allowed in flight, a new
    ///   one every `hedgingDelay` (see [`hedge`](PolicySpec::hedge)); `nonFatalStatusCodes`
    ///   are the retryable codes;
    /// - `timeout`: the call's deadline across all attempts, `max-time` (which stops the
    ///   retries at the deadline; cancelling an attempt still running then is the gRPC
    ///   client's own deadline, or an attempt timeout);
    /// - `retryThrottling`: `TokenBucket::grpc(maxTokens, tokenRatio)`, one bucket shared by
    ///   every method (gRPC throttles per server).
    ///
    /// Other keys of the service config (load balancing, `waitForReady`, message sizes) are
    /// not retry settings and are ignored. What comes with each response rather than from the
    /// config is the integration's: classifying a status by
    /// [`retries_status_code`](PolicySpec::retries_status_code) (in `when`), and the server's
    /// pushback (`grpc-retry-pushback-ms`, read by `persevere::http::grpc_retry_pushback_ms`
    /// under the `http` feature, in `server_wait` and `giveup`).
    ///
    /// ```
    /// use persevere::config::PolicySpec;
    ///
    /// let spec = PolicySpec::from_grpc_service_config(r#"{
    ///   "methodConfig": [{
    ///     "name": [{"service": "helloworld.Greeter"}],
    ///     "retryPolicy": {
    ///       "maxAttempts": 9, "initialBackoff": ".1s", "maxBackoff": "1s",
    ///       "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]
    ///     }
    ///   }],
    ///   "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}
    /// }"#)?;
    /// let greeter = spec.for_grpc_method("helloworld.Greeter", "SayHello");
    /// assert_eq!(greeter.max_tries(), Some(5)); // 9 treated as 5
    /// assert_eq!(greeter.retryable_status_codes(), [14]);
    /// assert_eq!(spec.for_grpc_method("other.Service", "Call").max_tries(), Some(1));
    /// # Ok::<(), persevere::config::ConfigError>(())
    /// ```
    pub fn from_grpc_service_config(json: &str) -> Result<Self, ConfigError> {
        let root: Value = serde_json::from_str(json)
            .map_err(|e| ConfigError::new("", format!("not JSON: {e}")))?;
        let t = table(&root, "")?;
        let budget = t
            .get("retryThrottling")
            .map(|v| throttling(v, "retryThrottling"))
            .transpose()?;
        let mut top = PolicySpec {
            max_tries: NonZeroU32::new(1),
            ..PolicySpec::default()
        };
        let mut services = BTreeMap::new();
        let mut default_from: Option<String> = None;
        if let Some(configs) = t.get("methodConfig") {
            for (i, entry) in list(configs, "methodConfig")?.iter().enumerate() {
                let path = format!("methodConfig[{i}]");
                let mt = table(entry, &path)?;
                let spec = method_policy(mt, &path)?;
                let names_path = join(&path, "name");
                let names = list(required(mt, "name", &path)?, &names_path)?;
                if names.is_empty() {
                    return Err(ConfigError::new(names_path, "must not be empty"));
                }
                for (j, name) in names.iter().enumerate() {
                    let np = format!("{names_path}[{j}]");
                    // gRPC rejects a service config that names a method twice.
                    let duplicate = match name_key(name, &np)? {
                        Some(key) => services.insert(key, spec.clone()).is_some(),
                        None => {
                            top = spec.clone();
                            default_from.replace(np.clone()).is_some()
                        }
                    };
                    if duplicate {
                        return Err(ConfigError::new(
                            np,
                            "names a method (or the default) that an earlier name names too",
                        ));
                    }
                }
            }
        }
        if let Some(budget) = budget {
            for service in services.values_mut() {
                service.budget = Some(budget.clone());
                service.budget_inherited = true;
            }
            top.budget = Some(budget);
        }
        top.services = services;
        Ok(top)
    }
}
