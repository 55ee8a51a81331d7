//! Paging over real HTTP in the four styles the platforms use, lazily, one page at a time.

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use wfm_http::{Error, Method, Page, Transport, Url, paginate};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// 7 users, served by 1-based startIndex and count (SCIM).
struct ScimList;
impl Respond for ScimList {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q = |k: &str| {
            req.url
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.parse::<usize>().unwrap())
        };
        let (start, count) = (q("startIndex").unwrap_or(1), q("count").unwrap_or(3));
        let resources: Vec<Value> = (start..=7)
            .take(count)
            .map(|i| json!({"id": format!("u{i}")}))
            .collect();
        ResponseTemplate::new(200).set_body_json(
            json!({"totalResults": 7, "startIndex": start, "itemsPerPage": resources.len(), "Resources": resources}),
        )
    }
}

fn transport(server: &MockServer) -> Transport {
    Transport::builder(server.uri()).build().unwrap()
}

#[tokio::test]
async fn start_index_pages_scim() {
    let server = MockServer::start().await;
    Mock::given(path("/Users"))
        .respond_with(ScimList)
        .mount(&server)
        .await;
    let t = transport(&server);

    let ids: Vec<String> = paginate(1u64, |start| {
        let t = t.clone();
        async move {
            let body: Value = t
                .request(Method::GET, &["Users"])
                .query("startIndex", start.to_string())
                .query("count", "3")
                .send_json()
                .await?;
            let items = body["Resources"].as_array().cloned().unwrap_or_default();
            let ids = items
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_owned())
                .collect();
            Ok(Page::from_start_index(
                ids,
                start,
                body["totalResults"].as_u64().unwrap(),
            ))
        }
    })
    .try_collect()
    .await
    .unwrap();

    assert_eq!(ids, ["u1", "u2", "u3", "u4", "u5", "u6", "u7"]);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        3,
        "pages 1-3, 4-6, 7"
    );
}

#[tokio::test]
async fn pages_are_fetched_lazily() {
    let server = MockServer::start().await;
    Mock::given(path("/Users"))
        .respond_with(ScimList)
        .mount(&server)
        .await;
    let t = transport(&server);
    let stream = paginate(1u64, |start| {
        let t = t.clone();
        async move {
            let body: Value = t
                .request(Method::GET, &["Users"])
                .query("startIndex", start.to_string())
                .query("count", "3")
                .send_json()
                .await?;
            let n = body["Resources"].as_array().map_or(0, Vec::len);
            Ok(Page::from_start_index(vec![(); n], start, 7))
        }
    });
    let mut stream = Box::pin(stream);
    for _ in 0..3 {
        stream.next().await.unwrap().unwrap();
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "3 items taken: one page fetched"
    );
    stream.next().await.unwrap().unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn page_numbers_genesys() {
    let server = MockServer::start().await;
    for n in 1..=3 {
        Mock::given(path("/api/v2/users"))
            .and(query_param("pageNumber", n.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "entities": [{"id": format!("p{n}a")}, {"id": format!("p{n}b")}],
                "pageNumber": n, "pageCount": 3
            })))
            .mount(&server)
            .await;
    }
    let t = Transport::builder(format!("{}/api/v2/", server.uri()))
        .build()
        .unwrap();
    let ids: Vec<Value> = paginate(1u64, |n| {
        let t = t.clone();
        async move {
            let body: Value = t
                .request(Method::GET, &["users"])
                .query("pageNumber", n.to_string())
                .send_json()
                .await?;
            let items = body["entities"].as_array().cloned().unwrap_or_default();
            Ok(Page::from_page_number(
                items,
                n,
                body["pageCount"].as_u64().unwrap_or(1),
            ))
        }
    })
    .map_ok(|u| u["id"].clone())
    .try_collect()
    .await
    .unwrap();
    assert_eq!(ids, ["p1a", "p1b", "p2a", "p2b", "p3a", "p3b"]);
}

#[tokio::test]
async fn next_links_graph_and_cursors() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(path("/v1.0/users/a/events"))
        .and(query_param("$skiptoken", "two"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": [3]})))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/users/a/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": [1, 2],
            "@odata.nextLink": format!("{base}/v1.0/users/a/events?$skiptoken=two")
        })))
        .mount(&server)
        .await;
    let t = Transport::builder(format!("{base}/v1.0/")).build().unwrap();
    let first = t.base_url().join("users/a/events").unwrap();
    let values: Vec<Value> = paginate(first, |url: Url| {
        let t = t.clone();
        async move {
            let body: Value = t.request_url(Method::GET, url).send_json().await?;
            let next = body["@odata.nextLink"]
                .as_str()
                .map(|s| s.parse::<Url>())
                .transpose()
                .map_err(|e| Error::InvalidUrl(e.to_string()))?;
            Ok(Page::new(
                body["value"].as_array().cloned().unwrap_or_default(),
                next,
            ))
        }
    })
    .try_collect()
    .await
    .unwrap();
    assert_eq!(values, [json!(1), json!(2), json!(3)]);

    // An opaque cursor: the next cursor comes in the body.
    Mock::given(method("POST"))
        .and(path("/search"))
        .respond_with(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            match body["cursor"].as_str() {
                None => ResponseTemplate::new(200)
                    .set_body_json(json!({"items": ["a"], "nextCursor": "c2"})),
                Some("c2") => {
                    ResponseTemplate::new(200).set_body_json(json!({"items": ["b", "c"]}))
                }
                Some(_) => ResponseTemplate::new(400),
            }
        })
        .mount(&server)
        .await;
    let t = transport(&server);
    let items: Vec<Value> = paginate(None::<String>, |cursor| {
        let t = t.clone();
        async move {
            let body: Value = t
                .request(Method::POST, &["search"])
                .json(&json!({"cursor": cursor}))
                .send_json()
                .await?;
            let next = body["nextCursor"].as_str().map(|c| Some(c.to_owned()));
            Ok(Page::new(
                body["items"].as_array().cloned().unwrap_or_default(),
                next,
            ))
        }
    })
    .try_collect()
    .await
    .unwrap();
    assert_eq!(items, [json!("a"), json!("b"), json!("c")]);
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused_and_the_stream_ends_on_error() {
    let server = MockServer::start().await;
    let t = Transport::builder(format!("{}/v1.0/", server.uri()))
        .build()
        .unwrap();
    let err = t
        .request_url(Method::GET, "https://evil.example/steal".parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidUrl(_)), "{err:?}");

    Mock::given(path("/v1.0/x"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let results: Vec<Result<Value, Error>> = paginate(1u64, |_| {
        let t = t.clone();
        async move {
            let v: Value = t.request(Method::GET, &["x"]).send_json().await?;
            Ok(Page::new(vec![v], Some(2)))
        }
    })
    .collect()
    .await;
    assert_eq!(results.len(), 1, "the first error ends the stream");
    assert!(results[0].is_err());
}
