#![doc = include_str!("../README.md")]

//! Owns the format-independent part: the [`Table`] every reader produces,
//! choosing a reader from a file name or the bytes themselves, and the error
//! type. Each format lives in its own module so its library stays there.

mod csv_file;
mod error;
mod xlsx_file;

pub use error::TabularError;

/// A spreadsheet file format aftersales reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Excel 2007+ workbook (also used for .xlsm, which reads the same way).
    Xlsx,
    /// Comma-separated values, UTF-8 or GBK.
    Csv,
}

impl Format {
    /// The format named by a file's extension, case-insensitively; `None`
    /// when the extension is missing or not one we read.
    pub fn from_file_name(name: &str) -> Option<Format> {
        let (_, extension) = name.trim().rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The MIME type to send with a download in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The file extension for this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// A sheet read as text: the header row and the non-blank rows below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The first non-blank row, trimmed.
    pub headers: Vec<String>,
    /// The non-blank rows after the header, in order.
    pub rows: Vec<Row>,
}

/// One non-blank data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row number the user sees in Excel (the header is usually 1), so
    /// error messages can point at it; blank rows skipped while reading
    /// still count.
    pub line: usize,
    /// The trimmed cells; a row may be shorter or longer than the headers.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in `column`, or `""` when the row does not reach it, so
    /// callers treat a missing cell and an empty one alike.
    pub fn get(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

impl Table {
    /// The index of the column whose header matches one of `header_aliases`
    /// (trimmed, case-insensitive), e.g. `&["phone", "电话", "手机"]`.
    ///
    /// Aliases are tried in order, so when a sheet has both a "电话" and a
    /// "手机" column the caller's first choice wins.
    pub fn column(&self, header_aliases: &[&str]) -> Option<usize> {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|header| normalize_header(header))
            .collect();
        header_aliases.iter().find_map(|alias| {
            let alias = normalize_header(alias);
            headers.iter().position(|header| *header == alias)
        })
    }
}

fn normalize_header(header: &str) -> String {
    header.trim().to_lowercase()
}

/// The container of Excel 97-2003 .xls files (and old Word documents).
const OLE_COMPOUND_FILE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads the first sheet of a spreadsheet in a known format.
pub fn read(bytes: &[u8], format: Format) -> Result<Table, TabularError> {
    if bytes.is_empty() {
        return Err(TabularError::EmptyFile);
    }
    // Checked for either format: a renamed or extension-less .xls deserves
    // the same advice as one named correctly.
    if bytes.starts_with(OLE_COMPOUND_FILE_MAGIC) {
        return Err(TabularError::LegacyXls);
    }
    match format {
        Format::Xlsx => xlsx_file::read(bytes),
        Format::Csv => csv_file::read(bytes),
    }
}

/// Reads an uploaded spreadsheet, trusting the file name's extension and
/// otherwise looking at the bytes: an .xlsx file is a zip archive, anything
/// else that is text is taken as CSV.
pub fn read_detect(bytes: &[u8], file_name: &str) -> Result<Table, TabularError> {
    let format = match Format::from_file_name(file_name) {
        Some(format) => format,
        None if xlsx_file::looks_like_zip(bytes) => Format::Xlsx,
        None => Format::Csv,
    };
    read(bytes, format)
}

/// Writes a sheet with a header row. `sheet_name` is only used for .xlsx;
/// Excel limits it to 31 characters without `[]:*?/\`.
pub fn write(
    format: Format,
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, TabularError> {
    match format {
        Format::Xlsx => xlsx_file::write(sheet_name, headers, rows),
        Format::Csv => csv_file::write(headers, rows),
    }
}

/// Splits rows (line number, cells) into a [`Table`]: the first non-blank
/// row is the header and blank rows are dropped, keeping everyone's line.
fn table_from_rows(rows: impl Iterator<Item = Row>) -> Result<Table, TabularError> {
    let mut non_blank_rows = rows.filter(|row| row.cells.iter().any(|cell| !cell.is_empty()));
    let header_row = non_blank_rows.next().ok_or(TabularError::NoHeaderRow)?;
    Ok(Table {
        headers: header_row.cells,
        rows: non_blank_rows.collect(),
    })
}
