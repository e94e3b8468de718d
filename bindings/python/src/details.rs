//! backoff's details dict: what every handler receives, built from the call's context and the
//! numbers of the core's event.

use crate::events::Event;
use crate::{seconds, wait_type};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The per-call context backoff puts in every details dict.
pub struct Context {
    pub target: Py<PyAny>,
    pub args: Py<PyTuple>,
    pub kwargs: Py<PyDict>,
}

impl Context {
    /// backoff's details dict for `event` (keys in backoff's order), with `extra` last.
    pub fn details<'py>(
        &self,
        py: Python<'py>,
        event: &Event,
        extra: Option<(&str, &Py<PyAny>)>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("target", &self.target)?;
        d.set_item("args", &self.args)?;
        d.set_item("kwargs", &self.kwargs)?;
        d.set_item("tries", event.tries)?;
        d.set_item("elapsed", seconds::to_secs(event.elapsed))?;
        if let Some(wait) = event.wait {
            d.set_item("wait", wait_type::to_object(py, wait)?)?;
        }
        if let Some((key, value)) = extra {
            d.set_item(key, value)?;
        }
        Ok(d)
    }
}
