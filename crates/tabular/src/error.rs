//! The one error type of this crate. Messages are written for the person
//! who uploaded the file, since the web layer shows them as they are; the
//! library errors they wrap are kept for the logs.

/// Why a spreadsheet could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum TabularError {
    #[error("the file is empty")]
    EmptyFile,

    #[error("the file has no header row: every row is blank")]
    NoHeaderRow,

    #[error("the file is not a spreadsheet: {reason}")]
    NotASpreadsheet { reason: &'static str },

    #[error("the file is an old Excel 97-2003 workbook (.xls): save it as .xlsx or .csv and upload it again")]
    LegacyXls,

    #[error("the workbook has no worksheet")]
    NoWorksheet,

    #[error("the .xlsx file is damaged or not an Excel workbook: {0}")]
    Xlsx(calamine::XlsxError),

    #[error("CSV error on line {line}: {message}")]
    Csv { line: u64, message: String },

    #[error("cannot write the .xlsx file: {0}")]
    WriteXlsx(rust_xlsxwriter::XlsxError),

    #[error("cannot write the CSV file: {0}")]
    WriteCsv(std::io::Error),
}
