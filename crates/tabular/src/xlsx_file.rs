//! .xlsx reading (calamine) and writing (rust_xlsxwriter).
//!
//! Reading turns every cell into the text a user would have typed, because
//! Excel silently stores phone numbers as numbers and dates as day counts.
//! Writing does the reverse trick: every cell is a string, so Excel keeps
//! leading zeros and long serial numbers exactly as given.

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, SheetType, Xlsx};
use rust_xlsxwriter::{ColNum, Format as CellFormat, RowNum, Workbook, XlsxError};

use crate::{table_from_rows, Row, Table, TabularError};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Excel shows numbers with 15 significant digits; rounding to them hides
/// binary noise such as 0.1 + 0.2 = 0.30000000000000004 from formulas.
const EXCEL_SIGNIFICANT_DIGITS: usize = 15;

/// Integers below this are exact in an f64 and print without an exponent.
const LARGEST_PLAIN_INTEGER: f64 = 1e15;

pub(crate) fn looks_like_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

pub(crate) fn read(bytes: &[u8]) -> Result<Table, TabularError> {
    if !looks_like_zip(bytes) {
        return Err(TabularError::NotASpreadsheet {
            reason: "an .xlsx file is a zip archive and this one is not",
        });
    }
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(TabularError::Xlsx)?;
    // Chart sheets come first in some workbooks; the data is on the first real worksheet.
    let sheet_name = workbook
        .sheets_metadata()
        .iter()
        .find(|sheet| sheet.typ == SheetType::WorkSheet)
        .map(|sheet| sheet.name.clone())
        .ok_or(TabularError::NoWorksheet)?;
    let range = workbook
        .worksheet_range(&sheet_name)
        .map_err(TabularError::Xlsx)?;
    // The range starts at the first used cell, not at A1, so its row offset
    // is needed to give the row numbers Excel shows.
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let rows = range.rows().enumerate().map(|(row_idx, cells)| Row {
        line: first_row + row_idx + 1,
        cells: cells.iter().map(cell_text).collect(),
    });
    table_from_rows(rows)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(text) => text.trim().to_owned(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) => number_text(*number),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(datetime) => datetime_text(datetime),
        Data::DateTimeIso(text) => text.trim().replacen('T', " ", 1),
        Data::DurationIso(text) => text.trim().to_owned(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

fn number_text(number: f64) -> String {
    let rounded: f64 = format!("{number:.*e}", EXCEL_SIGNIFICANT_DIGITS - 1)
        .parse()
        .unwrap_or(number);
    if rounded.fract() == 0.0 && rounded.abs() < LARGEST_PLAIN_INTEGER {
        // Phone numbers typed into Excel arrive as 13800138000.0.
        format!("{}", rounded as i64)
    } else {
        rounded.to_string()
    }
}

fn datetime_text(datetime: &ExcelDateTime) -> String {
    if datetime.is_duration() {
        return duration_text(datetime.as_f64());
    }
    let (year, month, day, hour, minute, second, _millis) = datetime.to_ymd_hms_milli();
    let time = format!("{hour:02}:{minute:02}:{second:02}");
    // Serial dates count days from the epoch, so a value below one day is a
    // time of day on its own (a "hh:mm" cell), not a date in 1899.
    if datetime.as_f64() < 1.0 {
        return time;
    }
    let date = format!("{year:04}-{month:02}-{day:02}");
    if (hour, minute, second) == (0, 0, 0) {
        date
    } else {
        format!("{date} {time}")
    }
}

/// A "[h]:mm:ss" cell, which may exceed 24 hours.
fn duration_text(days: f64) -> String {
    let total_seconds = (days * 86_400.0).round() as i64;
    let sign = if total_seconds < 0 { "-" } else { "" };
    let total_seconds = total_seconds.abs();
    let (hours, minutes, seconds) = (
        total_seconds / 3600,
        total_seconds / 60 % 60,
        total_seconds % 60,
    );
    format!("{sign}{hours}:{minutes:02}:{seconds:02}")
}

/// Column widths are in Excel's "characters"; narrower than this looks
/// cramped next to the header, wider makes long notes push everything off
/// screen (the text is still all there).
const MIN_COLUMN_WIDTH: usize = 8;
const MAX_COLUMN_WIDTH: usize = 60;
/// Room for the autofilter arrow and a little air.
const COLUMN_PADDING: usize = 2;

pub(crate) fn write(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, TabularError> {
    write_workbook(sheet_name, headers, rows).map_err(TabularError::WriteXlsx)
}

fn write_workbook(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet_name)?;
    let header_format = CellFormat::new().set_bold();
    let mut column_widths: Vec<usize> = Vec::new();

    for (col_idx, header) in headers.iter().enumerate() {
        worksheet.write_string_with_format(0, col_number(col_idx)?, *header, &header_format)?;
        widen(&mut column_widths, col_idx, header);
    }
    for (row_idx, row) in rows.iter().enumerate() {
        let row_number =
            RowNum::try_from(row_idx + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col_idx, cell) in row.iter().enumerate() {
            // An empty string would still create a cell; leaving it out keeps
            // Excel's idea of the used range (Ctrl+End) where the data ends.
            if cell.is_empty() {
                continue;
            }
            worksheet.write_string(row_number, col_number(col_idx)?, cell)?;
            widen(&mut column_widths, col_idx, cell);
        }
    }
    for (col_idx, width) in column_widths.into_iter().enumerate() {
        let width = (width + COLUMN_PADDING).clamp(MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH);
        worksheet.set_column_width(col_number(col_idx)?, width as f64)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

fn col_number(col_idx: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(col_idx).map_err(|_| XlsxError::RowColumnLimitError)
}

fn widen(column_widths: &mut Vec<usize>, col_idx: usize, text: &str) {
    if column_widths.len() <= col_idx {
        column_widths.resize(col_idx + 1, 0);
    }
    let widest_line = text.lines().map(display_width).max().unwrap_or(0);
    column_widths[col_idx] = column_widths[col_idx].max(widest_line);
}

/// Width in Excel "characters": Chinese, Japanese and Korean characters and
/// full-width forms take two.
fn display_width(text: &str) -> usize {
    text.chars().map(|ch| if is_wide(ch) { 2 } else { 1 }).sum()
}

fn is_wide(ch: char) -> bool {
    matches!(
        ch,
        '\u{1100}'..='\u{115F}'       // Hangul Jamo
            | '\u{2E80}'..='\u{A4CF}' // CJK radicals, punctuation, kana, CJK ideographs, Yi
            | '\u{AC00}'..='\u{D7A3}' // Hangul syllables
            | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
            | '\u{FE30}'..='\u{FE4F}' // CJK compatibility forms
            | '\u{FF00}'..='\u{FF60}' // full-width forms
            | '\u{FFE0}'..='\u{FFE6}' // full-width signs
            | '\u{20000}'..='\u{3FFFD}' // CJK extensions B and beyond
    )
}
