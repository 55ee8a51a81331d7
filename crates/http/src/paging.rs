//! Paging: one adapter from "fetch the page at this cursor" to a [`Stream`] of items that holds
//! at most one page in memory, whatever the platform's paging style.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use crate::Error;

/// One page of items and the cursor of the next page, if any.
///
/// The cursor type is the platform's: a SCIM `startIndex` (`u64`), a Genesys `pageNumber`, a
/// Graph `@odata.nextLink` ([`url::Url`]) or an opaque cursor (`String`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C> {
    items: Vec<T>,
    next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// A page with its successor's cursor.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self { items, next }
    }

    /// The items of this page.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// Where the next page starts, or `None` on the last page.
    pub fn next(&self) -> Option<&C> {
        self.next.as_ref()
    }

    /// The items and the next cursor.
    pub fn into_parts(self) -> (Vec<T>, Option<C>) {
        (self.items, self.next)
    }
}

impl<T> Page<T, u64> {
    /// A page of a 1-based `startIndex` / `count` list (SCIM, RFC 7644 §3.4.2.4): the next page
    /// starts after the items received, unless they reach `total` or the page is empty.
    ///
    /// ```
    /// use wfm_http::Page;
    /// let page = Page::from_start_index(vec!["a", "b", "c"], 1, 7);
    /// assert_eq!(page.next(), Some(&4));
    /// let last = Page::from_start_index(vec!["g"], 7, 7);
    /// assert_eq!(last.next(), None);
    /// ```
    pub fn from_start_index(items: Vec<T>, start_index: u64, total: u64) -> Self {
        let after = start_index.max(1) + items.len() as u64;
        let next = (!items.is_empty() && after <= total).then_some(after);
        Self { items, next }
    }

    /// A page of a 1-based page-number list (Genesys `pageNumber` / `pageCount`).
    ///
    /// ```
    /// use wfm_http::Page;
    /// assert_eq!(Page::from_page_number(vec![1, 2], 1, 3).next(), Some(&2));
    /// assert_eq!(Page::from_page_number(vec![5], 3, 3).next(), None);
    /// ```
    pub fn from_page_number(items: Vec<T>, page_number: u64, page_count: u64) -> Self {
        let next = (!items.is_empty() && page_number < page_count).then_some(page_number + 1);
        Self { items, next }
    }
}

/// Turn a page fetcher into a stream of items.
///
/// `fetch` is called with `first`, then with each page's `next` cursor, lazily: a page is fetched
/// only when the items of the one before have all been taken. At most one page is held. The
/// stream ends after the last page, or after yielding the first error.
///
/// ```
/// use futures::TryStreamExt;
/// use wfm_http::{paginate, Error, Page};
///
/// # async fn demo() -> Result<(), Error> {
/// // A source of 7 items served 3 at a time, by 1-based start index.
/// let all: Vec<u64> = (1..=7).collect();
/// let items: Vec<u64> = paginate(1u64, |start| {
///     let all = all.clone();
///     async move {
///         let page: Vec<u64> = all.iter().copied().skip(start as usize - 1).take(3).collect();
///         Ok(Page::from_start_index(page, start, 7))
///     }
/// })
/// .try_collect()
/// .await?;
/// assert_eq!(items, all);
/// # Ok(()) }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
/// ```
pub fn paginate<T, C, F, Fut>(first: C, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(C) -> Fut,
    Fut: Future<Output = Result<Page<T, C>, Error>>,
{
    struct State<T, C, F> {
        buffer: VecDeque<T>,
        next: Option<C>,
        fetch: F,
    }
    let state = State {
        buffer: VecDeque::new(),
        next: Some(first),
        fetch,
    };
    futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            let cursor = st.next.take()?;
            match (st.fetch)(cursor).await {
                Ok(page) => {
                    st.buffer = VecDeque::from(page.items);
                    st.next = page.next;
                }
                Err(e) => return Some((Err(e), st)),
            }
        }
    })
}
