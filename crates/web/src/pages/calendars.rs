//! Working-calendar pages: the list with a form to create or copy a calendar, and one
//! calendar's page with its weekly periods, time zone, holidays and make-up workdays by year,
//! the holiday import (.csv/.ics upload or pasted text) and a "try it" deadline form.

use aftersales_app::calendars::{
    self, CalendarDayView, CalendarInput, CalendarSummary, CalendarView, DeadlineView,
    HolidayImport, WeeklyPeriods, WEEKDAY_KEYS,
};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{is_form_error, redirect, render_with, CsrfForm, Ctx, FieldErrors, PageError};
use crate::i18n::Lang;
use crate::session::{urlencode, PageUser};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendars", get(show_list).post(create_calendar))
        .route(
            "/calendars/{code}",
            get(show_calendar).post(update_calendar),
        )
        .route("/calendars/{code}/holidays", post(import_holidays))
        .route("/calendars/{code}/days/{date}/delete", post(delete_day))
}

// ----- list -----

#[derive(Debug, Default, Deserialize)]
pub struct NewCalendarForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    copy_from: String,
}

#[derive(Template)]
#[template(path = "calendars/list.html")]
struct ListPage {
    ctx: Ctx,
    calendars: Vec<CalendarSummary>,
    form: NewCalendarForm,
    errors: FieldErrors,
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    form: NewCalendarForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let calendars = calendars::list(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[("periods", "")]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ListPage {
            ctx: Ctx::of(user, "calendars"),
            calendars,
            form,
            errors,
        },
    )
}

async fn show_list(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let form = NewCalendarForm {
        copy_from: aftersales_domain::calendar::CN_STANDARD.to_string(),
        ..NewCalendarForm::default()
    };
    list_page(&state, &user, form, None).await
}

async fn create_calendar(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<NewCalendarForm>,
) -> Result<Response, PageError> {
    let input = CalendarInput {
        code: form.code.clone(),
        name: form.name.clone(),
        copy_from: Some(form.copy_from.clone()).filter(|c| !c.trim().is_empty()),
        periods: if form.copy_from.trim().is_empty() {
            // From scratch: an ordinary office week the administrator then edits.
            Some(WeeklyPeriods::from_lines(&[
                "09:00-12:00, 13:00-18:00",
                "09:00-12:00, 13:00-18:00",
                "09:00-12:00, 13:00-18:00",
                "09:00-12:00, 13:00-18:00",
                "09:00-12:00, 13:00-18:00",
                "",
                "",
            ]))
        } else {
            None
        },
        ..CalendarInput::default()
    };
    match calendars::create(&state.app, &user.actor, &input).await {
        Ok(view) => redirect(&format!("/calendars/{}", urlencode(&view.code))),
        Err(err) if is_form_error(&err) => list_page(&state, &user, form, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

// ----- one calendar -----

#[derive(Debug, Default, Deserialize)]
pub struct DefinitionForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    mon: String,
    #[serde(default)]
    tue: String,
    #[serde(default)]
    wed: String,
    #[serde(default)]
    thu: String,
    #[serde(default)]
    fri: String,
    #[serde(default)]
    sat: String,
    #[serde(default)]
    sun: String,
    #[serde(default)]
    version: String,
}

impl DefinitionForm {
    fn from_view(view: &CalendarView) -> DefinitionForm {
        let line = |idx| view.periods.line(idx);
        DefinitionForm {
            name: view.name.clone(),
            time_zone: view.time_zone.clone(),
            mon: line(0),
            tue: line(1),
            wed: line(2),
            thu: line(3),
            fri: line(4),
            sat: line(5),
            sun: line(6),
            version: view.version.to_string(),
        }
    }

    fn lines(&self) -> [&str; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }

    /// The form's text for weekday `key` (`mon` .. `sun`).
    pub fn line(&self, key: &str) -> &str {
        WEEKDAY_KEYS
            .iter()
            .position(|k| *k == key)
            .map_or("", |idx| self.lines()[idx])
    }

    fn to_input(&self) -> CalendarInput {
        CalendarInput {
            name: self.name.clone(),
            time_zone: Some(self.time_zone.clone()),
            periods: Some(WeeklyPeriods::from_lines(&self.lines())),
            version: self.version.parse().ok(),
            ..CalendarInput::default()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TryQuery {
    #[serde(default)]
    start: String,
    #[serde(default)]
    duration: String,
}

/// One year's holidays and make-up workdays.
pub struct Year {
    pub year: String,
    pub days: Vec<CalendarDayView>,
}

#[derive(Template)]
#[template(path = "calendars/edit.html")]
struct EditPage {
    ctx: Ctx,
    calendar: CalendarView,
    form: DefinitionForm,
    errors: FieldErrors,
    years: Vec<Year>,
    weekdays: [&'static str; 7],
    /// Messages of a refused import, one per bad line.
    import_errors: Vec<String>,
    /// Dates read by a successful import.
    imported: Option<usize>,
    try_start: String,
    try_duration: String,
    try_result: Option<DeadlineView>,
    try_errors: Vec<String>,
}

fn by_year(days: &[CalendarDayView]) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for day in days {
        let year = day.date.get(..4).unwrap_or_default().to_string();
        match years.last_mut() {
            Some(last) if last.year == year => last.days.push(day.clone()),
            _ => years.push(Year {
                year,
                days: vec![day.clone()],
            }),
        }
    }
    years.reverse();
    years
}

/// Error messages of a use case, each with its field: `line N` becomes "第N行" / "Line N".
fn messages(err: &AppError, lang: Lang) -> Vec<String> {
    let AppError::Validation(errors) = err else {
        return FieldErrors::from_error(err, lang, &[])
            .general()
            .into_iter()
            .map(str::to_string)
            .collect();
    };
    errors
        .0
        .iter()
        .map(|e| {
            let message = lang.error(e.code);
            match e.field.strip_prefix("line ") {
                Some(n) => match lang {
                    Lang::Zh => format!("第{n}行：{message}"),
                    Lang::En => format!("Line {n}: {message}"),
                },
                None => message,
            }
        })
        .collect()
}

/// API field names of the periods (`periods.mon`, `periods.mon[1]`) shown on one form line.
fn period_fields() -> Vec<(String, String)> {
    let mut fields = vec![("periods".to_string(), String::new())];
    for key in WEEKDAY_KEYS {
        fields.push((format!("periods.{key}"), key.to_string()));
        for n in 0..12 {
            fields.push((format!("periods.{key}[{n}]"), key.to_string()));
        }
    }
    fields
}

#[derive(Default)]
struct EditState {
    form: Option<DefinitionForm>,
    error: Option<AppError>,
    import_error: Option<AppError>,
    imported: Option<usize>,
    try_query: TryQuery,
}

async fn edit_page(
    state: &AppState,
    user: &PageUser,
    code: &str,
    page: EditState,
) -> Result<Response, PageError> {
    let calendar = calendars::get(&state.app, &user.actor, code).await?;
    let failed = page.error.is_some() || page.import_error.is_some();
    let renames = period_fields();
    let renames: Vec<(&str, &str)> = renames
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let errors = page
        .error
        .as_ref()
        .map_or_else(FieldErrors::default, |err| {
            FieldErrors::from_error(err, user.lang, &renames)
        });
    let import_errors = page
        .import_error
        .as_ref()
        .map(|err| messages(err, user.lang))
        .unwrap_or_default();
    let (try_result, try_errors) = if page.try_query.start.trim().is_empty() {
        (None, Vec::new())
    } else {
        let duration = match page.try_query.duration.trim() {
            "" => "6h",
            text => text,
        };
        match calendars::deadline(
            &state.app,
            &user.actor,
            code,
            &page.try_query.start,
            duration,
        )
        .await
        {
            Ok(result) => (Some(result), Vec::new()),
            Err(err) if is_form_error(&err) => (None, messages(&err, user.lang)),
            Err(err) => return Err(err.into()),
        }
    };
    let page_form = page
        .form
        .unwrap_or_else(|| DefinitionForm::from_view(&calendar));
    render_with(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &EditPage {
            ctx: Ctx::of(user, "calendars"),
            years: by_year(&calendar.days),
            calendar,
            form: page_form,
            errors,
            weekdays: WEEKDAY_KEYS,
            import_errors,
            imported: page.imported,
            try_start: page.try_query.start,
            try_duration: match page.try_query.duration.trim() {
                "" => "6h".to_string(),
                text => text.to_string(),
            },
            try_result,
            try_errors,
        },
    )
}

async fn show_calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(try_query): Query<TryQuery>,
) -> Result<Response, PageError> {
    edit_page(
        &state,
        &user,
        &code,
        EditState {
            try_query,
            ..EditState::default()
        },
    )
    .await
}

async fn update_calendar(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<DefinitionForm>,
) -> Result<Response, PageError> {
    match calendars::update(&state.app, &user.actor, &code, &form.to_input()).await {
        Ok(_) => redirect(&format!("/calendars/{}", urlencode(&code))),
        Err(err) if is_form_error(&err) => {
            edit_page(
                &state,
                &user,
                &code,
                EditState {
                    form: Some(form),
                    error: Some(err),
                    ..EditState::default()
                },
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

/// The import form: a .csv/.ics file or pasted text; the format follows the file name, then
/// the form's choice, then the text itself (`BEGIN:VCALENDAR`).
async fn import_holidays(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = super::Upload::read(&user, multipart).await?;
    let replace = matches!(upload.field("replace"), "on" | "true" | "1");
    let chosen = upload.field("format").to_string();
    let pasted = upload.field("text").to_string();
    let (file_name, _, bytes) = upload.into_file();
    let result = match String::from_utf8(bytes) {
        Err(_) => Err(AppError::invalid("file", "unreadable_file")),
        Ok(file_text) => {
            let text = if file_text.trim().is_empty() {
                pasted
            } else {
                file_text
            };
            let lower = file_name.to_ascii_lowercase();
            let format = if lower.ends_with(".ics") {
                "ics"
            } else if lower.ends_with(".csv") {
                "csv"
            } else if chosen == "csv" || chosen == "ics" {
                chosen.as_str()
            } else if text.trim_start().starts_with("BEGIN:VCALENDAR") {
                "ics"
            } else {
                "csv"
            };
            let input = HolidayImport {
                format: format.to_string(),
                text,
                replace,
            };
            calendars::import_holidays(&state.app, &user.actor, &code, &input).await
        }
    };
    match result {
        Ok(report) => {
            edit_page(
                &state,
                &user,
                &code,
                EditState {
                    imported: Some(report.imported),
                    ..EditState::default()
                },
            )
            .await
        }
        Err(err) if is_form_error(&err) => {
            edit_page(
                &state,
                &user,
                &code,
                EditState {
                    import_error: Some(err),
                    ..EditState::default()
                },
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn delete_day(
    State(state): State<AppState>,
    user: PageUser,
    Path((code, date)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    match calendars::delete_day(&state.app, &user.actor, &code, &date).await {
        Ok(_) => redirect(&format!("/calendars/{}", urlencode(&code))),
        Err(err) if is_form_error(&err) => {
            edit_page(
                &state,
                &user,
                &code,
                EditState {
                    error: Some(err),
                    ..EditState::default()
                },
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}
