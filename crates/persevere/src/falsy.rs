//! `Falsy`: the values Python's `not` calls false, the default retry condition of
//! [`on_predicate`](fn@crate::on_predicate).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// A value that counts as "no result yet": `on_predicate` retries it by default.
///
/// Implemented for `false`, `None`, `0` and `0.0` (and NaN, which is not truthy in a retry
/// sense), empty strings, vectors, slices, maps and sets, and references to these. Implement it
/// for your own types to use `on_predicate` without a `predicate`.
///
/// ```
/// use persevere::Falsy;
///
/// assert!(None::<u8>.is_falsy());
/// assert!("".is_falsy());
/// assert!(!vec![1].is_falsy());
///
/// struct Reply { items: Vec<u32> }
/// impl Falsy for Reply {
///     fn is_falsy(&self) -> bool { self.items.is_empty() }
/// }
/// assert!(Reply { items: vec![] }.is_falsy());
/// ```
#[diagnostic::on_unimplemented(
    message = "`on_predicate` without a `.predicate(..)` retries falsy values, and `{Self}` has none",
    label = "not `persevere::Falsy`",
    note = "give the policy a `.predicate(|value| ..)`, or implement `persevere::Falsy` for `{Self}`"
)]
pub trait Falsy {
    /// Whether the value is falsy (retried by default).
    fn is_falsy(&self) -> bool;
}

impl Falsy for bool {
    fn is_falsy(&self) -> bool {
        !*self
    }
}

impl<T> Falsy for Option<T> {
    fn is_falsy(&self) -> bool {
        self.is_none()
    }
}

macro_rules! zero_is_falsy {
    ($($t:ty),*) => {$(
        impl Falsy for $t {
            fn is_falsy(&self) -> bool {
                *self == 0
            }
        }
    )*};
}
zero_is_falsy!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

impl Falsy for f32 {
    fn is_falsy(&self) -> bool {
        *self == 0.0 || self.is_nan()
    }
}

impl Falsy for f64 {
    fn is_falsy(&self) -> bool {
        *self == 0.0 || self.is_nan()
    }
}

impl Falsy for () {
    fn is_falsy(&self) -> bool {
        true
    }
}

impl Falsy for str {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl Falsy for String {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Falsy for [T] {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T, const N: usize> Falsy for [T; N] {
    fn is_falsy(&self) -> bool {
        N == 0
    }
}

impl<T> Falsy for Vec<T> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Falsy for VecDeque<T> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V, S> Falsy for HashMap<K, V, S> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T, S> Falsy for HashSet<T, S> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<K, V> Falsy for BTreeMap<K, V> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Falsy for BTreeSet<T> {
    fn is_falsy(&self) -> bool {
        self.is_empty()
    }
}

impl<T: Falsy + ?Sized> Falsy for &T {
    fn is_falsy(&self) -> bool {
        (**self).is_falsy()
    }
}

impl<T: Falsy + ?Sized> Falsy for Box<T> {
    fn is_falsy(&self) -> bool {
        (**self).is_falsy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_falsy_values() {
        assert!(false.is_falsy());
        assert!(None::<()>.is_falsy());
        assert!(0u32.is_falsy() && 0i64.is_falsy() && 0.0f64.is_falsy());
        assert!("".is_falsy() && String::new().is_falsy());
        assert!(Vec::<u8>::new().is_falsy() && HashMap::<u8, u8>::new().is_falsy());
        assert!(BTreeSet::<u8>::new().is_falsy() && (&[] as &[u8]).is_falsy());
    }

    #[test]
    fn python_truthy_values() {
        assert!(!true.is_falsy());
        assert!(!Some(0).is_falsy());
        assert!(!1u8.is_falsy() && !(-1i32).is_falsy() && !0.5f32.is_falsy());
        assert!(!"x".is_falsy() && !vec![0].is_falsy());
    }
}
