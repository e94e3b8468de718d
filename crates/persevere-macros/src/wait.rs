//! Phase 2b: the wait strategy, checked against the keyword names of Python's
//! `backoff.expo(base, factor, max_value)` and its siblings, and turned into a builder
//! expression of the library (`::persevere::expo().factor(..)`).

use crate::args::{WaitCall, WaitParam};
use crate::values;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Ident};

/// What each strategy accepts: its name and its parameters (`required` ones first).
struct Strategy {
    name: &'static str,
    params: &'static [&'static str],
    required: &'static [&'static str],
}

const STRATEGIES: &[Strategy] = &[
    Strategy {
        name: "expo",
        params: &["base", "factor", "max_value"],
        required: &[],
    },
    Strategy {
        name: "fibo",
        params: &["factor", "max_value"],
        required: &[],
    },
    Strategy {
        name: "constant",
        params: &["interval"],
        required: &[],
    },
    Strategy {
        name: "intervals",
        params: &[],
        required: &[],
    },
    Strategy {
        name: "linear",
        params: &["start", "step", "max_value"],
        required: &["start", "step"],
    },
    Strategy {
        name: "decay",
        params: &["initial_value", "decay_factor", "min_value"],
        required: &[],
    },
    Strategy {
        name: "decorrelated",
        params: &["base", "cap"],
        required: &["base", "cap"],
    },
    Strategy {
        name: "runtime",
        params: &["value"],
        required: &["value"],
    },
];

const NAMES: &str = "expo, fibo, constant, intervals, linear, decay, decorrelated or runtime";

/// Whether `key` is a parameter of the strategy named `strategy`. Python passes the
/// strategy's parameters beside the decorator's own (`on_exception(expo, ValueError,
/// max_value=10)`), so a key after the strategy may be one of them.
pub(crate) fn takes(strategy: &Ident, key: &Ident) -> bool {
    STRATEGIES
        .iter()
        .any(|s| strategy == s.name && s.params.iter().any(|p| key == p))
}

/// Whether `key` is a parameter of any strategy (for the message about a misplaced one).
pub(crate) fn is_a_parameter(key: &Ident) -> bool {
    STRATEGIES.iter().any(|s| s.params.iter().any(|p| key == p))
}

/// The parameters of the strategy named `strategy`, for messages.
pub(crate) fn parameters_of(strategy: &Ident) -> String {
    match STRATEGIES.iter().find(|s| strategy == s.name) {
        Some(found) => allowed(found),
        None => "no parameters".to_owned(),
    }
}

fn allowed(strategy: &Strategy) -> String {
    match strategy.params {
        [] => "no parameters".to_owned(),
        params => params
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The strategy's builder expression. `subject` is the type a `runtime` closure reads: the
/// error for `on_error`, the value for `on_predicate`.
pub(crate) fn expand(call: &WaitCall, subject: &TokenStream) -> syn::Result<TokenStream> {
    let name = call.name.to_string();
    let Some(strategy) = STRATEGIES.iter().find(|s| s.name == name) else {
        return Err(syn::Error::new(
            call.name.span(),
            format!("unknown wait strategy `{name}`; expected {NAMES}"),
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
    for required in strategy.required {
        if !named.iter().any(|(key, _)| key == required) {
            let wanted = strategy
                .required
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            let example = strategy
                .required
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
                    let v = values::number("base", e, 1.0, None)?;
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
                let interval = dur("interval")?.unwrap_or_else(|| values::seconds(1));
                quote_spanned!(span=> ::persevere::constant(#interval))
            }
        },
        "linear" => {
            let (start, step) = (dur("start")?, dur("step")?);
            let max = setter("max_value", "max_value")?;
            quote_spanned!(span=> ::persevere::linear(#start, #step) #max)
        }
        "decay" => {
            let initial = dur("initial_value")?.unwrap_or_else(|| values::seconds(1));
            let rate = match get("decay_factor") {
                Some(e) => values::number("decay_factor", e, 0.0, None)?,
                None => quote!(1.0),
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
        _ => unreachable!("every strategy in STRATEGIES is handled"),
    })
}

/// The named parameters, each allowed for the strategy and given once.
fn named_params<'a>(
    strategy: &Strategy,
    params: &'a [WaitParam],
) -> syn::Result<Vec<(String, &'a Expr)>> {
    let allowed = || allowed(strategy);
    let mut named: Vec<(String, &Expr)> = Vec::new();
    for param in params {
        match param {
            WaitParam::Named(key, value) => {
                let k = key.to_string();
                if !strategy.params.contains(&k.as_str()) {
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
                        strategy.params.first().unwrap_or(&"..")
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
