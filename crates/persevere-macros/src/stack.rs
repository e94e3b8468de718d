//! Stacked attributes. The compiler expands the outermost attribute first and hands it the
//! function with the attributes below still on it; that outermost one takes the persevere
//! attributes below it off the function and expands them all, nearest the function innermost,
//! so that the outer policy retries the whole inner retrying call, as Python's stacked
//! decorators do.

use crate::args::{DecoratorArgs, RetryArgs};
use crate::validate::Kind;
use proc_macro2::TokenStream;
use syn::{Attribute, ItemFn, Meta};

/// Which attribute a layer comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrKind {
    Decorator(Kind),
    Retry,
}

impl AttrKind {
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            AttrKind::Decorator(kind) => kind.attribute(),
            AttrKind::Retry => "#[retry]",
        }
    }
}

/// One attribute's arguments, parsed.
pub(crate) enum LayerArgs {
    Decorator(Kind, DecoratorArgs),
    Retry(RetryArgs),
}

/// Parses the arguments of one attribute.
pub(crate) fn parse_args(kind: AttrKind, args: TokenStream) -> syn::Result<LayerArgs> {
    Ok(match kind {
        AttrKind::Decorator(kind) => LayerArgs::Decorator(kind, syn::parse2(args)?),
        AttrKind::Retry => LayerArgs::Retry(syn::parse2(args)?),
    })
}

/// Removes the persevere attributes from `item` and returns them in order, outermost first.
/// An attribute written as `#[on_error]`, `#[persevere::on_error]` or
/// `#[::persevere::on_error]` (and the same for `on_predicate` and `retry`) is recognised.
pub(crate) fn take_inner(item: &mut ItemFn) -> Vec<(AttrKind, syn::Result<TokenStream>)> {
    let mut layers = Vec::new();
    item.attrs.retain(|attr| match attribute_kind(attr) {
        Some(kind) => {
            layers.push((kind, arguments(attr)));
            false
        }
        None => true,
    });
    layers
}

fn attribute_kind(attr: &Attribute) -> Option<AttrKind> {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let name = match segments.as_slice() {
        [name] => name,
        [krate, name] if krate == "persevere" => name,
        _ => return None,
    };
    match name.as_str() {
        "on_error" => Some(AttrKind::Decorator(Kind::OnError)),
        "on_predicate" => Some(AttrKind::Decorator(Kind::OnPredicate)),
        "retry" => Some(AttrKind::Retry),
        _ => None,
    }
}

fn arguments(attr: &Attribute) -> syn::Result<TokenStream> {
    match &attr.meta {
        Meta::List(list) => Ok(list.tokens.clone()),
        Meta::Path(_) => Ok(TokenStream::new()),
        Meta::NameValue(nv) => Err(syn::Error::new_spanned(
            nv.eq_token,
            "expected arguments in parentheses, such as `#[on_error(expo, max_tries = 3)]`",
        )),
    }
}
