//! Server-rendered pages. Each handler loads what the page shows through the same use cases
//! as the API and renders an askama template; forms post back with a CSRF token and, when a
//! use case refuses the input, the form is shown again with each message beside its field in
//! the user's language.

mod accounting;
mod admin;
mod billing;
mod calendars;
mod claims;
mod complaints;
mod contracts;
mod customers;
mod daily_reports;
mod deliveries;
mod ecom;
mod fault_reports;
mod installations;
mod monthly_statistics;
mod notifications;
mod on_call;
mod order_assist;
mod org;
mod parts;
mod performance;
mod products;
mod purchasing;
mod reports;
mod returns;
mod service_orders;
mod sign_in;
mod sla_policies;
mod staff;
mod staff_conduct;
mod suggestions;
mod supervision;
mod surveys;
mod tools;
mod units;

use aftersales_app::{Actor, AppError};
use aftersales_domain::role::Permission;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::de::DeserializeOwned;

pub use crate::error::PageError;
use crate::i18n::Lang;
use crate::session::{PageUser, Signed};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(sign_in::router())
        .merge(customers::router())
        .merge(units::router())
        .merge(products::router())
        .merge(billing::router())
        .merge(accounting::router())
        .merge(reports::router())
        .merge(service_orders::router())
        .merge(order_assist::router())
        .merge(on_call::router())
        .merge(monthly_statistics::router())
        .merge(contracts::router())
        .merge(org::router())
        .merge(calendars::router())
        .merge(sla_policies::router())
        .merge(staff::router())
        .merge(admin::router())
        .merge(notifications::router())
        .merge(fault_reports::router())
        .merge(daily_reports::router())
        .merge(surveys::router())
        .merge(staff_conduct::router())
        .merge(returns::router())
        .merge(deliveries::router())
        .merge(parts::router())
        .merge(complaints::router())
        .merge(claims::router())
        .merge(installations::router())
        .merge(ecom::router())
        .merge(performance::router())
        .merge(supervision::router())
        .merge(suggestions::router())
        .merge(purchasing::router())
        .merge(tools::router())
}

/// What every page's layout needs.
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Actor>,
    pub csrf: String,
    /// The navigation section to highlight.
    pub section: &'static str,
}

impl Ctx {
    pub fn new(lang: Lang, user: Option<Actor>, csrf: String, section: &'static str) -> Ctx {
        Ctx {
            lang,
            user,
            csrf,
            section,
        }
    }
    pub fn of(user: &PageUser, section: &'static str) -> Ctx {
        Ctx::new(
            user.lang,
            Some(user.actor.clone()),
            user.csrf.clone(),
            section,
        )
    }
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    /// The text for a key made of a prefix and a code, e.g. `("zone.", "urban")`.
    pub fn tk(&self, prefix: &str, code: &str) -> &'static str {
        self.lang.t(&format!("{prefix}{code}"))
    }
    /// The text for a code that administrators may also invent (an SLA policy's own clock):
    /// the translation when there is one, else the code itself.
    pub fn label_or_code(&self, prefix: &str, code: &str) -> String {
        self.lang
            .text(&format!("{prefix}{code}"))
            .map_or_else(|| code.to_string(), str::to_string)
    }
    /// Whether the user holds a permission, by its code (e.g. `customer.write`).
    pub fn can(&self, permission: &str) -> bool {
        match (&self.user, Permission::parse(permission)) {
            (Some(user), Some(permission)) => user.can(permission),
            _ => false,
        }
    }
    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh-CN",
        }
    }
    pub fn user_name(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.display_name.as_str())
    }
    pub fn is(&self, section: &str) -> bool {
        self.section == section
    }
    /// Formats fen as yuan.
    pub fn yuan(&self, fen: &i64) -> String {
        aftersales_domain::money::format_yuan(*fen)
    }
    /// Shows a stored RFC 3339 UTC instant in the default zone (Asia/Shanghai).
    pub fn local_time(&self, instant: &str) -> String {
        instant
            .parse::<jiff::Timestamp>()
            .map(|t| {
                t.to_zoned(aftersales_app::clock::default_zone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_else(|_| instant.to_string())
    }
}

/// Field messages of a refused form, in the user's language.
#[derive(Default)]
pub struct FieldErrors {
    messages: Vec<(String, String)>,
}

impl FieldErrors {
    /// Messages for a use-case error. `rename` maps API field names to form field names
    /// (e.g. `addresses[0].detail` → `address`). Errors that are not about input become a
    /// message at the top of the form (field `""`).
    pub fn from_error(err: &AppError, lang: Lang, rename: &[(&str, &str)]) -> FieldErrors {
        let form_field = |field: &str| {
            rename
                .iter()
                .find(|(api, _)| *api == field)
                .map_or(field.to_string(), |(_, form)| form.to_string())
        };
        let messages = match err {
            AppError::Validation(errors) => errors
                .0
                .iter()
                .map(|e| (form_field(&e.field), lang.error(e.code)))
                .collect(),
            AppError::Conflict { code, field, .. } => {
                vec![(form_field(field.unwrap_or("")), lang.error(code))]
            }
            AppError::StaleVersion => vec![(String::new(), lang.error("stale"))],
            AppError::Forbidden => vec![(String::new(), lang.error("forbidden"))],
            _ => vec![(String::new(), lang.error("internal"))],
        };
        FieldErrors { messages }
    }
    pub fn has(&self, field: &str) -> bool {
        self.messages.iter().any(|(f, _)| f == field)
    }
    pub fn msg(&self, field: &str) -> &str {
        self.messages
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }
    /// Messages for the fields under `prefix` (a row of a repeated part, e.g. `clocks[0].`).
    pub fn under(&self, prefix: &str) -> Vec<&str> {
        self.messages
            .iter()
            .filter(|(f, _)| f.starts_with(prefix))
            .map(|(_, m)| m.as_str())
            .collect()
    }
    /// Messages not attached to a field shown on the form.
    pub fn general(&self) -> Vec<&str> {
        self.messages
            .iter()
            .filter(|(f, _)| f.is_empty())
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Whether a use-case error is about the submitted form (shown on it) rather than a page
/// error (404, 500...).
pub fn is_form_error(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Validation(_) | AppError::Conflict { .. } | AppError::StaleVersion
    )
}

pub fn render(template: &impl Template) -> Result<Response, PageError> {
    render_with(StatusCode::OK, template)
}

pub fn render_with(status: StatusCode, template: &impl Template) -> Result<Response, PageError> {
    let html = template
        .render()
        .map_err(|err| PageError(AppError::Internal(anyhow::anyhow!("template: {err}"))))?;
    Ok((status, Html(html)).into_response())
}

pub fn redirect(to: &str) -> Result<Response, PageError> {
    Ok(Redirect::to(to).into_response())
}

/// A form body checked against the session's CSRF token (field `_csrf`). Repeated fields
/// (checkbox groups) deserialize into `Vec`s.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let expected = request
            .extensions()
            .get::<Signed>()
            .and_then(|s| s.csrf.clone());
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent: CsrfField = serde_html_form::from_bytes(&bytes)
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())?;
        match (expected, sent.csrf) {
            (Some(expected), Some(sent)) if expected == sent => {}
            _ => return Err(PageError(AppError::Forbidden).into_response()),
        }
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| StatusCode::BAD_REQUEST.into_response())
    }
}

/// A multipart form with one file: its text fields and the file (name, type, bytes).
pub struct Upload {
    fields: Vec<(String, String)>,
    pub file: Option<(String, String, Vec<u8>)>,
}

impl Upload {
    /// Reads the whole form and checks its CSRF token.
    pub async fn read(
        user: &PageUser,
        mut multipart: axum::extract::Multipart,
    ) -> Result<Upload, PageError> {
        let broken = || PageError(AppError::invalid("file", "invalid_upload"));
        let mut upload = Upload {
            fields: Vec::new(),
            file: None,
        };
        while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_string();
                    let bytes = field.bytes().await.map_err(|_| broken())?;
                    upload.file = Some((file_name, content_type, bytes.to_vec()));
                }
                None => upload
                    .fields
                    .push((name, field.text().await.map_err(|_| broken())?)),
            }
        }
        if upload.field("_csrf") != user.csrf {
            return Err(PageError(AppError::Forbidden));
        }
        Ok(upload)
    }

    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The file, or an empty one (which the use cases refuse with a message).
    pub fn into_file(self) -> (String, String, Vec<u8>) {
        self.file.unwrap_or_default()
    }
}

/// `Some(true)` for a ticked checkbox (browsers send `on`), `false` when absent.
pub fn ticked(value: &Option<String>) -> bool {
    value
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "false")
}

/// A typed form field, trimmed; empty means not given.
pub fn form_text(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// Parses an optional id from a form select ("" means none).
pub fn optional_id(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// An optional amount typed in yuan ("" means none) as fen; errors name `field`.
pub fn yuan_to_fen(value: &str, field: &str) -> Result<Option<i64>, AppError> {
    match value.trim() {
        "" => Ok(None),
        v => aftersales_domain::money::parse_yuan(v)
            .map(Some)
            .map_err(|code| AppError::invalid(field, code)),
    }
}

/// Pagination links for list pages.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    /// The list stopped counting at `total`: shown as "10000+".
    pub capped: bool,
    next: bool,
    /// The list's query string without its page parameter, ending in `&` when not empty.
    pub base_query: String,
    /// The query parameter of the page number: `page`, or another name where a screen pages
    /// two lists.
    pub param: &'static str,
}

impl Pager {
    pub fn new<T>(page: &aftersales_app::page::Page<T>, query: &[(&str, Option<String>)]) -> Pager {
        Pager::named("page", page, query)
    }

    /// The pager of one of several lists on a screen, its page number in `param`; `query`
    /// holds the other lists' page numbers, so paging one keeps the others where they are.
    pub fn named<T>(
        param: &'static str,
        page: &aftersales_app::page::Page<T>,
        query: &[(&str, Option<String>)],
    ) -> Pager {
        let base_query: String = query
            .iter()
            .filter_map(|(key, value)| {
                value
                    .as_ref()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{key}={}&", crate::session::urlencode(v)))
            })
            .collect();
        Pager {
            page: page.page,
            pages: page.pages(),
            total: page.total,
            capped: page.total_capped,
            next: page.has_next(),
            base_query,
            param,
        }
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
    pub fn has_next(&self) -> bool {
        self.next
    }
    pub fn prev(&self) -> u64 {
        self.page.saturating_sub(1).max(1)
    }
    pub fn next(&self) -> u64 {
        self.page + 1
    }
}

/// The pagers of a screen that pages two lists, each by its own query parameter (`params`,
/// holding `numbers`): paging one keeps the other where it is.
pub fn pager_pair<A, B>(
    params: [&'static str; 2],
    numbers: [Option<u64>; 2],
    first: &aftersales_app::page::Page<A>,
    second: &aftersales_app::page::Page<B>,
) -> (Pager, Pager) {
    let number = |page: Option<u64>| page.map(|page| page.to_string());
    (
        Pager::named(params[0], first, &[(params[1], number(numbers[1]))]),
        Pager::named(params[1], second, &[(params[0], number(numbers[0]))]),
    )
}

#[cfg(test)]
mod pager_tests {
    use aftersales_app::page::Page;

    use super::Pager;

    #[test]
    fn a_named_pager_pages_its_own_list_and_keeps_the_other_lists_page() {
        let page = Page {
            items: vec![(); 50],
            total: 120,
            page: 2,
            per_page: 50,
            total_capped: false,
        };
        let pager = Pager::named(
            "open_page",
            &page,
            &[("mail_page", Some("3".into())), ("status", None)],
        );
        assert_eq!(pager.param, "open_page");
        assert_eq!(pager.base_query, "mail_page=3&");
        assert!(pager.has_prev() && pager.has_next());
        assert_eq!((pager.prev(), pager.next(), pager.pages), (1, 3, 3));
        assert_eq!(Pager::new(&page, &[]).param, "page");
    }

    #[test]
    fn a_pair_of_pagers_each_keeps_the_others_page() {
        let page = |number| Page {
            items: vec![(); 50],
            total: 500,
            page: number,
            per_page: 50,
            total_capped: false,
        };
        let (open, mail) = super::pager_pair(
            ["open_page", "mail_page"],
            [Some(2), None],
            &page(2),
            &page(1),
        );
        assert_eq!((open.param, open.base_query.as_str()), ("open_page", ""));
        assert_eq!(
            (mail.param, mail.base_query.as_str()),
            ("mail_page", "open_page=2&")
        );
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    customers: u64,
    units_under_warranty: u64,
    active_contracts: u64,
}

async fn home(
    axum::extract::State(state): axum::extract::State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let counts = aftersales_app::customers::dashboard_counts(&state.app, &user.actor).await?;
    render(&HomePage {
        ctx: Ctx::of(&user, "home"),
        customers: counts.customers,
        units_under_warranty: counts.units_under_warranty,
        active_contracts: counts.active_contracts,
    })
}

/// The answer to a submitted form: a redirect to `accepted`'s path when the use case took
/// it, the form again with its messages (from `refused`) when the input was refused, and an
/// error page for anything else.
pub async fn form_outcome<T, Path: AsRef<str>, Fut>(
    result: Result<T, AppError>,
    accepted: impl FnOnce(T) -> Path,
    refused: impl FnOnce(AppError) -> Fut,
) -> Result<Response, PageError>
where
    Fut: std::future::Future<Output = Result<Response, PageError>>,
{
    match result {
        Ok(value) => redirect(accepted(value).as_ref()),
        Err(err) if is_form_error(&err) => refused(err).await,
        Err(err) => Err(err.into()),
    }
}
