#pragma once
/**
 * Excel workbooks (.xlsx) written with libxlsxwriter: a sheet per table set, numbers stored as
 * numbers (with a display format such as "0.0%"), text as text, so a planner can sort, sum and
 * chart them. The files are the same bytes on every run (the creation time is fixed). The
 * libxlsxwriter header stays in io/xlsx_writer.cpp.
 */

#include <string>
#include <vector>

namespace lifecircle::io {

/** One cell: empty, a number or UTF-8 text. A non-finite number is written as an empty cell. */
struct XlsxCell {
    enum class Kind { empty, number, text };
    Kind kind = Kind::empty;
    double number = 0.0;
    std::string text;
    /** Excel's number format for numbers, e.g. "0", "0.0", "0.0%"; empty = General. */
    std::string format;
    bool bold = false;

    XlsxCell() = default;
    XlsxCell(double v, std::string number_format = {})
        : kind(Kind::number), number(v), format(std::move(number_format)) {}
    XlsxCell(std::string t, bool heading = false)
        : kind(Kind::text), text(std::move(t)), bold(heading) {}
    XlsxCell(const char* t, bool heading = false) : kind(Kind::text), text(t), bold(heading) {}
};

/** One sheet: rows of cells from A1, and optional column widths (characters). */
struct XlsxSheet {
    /** At most 31 characters, none of []:*?/\ (checked: std::invalid_argument). */
    std::string name;
    std::vector<std::vector<XlsxCell>> rows;
    std::vector<double> column_widths;
    /** Rows frozen at the top (headings stay in view when scrolling); 0 = none. */
    int frozen_rows = 0;
};

/** A valid sheet name made from `text`: forbidden characters replaced by '_', cut to 31 bytes
    on a UTF-8 character boundary, never empty. */
std::string xlsx_sheet_name(const std::string& text);

/**
 * Writes the sheets as an .xlsx workbook at `path` (a staged temporary of an OutputPlan).
 * Throws OutputError naming the file when libxlsxwriter fails (a full disk, a folder that
 * vanished), std::invalid_argument for a bad or repeated sheet name.
 */
void write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets);

}  // namespace lifecircle::io
