//! Staff conduct, STAFF-6: discipline incidents with their type, evidence links, sanction and
//! approval. Who approves depends on the sanction (ORG-3 authority matrix, design decision):
//! the branch manager decides warnings, fines and non-reimbursement for the staff of the
//! branch; a dismissal or legal action needs the general manager.

use crate::code_enum;
use crate::role::Role;

code_enum! {
    pub enum IncidentKind {
        Absenteeism = "absenteeism",
        /// Improper language, soliciting, refusing service, repeat repair by personal fault
        /// (COMPLAINT-16, INTAKE-10).
        ServiceQualityFault = "service_quality_fault",
        /// Shirking a customer's return (RMA-8).
        ReturnShirking = "return_shirking",
        ExpenseFraud = "expense_fraud",
        OnCallBreach = "on_call_breach",
        ToolLoss = "tool_loss",
        DeliveryLateness = "delivery_lateness",
    }
}

code_enum! {
    pub enum Sanction {
        Warning = "warning",
        Fine = "fine",
        NonReimbursement = "non_reimbursement",
        Dismissal = "dismissal",
        LegalAction = "legal_action",
    }
}

code_enum! {
    pub enum IncidentStatus {
        /// Waiting for a decision.
        Open = "open",
        /// The sanction was approved.
        Approved = "approved",
        /// No fault after all.
        Dismissed = "dismissed",
    }
}

impl Sanction {
    /// The role that approves this sanction.
    pub fn approver(self) -> Role {
        match self {
            Sanction::Dismissal | Sanction::LegalAction => Role::GeneralManager,
            Sanction::Warning | Sanction::Fine | Sanction::NonReimbursement => Role::BranchManager,
        }
    }
}

/// Checks a sanction's amount: a fine needs an amount in fen above 0; other sanctions none.
pub fn check_fine(sanction: Sanction, fine_fen: Option<i64>) -> Result<(), &'static str> {
    match (sanction, fine_fen) {
        (Sanction::Fine, Some(fen)) if fen > 0 && fen <= 100_000_000 => Ok(()),
        (Sanction::Fine, Some(_)) => Err("out_of_range"),
        (Sanction::Fine, None) => Err("required"),
        (_, Some(_)) => Err("only_for_fines"),
        (_, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissal_and_legal_action_need_the_general_manager() {
        for (sanction, role) in [
            (Sanction::Warning, Role::BranchManager),
            (Sanction::Fine, Role::BranchManager),
            (Sanction::NonReimbursement, Role::BranchManager),
            (Sanction::Dismissal, Role::GeneralManager),
            (Sanction::LegalAction, Role::GeneralManager),
        ] {
            assert_eq!(sanction.approver(), role, "{sanction}");
        }
    }

    #[test]
    fn only_a_fine_carries_an_amount() {
        for (sanction, fen, expected) in [
            (Sanction::Fine, Some(5_000), Ok(())),
            (Sanction::Fine, None, Err("required")),
            (Sanction::Fine, Some(0), Err("out_of_range")),
            (Sanction::Warning, None, Ok(())),
            (Sanction::Warning, Some(100), Err("only_for_fines")),
        ] {
            assert_eq!(check_fine(sanction, fen), expected, "{sanction} {fen:?}");
        }
    }
}
