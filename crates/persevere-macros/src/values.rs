//! Phase 2a, values: durations and numbers written as literals are checked here, at compile
//! time, with the library's own rules (`persevere_wait::parse` and `persevere_wait::params`),
//! and turned into exact tokens. Any other expression is passed through unchanged and checked
//! by the library at run time (its builders panic with the same messages).

use persevere_wait::params::ParamError;
use persevere_wait::parse::{self, DurationErrorKind};
use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use std::time::Duration;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, UnOp};

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
            let parsed: Result<Duration, String> = match lit {
                Lit::Int(i) => parse::parse_seconds(i.base10_digits()).map_err(|e| e.to_string()),
                Lit::Float(f) => parse::parse_seconds(f.base10_digits()).map_err(|e| e.to_string()),
                Lit::Str(s) => {
                    let text = s.value();
                    parse::parse_duration(&text).map_err(|e| {
                        let why = e.describe(&text);
                        match e.kind() {
                            DurationErrorKind::UnknownUnit | DurationErrorKind::TooLong => {
                                format!("malformed duration \"{text}\": {why}")
                            }
                            _ => format!(
                                "malformed duration \"{text}\": {why}; expected a duration such as \"250ms\", \"1.5s\" or \"1m30s\""
                            ),
                        }
                    })
                }
                _ => Err(
                    "expected seconds (`10`, `0.5`) or a string such as \"250ms\" or \"1m30s\""
                        .to_owned(),
                ),
            };
            match parsed {
                Ok(d) => Ok(duration_tokens(d, lit.span())),
                Err(msg) => Err(syn::Error::new(lit.span(), format!("`{key}`: {msg}"))),
            }
        }
        None => Ok(quote_spanned!(expr.span()=> #expr)),
    }
}

/// A plain number (`f64`) for `key`, checked by the library's `check` when it is a literal;
/// other expressions pass through (and the builder checks them at run time).
pub(crate) fn number(
    key: &str,
    expr: &Expr,
    check: fn(f64) -> Result<f64, ParamError>,
) -> syn::Result<TokenStream> {
    let value = match literal(expr) {
        None => return Ok(quote_spanned!(expr.span()=> #expr)),
        Some(Literal::Negative(negative)) => {
            // A negative literal is checked as the number it is.
            let Expr::Unary(ExprUnary { expr: inner, .. }) = negative else {
                unreachable!("`literal` returns negations as unary expressions")
            };
            match literal(inner) {
                Some(Literal::Plain(lit)) => -plain_number(key, lit)?,
                _ => unreachable!("a negated literal"),
            }
        }
        Some(Literal::Plain(lit)) => plain_number(key, lit)?,
    };
    match check(value) {
        Ok(value) => Ok(quote_spanned!(expr.span()=> #value)),
        Err(e) => Err(syn::Error::new_spanned(expr, e.to_string())),
    }
}

fn plain_number(key: &str, lit: &Lit) -> syn::Result<f64> {
    match lit {
        Lit::Int(i) => i.base10_parse::<f64>(),
        Lit::Float(f) => f.base10_parse::<f64>(),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{key}` must be a number"),
        )),
    }
}

/// `max_tries`: a literal is checked by the library's rule (a whole number from 1 to
/// `u32::MAX`); an expression (an integer or a closure) passes through.
pub(crate) fn max_tries(expr: &Expr) -> syn::Result<TokenStream> {
    let given = match literal(expr) {
        None => return Ok(quote_spanned!(expr.span()=> #expr)),
        Some(Literal::Negative(negative)) => match literal_int(negative) {
            Some(n) => n.checked_neg().unwrap_or(i128::MIN),
            None => return Err(not_a_whole_number(negative)),
        },
        Some(Literal::Plain(Lit::Int(i))) => i.base10_parse::<i128>().unwrap_or(i128::MAX),
        Some(Literal::Plain(other)) => return Err(not_a_whole_number(other)),
    };
    match persevere_wait::params::max_tries(given) {
        Ok(n) => {
            let n = n.get();
            Ok(quote_spanned!(expr.span()=> #n))
        }
        Err(e) => {
            let hint = if given == 0 {
                "; 0 would never call the function"
            } else {
                ""
            };
            Err(syn::Error::new_spanned(expr, format!("{e}{hint}")))
        }
    }
}

fn not_a_whole_number(at: impl quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(
        at,
        "`max_tries` must be a whole number >= 1 (it counts every attempt, the first included)",
    )
}

/// The integer of a negated integer literal (`-3` gives 3).
fn literal_int(negative: &Expr) -> Option<i128> {
    let Expr::Unary(ExprUnary { expr: inner, .. }) = negative else {
        return None;
    };
    match literal(inner) {
        Some(Literal::Plain(Lit::Int(i))) => Some(i.base10_parse::<i128>().unwrap_or(i128::MAX)),
        _ => None,
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

fn duration_tokens(d: Duration, span: Span) -> TokenStream {
    let (secs, sub) = (d.as_secs(), d.subsec_nanos());
    quote_spanned!(span=> ::core::time::Duration::new(#secs, #sub))
}

/// The tokens of a default duration from the library's catalogue.
pub(crate) fn default_duration(d: Duration) -> TokenStream {
    duration_tokens(d, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(e: &str) -> String {
        duration("d", &syn::parse_str(e).unwrap())
            .map(|t| t.to_string())
            .unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn strings_and_numbers_become_exact_durations() {
        assert_eq!(
            tokens("\"250ms\""),
            ":: core :: time :: Duration :: new (0u64 , 250000000u32)"
        );
        assert_eq!(
            tokens("\"1m30s\""),
            ":: core :: time :: Duration :: new (90u64 , 0u32)"
        );
        assert_eq!(
            tokens("0.1"),
            ":: core :: time :: Duration :: new (0u64 , 100000000u32)"
        );
        assert_eq!(
            tokens("1e-3"),
            ":: core :: time :: Duration :: new (0u64 , 1000000u32)"
        );
    }

    #[test]
    fn malformed_strings_are_rejected_with_the_reason() {
        for (bad, why) in [
            ("\"\"", "empty"),
            ("\"5 6\"", "needs a unit"),
            ("\"5 parsecs\"", "unknown unit"),
            ("\"1h1h\"", "appears twice"),
            ("\"99999999999999999999999s\"", "too long"),
        ] {
            let msg = tokens(bad);
            assert!(msg.contains(why), "{bad}: {msg}");
        }
    }
}
