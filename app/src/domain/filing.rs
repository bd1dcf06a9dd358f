//! Developer bulk filings (批量预申请): the spreadsheet template of each
//! matter, and the checks every row passes before a batch is accepted for
//! pre-review — each cell with its own plain-language error, the cross-row
//! rules (a unit twice, a unit not in the project), and the damage Excel
//! does to ID numbers (4.40103E+17, a lost X). Pure: the same words for the
//! spreadsheet report, the API and the browser.

use super::{
    normalize_compact, CertificateNumber, CreditCode, DomainError, MobileNumber, ResidentId,
    UnitNumber,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The matters a developer files in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingKind {
    /// 双预告: advance notice of the sale and of the buyer's mortgage.
    DualNotice,
    /// 预告登记 only (a buyer without a loan).
    Notice,
    /// 预转本: converting a notice into ownership.
    Conversion,
    /// 首次登记: the developer's first registration of the units.
    FirstRegistration,
}

impl FilingKind {
    pub const ALL: [FilingKind; 4] = [
        FilingKind::DualNotice,
        FilingKind::Notice,
        FilingKind::Conversion,
        FilingKind::FirstRegistration,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FilingKind::DualNotice => "dual_notice",
            FilingKind::Notice => "notice",
            FilingKind::Conversion => "conversion",
            FilingKind::FirstRegistration => "first_registration",
        }
    }

    pub fn from_code(code: &str) -> Option<FilingKind> {
        FilingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The catalogue matter a line of this kind becomes a case of.
    pub fn matter_code(self) -> &'static str {
        match self {
            FilingKind::DualNotice => "DOUBLE-NOTICE",
            FilingKind::Notice => "PRESALE-NOTICE",
            FilingKind::Conversion => "NOTICE-CONVERSION",
            FilingKind::FirstRegistration => "FIRST-BUILDING",
        }
    }

    pub fn name(self, lang: super::Lang) -> &'static str {
        match lang {
            super::Lang::Zh => self.name_zh(),
            super::Lang::En => self.name_en(),
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            FilingKind::DualNotice => "Advance notice of sale and of mortgage (dual notice)",
            FilingKind::Notice => "Advance notice of sale",
            FilingKind::Conversion => "Conversion of a notice",
            FilingKind::FirstRegistration => "First registration of buildings",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FilingKind::DualNotice => "预售商品房买卖预告登记及预购商品房抵押权预告登记（双预告）",
            FilingKind::Notice => "预售商品房买卖预告登记",
            FilingKind::Conversion => "预告登记转本登记（预转本）",
            FilingKind::FirstRegistration => "房屋首次登记",
        }
    }

    /// The template's columns, in order.
    pub fn columns(self) -> Vec<Column> {
        use Col::*;
        let cols: &[Col] = match self {
            FilingKind::DualNotice => &[
                Unit,
                BuyerName,
                BuyerId,
                BuyerMobile,
                ContractNo,
                Price,
                LoanAmount,
                BankCode,
                LoanContractNo,
            ],
            FilingKind::Notice => &[Unit, BuyerName, BuyerId, BuyerMobile, ContractNo, Price],
            FilingKind::Conversion => {
                &[Unit, BuyerName, BuyerId, BuyerMobile, ContractNo, NoticeNo]
            }
            FilingKind::FirstRegistration => &[Unit, Floor, Area, Use],
        };
        cols.iter().map(|c| c.column()).collect()
    }
}

/// The columns a template may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Col {
    Unit,
    BuyerName,
    BuyerId,
    /// The buyer's mobile: they are told of every filing in their name.
    BuyerMobile,
    ContractNo,
    Price,
    LoanAmount,
    BankCode,
    LoanContractNo,
    NoticeNo,
    Floor,
    Area,
    Use,
    /// The building's name in a project's unit list (楼盘表).
    Building,
}

/// The columns of a project's unit list (楼盘表), imported before any batch.
pub fn unit_list_columns() -> Vec<Column> {
    [Col::Building, Col::Unit, Col::Floor, Col::Area, Col::Use]
        .iter()
        .map(|c| c.column())
        .collect()
}

/// One column of a template: its key and its header as staff see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub col: Col,
    pub header: &'static str,
}

impl Col {
    /// The column's header as staff see it.
    pub fn header(self) -> &'static str {
        self.column().header
    }

    fn column(self) -> Column {
        let header = match self {
            Col::Unit => "不动产单元号",
            Col::BuyerName => "买受人姓名",
            Col::BuyerId => "买受人身份证号",
            Col::BuyerMobile => "买受人手机号",
            Col::ContractNo => "购房合同备案号",
            Col::Price => "成交价（元）",
            Col::LoanAmount => "贷款金额（元）",
            Col::BankCode => "抵押权人统一社会信用代码",
            Col::LoanContractNo => "借款合同号",
            Col::NoticeNo => "预告登记证明号",
            Col::Floor => "所在层",
            Col::Area => "建筑面积（平方米）",
            Col::Use => "房屋用途",
            Col::Building => "楼栋",
        };
        Column { col: self, header }
    }
}

/// What is wrong with one cell (or with the row, `col` = `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    pub col: Option<Col>,
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl CellError {
    fn new(col: Option<Col>, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        CellError {
            col,
            code: code.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn domain(col: Col, e: &DomainError) -> Self {
        CellError::new(
            Some(col),
            e.code(),
            e.message(super::Lang::Zh),
            e.message(super::Lang::En),
        )
    }
}

/// A loan for the pre-mortgage notice of a dual-notice row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub amount_cents: i64,
    pub bank: CreditCode,
    pub contract_no: String,
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingRow {
    pub unit: UnitNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_id: Option<ResidentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_mobile: Option<MobileNumber>,
    pub contract_no: Option<String>,
    pub price_cents: Option<i64>,
    pub loan: Option<Loan>,
    pub notice_no: Option<CertificateNumber>,
    pub floor: Option<i32>,
    pub area_centi: Option<i64>,
    pub use_: Option<String>,
}

impl FilingRow {
    /// The natural key of a row within an organisation and matter: the
    /// same unit and contract filed again is the same filing.
    pub fn natural_key(&self) -> String {
        format!(
            "{}|{}",
            self.unit.as_str(),
            self.contract_no.as_deref().unwrap_or("")
        )
    }
}

/// A row's cells by column, and such a row with its line in the file.
pub type Cells = HashMap<Col, Cell>;
pub type NumberedRow = (usize, Cells);

/// A cell as the spreadsheet gave it: text, or a number (XLSX cells may be
/// numeric; Excel turns long digit strings into floating point), or a
/// formula (an XLSX cell computed by Excel: its formula, never its value).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    Text(String),
    Number(f64),
    Formula(String),
    #[default]
    Empty,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => super::normalize::without_zero_width(s).trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n}"),
            Cell::Formula(f) => format!("={f}"),
            Cell::Empty => String::new(),
        }
    }
}

/// An ID number cell, with Excel's damage named: scientific notation (the
/// last digits are lost for good), and a stripped final X.
pub fn id_cell(cell: &Cell) -> Result<ResidentId, CellError> {
    let mangled = || {
        CellError::new(
            Some(Col::BuyerId),
            "resident_id.excel_number",
            "身份证号被 Excel 当成了数字（如 4.40103E+17），后几位已经丢失：请把该列设为“文本”格式后重新填写",
            "Excel turned the ID number into a number (like 4.40103E+17) and lost its last digits: format the column as Text and type it again",
        )
    };
    let raw = match cell {
        Cell::Number(n) if n.abs() >= 1e15 => return Err(mangled()),
        other => other.text(),
    };
    let compact = normalize_compact(&raw);
    let upper = compact.to_ascii_uppercase();
    if upper.contains("E+") && upper.chars().filter(|c| c.is_ascii_digit()).count() < 18 {
        return Err(mangled());
    }
    if compact.len() == 17 && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CellError::new(
            Some(Col::BuyerId),
            "resident_id.missing_last",
            "身份证号只有 17 位：最后一位（可能是 X）丢了，请补上",
            "The ID number has 17 characters: the last one (perhaps an X) is missing",
        ));
    }
    ResidentId::parse(&raw).map_err(|e| CellError::domain(Col::BuyerId, &e))
}

/// An amount in yuan (`1,250,000.50`, full-width digits, a ¥ sign) as cents,
/// more than zero.
pub fn money_cell(col: Col, cell: &Cell) -> Result<i64, CellError> {
    let bad = || {
        CellError::new(
            Some(col),
            "money",
            "金额应为大于 0 的数字，最多两位小数（如 1250000 或 1,250,000.50）",
            "An amount above 0 with at most two decimals (like 1250000 or 1,250,000.50)",
        )
    };
    let cents = match cell {
        Cell::Number(n) => {
            let c = (n * 100.0).round();
            if !n.is_finite() || (c / 100.0 - n).abs() > 1e-6 || c > 1e15 {
                return Err(bad());
            }
            c as i64
        }
        other => {
            let t = super::to_half_width(&other.text()).replace([',', '，', '¥', '￥', ' '], "");
            let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
            if int.is_empty()
                || int.len() > 13
                || frac.len() > 2
                || !int.bytes().all(|b| b.is_ascii_digit())
                || !frac.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(bad());
            }
            let int: i64 = int.parse().map_err(|_| bad())?;
            let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
            int * 100 + frac
        }
    };
    if cents <= 0 {
        return Err(bad());
    }
    Ok(cents)
}

/// A contract number: 4–40 letters, digits and `-`/`/` (full-width allowed).
fn contract_cell(col: Col, cell: &Cell) -> Result<String, CellError> {
    let t = normalize_compact(&cell.text()).to_ascii_uppercase();
    let ok = (4..=40).contains(&t.chars().count())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    if ok {
        Ok(t)
    } else {
        Err(CellError::new(
            Some(col),
            "contract_no",
            "合同号应为 4–40 位字母、数字或“-”“/”",
            "A contract number is 4–40 letters, digits, '-' or '/'",
        ))
    }
}

fn name_cell(cell: &Cell) -> Result<String, CellError> {
    let t = cell.text();
    let n = t.chars().count();
    if t.starts_with(['=', '+', '-', '@']) {
        return Err(CellError::new(
            Some(Col::BuyerName),
            "name_formula",
            "姓名不能以 = + - @ 开头（这是公式，不是姓名），请填写买受人的真实姓名",
            "A name cannot begin with = + - @ (that is a formula, not a name); give the buyer's real name",
        ));
    }
    if super::normalize::has_hidden_chars(&t) {
        return Err(CellError::new(
            Some(Col::BuyerName),
            "hidden_chars",
            "姓名里有看不见的控制字符或方向控制符（常见于从网页或聊天记录复制），请删除后重新输入姓名",
            "The name holds invisible control or direction characters (often from copying a web page or a chat); delete them and type the name again",
        ));
    }
    if (1..=50).contains(&n) {
        Ok(t)
    } else {
        Err(CellError::new(
            Some(Col::BuyerName),
            "name",
            "请填写买受人姓名（50 字以内）",
            "Give the buyer's name (up to 50 characters)",
        ))
    }
}

/// Check one row of `kind` given its cells by column. Every error is
/// reported, not only the first.
pub fn check_row(
    kind: FilingKind,
    cells: &HashMap<Col, Cell>,
) -> Result<FilingRow, Vec<CellError>> {
    check_cells(&kind.columns(), cells)
}

/// Check one row of a sheet with these columns (a filing template or the
/// unit list).
pub fn check_cells(
    columns: &[Column],
    cells: &HashMap<Col, Cell>,
) -> Result<FilingRow, Vec<CellError>> {
    let mut errors = Vec::new();
    let empty = Cell::Empty;
    let get = |c: Col| cells.get(&c).unwrap_or(&empty);
    let required = |c: Col, errors: &mut Vec<CellError>| -> bool {
        if let Cell::Formula(f) = get(c) {
            // What Excel shows for a formula is not what was typed: a
            // filing holds what a person entered, never a computed value.
            let shown: String = f.chars().take(30).collect();
            errors.push(CellError::new(
                Some(c),
                "formula_cell",
                format!("“{}”这一格是公式（={shown}），不是填写的内容：请直接填写内容（可复制后“选择性粘贴 → 数值”）", c.column().header),
                format!("“{}” holds a formula (={shown}), not a typed value: type the value itself (or copy and Paste Special → Values)", c.column().header),
            ));
            false
        } else if get(c).text().is_empty() {
            errors.push(CellError::new(
                Some(c),
                "required",
                format!("“{}”不能为空", c.column().header),
                format!("“{}” is required", c.column().header),
            ));
            false
        } else {
            true
        }
    };
    let take = required;
    let has = |c: Col| columns.iter().any(|x| x.col == c);

    let unit = if take(Col::Unit, &mut errors) {
        UnitNumber::parse(&get(Col::Unit).text())
            .map_err(|e| errors.push(CellError::domain(Col::Unit, &e)))
            .ok()
    } else {
        None
    };
    let mut row = Fields::default();
    if has(Col::Building) && take(Col::Building, &mut errors) {
        let b = get(Col::Building).text();
        if b.chars().count() <= 30 && !b.chars().any(|c| c.is_control()) {
            row.building = Some(b);
        } else {
            errors.push(CellError::new(
                Some(Col::Building),
                "building",
                "楼栋名称不超过 30 个字",
                "A building name has at most 30 characters",
            ));
        }
    }
    if has(Col::BuyerName) && take(Col::BuyerName, &mut errors) {
        row.buyer_name = name_cell(get(Col::BuyerName))
            .map_err(|e| errors.push(e))
            .ok();
    }
    if has(Col::BuyerId) && take(Col::BuyerId, &mut errors) {
        row.buyer_id = id_cell(get(Col::BuyerId)).map_err(|e| errors.push(e)).ok();
    }
    if has(Col::BuyerMobile) && take(Col::BuyerMobile, &mut errors) {
        row.buyer_mobile = MobileNumber::parse(&get(Col::BuyerMobile).text())
            .map_err(|e| errors.push(CellError::domain(Col::BuyerMobile, &e)))
            .ok();
    }
    if has(Col::ContractNo) && take(Col::ContractNo, &mut errors) {
        row.contract_no = contract_cell(Col::ContractNo, get(Col::ContractNo))
            .map_err(|e| errors.push(e))
            .ok();
    }
    if has(Col::Price) && take(Col::Price, &mut errors) {
        row.price_cents = money_cell(Col::Price, get(Col::Price))
            .map_err(|e| errors.push(e))
            .ok();
    }
    if has(Col::LoanAmount) {
        // A pre-mortgage notice needs the whole loan.
        let amount = take(Col::LoanAmount, &mut errors)
            .then(|| money_cell(Col::LoanAmount, get(Col::LoanAmount)).map_err(|e| errors.push(e)))
            .and_then(Result::ok);
        let bank = take(Col::BankCode, &mut errors)
            .then(|| {
                CreditCode::parse(&get(Col::BankCode).text())
                    .map_err(|e| errors.push(CellError::domain(Col::BankCode, &e)))
            })
            .and_then(Result::ok);
        let contract = take(Col::LoanContractNo, &mut errors)
            .then(|| {
                contract_cell(Col::LoanContractNo, get(Col::LoanContractNo))
                    .map_err(|e| errors.push(e))
            })
            .and_then(Result::ok);
        if let (Some(amount), Some(price)) = (amount, row.price_cents) {
            if amount > price {
                errors.push(CellError::new(
                    Some(Col::LoanAmount),
                    "loan_above_price",
                    "贷款金额不能超过成交价",
                    "The loan cannot exceed the price",
                ));
            }
        }
        if let (Some(amount_cents), Some(bank), Some(contract_no)) = (amount, bank, contract) {
            row.loan = Some(Loan {
                amount_cents,
                bank,
                contract_no,
            });
        }
    }
    if has(Col::NoticeNo) && take(Col::NoticeNo, &mut errors) {
        row.notice_no = CertificateNumber::parse(&get(Col::NoticeNo).text())
            .map_err(|e| errors.push(CellError::domain(Col::NoticeNo, &e)))
            .ok();
    }
    if has(Col::Floor) && take(Col::Floor, &mut errors) {
        row.floor = get(Col::Floor)
            .text()
            .parse::<i32>()
            .ok()
            .filter(|f| (-10..=200).contains(f) && *f != 0)
            .or_else(|| {
                errors.push(CellError::new(
                    Some(Col::Floor),
                    "floor",
                    "所在层应为 -10 至 200 之间的整数（不含 0）",
                    "The floor is a whole number from -10 to 200 (not 0)",
                ));
                None
            });
    }
    if has(Col::Area) && take(Col::Area, &mut errors) {
        row.area_centi = money_cell(Col::Area, get(Col::Area))
            .map_err(|_| {
                errors.push(CellError::new(
                    Some(Col::Area),
                    "area",
                    "建筑面积应为大于 0 的数字，最多两位小数",
                    "The floor area is a number above 0 with at most two decimals",
                ))
            })
            .ok();
    }
    if has(Col::Use) && take(Col::Use, &mut errors) {
        let u = get(Col::Use).text();
        if ["住宅", "商业", "办公", "车位", "储藏", "其他"].contains(&u.as_str()) {
            row.use_ = Some(u);
        } else {
            errors.push(CellError::new(
                Some(Col::Use),
                "use",
                "房屋用途应为：住宅、商业、办公、车位、储藏或其他",
                "Use is one of 住宅, 商业, 办公, 车位, 储藏, 其他",
            ));
        }
    }
    match (unit, errors.is_empty()) {
        (Some(unit), true) => Ok(FilingRow {
            unit,
            building: row.building,
            buyer_name: row.buyer_name,
            buyer_id: row.buyer_id,
            buyer_mobile: row.buyer_mobile,
            contract_no: row.contract_no,
            price_cents: row.price_cents,
            loan: row.loan,
            notice_no: row.notice_no,
            floor: row.floor,
            area_centi: row.area_centi,
            use_: row.use_,
        }),
        _ => Err(errors),
    }
}

/// The checked cells of a row other than its unit, while it is checked.
#[derive(Default)]
struct Fields {
    building: Option<String>,
    buyer_name: Option<String>,
    buyer_id: Option<ResidentId>,
    buyer_mobile: Option<MobileNumber>,
    contract_no: Option<String>,
    price_cents: Option<i64>,
    loan: Option<Loan>,
    notice_no: Option<CertificateNumber>,
    floor: Option<i32>,
    area_centi: Option<i64>,
    use_: Option<String>,
}

/// The verdict on one line of a file (1-based, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub line: usize,
    pub outcome: Result<FilingRow, Vec<CellError>>,
}

/// Check every row, then the rules across rows: a unit filed twice in the
/// file (both lines named), and units that are not in the project (when
/// the project's units are known).
pub fn check_rows(
    kind: FilingKind,
    rows: &[(usize, HashMap<Col, Cell>)],
    project_units: Option<&HashSet<String>>,
) -> Vec<RowResult> {
    check_rows_with(&kind.columns(), rows, project_units)
}

/// [`check_rows`] for a sheet with these columns.
pub fn check_rows_with(
    columns: &[Column],
    rows: &[(usize, HashMap<Col, Cell>)],
    project_units: Option<&HashSet<String>>,
) -> Vec<RowResult> {
    let mut out = check_each(columns, rows);
    let not_in_project: HashSet<String> = match project_units {
        Some(units) => out
            .iter()
            .filter_map(|r| r.outcome.as_ref().ok())
            .map(|row| row.unit.as_str())
            .filter(|u| !units.contains(*u))
            .map(str::to_string)
            .collect(),
        None => HashSet::new(),
    };
    FileChecker::default().across(&mut out, &not_in_project);
    out
}

/// Every row's own cells checked (no rule across rows yet).
pub fn check_each(columns: &[Column], rows: &[(usize, HashMap<Col, Cell>)]) -> Vec<RowResult> {
    rows.iter()
        .map(|(line, cells)| RowResult {
            line: *line,
            outcome: check_cells(columns, cells),
        })
        .collect()
}

/// The rules across the rows of one file, for a file read a part at a
/// time: it remembers the line on which each unit first appeared.
#[derive(Debug, Default)]
pub struct FileChecker {
    first_line: HashMap<String, usize>,
}

impl FileChecker {
    /// Apply the rules across rows to the next part of the file (in file
    /// order): a unit filed twice (naming the first line), and the part's
    /// units found not to be in the project.
    pub fn across(&mut self, part: &mut [RowResult], not_in_project: &HashSet<String>) {
        for r in part {
            let Ok(row) = &r.outcome else { continue };
            let unit = row.unit.as_str();
            let mut errors = Vec::new();
            if not_in_project.contains(unit) {
                errors.push(CellError::new(
                    Some(Col::Unit),
                    "unit_not_in_project",
                    "该单元不在本项目的楼盘表中，请核对单元号",
                    "That unit is not in this project's unit list; check the number",
                ));
            }
            match self.first_line.get(unit) {
                Some(first) => errors.push(CellError::new(
                    Some(Col::Unit),
                    "unit_twice",
                    format!("同一单元在第 {first} 行已经填写过"),
                    format!("The same unit is already on line {first}"),
                )),
                None => {
                    self.first_line.insert(unit.to_string(), r.line);
                }
            }
            if !errors.is_empty() {
                r.outcome = Err(errors);
            }
        }
    }
}

/// A cell as written into an exported file: one starting with = + - @ (or a
/// tab or carriage return) would be run as a formula, so it gets a leading
/// apostrophe, which spreadsheets show as text.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Map a file's header row to the template's columns: every template
/// column must be there (headers compared without spaces; extra columns,
/// such as an earlier report's error column, are ignored). `Err` names the
/// missing headers.
pub fn header_map(kind: FilingKind, headers: &[String]) -> Result<Vec<(Col, usize)>, Vec<String>> {
    header_map_with(&kind.columns(), headers)
}

/// [`header_map`] for a sheet with these columns.
pub fn header_map_with(
    columns: &[Column],
    headers: &[String],
) -> Result<Vec<(Col, usize)>, Vec<String>> {
    let norm = |s: &str| normalize_compact(s).replace(['(', ')'], "");
    let mut map = Vec::new();
    let mut missing = Vec::new();
    for &c in columns {
        let want = norm(c.header);
        match headers.iter().position(|h| norm(h) == want) {
            Some(i) => map.push((c.col, i)),
            None => missing.push(c.header.to_string()),
        }
    }
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

/// Why a whole file was refused (nothing of it is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileError {
    /// Zero bytes.
    EmptyFile,
    /// Neither an XLSX workbook nor a CSV text file.
    NotSpreadsheet,
    /// An old binary .xls workbook.
    OldExcel,
    TooLarge {
        max_mb: usize,
    },
    /// An XLSX that unpacks to far more than its size.
    ZipBomb,
    TooManyRows {
        limit: usize,
    },
    /// Something in a column beyond the last one a sheet may have.
    TooManyColumns {
        limit: usize,
    },
    /// A CSV that is neither UTF-8 nor GBK: the line of the first bad byte
    /// (of the encoding the file evidently is in).
    BadEncoding {
        line: usize,
    },
    /// A damaged XLSX (or one with no worksheet).
    BrokenXlsx,
    /// No data row under the header.
    Empty,
    /// The template's headers that are missing.
    MissingHeaders(Vec<String>),
}

impl FileError {
    pub fn code(&self) -> &'static str {
        match self {
            FileError::EmptyFile => "file.zero",
            FileError::NotSpreadsheet => "file.type",
            FileError::OldExcel => "file.xls",
            FileError::TooLarge { .. } => "file.too_large",
            FileError::ZipBomb => "file.zip_bomb",
            FileError::TooManyRows { .. } => "file.too_many_rows",
            FileError::TooManyColumns { .. } => "file.too_many_columns",
            FileError::BadEncoding { .. } => "file.encoding",
            FileError::BrokenXlsx => "file.broken",
            FileError::Empty => "file.empty",
            FileError::MissingHeaders(_) => "file.headers",
        }
    }

    /// The number or names the message needs (for a redirect's query).
    pub fn param(&self) -> String {
        match self {
            FileError::TooLarge { max_mb } => max_mb.to_string(),
            FileError::TooManyRows { limit } => limit.to_string(),
            FileError::TooManyColumns { limit } => limit.to_string(),
            FileError::BadEncoding { line } => line.to_string(),
            FileError::MissingHeaders(h) => h.join("、"),
            _ => String::new(),
        }
    }

    /// Rebuild from a code and its parameter (as a page's query gives them).
    pub fn from_parts(code: &str, param: &str) -> Option<FileError> {
        let n = || param.parse().unwrap_or(0);
        Some(match code {
            "file.zero" => FileError::EmptyFile,
            "file.type" => FileError::NotSpreadsheet,
            "file.xls" => FileError::OldExcel,
            "file.too_large" => FileError::TooLarge { max_mb: n() },
            "file.zip_bomb" => FileError::ZipBomb,
            "file.too_many_rows" => FileError::TooManyRows { limit: n() },
            "file.too_many_columns" => FileError::TooManyColumns { limit: n() },
            "file.encoding" => FileError::BadEncoding { line: n() },
            "file.broken" => FileError::BrokenXlsx,
            "file.empty" => FileError::Empty,
            "file.headers" => FileError::MissingHeaders(
                param
                    .split('、')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            _ => return None,
        })
    }

    pub fn message(&self, lang: super::Lang) -> String {
        let zh = lang == super::Lang::Zh;
        match self {
            FileError::EmptyFile if zh => "文件是空的（0 字节），请检查是否选错了文件，或重新保存后上传。".into(),
            FileError::EmptyFile => "The file is empty (0 bytes); check you chose the right file, or save it again and upload that.".into(),
            FileError::NotSpreadsheet if zh => "这个文件既不是 Excel 工作簿（.xlsx）也不是 CSV 表格，请用模板填写后上传。".into(),
            FileError::NotSpreadsheet => "This file is neither an Excel workbook (.xlsx) nor a CSV sheet; fill in the template and upload that.".into(),
            FileError::OldExcel if zh => "这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 或 CSV 后上传。".into(),
            FileError::OldExcel => "This is an old Excel file (.xls); save it as .xlsx or CSV in Excel and upload that.".into(),
            FileError::TooLarge { max_mb } if zh => format!("文件超过 {max_mb} MB，请分成几个文件上传。"),
            FileError::TooLarge { max_mb } => format!("The file is larger than {max_mb} MB; split it into several files."),
            FileError::ZipBomb if zh => "这个 .xlsx 文件解压后比文件本身大得异常（可能是压缩炸弹），已拒收。请用模板重新保存后上传。".into(),
            FileError::ZipBomb => "This .xlsx unpacks to far more than its size (a possible zip bomb) and was refused. Save the template again and upload that.".into(),
            FileError::TooManyRows { limit } if zh => format!("一个文件最多 {limit} 行，请分成几个文件（同一批次可以多次上传）。"),
            FileError::TooManyRows { limit } => format!("A file may have at most {limit} rows; split it (one batch takes several uploads)."),
            FileError::TooManyColumns { limit } if zh => format!("表格最多 {limit} 列，这个文件在第 {limit} 列之后还有内容。请只保留模板的列后重新上传。"),
            FileError::TooManyColumns { limit } => format!("A sheet may have at most {limit} columns and this file has something beyond column {limit}; keep only the template's columns and upload again."),
            FileError::BadEncoding { line } if zh => format!("第 {line} 行有无法识别的字符（可能是复制粘贴时损坏的文字）。请改正这一行；如整个文件都是乱码，请在 Excel 中“另存为 → CSV UTF-8”后重新上传。"),
            FileError::BadEncoding { line } => format!("Line {line} has characters that cannot be read (damaged text, perhaps from copying). Fix that line; if the whole file looks garbled, save it from Excel as \"CSV UTF-8\" and upload again."),
            FileError::BrokenXlsx if zh => "这个 .xlsx 文件已损坏或没有工作表，无法读取。".into(),
            FileError::BrokenXlsx => "This .xlsx file is damaged or has no worksheet.".into(),
            FileError::Empty if zh => "表格里只有表头，没有数据行。".into(),
            FileError::Empty => "The sheet has a header but no data rows.".into(),
            FileError::MissingHeaders(h) if zh => format!("表头缺少这些列：{}。请使用本事项的模板（列的顺序可以不同）。", h.join("、")),
            FileError::MissingHeaders(h) => format!("The header lacks these columns: {}. Use this matter's template (columns may be in any order).", h.join(", ")),
        }
    }
}

/// Lines of a batch shown on one page.
pub const LINES_PER_PAGE: usize = 100;

/// Where a page of a batch's lines is: how many lines in all and in each
/// state, the state shown (empty: all), and the page among the pages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LinePage {
    pub total: usize,
    pub counts: Vec<(String, usize)>,
    pub show: String,
    pub shown: usize,
    pub page: usize,
    pub pages: usize,
}

impl LinePage {
    /// Cut `lines` (in their order) to page `page` (from 1; out of range:
    /// the nearest) of those in state `show` (empty or unknown: all).
    pub fn cut<T>(
        lines: Vec<T>,
        status: impl Fn(&T) -> &str,
        show: &str,
        page: usize,
    ) -> (Vec<T>, LinePage) {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for l in &lines {
            match counts.iter_mut().find(|(s, _)| s == status(l)) {
                Some((_, n)) => *n += 1,
                None => counts.push((status(l).to_string(), 1)),
            }
        }
        let show = if counts.iter().any(|(s, _)| s == show) {
            show.to_string()
        } else {
            String::new()
        };
        let total = lines.len();
        let chosen: Vec<T> = lines
            .into_iter()
            .filter(|l| show.is_empty() || status(l) == show)
            .collect();
        let shown = chosen.len();
        let pages = shown.div_ceil(LINES_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let cut = chosen
            .into_iter()
            .skip((page - 1) * LINES_PER_PAGE)
            .take(LINES_PER_PAGE)
            .collect();
        (
            cut,
            LinePage {
                total,
                counts,
                show,
                shown,
                page,
                pages,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: &str = "320684413219GB00029F00010002";
    const UNIT2: &str = "320684413219GB00029F00010003";
    const BANK: &str = "91350100M000100Y43";

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn dual(unit: &str) -> HashMap<Col, Cell> {
        HashMap::from([
            (Col::Unit, text(unit)),
            (Col::BuyerName, text("张三")),
            (Col::BuyerId, text("330203198501011238")),
            (Col::BuyerMobile, text("138 0013 8000")),
            (Col::ContractNo, text("YS2026-000123")),
            (Col::Price, text("1,250,000.50")),
            (Col::LoanAmount, Cell::Number(800000.0)),
            (Col::BankCode, text(BANK)),
            (Col::LoanContractNo, text("JK-2026-88")),
        ])
    }

    fn codes(r: &Result<FilingRow, Vec<CellError>>) -> Vec<String> {
        match r {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|e| e.code.clone()).collect(),
        }
    }

    #[test]
    fn a_good_dual_notice_row_passes_with_amounts_in_cents() {
        let row = check_row(FilingKind::DualNotice, &dual(UNIT)).unwrap();
        assert_eq!(row.price_cents, Some(125_000_050));
        assert_eq!(row.loan.as_ref().unwrap().amount_cents, 80_000_000);
        assert_eq!(row.natural_key(), format!("{UNIT}|YS2026-000123"));
    }

    #[test]
    fn every_bad_cell_is_named_not_only_the_first() {
        let mut cells = dual(UNIT);
        cells.insert(Col::BuyerId, text("330203198501011230"));
        cells.insert(Col::Price, text("0"));
        cells.remove(&Col::BankCode);
        cells.insert(Col::ContractNo, text("合同"));
        let r = check_row(FilingKind::DualNotice, &cells);
        assert_eq!(
            codes(&r),
            ["resident_id.checksum", "contract_no", "money", "required"]
        );
        let e = r.unwrap_err();
        assert_eq!(e[3].col, Some(Col::BankCode));
        assert!(e[3].zh.contains("抵押权人统一社会信用代码"));
    }

    #[test]
    fn a_batch_is_shown_a_page_at_a_time_with_counts_and_a_filter() {
        let lines: Vec<(usize, &str)> = (0..250)
            .map(|i| (i, if i % 10 == 0 { "returned" } else { "pending" }))
            .collect();
        let (cut, page) = LinePage::cut(lines.clone(), |l| l.1, "", 3);
        assert_eq!((cut.len(), cut[0].0), (50, 200));
        assert_eq!(
            (page.total, page.shown, page.page, page.pages),
            (250, 250, 3, 3)
        );
        assert_eq!(
            page.counts,
            [("returned".to_string(), 25), ("pending".to_string(), 225)]
        );
        let (cut, page) = LinePage::cut(lines.clone(), |l| l.1, "returned", 9);
        assert_eq!(
            (cut.len(), page.shown, page.page, page.pages),
            (25, 25, 1, 1)
        );
        assert!(cut.iter().all(|l| l.1 == "returned"));
        let (_, page) = LinePage::cut(lines, |l| l.1, "<script>", 0);
        assert_eq!((page.show.as_str(), page.page), ("", 1));
        let (cut, page) = LinePage::cut(Vec::<(usize, &str)>::new(), |l| l.1, "", 1);
        assert_eq!((cut.len(), page.pages), (0, 1));
    }

    #[test]
    fn a_formula_or_hidden_characters_are_not_a_name() {
        for bad in ["=HYPERLINK(\"http://x\",\"张三\")", "+86", "-1", "@SUM(A1)"] {
            let mut cells = dual(UNIT);
            cells.insert(Col::BuyerName, text(bad));
            assert_eq!(
                codes(&check_row(FilingKind::DualNotice, &cells)),
                ["name_formula"],
                "{bad}"
            );
        }
        let mut cells = dual(UNIT);
        cells.insert(Col::BuyerName, text("张\u{202E}三"));
        assert_eq!(
            codes(&check_row(FilingKind::DualNotice, &cells)),
            ["hidden_chars"]
        );
        // Zero-width characters pasted from a chat are dropped, not kept.
        let mut cells = dual(UNIT);
        cells.insert(Col::BuyerName, text("张\u{200B}五\u{FEFF}"));
        let row = check_row(FilingKind::DualNotice, &cells).unwrap();
        assert_eq!(row.buyer_name.as_deref(), Some("张五"));
        // A real formula cell (from an XLSX) says so, in any column.
        let mut cells = dual(UNIT);
        cells.insert(
            Col::BuyerName,
            Cell::Formula("HYPERLINK(\"http://x\",\"张三\")".into()),
        );
        cells.insert(Col::Price, Cell::Formula("B2*2".into()));
        let r = check_row(FilingKind::DualNotice, &cells);
        assert_eq!(codes(&r), ["formula_cell", "formula_cell"]);
        let e = r.unwrap_err();
        assert!(e[0].zh.contains("公式（=HYPERLINK"), "{}", e[0].zh);
        assert!(e[1].en.contains("(=B2*2)"), "{}", e[1].en);
    }

    #[test]
    fn excel_damage_to_id_numbers_gets_its_own_message() {
        assert_eq!(
            id_cell(&Cell::Number(4.40103198501011e17))
                .unwrap_err()
                .code,
            "resident_id.excel_number"
        );
        assert_eq!(
            id_cell(&text("4.40103E+17")).unwrap_err().code,
            "resident_id.excel_number"
        );
        assert_eq!(
            id_cell(&text("11010519491231002")).unwrap_err().code,
            "resident_id.missing_last"
        );
        assert_eq!(
            id_cell(&text("11010519491231002x")).unwrap().as_str(),
            "11010519491231002X"
        );
        assert!(
            id_cell(&text("３３０２０３１９８５０１０１１２３８")).is_ok(),
            "full width"
        );
    }

    #[test]
    fn loans_need_every_field_and_cannot_exceed_the_price() {
        let mut cells = dual(UNIT);
        cells.insert(Col::LoanAmount, text("2000000"));
        assert_eq!(
            codes(&check_row(FilingKind::DualNotice, &cells)),
            ["loan_above_price"]
        );
        let mut notice = dual(UNIT);
        notice.remove(&Col::LoanAmount);
        notice.remove(&Col::BankCode);
        assert!(
            check_row(FilingKind::Notice, &notice).is_ok(),
            "no loan columns"
        );
        assert_eq!(
            codes(&check_row(FilingKind::DualNotice, &notice)),
            ["required", "required"]
        );
    }

    #[test]
    fn amounts_accept_what_people_type() {
        let m = |s: &str| money_cell(Col::Price, &text(s));
        assert_eq!(m("１２５０００"), Ok(12_500_000));
        assert_eq!(m("¥1,250,000.5"), Ok(125_000_050));
        for bad in ["-5", "1.234", "abc", "", "0.00", "1e6"] {
            assert!(m(bad).is_err(), "{bad}");
        }
        assert!(money_cell(Col::Price, &Cell::Number(-1.0)).is_err());
        assert_eq!(money_cell(Col::Price, &Cell::Number(99.99)), Ok(9999));
    }

    #[test]
    fn cross_row_rules_name_both_lines() {
        let rows = vec![(2, dual(UNIT)), (3, dual(UNIT2)), (4, dual(UNIT))];
        let out = check_rows(FilingKind::DualNotice, &rows, None);
        assert!(out[0].outcome.is_ok() && out[1].outcome.is_ok());
        let e = out[2].outcome.clone().unwrap_err();
        assert_eq!(e[0].code, "unit_twice");
        assert!(e[0].zh.contains("第 2 行"));
        let project: HashSet<String> = [UNIT.to_string()].into();
        let out = check_rows(FilingKind::DualNotice, &rows, Some(&project));
        assert_eq!(codes(&out[1].outcome), ["unit_not_in_project"]);
    }

    #[test]
    fn a_file_checked_in_parts_still_finds_a_unit_twice() {
        let mut checker = FileChecker::default();
        let columns = FilingKind::DualNotice.columns();
        let mut first = check_each(&columns, &[(2, dual(UNIT)), (3, dual(UNIT2))]);
        checker.across(&mut first, &HashSet::new());
        assert!(first.iter().all(|r| r.outcome.is_ok()));
        let mut second = check_each(&columns, &[(4, dual(UNIT2))]);
        checker.across(&mut second, &HashSet::new());
        let e = second[0].outcome.clone().unwrap_err();
        assert_eq!(e[0].code, "unit_twice");
        assert!(e[0].zh.contains("第 3 行"));
    }

    #[test]
    fn the_buyer_s_mobile_is_required_and_checked() {
        let mut cells = dual(UNIT);
        let row = check_row(FilingKind::DualNotice, &cells).unwrap();
        assert_eq!(row.buyer_mobile.unwrap().as_str(), "13800138000");
        cells.insert(Col::BuyerMobile, text("1380013"));
        assert_eq!(
            codes(&check_row(FilingKind::DualNotice, &cells)),
            ["mobile.format"]
        );
        cells.remove(&Col::BuyerMobile);
        let e = check_row(FilingKind::DualNotice, &cells).unwrap_err();
        assert_eq!(
            (e[0].col, e[0].code.as_str()),
            (Some(Col::BuyerMobile), "required")
        );
    }

    #[test]
    fn a_unit_list_row_needs_its_building() {
        let cells = HashMap::from([
            (Col::Building, text("3号楼")),
            (Col::Unit, text(UNIT)),
            (Col::Floor, text("12")),
            (Col::Area, text("89.50")),
            (Col::Use, text("住宅")),
        ]);
        let row = check_cells(&unit_list_columns(), &cells).unwrap();
        assert_eq!(
            (row.building.as_deref(), row.area_centi),
            (Some("3号楼"), Some(8950))
        );
        let mut no_building = cells.clone();
        no_building.remove(&Col::Building);
        let e = check_cells(&unit_list_columns(), &no_building).unwrap_err();
        assert_eq!(e[0].col, Some(Col::Building));
    }

    #[test]
    fn exported_cells_never_run_as_formulas() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+86"), "'+86");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("张三"), "张三");
    }

    #[test]
    fn headers_are_found_in_any_order_and_missing_ones_named() {
        let mut headers: Vec<String> = FilingKind::Notice
            .columns()
            .iter()
            .rev()
            .map(|c| c.header.to_string())
            .collect();
        headers.push("错误说明".into());
        let map = header_map(FilingKind::Notice, &headers).unwrap();
        assert_eq!(map[0], (Col::Unit, 5));
        assert_eq!(
            header_map(FilingKind::DualNotice, &headers).unwrap_err(),
            ["贷款金额（元）", "抵押权人统一社会信用代码", "借款合同号"]
        );
        let first = FilingKind::FirstRegistration.columns();
        assert_eq!(first.len(), 4);
        let cells = HashMap::from([
            (Col::Unit, text(UNIT)),
            (Col::Floor, text("0")),
            (Col::Area, text("89.5")),
            (Col::Use, text("住宅")),
        ]);
        assert_eq!(
            codes(&check_row(FilingKind::FirstRegistration, &cells)),
            ["floor"]
        );
    }
}
