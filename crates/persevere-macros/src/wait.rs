//! Phase 2b: the wait strategy, checked against the keyword names of Python's
//! `backoff.expo(base, factor, max_value)` and its siblings, and turned into a builder
//! expression of the library (`::persevere::expo().factor(..)`).

use crate::args::{WaitCall, WaitParam};
use crate::values;
use persevere_wait::catalogue::{self, ParamKind, ParamSpec, StrategySpec};
use persevere_wait::params::ParamError;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

/// Whether `key` is a parameter of the strategy named `strategy`. Python passes the
/// strategy's parameters beside the decorator's own (`on_exception(expo, ValueError,
/// max_value=10)`), so a key after the strategy may be one of them. A list (`intervals`) is
/// positional, never a key.
pub(crate) fn takes(strategy: &Ident, key: &Ident) -> bool {
    catalogue::find(&strategy.to_string())
        .and_then(|s| s.param(&key.to_string()))
        .is_some_and(|p| !matches!(p.kind, ParamKind::Durations))
}

/// Whether `key` is a parameter of any strategy (for the message about a misplaced one).
pub(crate) fn is_a_parameter(key: &Ident) -> bool {
    catalogue::STRATEGIES
        .iter()
        .any(|s| s.params.iter().any(|p| key == p.name))
}

/// The parameters of the strategy named `strategy`, for messages.
pub(crate) fn parameters_of(strategy: &Ident) -> String {
    match catalogue::find(&strategy.to_string()) {
        Some(found) => allowed(found),
        None => "no parameters".to_owned(),
    }
}

fn keyword_params(strategy: &StrategySpec) -> impl Iterator<Item = &'static ParamSpec> {
    strategy
        .params
        .iter()
        .filter(|p| !matches!(p.kind, ParamKind::Durations))
}

fn allowed(strategy: &StrategySpec) -> String {
    let names: Vec<String> = keyword_params(strategy)
        .map(|p| format!("`{}`", p.name))
        .collect();
    match names.as_slice() {
        [] => "no parameters".to_owned(),
        _ => names.join(", "),
    }
}

/// "expo, fibo, ... or runtime", from the catalogue.
fn names() -> String {
    let all: Vec<&str> = catalogue::STRATEGIES.iter().map(|s| s.name).collect();
    match all.split_last() {
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The library's default for a duration parameter, as tokens.
fn default_duration(strategy: &StrategySpec, param: &str) -> TokenStream {
    match strategy.param(param).map(|p| p.kind) {
        Some(ParamKind::Duration(Some(d))) => values::default_duration(d),
        _ => unreachable!(
            "the catalogue gives `{}` a default `{param}`",
            strategy.name
        ),
    }
}

/// The library's check of a number parameter.
fn number_check(strategy: &StrategySpec, param: &str) -> fn(f64) -> Result<f64, ParamError> {
    match strategy.param(param).map(|p| p.kind) {
        Some(ParamKind::Number(check, _)) => check,
        _ => unreachable!(
            "the catalogue makes `{}`'s `{param}` a number",
            strategy.name
        ),
    }
}

/// The strategy's builder expression. `subject` is the type a `runtime` closure reads: the
/// error for `on_error`, the value for `on_predicate`.
pub(crate) fn expand(call: &WaitCall, subject: &TokenStream) -> syn::Result<TokenStream> {
    let name = call.name.to_string();
    let Some(strategy) = catalogue::find(&name) else {
        return Err(syn::Error::new(
            call.name.span(),
            format!("unknown wait strategy `{name}`; expected {}", names()),
        ));
    };
    let params = call
        .params
        .as_ref()
        .map(|(_, p)| p.as_slice())
        .unwrap_or_default();
    if strategy.name == "intervals" {
        return intervals(call, params);
    }
    let runtime_value;
    let named = match params {
        // `runtime(|e| ..)` reads as well as `runtime(value = |e| ..)`.
        [WaitParam::Positional(value)] if strategy.name == "runtime" => {
            runtime_value = value;
            vec![("value".to_owned(), runtime_value)]
        }
        _ => named_params(strategy, params)?,
    };
    let required: Vec<&str> = keyword_params(strategy)
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    for required_name in &required {
        if !named.iter().any(|(key, _)| key == required_name) {
            let wanted = required
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            let example = required
                .iter()
                .map(|r| format!("{r} = .."))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(syn::Error::new(
                call.name.span(),
                format!("`{name}` needs {wanted}: `{name}({example})`"),
            ));
        }
    }
    let get = |key: &str| named.iter().find(|(k, _)| k == key).map(|(_, e)| *e);
    let dur = |key: &str| get(key).map(|e| values::duration(key, e)).transpose();
    let setter = |key: &str, method: &str| -> syn::Result<TokenStream> {
        let method = Ident::new(method, call.name.span());
        Ok(match dur(key)? {
            Some(value) => quote!(.#method(#value)),
            None => quote!(),
        })
    };
    let span = call.name.span();
    Ok(match strategy.name {
        "expo" => {
            let base = match get("base") {
                Some(e) => {
                    let v = values::number("base", e, number_check(strategy, "base"))?;
                    quote!(.base(#v))
                }
                None => quote!(),
            };
            let (factor, max) = (
                setter("factor", "factor")?,
                setter("max_value", "max_value")?,
            );
            quote_spanned!(span=> ::persevere::expo() #base #factor #max)
        }
        "fibo" => {
            let (factor, max) = (
                setter("factor", "factor")?,
                setter("max_value", "max_value")?,
            );
            quote_spanned!(span=> ::persevere::fibo() #factor #max)
        }
        "constant" => match get("interval") {
            // Python's `constant(interval=[1, 2, 3])`: a list of waits is `intervals`.
            Some(list @ Expr::Array(_)) => intervals(
                call,
                std::slice::from_ref(&WaitParam::Positional(list.clone())),
            )?,
            _ => {
                let interval = match dur("interval")? {
                    Some(interval) => interval,
                    None => default_duration(strategy, "interval"),
                };
                quote_spanned!(span=> ::persevere::constant(#interval))
            }
        },
        "linear" => {
            let (start, step) = (dur("start")?, dur("step")?);
            let max = setter("max_value", "max_value")?;
            quote_spanned!(span=> ::persevere::linear(#start, #step) #max)
        }
        "decay" => {
            let initial = match dur("initial_value")? {
                Some(initial) => initial,
                None => default_duration(strategy, "initial_value"),
            };
            let rate = match get("decay_factor") {
                Some(e) => {
                    values::number("decay_factor", e, number_check(strategy, "decay_factor"))?
                }
                None => match strategy.param("decay_factor").map(|p| p.kind) {
                    Some(ParamKind::Number(_, Some(rate))) => quote!(#rate),
                    _ => unreachable!("the catalogue gives `decay` a default `decay_factor`"),
                },
            };
            let min = setter("min_value", "min_value")?;
            quote_spanned!(span=> ::persevere::decay(#initial, #rate) #min)
        }
        "decorrelated" => {
            let (base, cap) = (dur("base")?, dur("cap")?);
            quote_spanned!(span=> ::persevere::decorrelated(#base, #cap))
        }
        "runtime" => {
            let value = get("value").expect("checked as required");
            let value = quote_spanned!(value.span()=>
                ::persevere::__private::subject_fn::<#subject, _, _>(#value));
            quote_spanned!(span=> ::persevere::runtime(#value))
        }
        other => unreachable!("the catalogue's strategy `{other}` has no expansion"),
    })
}

/// The named parameters, each allowed for the strategy and given once.
fn named_params<'a>(
    strategy: &StrategySpec,
    params: &'a [WaitParam],
) -> syn::Result<Vec<(String, &'a Expr)>> {
    let allowed = || allowed(strategy);
    let mut named: Vec<(String, &Expr)> = Vec::new();
    for param in params {
        match param {
            WaitParam::Named(key, value) => {
                let k = key.to_string();
                if !keyword_params(strategy).any(|p| p.name == k) {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "`{}` has no parameter `{k}`; it takes {}",
                            strategy.name,
                            allowed()
                        ),
                    ));
                }
                if named.iter().any(|(seen, _)| *seen == k) {
                    return Err(syn::Error::new(key.span(), format!("`{k}` is given twice")));
                }
                named.push((k, value));
            }
            WaitParam::Positional(expr) => {
                return Err(syn::Error::new(
                    expr.span(),
                    format!(
                        "`{}` takes named parameters ({}), as in Python: `{}({} = ..)`",
                        strategy.name,
                        allowed(),
                        strategy.name,
                        keyword_params(strategy).next().map_or("..", |p| p.name)
                    ),
                ));
            }
        }
    }
    Ok(named)
}

/// `intervals([1, "500ms", 2])`: a list of waits, each a duration; or an expression giving an
/// iterable of `Duration`s.
fn intervals(call: &WaitCall, params: &[WaitParam]) -> syn::Result<TokenStream> {
    let span = call.name.span();
    let [WaitParam::Positional(list)] = params else {
        let at = match params.first() {
            Some(WaitParam::Named(key, _)) => key.span(),
            _ => call
                .params
                .as_ref()
                .map_or(span, |(paren, _)| paren.span.join()),
        };
        return Err(syn::Error::new(
            at,
            "`intervals` takes one list of waits: `intervals([1, \"500ms\", 2])`",
        ));
    };
    let list = match list {
        Expr::Array(array) => {
            let waits = array
                .elems
                .iter()
                .map(|e| values::duration("intervals", e))
                .collect::<syn::Result<Vec<_>>>()?;
            quote_spanned!(array.span()=> [#(#waits),*])
        }
        other => quote_spanned!(other.span()=> #other),
    };
    Ok(quote_spanned!(span=> ::persevere::intervals(#list)))
}
