//! Interface languages: Simplified Chinese (default) and English. A user's saved choice
//! wins, then the `lang` cookie, then the browser's Accept-Language.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh-CN" | "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language in an Accept-Language header, in order of preference.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.trim().split(';');
                let tag = pieces.next()?.trim();
                let quality = pieces
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((quality, tag))
            })
            .collect();
        choices.sort_by(|a, b| b.0.total_cmp(&a.0));
        choices.into_iter().find_map(|(_, tag)| {
            let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
            match primary.as_str() {
                "zh" => Some(Lang::Zh),
                "en" => Some(Lang::En),
                _ => None,
            }
        })
    }

    /// The language of a request: saved user choice, cookie, header, Chinese.
    pub fn negotiate(user_locale: Option<&str>, headers: &HeaderMap) -> Lang {
        user_locale
            .and_then(Lang::from_code)
            .or_else(|| crate::session::cookie(headers, "lang").and_then(|c| Lang::from_code(&c)))
            .or_else(|| {
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::Zh)
    }

    /// The text for `key`; an unknown key shows itself, which a test forbids for every key
    /// the templates use.
    pub fn t(self, key: &str) -> &'static str {
        match MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key)) {
            Ok(idx) => match self {
                Lang::Zh => MESSAGES[idx].1,
                Lang::En => MESSAGES[idx].2,
            },
            Err(_) => "⟨missing text⟩",
        }
    }

    /// The message for a validation or conflict code.
    pub fn error(self, code: &str) -> String {
        let key = format!("error.{code}");
        match MESSAGES.binary_search_by(|(k, _, _)| (*k).cmp(key.as_str())) {
            Ok(idx) => self.t(MESSAGES[idx].0).to_string(),
            Err(_) => match self {
                Lang::Zh => format!("输入有误（{code}）"),
                Lang::En => format!("Invalid input ({code})"),
            },
        }
    }
}

/// (key, 中文, English), sorted by key for binary search (a test checks the order).
#[rustfmt::skip]
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("abc.a", "A类", "Class A"),
    ("abc.b", "B类", "Class B"),
    ("abc.c", "C类", "Class C"),
    ("action.add", "添加", "Add"),
    ("action.back", "返回", "Back"),
    ("action.cancel", "取消", "Cancel"),
    ("action.create", "新建", "New"),
    ("action.delete", "删除", "Delete"),
    ("action.edit", "编辑", "Edit"),
    ("action.export", "导出", "Export"),
    ("action.filter", "筛选", "Filter"),
    ("action.import", "导入", "Import"),
    ("action.revoke", "吊销", "Revoke"),
    ("action.save", "保存", "Save"),
    ("action.search", "搜索", "Search"),
    ("action.upload", "上传", "Upload"),
    ("apidocs.intro", "完整的机器可读描述见", "The machine-readable description is at"),
    ("apidocs.title", "API 文档", "API documentation"),
    ("app.name", "售后服务管理系统", "After-sales Service"),
    ("audit.action", "操作", "Action"),
    ("audit.actor", "操作人", "By"),
    ("audit.at", "时间", "When"),
    ("audit.changes", "变更内容", "Changes"),
    ("audit.none", "无变更记录", "No changes recorded"),
    ("audit.title", "变更记录", "Audit trail"),
    ("calendar.builtin", "内置（只读）", "Built-in (read-only)"),
    ("calendar.builtin_note", "内置日历随程序提供，不能修改；如需调整，请复制为可编辑的日历。", "Built-in calendars ship with the program and cannot be edited; copy one to change it."),
    ("calendar.code", "日历代码", "Code"),
    ("calendar.compute", "计算", "Compute"),
    ("calendar.copy", "复制为可编辑的日历", "Copy into an editable calendar"),
    ("calendar.copy_from", "复制自", "Copy from"),
    ("calendar.date", "日期", "Date"),
    ("calendar.day_kind", "类型", "Kind"),
    ("calendar.day_name", "名称", "Name"),
    ("calendar.day_off", "休息", "Day off"),
    ("calendar.days", "节假日与调休上班日", "Holidays and make-up workdays"),
    ("calendar.deadline", "截止时间", "Deadline"),
    ("calendar.editable", "可编辑", "Editable"),
    ("calendar.format_auto", "按文件名或内容自动识别", "Detect from the file name or text"),
    ("calendar.from_scratch", "（空白，周一至周五 09:00-12:00、13:00-18:00）", "(blank: Mon–Fri 09:00-12:00, 13:00-18:00)"),
    ("calendar.import", "导入节假日", "Import holidays"),
    ("calendar.import_file", "文件（.csv 或 .ics）", "File (.csv or .ics)"),
    ("calendar.import_format", "格式", "Format"),
    ("calendar.import_hint", "CSV 每行：日期,类型(holiday/workday),节日,中文名；任一行有误则不导入任何数据。", "CSV lines: date,kind (holiday/workday),festival,Chinese name; one bad line and nothing is imported."),
    ("calendar.import_text", "或粘贴文本", "Or paste the text"),
    ("calendar.imported", "已导入日期数", "Dates imported"),
    ("calendar.inherited", "（沿用客户或分公司的日历）", "(the customer's or the branch's)"),
    ("calendar.intro", "工作时间计时（如派工时限）按日历计算：每周工作时段、法定节假日和调休上班日，始终使用日历自身的时区。", "Working-hour clocks (such as the arrival SLA) follow a calendar: weekly working periods, public holidays and make-up workdays, always in the calendar's own time zone."),
    ("calendar.kind", "类别", "Kind"),
    ("calendar.manage", "管理工作日历", "Manage working calendars"),
    ("calendar.name", "名称", "Name"),
    ("calendar.new", "新建日历", "New calendar"),
    ("calendar.of_contract", "工作日历", "Working calendar"),
    ("calendar.periods_hint", "每天填写工作时段，用逗号分隔，例如 09:00-12:00, 13:00-18:00；留空表示休息。调休上班日按周一的时段工作。", "Working periods per day, separated by commas, e.g. 09:00-12:00, 13:00-18:00; empty means a day off. Make-up workdays use Monday's periods."),
    ("calendar.replace", "替换全部已有日期（否则合并）", "Replace all existing dates (otherwise merge)"),
    ("calendar.time_zone", "时区", "Time zone"),
    ("calendar.try", "试算截止时间", "Try a deadline"),
    ("calendar.try_duration", "工作时长（如 6h、1h30m）", "Working time (e.g. 6h, 1h30m)"),
    ("calendar.try_start", "开始时间（日历时区）", "Start (calendar's zone)"),
    ("calendar.weekly", "每周工作时段", "Weekly working periods"),
    ("calendar.zone_note", "所有时间按日历时区计算：", "All times are in the calendar's time zone:"),
    ("calendar_builtin.24x7", "7×24 全天候", "7×24, always working"),
    ("calendar_builtin.cn-standard", "中国标准工作日历（法定节假日与调休）", "Chinese standard (public holidays and make-up workdays)"),
    ("calendar_day.holiday", "节假日", "Holiday"),
    ("calendar_day.workday", "调休上班", "Make-up workday"),
    ("carry_in.accessories", "随机附件", "Accessories"),
    ("carry_in.add_entry", "记入修护卡", "Add to the repair card"),
    ("carry_in.age_days", "已留修天数", "Days held"),
    ("carry_in.card_print_title", "修护卡", "Repair card"),
    ("carry_in.card_title", "修护卡", "Repair card"),
    ("carry_in.collected_signature", "客户取回签章", "Customer's signature on collection"),
    ("carry_in.condition", "外观状况", "Condition"),
    ("carry_in.entry_kind", "类别", "Kind"),
    ("carry_in.filter", "查询", "Filter"),
    ("carry_in.in_at", "收件日期", "Taken in"),
    ("carry_in.inspected_by", "主任验讫", "Inspected by the supervisor"),
    ("carry_in.item_description", "商品名称", "Item"),
    ("carry_in.lost", "收据遗失", "Receipt lost"),
    ("carry_in.lost_receipt_approved_by", "收据遗失：核对身份后由主任批准", "Receipt lost: supervisor who approved after checking identity"),
    ("carry_in.minutes", "工时（分钟）", "Minutes"),
    ("carry_in.overdue", "逾期", "Overdue"),
    ("carry_in.part", "更换零件", "Part replaced"),
    ("carry_in.part_number", "零件编号", "Part no."),
    ("carry_in.part_serial", "零件序号", "Part serial"),
    ("carry_in.print_card", "打印修护卡", "Print the repair card"),
    ("carry_in.print_receipt", "打印领取收据", "Print the goods receipt"),
    ("carry_in.promised_date", "承诺交还日期", "Promised back by"),
    ("carry_in.quantity", "数量", "Quantity"),
    ("carry_in.receipt_no", "收据号", "Receipt no."),
    ("carry_in.receipt_print_title", "客户商品领取收据", "Customer goods receipt"),
    ("carry_in.receipt_returned", "原收据已收回作废", "The original receipt was retrieved and is void"),
    ("carry_in.receipt_terms", "凭本收据领取商品；商品交还时收回本收据并作废。收据遗失须核对身份并经服务主任批准。", "Present this receipt to collect the item; it is retrieved and voided on return. A lost receipt needs an identity check and the service supervisor's approval."),
    ("carry_in.receipt_title", "客户商品领取收据", "Goods receipt"),
    ("carry_in.return_note", "客户签章/说明", "Customer's signature, note"),
    ("carry_in.returned_at", "交还日期", "Returned"),
    ("carry_in.serial_no", "机号", "Serial no."),
    ("carry_in.technician_signature", "技术员签名", "Technician's signature"),
    ("carry_in.total_minutes", "合计工时（分钟）", "Total minutes"),
    ("category.a", "A 有费服务", "A paid"),
    ("category.b", "B 合同服务", "B contract"),
    ("category.c", "C 免费服务", "C free"),
    ("category.d", "D 一般行政", "D internal"),
    ("channel.api", "接口", "API"),
    ("channel.chat", "在线/微信", "Chat/WeChat"),
    ("channel.email", "电子邮件", "E-mail"),
    ("channel.hotline", "热线", "Hotline"),
    ("channel.letter", "信函", "Letter"),
    ("channel.phone", "电话", "Phone"),
    ("channel.portal", "客户门户", "Portal"),
    ("channel.walk_in", "来访", "Walk-in"),
    ("clock.arrival", "到达现场", "Arrival"),
    ("clock.at_risk", "即将超时", "at risk"),
    ("clock.completion", "完工", "Completion"),
    ("clock.deadline", "截止时间", "Deadline"),
    ("clock.first_contact", "联系客户", "First contact"),
    ("clock.minutes", "分钟", "min"),
    ("clock.remaining", "剩余", "Remaining"),
    ("clock_status.breached", "超时", "Breached"),
    ("clock_status.met", "达标", "Met"),
    ("clock_status.paused", "暂停", "Paused"),
    ("clock_status.running", "计时中", "Running"),
    ("contract.covered_units", "覆盖设备", "Covered units"),
    ("contract.covers_today", "今日有效", "Covers today"),
    ("contract.end_date", "结束日期", "End date"),
    ("contract.fee", "合同金额（元）", "Fee (yuan)"),
    ("contract.new", "新建保养合同", "New maintenance contract"),
    ("contract.number", "合同编号", "Contract no."),
    ("contract.scope", "服务范围", "Scope"),
    ("contract.start_date", "开始日期", "Start date"),
    ("contract.status", "状态", "Status"),
    ("contract.visits_per_year", "每年巡检次数", "Visits per year"),
    ("contract_action.active", "签订生效", "Sign"),
    ("contract_action.renewed", "标记已续约", "Mark renewed"),
    ("contract_action.terminated", "终止合同", "Terminate"),
    ("contract_status.active", "生效", "Active"),
    ("contract_status.draft", "草稿", "Draft"),
    ("contract_status.expired", "已到期", "Expired"),
    ("contract_status.expiring", "即将到期", "Expiring"),
    ("contract_status.renewed", "已续约", "Renewed"),
    ("contract_status.terminated", "已终止", "Terminated"),
    ("customer.abc_class", "ABC分类", "ABC class"),
    ("customer.abc_computed", "自动计算", "Computed"),
    ("customer.abc_override_reason", "调整分类原因", "Reason for the class"),
    ("customer.address", "详细地址", "Address"),
    ("customer.addresses", "地址", "Addresses"),
    ("customer.allow_duplicate", "仍然创建（确认不是同一客户）", "Create anyway (not the same customer)"),
    ("customer.business_profile", "经营概况", "Business profile"),
    ("customer.card", "客户卡片", "Customer card"),
    ("customer.complaints", "投诉记录", "Complaints"),
    ("customer.contacts", "联系人", "Contacts"),
    ("customer.default_address", "默认地址", "Default address"),
    ("customer.district", "区县", "District"),
    ("customer.duplicate_of", "该电话已属于客户", "This phone number belongs to customer"),
    ("customer.email", "邮箱", "E-mail"),
    ("customer.key_account", "重点客户", "Key account"),
    ("customer.kind", "客户类型", "Type"),
    ("customer.kind.company", "单位", "Company"),
    ("customer.kind.person", "个人", "Person"),
    ("customer.name", "客户名称", "Name"),
    ("customer.new", "新建客户", "New customer"),
    ("customer.notes", "客户动态", "Notes"),
    ("customer.number", "客户编号", "Customer no."),
    ("customer.phone", "电话", "Phone"),
    ("customer.promises", "服务承诺", "Promises made"),
    ("customer.purchase_reason", "购买原因", "Purchase reason"),
    ("customer.remarks", "备注", "Remarks"),
    ("customer.service_history", "服务记录", "Service history"),
    ("customer.surveys", "满意度调查", "Surveys"),
    ("customer.title", "职务", "Title"),
    ("customer.wechat", "微信", "WeChat"),
    ("empty", "暂无记录", "Nothing yet"),
    ("empty.later_module", "该模块上线后在此显示", "Shown here once that module is live"),
    ("entry_kind.labour", "工时", "Labour"),
    ("entry_kind.part", "零件", "Part"),
    ("error.already_exists", "已存在相同的值", "This value is already taken"),
    ("error.already_handled", "该报修已被处理", "This report has already been handled"),
    ("error.already_revoked", "已经吊销", "Already revoked"),
    ("error.before_issue", "不能早于发证日期", "Cannot be before the issue date"),
    ("error.before_purchase", "不能早于购买日期", "Cannot be before the purchase date"),
    ("error.builtin_read_only", "内置日历不能修改，请先复制", "Built-in calendars cannot be changed; copy one first"),
    ("error.cannot_change", "不能修改", "Cannot be changed"),
    ("error.certificate_expired", "技术员的上岗证已过期", "The certificate has expired"),
    ("error.customer_role_alone", "客户账号不能兼任其他角色", "A customer account cannot hold other roles"),
    ("error.cycle", "不能以自身为上级", "A unit cannot be its own parent"),
    ("error.duplicate", "重复", "Duplicate"),
    ("error.duplicate_phone", "该电话号码已有客户登记", "A customer with this phone number exists"),
    ("error.duration_in_days", "请用小时表示时长，例如 48h", "Give the duration in hours, e.g. 48h"),
    ("error.empty_file", "文件为空", "The file is empty"),
    ("error.end_before_start", "结束日期不能早于开始日期", "The end cannot be before the start"),
    ("error.file_too_large", "文件过大（最大20MB）", "File too large (20 MB at most)"),
    ("error.forbidden", "您没有执行此操作的权限", "You are not allowed to do this"),
    ("error.holiday_and_workday", "同一日期不能既是节假日又是调休上班日", "A date cannot be both a holiday and a make-up workday"),
    ("error.in_future", "不能是将来的日期", "Cannot be in the future"),
    ("error.in_past", "不能早于今天", "Cannot be in the past"),
    ("error.internal", "系统出错，请稍后重试", "Something went wrong; please try again"),
    ("error.invalid_amount", "金额格式不正确", "Not a valid amount"),
    ("error.invalid_calendar_code", "代码只能包含小写字母、数字、- 和 _", "Codes use lower-case letters, digits, - and _"),
    ("error.invalid_choice", "请选择有效的选项", "Choose a valid option"),
    ("error.invalid_components", "部件格式应为 名称:月数;名称:月数", "Write components as name:months;name:months"),
    ("error.invalid_credentials", "用户名或密码不正确", "Wrong user name or password"),
    ("error.invalid_date", "日期格式应为 YYYY-MM-DD", "Use the date format YYYY-MM-DD"),
    ("error.invalid_day_kind", "类型应为 holiday 或 workday", "The kind must be holiday or workday"),
    ("error.invalid_duration", "时长格式应为 6h、90m 或 1h30m", "Write durations like 6h, 90m or 1h30m"),
    ("error.invalid_email", "邮箱格式不正确", "Not a valid e-mail address"),
    ("error.invalid_flag", "请填写 是 或 否", "Write yes or no"),
    ("error.invalid_idempotency_key", "Idempotency-Key 无效", "Invalid Idempotency-Key"),
    ("error.invalid_instant", "时间格式应为 2026-10-08T04:35:00+08:00", "Write instants like 2026-10-08T04:35:00+08:00"),
    ("error.invalid_json", "请求体不是有效的 JSON", "The body is not valid JSON"),
    ("error.invalid_number", "请输入整数", "Enter a whole number"),
    ("error.invalid_pattern", "编号规则无效", "Not a valid number pattern"),
    ("error.invalid_phone", "电话号码格式不正确", "Not a valid phone number"),
    ("error.invalid_query", "查询参数无效", "Invalid query parameters"),
    ("error.invalid_ratio", "请输入0到1之间的小数", "Enter a number between 0 and 1"),
    ("error.invalid_signature", "签名图像无效", "The signature image is not valid"),
    ("error.invalid_transition", "当前状态下不能执行此操作", "Not possible in the current state"),
    ("error.invalid_upload", "上传失败", "The upload failed"),
    ("error.invalid_username", "用户名只能包含字母、数字和 . _ -", "User names use letters, digits and . _ -"),
    ("error.malformed_period", "时段格式应为 09:00-12:00", "Write periods like 09:00-12:00"),
    ("error.missing_column", "缺少必需的列", "A required column is missing"),
    ("error.missing_day_kind", "缺少类型列（holiday 或 workday）", "The kind column (holiday or workday) is missing"),
    ("error.missing_dtstart", "事件缺少 DTSTART", "The event has no DTSTART"),
    ("error.negative", "不能为负数", "Cannot be negative"),
    ("error.no_certificate", "技术员没有该产品类别的上岗证", "No certificate for this product category"),
    ("error.no_working_time", "至少需要一个工作时段", "At least one working period is needed"),
    ("error.not_a_supervisor", "须为本网点的服务主任", "Must be a service supervisor of the branch"),
    ("error.not_a_technician", "该人员不是在岗技术员", "Not an active technician"),
    ("error.not_all_day", "只能导入全天事件（DTSTART;VALUE=DATE）", "Only all-day events (DTSTART;VALUE=DATE) can be imported"),
    ("error.not_allowed", "无权操作该记录", "Not allowed for this record"),
    ("error.not_an_image", "只能上传图片", "Only images can be uploaded"),
    ("error.not_customers_address", "不是该客户的地址", "Not an address of this customer"),
    ("error.not_customers_unit", "不是该客户的设备", "Not a unit of this customer"),
    ("error.not_found", "找不到该记录", "Not found"),
    ("error.not_in_repair", "只能在维修中记入修护卡", "Only while the item is in repair"),
    ("error.only_for_departments", "只有职能部门需要选择部门类型", "Only departments have a department type"),
    ("error.other_branch", "技术员不属于该网点", "The technician works in another branch"),
    ("error.out_of_range", "超出允许范围", "Out of range"),
    ("error.outside_scope", "超出您的管辖范围", "Outside your branch"),
    ("error.overlapping_periods", "同一天的工作时段不能重叠", "Working periods of one day cannot overlap"),
    ("error.password_too_short", "密码至少8位", "At least 8 characters"),
    ("error.period_ends_before_start", "时段的结束时间不能早于开始时间", "A period cannot end before it starts"),
    ("error.reason_required", "请填写原因", "Give a reason"),
    ("error.receipt_void", "收据已作废，不能再次使用", "The receipt is void and cannot be used again"),
    ("error.request_in_progress", "相同请求正在处理", "The same request is in progress"),
    ("error.required", "必填", "Required"),
    ("error.same_technician", "已派给该技术员", "Already assigned to this technician"),
    ("error.signed_terms_are_fixed", "已签订合同的期限和金额不能修改", "A signed contract's period and fee are fixed"),
    ("error.stale", "该记录已被他人修改，请刷新后重试", "Someone else changed this record; reload and try again"),
    ("error.throttled", "登录失败次数过多，请稍后再试", "Too many failed sign-ins; try again later"),
    ("error.too_long", "内容过长", "Too long"),
    ("error.too_many_files", "最多上传5张照片", "At most 5 photos"),
    ("error.unavailable", "系统暂时无法写入，请稍后重试", "The system cannot save right now; try again shortly"),
    ("error.unknown_calendar", "未知的工作日历", "Unknown working calendar"),
    ("error.unknown_district", "未知的区县", "Unknown district"),
    ("error.unknown_time_zone", "未知的时区", "Unknown time zone"),
    ("error.unreadable_file", "无法读取该文件", "The file cannot be read"),
    ("error.unsupported_locale", "不支持的语言", "Unsupported language"),
    ("error.unterminated_event", "BEGIN:VEVENT 缺少对应的 END:VEVENT", "BEGIN:VEVENT without END:VEVENT"),
    ("event.archive", "归档", "Archive"),
    ("event.cancel", "取消", "Cancel"),
    ("event.carry_in", "带回维修", "Carry in"),
    ("event.check_in", "到达签到", "Check in"),
    ("event.complete_on_site", "现场完工", "Complete on site"),
    ("event.dispatch", "派工", "Dispatch"),
    ("event.fail_inspection", "验讫不通过", "Fail inspection"),
    ("event.pass_inspection", "验讫通过", "Pass inspection"),
    ("event.reassign", "改派", "Reassign"),
    ("event.record_contact", "已联系客户", "Customer contacted"),
    ("event.register", "登记", "Registered"),
    ("event.return_to_customer", "交还客户", "Return to customer"),
    ("event.start_repair", "开始维修", "Start repair"),
    ("fault_class.hardware", "硬件故障", "Hardware fault"),
    ("fault_class.operator_error", "操作失误", "Operator error"),
    ("fault_class.other", "其他", "Other"),
    ("fault_class.software", "软件问题", "Software problem"),
    ("fault_report.class_hardware", "硬件故障", "Hardware"),
    ("fault_report.class_operator_error", "操作不当", "Operator error"),
    ("fault_report.class_other", "其他", "Other"),
    ("fault_report.class_software", "软件故障", "Software"),
    ("fault_report.confirm", "确认并登记叫修", "Confirm and register the call"),
    ("fault_report.contact_name", "联系人", "Contact name"),
    ("fault_report.contact_phone", "联系电话", "Contact phone"),
    ("fault_report.description", "故障描述", "What is wrong"),
    ("fault_report.fault_class", "故障类别", "Fault class"),
    ("fault_report.label_hint", "标签尺寸 50×30 毫米；打印时请选择实际大小（100%）。", "Label size 50×30 mm; print at actual size (100%)."),
    ("fault_report.label_scan", "扫码报修", "Scan to report a fault"),
    ("fault_report.label_title", "设备二维码标签", "Unit QR label"),
    ("fault_report.photos", "照片（最多5张）", "Photos (up to 5)"),
    ("fault_report.photos_hint", "可直接拍照，也可从相册选择", "Take photos or choose them from your album"),
    ("fault_report.preferred_time", "希望上门时间", "Preferred visit time"),
    ("fault_report.print", "打印", "Print"),
    ("fault_report.public_intro", "请描述故障并留下联系电话，客服确认后会与您联系。", "Describe the fault and leave a phone number; our service desk will call you once it is confirmed."),
    ("fault_report.public_title", "设备报修", "Report a fault"),
    ("fault_report.queue_empty", "没有待处理的客户报修", "No customer reports waiting"),
    ("fault_report.queue_intro", "客户扫描设备二维码提交的报修，确认后进入叫修登记簿。", "Faults customers reported by scanning a unit's QR label; confirming registers the call."),
    ("fault_report.queue_title", "客户报修待确认", "Customer reports to confirm"),
    ("fault_report.reject", "退回", "Reject"),
    ("fault_report.reject_reason", "退回原因", "Reason for rejecting"),
    ("fault_report.reported_at", "报修时间", "Reported"),
    ("fault_report.submit", "提交报修", "Send the report"),
    ("fault_report.thanks", "报修已提交，谢谢！", "Thank you, your report was sent!"),
    ("fault_report.thanks_next", "客服确认后将尽快与您联系。", "Our service desk will contact you soon."),
    ("fault_report.throttled", "该设备近期报修次数过多，请稍后再试或致电客服。", "Too many reports for this unit just now; try again later or call us."),
    ("fault_report.urgency", "紧急程度", "Urgency"),
    ("fault_report.urgency_normal", "一般", "Normal"),
    ("fault_report.urgency_urgent", "紧急", "Urgent"),
    ("fault_report.your_number", "报修单号", "Your report number"),
    ("home.contracts_active", "有效保养合同", "Active contracts"),
    ("home.customers", "客户数", "Customers"),
    ("home.greeting", "您好", "Hello"),
    ("home.units", "在保设备", "Units under warranty"),
    ("import.errors", "以下行有错误，未导入任何数据", "These rows have errors; nothing was imported"),
    ("import.export_title", "导出", "Export"),
    ("import.file", "文件（.xlsx 或 .csv）", "File (.xlsx or .csv)"),
    ("import.hint", "第一行为表头，可用中文或英文列名。", "The first row is the header, in Chinese or English."),
    ("import.imported", "已导入行数", "Rows imported"),
    ("import.line", "行号", "Row"),
    ("import.sheet", "数据", "Data"),
    ("import.sheet.customers", "客户", "Customers"),
    ("import.sheet.products", "产品", "Products"),
    ("import.sheet.units", "设备", "Units"),
    ("import.title", "导入与导出", "Import and export"),
    ("lang.switch", "English", "中文"),
    ("nav.api_docs", "API文档", "API docs"),
    ("nav.api_tokens", "API令牌", "API tokens"),
    ("nav.calendars", "工作日历", "Calendars"),
    ("nav.contracts", "保养合同", "Contracts"),
    ("nav.customers", "客户", "Customers"),
    ("nav.fault_reports", "客户报修", "Customer reports"),
    ("nav.goods_register", "商品进出登记簿", "Goods register"),
    ("nav.home", "首页", "Home"),
    ("nav.import_export", "导入导出", "Import/export"),
    ("nav.menu", "菜单", "Menu"),
    ("nav.my_jobs", "我的任务", "My jobs"),
    ("nav.notifications", "通知", "Notifications"),
    ("nav.org", "组织", "Organisation"),
    ("nav.products", "产品", "Products"),
    ("nav.service_orders", "服务凭证", "Service orders"),
    ("nav.settings", "系统设置", "Settings"),
    ("nav.sign_out", "退出", "Sign out"),
    ("nav.staff", "人员", "Staff"),
    ("nav.units", "设备", "Units"),
    ("nav.workshop", "留修商品", "Workshop"),
    ("notification.at", "时间", "When"),
    ("notification.body", "内容", "Message"),
    ("notification.mark_all_read", "全部标为已读", "Mark all read"),
    ("notification.mark_read", "标为已读", "Mark read"),
    ("notification.open", "查看", "Open"),
    ("notification.title", "标题", "Title"),
    ("notification.unread", "未读", "Unread"),
    ("order.appointment_at", "预约上门", "Appointment"),
    ("order.arrived_at", "到达时间", "Arrived"),
    ("order.caller_phone", "来电号码或客户名称", "Caller's phone or name"),
    ("order.category", "服务类别", "Category"),
    ("order.category_auto", "自动判定", "Automatic"),
    ("order.category_reason", "类别调整原因", "Reason for the category"),
    ("order.channel", "来源渠道", "Channel"),
    ("order.clocks", "时限", "Deadlines"),
    ("order.completed_at", "完工时间", "Completed"),
    ("order.component", "故障部件", "Faulty component"),
    ("order.customer_signature", "客户签字", "Customer's signature"),
    ("order.fault_class", "故障分类", "Fault class"),
    ("order.fault_description", "故障描述", "Fault"),
    ("order.find_customer_first", "请先按电话查找客户", "Find the customer by phone first"),
    ("order.from", "从", "From"),
    ("order.model_if_unknown", "型号（设备未知时）", "Model (when the unit is unknown)"),
    ("order.new", "登记叫修", "Register a call"),
    ("order.next_steps", "下一步", "Next steps"),
    ("order.no_customer", "没有找到匹配的客户，可先新建客户。", "No customer matches; create one first."),
    ("order.no_signature_reason", "无法签名的原因（客户不在/拒签）", "Why there is no signature (absent, refused)"),
    ("order.note", "说明", "Note"),
    ("order.number", "凭证号", "Order no."),
    ("order.preferred_time", "希望上门时间", "Preferred time"),
    ("order.print", "打印", "Print"),
    ("order.print_a4", "打印（A4）", "Print (A4)"),
    ("order.print_receipt", "打印（80mm）", "Print (80 mm)"),
    ("order.priority", "优先派工", "Priority"),
    ("order.proposed", "系统建议", "proposed"),
    ("order.received_at", "叫修时间", "Called at"),
    ("order.register", "登记", "Register"),
    ("order.register_title", "叫修登记簿", "Call register"),
    ("order.repeat", "重复维修", "Repeat repair"),
    ("order.repeat_of", "重复维修自", "Repeat of"),
    ("order.search", "凭证号/客户/电话/故障", "Number, customer, phone, fault"),
    ("order.signature", "客户签名", "Customer's signature"),
    ("order.signature_clear", "重签", "Clear"),
    ("order.status", "状态", "Status"),
    ("order.technician", "技术员", "Technician"),
    ("order.timeline", "处理记录", "Timeline"),
    ("order.to", "至", "To"),
    ("order.undispatched", "待派工", "Undispatched"),
    ("order.urgency", "紧急程度", "Urgency"),
    ("order.voucher", "服务凭证", "Service order"),
    ("order.voucher_title", "服务凭证（维修派工单）", "Service voucher (work order)"),
    ("order.work_done", "维修内容", "Work done"),
    ("order_status.archived", "已归档", "Archived"),
    ("order_status.cancelled", "已取消", "Cancelled"),
    ("order_status.carried_in", "已带回", "Carried in"),
    ("order_status.completed_on_site", "现场完工", "Completed on site"),
    ("order_status.contacted", "已联系", "Contacted"),
    ("order_status.dispatched", "已派工", "Dispatched"),
    ("order_status.in_repair", "维修中", "In repair"),
    ("order_status.inspected", "已验讫", "Inspected"),
    ("order_status.on_site", "在现场", "On site"),
    ("order_status.registered", "已登记", "Registered"),
    ("order_status.returned", "已交还", "Returned"),
    ("org.calendar", "工作日历", "Calendar"),
    ("org.code", "代码", "Code"),
    ("org.department_kind", "部门类型", "Department type"),
    ("org.districts", "服务区县", "Districts"),
    ("org.kind", "类型", "Type"),
    ("org.name", "名称", "Name"),
    ("org.new_district", "新增区县", "New district"),
    ("org.new_unit", "新增机构", "New unit"),
    ("org.parent", "上级", "Parent"),
    ("org.time_zone", "时区", "Time zone"),
    ("org.units", "机构", "Units"),
    ("org.zone", "区域", "Zone"),
    ("org_kind.branch", "分公司", "Branch"),
    ("org_kind.customer_department", "客户部", "Customer department"),
    ("org_kind.department", "职能部门", "Department"),
    ("org_kind.service_center", "服务中心", "Service centre"),
    ("page.next", "下一页", "Next"),
    ("page.of", "共", "of"),
    ("page.prev", "上一页", "Previous"),
    ("product.bulky", "大件", "Bulky"),
    ("product.category", "类别", "Category"),
    ("product.components", "部件及保修期", "Components and warranty"),
    ("product.components_hint", "每行一个：名称:月数", "One per line: name:months"),
    ("product.model", "型号", "Model"),
    ("product.name", "名称", "Name"),
    ("product.needs_installation", "需安装", "Needs installation"),
    ("product.new", "新增产品", "New product"),
    ("product.returnable", "可退货", "Returnable"),
    ("product.sanbao", "三包", "三包 product"),
    ("product.seasonal", "季节性", "Seasonal"),
    ("product.warranty_months", "整机保修（月）", "Warranty (months)"),
    ("qualification.certificate", "岗位资质证书", "Post certificate"),
    ("qualification.reception_training", "接待培训", "Reception training"),
    ("qualification.training", "培训合格", "Training passed"),
    ("receipt_status.issued", "已开具", "Issued"),
    ("receipt_status.void", "已作废", "Void"),
    ("role.accountant", "会计员", "Accountant"),
    ("role.admin", "系统管理员", "Administrator"),
    ("role.branch_manager", "分公司经理", "Branch manager"),
    ("role.complaint_hotline", "投诉热线", "Complaint hotline"),
    ("role.customer", "客户（门户）", "Customer (portal)"),
    ("role.customer_department", "客户部专员", "Customer department"),
    ("role.deputy_general_manager", "副总经理", "Deputy general manager"),
    ("role.general_manager", "总经理", "General manager"),
    ("role.qa", "质量管理部", "QA"),
    ("role.service_agent", "业务员/接待员", "Service agent"),
    ("role.service_supervisor", "服务主任", "Service supervisor"),
    ("role.technician", "技术员", "Technician"),
    ("role.warehouse_keeper", "仓库管理员", "Warehouse keeper"),
    ("settings.default", "默认值", "Default"),
    ("settings.description", "说明", "Setting"),
    ("settings.edit", "修改", "Change"),
    ("settings.source", "依据", "Source"),
    ("settings.value", "当前值", "Value"),
    ("sign_in.password", "密码", "Password"),
    ("sign_in.submit", "登录", "Sign in"),
    ("sign_in.title", "登录", "Sign in"),
    ("sign_in.username", "用户名", "User name"),
    ("staff.active", "在职", "Active"),
    ("staff.badge_no", "工号", "Badge no."),
    ("staff.display_name", "姓名", "Name"),
    ("staff.expires_on", "有效期至", "Expires"),
    ("staff.issued_on", "发证日期", "Issued"),
    ("staff.new", "新增人员", "New staff member"),
    ("staff.org_unit", "所属机构", "Unit"),
    ("staff.password", "初始密码", "Initial password"),
    ("staff.qualification_kind", "资质类型", "Kind"),
    ("staff.qualification_title", "证书/培训名称", "Certificate or training"),
    ("staff.qualifications", "资质与培训", "Qualifications"),
    ("staff.roles", "角色", "Roles"),
    ("staff.skills", "技能（产品类别，逗号分隔）", "Skills (product categories, comma separated)"),
    ("staff.username", "用户名", "User name"),
    ("staff.valid", "有效", "Valid"),
    ("token.created", "请立即复制令牌，之后将不再显示：", "Copy the token now; it will not be shown again:"),
    ("token.last_used", "最近使用", "Last used"),
    ("token.name", "名称", "Name"),
    ("token.new", "新建令牌", "New token"),
    ("token.prefix", "前缀", "Prefix"),
    ("token.revoked", "已吊销", "Revoked"),
    ("token.user", "代表用户", "Acts as"),
    ("unit.attachments", "附件", "Attachments"),
    ("unit.contract", "保养合同", "Maintenance contract"),
    ("unit.customer", "客户", "Customer"),
    ("unit.days_left", "剩余天数", "Days left"),
    ("unit.expired", "已过保", "Expired"),
    ("unit.install_date", "安装日期", "Installed"),
    ("unit.invoice_no", "发票号", "Invoice no."),
    ("unit.last_day", "保修截止", "Warranty until"),
    ("unit.list_price", "标价（元）", "List price (yuan)"),
    ("unit.new", "登记设备", "Add unit"),
    ("unit.no_contract", "无有效保养合同", "No active contract"),
    ("unit.paid_price", "实付（元）", "Price paid (yuan)"),
    ("unit.print_label", "打印二维码标签", "Print QR label"),
    ("unit.product", "产品", "Product"),
    ("unit.purchase_date", "购买日期", "Purchased"),
    ("unit.seasonal", "季节性销售", "Seasonal sale"),
    ("unit.serial_no", "序列号", "Serial no."),
    ("unit.store", "购买门店", "Store"),
    ("unit.under_warranty", "在保", "Under warranty"),
    ("unit.warranty", "保修状态", "Warranty"),
    ("unit.whole_unit", "整机", "Whole unit"),
    ("urgency.normal", "一般", "Normal"),
    ("urgency.urgent", "紧急", "Urgent"),
    ("weekday.fri", "周五", "Friday"),
    ("weekday.mon", "周一", "Monday"),
    ("weekday.sat", "周六", "Saturday"),
    ("weekday.sun", "周日", "Sunday"),
    ("weekday.thu", "周四", "Thursday"),
    ("weekday.tue", "周二", "Tuesday"),
    ("weekday.wed", "周三", "Wednesday"),
    ("zone.suburban", "郊区", "Suburban"),
    ("zone.urban", "市区", "Urban"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sorted_and_unique_so_lookup_finds_them() {
        for pair in MESSAGES.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{} must come before {}",
                pair[0].0,
                pair[1].0
            );
        }
    }

    #[test]
    fn every_text_key_a_template_uses_exists() {
        let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        let mut stack = vec![templates];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for piece in text.split("ctx.t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap();
                    if MESSAGES
                        .binary_search_by(|(k, _, _)| (*k).cmp(key))
                        .is_err()
                    {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing texts: {missing:?}");
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-TW;q=0.5, en;q=0.4"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
    }

    #[test]
    fn error_codes_translate_and_unknown_codes_still_say_something() {
        assert_eq!(Lang::En.error("required"), "Required");
        assert_eq!(Lang::Zh.error("invalid_phone"), "电话号码格式不正确");
        assert_eq!(
            Lang::En.error("no_such_code"),
            "Invalid input (no_such_code)"
        );
    }
}
