//! A realistic demo company in Chinese: the HQ customer department and supporting
//! departments, two branches with their districts, staff in every role, about 200 customers
//! with products, installed units and maintenance contracts. Everything goes through the
//! same use cases as the UI, so the demo data is valid and audited.

use aftersales_domain::role::Role;
use aftersales_store::entity::{org_unit, user};
use aftersales_store::sea_orm::{EntityTrait, PaginatorTrait};

use crate::customers::{AddressInput, ContactInput, CustomerInput};
use crate::org::{DistrictInput, OrgUnitInput};
use crate::products::{ComponentInput, ProductInput};
use crate::staff::{QualificationInput, UserInput};
use crate::units::UnitInput;
use crate::{Actor, App, AppError};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo1234";

/// A small deterministic generator, so every demo load is the same company.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A catalogue entry of the demo company.
struct DemoProduct {
    model: &'static str,
    name: &'static str,
    category: &'static str,
    months: i32,
    bulky: bool,
    install: bool,
    components: &'static [(&'static str, i32)],
}

/// Whether the database already holds an organisation (then the demo is not loaded again).
pub async fn is_loaded(app: &App) -> Result<bool, AppError> {
    Ok(org_unit::Entity::find().count(&app.db).await? > 0)
}

fn unit_input(
    code: &str,
    name: &str,
    kind: &str,
    department_kind: Option<&str>,
    parent_id: Option<i64>,
) -> OrgUnitInput {
    OrgUnitInput {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        department_kind: department_kind.map(str::to_string),
        parent_id,
        calendar_code: None,
        time_zone: None,
        version: None,
    }
}

fn staff(
    username: &str,
    name: &str,
    unit: i64,
    roles: &[Role],
    skills: &[&str],
    badge: &str,
) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: name.into(),
        password: Some(DEMO_PASSWORD.into()),
        org_unit_id: Some(unit),
        customer_id: None,
        phone: None,
        email: Some(format!("{username}@demo.aftersales.cn")),
        badge_no: Some(badge.into()),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        active: true,
        version: None,
    }
}

/// Loads the demo company. The first administrator (`admin`) is created here too.
pub async fn load(app: &App) -> Result<(), AppError> {
    let hq = {
        // The organisation must exist before any actor can act, so the root unit and the
        // administrator are created by the operator, as `aftersales user create` would.
        let root = crate::org::create_root_unit(
            app,
            &unit_input("HQ", "客户部（总部）", "customer_department", None, None),
        )
        .await?;
        crate::staff::create_by_operator(
            app,
            &staff("admin", "系统管理员", root, &[Role::Admin], &[], "A0001"),
        )
        .await?;
        root
    };
    let admin_id = user::Entity::find()
        .one(&app.db)
        .await?
        .map(|u| u.id)
        .ok_or(AppError::NotFound)?;
    let admin: Actor = Actor::load(&app.db, admin_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = &admin;

    let mut departments = Vec::new();
    for (code, name, kind) in [
        ("SALES", "业务部", "sales"),
        ("MKT", "市场部", "marketing"),
        ("QA", "质量管理部", "qa"),
        ("MFG", "制造部", "manufacturing"),
        ("RND", "研发部", "rnd"),
        ("WH", "备件仓库", "warehouse"),
        ("TRANS", "运输部", "transport"),
        ("FIN", "财务部", "finance"),
        ("HR", "人事部", "hr"),
        ("SUPV", "监督部", "supervision"),
    ] {
        departments.push(
            crate::org::create_unit(
                app,
                a,
                &unit_input(code, name, "department", Some(kind), Some(hq)),
            )
            .await?
            .id,
        );
    }
    let beijing = crate::org::create_unit(
        app,
        a,
        &unit_input("BJ", "北京分公司", "branch", None, Some(hq)),
    )
    .await?
    .id;
    let tianjin = crate::org::create_unit(
        app,
        a,
        &unit_input("TJ", "天津分公司", "branch", None, Some(hq)),
    )
    .await?
    .id;

    let mut districts = Vec::new();
    for (branch, name, zone) in [
        (beijing, "东城区", "urban"),
        (beijing, "西城区", "urban"),
        (beijing, "朝阳区", "urban"),
        (beijing, "海淀区", "urban"),
        (beijing, "昌平区", "suburban"),
        (beijing, "顺义区", "suburban"),
        (tianjin, "和平区", "urban"),
        (tianjin, "河西区", "urban"),
        (tianjin, "南开区", "urban"),
        (tianjin, "武清区", "suburban"),
        (tianjin, "宝坻区", "suburban"),
    ] {
        let district = crate::org::create_district(
            app,
            a,
            &DistrictInput {
                org_unit_id: branch,
                name: name.into(),
                zone: zone.into(),
                version: None,
            },
        )
        .await?;
        districts.push((branch, district.id, name));
    }

    let categories = ["空调", "冰箱", "洗衣机", "热水器", "电视", "管理软件"];
    let people: Vec<UserInput> = vec![
        staff("gm", "王建国", hq, &[Role::GeneralManager], &[], "M0001"),
        staff(
            "vgm",
            "李秀英",
            hq,
            &[Role::DeputyGeneralManager],
            &[],
            "M0002",
        ),
        staff(
            "kefu",
            "张敏",
            hq,
            &[Role::CustomerDepartment],
            &[],
            "K0001",
        ),
        staff(
            "hotline",
            "刘洋",
            departments[9],
            &[Role::ComplaintHotline],
            &[],
            "S0001",
        ),
        staff("qa", "陈静", departments[2], &[Role::Qa], &[], "Q0001"),
        staff(
            "kuguan",
            "杨帆",
            departments[5],
            &[Role::WarehouseKeeper],
            &[],
            "W0001",
        ),
        staff(
            "kuaiji",
            "赵丽",
            departments[7],
            &[Role::Accountant],
            &[],
            "F0001",
        ),
        staff(
            "bj_jingli",
            "孙伟",
            beijing,
            &[Role::BranchManager],
            &[],
            "B1001",
        ),
        staff(
            "bj_zhuren",
            "周强",
            beijing,
            &[Role::ServiceSupervisor],
            &categories,
            "B1002",
        ),
        staff(
            "bj_jiedai",
            "吴芳",
            beijing,
            &[Role::ServiceAgent],
            &[],
            "B1003",
        ),
        staff(
            "bj_jishu1",
            "郑磊",
            beijing,
            &[Role::Technician],
            &["空调", "冰箱"],
            "B1101",
        ),
        staff(
            "bj_jishu2",
            "冯涛",
            beijing,
            &[Role::Technician],
            &["洗衣机", "热水器"],
            "B1102",
        ),
        staff(
            "bj_jishu3",
            "褚明",
            beijing,
            &[Role::Technician],
            &["电视", "管理软件"],
            "B1103",
        ),
        staff(
            "bj_jishu4",
            "卫东",
            beijing,
            &[Role::Technician],
            &["空调", "热水器"],
            "B1104",
        ),
        staff(
            "tj_jingli",
            "蒋华",
            tianjin,
            &[Role::BranchManager],
            &[],
            "T2001",
        ),
        staff(
            "tj_zhuren",
            "沈刚",
            tianjin,
            &[Role::ServiceSupervisor],
            &categories,
            "T2002",
        ),
        staff(
            "tj_jiedai",
            "韩梅",
            tianjin,
            &[Role::ServiceAgent],
            &[],
            "T2003",
        ),
        staff(
            "tj_jishu1",
            "杨光",
            tianjin,
            &[Role::Technician],
            &["空调", "冰箱"],
            "T2101",
        ),
        staff(
            "tj_jishu2",
            "朱亮",
            tianjin,
            &[Role::Technician],
            &["洗衣机", "电视"],
            "T2102",
        ),
        staff(
            "tj_jishu3",
            "秦岭",
            tianjin,
            &[Role::Technician],
            &["热水器", "管理软件"],
            "T2103",
        ),
        // The Beijing branch's accountant: cash handover and invoices are branch-scoped.
        staff(
            "bj_kuaiji",
            "钱芳",
            beijing,
            &[Role::Accountant],
            &[],
            "B1004",
        ),
    ];
    let today = app.today();
    let in_two_years = today.saturating_add(jiff::Span::new().years(2)).to_string();
    let mut technicians = Vec::new();
    for person in &people {
        let created = crate::staff::create(app, a, person).await?;
        if person
            .roles
            .contains(&Role::Technician.as_str().to_string())
        {
            technicians.push(created.id);
        }
        if person
            .roles
            .contains(&Role::ServiceAgent.as_str().to_string())
        {
            let training = QualificationInput {
                kind: "reception_training".into(),
                product_category: None,
                title: "服务接待培训".into(),
                issued_on: "2025-03-01".into(),
                expires_on: Some(in_two_years.clone()),
            };
            crate::staff::add_qualification(app, a, created.id, &training).await?;
        }
        for skill in &person.skills {
            if person
                .roles
                .contains(&Role::Technician.as_str().to_string())
            {
                let certificate = QualificationInput {
                    kind: "certificate".into(),
                    product_category: Some(skill.clone()),
                    title: format!("{skill}维修上岗证"),
                    issued_on: "2025-01-10".into(),
                    expires_on: Some(in_two_years.clone()),
                };
                crate::staff::add_qualification(app, a, created.id, &certificate).await?;
            }
        }
    }

    let catalogue = [
        DemoProduct {
            model: "KFR-35GW",
            name: "壁挂式空调 1.5匹",
            category: "空调",
            months: 12,
            bulky: true,
            install: true,
            components: &[("压缩机", 72), ("电路板", 36), ("遥控器", 6)],
        },
        DemoProduct {
            model: "KFR-72LW",
            name: "柜式空调 3匹",
            category: "空调",
            months: 12,
            bulky: true,
            install: true,
            components: &[("压缩机", 72), ("电路板", 36)],
        },
        DemoProduct {
            model: "BCD-470",
            name: "对开门冰箱 470升",
            category: "冰箱",
            months: 12,
            bulky: true,
            install: false,
            components: &[("压缩机", 120), ("温控器", 24)],
        },
        DemoProduct {
            model: "BCD-215",
            name: "三门冰箱 215升",
            category: "冰箱",
            months: 12,
            bulky: true,
            install: false,
            components: &[("压缩机", 120)],
        },
        DemoProduct {
            model: "XQG100",
            name: "滚筒洗衣机 10公斤",
            category: "洗衣机",
            months: 12,
            bulky: true,
            install: false,
            components: &[("电机", 120), ("电脑板", 36)],
        },
        DemoProduct {
            model: "XQB80",
            name: "波轮洗衣机 8公斤",
            category: "洗衣机",
            months: 12,
            bulky: false,
            install: false,
            components: &[("电机", 60)],
        },
        DemoProduct {
            model: "JSQ25",
            name: "燃气热水器 13升",
            category: "热水器",
            months: 36,
            bulky: true,
            install: true,
            components: &[("热交换器", 60)],
        },
        DemoProduct {
            model: "F6015",
            name: "储水式电热水器 60升",
            category: "热水器",
            months: 24,
            bulky: true,
            install: true,
            components: &[("内胆", 96), ("加热管", 36)],
        },
        DemoProduct {
            model: "65Q7",
            name: "65英寸液晶电视",
            category: "电视",
            months: 12,
            bulky: true,
            install: false,
            components: &[("屏幕", 36), ("主板", 24)],
        },
        DemoProduct {
            model: "ERP-SVC",
            name: "售后管理软件（企业版）",
            category: "管理软件",
            months: 12,
            bulky: false,
            install: false,
            components: &[],
        },
    ];
    let mut products = Vec::new();
    for item in &catalogue {
        let product = crate::products::create(
            app,
            a,
            &ProductInput {
                model: item.model.into(),
                name: item.name.into(),
                category: item.category.into(),
                warranty_months: item.months,
                returnable: item.category != "管理软件",
                sanbao: item.category != "管理软件",
                bulky: item.bulky,
                needs_installation: item.install,
                seasonal: item.category == "空调",
                components: item
                    .components
                    .iter()
                    .map(|(n, m)| ComponentInput {
                        name: n.to_string(),
                        warranty_months: *m,
                    })
                    .collect(),
                version: None,
            },
            None,
        )
        .await?;
        products.push(product.id);
    }

    // The price schedule (维修项目与收费标准表) technicians show before paid work.
    for (code, name, kind, fen) in [
        ("SM-01", "上门费（市区）", "travel", 3_000),
        ("SM-02", "上门费（郊区）", "travel", 5_000),
        ("JC-01", "检测费", "repair", 2_000),
        ("WX-01", "更换电容", "repair", 8_000),
        ("WX-02", "空调加氟（R22，1.5匹以下）", "repair", 15_000),
        ("WX-03", "空调清洗（室内机）", "repair", 8_000),
        ("WX-04", "更换压缩机（工时）", "labour", 30_000),
        ("GS-01", "维修工时（每小时）", "labour", 6_000),
        ("LJ-01", "启动电容 35μF", "part", 2_500),
        ("LJ-02", "遥控器（通用）", "part", 4_500),
        ("LJ-03", "冷媒 R22（每公斤）", "part", 9_000),
    ] {
        crate::billing::create(
            app,
            a,
            &crate::billing::PriceItemInput {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                price_fen: fen,
                active: true,
                version: None,
            },
        )
        .await?;
    }

    let surnames = [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
        "郭", "何", "高", "林", "罗",
    ];
    let given = [
        "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
        "涛", "明", "超", "秀兰", "霞",
    ];
    let companies = [
        "宏达商贸有限公司",
        "华北物流中心",
        "新世纪酒店",
        "明德中学",
        "康宁医院",
        "福源超市",
        "金桥写字楼",
        "鑫源餐饮",
    ];
    let streets = [
        "建国路",
        "中关村大街",
        "长安街",
        "学院路",
        "解放路",
        "南京路",
        "友谊路",
        "人民路",
    ];
    let stores = [
        "国美电器王府井店",
        "苏宁易购中关村店",
        "京东之家",
        "天津大悦城旗舰店",
    ];
    let mut rng = Lcg(20_261_122);
    let mut demo_calls = Vec::new();
    let mut unit_serial = 0;
    for n in 0..200 {
        let is_company = n % 10 == 0;
        let (branch, district_id, _) = *rng.pick(&districts);
        let name = if is_company {
            format!(
                "{}{}",
                ["北京", "天津"][usize::from(branch == tianjin)],
                companies[n % companies.len()]
            )
        } else {
            format!("{}{}", rng.pick(&surnames), rng.pick(&given))
        };
        let phone = format!("13{}{:08}", 5 + n % 5, 10_000_000 + n * 7919);
        let input = CustomerInput {
            kind: if is_company { "company" } else { "person" }.into(),
            name: name.clone(),
            phone,
            email: is_company.then(|| format!("service{n}@example.cn")),
            wechat: (!is_company).then(|| format!("wx_{n:04}")),
            abc_class: None,
            abc_override_reason: None,
            key_account: is_company && n % 20 == 0,
            org_unit_id: Some(branch),
            referrer_id: None,
            business_profile: is_company.then(|| "长期合作单位，设备较多".to_string()),
            purchase_reason: None,
            promises: None,
            remarks: None,
            calendar_code: None,
            contacts: if is_company {
                vec![ContactInput {
                    name: format!("{}经理", rng.pick(&surnames)),
                    phone: format!("139{:08}", 20_000_000 + n * 31),
                    title: Some("设备主管".into()),
                }]
            } else {
                Vec::new()
            },
            addresses: vec![AddressInput {
                district_id,
                detail: format!(
                    "{}{}号{}室",
                    rng.pick(&streets),
                    1 + rng.below(300),
                    101 + rng.below(20)
                ),
                is_default: true,
            }],
            allow_duplicate_phone: false,
            version: None,
        };
        let customer = crate::customers::create(app, a, &input, None).await?;
        let address_id = crate::customers::addresses_of(&app.db, customer.id)
            .await?
            .first()
            .map(|ad| ad.id);
        let n_units = if is_company { 4 } else { 1 + rng.below(2) };
        let mut unit_ids = Vec::new();
        let address_for_orders = address_id;
        for _ in 0..n_units {
            unit_serial += 1;
            let product_idx = rng.below(products.len());
            let days_ago = rng.below(1_000) as i64;
            let purchase = today.saturating_sub(jiff::Span::new().days(days_ago));
            let list_price = [
                329_900, 699_900, 549_900, 259_900, 399_900, 159_900, 289_900, 189_900, 499_900,
                1_980_000,
            ][product_idx];
            let discount = [100, 95, 90, 85][rng.below(4)];
            let created = crate::units::create(
                app,
                a,
                &UnitInput {
                    serial_no: format!(
                        "SN{}{:06}",
                        catalogue[product_idx].model.replace('-', ""),
                        unit_serial
                    ),
                    product_id: products[product_idx],
                    customer_id: customer.id,
                    address_id,
                    purchase_date: purchase.to_string(),
                    install_date: catalogue[product_idx].install.then(|| {
                        purchase
                            .saturating_add(jiff::Span::new().days(2))
                            .min(today)
                            .to_string()
                    }),
                    store: Some(rng.pick(&stores).to_string()),
                    invoice_no: Some(format!("{:08}", 10_000_000 + unit_serial * 37)),
                    list_price_fen: list_price,
                    paid_price_fen: list_price * discount / 100,
                    seasonal: catalogue[product_idx].category == "空调",
                    version: None,
                },
                None,
            )
            .await?;
            unit_ids.push(created.id);
            if demo_calls.len() < 40 {
                demo_calls.push((customer.id, created.id, address_for_orders));
            }
        }
        if is_company || n % 9 == 0 {
            let start = today.saturating_sub(jiff::Span::new().days(rng.below(300) as i64));
            let contract = crate::contracts::create(
                app,
                a,
                &crate::contracts::ContractInput {
                    customer_id: customer.id,
                    start_date: start.to_string(),
                    end_date: start
                        .saturating_add(jiff::Span::new().years(1))
                        .yesterday()
                        .unwrap_or(start)
                        .to_string(),
                    fee_fen: 120_000 * unit_ids.len() as i64,
                    scope: Some("定期保养、免费上门检测，配件按价目表八折".into()),
                    visits_per_year: 2,
                    unit_ids: unit_ids.clone(),
                    calendar_code: None,
                    version: None,
                },
                None,
            )
            .await?;
            crate::contracts::change_status(app, a, contract.id, "active", contract.version)
                .await?;
        }
    }
    load_service_orders(app, a, &demo_calls, &technicians).await?;
    load_surveys(app).await?;
    load_conduct(app).await?;
    let bj_district = districts
        .iter()
        .find(|(branch, _, _)| *branch == beijing)
        .map(|(_, district, _)| *district)
        .ok_or(AppError::NotFound)?;
    load_returns(app, a, beijing, bj_district, &products).await?;
    load_deliveries(app, a, beijing).await?;
    load_settlements(app, a).await?;
    load_parts(app, a, departments[5], beijing, tianjin).await?;
    load_complaints(app, a, beijing, &technicians).await?;
    load_claims(app, a, beijing).await?;
    load_installations(app, a, beijing).await
}

/// Installation companies (INSTALL): a contracted firm with its sign-in `az_gongsi` and the
/// Beijing branch's own team. The walk-in customer's sale of a product needing installation
/// already recorded its order (INSTALL-1); one more order is walked to its follow-up so the
/// scorecard has figures.
async fn load_installations(app: &App, admin: &Actor, branch: i64) -> Result<(), AppError> {
    use crate::installations::{self, InstallationInput, InstallationStepInput, InstallerInput};
    use crate::installations::{ProviderInput, ProviderUserInput};
    use aftersales_domain::installation::InstallationEvent as E;
    let firm = installations::create_provider(
        app,
        admin,
        &ProviderInput {
            name: "北京安居安装服务有限公司".into(),
            kind: "provider".into(),
            agreement_start: Some("2026-01-01".into()),
            agreement_end: Some("2027-12-31".into()),
            zones: Some("北京城区、北京郊区".into()),
            email: Some("paidan@anju-install.demo.aftersales.cn".into()),
            contact_name: Some("孙经理".into()),
            contact_phone: Some("010-88886666".into()),
            active: true,
            version: None,
        },
    )
    .await?;
    installations::create_provider(
        app,
        admin,
        &ProviderInput {
            name: "北京分公司安装队".into(),
            kind: "internal".into(),
            zones: Some("北京城区".into()),
            active: true,
            ..Default::default()
        },
    )
    .await?;
    crate::staff::create(
        app,
        admin,
        &staff(
            "az_gongsi",
            "安居安装 孙经理",
            branch,
            &[Role::Installer],
            &[],
            "AZ-001",
        ),
    )
    .await?;
    installations::add_provider_user(
        app,
        admin,
        firm.id,
        &ProviderUserInput {
            username: "az_gongsi".into(),
        },
    )
    .await?;
    let unit = aftersales_store::entity::unit::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .find(|u| u.serial_no == "TH-DEMO-01")
        .ok_or(AppError::NotFound)?;
    let now = app.clock.now().as_millisecond();
    let mut order = installations::create(
        app,
        admin,
        &InstallationInput {
            unit_id: unit.id,
            wanted_at: Some(crate::format_ms(now + 2 * 60 * 60 * 1000)),
            requirements: Some("壁挂安装，需打孔，客户已备电源".into()),
            commission_due_at: Some(crate::format_ms(now + 48 * 60 * 60 * 1000)),
            provider_id: Some(firm.id),
            ..Default::default()
        },
        None,
    )
    .await?;
    let step = InstallationStepInput {
        installers: vec![InstallerInput {
            name: "周师傅".into(),
            id_no: "110101198001010011".into(),
            credential_no: Some("AZ-ZS-2026-018".into()),
        }],
        commissioning_result: Some("安装牢固，试机制冷正常".into()),
        trainees: Some("客户本人".into()),
        training_topics: Some("遥控器使用、滤网清洗".into()),
        training_hours: Some("0.5".into()),
        person_times: Some(1),
        person_days: Some("0.5".into()),
        cost_fen: Some(15_000),
        signature_png: Some("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==".into()),
        rating: Some(5),
        note: Some("客户对安装很满意".into()),
        ..Default::default()
    };
    for event in [
        E::Send,
        E::Acknowledge,
        E::Commission,
        E::Complete,
        E::FollowUp,
    ] {
        order = installations::step(
            app,
            admin,
            order.id,
            event,
            &InstallationStepInput {
                version: order.version,
                ..step.clone()
            },
        )
        .await?;
    }
    Ok(())
}

/// Deliveries of the Beijing walk-in customer's units (DELIVERY): one planned for tomorrow
/// with driver 郑磊 (`bj_jishu1`), one confirmed, one signed off. Unit `TH-DEMO-06` gets the
/// planned one, which the browser tests drive.
async fn load_deliveries(app: &App, admin: &Actor, branch: i64) -> Result<(), AppError> {
    use crate::deliveries::{self, DeliveryInput, DeliveryStepInput};
    use aftersales_domain::delivery::DeliveryEvent as E;
    let driver = user::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .find(|u| u.username == "bj_jishu1" && u.org_unit_id == Some(branch))
        .map(|u| u.id)
        .ok_or(AppError::NotFound)?;
    let tomorrow = app.clock.now().as_millisecond() + 24 * 60 * 60 * 1000;
    let instant = |ms: i64| crate::format_ms(ms);
    let signature = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let cases: [(&str, &[E]); 3] = [
        ("TH-DEMO-06", &[]),
        ("TH-DEMO-01", &[E::PreCall]),
        (
            "TH-DEMO-04",
            &[E::PreCall, E::Depart, E::Arrive, E::SignOff],
        ),
    ];
    for (n, (serial, steps)) in cases.into_iter().enumerate() {
        let unit = aftersales_store::entity::unit::Entity::find()
            .all(&app.db)
            .await?
            .into_iter()
            .find(|u| u.serial_no == serial)
            .ok_or(AppError::NotFound)?;
        let start = tomorrow + n as i64 * 2 * 60 * 60 * 1000;
        let mut delivery = deliveries::create(
            app,
            admin,
            &DeliveryInput {
                unit_id: unit.id,
                place: "王府井大街88号 客厅".into(),
                window_start: instant(start),
                window_end: instant(start + 2 * 60 * 60 * 1000),
                driver_id: Some(driver),
            },
            None,
        )
        .await?;
        for event in steps {
            let input = DeliveryStepInput {
                version: delivery.version,
                address_confirmed: true,
                name_confirmed: true,
                time_confirmed: true,
                model_confirmed: true,
                greeting: true,
                shoe_covers: true,
                placed_as_asked: true,
                no_dragging: true,
                signature_png: Some(signature.into()),
                ..Default::default()
            };
            delivery = deliveries::step(app, admin, delivery.id, *event, &input).await?;
        }
    }
    Ok(())
}

/// A walk-in customer of the Beijing branch with recent purchases and return requests in
/// several states (RMA): approved with its department tasks, waiting for an inspection
/// report, refused for misuse with a repair offered, just filed, and closed. Unit
/// `TH-DEMO-06` has no request yet (the browser tests file one).
async fn load_returns(
    app: &App,
    admin: &Actor,
    branch: i64,
    district_id: i64,
    products: &[i64],
) -> Result<(), AppError> {
    use crate::returns::{self, File, FileContent, ReturnInput, ReturnStepInput, ReviewInput};
    let customer = crate::customers::create(
        app,
        admin,
        &CustomerInput {
            kind: "person".into(),
            name: "周退换".into(),
            phone: "13811112222".into(),
            email: None,
            wechat: None,
            abc_class: None,
            abc_override_reason: None,
            key_account: false,
            org_unit_id: Some(branch),
            referrer_id: None,
            business_profile: None,
            purchase_reason: None,
            promises: None,
            remarks: None,
            calendar_code: None,
            contacts: Vec::new(),
            addresses: vec![AddressInput {
                district_id,
                detail: "王府井大街88号".into(),
                is_default: true,
            }],
            allow_duplicate_phone: false,
            version: None,
        },
        None,
    )
    .await?;
    let today = app.today();
    // (serial, product index, days since purchase, reason, wish, condition found, steps)
    type Case<'a> = (
        &'a str,
        usize,
        i64,
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a [&'a str],
    );
    let cases: [Case; 6] = [
        (
            "TH-DEMO-01",
            2,
            3,
            "no_reason",
            "refund",
            Some("resaleable"),
            &[],
        ),
        (
            "TH-DEMO-02",
            4,
            20,
            "quality",
            "exchange",
            Some("soiled"),
            &[],
        ),
        (
            "TH-DEMO-03",
            4,
            40,
            "quality",
            "refund",
            Some("misuse"),
            &[],
        ),
        ("TH-DEMO-04", 8, 2, "non_quality", "exchange", None, &[]),
        (
            "TH-DEMO-05",
            6,
            5,
            "quality",
            "refund",
            Some("soiled"),
            &["receive_goods", "refund", "close"],
        ),
        ("TH-DEMO-06", 2, 2, "", "", None, &[]),
    ];
    for (serial, product_idx, days, reason, wish, condition, steps) in cases {
        let unit = crate::units::create(
            app,
            admin,
            &UnitInput {
                serial_no: serial.into(),
                product_id: products[product_idx],
                customer_id: customer.id,
                address_id: None,
                purchase_date: today
                    .saturating_sub(jiff::Span::new().days(days))
                    .to_string(),
                install_date: None,
                store: Some("国美电器王府井店".into()),
                invoice_no: Some(format!("FP{serial}")),
                list_price_fen: 459_900,
                paid_price_fen: 419_900,
                seasonal: false,
                version: None,
            },
            None,
        )
        .await?;
        if reason.is_empty() {
            continue;
        }
        let proof = File {
            name: "购物发票.txt".into(),
            content_type: "text/plain".into(),
            content: FileContent::Bytes(format!("发票 FP{serial}").into_bytes()),
        };
        let input = ReturnInput {
            unit_id: unit.id,
            reason: reason.into(),
            description: Some("顾客到店申请退换货".into()),
            wish: wish.into(),
            proof: None,
        };
        let mut rma = returns::create(app, admin, &input, Some(proof), None).await?;
        if let Some(condition) = condition {
            let review = ReviewInput {
                version: rma.version,
                condition: condition.into(),
                current_price_fen: None,
                shipping_paid_by: None,
            };
            rma = returns::review(app, admin, rma.id, &review).await?;
        }
        for event in steps {
            let closing = *event == "close";
            let step = ReturnStepInput {
                version: rma.version,
                event: event.to_string(),
                root_cause: closing.then(|| "压缩机批次质量问题".into()),
                responsible_department: closing.then(|| "制造部".into()),
                responsible_person: closing.then(|| "质检员刘伟".into()),
            };
            rma = returns::step(app, admin, rma.id, &step).await?;
        }
    }
    Ok(())
}

/// Paid work settled on site, so the accountant's page is not empty: three orders paid in
/// cash (two still held by the technician, one handed over, that one's invoice mailed) and
/// two settled by invoice, one with its invoice raised and one awaiting it.
async fn load_settlements(app: &App, admin: &Actor) -> Result<(), AppError> {
    use crate::service_orders::{self, StepInput};
    use aftersales_domain::service_order::OrderEvent;
    use aftersales_store::entity::service_order;
    use aftersales_store::sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    // All in Beijing, the branch with its own accountant.
    let beijing = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq("BJ"))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let on_site = service_order::Entity::find()
        .filter(service_order::Column::Status.eq("on_site"))
        .filter(service_order::Column::OrgUnitId.eq(beijing.id))
        .order_by_asc(service_order::Column::Id)
        .all(&app.db)
        .await?;
    let signature = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let mut settled = Vec::new();
    for (order, (payment, fen)) in on_site.iter().zip([
        // In order of importance, should the branch have fewer orders on site.
        ("cash", 18_000),
        ("invoice", 45_000),
        ("cash", 9_000),
        ("invoice", 86_000),
        ("cash", 26_000),
    ]) {
        crate::billing::add_charge(
            app,
            admin,
            order.id,
            &crate::billing::ChargeInput {
                description: Some("更换压缩机启动电容及检测".into()),
                unit_price_fen: Some(fen),
                category: Some("a".into()),
                ..Default::default()
            },
        )
        .await?;
        let shown =
            crate::billing::record_schedule_shown(app, admin, order.id, order.version).await?;
        // BILLING-2: on paid orders the customer signs the quote before the work.
        let mut version = shown.version;
        if shown.category == "a" {
            let mut quote = StepInput {
                version,
                ..StepInput::default()
            };
            let quoted =
                service_orders::step(app, admin, order.id, OrderEvent::IssueQuote, &quote).await?;
            quote.version = quoted.version;
            quote.signature_png = Some(signature.into());
            version = service_orders::step(app, admin, order.id, OrderEvent::AcceptQuote, &quote)
                .await?
                .version;
        }
        let step = StepInput {
            version,
            note: Some("更换启动电容，试机正常".into()),
            signature_png: Some(signature.into()),
            payment: Some(payment.into()),
            ..StepInput::default()
        };
        service_orders::step(app, admin, order.id, OrderEvent::CompleteOnSite, &step).await?;
        settled.push(order.id);
    }
    let Some(&handed_over) = settled.get(2) else {
        return Ok(());
    };
    let cash =
        crate::accounting::cash_list(app, admin, &crate::accounting::CashFilter::default()).await?;
    if let Some(row) = cash.iter().find(|c| c.order_id == handed_over) {
        let input = crate::accounting::HandoverInput {
            collection_ids: vec![row.id],
        };
        crate::accounting::hand_over(app, admin, &input).await?;
    }
    let mailed = crate::accounting::raise_invoice(
        app,
        admin,
        &crate::accounting::InvoiceInput {
            order_id: handed_over,
            ..Default::default()
        },
    )
    .await?;
    crate::accounting::record_mailing(
        app,
        admin,
        mailed.id,
        &crate::accounting::MailingInput {
            version: mailed.version,
            tracking_no: "XA202611220001CN".into(),
        },
    )
    .await?;
    if let Some(&invoiced) = settled.get(3) {
        crate::accounting::raise_invoice(
            app,
            admin,
            &crate::accounting::InvoiceInput {
                order_id: invoiced,
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// Forty calls in every stage: waiting for dispatch, dispatched, on site, completed and
/// archived, so the dispatch board and the technicians' job lists are not empty.
async fn load_service_orders(
    app: &App,
    admin: &Actor,
    calls: &[(i64, i64, Option<i64>)],
    technicians: &[i64],
) -> Result<(), AppError> {
    use crate::service_orders::{self, OrderInput, StepInput};
    use aftersales_domain::service_order::OrderEvent as E;
    let faults = [
        "不制冷，外机不转",
        "开机后有异响",
        "显示屏报错 E4",
        "漏水",
        "无法开机",
        "遥控失灵",
    ];
    // A 1×1 PNG stands in for a customer's drawn signature.
    let signature = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    for (idx, (customer_id, unit_id, address_id)) in calls.iter().enumerate() {
        let input = OrderInput {
            channel: ["phone", "phone", "walk_in", "chat", "portal"][idx % 5].into(),
            customer_id: *customer_id,
            address_id: *address_id,
            unit_id: Some(*unit_id),
            fault_description: faults[idx % faults.len()].into(),
            fault_class: match idx % 8 {
                3 => "operator_error",
                6 => "software",
                _ => "hardware",
            }
            .into(),
            software_class: (idx % 8 == 6).then(|| ["bug", "requirement", "other"][idx % 3].into()),
            software_priority: (idx % 8 == 6).then(|| ["p1", "p2", "p3", "p4"][idx % 4].into()),
            urgency: if idx % 6 == 0 { "urgent" } else { "normal" }.into(),
            ..OrderInput::default()
        };
        let mut order = service_orders::register(app, admin, &input, None).await?;
        let stages: &[E] = match idx % 5 {
            0 => &[],
            1 => &[E::Dispatch],
            // Some on-site jobs wait for a part, their clocks paused.
            2 if idx % 10 == 7 => &[E::Dispatch, E::RecordContact, E::CheckIn, E::AwaitParts],
            2 => &[E::Dispatch, E::RecordContact, E::CheckIn],
            3 => &[E::Dispatch, E::RecordContact, E::CheckIn, E::CompleteOnSite],
            _ => &[
                E::Dispatch,
                E::RecordContact,
                E::CheckIn,
                E::CompleteOnSite,
                E::Archive,
            ],
        };
        for event in stages {
            let mut step = StepInput {
                version: order.version,
                ..StepInput::default()
            };
            match event {
                E::Dispatch => {
                    // The first technician of the branch certified for the product takes it.
                    let mut dispatched = None;
                    for technician in technicians {
                        step.technician_id = Some(*technician);
                        if let Ok(next) =
                            service_orders::step(app, admin, order.id, *event, &step).await
                        {
                            dispatched = Some(next);
                            break;
                        }
                    }
                    match dispatched {
                        Some(next) => order = next,
                        None => break,
                    }
                    continue;
                }
                E::CompleteOnSite => {
                    // Paid work: the technician showed the price schedule first (REPAIR-2).
                    if order.category == "a" {
                        order = crate::billing::record_schedule_shown(
                            app,
                            admin,
                            order.id,
                            order.version,
                        )
                        .await?;
                        step.version = order.version;
                    }
                    step.note = Some("检查并更换故障部件，试机正常".into());
                    step.signature_png = Some(signature.into());
                }
                E::AwaitParts => step.note = Some("主板需从总仓调拨，预计两天到货".into()),
                _ => {}
            }
            order = service_orders::step(app, admin, order.id, *event, &step).await?;
        }
    }
    Ok(())
}

/// Survey cards for today's calls, as the next morning's run sends them, every other one
/// answered by the customer department from a phone follow-up (one with a suggestion, one
/// with a complaint), so the card list and the survey report are not empty.
async fn load_surveys(app: &App) -> Result<(), AppError> {
    use aftersales_store::sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

    let now = app.now_ms();
    let txn = app.write_txn().await?;
    let mut cards = Vec::new();
    for unit in org_unit::Entity::find()
        .order_by_asc(org_unit::Column::Id)
        .all(&txn)
        .await?
    {
        cards.extend(crate::surveys::create_cards_for_day(&txn, &unit, app.today(), now).await?);
    }
    txn.commit().await?;
    let kefu = user::Entity::find()
        .filter(user::Column::Username.eq("kefu"))
        .one(&app.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let kefu = Actor::load(&app.db, kefu.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let remarks = [
        (Some("希望上门前提前半小时电话通知"), Some("suggestion")),
        (Some("技术员到得比约定时间晚了一个小时"), Some("complaint")),
    ];
    for (idx, card) in cards.iter().enumerate().filter(|(idx, _)| idx % 2 == 0) {
        let score = |offset: usize| Some(4 - ((idx / 2 + offset) % 3) as i64);
        let (remark, kind) = remarks.get(idx / 2).copied().unwrap_or((None, None));
        let input = crate::surveys::AnswerInput {
            attitude: score(0),
            technique: score(1),
            arrival: score(2),
            promise: Some(4),
            remark: remark.map(str::to_string),
            remark_kind: kind.map(str::to_string),
            answered_via: Some("phone".into()),
            version: None,
        };
        crate::surveys::answer(app, &kefu, *card, &input).await?;
    }
    // Two follow-up calls already made: one customer reached, one who did not answer yet.
    let due = crate::surveys::list_follow_ups(
        app,
        &kefu,
        &crate::surveys::FollowUpFilter::default(),
        crate::page::PageRequest {
            page: None,
            per_page: Some(2),
        },
    )
    .await?;
    for (idx, follow_up) in due.items.iter().enumerate() {
        let input = crate::surveys::CallInput {
            outcome: if idx == 0 { "reached" } else { "no_answer" }.into(),
            notes: (idx == 0).then(|| "客户表示维修后运行正常，对技术员很满意".to_string()),
            version: follow_up.version,
        };
        crate::surveys::log_call(app, &kefu, follow_up.id, &input).await?;
    }
    Ok(())
}

/// One open discipline incident in Beijing, found by the supervisor, waiting for the branch
/// manager's decision.
async fn load_conduct(app: &App) -> Result<(), AppError> {
    use aftersales_store::sea_orm::{ColumnTrait, QueryFilter};

    let find = |username: &'static str| async move {
        user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&app.db)
            .await?
            .ok_or(AppError::NotFound)
    };
    let supervisor = find("bj_zhuren").await?;
    let technician = find("bj_jishu2").await?;
    let supervisor = Actor::load(&app.db, supervisor.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let incident = crate::staff_conduct::NewIncident {
        staff_id: technician.id,
        kind: "on_call_breach".into(),
        description: Some("值班时间内两次无故拒接调度电话".into()),
        ..Default::default()
    };
    crate::staff_conduct::create(app, &supervisor, &incident).await?;
    Ok(())
}

/// A demo spare part: number, name, unit, cost, sale price, supplier, the product category
/// it fits, and the opening stock in the central warehouse and the Beijing store.
type DemoPart = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    &'static str,
    &'static str,
    i64,
    i64,
);

/// The spare-parts warehouse: a catalogue of fifteen parts, stock in the central warehouse
/// and the branch stores, a few parts in each Beijing technician's van, a Beijing branch
/// warehouse keeper, and loaner units in both branches.
async fn load_parts(
    app: &App,
    admin: &Actor,
    warehouse: i64,
    beijing: i64,
    tianjin: i64,
) -> Result<(), AppError> {
    use crate::parts::{LocationInput, PartInput, ReceiptInput, TransferInput};
    let keeper = staff(
        "bj_kuguan",
        "韩雪",
        beijing,
        &[Role::WarehouseKeeper],
        &[],
        "B1004",
    );
    crate::staff::create(app, admin, &keeper).await?;
    let mut locations = Vec::new();
    for (code, name, kind, org_unit_id) in [
        ("ZK", "中心备件仓库", "central", warehouse),
        ("BJ-KU", "北京分公司备件库", "branch", beijing),
        ("TJ-KU", "天津分公司备件库", "branch", tianjin),
    ] {
        let input = LocationInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            org_unit_id,
        };
        locations.push(crate::parts::create_location(app, admin, &input).await?.id);
    }
    let products = aftersales_store::entity::product::Entity::find()
        .all(&app.db)
        .await?;
    let fits = |category: &str| -> Vec<i64> {
        products
            .iter()
            .filter(|p| p.category == category)
            .map(|p| p.id)
            .collect()
    };
    // (part number, name, unit, cost, sale price, supplier, category, central, branch)
    let catalogue: [DemoPart; 15] = [
        (
            "KT-RQ-01",
            "空调启动电容",
            "个",
            1_500,
            4_500,
            "华能电子",
            "空调",
            120,
            12,
        ),
        (
            "KT-YS-01",
            "空调压缩机",
            "台",
            68_000,
            120_000,
            "格力配件",
            "空调",
            10,
            2,
        ),
        (
            "KT-ZB-01",
            "空调主控板",
            "块",
            18_000,
            35_000,
            "格力配件",
            "空调",
            25,
            4,
        ),
        (
            "KT-YK-01",
            "空调遥控器",
            "个",
            1_200,
            3_000,
            "华能电子",
            "空调",
            80,
            10,
        ),
        (
            "KT-LM-01",
            "空调冷媒 R32",
            "瓶",
            9_000,
            16_000,
            "巨化化工",
            "空调",
            40,
            6,
        ),
        (
            "BX-WK-01",
            "冰箱温控器",
            "个",
            2_500,
            6_000,
            "海尔配件",
            "冰箱",
            60,
            8,
        ),
        (
            "BX-MF-01",
            "冰箱门封条",
            "条",
            1_800,
            4_000,
            "海尔配件",
            "冰箱",
            50,
            6,
        ),
        (
            "XY-PS-01",
            "洗衣机排水泵",
            "个",
            3_500,
            8_000,
            "小天鹅配件",
            "洗衣机",
            45,
            5,
        ),
        (
            "XY-DJ-01",
            "洗衣机电机",
            "台",
            22_000,
            42_000,
            "小天鹅配件",
            "洗衣机",
            12,
            2,
        ),
        (
            "RS-JR-01",
            "热水器加热管",
            "根",
            4_000,
            9_000,
            "万和配件",
            "热水器",
            35,
            4,
        ),
        (
            "RS-WK-01",
            "热水器温控阀",
            "个",
            2_800,
            6_500,
            "万和配件",
            "热水器",
            30,
            4,
        ),
        (
            "DS-DY-01",
            "电视电源板",
            "块",
            9_500,
            19_000,
            "创维配件",
            "电视",
            20,
            3,
        ),
        (
            "DS-BG-01",
            "电视背光灯条",
            "套",
            6_000,
            13_000,
            "创维配件",
            "电视",
            25,
            3,
        ),
        (
            "TY-BX-01",
            "保险管 5A",
            "个",
            50,
            300,
            "华能电子",
            "",
            500,
            50,
        ),
        (
            "TY-LS-01",
            "不锈钢螺丝包",
            "包",
            200,
            800,
            "五金批发",
            "",
            300,
            30,
        ),
    ];
    let mut part_ids = Vec::new();
    for (number, name, unit, cost, sale, supplier, category, central, branch) in catalogue {
        let input = PartInput {
            part_number: number.into(),
            name: name.into(),
            unit: unit.into(),
            cost_fen: cost,
            sale_price_fen: sale,
            supplier: supplier.into(),
            product_ids: fits(category),
            active: true,
            ..PartInput::default()
        };
        let part = crate::parts::create_part(app, admin, &input).await?;
        for (location_id, quantity) in [(locations[0], central), (locations[1], branch)] {
            let receipt = ReceiptInput {
                part_id: part.id,
                location_id,
                quantity,
                unit_cost_fen: None,
                reason: Some("期初入库".into()),
            };
            crate::parts::receive(app, admin, &receipt).await?;
        }
        part_ids.push(part.id);
    }
    // Each Beijing technician carries capacitors, remote controls, fuses and screws.
    let bj_technicians = user::Entity::find()
        .all(&app.db)
        .await?
        .into_iter()
        .filter(|u| u.org_unit_id == Some(beijing) && u.username.starts_with("bj_jishu"));
    for technician in bj_technicians {
        for part_idx in [0, 3, 13, 14] {
            let transfer = TransferInput {
                part_id: part_ids[part_idx],
                from_location_id: locations[1],
                to_location_id: None,
                to_technician_id: Some(technician.id),
                quantity: 2,
                reason: Some("车载备件".into()),
            };
            crate::parts::transfer(app, admin, &transfer).await?;
        }
    }
    for (code, name, serial_no, branch) in [
        ("TB-BJ-01", "KFR-35GW 替补空调", "TB2026001", beijing),
        ("TB-BJ-02", "BCD-215 替补冰箱", "TB2026002", beijing),
        ("TB-TJ-01", "KFR-35GW 替补空调", "TB2026003", tianjin),
    ] {
        let input = crate::loaners::LoanerInput {
            code: code.into(),
            name: name.into(),
            serial_no: serial_no.into(),
            org_unit_id: Some(branch),
        };
        crate::loaners::create(app, admin, &input).await?;
    }
    Ok(())
}

/// A handful of complaints in different states (COMPLAINT): one just registered by the
/// hotline against a technician, one under investigation, a major media case waiting for the
/// executives, and one closed with its responsibility, visit and satisfaction follow-up.
async fn load_complaints(
    app: &App,
    admin: &Actor,
    beijing: i64,
    technicians: &[i64],
) -> Result<(), AppError> {
    use crate::complaints::{
        self, HandlingInput, LogInput, RegisterInput, RouteInput, StepInput, TaskInput,
    };
    let branch = Some(beijing);
    let base = |complaint_type: &str, subject: &str, customer: &str, content: &str| RegisterInput {
        channel: "phone".into(),
        complaint_type: complaint_type.into(),
        subject_kind: subject.into(),
        customer_name: Some(customer.into()),
        contact_phone: Some("13911110000".into()),
        content: content.into(),
        org_unit_id: branch,
        ..RegisterInput::default()
    };
    complaints::register(
        app,
        admin,
        &RegisterInput {
            channel: "hotline".into(),
            staff_id: technicians.first().copied(),
            demand: Some("希望公司处理并道歉".into()),
            ..base(
                "staff_attitude",
                "staff",
                "李红梅",
                "上门维修的技术员态度生硬，与客户争吵",
            )
        },
    )
    .await?;
    let investigating = complaints::register(
        app,
        admin,
        &RegisterInput {
            order_number: Some("XS20261105-021".into()),
            part_number: Some("BCD-216".into()),
            quantity: Some(1),
            ..base(
                "product_quality",
                "product",
                "北京宏达贸易有限公司",
                "新购冰箱冷藏室结霜，反复出现",
            )
        },
    )
    .await?;
    complaints::route(
        app,
        admin,
        investigating.id,
        &RouteInput {
            version: investigating.version,
            ..RouteInput::default()
        },
    )
    .await?;
    complaints::register(
        app,
        admin,
        &RegisterInput {
            severity: Some("major".into()),
            media_exposure: true,
            demand: Some("全额退款并公开道歉".into()),
            ..base(
                "product_quality",
                "product",
                "陈先生",
                "热水器漏电，客户称已联系电视台",
            )
        },
    )
    .await?;
    // The closed case: routed, investigated, decided, improved, visited, told and followed up.
    let closed = complaints::register(
        app,
        admin,
        &base(
            "packaging",
            "product",
            "天津万家超市",
            "到货纸箱破损，两台洗衣机外壳凹陷",
        ),
    )
    .await?;
    let today = app.today();
    let view = complaints::set_handling(
        app,
        admin,
        closed.id,
        &HandlingInput {
            handler_id: Some(admin.user_id),
            due_date: Some(today.saturating_add(jiff::Span::new().days(7)).to_string()),
            version: closed.version,
        },
    )
    .await?;
    let view = complaints::route(
        app,
        admin,
        closed.id,
        &RouteInput {
            version: view.version,
            ..RouteInput::default()
        },
    )
    .await?;
    for task in &view.tasks {
        complaints::update_task(
            app,
            admin,
            task.id,
            &TaskInput {
                cause: Some("运输途中堆码过高，外箱受压".into()),
                done: true,
                version: task.version,
                ..TaskInput::default()
            },
        )
        .await?;
    }
    for (kind, channel, text) in [
        ("reply", Some("phone"), "已致电客户致歉，两日内换货"),
        ("visit", None, "前往门店查看并致歉"),
        ("outcome_told", Some("written"), "书面告知换货及改善措施"),
    ] {
        complaints::log(
            app,
            admin,
            closed.id,
            &LogInput {
                kind: kind.into(),
                channel: channel.map(str::to_string),
                text: Some(text.into()),
                participants: None,
            },
        )
        .await?;
    }
    let mut version = complaints::get(app, admin, closed.id).await?.version;
    for step in [
        StepInput {
            event: "decide".into(),
            cause: Some("运输途中堆码过高".into()),
            responsible_department: Some("transport".into()),
            decision: Some("免费换货，运输部承担损失".into()),
            told_channel: Some("phone".into()),
            ..StepInput::default()
        },
        StepInput {
            event: "start_remedy".into(),
            remedy: Some("两台洗衣机换新".into()),
            ..StepInput::default()
        },
        StepInput {
            event: "set_corrective_action".into(),
            corrective_action: Some("规定洗衣机堆码不超过三层".into()),
            corrective_owner_id: Some(admin.user_id),
            corrective_due: Some(today.saturating_add(jiff::Span::new().days(14)).to_string()),
            ..StepInput::default()
        },
        StepInput {
            event: "confirm_effect".into(),
            note: Some("抽查三批到货无破损".into()),
            ..StepInput::default()
        },
        StepInput {
            event: "close".into(),
            note: Some("回访客户，表示满意".into()),
            ..StepInput::default()
        },
    ] {
        version = complaints::step(app, admin, closed.id, &StepInput { version, ..step })
            .await?
            .version;
    }
    Ok(())
}

/// Two claim types with their standard steps and one open claim (CLAIM).
async fn load_claims(app: &App, admin: &Actor, beijing: i64) -> Result<(), AppError> {
    use crate::claims::{self, ClaimInput, ClaimTypeInput};
    let quality = claims::create_type(
        app,
        admin,
        &ClaimTypeInput {
            code: "ZL".into(),
            name: "质量索赔".into(),
            steps: "登记索赔事实\n核实证据\n确定原因与责任\n提出对策\n确定赔偿金额".into(),
        },
    )
    .await?;
    claims::create_type(
        app,
        admin,
        &ClaimTypeInput {
            code: "YS".into(),
            name: "运输损坏索赔".into(),
            steps: "登记索赔事实\n查验货损\n向承运商追偿".into(),
        },
    )
    .await?;
    claims::register(
        app,
        admin,
        &ClaimInput {
            claim_type_id: quality.id,
            claimant: "北京宏达贸易有限公司".into(),
            customer_id: None,
            order_number: Some("XS20261102-008".into()),
            product: Some("KFR-35GW 空调".into()),
            amount_fen: 360_000,
            facts: "同批次12台空调压缩机启动电容失效，门店停业半天".into(),
            learned_on: app.today().to_string(),
            org_unit_id: Some(beijing),
        },
    )
    .await?;
    Ok(())
}
