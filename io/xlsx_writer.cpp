#include "io/xlsx_writer.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include <xlsxwriter.h>

#include "core/error.hpp"

namespace lifecircle::io {

namespace {

/** 2000-01-01T00:00:00Z, the time our GeoPackages carry too: reruns give the same bytes. */
constexpr time_t fixed_time = 946684800;

bool bad_sheet_char(char c) {
    return c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' || c == '\\';
}

}  // namespace

std::string xlsx_sheet_name(const std::string& text) {
    std::string out;
    for (const char c : text) out += bad_sheet_char(c) ? '_' : c;
    if (out.size() > 31) {
        std::size_t cut = 31;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
            --cut;  // not inside a character
        out.resize(cut);
    }
    if (out.empty()) out = "sheet";
    return out;
}

void write_xlsx(const std::string& path, const std::vector<XlsxSheet>& sheets) {
    std::set<std::string> names;
    for (const XlsxSheet& s : sheets) {
        if (s.name.empty() || s.name.size() > 31 || xlsx_sheet_name(s.name) != s.name)
            throw std::invalid_argument("xlsx: '" + s.name +
                                        "' is not a valid sheet name (use xlsx_sheet_name)");
        if (!names.insert(s.name).second)
            throw std::invalid_argument("xlsx: the sheet name '" + s.name + "' is used twice");
    }
    // libxlsxwriter prints its own errors to stderr: a missing folder is caught here first.
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        throw OutputError("cannot write the workbook: the folder " + parent.string() +
                          " does not exist")
            .set_file(path);
    lxw_workbook* wb = workbook_new(path.c_str());
    if (!wb) throw OutputError("cannot create the workbook").set_file(path);
    lxw_doc_properties properties{};
    properties.created = fixed_time;
    char creator[] = "lifecircle";
    properties.author = creator;
    workbook_set_properties(wb, &properties);
    std::map<std::pair<std::string, bool>, lxw_format*> formats;
    const auto format_of = [&](const XlsxCell& c) -> lxw_format* {
        if (c.format.empty() && !c.bold) return nullptr;
        auto& f = formats[{c.format, c.bold}];
        if (!f) {
            f = workbook_add_format(wb);
            if (!c.format.empty()) format_set_num_format(f, c.format.c_str());
            if (c.bold) format_set_bold(f);
        }
        return f;
    };
    for (const XlsxSheet& s : sheets) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, s.name.c_str());
        if (!ws) {
            workbook_close(wb);
            throw OutputError("cannot add the sheet '" + s.name + "'").set_file(path);
        }
        for (std::size_t c = 0; c < s.column_widths.size(); ++c)
            worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                 s.column_widths[c], nullptr);
        if (s.frozen_rows > 0) worksheet_freeze_panes(ws, static_cast<lxw_row_t>(s.frozen_rows), 0);
        for (std::size_t r = 0; r < s.rows.size(); ++r) {
            for (std::size_t c = 0; c < s.rows[r].size(); ++c) {
                const XlsxCell& cell = s.rows[r][c];
                const auto row = static_cast<lxw_row_t>(r);
                const auto col = static_cast<lxw_col_t>(c);
                if (cell.kind == XlsxCell::Kind::number) {
                    if (std::isfinite(cell.number))
                        worksheet_write_number(ws, row, col, cell.number, format_of(cell));
                } else if (cell.kind == XlsxCell::Kind::text && !cell.text.empty()) {
                    worksheet_write_string(ws, row, col, cell.text.c_str(), format_of(cell));
                }
            }
        }
    }
    const lxw_error error = workbook_close(wb);
    if (error != LXW_NO_ERROR)
        throw OutputError(std::string("cannot write the workbook: ") + lxw_strerror(error) +
                          "; check the disk's free space and that the folder still exists")
            .set_file(path);
}

}  // namespace lifecircle::io
