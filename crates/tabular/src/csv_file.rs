//! CSV reading and writing, with the encodings Chinese users actually have.
//!
//! Excel on a Chinese Windows saves "CSV (逗号分隔)" as GBK and only opens
//! UTF-8 correctly when it starts with a BOM; so we read UTF-8 (BOM or not)
//! and fall back to GB18030, a superset of GBK, and we write UTF-8 with a
//! BOM and CRLF line endings.

use std::borrow::Cow;

use crate::{table_from_rows, Row, Table, TabularError};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) fn read(bytes: &[u8]) -> Result<Table, TabularError> {
    let text = decode(bytes)?;
    // Any bytes decode as *something*; control characters are what gives
    // away an image, a PDF or a UTF-16 export uploaded as CSV.
    if text
        .chars()
        .any(|ch| ch.is_control() && !matches!(ch, '\t' | '\n' | '\r'))
    {
        return Err(TabularError::NotASpreadsheet {
            reason: "it contains binary data, not text",
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    // The csv crate skips blank lines and its record positions point at the
    // end of the previous record, so the row number Excel would show is
    // worked out here: line breaks before the record's first character,
    // less those inside quoted cells, which Excel shows within one row.
    let mut counted_up_to = 0;
    let mut line_breaks_before = 0;
    let mut line_breaks_inside_cells = 0;
    for record in reader.records() {
        let record = record.map_err(|error| TabularError::Csv {
            line: error.position().map_or(0, |position| position.line()),
            message: error.to_string(),
        })?;
        let previous_end = record
            .position()
            .map_or(0, |position| position.byte() as usize);
        let start = previous_end
            + bytes[previous_end..]
                .iter()
                .take_while(|byte| matches!(byte, b'\r' | b'\n'))
                .count();
        line_breaks_before += count_line_breaks(&bytes[counted_up_to..start]);
        counted_up_to = start;
        rows.push(Row {
            line: 1 + line_breaks_before - line_breaks_inside_cells,
            cells: record.iter().map(|cell| cell.trim().to_owned()).collect(),
        });
        line_breaks_inside_cells += record
            .iter()
            .map(|cell| count_line_breaks(cell.as_bytes()))
            .sum::<usize>();
    }
    table_from_rows(rows.into_iter())
}

/// Counts CRLF, LF and (old Mac Excel's) lone CR as one line break each,
/// as the csv crate does.
fn count_line_breaks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|&(idx, byte)| {
            *byte == b'\n' || (*byte == b'\r' && bytes.get(idx + 1) != Some(&b'\n'))
        })
        .count()
}

fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, TabularError> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(TabularError::NotASpreadsheet {
            reason: "it is neither UTF-8 nor GBK text",
        })
}

pub(crate) fn write(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, TabularError> {
    let mut buffer = UTF8_BOM.to_vec();
    let mut writer = csv::WriterBuilder::new()
        // Rows are written as given, like the .xlsx writer does, rather
        // than failing an export over a short row.
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut buffer);
    writer.write_record(headers).map_err(write_error)?;
    for row in rows {
        writer.write_record(row).map_err(write_error)?;
    }
    writer.flush().map_err(TabularError::WriteCsv)?;
    drop(writer);
    Ok(buffer)
}

fn write_error(error: csv::Error) -> TabularError {
    TabularError::WriteCsv(error.into())
}
