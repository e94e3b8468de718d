//! Phase 3, expansion: the function keeps its signature; its body becomes the library's
//! code-block form, one loop per attribute, the attribute nearest the function innermost:
//!
//! ```text
//! let __persevere_policy_0 = &(POLICY);          // built at each call
//! let mut __persevere_retrying_0 = __persevere_policy_0.begin_as("name");
//! // blocking only: a boxed policy with an attempt timeout refuses (no attempt)
//! if let Some(done) = __private::refuse_blocking(&__persevere_retrying_0) { done } else {
//!     loop {
//!         let (__persevere_outcome_0, __persevere_cut): (Ret, bool) = ((|| -> Ret { BODY })(), false);
//!         // async: __private::attempt(&__persevere_retrying_0, async { BODY }).await (cut at the timeout)
//!         match __private::settle(&mut __persevere_retrying_0, __persevere_outcome_0) {
//!             // async: __private::settle_async(&mut .., outcome, cut).await
//!             ControlFlow::Break(outcome) => break outcome,  // done
//!             ControlFlow::Continue(()) => {}                // slept; the next attempt is marked
//!         }
//!     }
//! }
//! ```
//!
//! The body runs in a closure (an async block for `async fn`) so that its `return` and `?`
//! end the attempt, not the call. The async form holds no boxed or `AsyncFnMut` future, so the
//! function's future is `Send` whenever the body's is.

use crate::signature::{self, ReturnType};
use crate::stack::{self, AttrKind, LayerArgs};
use crate::validate::{self, Kind, PolicySpec};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ItemFn;

/// A checked layer: what builds its policy.
enum Layer {
    Built(PolicySpec),
    Expr(syn::Expr),
}

/// Expands the outermost attribute `kind(args)` on `item`, with any persevere attributes
/// below it. On an error, the function is still emitted (without the persevere attributes)
/// beside the errors, so that the rest of the crate and the IDE keep working.
pub(crate) fn expand(kind: AttrKind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => return not_a_function(kind, item),
    };
    let mut raw = vec![(kind, Ok(args))];
    raw.extend(stack::take_inner(&mut function));
    match layers(&raw, &function) {
        Ok((layers, ret)) => with_body(&function, &layers, &ret),
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #function)
        }
    }
}

/// Parses and checks every layer, collecting every error.
fn layers(
    raw: &[(AttrKind, syn::Result<TokenStream>)],
    function: &ItemFn,
) -> syn::Result<(Vec<Layer>, ReturnType)> {
    let needs_result = raw
        .iter()
        .any(|(kind, _)| *kind == AttrKind::Decorator(Kind::OnError));
    let mut errors: Vec<syn::Error> = Vec::new();
    let ret = signature::check(function, raw[0].0.attribute(), needs_result)
        .map_err(|e| errors.push(e))
        .ok();
    let mut layers = Vec::new();
    for (kind, args) in raw {
        let layer = match args.clone().and_then(|args| stack::parse_args(*kind, args)) {
            Err(e) => Err(e),
            Ok(LayerArgs::Retry(args)) => Ok(Layer::Expr(args.policy)),
            Ok(LayerArgs::Decorator(kind, args)) => match &ret {
                Some(ret) => validate::validate(kind, &args, ret).map(Layer::Built),
                // Without a usable return type the keys cannot be expanded; the signature's
                // error says why.
                None => continue,
            },
        };
        match layer {
            Ok(layer) => layers.push(layer),
            Err(e) => errors.push(e),
        }
    }
    validate::all(errors)?;
    Ok((layers, ret.expect("a signature error is among `errors`")))
}

fn with_body(function: &ItemFn, layers: &[Layer], ret: &ReturnType) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let is_async = sig.asyncness.is_some();
    let name = sig.ident.to_string();
    let mut body = block.to_token_stream();
    for (depth, layer) in layers.iter().enumerate().rev() {
        body = layer_loop(depth, layer, body, is_async, &name, ret);
    }
    quote!(#(#attrs)* #vis #sig #body)
}

/// One attribute's loop around `inner` (the function's block, or the next layer's loop).
fn layer_loop(
    depth: usize,
    layer: &Layer,
    inner: TokenStream,
    is_async: bool,
    name: &str,
    ret: &ReturnType,
) -> TokenStream {
    let policy = format_ident!("__persevere_policy_{}", depth);
    let retrying = format_ident!("__persevere_retrying_{}", depth);
    let outcome = format_ident!("__persevere_outcome_{}", depth);
    let ret_ty = &ret.ty;
    let build = match layer {
        Layer::Expr(expr) => quote!(#expr),
        Layer::Built(spec) => build_policy(spec, ret),
    };
    // `on_error` sees the return type through `ResultParts`, so that an aliased `Result` is
    // the policy's `Result<T, E>` (and anything else is one error at the return type).
    let done = quote!(__persevere_done);
    let (checked, returned) = match layer {
        Layer::Built(PolicySpec {
            kind: Kind::OnError,
            ..
        }) => {
            let parts = ret.result_parts();
            (
                quote_spanned!(ret.span()=> #parts::into_result(#outcome)),
                quote_spanned!(ret.span()=> #parts::from_result(#done)),
            )
        }
        _ => (quote!(#outcome), done.clone()),
    };
    let private = quote!(::persevere::__private);
    let (attempt, settle, refuse) = if is_async {
        (
            // Through the policy's attempt timeout, if it has one.
            quote!(#private::attempt(&#retrying, async #inner).await),
            quote!(#private::settle_async(&mut #retrying, #checked, __persevere_cut).await),
            quote!(),
        )
    } else {
        (
            quote!(((|| -> #ret_ty #inner)(), false)),
            quote!(#private::settle(&mut #retrying, #checked)),
            // A blocking call cannot cut an attempt: a boxed policy with a timeout refuses.
            quote!(
                if let ::core::option::Option::Some(__persevere_refused) =
                    #private::refuse_blocking(&#retrying)
                {
                    __persevere_refused
                } else
            ),
        )
    };
    quote!({
        let #policy = &(#build);
        let mut #retrying = #policy.begin_as(#name);
        let #done = #refuse {
            loop {
                #[allow(clippy::redundant_closure_call)]
                // The attempt's outcome, and whether it was cut at the policy's attempt timeout.
                let (#outcome, __persevere_cut): (#ret_ty, bool) = #attempt;
                let _ = __persevere_cut;
                // The core decides; on a retry the wait is slept and the next attempt marked.
                match #settle {
                    #private::ControlFlow::Break(__persevere_outcome) => break __persevere_outcome,
                    #private::ControlFlow::Continue(()) => {}
                }
            }
        };
        #returned
    })
}

/// `::persevere::on_error(WAIT).value_type::<T>().error_type::<E>().no_budget() .key(..) ...`,
/// with `T` and `E` taken from the return type so that closures among the keys need no
/// annotations. `no_budget`: the attributes keep Python backoff's semantics, without the
/// process-wide default budget an application may set.
fn build_policy(spec: &PolicySpec, ret: &ReturnType) -> TokenStream {
    let PolicySpec { kind, wait, calls } = spec;
    match kind {
        Kind::OnError => {
            let (ok, err) = (ret.value_type_of_result(), ret.error_type());
            // Spanned at the return type, like `result_parts`, so that a non-`Result` is one
            // error there.
            let policy = quote_spanned!(ret.span()=>
                ::persevere::on_error(#wait).value_type::<#ok>().error_type::<#err>().no_budget());
            quote!(#policy #(#calls)*)
        }
        Kind::OnPredicate => {
            let value = ret.value_type();
            quote!(::persevere::on_predicate(#wait).value_type::<#value>().no_budget() #(#calls)*)
        }
    }
}

/// The error for an attribute on something that is not a function with a body, and the item
/// as it was.
fn not_a_function(kind: AttrKind, item: TokenStream) -> TokenStream {
    let attribute = kind.attribute();
    let error = match syn::parse2::<syn::TraitItemFn>(item.clone()) {
        Ok(declaration) if declaration.default.is_none() => syn::Error::new_spanned(
            &declaration.sig,
            format!(
                "{attribute} needs a function with a body; put it on the trait's impls, or give the method a default body"
            ),
        ),
        _ => syn::Error::new(
            item.clone()
                .into_iter()
                .next()
                .map_or_else(Span::call_site, |t| t.span()),
            format!("{attribute} goes on a function (`fn` or `async fn`)"),
        ),
    };
    let error = error.to_compile_error();
    quote!(#error #item)
}
