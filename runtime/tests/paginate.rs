//! Pagination as streams, with hand-written request and page types shaped like the
//! generated ones.

mod common;

use common::{TENANT_OR_USER, client, endpoint};
use futures_util::{StreamExt, TryStreamExt};
use lark_runtime::fake::{FakeLark, FakePages, FakeResponse, Fault, LastPage};
use lark_runtime::{Endpoint, Error, HttpMethod, Page, PageRequest, Request, ResponseKind};
use serde::Deserialize;
use serde_json::{Value, json};

const USERS: &str = "/open-apis/test/v1/users";
static LIST_USERS: Endpoint = endpoint("test.v1.user.list", HttpMethod::Get, USERS, TENANT_OR_USER, ResponseKind::Data);

/// Like a generated list request.
#[derive(Debug, Clone, Default)]
struct ListUsers {
    department_id: Option<String>,
    page_size: Option<i32>,
    page_token: Option<String>,
}

impl ListUsers {
    fn into_request(self) -> Request {
        let mut request = Request::new(&LIST_USERS);
        if let Some(id) = self.department_id {
            request.query("department_id", id);
        }
        if let Some(size) = self.page_size {
            request.query("page_size", size.to_string());
        }
        if let Some(token) = self.page_token {
            request.query("page_token", token);
        }
        request
    }
}

// What the generator adds per paginated endpoint: these two impls.
impl PageRequest for ListUsers {
    type Page = ListUsersData;
    fn set_page_token(&mut self, token: Option<String>) {
        self.page_token = token;
    }
    fn to_request(&self) -> Request {
        self.clone().into_request()
    }
}

#[derive(Debug, Deserialize)]
struct User {
    open_id: String,
}

#[derive(Debug, Deserialize)]
struct ListUsersData {
    has_more: Option<bool>,
    page_token: Option<String>,
    items: Option<Vec<User>>,
}

impl Page for ListUsersData {
    type Item = User;
    fn has_more(&self) -> Option<bool> {
        self.has_more
    }
    fn next_page_token(&self) -> Option<&str> {
        self.page_token.as_deref()
    }
    fn into_items(self) -> Vec<User> {
        self.items.unwrap_or_default()
    }
}

fn users(n: usize) -> Vec<Value> {
    (1..=n).map(|i| json!({ "open_id": format!("ou_{i}") })).collect()
}

fn ids(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.open_id.as_str()).collect()
}

fn pages_fetched(fake: &FakeLark) -> Vec<Option<String>> {
    fake.requests_to(HttpMethod::Get, USERS).iter().map(|r| r.query_value("page_token").map(str::to_owned)).collect()
}

async fn fake_with(pages: FakePages) -> FakeLark {
    let fake = FakeLark::start().await;
    fake.route_pages(HttpMethod::Get, USERS, pages);
    fake
}

#[tokio::test]
async fn items_come_from_every_page_in_order() {
    let fake = fake_with(FakePages::new(users(5))).await;
    let request = ListUsers { department_id: Some("0".into()), page_size: Some(2), ..Default::default() };
    let all: Vec<User> = client(&fake).paginate(request).items().try_collect().await.unwrap();
    assert_eq!(ids(&all), ["ou_1", "ou_2", "ou_3", "ou_4", "ou_5"]);
    assert_eq!(pages_fetched(&fake), [None, Some("p1".into()), Some("p2".into())]);
    let first = &fake.requests_to(HttpMethod::Get, USERS)[0];
    assert_eq!((first.query_value("department_id"), first.query_value("page_size")), (Some("0"), Some("2")));
}

#[tokio::test]
async fn pages_come_whole() {
    let fake = fake_with(FakePages::new(users(3)).page_size(2)).await;
    let pages: Vec<ListUsersData> = client(&fake).paginate(ListUsers::default()).pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!((pages[0].has_more, pages[0].page_token.as_deref()), (Some(true), Some("p1")));
    assert_eq!(ids(pages[1].items.as_deref().unwrap()), ["ou_3"]);
}

#[tokio::test]
async fn an_empty_token_ends_the_list_even_with_has_more() {
    for last in [LastPage::NoToken, LastPage::EmptyToken, LastPage::EmptyTokenButHasMore] {
        let fake = fake_with(FakePages::new(users(4)).page_size(2).last_page(last)).await;
        let all: Vec<User> = client(&fake).paginate(ListUsers::default()).items().try_collect().await.unwrap();
        assert_eq!(all.len(), 4, "{last:?}");
        assert_eq!(pages_fetched(&fake).len(), 2, "{last:?}");
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn an_empty_list_is_one_request() {
    let fake = fake_with(FakePages::new(Vec::new())).await;
    let all: Vec<User> = client(&fake).paginate(ListUsers::default()).items().try_collect().await.unwrap();
    assert!(all.is_empty());
    assert_eq!(pages_fetched(&fake).len(), 1);
}

#[tokio::test]
async fn a_repeated_token_is_an_error_not_a_loop() {
    let fake = FakeLark::start().await;
    fake.route(HttpMethod::Get, USERS, |_| {
        FakeResponse::data(json!({ "has_more": true, "page_token": "same", "items": [{ "open_id": "ou_1" }] }))
    });
    let mut items = client(&fake).paginate(ListUsers::default()).items();
    assert_eq!(items.next().await.unwrap().unwrap().open_id, "ou_1");
    assert_eq!(items.next().await.unwrap().unwrap().open_id, "ou_1");
    let err = items.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Pagination { pages: 2, endpoint: "test.v1.user.list", .. }), "{err:?}");
    assert!(err.to_string().contains("twice in a row"), "{err}");
    assert!(items.next().await.is_none(), "the stream ends after an error");
    assert_eq!(pages_fetched(&fake).len(), 2);
}

#[tokio::test]
async fn the_page_cap_stops_an_endless_list() {
    let fake = fake_with(FakePages::new(users(10)).page_size(1)).await;
    let pages: Vec<_> = client(&fake).paginate(ListUsers::default()).max_pages(3).pages().collect().await;
    assert_eq!(pages.len(), 4);
    assert!(pages[..3].iter().all(Result::is_ok));
    let Err(err) = &pages[3] else { panic!("expected the cap error") };
    assert!(err.to_string().contains("more than 3 pages"), "{err}");
    assert_eq!(pages_fetched(&fake).len(), 3);

    // The client-wide cap applies when the walk sets none.
    let capped = common::builder(&fake).max_pages(2).build().unwrap();
    let pages: Vec<_> = capped.paginate(ListUsers::default()).pages().collect().await;
    assert_eq!((pages.len(), pages.iter().filter(|p| p.is_err()).count()), (3, 1));
}

#[tokio::test]
async fn an_error_mid_walk_ends_the_stream_after_the_good_items() {
    let fake = fake_with(FakePages::new(users(4)).page_size(2)).await;
    fake.inject(Fault::Reply(FakeResponse::api_error(99991672, "denied")).on(HttpMethod::Get, USERS).skip(1));
    let results: Vec<_> = client(&fake).paginate(ListUsers::default()).items().collect().await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].as_ref().unwrap().open_id, "ou_2");
    assert_eq!(results[2].as_ref().unwrap_err().code(), Some(99991672));
}

#[tokio::test]
async fn every_page_uses_the_call_options_and_survives_faults() {
    let fake = fake_with(FakePages::new(users(6)).page_size(2)).await;
    fake.inject(Fault::Status(503).on(HttpMethod::Get, USERS).skip(1));
    fake.inject(Fault::RateLimit { reset_seconds: 0.01 }.on(HttpMethod::Get, USERS).skip(1));
    let token = fake.user_token();
    let all: Vec<User> = client(&fake)
        .paginate(ListUsers::default())
        .user_access_token(token.clone())
        .request_id("walk-1")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 6);
    let requests = fake.requests_to(HttpMethod::Get, USERS);
    // Three pages; page 2 answered 503 once, page 2 or 3 throttled once.
    assert_eq!(requests.len(), 5);
    assert!(requests.iter().all(|r| r.bearer_token() == Some(token.as_str())));
    assert!(requests.iter().all(|r| r.header("x-request-id") == Some("walk-1")));
    assert_eq!(fake.token_requests(), 0);
}

#[test]
fn streams_are_send_and_unpin() {
    fn check<T: Send + Unpin + 'static>(_: &T) {}
    let client = lark_runtime::Client::builder("a", "b").build().unwrap();
    check(&client.paginate(ListUsers::default()).items());
    check(&client.paginate(ListUsers::default()).pages());
}
