//! Working calendars (SYSTEM-1): the built-in ones of the domain crate (`cn-standard`, `24x7`,
//! read-only, available without a database) and the ones administrators edit: time zone,
//! working periods per weekday, public holidays and make-up workdays (调休), imported from
//! .csv or .ics. Branches pick a calendar; a customer or a maintenance contract may carry its
//! own. [`Calendars`], kept in the reference snapshot, and [`effective_calendar`] hand the SLA
//! engine a ready [`Calendar`] without reading the calendar's rows on each request.
//!
//! Clocks always run in the calendar's own time zone, never the viewer's: instants in and out
//! of [`deadline`] and [`elapsed`] are RFC 3339 with the calendar's offset.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, OnceLock};

use aftersales_domain::calendar::{
    self as cal, builtin, parse_holiday_csv, parse_holiday_ics, Calendar, CalendarError,
    DurationParseError, HolidayImportError, SpecialDay, SpecialDayKind, WorkingPeriod,
    BUILTIN_CODES, CN_STANDARD,
};
use aftersales_domain::role::Permission;
use aftersales_domain::validation::{required_text, ValidationErrors};
use aftersales_store::entity::{calendar, calendar_day, contract, customer};
use aftersales_store::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::org::versioned_update;
use crate::reference::Snapshot;
use crate::{audit, Actor, App, AppError};

/// The time zone of a new calendar when none is given.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// The weekday keys of [`WeeklyPeriods`], Monday first.
pub const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The shipped holiday table again, for the festival names of cn-standard's days (the domain
/// calendar keeps only the dates).
const CN_HOLIDAYS_CSV: &str = include_str!("../../domain/data/cn-public-holidays-2024-2026.csv");

/// Working periods per weekday, each `HH:MM-HH:MM` in the calendar's zone, e.g.
/// `{"mon": ["09:00-12:00", "13:00-18:00"], ..., "sun": []}`. A missing day has no periods.
/// A make-up workday (调休) is worked with Monday's periods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WeeklyPeriods {
    pub mon: Vec<String>,
    pub tue: Vec<String>,
    pub wed: Vec<String>,
    pub thu: Vec<String>,
    pub fri: Vec<String>,
    pub sat: Vec<String>,
    pub sun: Vec<String>,
}

impl WeeklyPeriods {
    /// The periods of the weekday at `idx` (0 = Monday).
    pub fn day(&self, idx: usize) -> &[String] {
        match idx {
            0 => &self.mon,
            1 => &self.tue,
            2 => &self.wed,
            3 => &self.thu,
            4 => &self.fri,
            5 => &self.sat,
            _ => &self.sun,
        }
    }

    fn day_mut(&mut self, idx: usize) -> &mut Vec<String> {
        match idx {
            0 => &mut self.mon,
            1 => &mut self.tue,
            2 => &mut self.wed,
            3 => &mut self.thu,
            4 => &mut self.fri,
            5 => &mut self.sat,
            _ => &mut self.sun,
        }
    }

    /// One weekday's periods as one line, e.g. `09:00-12:00, 13:00-18:00` (the form's text).
    pub fn line(&self, idx: usize) -> String {
        self.day(idx).join(", ")
    }

    /// Reads the form's seven lines (Monday first); periods are separated by commas, `、`,
    /// semicolons or spaces (spaces around a period's dash are allowed).
    pub fn from_lines(lines: &[&str; 7]) -> WeeklyPeriods {
        let mut periods = WeeklyPeriods::default();
        for (idx, line) in lines.iter().enumerate() {
            let mut line = line.replace('–', "-");
            while line.contains(" -") || line.contains("- ") {
                line = line.replace(" -", "-").replace("- ", "-");
            }
            *periods.day_mut(idx) = line
                .split([',', '，', ';', '；', '、', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
        }
        periods
    }

    /// The weekly periods of a domain calendar; a 7×24 calendar shows 00:00-24:00 every day.
    fn of(calendar: &Calendar) -> WeeklyPeriods {
        let mut periods = WeeklyPeriods::default();
        for idx in 0..7 {
            *periods.day_mut(idx) = if calendar.is_always_working() {
                vec!["00:00-24:00".to_string()]
            } else {
                calendar
                    .weekly_periods(weekday(idx))
                    .iter()
                    .map(ToString::to_string)
                    .collect()
            };
        }
        periods
    }
}

fn weekday(idx: usize) -> Weekday {
    Weekday::from_monday_zero_offset(idx as i8).expect("seven weekdays")
}

/// Creates a calendar, or changes one (`code` and `copy_from` are only read on create).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CalendarInput {
    /// Lower-case letters, digits, `-` and `_`; unique; cannot be changed.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    /// IANA time zone (default Asia/Shanghai, or the copied calendar's).
    pub time_zone: Option<String>,
    /// Working periods per weekday (on create: default the copied calendar's).
    pub periods: Option<WeeklyPeriods>,
    /// On create: start from this calendar (e.g. `cn-standard`), copying its time zone,
    /// periods, holidays and make-up workdays.
    pub copy_from: Option<String>,
    /// Required on update (optimistic locking).
    pub version: Option<i32>,
}

/// One line of the calendar list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarSummary {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    /// Built-in calendars are shipped with the program and cannot be edited (409); copy one.
    pub builtin: bool,
    /// 0 for built-in calendars.
    pub version: i32,
}

/// A public holiday or make-up workday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarDayView {
    /// YYYY-MM-DD in the calendar's zone.
    pub date: String,
    /// `holiday` or `workday` (调休上班).
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub builtin: bool,
    /// 0 for built-in calendars.
    pub version: i32,
    pub periods: WeeklyPeriods,
    /// Holidays and make-up workdays, by date.
    pub days: Vec<CalendarDayView>,
}

/// Holidays to import: the text of a .csv (`date,kind,festival,festival_zh`) or .ics file.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct HolidayImport {
    /// `csv` or `ics`.
    pub format: String,
    pub text: String,
    /// Replace all the calendar's days (true) or merge, the imported date winning (false).
    #[serde(default)]
    pub replace: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HolidayImportResult {
    /// Dates read from the text.
    pub imported: usize,
    pub calendar: CalendarView,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub calendar: String,
    /// The start, RFC 3339 in the calendar's zone.
    pub start: String,
    /// As given, e.g. `6h`.
    pub duration: String,
    /// When that much working time has passed, RFC 3339 in the calendar's zone.
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ElapsedView {
    pub calendar: String,
    pub from: String,
    pub to: String,
    /// Working time between the two, e.g. `1h30m` (negative when `to` is before `from`).
    pub elapsed: String,
    pub elapsed_seconds: i64,
}

fn builtin_name(code: &str) -> &'static str {
    match code {
        CN_STANDARD => "中国标准工作日历（法定节假日与调休）",
        _ => "7×24 全天候",
    }
}

fn is_builtin(code: &str) -> bool {
    builtin(code).is_some()
}

fn read_only() -> AppError {
    AppError::field_conflict("builtin_read_only", "code")
}

// ----- validation -----

fn calendar_error_field(err: &CalendarError) -> (String, &'static str) {
    match err {
        CalendarError::EmptyCode => ("code".into(), "required"),
        CalendarError::UnknownTimeZone { .. } => ("time_zone".into(), "unknown_time_zone"),
        CalendarError::MalformedPeriod { .. } => ("periods".into(), "malformed_period"),
        CalendarError::PeriodEndsBeforeStart { .. } => {
            ("periods".into(), "period_ends_before_start")
        }
        CalendarError::PeriodsOutOfOrder { weekday, .. } => (
            format!(
                "periods.{}",
                WEEKDAY_KEYS[weekday.to_monday_zero_offset() as usize]
            ),
            "overlapping_periods",
        ),
        CalendarError::HolidayAndWorkday { .. } => ("days".into(), "holiday_and_workday"),
        CalendarError::NoWorkingTime => ("periods".into(), "no_working_time"),
    }
}

/// Parses and orders the periods of each weekday. Errors name the period, e.g.
/// `periods.mon[1]`; periods may be given in any order but must not overlap.
fn parse_periods(
    periods: &WeeklyPeriods,
    errors: &mut ValidationErrors,
) -> [Vec<WorkingPeriod>; 7] {
    let mut week: [Vec<WorkingPeriod>; 7] = Default::default();
    for (idx, parsed) in week.iter_mut().enumerate() {
        for (n, text) in periods.day(idx).iter().enumerate() {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match text.parse::<WorkingPeriod>() {
                Ok(period) => parsed.push(period),
                Err(err) => errors.add(
                    format!("periods.{}[{n}]", WEEKDAY_KEYS[idx]),
                    calendar_error_field(&err).1,
                ),
            }
        }
        parsed.sort_by_key(|p| (p.start(), p.end()));
    }
    week
}

fn normalised(week: &[Vec<WorkingPeriod>; 7]) -> WeeklyPeriods {
    let mut periods = WeeklyPeriods::default();
    for (idx, day) in week.iter().enumerate() {
        *periods.day_mut(idx) = day.iter().map(ToString::to_string).collect();
    }
    periods
}

struct ValidDefinition {
    name: String,
    time_zone: String,
    periods: WeeklyPeriods,
}

/// Validates a calendar's name, zone and periods through the domain builder, so the rules are
/// the engine's own; every bad field is reported.
fn validate_definition(
    name: &str,
    time_zone: &str,
    periods: &WeeklyPeriods,
    mut errors: ValidationErrors,
) -> Result<ValidDefinition, ValidationErrors> {
    let name = errors.check("name", required_text(name, 100));
    let time_zone = time_zone.trim().to_string();
    if cal::time_zone_named(&time_zone).is_err() {
        errors.add("time_zone", "unknown_time_zone");
    }
    let week = parse_periods(periods, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut builder = Calendar::builder("validating", time_zone.clone());
    for (idx, day) in week.iter().enumerate() {
        builder = builder.periods(weekday(idx), day.iter().copied());
    }
    if let Err(err) = builder.build() {
        let (field, code) = calendar_error_field(&err);
        errors.add(field, code);
        return Err(errors);
    }
    Ok(ValidDefinition {
        name: name.expect("checked above"),
        time_zone,
        periods: normalised(&week),
    })
}

fn validate_code(code: &str) -> Result<String, &'static str> {
    let code = required_text(code, 40)?;
    let valid = code
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && code.starts_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(code)
    } else {
        Err("invalid_calendar_code")
    }
}

// ----- reading -----

fn days_view(days: &[calendar_day::Model]) -> Vec<CalendarDayView> {
    days.iter()
        .map(|d| CalendarDayView {
            date: d.date.clone(),
            kind: d.kind.clone(),
            name: d.name.clone(),
        })
        .collect()
}

fn special_days_of_builtin(code: &str, calendar: &Calendar) -> Vec<CalendarDayView> {
    let names: HashMap<Date, String> = if code == CN_STANDARD {
        parse_holiday_csv(CN_HOLIDAYS_CSV)
            .unwrap_or_default()
            .into_iter()
            .map(|d| (d.date, d.name_zh.unwrap_or(d.name)))
            .collect()
    } else {
        HashMap::new()
    };
    let mut days: Vec<CalendarDayView> = calendar
        .holidays()
        .map(|date| (date, "holiday"))
        .chain(calendar.workdays().map(|date| (date, "workday")))
        .map(|(date, kind)| CalendarDayView {
            date: date.to_string(),
            kind: kind.to_string(),
            name: names.get(&date).cloned().unwrap_or_default(),
        })
        .collect();
    days.sort_by(|a, b| a.date.cmp(&b.date));
    days
}

fn builtin_view(code: &str) -> Option<CalendarView> {
    let calendar = builtin(code)?;
    Some(CalendarView {
        code: code.to_string(),
        name: builtin_name(code).to_string(),
        time_zone: calendar
            .time_zone()
            .iana_name()
            .unwrap_or("UTC")
            .to_string(),
        builtin: true,
        version: 0,
        periods: WeeklyPeriods::of(calendar),
        days: special_days_of_builtin(code, calendar),
    })
}

async fn find_row(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<calendar::Model>, AppError> {
    Ok(calendar::Entity::find()
        .filter(calendar::Column::Code.eq(code))
        .one(db)
        .await?)
}

async fn days_of(
    db: &impl ConnectionTrait,
    calendar_id: i64,
) -> Result<Vec<calendar_day::Model>, AppError> {
    Ok(calendar_day::Entity::find()
        .filter(calendar_day::Column::CalendarId.eq(calendar_id))
        .order_by_asc(calendar_day::Column::Date)
        .all(db)
        .await?)
}

fn stored_periods(row: &calendar::Model) -> Result<WeeklyPeriods, AppError> {
    serde_json::from_str(&row.periods).map_err(|err| {
        AppError::Internal(anyhow::anyhow!(
            "calendar {}: unreadable periods: {err}",
            row.code
        ))
    })
}

async fn view_of(
    db: &impl ConnectionTrait,
    row: calendar::Model,
) -> Result<CalendarView, AppError> {
    let days = days_of(db, row.id).await?;
    Ok(CalendarView {
        periods: stored_periods(&row)?,
        days: days_view(&days),
        code: row.code,
        name: row.name,
        time_zone: row.time_zone,
        builtin: false,
        version: row.version,
    })
}

/// A calendar's view: built-in or stored; 404 when neither.
async fn load_view(db: &impl ConnectionTrait, code: &str) -> Result<CalendarView, AppError> {
    if let Some(view) = builtin_view(code) {
        return Ok(view);
    }
    let row = find_row(db, code).await?.ok_or(AppError::NotFound)?;
    view_of(db, row).await
}

/// The built-in calendars, then the stored ones by code.
pub async fn list(app: &App, actor: &Actor) -> Result<Vec<CalendarSummary>, AppError> {
    actor.require(Permission::OrgRead)?;
    let mut calendars: Vec<CalendarSummary> = BUILTIN_CODES
        .iter()
        .filter_map(|code| builtin_view(code))
        .map(|v| CalendarSummary {
            code: v.code,
            name: v.name,
            time_zone: v.time_zone,
            builtin: true,
            version: 0,
        })
        .collect();
    let rows = calendar::Entity::find()
        .order_by_asc(calendar::Column::Code)
        .all(&app.db)
        .await?;
    calendars.extend(rows.into_iter().map(|row| CalendarSummary {
        code: row.code,
        name: row.name,
        time_zone: row.time_zone,
        builtin: false,
        version: row.version,
    }));
    Ok(calendars)
}

/// One calendar with its weekly periods and its holidays and make-up workdays.
pub async fn get(app: &App, actor: &Actor, code: &str) -> Result<CalendarView, AppError> {
    actor.require(Permission::OrgRead)?;
    load_view(&app.db, code).await
}

/// Whether a calendar with this code exists (built-in or stored).
pub async fn exists(db: &impl ConnectionTrait, code: &str) -> Result<bool, AppError> {
    Ok(is_builtin(code) || find_row(db, code).await?.is_some())
}

/// Checks an optional calendar code of a branch, customer or contract: blank means none;
/// an unknown code is refused as `unknown_calendar` on `field`.
pub(crate) async fn check_code(
    db: &impl ConnectionTrait,
    code: Option<&str>,
    field: &str,
) -> Result<Option<String>, AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) if exists(db, code).await? => Ok(Some(code.to_string())),
        Some(_) => Err(AppError::invalid(field, "unknown_calendar")),
    }
}

// ----- the calendar the engine uses -----

static BUILTINS: LazyLock<HashMap<&'static str, Arc<Calendar>>> = LazyLock::new(|| {
    BUILTIN_CODES
        .iter()
        .filter_map(|code| builtin(code).map(|c| (*code, Arc::new(c.clone()))))
        .collect()
});

fn build_stored(row: &calendar::Model, days: &[calendar_day::Model]) -> Result<Calendar, AppError> {
    let corrupt =
        |what: String| AppError::Internal(anyhow::anyhow!("stored calendar {}: {what}", row.code));
    let periods = stored_periods(row)?;
    let mut builder = Calendar::builder(row.code.clone(), row.time_zone.clone());
    for idx in 0..7 {
        let parsed = periods
            .day(idx)
            .iter()
            .map(|p| p.parse::<WorkingPeriod>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| corrupt(err.to_string()))?;
        builder = builder.periods(weekday(idx), parsed);
    }
    let mut holidays = Vec::new();
    let mut workdays = Vec::new();
    for day in days {
        let date: Date = day
            .date
            .parse()
            .map_err(|_| corrupt(format!("bad date {}", day.date)))?;
        if day.kind == "workday" {
            workdays.push(date);
        } else {
            holidays.push(date);
        }
    }
    builder
        .holidays(holidays)
        .workdays(workdays)
        .build()
        .map_err(|err| corrupt(err.to_string()))
}

/// A stored calendar's rows, built into a [`Calendar`] when first asked for (building one's
/// index costs milliseconds, and most views use one or two calendars).
struct Stored {
    row: calendar::Model,
    days: Vec<calendar_day::Model>,
    built: OnceLock<Arc<Calendar>>,
}

/// Every calendar the engine can use, as the reference snapshot keeps them
/// ([`crate::reference`]): the built-in ones and the stored ones by code. Looking one up
/// reads nothing; the snapshot is reloaded when a calendar or one of its days changes.
#[derive(Default)]
pub struct Calendars {
    stored: HashMap<String, Stored>,
}

impl Calendars {
    /// The stored calendars with their special days, in two queries.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Calendars, AppError> {
        let mut days: HashMap<i64, Vec<calendar_day::Model>> = HashMap::new();
        for day in calendar_day::Entity::find()
            .order_by_asc(calendar_day::Column::Date)
            .all(db)
            .await?
        {
            days.entry(day.calendar_id).or_default().push(day);
        }
        let stored = calendar::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|row| {
                let stored = Stored {
                    days: days.remove(&row.id).unwrap_or_default(),
                    row,
                    built: OnceLock::new(),
                };
                (stored.row.code.clone(), stored)
            })
            .collect();
        Ok(Calendars { stored })
    }

    /// The calendar with this code, built-in or stored, ready for arithmetic; 404 when unknown.
    pub fn resolve(&self, code: &str) -> Result<Arc<Calendar>, AppError> {
        if let Some(calendar) = BUILTINS.get(code) {
            return Ok(calendar.clone());
        }
        let stored = self.stored.get(code).ok_or(AppError::NotFound)?;
        if let Some(calendar) = stored.built.get() {
            return Ok(calendar.clone());
        }
        let calendar = Arc::new(build_stored(&stored.row, &stored.days)?);
        // Two first readers may both build it; either copy serves.
        Ok(stored.built.get_or_init(|| calendar).clone())
    }

    /// The calendar of a clock: the maintenance contract's, else the customer's, else the
    /// branch's, else cn-standard. A code that no longer resolves is skipped.
    pub fn of_codes(
        &self,
        contract: Option<&str>,
        customer: Option<&str>,
        branch: Option<&str>,
    ) -> Result<Arc<Calendar>, AppError> {
        for code in precedence(contract, customer, branch) {
            match self.resolve(code) {
                Ok(calendar) => return Ok(calendar),
                Err(AppError::NotFound) => continue,
                Err(err) => return Err(err),
            }
        }
        self.resolve(CN_STANDARD)
    }
}

/// The calendar codes to try, most specific first: the contract's, the customer's, the
/// branch's, and cn-standard last.
pub fn precedence<'a>(
    contract: Option<&'a str>,
    customer: Option<&'a str>,
    branch: Option<&'a str>,
) -> Vec<&'a str> {
    [contract, customer, branch, Some(CN_STANDARD)]
        .into_iter()
        .flatten()
        .filter(|code| !code.trim().is_empty())
        .collect()
}

/// [`Calendars::of_codes`] for a clock of branch `org_unit_id` (if any), of a customer and of
/// a maintenance contract, reading the customer's and the contract's codes.
pub async fn effective_calendar(
    db: &impl ConnectionTrait,
    reference: &Snapshot,
    org_unit_id: Option<i64>,
    customer_id: Option<i64>,
    contract_id: Option<i64>,
) -> Result<Arc<Calendar>, AppError> {
    let contract_code = match contract_id {
        Some(id) => contract::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|c| c.calendar_code),
        None => None,
    };
    let customer_code = match customer_id {
        Some(id) => customer::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|c| c.calendar_code),
        None => None,
    };
    reference.calendar_of(
        contract_code.as_deref(),
        customer_code.as_deref(),
        org_unit_id,
    )
}

// ----- writing -----

async fn insert_days(
    db: &impl ConnectionTrait,
    calendar_id: i64,
    days: &[CalendarDayView],
) -> Result<(), AppError> {
    for chunk in days.chunks(100) {
        let rows = chunk.iter().map(|d| calendar_day::ActiveModel {
            calendar_id: Set(calendar_id),
            date: Set(d.date.clone()),
            kind: Set(d.kind.clone()),
            name: Set(d.name.clone()),
            ..Default::default()
        });
        calendar_day::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Creates an editable calendar, from scratch or as a copy of another (`copy_from`).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &CalendarInput,
) -> Result<CalendarView, AppError> {
    actor.require(Permission::SettingsWrite)?;
    let mut errors = ValidationErrors::new();
    let code = errors.check("code", validate_code(&input.code));
    let source = match input.copy_from.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(from) => match load_view(&app.db, from).await {
            Ok(view) => Some(view),
            Err(AppError::NotFound) => {
                errors.add("copy_from", "unknown_calendar");
                None
            }
            Err(err) => return Err(err),
        },
    };
    let time_zone = input
        .time_zone
        .clone()
        .filter(|z| !z.trim().is_empty())
        .or_else(|| source.as_ref().map(|s| s.time_zone.clone()))
        .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_string());
    let periods = input
        .periods
        .clone()
        .or_else(|| source.as_ref().map(|s| s.periods.clone()))
        .unwrap_or_default();
    let valid = validate_definition(&input.name, &time_zone, &periods, errors)?;
    let code = code.expect("validated");
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    if exists(&txn, &code).await? {
        return Err(AppError::field_conflict("already_exists", "code"));
    }
    let row = calendar::ActiveModel {
        code: Set(code),
        name: Set(valid.name),
        time_zone: Set(valid.time_zone),
        periods: Set(serde_json::to_string(&valid.periods).expect("periods serialise")),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if let Some(source) = &source {
        insert_days(&txn, row.id, &source.days).await?;
    }
    let view = view_of(&txn, row.clone()).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "calendar",
        row.id,
        "create",
        None::<&()>,
        Some(&serde_json::json!({
            "calendar": row,
            "copy_from": source.as_ref().map(|s| s.code.clone()),
            "days": view.days.len(),
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}

/// Changes a stored calendar's name, zone and periods; built-in calendars answer 409
/// `builtin_read_only`.
pub async fn update(
    app: &App,
    actor: &Actor,
    code: &str,
    input: &CalendarInput,
) -> Result<CalendarView, AppError> {
    actor.require(Permission::SettingsWrite)?;
    if is_builtin(code) {
        return Err(read_only());
    }
    let time_zone = input.time_zone.clone().unwrap_or_default();
    let periods = input.periods.clone().unwrap_or_default();
    let valid = validate_definition(&input.name, &time_zone, &periods, ValidationErrors::new())?;
    let version = input
        .version
        .ok_or_else(|| AppError::invalid("version", "required"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let before = find_row(&txn, code).await?.ok_or(AppError::NotFound)?;
    if before.version != version {
        return Err(AppError::StaleVersion);
    }
    let mut active: calendar::ActiveModel = before.clone().into();
    active.name = Set(valid.name);
    active.time_zone = Set(valid.time_zone);
    active.periods = Set(serde_json::to_string(&valid.periods).expect("periods serialise"));
    active.version = Set(version + 1);
    active.updated_at = Set(now);
    let after = versioned_update(&txn, active, calendar::Column::Version, version).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "calendar",
        after.id,
        "update",
        Some(&before),
        Some(&after),
    )
    .await?;
    let view = view_of(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

/// A holiday parser's error as a validation error naming the line, e.g. field `line 3`.
fn import_error(err: &HolidayImportError) -> AppError {
    let (line, code) = match err {
        HolidayImportError::InvalidDate { line, .. } => (line, "invalid_date"),
        HolidayImportError::InvalidKind { line, .. } => (line, "invalid_day_kind"),
        HolidayImportError::MissingKind { line } => (line, "missing_day_kind"),
        HolidayImportError::MissingStart { line } => (line, "missing_dtstart"),
        HolidayImportError::NotAllDay { line, .. } => (line, "not_all_day"),
        HolidayImportError::EndsBeforeStart { line } => (line, "end_before_start"),
        HolidayImportError::UnterminatedEvent { line } => (line, "unterminated_event"),
    };
    AppError::invalid(&format!("line {line}"), code)
}

/// Parses an import into one entry per date; a date given as both kinds is refused.
fn parse_import(input: &HolidayImport) -> Result<Vec<CalendarDayView>, AppError> {
    let parsed: Vec<SpecialDay> = match input.format.trim().to_ascii_lowercase().as_str() {
        "csv" => parse_holiday_csv(&input.text),
        "ics" | "ical" | "icalendar" => parse_holiday_ics(&input.text),
        _ => return Err(AppError::invalid("format", "invalid_choice")),
    }
    .map_err(|err| import_error(&err))?;
    let mut by_date: BTreeMap<Date, CalendarDayView> = BTreeMap::new();
    for day in parsed {
        let kind = match day.kind {
            SpecialDayKind::Holiday => "holiday",
            SpecialDayKind::Workday => "workday",
        };
        if let Some(earlier) = by_date.get(&day.date) {
            if earlier.kind != kind {
                return Err(AppError::invalid("text", "holiday_and_workday"));
            }
        }
        by_date.insert(
            day.date,
            CalendarDayView {
                date: day.date.to_string(),
                kind: kind.to_string(),
                name: day.name_zh.unwrap_or(day.name),
            },
        );
    }
    if by_date.is_empty() {
        return Err(AppError::invalid("text", "empty_file"));
    }
    Ok(by_date.into_values().collect())
}

/// Bumps a calendar's version after its days changed, so cached builds are not reused.
async fn touch(
    db: &impl ConnectionTrait,
    row: &calendar::Model,
    now: i64,
) -> Result<calendar::Model, AppError> {
    let mut active: calendar::ActiveModel = row.clone().into();
    active.version = Set(row.version + 1);
    active.updated_at = Set(now);
    versioned_update(db, active, calendar::Column::Version, row.version).await
}

/// Imports holidays and make-up workdays from .csv or .ics text. Any bad line refuses the
/// whole import (422 naming the line) and nothing is stored.
pub async fn import_holidays(
    app: &App,
    actor: &Actor,
    code: &str,
    input: &HolidayImport,
) -> Result<HolidayImportResult, AppError> {
    actor.require(Permission::SettingsWrite)?;
    if is_builtin(code) {
        return Err(read_only());
    }
    let days = parse_import(input)?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_row(&txn, code).await?.ok_or(AppError::NotFound)?;
    let mut delete =
        calendar_day::Entity::delete_many().filter(calendar_day::Column::CalendarId.eq(row.id));
    if !input.replace {
        delete =
            delete.filter(calendar_day::Column::Date.is_in(days.iter().map(|d| d.date.clone())));
    }
    delete.exec(&txn).await?;
    insert_days(&txn, row.id, &days).await?;
    let after = touch(&txn, &row, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "calendar",
        row.id,
        "import_holidays",
        Some(&row),
        Some(&serde_json::json!({
            "calendar": after,
            "format": input.format,
            "replace": input.replace,
            "imported": days.len(),
        })),
    )
    .await?;
    let calendar = view_of(&txn, after).await?;
    txn.commit().await?;
    Ok(HolidayImportResult {
        imported: days.len(),
        calendar,
    })
}

/// Removes one holiday or make-up workday.
pub async fn delete_day(
    app: &App,
    actor: &Actor,
    code: &str,
    date: &str,
) -> Result<CalendarView, AppError> {
    actor.require(Permission::SettingsWrite)?;
    if is_builtin(code) {
        return Err(read_only());
    }
    let date: Date = date
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("date", "invalid_date"))?;
    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let row = find_row(&txn, code).await?.ok_or(AppError::NotFound)?;
    let day = calendar_day::Entity::find()
        .filter(calendar_day::Column::CalendarId.eq(row.id))
        .filter(calendar_day::Column::Date.eq(date.to_string()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    calendar_day::Entity::delete_by_id(day.id)
        .exec(&txn)
        .await?;
    let after = touch(&txn, &row, now).await?;
    audit::record(
        &txn,
        now,
        Some(actor),
        "calendar",
        row.id,
        "delete_day",
        Some(&day),
        None::<&()>,
    )
    .await?;
    let view = view_of(&txn, after).await?;
    txn.commit().await?;
    Ok(view)
}

// ----- arithmetic -----

/// Reads an instant; a space where the offset's `+` was (an unencoded `+` in a query string)
/// is taken as the `+`.
fn instant_of(calendar: &Calendar, field: &str, text: &str) -> Result<jiff::Timestamp, AppError> {
    cal::parse_instant(calendar, text)
        .or_else(|_| cal::parse_instant(calendar, &text.trim().replace(' ', "+")))
        .map_err(|_| AppError::invalid(field, "invalid_instant"))
}

/// The calendar that [`deadline`] and [`elapsed`] count on, for anyone who may read calendars.
async fn calendar_for_arithmetic(
    app: &App,
    actor: &Actor,
    code: &str,
) -> Result<Arc<Calendar>, AppError> {
    actor.require(Permission::OrgRead)?;
    app.reference
        .snapshot(&app.db)
        .await?
        .calendars
        .resolve(code)
}

/// When `duration` of working time has passed from `start` on this calendar. `start` is RFC
/// 3339 (or a local date-time in the calendar's zone); `duration` like `6h`, `90m`, `1h30m`.
pub async fn deadline(
    app: &App,
    actor: &Actor,
    code: &str,
    start: &str,
    duration: &str,
) -> Result<DeadlineView, AppError> {
    let calendar = calendar_for_arithmetic(app, actor, code).await?;
    let start_at = instant_of(&calendar, "start", start);
    let length = cal::parse_duration(duration).map_err(|err| {
        AppError::invalid(
            "duration",
            match err {
                DurationParseError::Days { .. } => "duration_in_days",
                DurationParseError::TooLong { .. } => "too_long",
                DurationParseError::Malformed { .. } => "invalid_duration",
            },
        )
    });
    let (start_at, length) = match (start_at, length) {
        (Ok(s), Ok(l)) => (s, l),
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.0.extend(b.0);
            return Err(AppError::Validation(a));
        }
        (Err(err), _) | (_, Err(err)) => return Err(err),
    };
    Ok(DeadlineView {
        calendar: calendar.code().to_string(),
        start: cal::format_instant(&calendar, start_at),
        duration: cal::format_duration(length),
        deadline: cal::format_instant(&calendar, calendar.deadline(start_at, length)),
    })
}

/// The working time between two instants on this calendar.
pub async fn elapsed(
    app: &App,
    actor: &Actor,
    code: &str,
    from: &str,
    to: &str,
) -> Result<ElapsedView, AppError> {
    let calendar = calendar_for_arithmetic(app, actor, code).await?;
    let from_at = instant_of(&calendar, "from", from)?;
    let to_at = instant_of(&calendar, "to", to)?;
    let elapsed = calendar.elapsed(from_at, to_at);
    Ok(ElapsedView {
        calendar: calendar.code().to_string(),
        from: cal::format_instant(&calendar, from_at),
        to: cal::format_instant(&calendar, to_at),
        elapsed: cal::format_duration(elapsed),
        elapsed_seconds: elapsed.as_secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_calendar_wins() {
        assert_eq!(
            precedence(Some("a"), Some("b"), Some("c")),
            ["a", "b", "c", CN_STANDARD]
        );
        assert_eq!(precedence(None, Some("b"), Some("c"))[0], "b");
        assert_eq!(precedence(None, None, Some("c"))[0], "c");
        assert_eq!(precedence(None, Some(" "), None), [CN_STANDARD]);
    }

    #[test]
    fn periods_are_validated_by_the_engine_and_named_by_weekday() {
        let mut periods = WeeklyPeriods {
            mon: vec!["13:00-18:00".into(), "09:00-12:00".into()],
            ..WeeklyPeriods::default()
        };
        let valid = validate_definition("x", "Asia/Shanghai", &periods, ValidationErrors::new())
            .expect("unordered but disjoint periods are fine");
        assert_eq!(valid.periods.mon, ["09:00-12:00", "13:00-18:00"]);

        periods.tue = vec!["09:00-12:00".into(), "11:00-14:00".into()];
        let err = validate_definition("x", "Asia/Shanghai", &periods, ValidationErrors::new())
            .err()
            .expect("overlap");
        assert_eq!(err.0[0].field, "periods.tue");
        assert_eq!(err.0[0].code, "overlapping_periods");

        periods.tue = vec!["9h".into()];
        let err = validate_definition("", "Mars/Olympus", &periods, ValidationErrors::new())
            .err()
            .expect("three errors");
        let fields: Vec<_> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "time_zone", "periods.tue[0]"]);
    }

    #[test]
    fn form_lines_split_on_commas_and_spaces() {
        let periods = WeeklyPeriods::from_lines(&[
            "09:00-12:00, 13:00-18:00",
            "09:00-12:00，13:00-18:00",
            "09:00 - 12:00  13:00 – 18:00",
            "",
            "",
            "",
            "",
        ]);
        assert_eq!(periods.mon, periods.tue);
        assert_eq!(periods.mon, periods.wed);
        assert_eq!(periods.line(0), "09:00-12:00, 13:00-18:00");
        assert!(periods.sun.is_empty());
    }

    #[test]
    fn the_builtin_24x7_calendar_shows_whole_days() {
        let view = builtin_view("24x7").expect("built in");
        assert_eq!(view.periods.sun, ["00:00-24:00"]);
        let cn = builtin_view(CN_STANDARD).expect("built in");
        assert_eq!(cn.time_zone, "Asia/Shanghai");
        assert!(cn
            .days
            .iter()
            .any(|d| d.date == "2026-10-01" && d.name == "国庆节"));
    }
}
