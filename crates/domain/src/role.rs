//! Roles (ORG-2) and the permission matrix. A user may hold several roles; rights are the
//! union. Whether a role sees every branch or only its own is part of the role.

use crate::code_enum;

code_enum! {
    pub enum Role {
        Admin = "admin",
        GeneralManager = "general_manager",
        DeputyGeneralManager = "deputy_general_manager",
        BranchManager = "branch_manager",
        /// 客户部: HQ owner of after-sales planning, complaints and surveys.
        CustomerDepartment = "customer_department",
        /// 服务主任/主管: dispatch, assistance, inspection, report review.
        ServiceSupervisor = "service_supervisor",
        /// 业务员/接待员: registers calls and keeps the registers.
        ServiceAgent = "service_agent",
        Technician = "technician",
        WarehouseKeeper = "warehouse_keeper",
        Accountant = "accountant",
        /// 质量管理部.
        Qa = "qa",
        /// 投诉热线: kept apart from the service department (SUPERVISION-2).
        ComplaintHotline = "complaint_hotline",
        /// A customer's portal user: sees only its own customer's records.
        Customer = "customer",
    }
}

code_enum! {
    pub enum Permission {
        /// Read customers, their units, contracts and history.
        CustomerRead = "customer.read",
        CustomerWrite = "customer.write",
        ProductRead = "product.read",
        ProductWrite = "product.write",
        UnitWrite = "unit.write",
        ContractRead = "contract.read",
        ContractWrite = "contract.write",
        OrgRead = "org.read",
        OrgWrite = "org.write",
        StaffRead = "staff.read",
        StaffWrite = "staff.write",
        ApiTokenManage = "api_token.manage",
        AuditRead = "audit.read",
        SettingsWrite = "settings.write",
        ImportExport = "import_export",
        AttachmentWrite = "attachment.write",
        OrderRead = "order.read",
        /// Register calls; hand back and archive vouchers (the clerk's part).
        OrderRegister = "order.register",
        /// Dispatch, reassign, inspect and cancel (the supervisor's part).
        OrderDispatch = "order.dispatch",
        /// Contact, check in, complete, carry in and repair (the technician's part).
        OrderWork = "order.work",
        /// Read technicians' and branches' daily reports (one's own report needs only
        /// `OrderWork`).
        DailyReportRead = "daily_report.read",
        /// Approve (sign), return and forward a branch's daily report (the branch manager's part).
        ReportApprove = "report.approve",
        /// Register a complaint or a complaint tendency (COMPLAINT-1: any employee).
        ComplaintRegister = "complaint.register",
        /// Read complaints and their department tasks.
        ComplaintRead = "complaint.read",
        /// Route, set deadlines, decide, close, audit and review complaints (the customer
        /// department's part). Service-department roles never hold it, so they cannot edit
        /// hotline records (SUPERVISION-2).
        ComplaintManage = "complaint.manage",
        /// Enter a department's findings and log visits, calls and case conferences.
        ComplaintInvestigate = "complaint.investigate",
        /// Review serious cases and approve reward/penalty notices (GM / deputy GM).
        ComplaintApprove = "complaint.approve",
        /// Register claims and work through their standard steps (CLAIM-1, 2).
        ClaimWrite = "claim.write",
        ClaimRead = "claim.read",
        /// The sales manager's review every claim file needs before closing (CLAIM-3): held
        /// by the branch manager (业务/分公司经理), the seeds' sales manager.
        ClaimReview = "claim.review",
    }
}

use Permission::*;

impl Role {
    /// The permission matrix. The service layer asks this before every operation; the UI
    /// only uses it to hide what would be refused anyway.
    #[rustfmt::skip]
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::Admin => Permission::ALL,
            Role::GeneralManager | Role::DeputyGeneralManager => &[
                CustomerRead, CustomerWrite, ProductRead, ContractRead, ContractWrite, OrgRead, StaffRead,
                AuditRead, ImportExport, AttachmentWrite, OrderRead, DailyReportRead,
                ComplaintRegister, ComplaintRead, ComplaintApprove, ClaimRead,
            ],
            Role::BranchManager => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, ContractWrite, OrgRead,
                StaffRead, StaffWrite, AuditRead, ImportExport, AttachmentWrite, OrderRead, OrderRegister,
                OrderDispatch, DailyReportRead, ReportApprove, ComplaintRegister, ComplaintRead, ComplaintInvestigate,
                ClaimRead, ClaimReview,
            ],
            Role::CustomerDepartment => &[
                CustomerRead, CustomerWrite, ProductRead, ProductWrite, UnitWrite, ContractRead, ContractWrite,
                OrgRead, StaffRead, AuditRead, ImportExport, AttachmentWrite, OrderRead, OrderRegister,
                DailyReportRead, ComplaintRegister, ComplaintRead, ComplaintManage, ComplaintInvestigate,
                ClaimWrite, ClaimRead,
            ],
            Role::ServiceSupervisor => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, OrgRead, StaffRead,
                AttachmentWrite, OrderRead, OrderRegister, OrderDispatch, OrderWork, DailyReportRead,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate,
            ],
            Role::ServiceAgent => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, OrgRead, AttachmentWrite,
                OrderRead, OrderRegister, ComplaintRegister, ComplaintRead,
            ],
            Role::Technician => &[
                CustomerRead, ProductRead, ContractRead, OrgRead, AttachmentWrite, OrderRead, OrderWork,
                ComplaintRegister, ComplaintRead,
            ],
            Role::WarehouseKeeper => &[ProductRead, OrgRead, ComplaintRegister, ComplaintRead, ComplaintInvestigate],
            Role::Accountant => &[CustomerRead, ProductRead, ContractRead, OrgRead, OrderRead, ComplaintRegister, ComplaintRead],
            Role::Qa => &[
                CustomerRead, ProductRead, OrgRead, AuditRead, OrderRead, ComplaintRegister, ComplaintRead,
                ComplaintInvestigate,
            ],
            Role::ComplaintHotline => &[CustomerRead, ProductRead, OrgRead, OrderRead, ComplaintRegister, ComplaintRead],
            Role::Customer => &[CustomerRead, ProductRead, ContractRead, OrderRead],
        }
    }

    /// Roles that see every branch's records (ORG-1: the customer department sees everything;
    /// headquarters roles likewise). All other staff roles see their own branch only.
    pub fn spans_branches(self) -> bool {
        matches!(
            self,
            Role::Admin
                | Role::GeneralManager
                | Role::DeputyGeneralManager
                | Role::CustomerDepartment
                | Role::Qa
                | Role::ComplaintHotline
        )
    }
}

/// What a signed-in user may see: every branch, one branch, or one customer's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    AllBranches,
    Branch(i64),
    Customer(i64),
    /// A staff member with no branch and no cross-branch role sees nothing.
    Nothing,
}

/// The scope of a user holding `roles`, attached to `org_unit_id` and, for portal users,
/// to `customer_id`. A portal user is always limited to its customer, whatever else it holds.
pub fn scope_of(roles: &[Role], org_unit_id: Option<i64>, customer_id: Option<i64>) -> Scope {
    if roles.contains(&Role::Customer) {
        return customer_id.map_or(Scope::Nothing, Scope::Customer);
    }
    if roles.iter().any(|r| r.spans_branches()) {
        return Scope::AllBranches;
    }
    org_unit_id.map_or(Scope::Nothing, Scope::Branch)
}

pub fn allows(roles: &[Role], permission: Permission) -> bool {
    roles
        .iter()
        .any(|role| role.permissions().contains(&permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_code_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("nobody"), None);
    }

    #[test]
    fn only_admin_manages_api_tokens_and_settings() {
        for role in Role::ALL {
            let expected = *role == Role::Admin;
            assert_eq!(allows(&[*role], ApiTokenManage), expected, "{role}");
            assert_eq!(allows(&[*role], SettingsWrite), expected, "{role}");
        }
    }

    #[test]
    fn a_portal_user_is_limited_to_its_customer_even_with_other_roles() {
        assert_eq!(
            scope_of(&[Role::Customer, Role::Admin], Some(1), Some(7)),
            Scope::Customer(7)
        );
        assert_eq!(scope_of(&[Role::Customer], None, None), Scope::Nothing);
    }

    #[test]
    fn branch_staff_see_their_branch_and_headquarters_roles_see_all() {
        assert_eq!(
            scope_of(&[Role::Technician], Some(3), None),
            Scope::Branch(3)
        );
        assert_eq!(
            scope_of(&[Role::Technician, Role::CustomerDepartment], Some(3), None),
            Scope::AllBranches
        );
        assert_eq!(scope_of(&[Role::ServiceAgent], None, None), Scope::Nothing);
    }

    #[test]
    fn customers_and_warehouse_keepers_cannot_write_customers() {
        assert!(!allows(&[Role::Customer], CustomerWrite));
        assert!(!allows(&[Role::WarehouseKeeper], CustomerRead));
        assert!(allows(&[Role::ServiceAgent], CustomerWrite));
    }
}
