//! Phase 1, syntax: the tokens of one attribute's arguments, parsed into a tree with every
//! token's span kept. Nothing here decides what is allowed; `validate` does.
//!
//! ```text
//! on_error(WAIT, key = value, ...)      WAIT = name | name(param = value, ...) | name(expr)
//! retry(POLICY_EXPR)
//! ```

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token, Type, token};

/// The arguments of `#[on_error(...)]` or `#[on_predicate(...)]`.
pub(crate) struct DecoratorArgs {
    pub(crate) wait: WaitCall,
    pub(crate) keys: Vec<KeyArg>,
}

/// A wait strategy as written: `expo`, `expo(base = 3)`, `intervals([1, 2])`.
#[derive(Clone)]
pub(crate) struct WaitCall {
    pub(crate) name: Ident,
    pub(crate) params: Option<(token::Paren, Vec<WaitParam>)>,
}

/// One parameter of a wait strategy.
#[derive(Clone)]
pub(crate) enum WaitParam {
    /// `factor = 0.5`
    Named(Ident, Expr),
    /// `[1, 2, 3]` (for `intervals`)
    Positional(Expr),
}

/// One `key = value` argument after the strategy.
pub(crate) struct KeyArg {
    pub(crate) key: Ident,
    pub(crate) value: KeyValue,
}

/// The value of a key: an expression, except for `on`, whose value is a type.
pub(crate) enum KeyValue {
    Expr(Expr),
    Type(Type),
}

impl Parse for DecoratorArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "expected a wait strategy first: expo, fibo, constant, intervals, linear, decay, \
                 decorrelated or runtime",
            ));
        }
        if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let key: Ident = input.fork().parse()?;
            return Err(syn::Error::new(
                key.span(),
                format!(
                    "expected a wait strategy before `{key}`: expo, fibo, constant, intervals, \
                     linear, decay, decorrelated or runtime"
                ),
            ));
        }
        let wait: WaitCall = input.parse()?;
        let mut keys = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            keys.push(input.parse()?);
        }
        Ok(DecoratorArgs { wait, keys })
    }
}

impl Parse for WaitCall {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a wait strategy: expo, fibo, constant, intervals, linear, decay, \
                 decorrelated or runtime",
            )
        })?;
        if !input.peek(token::Paren) {
            return Ok(WaitCall { name, params: None });
        }
        let content;
        let paren = syn::parenthesized!(content in input);
        let params = Punctuated::<WaitParam, Token![,]>::parse_terminated(&content)?;
        Ok(WaitCall {
            name,
            params: Some((paren, params.into_iter().collect())),
        })
    }
}

impl Parse for WaitParam {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Ident) && input.peek2(Token![=]) && !input.peek2(Token![==]) {
            let name: Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            return Ok(WaitParam::Named(name, input.parse()?));
        }
        Ok(WaitParam::Positional(input.parse()?))
    }
}

impl Parse for KeyArg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), "expected `key = value`"))?;
        input.parse::<Token![=]>()?;
        let value = if key == "on" {
            KeyValue::Type(input.parse()?)
        } else {
            KeyValue::Expr(input.parse()?)
        };
        Ok(KeyArg { key, value })
    }
}

/// The argument of `#[retry(POLICY_EXPR)]`.
pub(crate) struct RetryArgs {
    pub(crate) policy: Expr,
}

impl Parse for RetryArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "expected a policy expression, such as `#[retry(my_policy())]`",
            ));
        }
        let policy: Expr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
            if !input.is_empty() {
                return Err(input.error(
                    "`#[retry]` takes one policy expression; set everything else on the policy",
                ));
            }
        }
        Ok(RetryArgs { policy })
    }
}
