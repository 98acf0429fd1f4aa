//! Organisation pages: units and the districts each branch covers, with create and edit.

use aftersales_app::org::{self, DistrictInput, DistrictView, OrgUnitInput, OrgUnitView};
use aftersales_app::AppError;
use aftersales_domain::org::{DepartmentKind, OrgUnitKind, Zone};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    is_form_error, optional_id, redirect, render_with, CsrfForm, Ctx, FieldErrors, PageError,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(show_org))
        .route("/org/units", post(create_unit))
        .route("/org/units/{id}", get(edit_unit).post(update_unit))
        .route("/org/districts", post(create_district))
        .route(
            "/org/districts/{id}",
            get(edit_district).post(update_district),
        )
}

#[derive(Debug, Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    department_kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    calendar_code: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    version: String,
}

impl UnitForm {
    fn from_view(u: &OrgUnitView) -> UnitForm {
        UnitForm {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            department_kind: u.department_kind.clone().unwrap_or_default(),
            parent_id: u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            calendar_code: u.calendar_code.clone(),
            time_zone: u.time_zone.clone(),
            version: u.version.to_string(),
        }
    }
    fn to_input(&self) -> OrgUnitInput {
        OrgUnitInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            department_kind: Some(self.department_kind.clone()).filter(|k| !k.is_empty()),
            parent_id: optional_id(&self.parent_id),
            calendar_code: Some(self.calendar_code.clone()),
            time_zone: Some(self.time_zone.clone()),
            version: self.version.parse().ok(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DistrictForm {
    #[serde(default)]
    org_unit_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    version: String,
}

impl DistrictForm {
    fn from_view(d: &DistrictView) -> DistrictForm {
        DistrictForm {
            org_unit_id: d.org_unit_id.to_string(),
            name: d.name.clone(),
            zone: d.zone.clone(),
            version: d.version.to_string(),
        }
    }
    fn to_input(&self) -> DistrictInput {
        DistrictInput {
            org_unit_id: optional_id(&self.org_unit_id).unwrap_or(0),
            name: self.name.clone(),
            zone: self.zone.clone(),
            version: self.version.parse().ok(),
        }
    }
}

/// The organisation page; also the page of the unit and district forms, with `editing`
/// naming the record being edited.
#[derive(Template)]
#[template(path = "org/index.html")]
struct OrgPage {
    ctx: Ctx,
    units: Vec<OrgUnitView>,
    districts: Vec<DistrictView>,
    unit_form: UnitForm,
    district_form: DistrictForm,
    /// `("unit", id)` or `("district", id)` when editing one record.
    editing: Option<(&'static str, i64)>,
    unit_errors: FieldErrors,
    district_errors: FieldErrors,
    kinds: &'static [OrgUnitKind],
    department_kinds: &'static [DepartmentKind],
    zones: &'static [Zone],
}

impl OrgPage {
    fn unit_name(&self, id: &i64) -> &str {
        self.units
            .iter()
            .find(|u| u.id == *id)
            .map_or("", |u| u.name.as_str())
    }
    fn unit_action(&self) -> String {
        match self.editing {
            Some(("unit", id)) => format!("/org/units/{id}"),
            _ => "/org/units".to_string(),
        }
    }
    fn district_action(&self) -> String {
        match self.editing {
            Some(("district", id)) => format!("/org/districts/{id}"),
            _ => "/org/districts".to_string(),
        }
    }
}

struct Forms {
    unit: UnitForm,
    district: DistrictForm,
    editing: Option<(&'static str, i64)>,
    unit_error: Option<AppError>,
    district_error: Option<AppError>,
}

impl Default for Forms {
    fn default() -> Self {
        Forms {
            unit: UnitForm {
                kind: "branch".into(),
                calendar_code: "cn-standard".into(),
                time_zone: "Asia/Shanghai".into(),
                ..UnitForm::default()
            },
            district: DistrictForm {
                zone: "urban".into(),
                ..DistrictForm::default()
            },
            editing: None,
            unit_error: None,
            district_error: None,
        }
    }
}

async fn org_page(state: &AppState, user: &PageUser, forms: Forms) -> Result<Response, PageError> {
    let units = org::list_units(&state.app, &user.actor).await?;
    let districts = org::list_districts(&state.app, &user.actor).await?;
    let failed = forms.unit_error.is_some() || forms.district_error.is_some();
    let errors = |err: &Option<AppError>| {
        err.as_ref().map_or_else(FieldErrors::default, |e| {
            FieldErrors::from_error(e, user.lang, &[])
        })
    };
    let page = OrgPage {
        ctx: Ctx::of(user, "org"),
        units,
        districts,
        unit_errors: errors(&forms.unit_error),
        district_errors: errors(&forms.district_error),
        unit_form: forms.unit,
        district_form: forms.district,
        editing: forms.editing,
        kinds: OrgUnitKind::ALL,
        department_kinds: DepartmentKind::ALL,
        zones: Zone::ALL,
    };
    render_with(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &page,
    )
}

async fn show_org(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    org_page(&state, &user, Forms::default()).await
}

async fn edit_unit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let unit = org::get_unit(&state.app, &user.actor, id).await?;
    org_page(
        &state,
        &user,
        Forms {
            unit: UnitForm::from_view(&unit),
            editing: Some(("unit", id)),
            ..Forms::default()
        },
    )
    .await
}

async fn edit_district(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let district = org::list_districts(&state.app, &user.actor)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(PageError(AppError::NotFound))?;
    org_page(
        &state,
        &user,
        Forms {
            district: DistrictForm::from_view(&district),
            editing: Some(("district", id)),
            ..Forms::default()
        },
    )
    .await
}

async fn save_unit(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: UnitForm,
) -> Result<Response, PageError> {
    let result = match id {
        Some(id) => org::update_unit(&state.app, &user.actor, id, &form.to_input()).await,
        None => org::create_unit(&state.app, &user.actor, &form.to_input()).await,
    };
    match result {
        Ok(_) => redirect("/org"),
        Err(err) if is_form_error(&err) => {
            org_page(
                state,
                user,
                Forms {
                    unit: form,
                    editing: id.map(|id| ("unit", id)),
                    unit_error: Some(err),
                    ..Forms::default()
                },
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

async fn create_unit(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, PageError> {
    save_unit(&state, &user, None, form).await
}

async fn update_unit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, PageError> {
    save_unit(&state, &user, Some(id), form).await
}

async fn save_district(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: DistrictForm,
) -> Result<Response, PageError> {
    let result = match id {
        Some(id) => org::update_district(&state.app, &user.actor, id, &form.to_input()).await,
        None => org::create_district(&state.app, &user.actor, &form.to_input()).await,
    };
    match result {
        Ok(_) => redirect("/org"),
        Err(err) if is_form_error(&err) => {
            org_page(
                state,
                user,
                Forms {
                    district: form,
                    editing: id.map(|id| ("district", id)),
                    district_error: Some(err),
                    ..Forms::default()
                },
            )
            .await
        }
        Err(err) => Err(err.into()),
    }
}

async fn create_district(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<DistrictForm>,
) -> Result<Response, PageError> {
    save_district(&state, &user, None, form).await
}

async fn update_district(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DistrictForm>,
) -> Result<Response, PageError> {
    save_district(&state, &user, Some(id), form).await
}
