use serde::{Deserialize, Serialize};

/// The two languages the service speaks; Simplified Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en`, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// From a stored code; anything else is Chinese.
    pub fn from_code(code: &str) -> Lang {
        if code == "en" {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// Why a value was refused. Each variant has a stable code (for APIs and tests)
/// and a message in both languages, written for the person who typed the value.
/// Messages never echo the value back, so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DomainError {
    #[error("empty")]
    Empty,
    #[error("wrong length")]
    Length {
        expected: &'static str,
        actual: usize,
    },
    #[error("invalid character")]
    InvalidChar { position: usize },
    #[error("resident id: bad birth date")]
    IdBirthDate,
    #[error("resident id: bad area code")]
    IdArea,
    /// The check character does not match; `expected` is what the first 17
    /// digits call for, so the user can see whether the last character or an
    /// earlier digit was mistyped.
    #[error("resident id: check character")]
    IdChecksum { expected: char },
    #[error("credit code: check character")]
    CreditCodeChecksum,
    #[error("unit number: structure")]
    UnitStructure { part: UnitPart },
    #[error("certificate number: structure")]
    CertificateStructure,
    #[error("mobile number")]
    Mobile,
    #[error("too long")]
    TooLong { max: usize },
    /// NUL, control characters or invisible direction overrides.
    #[error("hidden characters")]
    HiddenChars,
    /// Begins with = + - @: a spreadsheet would run it as a formula.
    #[error("formula-like text")]
    FormulaLike,
    #[error("sign-in code format")]
    CodeFormat,
    #[error("share")]
    Share,
    #[error("shares do not add up")]
    SharesSum,
    #[error("a party role is missing")]
    PartyMissing { role: super::catalogue::PartyRole },
    #[error("role not part of this matter")]
    PartyRole,
    #[error("identity document number")]
    IdDocument,
    #[error("unit or certificate number needed")]
    PropertyId,
    /// The secured amount (被担保主债权数额) of a mortgage, in yuan.
    #[error("secured amount")]
    SecuredAmount,
    #[error("filer not among the parties")]
    FilerNotParty,
    #[error("required material not ticked")]
    MaterialRequired,
    #[error("must be accepted")]
    MustAccept,
    #[error("file too large")]
    FileTooLarge { max_mb: u64 },
    #[error("application total too large")]
    ApplicationFull { max_mb: u64 },
    #[error("empty file")]
    FileEmpty,
    #[error("file type not accepted")]
    FileType,
    #[error("file type does not match its name")]
    FileTypeMismatch,
    #[error("file truncated")]
    FileTruncated,
    #[error("image dimensions too large")]
    ImageDimensions,
    #[error("file name")]
    FileName,
    /// Something more after the end of a photo (another file hidden behind it).
    #[error("data after the end of the image")]
    FileTrailingData,
    /// A container whose structure is not what its header says.
    #[error("file structure")]
    FileStructure,
    /// A PDF that would run a script or start a program when opened.
    #[error("active content in a PDF")]
    PdfActiveContent,
}

/// The part of a property unit number that is wrong, so the message can say where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnitPart {
    County,
    District,
    SubDistrict,
    ParcelKind,
    ParcelNumber,
    FixtureKind,
    FixtureNumber,
}

impl DomainError {
    /// A stable machine-readable code, e.g. for the developer API.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Empty => "empty",
            DomainError::Length { .. } => "length",
            DomainError::InvalidChar { .. } => "invalid_char",
            DomainError::IdBirthDate => "resident_id.birth_date",
            DomainError::IdArea => "resident_id.area",
            DomainError::IdChecksum { .. } => "resident_id.checksum",
            DomainError::CreditCodeChecksum => "credit_code.checksum",
            DomainError::UnitStructure { .. } => "unit_number.structure",
            DomainError::CertificateStructure => "certificate_number.structure",
            DomainError::Mobile => "mobile.format",
            DomainError::TooLong { .. } => "too_long",
            DomainError::HiddenChars => "hidden_chars",
            DomainError::FormulaLike => "formula",
            DomainError::CodeFormat => "code.format",
            DomainError::Share => "share.format",
            DomainError::SharesSum => "share.sum",
            DomainError::PartyMissing { .. } => "party.missing",
            DomainError::PartyRole => "party.role",
            DomainError::IdDocument => "id_document.format",
            DomainError::PropertyId => "property.identifier",
            DomainError::SecuredAmount => "secured_amount.format",
            DomainError::FilerNotParty => "filer.not_party",
            DomainError::MaterialRequired => "material.required",
            DomainError::MustAccept => "declaration.required",
            DomainError::FileTooLarge { .. } => "file.too_large",
            DomainError::ApplicationFull { .. } => "file.application_full",
            DomainError::FileEmpty => "file.empty",
            DomainError::FileType => "file.type",
            DomainError::FileTypeMismatch => "file.type_mismatch",
            DomainError::FileTruncated => "file.truncated",
            DomainError::ImageDimensions => "file.dimensions",
            DomainError::FileName => "file.name",
            DomainError::FileTrailingData => "file.trailing",
            DomainError::FileStructure => "file.structure",
            DomainError::PdfActiveContent => "file.pdf_active",
        }
    }

    /// The message for the person who typed the value.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }

    fn zh(&self) -> String {
        match self {
            DomainError::Empty => "此项为必填项。".into(),
            DomainError::Length { expected, actual } => {
                format!("长度应为 {expected} 位，当前为 {actual} 位。")
            }
            DomainError::InvalidChar { position } => {
                format!("第 {position} 位字符无效，请核对。")
            }
            DomainError::IdBirthDate => "身份证号码中的出生日期（第 7–14 位）不是有效日期。".into(),
            DomainError::IdArea => "身份证号码的前两位不是有效的省级行政区划代码。".into(),
            DomainError::IdChecksum { expected } => format!(
                "身份证号码校验位不符：按前 17 位计算，最后一位应为 {expected}。请逐位核对，可能是最后一位或前面某一位输错了。"
            ),
            DomainError::CreditCodeChecksum => {
                "统一社会信用代码校验位不符，请对照营业执照逐位核对。".into()
            }
            DomainError::UnitStructure { part } => {
                let part = match part {
                    UnitPart::County => "第 1–6 位县级行政区划代码应为数字",
                    UnitPart::District => "第 7–9 位地籍区代码应为数字",
                    UnitPart::SubDistrict => "第 10–12 位地籍子区代码应为数字",
                    UnitPart::ParcelKind => {
                        "第 13–14 位宗地特征码不正确（第一位为 G、J 或 Z，第二位为 A、B、S、X、C、D、E、F、H、G、W 或 Y）"
                    }
                    UnitPart::ParcelNumber => "第 15–19 位宗地顺序号应为数字",
                    UnitPart::FixtureKind => "第 20 位定着物特征码应为 F、L、Q 或 W",
                    UnitPart::FixtureNumber => {
                        "第 21–28 位定着物单元号应为数字（定着物特征码为 W 时应全为 0）"
                    }
                };
                format!("不动产单元号格式不正确：{part}。")
            }
            DomainError::CertificateStructure => {
                "不动产权证书号格式不正确，应类似“浙(2023)宁波市不动产权第0001234号”，序号为 6–8 位数字。".into()
            }
            DomainError::Mobile => "手机号码应为以 1 开头的 11 位数字。".into(),
            DomainError::TooLong { max } => format!("最多 {max} 个字，请精简。"),
            DomainError::HiddenChars => {
                "含有不可见的控制字符或方向控制符（多见于从别处复制的文字），请删除后重新输入。".into()
            }
            DomainError::FormulaLike => {
                "不能以 = + - @ 开头（表格软件会把它当作公式），请填写真实姓名或名称。".into()
            }
            DomainError::CodeFormat => "验证码为 6 位数字。".into(),
            DomainError::Share => "份额请填写 1–100 之间的百分比数字，例如 50。".into(),
            DomainError::SharesSum => "各权利人的份额合计应为 100%。".into(),
            DomainError::PartyMissing { role } => {
                format!("还需要填写至少一位{}。", role.name(Lang::Zh))
            }
            DomainError::PartyRole => "请选择本事项中的身份。".into(),
            DomainError::IdDocument => {
                "证件号码应为 5–20 位字母或数字，请按证件上的号码填写。".into()
            }
            DomainError::PropertyId => {
                "请填写不动产单元号或不动产权证书号（至少一项）。".into()
            }
            DomainError::SecuredAmount => {
                "请填写被担保主债权数额（元），大于 0，例如 800000 或 800,000.00。".into()
            }
            DomainError::FilerNotParty => {
                "您选择了本人申请，但申请人中没有您登录用的手机号。请把自己加为申请人，或选择“代他人申请”。".into()
            }
            DomainError::MaterialRequired => {
                "这是必须提供的材料，请确认已备齐后勾选。".into()
            }
            DomainError::MustAccept => "请阅读并勾选确认后再继续。".into(),
            DomainError::FileTooLarge { max_mb } => {
                format!("文件超过 {max_mb} MB，无法上传。照片请重新拍摄，或把 PDF 拆分后再传。")
            }
            DomainError::ApplicationFull { max_mb } => {
                format!("本次申请的材料合计不能超过 {max_mb} MB，请先删除不需要的文件。")
            }
            DomainError::FileEmpty => "文件是空的，请重新选择。".into(),
            DomainError::FileType => {
                "只能上传照片（JPEG、PNG、WebP、HEIC）或 PDF 文件。".into()
            }
            DomainError::FileTypeMismatch => {
                "文件内容与文件名的扩展名不符（例如把 PDF 改名为 .jpg），请上传原始文件。".into()
            }
            DomainError::FileTruncated => "文件不完整（可能传输中断或已损坏），请重新上传。".into(),
            DomainError::ImageDimensions => "图片尺寸异常（像素过大），无法处理，请重新拍摄。".into(),
            DomainError::FileTrailingData => "这张照片的结尾之后还附带了别的数据（例如“动态照片”的视频或其他文件），无法接收。请在相册中存为普通照片（或截屏）后重新上传。".into(),
            DomainError::FileStructure => "文件内部结构不完整或与其类型不符（可能已损坏或被改名），请上传相机或扫描软件生成的原文件。".into(),
            DomainError::PdfActiveContent => "这个 PDF 含有打开时会自动运行的脚本或程序（JavaScript、启动动作），无法接收。请用“打印为 PDF”重新生成后上传。".into(),
            DomainError::FileName => {
                "文件名包含不允许的字符（如 / \\ 或控制字符）或过长（最多 200 个字），请改名后再传。".into()
            }
        }
    }

    fn en(&self) -> String {
        match self {
            DomainError::Empty => "This field is required.".into(),
            DomainError::Length { expected, actual } => {
                format!("Must be {expected} characters long; {actual} given.")
            }
            DomainError::InvalidChar { position } => {
                format!("Character {position} is not allowed here; please check it.")
            }
            DomainError::IdBirthDate => {
                "The birth date in the ID number (characters 7–14) is not a valid date.".into()
            }
            DomainError::IdArea => {
                "The first two digits of the ID number are not a valid province code.".into()
            }
            DomainError::IdChecksum { expected } => format!(
                "The ID number's check character does not match: from the first 17 digits the last character should be {expected}. Please check each digit; the mistake may be in the last character or an earlier one."
            ),
            DomainError::CreditCodeChecksum => {
                "The Unified Social Credit Code's check character does not match; please compare it with the business licence.".into()
            }
            DomainError::UnitStructure { part } => {
                let part = match part {
                    UnitPart::County => "characters 1–6 (county code) must be digits",
                    UnitPart::District => "characters 7–9 (cadastral district) must be digits",
                    UnitPart::SubDistrict => "characters 10–12 (sub-district) must be digits",
                    UnitPart::ParcelKind => {
                        "characters 13–14 (parcel kind) are wrong: the first is G, J or Z, the second one of A B S X C D E F H G W Y"
                    }
                    UnitPart::ParcelNumber => "characters 15–19 (parcel number) must be digits",
                    UnitPart::FixtureKind => "character 20 (fixture kind) must be F, L, Q or W",
                    UnitPart::FixtureNumber => {
                        "characters 21–28 (fixture unit) must be digits, all zeros when the fixture kind is W"
                    }
                };
                format!("The property unit number is malformed: {part}.")
            }
            DomainError::CertificateStructure => {
                "The certificate number is malformed; it should look like 浙(2023)宁波市不动产权第0001234号 with a 6–8 digit serial.".into()
            }
            DomainError::Mobile => "A mobile number has 11 digits and starts with 1.".into(),
            DomainError::TooLong { max } => format!("At most {max} characters, please."),
            DomainError::HiddenChars => {
                "It holds invisible control or direction characters (often from copied text); delete them and type it again.".into()
            }
            DomainError::FormulaLike => {
                "It cannot begin with = + - @ (spreadsheets run that as a formula); give the real name.".into()
            }
            DomainError::CodeFormat => "The sign-in code has 6 digits.".into(),
            DomainError::Share => "Enter the share as a percentage from 1 to 100, e.g. 50.".into(),
            DomainError::SharesSum => "The right holders' shares must add up to 100%.".into(),
            DomainError::PartyMissing { role } => {
                format!("Add at least one party as: {}.", role.name(Lang::En))
            }
            DomainError::PartyRole => "Choose this person's role in the matter.".into(),
            DomainError::IdDocument => {
                "A document number has 5 to 20 letters or digits, as printed on the document.".into()
            }
            DomainError::PropertyId => {
                "Give the property unit number or the certificate number (at least one).".into()
            }
            DomainError::SecuredAmount => {
                "Enter the secured amount in yuan, more than 0, e.g. 800000 or 800,000.00.".into()
            }
            DomainError::FilerNotParty => {
                "You said you are filing for yourself, but no party has the mobile number you signed in with. Add yourself as a party, or choose \"filing for others\".".into()
            }
            DomainError::MaterialRequired => {
                "This material is required; tick it once you have it ready.".into()
            }
            DomainError::MustAccept => "Please read and tick to confirm before going on.".into(),
            DomainError::FileTooLarge { max_mb } => format!(
                "The file is larger than {max_mb} MB. Retake the photo, or split the PDF and upload the parts."
            ),
            DomainError::ApplicationFull { max_mb } => format!(
                "All files of one application together may not exceed {max_mb} MB; delete files you do not need first."
            ),
            DomainError::FileEmpty => "The file is empty; please choose another.".into(),
            DomainError::FileType => {
                "Only photos (JPEG, PNG, WebP, HEIC) and PDF files can be uploaded.".into()
            }
            DomainError::FileTypeMismatch => {
                "The file's content does not match its extension (e.g. a PDF renamed .jpg); please upload the original file.".into()
            }
            DomainError::FileTruncated => {
                "The file is incomplete (interrupted or damaged); please upload it again.".into()
            }
            DomainError::ImageDimensions => {
                "The image's dimensions are implausibly large; please retake the photo.".into()
            }
            DomainError::FileTrailingData => {
                "This photo carries other data after its end (such as a motion photo's video, or another file), so it cannot be accepted. Save it as an ordinary photo (or take a screenshot) and upload that.".into()
            }
            DomainError::FileStructure => {
                "The file's inner structure is incomplete or does not match its type (damaged or renamed); please upload the original file from the camera or scanner.".into()
            }
            DomainError::PdfActiveContent => {
                "This PDF contains scripts or program launches that run when it is opened (JavaScript, launch actions), so it cannot be accepted. Print it to PDF again and upload that.".into()
            }
            DomainError::FileName => {
                "The file name contains characters that are not allowed (such as / \\ or control characters) or is too long (200 characters at most); rename it and try again.".into()
            }
        }
    }
}
