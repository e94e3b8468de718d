//! Phase 2a, values: durations and numbers written as literals are checked here, at compile
//! time, and turned into exact tokens. Any other expression is passed through unchanged and
//! checked by the library at run time (its builders panic with a message naming the
//! parameter).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

/// The units of a duration string.
const UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A `Duration` for `key`: a number of seconds (`10`, `0.5`) or a string (`"250ms"`,
/// `"1m30s"`) becomes `Duration::new(..)`; another expression passes through.
pub(crate) fn duration(key: &str, expr: &Expr) -> syn::Result<TokenStream> {
    match literal(expr) {
        Some(Literal::Negative(negative)) => Err(syn::Error::new_spanned(
            negative,
            format!(
                "`{key}` must not be negative; write seconds (`10`, `0.5`) or a string such as \"250ms\""
            ),
        )),
        Some(Literal::Plain(lit)) => {
            let nanos = match lit {
                Lit::Int(i) => decimal_nanos(i.base10_digits(), NANOS_PER_SEC),
                Lit::Float(f) => decimal_nanos(f.base10_digits(), NANOS_PER_SEC),
                Lit::Str(s) => string_nanos(&s.value()),
                _ => Err(
                    "expected seconds (`10`, `0.5`) or a string such as \"250ms\" or \"1m30s\""
                        .to_owned(),
                ),
            };
            let nanos =
                nanos.map_err(|msg| syn::Error::new(lit.span(), format!("`{key}`: {msg}")))?;
            Ok(duration_tokens(nanos, lit.span()))
        }
        None => Ok(quote_spanned!(expr.span()=> #expr)),
    }
}

/// A plain number (`f64`) for `key`, at least `min`: literals are checked, other expressions
/// pass through.
pub(crate) fn number(
    key: &str,
    expr: &Expr,
    min: f64,
    max: Option<f64>,
) -> syn::Result<TokenStream> {
    let allowed = match max {
        Some(max) => format!("a number from {min} to {max}"),
        None => format!("a number >= {min}"),
    };
    let value = match literal(expr) {
        None => return Ok(quote_spanned!(expr.span()=> #expr)),
        Some(Literal::Negative(negative)) => {
            return Err(syn::Error::new_spanned(
                negative,
                format!("`{key}` must be {allowed}, not negative"),
            ));
        }
        Some(Literal::Plain(Lit::Int(i))) => i.base10_parse::<f64>()?,
        Some(Literal::Plain(Lit::Float(f))) => f.base10_parse::<f64>()?,
        Some(Literal::Plain(other)) => {
            return Err(syn::Error::new(
                other.span(),
                format!("`{key}` must be {allowed}"),
            ));
        }
    };
    if !value.is_finite() || value < min || max.is_some_and(|max| value > max) {
        return Err(syn::Error::new_spanned(
            expr,
            format!("`{key}` must be {allowed}, got {value}"),
        ));
    }
    Ok(quote_spanned!(expr.span()=> #value))
}

/// `max_tries`: a whole number >= 1 (literal), or an expression (an integer or a closure).
pub(crate) fn max_tries(expr: &Expr) -> syn::Result<TokenStream> {
    const ALLOWED: &str = "a whole number >= 1 (it counts every attempt, the first included)";
    match literal(expr) {
        None => Ok(quote_spanned!(expr.span()=> #expr)),
        Some(Literal::Negative(negative)) => Err(syn::Error::new_spanned(
            negative,
            format!("`max_tries` must be {ALLOWED}, not negative"),
        )),
        Some(Literal::Plain(Lit::Int(i))) => match i.base10_parse::<u32>() {
            Ok(0) => Err(syn::Error::new(
                i.span(),
                format!("`max_tries` must be {ALLOWED}; 0 would never call the function"),
            )),
            Ok(n) => Ok(quote_spanned!(i.span()=> #n)),
            Err(_) => Err(syn::Error::new(
                i.span(),
                format!("`max_tries` must be {ALLOWED} that fits in a u32"),
            )),
        },
        Some(Literal::Plain(other)) => Err(syn::Error::new(
            other.span(),
            format!("`max_tries` must be {ALLOWED}"),
        )),
    }
}

enum Literal<'a> {
    Plain(&'a Lit),
    /// A negated literal, kept whole so that the error spans all of `-1`.
    Negative(&'a Expr),
}

/// The literal an expression is, if it is one (or a negated one).
fn literal(expr: &Expr) -> Option<Literal<'_>> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Some(Literal::Plain(lit)),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) if matches!(**inner, Expr::Lit(_)) => Some(Literal::Negative(expr)),
        Expr::Group(g) => literal(&g.expr),
        Expr::Paren(p) => literal(&p.expr),
        _ => None,
    }
}

fn duration_tokens(nanos: u128, span: Span) -> TokenStream {
    let secs = (nanos / NANOS_PER_SEC) as u64;
    let sub = (nanos % NANOS_PER_SEC) as u32;
    quote_spanned!(span=> ::core::time::Duration::new(#secs, #sub))
}

/// Nanoseconds in `text` (a duration string such as "1m30s" or "1.5s").
fn string_nanos(text: &str) -> Result<u128, String> {
    const FORMAT: &str = "expected a duration such as \"250ms\", \"1.5s\" or \"1m30s\" (units ns, us, ms, s, m, h, d)";
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(format!("empty duration; {FORMAT}"));
    }
    if rest.starts_with('-') {
        return Err("must not be negative".to_owned());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() {
            return Err(format!("malformed duration \"{text}\"; {FORMAT}"));
        }
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(match unit {
                "" => format!("malformed duration \"{text}\": a number needs a unit; {FORMAT}"),
                unit => format!("malformed duration \"{text}\": unknown unit `{unit}`; {FORMAT}"),
            });
        };
        let part = decimal_nanos(number, *scale)
            .map_err(|e| format!("malformed duration \"{text}\": {e}"))?;
        total = total.checked_add(part).ok_or_else(too_long)?;
        rest = after.trim_start();
    }
    check_range(total)
}

/// `digits` (decimal, maybe with a fraction and an exponent) times `scale` nanoseconds.
fn decimal_nanos(digits: &str, scale: u128) -> Result<u128, String> {
    let digits = digits.replace('_', "");
    let (mantissa, exponent) = match digits.find(['e', 'E']) {
        Some(i) => {
            let exp = digits[i + 1..]
                .parse::<i32>()
                .map_err(|_| format!("malformed number `{digits}`"))?;
            (&digits[..i], exp)
        }
        None => (digits.as_str(), 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (whole.is_empty() && fraction.is_empty())
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(format!("malformed number `{digits}`"));
    }
    let significand: u128 = format!("{whole}{fraction}")
        .trim_start_matches('0')
        .parse()
        .unwrap_or(0);
    let power = exponent - fraction.len() as i32;
    let scaled = significand.checked_mul(scale).ok_or_else(too_long)?;
    let nanos = if power >= 0 {
        10u128
            .checked_pow(power as u32)
            .and_then(|p| scaled.checked_mul(p))
            .ok_or_else(too_long)?
    } else {
        // Rounded to the nearest nanosecond; a divisor beyond u128 leaves nothing.
        match 10u128.checked_pow(power.unsigned_abs()) {
            Some(p) => (scaled + p / 2) / p,
            None => 0,
        }
    };
    check_range(nanos)
}

fn check_range(nanos: u128) -> Result<u128, String> {
    if nanos / NANOS_PER_SEC > u64::MAX as u128 {
        return Err(too_long());
    }
    Ok(nanos)
}

fn too_long() -> String {
    "too long for a Duration".to_owned()
}

/// `Duration::new` for a number of seconds known to be valid (used for defaults).
pub(crate) fn seconds(secs: u64) -> TokenStream {
    quote!(::core::time::Duration::new(#secs, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_become_exact_nanoseconds() {
        assert_eq!(string_nanos("250ms"), Ok(250_000_000));
        assert_eq!(string_nanos("1m30s"), Ok(90 * NANOS_PER_SEC));
        assert_eq!(string_nanos("1.5s"), Ok(1_500_000_000));
        assert_eq!(string_nanos("2h 5us"), Ok(7_200 * NANOS_PER_SEC + 5_000));
        assert_eq!(decimal_nanos("0.1", NANOS_PER_SEC), Ok(100_000_000));
        assert_eq!(decimal_nanos("1e-3", NANOS_PER_SEC), Ok(1_000_000));
        assert_eq!(
            decimal_nanos("2.5e1", NANOS_PER_SEC),
            Ok(25 * NANOS_PER_SEC)
        );
    }

    #[test]
    fn malformed_strings_are_rejected() {
        for bad in ["", "5", "5 parsecs", "ms", "1.2.3s", "-1s", "1e999s"] {
            assert!(string_nanos(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            string_nanos("99999999999999999999999s"),
            Err(format!(
                "malformed duration \"99999999999999999999999s\": {}",
                too_long()
            ))
        );
    }
}
