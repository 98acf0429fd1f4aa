//! Group commit for registrations (INTAKE-2): calls registered at the same moment are written
//! together.
//!
//! Registering a call reads what it needs and then writes four rows: the order, its first
//! timeline event, its audit record and, with an `Idempotency-Key`, the key. Written one
//! registration per transaction, every call queues for the one writer (SQLite's write lock, a
//! PostgreSQL commit's WAL flush) and pays its own begin, inserts and commit. Here a prepared
//! registration goes to one writer task per app instance, which takes every registration
//! waiting at that moment and writes them in one transaction with one multi-row insert per
//! table. Nothing waits for a batch to fill: a lone call is written at once, and under load a
//! batch is whatever queued during the previous one. A caller is answered only after the
//! commit that holds its rows, so an acknowledged registration is exactly as durable as
//! before.
//!
//! A batch that fails (a customer deleted meanwhile, an idempotency key already in flight) is
//! written again one registration per transaction, so each caller gets its own outcome.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use aftersales_domain::numbering::NumberPattern;
use aftersales_domain::service_order::OrderStatus;
use aftersales_store::entity::{audit_record, service_order, service_order_event};
use aftersales_store::sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use jiff::civil::Date;
use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};

use crate::idempotency::{self, IdempotencyKey};
use crate::{audit, numbering, service_orders, Actor, AppError};

/// A registration whose reads and checks are done: its rows wait only for their number.
pub(crate) struct Registration {
    /// The order, complete but for its number.
    pub order: service_order::ActiveModel,
    pub pattern: NumberPattern,
    pub call_day: Date,
    pub branch_code: String,
    pub actor: Actor,
    pub key: Option<IdempotencyKey>,
    /// SOFTWARE-4: an urgent software issue out of hours pages the development leads.
    pub page_development_leads: bool,
    pub now: Timestamp,
}

type Answer = oneshot::Sender<Result<service_order::Model, AppError>>;

/// The most registrations one transaction writes: at about thirty columns an order, far
/// below either database's limit on bound parameters, and a batch stays short.
const MAX_BATCH: usize = 64;

/// One app instance's registration writer; started by the first registration.
#[derive(Default)]
pub struct IntakeWriter {
    queue: Mutex<Option<mpsc::UnboundedSender<(Registration, Answer)>>>,
}

impl IntakeWriter {
    /// Writes `registration` through `writer` in the next batch and returns the order.
    pub(crate) async fn write(
        &self,
        writer: &DatabaseConnection,
        registration: Registration,
    ) -> Result<service_order::Model, AppError> {
        let (answer, answered) = oneshot::channel();
        self.queue(writer)
            .send((registration, answer))
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// The writer task's queue, starting the task when there is none. A task ends with the
    /// runtime it ran on; the next registration then starts another.
    fn queue(&self, writer: &DatabaseConnection) -> mpsc::UnboundedSender<(Registration, Answer)> {
        let mut queue = self.queue.lock().expect("intake queue");
        match queue.as_ref() {
            Some(sender) if !sender.is_closed() => sender.clone(),
            _ => {
                let (sender, receiver) = mpsc::unbounded_channel();
                tokio::spawn(run(writer.clone(), receiver));
                *queue = Some(sender.clone());
                sender
            }
        }
    }
}

fn stopped() -> AppError {
    AppError::Internal(anyhow::anyhow!("the registration writer stopped"))
}

async fn run(
    writer: DatabaseConnection,
    mut queue: mpsc::UnboundedReceiver<(Registration, Answer)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (registrations, answers): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        match write_batch(&writer, &registrations).await {
            Ok(orders) => {
                for (answer, order) in answers.into_iter().zip(orders) {
                    // A caller that went away still has its order; its retry replays it.
                    let _ = answer.send(Ok(order));
                }
            }
            Err(err) if registrations.len() == 1 => {
                if let Some(answer) = answers.into_iter().next() {
                    let _ = answer.send(Err(err));
                }
            }
            // One registration's failure must not fail the others.
            Err(_) => {
                for (registration, answer) in registrations.iter().zip(answers) {
                    let alone = write_batch(&writer, std::slice::from_ref(registration)).await;
                    let _ = answer.send(alone.map(|mut orders| orders.remove(0)));
                }
            }
        }
    }
}

/// Writes `batch` in one transaction; the orders come back in the batch's order.
async fn write_batch(
    writer: &DatabaseConnection,
    batch: &[Registration],
) -> Result<Vec<service_order::Model>, AppError> {
    let txn = crate::begin_write(writer).await?;
    let numbers = numbers(&txn, batch).await?;
    let rows = batch.iter().zip(&numbers).map(|(registration, number)| {
        let mut row = registration.order.clone();
        row.number = Set(number.clone());
        row
    });
    // RETURNING gives no promised order: the unique numbers put the rows back in place.
    let mut inserted: HashMap<String, service_order::Model> =
        service_order::Entity::insert_many(rows)
            .exec_with_returning_many(&txn)
            .await?
            .into_iter()
            .map(|order| (order.number.clone(), order))
            .collect();
    let orders = numbers
        .iter()
        .map(|number| {
            inserted
                .remove(number)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("order {number} not returned")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let written = || batch.iter().zip(&orders);
    service_order_event::Entity::insert_many(written().map(|(registration, order)| {
        service_orders::event_row(
            order.id,
            registration.now.as_millisecond(),
            Some(&registration.actor),
            "register",
            "",
            OrderStatus::Registered.as_str(),
            None,
        )
    }))
    .exec_without_returning(&txn)
    .await?;
    audit_record::Entity::insert_many(written().map(|(registration, order)| {
        audit::record_row(
            registration.now.as_millisecond(),
            Some(&registration.actor),
            "service_order",
            order.id,
            "register",
            None::<&()>,
            Some(order),
        )
    }))
    .exec_without_returning(&txn)
    .await?;
    for (registration, order) in written() {
        if registration.page_development_leads {
            service_orders::page_development_leads(&txn, order, registration.now).await?;
        }
    }
    // Collected first: a borrowing iterator held across the await would not be `Send`.
    let keys: Vec<_> = written()
        .filter_map(|(registration, order)| {
            idempotency::key_row(
                &registration.actor,
                registration.key.as_ref(),
                "service_order",
                order.id,
                registration.now.as_millisecond(),
            )
        })
        .collect();
    idempotency::remember_all(&txn, keys).await?;
    txn.commit().await?;
    Ok(orders)
}

/// The batch's order numbers, in its order: one upsert per sequence (a branch's day, say),
/// taken in the sequences' sorted order so that two instances' batches never wait on each
/// other's sequences crosswise.
async fn numbers(
    txn: &impl ConnectionTrait,
    batch: &[Registration],
) -> Result<Vec<String>, AppError> {
    let mut sequences: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (position, registration) in batch.iter().enumerate() {
        let scope = registration
            .pattern
            .scope(registration.call_day, &registration.branch_code);
        sequences.entry(scope).or_default().push(position);
    }
    let mut numbers = vec![String::new(); batch.len()];
    for (scope, positions) in sequences {
        let values = numbering::reserve(txn, scope, positions.len()).await?;
        for (position, value) in positions.into_iter().zip(values) {
            let registration = &batch[position];
            numbers[position] = registration.pattern.render(
                registration.call_day,
                &registration.branch_code,
                value,
            );
        }
    }
    Ok(numbers)
}
