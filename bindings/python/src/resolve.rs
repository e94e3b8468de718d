//! From a decorator's arguments to the core's parts: backoff's generators (recognised by
//! identity on the Python side) become persevere's strategies when their parameters are plain
//! numbers the core represents as backoff computes them; anything else stays the user's
//! generator, driven from Rust.

use crate::seconds;
use crate::wait::PyWait;
use crate::wait_type::IntRule;
use persevere::wait::{AnyWait, try_decay};
use persevere::{Expo, constant, expo, fibo, intervals};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyInt, PyList, PyTuple};
use std::time::Duration;

/// The strategy for `wait_gen` called with `kwargs`; `builtin` names backoff's generator when
/// `wait_gen` is one of them.
pub fn wait(
    builtin: Option<&str>,
    function: &Bound<'_, PyAny>,
    kwargs: &Bound<'_, PyDict>,
) -> PyResult<PyWait> {
    let generator = || PyWait::Generator {
        function: function.clone().unbind(),
        kwargs: kwargs.clone().unbind(),
    };
    if builtin == Some("runtime") {
        return Ok(match (kwargs.len(), kwargs.get_item("value")?) {
            (1, Some(value)) => PyWait::Runtime(value.unbind()),
            _ => generator(),
        });
    }
    let Some(params) = Params::read(kwargs)? else {
        return Ok(generator());
    };
    let strategy = match builtin {
        Some("expo") => params.expo(),
        Some("fibo") => params.fibo(),
        Some("constant") => params.constant(kwargs)?,
        Some("decay") => params.decay(),
        _ => None,
    };
    Ok(strategy.map_or_else(generator, |(wait, ints)| PyWait::Builtin(wait, ints)))
}

/// A number given to a built-in generator, and whether it is an `int` (backoff's arithmetic
/// then yields ints).
#[derive(Clone, Copy)]
struct Number {
    value: f64,
    int: bool,
}

impl Number {
    const fn int(value: f64) -> Self {
        Number { value, int: true }
    }
}

/// The keyword arguments of a built-in generator, when all are plain numbers (or lists of
/// numbers, for `constant`'s `interval`) and none is a callable to be read per call.
struct Params<'py> {
    values: Vec<(String, Option<Number>)>,
    kwargs: Bound<'py, PyDict>,
}

impl<'py> Params<'py> {
    fn read(kwargs: &Bound<'py, PyDict>) -> PyResult<Option<Self>> {
        let mut values = Vec::new();
        for (key, value) in kwargs.iter() {
            let key: String = key.extract()?;
            let number = if value.is_none() {
                None
            } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
                Some(Number {
                    value: value.extract::<f64>()?,
                    int: value.is_exact_instance_of::<PyInt>(),
                })
            } else if key == "interval"
                && (value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>())
            {
                continue;
            } else {
                return Ok(None);
            };
            values.push((key, number));
        }
        Ok(Some(Params {
            values,
            kwargs: kwargs.clone(),
        }))
    }

    /// The value of `name` (`Some(None)` when given as `None`), only if every given key is
    /// among `allowed`.
    fn only(&self, allowed: &[&str]) -> Option<impl Fn(&str) -> Option<Option<Number>> + '_> {
        let ok = self
            .values
            .iter()
            .all(|(k, _)| allowed.contains(&k.as_str()))
            && self.kwargs.keys().iter().all(|k| {
                k.extract::<String>()
                    .is_ok_and(|k| allowed.contains(&k.as_str()))
            });
        ok.then_some(move |name: &str| self.values.iter().find(|(k, _)| k == name).map(|(_, v)| *v))
    }

    fn expo(&self) -> Option<(AnyWait, IntRule)> {
        let get = self.only(&["base", "factor", "max_value"])?;
        let base = get("base").map_or(Some(Number::int(2.0)), |b| b)?;
        let factor = get("factor").map_or(Some(Number::int(1.0)), |f| f)?;
        let mut strategy: Expo = expo()
            .try_base(base.value)
            .ok()?
            .factor(exact(factor.value)?);
        let mut ints = IntRule {
            below_limit: base.int && factor.int,
            limit: None,
        };
        if let Some(max) = get("max_value").flatten() {
            let limit = exact(max.value)?;
            strategy = strategy.max_value(limit);
            ints.limit = Some((limit, max.int));
        }
        Some((AnyWait::Expo(strategy), ints))
    }

    fn fibo(&self) -> Option<(AnyWait, IntRule)> {
        let get = self.only(&["max_value"])?;
        let mut strategy = fibo();
        let mut ints = IntRule {
            below_limit: true,
            limit: None,
        };
        if let Some(max) = get("max_value").flatten() {
            let limit = exact(max.value)?;
            strategy = strategy.max_value(limit);
            ints.limit = Some((limit, max.int));
        }
        Some((AnyWait::Fibo(strategy), ints))
    }

    fn constant(&self, kwargs: &Bound<'py, PyDict>) -> PyResult<Option<(AnyWait, IntRule)>> {
        let Some(get) = self.only(&["interval"]) else {
            return Ok(None);
        };
        let listed = kwargs
            .get_item("interval")?
            .filter(|v| v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>());
        if let Some(list) = listed {
            let mut waits = Vec::new();
            let (mut ints, mut floats) = (0, 0);
            for item in list.try_iter()? {
                let item = item?;
                if item.is_exact_instance_of::<PyInt>() {
                    ints += 1;
                } else if item.is_instance_of::<PyFloat>() {
                    floats += 1;
                } else {
                    return Ok(None);
                }
                match exact(item.extract::<f64>()?) {
                    Some(d) => waits.push(d),
                    None => return Ok(None),
                }
            }
            // A list mixing ints and floats keeps backoff's generator, which yields each as is.
            if ints > 0 && floats > 0 {
                return Ok(None);
            }
            let rule = IntRule {
                below_limit: floats == 0,
                limit: None,
            };
            return Ok(Some((AnyWait::Intervals(intervals(waits)), rule)));
        }
        let interval = get("interval").map_or(Some(Number::int(1.0)), |i| i);
        Ok(interval.and_then(|i| {
            let rule = IntRule {
                below_limit: i.int,
                limit: None,
            };
            exact(i.value).map(|d| (AnyWait::Constant(constant(d)), rule))
        }))
    }

    fn decay(&self) -> Option<(AnyWait, IntRule)> {
        let get = self.only(&["initial_value", "decay_factor", "min_value"])?;
        let initial = get("initial_value").map_or(Some(Number::int(1.0)), |v| v)?;
        let rate = get("decay_factor").map_or(Some(Number::int(1.0)), |v| v)?;
        let mut strategy = try_decay(exact(initial.value)?, rate.value).ok()?;
        // backoff multiplies by a power of e: a float, except the minimum it yields as given.
        let mut ints = IntRule::FLOAT;
        if let Some(min) = get("min_value").flatten() {
            let limit = exact(min.value)?;
            strategy = strategy.min_value(limit);
            ints.limit = Some((limit, min.int));
        }
        Some((AnyWait::Decay(strategy), ints))
    }
}

/// A non-negative, finite number of seconds as a duration; other values keep the Python
/// generator, which yields them as they are.
fn exact(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0)
        .then(|| seconds::from_secs(secs).ok())
        .flatten()
}

/// The jitter: none (`jitter=None`), or a Python function called for each wait. backoff's own
/// `full_jitter` and `random_jitter` are called too: they draw from Python's `random` module, so
/// `random.seed(..)` and patches of `random.uniform`/`random.random` act as with backoff.
pub enum PyJitter {
    None,
    Python(Py<PyAny>),
}

pub fn jitter(function: &Bound<'_, PyAny>) -> PyJitter {
    if function.is_none() {
        PyJitter::None
    } else {
        PyJitter::Python(function.clone().unbind())
    }
}
