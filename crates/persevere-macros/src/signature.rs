//! Phase 2d, the function: what the attributes need from its signature (is it async, what
//! does it return) and the signatures they refuse.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, Type};

/// The function's return type, as the expansion uses it.
pub(crate) struct ReturnType {
    /// The type as written (`()` when there is none).
    pub(crate) ty: TokenStream,
    span: proc_macro2::Span,
}

impl ReturnType {
    /// Where the return type is written.
    pub(crate) fn span(&self) -> proc_macro2::Span {
        self.span
    }

    /// `<Ret as ResultParts>`, whose `into_result` and `from_result` convert an aliased
    /// `Result` to and from the policy's outcome type. Spanned at the return type, so that a
    /// non-`Result` is reported there once.
    pub(crate) fn result_parts(&self) -> TokenStream {
        let ty = &self.ty;
        quote_spanned!(self.span=> <#ty as ::persevere::__private::ResultParts>)
    }

    /// `T` of `Result<T, E>`, also through aliases such as `io::Result<T>`.
    pub(crate) fn value_type_of_result(&self) -> TokenStream {
        let ty = &self.ty;
        quote_spanned!(self.span=> <#ty as ::persevere::__private::ResultParts>::Ok)
    }

    /// `E` of `Result<T, E>`, also through aliases such as `anyhow::Result<T>`.
    pub(crate) fn error_type(&self) -> TokenStream {
        let ty = &self.ty;
        quote_spanned!(self.span=> <#ty as ::persevere::__private::ResultParts>::Err)
    }

    /// The whole return type: what `on_predicate` tests.
    pub(crate) fn value_type(&self) -> TokenStream {
        self.ty.clone()
    }
}

/// Types that are never a `Result`, so that the usual mistake gets a message at the
/// attribute's level instead of a trait error.
const NOT_RESULTS: &[&str] = &[
    "Option", "bool", "String", "Vec", "str", "char", "u8", "u16", "u32", "u64", "u128", "usize",
    "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "Box",
];

/// Checks the function for an attribute (`attribute` names it in messages) and returns its
/// return type. `needs_result` is set for `#[on_error]`.
pub(crate) fn check(item: &ItemFn, attribute: &str, needs_result: bool) -> syn::Result<ReturnType> {
    let sig = &item.sig;
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            format!(
                "{attribute} cannot be used on a `const fn`: retrying sleeps between attempts, which a const fn cannot do"
            ),
        ));
    }
    let ty = match &sig.output {
        syn::ReturnType::Default => {
            let message = match needs_result {
                true => format!(
                    "{attribute} needs a function that returns a `Result`; this one returns `()`"
                ),
                _ => format!(
                    "{attribute} needs a function that returns a value to test; this one returns `()`"
                ),
            };
            return Err(syn::Error::new(sig.ident.span(), message));
        }
        syn::ReturnType::Type(_, ty) => ty,
    };
    if let Some(impl_token) = find_impl(quote!(#ty)) {
        return Err(syn::Error::new(
            impl_token.span(),
            format!(
                "{attribute} cannot retry a function whose return type contains `impl Trait`: each attempt's outcome is stored in a variable of the return type; name the type, or box it"
            ),
        ));
    }
    if needs_result && !may_be_result(ty) {
        return Err(syn::Error::new(
            ty.span(),
            format!(
                "{attribute} needs a function that returns a `Result`; use #[on_predicate] to retry on returned values"
            ),
        ));
    }
    Ok(ReturnType {
        ty: quote!(#ty),
        span: ty.span(),
    })
}

/// Whether `ty` can be a `Result`: a path not known to be something else (an alias such as
/// `io::Result<T>` or `Res` is checked by the compiler through `ResultParts`).
fn may_be_result(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| !NOT_RESULTS.contains(&last.ident.to_string().as_str())),
        Type::Group(group) => may_be_result(&group.elem),
        Type::Paren(paren) => may_be_result(&paren.elem),
        _ => false,
    }
}

/// `tokens` with every span set to `span`. A path made of tokens from two places (the
/// attribute and the return type) gets the span of neither in rustc's messages; respanned, its
/// errors point at one place.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

/// The first `impl` keyword in a type, if any: `impl Trait` cannot be written as the type of a
/// `let`, which the expansion needs.
fn find_impl(tokens: TokenStream) -> Option<proc_macro2::Ident> {
    tokens.into_iter().find_map(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) if ident == "impl" => Some(ident),
        proc_macro2::TokenTree::Group(group) => find_impl(group.stream()),
        _ => None,
    })
}
