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
        /// 研发负责人: decides on software requirements (SOFTWARE-3) and takes test tasks
        /// (SOFTWARE-4).
        DevelopmentLead = "development_lead",
        /// Staff of a supporting department (purchasing, transport, manufacturing, R&D…):
        /// acts on the tasks orders send their department (REPAIR-7/8).
        DepartmentStaff = "department_staff",
        /// 安装公司: a user of an installation company (internal team or contracted firm);
        /// sees only its own company's installation work orders.
        Installer = "installer",
        /// 平台客服: rules on online requests the seller rejected (ECOM-4); the ruling is final.
        PlatformArbiter = "platform_arbiter",
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
        /// Accept or decline a quote for one's own paid repair (the customer in the portal;
        /// on site the technician records the customer's signature under `OrderWork`).
        QuoteConfirm = "quote.confirm",
        /// Define SLA policies: which clocks run for which orders, with what allowance.
        SlaPolicyWrite = "sla_policy.write",
        /// Read survey cards (a portal user: its own customer's cards only).
        SurveyRead = "survey.read",
        /// Enter a card's answer: the customer department from a returned paper card or a
        /// phone call, a portal user for its own cards. Never technicians (they are rated).
        SurveyAnswer = "survey.answer",
        /// The survey aggregates per technician and branch (the monthly assessment input).
        SurveyReport = "survey.report",
        /// The follow-up calls (回访): see what is due and log calls.
        FollowUp = "follow_up",
        /// Read discipline incidents (STAFF-6) of the staff in scope.
        IncidentRead = "incident.read",
        /// Open a discipline incident by hand (a supervisor's or the customer department's finding).
        IncidentWrite = "incident.write",
        /// Decide an incident: the branch manager (warning, fine, non-reimbursement) or the
        /// general manager (also dismissal and legal action).
        IncidentDecide = "incident.decide",
        /// Read return and exchange requests (RMA).
        ReturnRead = "return.read",
        /// File and review returns, exchange, close with the responsibility (RMA-2..8).
        ReturnWrite = "return.write",
        /// Act on a return's department tasks: receive the goods, refund, analyse (RMA-7).
        ReturnTask = "return.task",
        /// Read home deliveries.
        DeliveryRead = "delivery.read",
        /// Plan, assign and cancel deliveries (DELIVERY-1).
        DeliveryWrite = "delivery.write",
        /// The driver's part: pre-call, reschedule, depart, arrive, unboxing, sign-off.
        DeliveryWork = "delivery.work",
        /// Settle paid service: confirm technicians' cash handovers, raise invoices, record
        /// collections and mailings, export revenue (the accountant's part, BILLING-4/5/6).
        BillingSettle = "billing.settle",
        /// Read the parts catalogue, stock at every location, the ledger and counts.
        PartsRead = "parts.read",
        /// Keep the catalogue, receive, transfer between warehouses, scrap, count (the
        /// warehouse keeper's part).
        PartsWrite = "parts.write",
        /// Transfer into technicians' vans and approve counts (the supervisor's part).
        PartsApprove = "parts.approve",
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
        /// Act on tasks an order gives oneself or one's department: support and questions
        /// (DISPATCH-7), transport, quality feedback (REPAIR-7), supplier coordination
        /// (REPAIR-8), software tests (SOFTWARE-4).
        OrderTask = "order.task",
        /// Decide on a software requirement: do it or not, charge or not, when and how
        /// (SOFTWARE-3).
        SoftwareEvaluate = "software.evaluate",
        /// Draft and submit the monthly statistics to the admin and GM offices (REPORT-1).
        MonthlyReport = "report.monthly",
        /// Read installation work orders (an installer: its own company's only) and the
        /// provider scorecards.
        InstallRead = "install.read",
        /// Record installation orders and send them to a company; cancel (INSTALL-1, 2).
        InstallWrite = "install.write",
        /// The installation company's part: acknowledge with the installers, commission,
        /// train and complete with the customer's signature (INSTALL-2, 3, 5).
        InstallWork = "install.work",
        /// Keep the installation companies and their users.
        InstallProviderManage = "install.provider_manage",
        /// Read online orders and buyers' after-sales requests (a portal user: its own).
        EcomRead = "ecom.read",
        /// The seller's part: import online orders, accept or reject requests, open the repair
        /// order, log an external escalation (ECOM-1, 4, 5).
        EcomManage = "ecom.manage",
        /// The buyer's part in the portal: file, cancel, ask for arbitration (ECOM-2..4).
        EcomFile = "ecom.file",
        /// Rule on a rejected request (ECOM-4).
        EcomArbitrate = "ecom.arbitrate",
        /// Technicians' and departments' monthly scorecards (issue 6 "Performance").
        PerformanceRead = "performance.read",
        /// Read staff evaluations, supervision activities, visit plans and the hotline
        /// re-check (the supervision side and management).
        SupervisionRead = "supervision.read",
        /// Record staff evaluations, activities, visit plans and re-check findings (the
        /// supervision side: customer department and complaint hotline, SUPERVISION-1..4).
        SupervisionWrite = "supervision.write",
        /// Mystery-shopper (秘密监察) reports and the shoppers' identities (SUPERVISION-5):
        /// the supervision department only; everyone else gets 404.
        MysteryShop = "mystery_shop",
        /// Submit an improvement suggestion (STAFF-5: every employee).
        SuggestionSubmit = "suggestion.submit",
        /// Answer suggestions, reward them, enter suggestion forms from public places (the
        /// customer department).
        SuggestionManage = "suggestion.manage",
        /// See the replenishment proposal and raise parts purchase requests and tool price
        /// enquiries (the warehouse keeper and the service department, PARTS-3, TOOLS-3).
        PartsPlan = "parts.plan",
        /// Read the parts reports (stock value, slow movers, consumption, van stock, tools
        /// held, open purchases).
        PartsReport = "parts.report",
        /// Register tools and record their custody: issue, return, hand-over, loss, damage,
        /// wear-out (TOOLS-1, 2).
        ToolsKeep = "tools.keep",
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
                AuditRead, ImportExport, AttachmentWrite, OrderRead, DailyReportRead, PartsRead,
                SurveyRead, SurveyReport, IncidentRead, IncidentDecide,
                ReturnRead, DeliveryRead,
                ComplaintRegister, ComplaintRead, ComplaintApprove, ClaimRead,
                InstallRead,
                EcomRead,
                PerformanceRead, SupervisionRead, SuggestionSubmit,
                PartsReport,
            ],
            Role::BranchManager => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, ContractWrite, OrgRead,
                StaffRead, StaffWrite, AuditRead, ImportExport, AttachmentWrite, OrderRead, OrderRegister,
                OrderDispatch, OrderTask, DailyReportRead, ReportApprove, PartsRead, PartsApprove,
                SurveyRead, SurveyReport, FollowUp, IncidentRead, IncidentWrite, IncidentDecide,
                ReturnRead, ReturnWrite, ReturnTask, DeliveryRead, DeliveryWrite, DeliveryWork,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate, ClaimRead, ClaimReview,
                InstallRead, InstallWrite, InstallWork,
                EcomRead, EcomManage,
                PerformanceRead, SuggestionSubmit,
                PartsPlan, PartsReport, ToolsKeep,
            ],
            Role::CustomerDepartment => &[
                CustomerRead, CustomerWrite, ProductRead, ProductWrite, UnitWrite, ContractRead, ContractWrite,
                OrgRead, StaffRead, AuditRead, ImportExport, AttachmentWrite, OrderRead, OrderRegister,
                DailyReportRead, SlaPolicyWrite, PartsRead,
                SurveyRead, SurveyAnswer, SurveyReport, FollowUp, IncidentRead, IncidentWrite,
                ReturnRead, ReturnWrite, ReturnTask, DeliveryRead, DeliveryWrite,
                ComplaintRegister, ComplaintRead, ComplaintManage, ComplaintInvestigate, ClaimWrite, ClaimRead,
                MonthlyReport,
                InstallRead, InstallWrite, InstallProviderManage,
                EcomRead, EcomManage,
                PerformanceRead, SupervisionRead, SupervisionWrite, MysteryShop, SuggestionSubmit, SuggestionManage,
            ],
            Role::ServiceSupervisor => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, OrgRead, StaffRead,
                AttachmentWrite, OrderRead, OrderRegister, OrderDispatch, OrderWork, OrderTask, DailyReportRead,
                PartsRead, PartsApprove,
                SurveyRead, SurveyReport, FollowUp, IncidentRead, IncidentWrite,
                ReturnRead, ReturnWrite, ReturnTask, DeliveryRead, DeliveryWrite, DeliveryWork,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate,
                InstallRead, InstallWrite, InstallWork,
                EcomRead, EcomManage,
                PerformanceRead, SuggestionSubmit,
                PartsPlan, PartsReport, ToolsKeep,
            ],
            Role::ServiceAgent => &[
                CustomerRead, CustomerWrite, ProductRead, UnitWrite, ContractRead, OrgRead, AttachmentWrite,
                OrderRead, OrderRegister,
                ReturnRead, ReturnWrite, DeliveryRead, DeliveryWrite,
                ComplaintRegister, ComplaintRead,
                InstallRead, InstallWrite,
                EcomRead, EcomManage,
                SuggestionSubmit,
            ],
            Role::Technician => &[
                CustomerRead, ProductRead, ContractRead, OrgRead, AttachmentWrite, OrderRead, OrderWork, OrderTask,
                PartsRead, DeliveryRead, DeliveryWork, ComplaintRegister, ComplaintRead,
                SuggestionSubmit,
            ],
            Role::WarehouseKeeper => &[
                ProductRead, OrgRead, PartsRead, PartsWrite, ReturnRead, ReturnTask, DeliveryRead,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate,
                SuggestionSubmit,
                PartsPlan, PartsReport, ToolsKeep,
            ],
            Role::Accountant => &[
                CustomerRead, ProductRead, ContractRead, OrgRead, OrderRead, PartsRead, ReturnRead, ReturnTask,
                BillingSettle, ComplaintRegister, ComplaintRead,
                SuggestionSubmit,
                PartsReport,
            ],
            Role::Qa => &[
                CustomerRead, ProductRead, OrgRead, AuditRead, OrderRead, OrderTask, SurveyRead, SurveyReport,
                ReturnRead, ReturnTask, ComplaintRegister, ComplaintRead, ComplaintInvestigate,
                CustomerRead, ProductRead, OrgRead, AuditRead, OrderRead, SurveyRead, SurveyReport, ReturnRead, ReturnTask,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate,
                PerformanceRead, SuggestionSubmit,
            ],
            Role::ComplaintHotline => &[
                CustomerRead, ProductRead, OrgRead, OrderRead, SurveyRead, FollowUp, ReturnRead,
                ComplaintRegister, ComplaintRead,
                StaffRead, SupervisionRead, SupervisionWrite, MysteryShop, SuggestionSubmit,
            ],
            Role::DevelopmentLead => &[
                CustomerRead, ProductRead, OrgRead, AttachmentWrite, OrderRead, OrderTask, SoftwareEvaluate,
                ComplaintRegister, ComplaintRead,
            ],
            Role::DepartmentStaff => &[
                CustomerRead, ProductRead, OrgRead, OrderRead, OrderTask,
                ComplaintRegister, ComplaintRead, ComplaintInvestigate,
            ],
            Role::Installer => &[InstallRead, InstallWork],
            Role::Customer => &[CustomerRead, ProductRead, ContractRead, OrderRead, SurveyRead, SurveyAnswer, QuoteConfirm, EcomRead, EcomFile],
            Role::PlatformArbiter => &[CustomerRead, ProductRead, OrgRead, EcomRead, EcomArbitrate],
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
                | Role::DevelopmentLead
                | Role::DepartmentStaff
                | Role::PlatformArbiter
        )
    }
}

/// SUPERVISION-2: the complaint hotline belongs to the supervision department and is kept
/// apart from the service department, so no user holds the hotline role together with a
/// service-department role (branch manager, supervisor, agent, technician). Modelling
/// choice: the supervision department is the set of users holding the hotline role.
pub fn hotline_conflict(roles: &[Role]) -> bool {
    roles.contains(&Role::ComplaintHotline)
        && roles.iter().any(|r| {
            matches!(
                r,
                Role::BranchManager
                    | Role::ServiceSupervisor
                    | Role::ServiceAgent
                    | Role::Technician
            )
        })
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
    fn an_installer_only_reads_and_works_installation_orders() {
        assert_eq!(Role::Installer.permissions(), [InstallRead, InstallWork]);
        assert!(!Role::Installer.spans_branches());
        for role in Role::ALL {
            let expected = matches!(role, Role::Admin | Role::CustomerDepartment);
            assert_eq!(allows(&[*role], InstallProviderManage), expected, "{role}");
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
    fn the_hotline_role_is_never_held_with_a_service_department_role() {
        for role in Role::ALL {
            let conflict = matches!(
                role,
                Role::BranchManager
                    | Role::ServiceSupervisor
                    | Role::ServiceAgent
                    | Role::Technician
            );
            assert_eq!(
                hotline_conflict(&[Role::ComplaintHotline, *role]),
                conflict,
                "{role}"
            );
            assert!(!hotline_conflict(&[*role]), "{role} alone");
        }
    }

    #[test]
    fn customers_and_warehouse_keepers_cannot_write_customers() {
        assert!(!allows(&[Role::Customer], CustomerWrite));
        assert!(!allows(&[Role::WarehouseKeeper], CustomerRead));
        assert!(allows(&[Role::ServiceAgent], CustomerWrite));
    }
}
