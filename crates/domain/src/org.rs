//! The organisation tree (ORG-1): unit kinds, supporting departments and district zones.

use crate::code_enum;

code_enum! {
    pub enum OrgUnitKind {
        /// 客户部: HQ customer department.
        CustomerDepartment = "customer_department",
        /// 服务中心.
        ServiceCenter = "service_center",
        /// 分公司.
        Branch = "branch",
        /// A supporting department that complaints and returns are routed to.
        Department = "department",
    }
}

code_enum! {
    /// The supporting departments named in the seeds.
    pub enum DepartmentKind {
        Sales = "sales",
        Marketing = "marketing",
        Qa = "qa",
        Manufacturing = "manufacturing",
        RnD = "rnd",
        Warehouse = "warehouse",
        Transport = "transport",
        Finance = "finance",
        Purchasing = "purchasing",
        Hr = "hr",
        Supervision = "supervision",
        AdminOffice = "admin_office",
        GmOffice = "gm_office",
    }
}

code_enum! {
    /// 市区 / 郊区: decides the arrival SLA (6 or 7 working hours by default).
    pub enum Zone {
        Urban = "urban",
        Suburban = "suburban",
    }
}

impl OrgUnitKind {
    /// Only a department carries a department kind; the others must not.
    pub fn check_department_kind(
        self,
        department_kind: Option<DepartmentKind>,
    ) -> Result<(), &'static str> {
        match (self, department_kind) {
            (OrgUnitKind::Department, None) => Err("required"),
            (OrgUnitKind::Department, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err("only_for_departments"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_needs_a_kind_and_a_branch_must_not_have_one() {
        assert_eq!(
            OrgUnitKind::Department.check_department_kind(None),
            Err("required")
        );
        assert_eq!(
            OrgUnitKind::Department.check_department_kind(Some(DepartmentKind::Qa)),
            Ok(())
        );
        assert_eq!(
            OrgUnitKind::Branch.check_department_kind(Some(DepartmentKind::Qa)),
            Err("only_for_departments")
        );
        assert_eq!(OrgUnitKind::Branch.check_department_kind(None), Ok(()));
    }
}
