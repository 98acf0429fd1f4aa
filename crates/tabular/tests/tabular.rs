//! Reads and writes real files in memory, the way the import and export
//! screens use this crate. Workbooks with numbers and dates are made with
//! rust_xlsxwriter, Excel-style, since our own writer only writes strings.

use aftersales_tabular::{read, read_detect, write, Format, Row, Table, TabularError};
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|cell| cell.to_string()).collect()
}

fn cells_of(table: &Table) -> Vec<Vec<&str>> {
    table
        .rows
        .iter()
        .map(|row| row.cells.iter().map(String::as_str).collect())
        .collect()
}

fn lines_of(table: &Table) -> Vec<usize> {
    table.rows.iter().map(|row| row.line).collect()
}

#[test]
fn an_xlsx_export_reads_back_with_chinese_text_leading_zeros_and_empty_cells() {
    let headers = ["客户名称", "电话", "序列号", "备注"];
    let rows = vec![
        strings(&["上海某某机电有限公司", "013800138000", "000123", ""]),
        strings(&["北京客户", "", "SN-0042", "保修期内，需上门"]),
    ];

    let bytes = write(Format::Xlsx, "客户", &headers, &rows).unwrap();
    let table = read(&bytes, Format::Xlsx).unwrap();

    assert_eq!(table.headers, headers);
    assert_eq!(
        cells_of(&table),
        [
            vec!["上海某某机电有限公司", "013800138000", "000123", ""],
            vec!["北京客户", "", "SN-0042", "保修期内，需上门"],
        ]
    );
    assert_eq!(lines_of(&table), [2, 3]);
}

#[test]
fn an_xlsx_export_rejects_a_sheet_name_excel_would_not_accept() {
    let result = write(Format::Xlsx, "客户/供应商", &["名称"], &[]);

    assert!(
        matches!(result, Err(TabularError::WriteXlsx(_))),
        "{result:?}"
    );
}

#[test]
fn excel_numbers_dates_and_booleans_read_as_the_text_a_user_typed() {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    let date_format = CellFormat::new().set_num_format("yyyy-mm-dd");
    let datetime_format = CellFormat::new().set_num_format("yyyy-mm-dd hh:mm");
    let time_format = CellFormat::new().set_num_format("hh:mm");
    for (col, header) in ["phone", "installed", "visited", "opens", "price", "vip"]
        .iter()
        .enumerate()
    {
        worksheet.write_string(0, col as u16, *header).unwrap();
    }
    worksheet.write_number(1, 0, 13800138000.0).unwrap();
    let installed = ExcelDateTime::from_ymd(2024, 5, 1).unwrap();
    worksheet
        .write_datetime_with_format(1, 1, &installed, &date_format)
        .unwrap();
    let visited = ExcelDateTime::from_ymd(2024, 5, 2)
        .unwrap()
        .and_hms(14, 30, 0)
        .unwrap();
    worksheet
        .write_datetime_with_format(1, 2, &visited, &datetime_format)
        .unwrap();
    let opens = ExcelDateTime::from_hms(8, 30, 0).unwrap();
    worksheet
        .write_datetime_with_format(1, 3, &opens, &time_format)
        .unwrap();
    // What a formula like =0.1+0.2 leaves in the file.
    worksheet.write_number(1, 4, 0.1 + 0.2).unwrap();
    worksheet.write_boolean(1, 5, true).unwrap();
    worksheet.write_number(2, 0, -12.5).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read(&bytes, Format::Xlsx).unwrap();

    assert_eq!(
        cells_of(&table),
        [
            vec![
                "13800138000",
                "2024-05-01",
                "2024-05-02 14:30:00",
                "08:30:00",
                "0.3",
                "true"
            ],
            vec!["-12.5", "", "", "", "", ""],
        ]
    );
}

#[test]
fn blank_xlsx_rows_are_skipped_but_still_counted_in_line_numbers() {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    // The header sits on Excel row 3 under a blank title area, and one data
    // row is only spaces.
    worksheet.write_string(2, 1, "名称").unwrap();
    worksheet.write_string(3, 1, "甲").unwrap();
    worksheet.write_string(5, 1, "   ").unwrap();
    worksheet.write_string(6, 1, " 乙 ").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let table = read(&bytes, Format::Xlsx).unwrap();

    assert_eq!(table.headers, ["名称"]);
    assert_eq!(cells_of(&table), [vec!["甲"], vec!["乙"]]);
    assert_eq!(lines_of(&table), [4, 7]);
}

#[test]
fn a_csv_export_has_a_bom_crlf_line_endings_and_quotes_only_when_needed() {
    let rows = vec![
        strings(&["张三", "0571-1234, 转 8"]),
        strings(&["李四", "说 \"加急\""]),
    ];

    let bytes = write(Format::Csv, "ignored", &["姓名", "电话"], &rows).unwrap();

    let expected = "\u{FEFF}姓名,电话\r\n张三,\"0571-1234, 转 8\"\r\n李四,\"说 \"\"加急\"\"\"\r\n";
    assert_eq!(String::from_utf8(bytes.clone()).unwrap(), expected);
    let table = read(&bytes, Format::Csv).unwrap();
    assert_eq!(table.headers, ["姓名", "电话"]);
    assert_eq!(
        cells_of(&table),
        [vec!["张三", "0571-1234, 转 8"], vec!["李四", "说 \"加急\""]]
    );
}

#[test]
fn a_utf8_csv_with_a_bom_reads_without_the_bom_in_the_first_header() {
    let bytes = "\u{FEFF}手机,名称\r\n13800138000,测试\r\n".as_bytes();

    let table = read(bytes, Format::Csv).unwrap();

    assert_eq!(table.headers, ["手机", "名称"]);
    assert_eq!(table.column(&["手机"]), Some(0));
}

#[test]
fn a_gbk_csv_saved_by_chinese_excel_is_decoded() {
    let text = "客户名称,电话\r\n杭州某某设备厂,0571-88886666\r\n";
    let (gbk_bytes, _, had_unmappable) = encoding_rs::GBK.encode(text);
    assert!(!had_unmappable);
    assert!(
        std::str::from_utf8(&gbk_bytes).is_err(),
        "the test needs bytes that are not UTF-8"
    );

    let table = read(&gbk_bytes, Format::Csv).unwrap();

    assert_eq!(table.headers, ["客户名称", "电话"]);
    assert_eq!(cells_of(&table), [vec!["杭州某某设备厂", "0571-88886666"]]);
}

#[test]
fn blank_csv_rows_are_skipped_and_line_numbers_match_excel_rows() {
    let text = "\r\n名称 , 备注\r\n甲,\"第一行\n第二行\"\r\n\r\n , \r\n乙\r\n";

    let table = read(text.as_bytes(), Format::Csv).unwrap();

    assert_eq!(table.headers, ["名称", "备注"]);
    assert_eq!(cells_of(&table), [vec!["甲", "第一行\n第二行"], vec!["乙"]]);
    // Excel: row 1 blank, 2 header, 3 甲 (one row despite the line break),
    // 4 blank, 5 only spaces, 6 乙.
    assert_eq!(lines_of(&table), [3, 6]);
}

#[test]
fn csv_line_numbers_hold_for_unix_and_old_mac_line_endings() {
    for line_break in ["\n", "\r"] {
        let text = ["", "", "名称", "甲", "", "乙", ""].join(line_break);

        let table = read(text.as_bytes(), Format::Csv).unwrap();

        assert_eq!(table.headers, ["名称"], "{line_break:?}");
        assert_eq!(lines_of(&table), [4, 6], "{line_break:?}");
    }
}

#[test]
fn a_short_row_reads_missing_cells_as_empty() {
    let row = Row {
        line: 2,
        cells: strings(&["甲"]),
    };

    assert_eq!(row.get(0), "甲");
    assert_eq!(row.get(3), "");
}

#[test]
fn a_column_is_found_by_any_alias_ignoring_case_and_spaces() {
    let table = Table {
        headers: strings(&["Name", " Phone ", "手机", "地址"]),
        rows: Vec::new(),
    };

    assert_eq!(table.column(&["name"]), Some(0));
    assert_eq!(table.column(&["PHONE", "电话"]), Some(1));
    assert_eq!(table.column(&["电话", "手机"]), Some(2));
    assert_eq!(table.column(&[" 地址 "]), Some(3));
    assert_eq!(table.column(&["email", "邮箱"]), None);
}

#[test]
fn the_first_alias_wins_when_several_columns_match() {
    let table = Table {
        headers: strings(&["电话", "手机"]),
        rows: Vec::new(),
    };

    assert_eq!(table.column(&["手机", "电话"]), Some(1));
}

#[test]
fn read_detect_trusts_the_extension_and_otherwise_sniffs_the_bytes() {
    let xlsx = write(Format::Xlsx, "Sheet1", &["名称"], &[strings(&["甲"])]).unwrap();
    let csv = "名称\r\n乙\r\n".as_bytes();

    assert_eq!(
        read_detect(&xlsx, "客户.XLSX").unwrap().rows[0].cells,
        ["甲"]
    );
    assert_eq!(read_detect(&xlsx, "upload").unwrap().rows[0].cells, ["甲"]);
    assert_eq!(read_detect(csv, "客户.csv").unwrap().rows[0].cells, ["乙"]);
    assert_eq!(read_detect(csv, "客户.txt").unwrap().rows[0].cells, ["乙"]);
}

#[test]
fn formats_know_their_file_names_and_content_types() {
    assert_eq!(Format::from_file_name("导入模板.xlsx"), Some(Format::Xlsx));
    assert_eq!(Format::from_file_name("macro.Xlsm"), Some(Format::Xlsx));
    assert_eq!(Format::from_file_name("export.CSV"), Some(Format::Csv));
    assert_eq!(Format::from_file_name("old.xls"), None);
    assert_eq!(Format::from_file_name("xlsx"), None);
    assert_eq!(Format::Csv.extension(), "csv");
    assert_eq!(Format::Xlsx.extension(), "xlsx");
    assert_eq!(
        Format::Xlsx.content_type(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(Format::Csv.content_type(), "text/csv; charset=utf-8");
}

#[test]
fn garbage_bytes_are_not_a_spreadsheet() {
    let png_header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

    let error = read_detect(png_header, "photo").unwrap_err();

    assert!(
        matches!(error, TabularError::NotASpreadsheet { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .starts_with("the file is not a spreadsheet"),
        "{error}"
    );
}

#[test]
fn a_csv_renamed_to_xlsx_is_not_a_spreadsheet() {
    let error = read(b"name\r\nA\r\n", Format::Xlsx).unwrap_err();

    assert!(
        matches!(error, TabularError::NotASpreadsheet { .. }),
        "{error:?}"
    );
}

#[test]
fn a_zip_that_is_not_a_workbook_is_reported_as_damaged() {
    // An empty zip archive: only the end-of-central-directory record, after
    // a local-file magic so it sniffs as a zip.
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");

    let error = read(&bytes, Format::Xlsx).unwrap_err();

    assert!(matches!(error, TabularError::Xlsx(_)), "{error:?}");
}

#[test]
fn an_old_xls_workbook_gets_advice_to_save_it_as_xlsx() {
    let ole_header = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0";

    let error = read_detect(ole_header, "客户.xls").unwrap_err();

    assert!(matches!(error, TabularError::LegacyXls), "{error:?}");
}

#[test]
fn empty_files_and_files_of_blank_rows_have_no_table() {
    assert!(matches!(
        read(b"", Format::Csv),
        Err(TabularError::EmptyFile)
    ));
    assert!(matches!(
        read(b"", Format::Xlsx),
        Err(TabularError::EmptyFile)
    ));
    assert!(matches!(
        read(b"\xEF\xBB\xBF\r\n , \r\n", Format::Csv),
        Err(TabularError::NoHeaderRow)
    ));
    let empty_workbook = {
        let mut workbook = Workbook::new();
        workbook.save_to_buffer()
    }
    .unwrap();
    assert!(matches!(
        read(&empty_workbook, Format::Xlsx),
        Err(TabularError::NoHeaderRow)
    ));
}
