//! The accountant's pages (BILLING-4/5): cash held by technicians with the handover form,
//! invoices due, open collections and invoices to mail; the invoice form raised from a
//! voucher, the invoice with its collection and mailing forms, and its A4 print. Two small
//! fragments are included by other pages with htmx: an order's settlement and the cash a
//! technician holds (on /my-jobs).

use aftersales_app::accounting::{
    self, CashFilter, CashView, CollectionInput, HandoverInput, InvoiceDueView, InvoiceFilter,
    InvoiceInput, InvoiceView, MailingInput, OrderSettlement, TechnicianCash,
};
use aftersales_app::billing::{self, ChargesView};
use aftersales_app::page::PageRequest;
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, pager_pair, redirect, render, render_with, CsrfForm, Ctx, FieldErrors, PageError,
    Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accounting", get(accounting_page))
        .route("/accounting/handover", post(hand_over))
        .route("/invoices/new", get(new_invoice))
        .route("/invoices", post(raise_invoice))
        .route("/invoices/{id}", get(show_invoice))
        .route("/invoices/{id}/print", get(print_invoice))
        .route("/invoices/{id}/collection", post(record_collection))
        .route("/invoices/{id}/mailing", post(record_mailing))
        .route("/service-orders/{id}/settlement", get(order_settlement))
        .route("/my-cash", get(my_cash))
}

#[derive(Template)]
#[template(path = "accounting/index.html")]
struct AccountingPage {
    ctx: Ctx,
    technicians: Vec<TechnicianCash>,
    due: Vec<InvoiceDueView>,
    open: Vec<InvoiceView>,
    open_pager: Pager,
    to_mail: Vec<InvoiceView>,
    to_mail_pager: Pager,
    errors: FieldErrors,
    /// The export's default period: this month so far.
    month_start: String,
    today: String,
}

/// Where the accounting page's two invoice lists stand.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
struct QueuePages {
    open_page: Option<u64>,
    mail_page: Option<u64>,
}

async fn accounting_view(
    state: &AppState,
    user: &PageUser,
    pages: QueuePages,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &user.actor;
    let held = accounting::cash_list(app, actor, &CashFilter::default()).await?;
    let open = InvoiceFilter {
        collection: Some("open".into()),
        ..InvoiceFilter::default()
    };
    let to_mail = InvoiceFilter {
        to_mail: Some(true),
        ..InvoiceFilter::default()
    };
    let (open_page, mail_page) = (pages.open_page, pages.mail_page);
    let open = accounting::invoices(app, actor, &open, PageRequest::numbered(open_page)).await?;
    let to_mail =
        accounting::invoices(app, actor, &to_mail, PageRequest::numbered(mail_page)).await?;
    let (open_pager, to_mail_pager) = pager_pair(
        ["open_page", "mail_page"],
        [open_page, mail_page],
        &open,
        &to_mail,
    );
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &AccountingPage {
            ctx: Ctx::of(user, "accounting"),
            technicians: accounting::by_technician(held),
            due: accounting::invoices_due(app, actor).await?,
            open: open.items,
            open_pager,
            to_mail: to_mail.items,
            to_mail_pager,
            errors,
            month_start: app.today().first_of_month().to_string(),
            today: app.today().to_string(),
        },
    )
}

async fn accounting_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(pages): Query<QueuePages>,
) -> Result<Response, PageError> {
    accounting_view(&state, &user, pages, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct HandoverForm {
    /// The ticked collections (a checkbox group).
    #[serde(default)]
    collection_id: Vec<i64>,
}

async fn hand_over(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<HandoverForm>,
) -> Result<Response, PageError> {
    let input = HandoverInput {
        collection_ids: form.collection_id,
    };
    let result = accounting::hand_over(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/accounting",
        |err| accounting_view(&state, &user, QueuePages::default(), Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct InvoiceForm {
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    buyer_name: String,
    #[serde(default)]
    buyer_tax_id: String,
}

#[derive(Template)]
#[template(path = "accounting/invoice_form.html")]
struct InvoiceFormPage {
    ctx: Ctx,
    order: aftersales_app::service_orders::OrderView,
    charges: ChargesView,
    form: InvoiceForm,
    errors: FieldErrors,
}

async fn invoice_form(
    state: &AppState,
    user: &PageUser,
    order_id: i64,
    form: InvoiceForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    // The invoice form is the accountant's; others are refused before the order is shown.
    user.actor
        .require(aftersales_domain::role::Permission::BillingSettle)?;
    let order = aftersales_app::service_orders::get(&state.app, &user.actor, order_id).await?;
    let charges = billing::charges(&state.app, &user.actor, order_id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &InvoiceFormPage {
            ctx: Ctx::of(user, "accounting"),
            order,
            charges,
            form,
            errors,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct NewInvoiceQuery {
    order_id: i64,
}

async fn new_invoice(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<NewInvoiceQuery>,
) -> Result<Response, PageError> {
    let order =
        aftersales_app::service_orders::get(&state.app, &user.actor, query.order_id).await?;
    // An invoice already raised for the order is shown instead of a second form.
    if let Some(invoice) = accounting::order_settlement(&state.app, &user.actor, order.id)
        .await?
        .invoice
    {
        return redirect(&format!("/invoices/{}", invoice.id));
    }
    let form = InvoiceForm {
        order_id: order.id.to_string(),
        buyer_name: order.customer_name.clone(),
        buyer_tax_id: String::new(),
    };
    invoice_form(&state, &user, order.id, form, None).await
}

async fn raise_invoice(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<InvoiceForm>,
) -> Result<Response, PageError> {
    let order_id: i64 = form
        .order_id
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let input = InvoiceInput {
        order_id,
        buyer_name: Some(form.buyer_name.clone()),
        buyer_tax_id: Some(form.buyer_tax_id.clone()),
    };
    let result = accounting::raise_invoice(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |invoice| format!("/invoices/{}", invoice.id),
        |err| invoice_form(&state, &user, order_id, form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "accounting/invoice.html")]
struct InvoicePage {
    ctx: Ctx,
    invoice: InvoiceView,
    today: String,
    errors: FieldErrors,
}

/// The collection form's yuan field answers for `amount_fen`.
const COLLECTION_FIELDS: &[(&str, &str)] = &[("amount_fen", "amount")];

async fn invoice_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let invoice = accounting::get_invoice(&state.app, &user.actor, id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, COLLECTION_FIELDS),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &InvoicePage {
            ctx: Ctx::of(user, "accounting"),
            invoice,
            today: state.app.today().to_string(),
            errors,
        },
    )
}

async fn show_invoice(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    invoice_page(&state, &user, id, None).await
}

#[derive(Template)]
#[template(path = "accounting/invoice_print.html")]
struct InvoicePrint {
    ctx: Ctx,
    invoice: InvoiceView,
}

impl InvoicePrint {
    fn charges(&self) -> &[billing::ChargeView] {
        self.invoice
            .charges
            .as_ref()
            .map_or(&[], |c| c.lines.as_slice())
    }
}

/// The printable A4 invoice record (the request to the tax invoice system and the file copy).
async fn print_invoice(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let invoice = accounting::get_invoice(&state.app, &user.actor, id).await?;
    render(&InvoicePrint {
        ctx: Ctx::of(&user, "accounting"),
        invoice,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CollectionForm {
    version: i32,
    /// In yuan.
    #[serde(default)]
    amount: String,
    #[serde(default)]
    collected_on: String,
}

async fn record_collection(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CollectionForm>,
) -> Result<Response, PageError> {
    let result = match aftersales_domain::money::parse_yuan(&form.amount) {
        Ok(amount_fen) => {
            let input = CollectionInput {
                version: form.version,
                amount_fen,
                collected_on: form.collected_on.clone(),
            };
            accounting::record_collection(&state.app, &user.actor, id, &input).await
        }
        Err(code) => Err(AppError::invalid("amount_fen", code)),
    };
    form_outcome(
        result,
        |_| format!("/invoices/{id}"),
        |err| invoice_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct MailingForm {
    version: i32,
    #[serde(default)]
    tracking_no: String,
}

async fn record_mailing(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<MailingForm>,
) -> Result<Response, PageError> {
    let input = MailingInput {
        version: form.version,
        tracking_no: form.tracking_no,
    };
    let result = accounting::record_mailing(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| format!("/invoices/{id}"),
        |err| invoice_page(&state, &user, id, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "accounting/settlement.html")]
struct SettlementFragment {
    ctx: Ctx,
    order_id: i64,
    settlement: OrderSettlement,
}

/// The order page's settlement lines (cash handover, flag, invoice), loaded by htmx.
async fn order_settlement(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let settlement = accounting::order_settlement(&state.app, &user.actor, id).await?;
    render(&SettlementFragment {
        ctx: Ctx::of(&user, "service_orders"),
        order_id: id,
        settlement,
    })
}

#[derive(Template)]
#[template(path = "accounting/my_cash.html")]
struct MyCashFragment {
    ctx: Ctx,
    cash: Vec<CashView>,
}

impl MyCashFragment {
    /// The total held, in yuan.
    fn total(&self) -> String {
        aftersales_domain::money::format_yuan(self.cash.iter().map(|c| c.amount_fen).sum())
    }
}

/// The cash the technician holds, included on /my-jobs by htmx.
async fn my_cash(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let cash = accounting::my_cash(&state.app, &user.actor).await?;
    render(&MyCashFragment {
        ctx: Ctx::of(&user, "my_jobs"),
        cash,
    })
}
