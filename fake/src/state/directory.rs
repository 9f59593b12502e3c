//! Users and departments: read one, read several, list a department's users and its
//! sub-departments.

use lark_runtime::fake::{FakeRequest, FakeResponse};
use serde_json::{Value, json};

use super::codes::*;
use super::model::{Department, User};
use super::page::page;
use super::{Store, refuse};

/// The root department's id.
pub(crate) const ROOT: &str = "0";

pub(super) fn answer(store: &mut Store, operation: &str, request: &FakeRequest) -> Option<FakeResponse> {
    let kind = request.query_value("user_id_type").unwrap_or("open_id");
    let department_kind = request.query_value("department_id_type").unwrap_or("open_department_id");
    Some(match operation {
        "contact.v3.user.get" => {
            let id = request.path_param("user_id").unwrap_or_default();
            match store.user_by(kind, id) {
                Some(user) => FakeResponse::data(json!({"user": user.to_json()})),
                None => refuse(USER_NOT_VISIBLE, format!("no user authority error: no user with {kind} {id}")),
            }
        }
        "contact.v3.user.batch" => {
            let items: Vec<Value> = request
                .query_values("user_ids")
                .iter()
                .filter_map(|id| store.user_by(kind, id))
                .map(User::to_json)
                .collect();
            FakeResponse::data(json!({"items": items}))
        }
        "contact.v3.user.find_by_department" | "contact.v3.user.list" => {
            let id = request.query_value("department_id").unwrap_or(ROOT);
            let Some(department) = store.department(department_kind, id) else {
                return Some(refuse(DEPARTMENT_NOT_FOUND, "department not exist"));
            };
            // Listing from the root lists every user the app can see.
            let everyone = operation == "contact.v3.user.list" && department == ROOT;
            let items =
                store.users.iter().filter(|u| everyone || u.department_id == department).map(User::to_json).collect();
            FakeResponse::data(Value::Object(page(items, request, 10, 50)))
        }
        "contact.v3.department.get" => {
            let id = request.path_param("department_id").unwrap_or_default();
            match store.department(department_kind, id) {
                Some(found) => FakeResponse::data(json!({"department": store.department_json(&found)})),
                None => refuse(DEPARTMENT_NOT_FOUND, "department not exist"),
            }
        }
        "contact.v3.department.children" => {
            let id = request.path_param("department_id").unwrap_or_default();
            let Some(parent) = store.department(department_kind, id) else {
                return Some(refuse(DEPARTMENT_NOT_FOUND, "department not exist"));
            };
            let items = store.departments.iter().filter(|d| d.parent == parent).map(Department::to_json).collect();
            FakeResponse::data(Value::Object(page(items, request, 10, 50)))
        }
        _ => return None,
    })
}

impl Store {
    /// A user by an id of a kind (`open_id`, `user_id`, `union_id`, `email`).
    pub(crate) fn user_by(&self, kind: &str, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id(kind) == id)
    }

    /// Adds a user to a department (its `department_id`).
    pub(crate) fn add_user(&mut self, name: &str, department_id: &str) -> User {
        let n = self.next();
        let login: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        let user = User {
            open_id: self.id("ou_"),
            user_id: format!("u{n}"),
            union_id: self.id("on_"),
            name: name.to_owned(),
            email: format!("{}{n}@fake.invalid", if login.is_empty() { "user" } else { &login }),
            department_id: department_id.to_owned(),
        };
        self.users.push(user.clone());
        user
    }

    /// The user with this open_id, taken in if new; a made-up user when there is none.
    pub(crate) fn adopt_user(&mut self, open_id: Option<&str>) -> User {
        if let Some(user) = open_id.and_then(|id| self.user_by("open_id", id)) {
            return user.clone();
        }
        let mut user = self.add_user("Test user", ROOT);
        if let (Some(open_id), Some(last)) = (open_id, self.users.last_mut()) {
            last.open_id = open_id.to_owned();
            user.open_id = open_id.to_owned();
        }
        user
    }

    /// Adds a department below `parent` (a `department_id`) and returns its id.
    pub(crate) fn add_department(&mut self, name: &str, parent: &str) -> String {
        let n = self.next();
        let department = Department {
            department_id: format!("d{n}"),
            open_department_id: self.id("od-"),
            name: name.to_owned(),
            parent: parent.to_owned(),
        };
        let id = department.department_id.clone();
        self.departments.push(department);
        id
    }

    /// The `department_id` of a department given by an id of a kind; `0` is the root.
    fn department(&self, kind: &str, id: &str) -> Option<String> {
        if id == ROOT {
            return Some(ROOT.to_owned());
        }
        self.departments
            .iter()
            .find(|d| if kind == "department_id" { d.department_id == id } else { d.open_department_id == id })
            .map(|d| d.department_id.clone())
    }

    fn department_json(&self, id: &str) -> Value {
        match self.departments.iter().find(|d| d.department_id == id) {
            Some(department) => department.to_json(),
            None => {
                json!({"department_id": ROOT, "open_department_id": ROOT, "name": "", "status": {"is_deleted": false}})
            }
        }
    }
}
