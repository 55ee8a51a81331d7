//! An async endpoint called on a client without its scope: the error appears once.
//!
//! Endpoints are plain methods that return a boxed future (not `async fn`): the scope bound is
//! then checked at the call only, not again on the returned future and at `.await`.
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use wfm_scopes::genesys::{GenesysCloud, Scim, ScimReadonly};
use wfm_scopes::{Grants, ScopeSet};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<fn() -> S>);

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    fn create_user<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<String, ()>>
    where
        S: Grants<Scim>,
    {
        Box::pin(async move { Ok(name.to_owned()) })
    }
}

async fn provision(client: &Client<ScimReadonly>) -> Result<String, ()> {
    client.create_user("ada").await
}

fn main() {
    let _ = provision;
}
