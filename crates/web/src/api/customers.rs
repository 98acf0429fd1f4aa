//! Customers, their contacts, addresses and notes, and the customer card.

use aftersales_app::customers::{
    self, AddressInput, AddressView, ContactInput, ContactView, CustomerCard, CustomerFilter,
    CustomerInput, CustomerView, NoteView,
};
use aftersales_app::page::{Page, PageRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_customers,
        create_customer,
        lookup_customers,
        get_customer,
        update_customer,
        get_customer_card,
        add_contact,
        add_address,
        add_note
    ),
    components(schemas(
        CustomerInput,
        CustomerView,
        CustomerCard,
        ContactInput,
        ContactView,
        AddressInput,
        AddressView,
        NoteView,
        NoteInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/lookup", get(lookup_customers))
        .route("/customers/{id}", get(get_customer).put(update_customer))
        .route("/customers/{id}/card", get(get_customer_card))
        .route("/customers/{id}/contacts", post(add_contact))
        .route("/customers/{id}/addresses", post(add_address))
        .route("/customers/{id}/notes", post(add_note))
}

/// Customers the caller sees, searched by name, number, phone or address.
#[utoipa::path(get, path = "/customers", tag = "customers", params(CustomerFilter, PageRequest), responses((status = 200, body = Page<CustomerView>)))]
async fn list_customers(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<CustomerFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<CustomerView>>, ApiError> {
    Ok(Json(
        customers::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Registers a customer. A phone number already on file answers 409 `duplicate_phone`
/// (with the existing number in `detail`) unless `allow_duplicate_phone` is set.
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Retrying with the same key creates nothing twice")),
    responses((status = 201, body = CustomerView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_customer(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<CustomerInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        customers::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct LookupQuery {
    /// A phone number in any common format.
    phone: String,
}

/// Customers with this phone number (as customer or contact): duplicate detection.
#[utoipa::path(get, path = "/customers/lookup", tag = "customers", params(LookupQuery), responses((status = 200, body = [CustomerView]), (status = 422, body = ErrorBody)))]
async fn lookup_customers(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Vec<CustomerView>>, ApiError> {
    Ok(Json(
        customers::find_by_phone(&state.app, &actor, &query.phone).await?,
    ))
}

#[utoipa::path(get, path = "/customers/{id}", tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = CustomerView), (status = 404, body = ErrorBody)))]
async fn get_customer(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CustomerView>, ApiError> {
    Ok(Json(customers::get(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/customers/{id}", tag = "customers", params(("id" = i64, Path)), request_body = CustomerInput, responses((status = 200, body = CustomerView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_customer(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CustomerInput>,
) -> Result<Json<CustomerView>, ApiError> {
    Ok(Json(
        customers::update(&state.app, &actor, id, &input).await?,
    ))
}

/// The customer card: contacts, addresses, units, contracts and notes.
#[utoipa::path(get, path = "/customers/{id}/card", tag = "customers", params(("id" = i64, Path)), responses((status = 200, body = CustomerCard), (status = 404, body = ErrorBody)))]
async fn get_customer_card(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CustomerCard>, ApiError> {
    Ok(Json(customers::card(&state.app, &actor, id).await?))
}

#[utoipa::path(post, path = "/customers/{id}/contacts", tag = "customers", params(("id" = i64, Path)), request_body = ContactInput, responses((status = 201, body = ContactView), (status = 422, body = ErrorBody)))]
async fn add_contact(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        customers::add_contact(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/customers/{id}/addresses", tag = "customers", params(("id" = i64, Path)), request_body = AddressInput, responses((status = 201, body = AddressView), (status = 422, body = ErrorBody)))]
async fn add_address(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AddressInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        customers::add_address(&state.app, &actor, id, &input).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    pub body: String,
}

/// Adds a dated note to the customer ledger.
#[utoipa::path(post, path = "/customers/{id}/notes", tag = "customers", params(("id" = i64, Path)), request_body = NoteInput, responses((status = 201, body = NoteView), (status = 422, body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NoteInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        customers::add_note(&state.app, &actor, id, &input.body).await?,
    ))
}
