//! Phase 2c, the keys: each `key = value` is checked (known, allowed for this attribute, given
//! once, a valid value) and turned into one builder call of the library, spanned at the
//! user's argument so that type errors point there too.

use crate::args::{DecoratorArgs, KeyArg, KeyValue, WaitParam};
use crate::signature::ReturnType;
use crate::{values, wait};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident, Type};

/// Which attribute: they differ in the keys they accept and the policy they build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    OnError,
    OnPredicate,
}

impl Kind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::OnError => "#[on_error]",
            Kind::OnPredicate => "#[on_predicate]",
        }
    }
}

const COMMON_KEYS: &[&str] = &[
    "max_tries",
    "max_time",
    "jitter",
    "on_backoff",
    "on_giveup",
    "on_success",
    "name",
    "log",
    "seed",
    "clock",
    "sleeper",
];
const ERROR_KEYS: &[&str] = &["when", "on", "giveup"];
const PREDICATE_KEYS: &[&str] = &["predicate"];

/// The order in which builder calls are emitted, whatever the order of the keys.
const ORDER: &[&str] = &[
    "on",
    "when",
    "giveup",
    "predicate",
    "max_tries",
    "max_time",
    "jitter",
    "on_backoff",
    "on_giveup",
    "on_success",
    "name",
    "seed",
    "log",
    "clock",
    "sleeper",
];

/// A checked policy: the strategy expression and the builder calls that follow it.
pub(crate) struct PolicySpec {
    pub(crate) kind: Kind,
    pub(crate) wait: TokenStream,
    pub(crate) calls: Vec<TokenStream>,
}

/// Checks one attribute's arguments. Every error is collected, so that the user sees all of
/// them at once.
pub(crate) fn validate(
    kind: Kind,
    args: &DecoratorArgs,
    ret: &ReturnType,
) -> syn::Result<PolicySpec> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let subject = match kind {
        Kind::OnError => ret.error_type(),
        Kind::OnPredicate => ret.value_type(),
    };
    // Python style: the strategy's own parameters may follow it as keys
    // (`expo, max_value = 10` is `expo(max_value = 10)`).
    let mut call = args.wait.clone();
    let mut keys = Vec::new();
    for arg in &args.keys {
        match &arg.value {
            KeyValue::Expr(value) if wait::takes(&call.name, &arg.key) => {
                let params = call.params.get_or_insert_with(Default::default);
                params
                    .1
                    .push(WaitParam::Named(arg.key.clone(), value.clone()));
            }
            _ => keys.push(arg),
        }
    }
    let wait = wait::expand(&call, &subject).unwrap_or_else(|e| {
        errors.push(e);
        TokenStream::new()
    });
    let mut seen: Vec<&KeyArg> = Vec::new();
    for arg in keys {
        match check_key(kind, &call.name, arg, &seen) {
            Ok(()) => seen.push(arg),
            Err(e) => errors.push(e),
        }
    }
    // Checked in the user's order (so are the errors), emitted in the builder's.
    let mut calls = Vec::new();
    for arg in seen {
        match builder_call(arg, &subject) {
            Ok(call) => calls.push((ORDER.iter().position(|k| arg.key == k), call)),
            Err(e) => errors.push(e),
        }
    }
    all(errors)?;
    calls.sort_by_key(|(position, _)| *position);
    let calls = calls.into_iter().map(|(_, call)| call).collect();
    Ok(PolicySpec { kind, wait, calls })
}

/// `Ok` if there is no error, else every error in one (the compiler shows each at its span).
pub(crate) fn all(errors: Vec<syn::Error>) -> syn::Result<()> {
    match errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn check_key(kind: Kind, strategy: &Ident, arg: &KeyArg, seen: &[&KeyArg]) -> syn::Result<()> {
    let key = arg.key.to_string();
    let own = match kind {
        Kind::OnError => ERROR_KEYS,
        Kind::OnPredicate => PREDICATE_KEYS,
    };
    if !COMMON_KEYS.contains(&key.as_str()) && !own.contains(&key.as_str()) {
        let message = match (kind, key.as_str()) {
            (Kind::OnError, "predicate") => {
                "`predicate` belongs to #[on_predicate]; #[on_error] retries the errors chosen by `on`, `when` and `giveup`".to_owned()
            }
            (Kind::OnPredicate, "when" | "on" | "giveup") => format!(
                "`{key}` belongs to #[on_error]; #[on_predicate] retries the values for which `predicate` holds"
            ),
            _ if wait::is_a_parameter(&arg.key) => format!(
                "`{key}` is neither a key of {} nor a parameter of `{strategy}`, which takes {}",
                kind.attribute(),
                wait::parameters_of(strategy)
            ),
            _ => {
                let all: Vec<&str> = own.iter().chain(COMMON_KEYS).copied().collect();
                format!("unknown key `{key}` for {}; expected one of: {}", kind.attribute(), all.join(", "))
            }
        };
        return Err(syn::Error::new(arg.key.span(), message));
    }
    if seen.iter().any(|s| s.key == arg.key) {
        return Err(syn::Error::new(
            arg.key.span(),
            format!("`{key}` is given twice"),
        ));
    }
    Ok(())
}

fn builder_call(arg: &KeyArg, subject: &TokenStream) -> syn::Result<TokenStream> {
    let key = arg.key.to_string();
    let expr = match &arg.value {
        KeyValue::Type(ty) => return Ok(on_types(ty)),
        KeyValue::Expr(expr) => expr,
    };
    let span = expr.span();
    Ok(match key.as_str() {
        "max_tries" => {
            let n = values::max_tries(expr)?;
            quote_spanned!(span=> .max_tries(#n))
        }
        "max_time" => {
            let d = values::duration("max_time", expr)?;
            quote_spanned!(span=> .max_time(#d))
        }
        "jitter" => {
            let j = jitter(expr)?;
            quote_spanned!(span=> .jitter(#j))
        }
        "predicate" => {
            let subject = crate::signature::respan(subject.clone(), span);
            // The helper checks the closure's type at the user's argument; a value of the
            // wrong type is also reported where the policy judges values (the attribute).
            quote_spanned!(span=> .predicate(::persevere::__private::predicate::<#subject, _>(#expr)))
        }
        "when" | "giveup" | "name" | "seed" => {
            let method = Ident::new(&key, arg.key.span());
            quote_spanned!(span=> .#method(#expr))
        }
        "on_backoff" | "on_giveup" | "on_success" => {
            let method = Ident::new(&key, arg.key.span());
            match expr {
                Expr::Array(list) => {
                    let each = list
                        .elems
                        .iter()
                        .map(|h| quote_spanned!(h.span()=> .#method(#h)));
                    quote!(#(#each)*)
                }
                handler => quote_spanned!(span=> .#method(#handler)),
            }
        }
        "log" => log(expr)?,
        "clock" => quote_spanned!(span=> .clock({
            use ::persevere::__private::ToClock as _;
            (#expr).__persevere_to_clock()
        })),
        // A named sleeper (an argument, a field, a static) is cloned; a new one is moved in.
        "sleeper" => match expr {
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) | Expr::Unary(_) => {
                quote_spanned!(span=> .sleeper((#expr).clone()))
            }
            new => quote_spanned!(span=> .sleeper(#new)),
        },
        other => unreachable!("key `{other}` passed check_key"),
    })
}

/// `on = Type` or `on = (A, B)`: one `.on::<T>()` per type.
fn on_types(ty: &Type) -> TokenStream {
    let types: Vec<&Type> = match ty {
        Type::Tuple(tuple) => tuple.elems.iter().collect(),
        Type::Paren(inner) => vec![&inner.elem],
        one => vec![one],
    };
    let calls = types.iter().map(|t| quote_spanned!(t.span()=> .on::<#t>()));
    quote!(#(#calls)*)
}

/// `jitter = full | none | equal | random | proportional(f)`, Python's names (`full_jitter`,
/// `random_jitter`, `None`) included; another expression must give a `Jitter`.
fn jitter(expr: &Expr) -> syn::Result<TokenStream> {
    const ALLOWED: &str =
        "expected `full`, `equal`, `random`, `none` or `proportional(f)` with f in [0, 1]";
    let span = expr.span();
    match expr {
        Expr::Path(p) if p.path.get_ident().is_some() => {
            let variant = match p.path.get_ident().map(Ident::to_string).as_deref() {
                Some("full" | "full_jitter" | "Full") => quote_spanned!(span=> Full),
                Some("none" | "None") => quote_spanned!(span=> None),
                Some("equal" | "Equal") => quote_spanned!(span=> Equal),
                Some("random" | "random_jitter" | "Random") => quote_spanned!(span=> Random),
                _ => return Err(syn::Error::new(span, format!("unknown jitter; {ALLOWED}"))),
            };
            Ok(quote_spanned!(span=> ::persevere::Jitter::#variant))
        }
        Expr::Call(call)
            if matches!(&*call.func, Expr::Path(f)
                if f.path.is_ident("proportional") || f.path.is_ident("Proportional")) =>
        {
            let [factor] = call.args.iter().collect::<Vec<_>>()[..] else {
                return Err(syn::Error::new(
                    call.paren_token.span.join(),
                    "`proportional` takes one factor in [0, 1]",
                ));
            };
            let f = values::number(
                "proportional",
                factor,
                persevere_wait::params::proportional_jitter,
            )?;
            Ok(quote_spanned!(span=> ::persevere::Jitter::Proportional(#f)))
        }
        Expr::Lit(_) => Err(syn::Error::new(span, format!("unknown jitter; {ALLOWED}"))),
        other => Ok(quote_spanned!(span=> #other)),
    }
}

/// `log = true | false | (backoff_level, giveup_level)`.
fn log(expr: &Expr) -> syn::Result<TokenStream> {
    const ALLOWED: &str = "expected `log = false` or `log = None` (no log events), `log = true`, or levels for backing off and giving up: `log = (debug, warn)`";
    let span = expr.span();
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(b),
            ..
        }) if b.value => Ok(quote!()),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(_),
            ..
        }) => Ok(quote_spanned!(span=> .no_log())),
        // Python's `logger=None`.
        Expr::Path(p) if p.path.is_ident("None") => Ok(quote_spanned!(span=> .no_log())),
        Expr::Tuple(t) if t.elems.len() == 2 => {
            let levels = t.elems.iter().map(level).collect::<syn::Result<Vec<_>>>()?;
            let (backoff, giveup) = (&levels[0], &levels[1]);
            Ok(quote_spanned!(span=> .log_levels(#backoff, #giveup)))
        }
        _ => Err(syn::Error::new(span, ALLOWED)),
    }
}

fn level(expr: &Expr) -> syn::Result<TokenStream> {
    let name = match expr {
        Expr::Path(p) => p
            .path
            .get_ident()
            .map(|i| i.to_string().to_ascii_uppercase()),
        _ => None,
    };
    match name.as_deref() {
        Some(level @ ("TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR")) => {
            let level = Ident::new(level, expr.span());
            Ok(quote_spanned!(expr.span()=> ::persevere::Level::#level))
        }
        _ => Err(syn::Error::new(
            expr.span(),
            "expected a level: trace, debug, info, warn or error",
        )),
    }
}
