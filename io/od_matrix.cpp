#include "io/od_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "io/csv_table.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

namespace {

using detail::CsvReader;
using detail::format_number;

struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
/** Id text -> index, looked up by string_view without a copy. */
using IdMap = std::unordered_map<std::string, std::uint32_t, IdHash, std::equal_to<>>;

constexpr std::uint32_t no_index = 0xffffffffu;
constexpr std::size_t listed_ids = 5;

std::string line_prefix(std::size_t line) { return "line " + std::to_string(line) + ": "; }

/** The indices of `names` in the header; InputError listing found and expected columns. */
std::vector<int> required_columns(const CsvReader& reader, const std::vector<std::string>& names,
                                  const std::string& what) {
    std::vector<int> out;
    std::string expected;
    for (const auto& n : names) expected += (expected.empty() ? "" : ",") + n;
    for (const auto& n : names) {
        const int c = reader.column(n);
        if (c < 0) {
            throw InputError("the " + what + " has no column '" + n +
                             "': its header line names the columns " + reader.header_text() +
                             " but expected " + expected +
                             " (in any order and case; extra columns are ignored): rename the "
                             "columns in the header line")
                .set_file(reader.path());
        }
        out.push_back(c);
    }
    return out;
}

/** The value of column `col` on the current record; InputError for a short line. */
std::string_view field(const CsvReader& reader, const std::vector<std::string_view>& fields,
                       int col) {
    if (static_cast<std::size_t>(col) >= fields.size()) {
        throw InputError(
            line_prefix(reader.line()) + "the line has " + std::to_string(fields.size()) +
            " value(s) but the column '" + reader.header()[static_cast<std::size_t>(col)] +
            "' is column " + std::to_string(col + 1) +
            ": give a value in every column (delimiter '" +
            (reader.delimiter() == '\t' ? std::string("tab") : std::string(1, reader.delimiter())) +
            "')")
            .set_file(reader.path());
    }
    return fields[static_cast<std::size_t>(col)];
}

/** A non-empty id value. */
std::string_view id_field(const CsvReader& reader, const std::vector<std::string_view>& fields,
                          int col) {
    const std::string_view id = field(reader, fields, col);
    if (id.empty()) {
        throw InputError(line_prefix(reader.line()) + "the " +
                         reader.header()[static_cast<std::size_t>(col)] +
                         " is empty: give every line an id")
            .set_file(reader.path());
    }
    return id;
}

/** A finite number >= 0 (not empty). */
double number_field(const CsvReader& reader, const std::vector<std::string_view>& fields, int col,
                    double largest = std::numeric_limits<double>::max()) {
    const std::string_view text = field(reader, fields, col);
    const std::string& name = reader.header()[static_cast<std::size_t>(col)];
    double value = 0.0;
    if (text.empty()) {
        throw InputError(line_prefix(reader.line()) + "the " + name +
                         " is empty: give a finite number >= 0 on every line")
            .set_file(reader.path());
    }
    bool out_of_range = false;
    if (!detail::parse_double(text, value, &out_of_range)) {
        if (out_of_range) {
            throw InputError(line_prefix(reader.line()) + "the " + name + " '" + std::string(text) +
                             "' is out of range: give a finite number >= 0" + " below " +
                             format_number(largest, 6))
                .set_file(reader.path());
        }
        throw InputError(line_prefix(reader.line()) + "the " + name + " '" + std::string(text) +
                         "' is not a number: give a finite number >= 0 with a dot as decimal "
                         "separator and no thousands separators")
            .set_file(reader.path());
    }
    if (!std::isfinite(value) || value < 0.0 || value > largest) {
        throw InputError(
            line_prefix(reader.line()) + "the " + name + " '" + std::string(text) + "' is " +
            (std::isnan(value)   ? "not a number"
             : value < 0.0       ? "negative"
             : std::isinf(value) ? "not finite"
                                 : "too large") +
            ": give a finite number >= 0" +
            (std::isfinite(value) && value > largest ? " below " + format_number(largest, 6)
                                                     : std::string()))
            .set_file(reader.path());
    }
    return value == 0.0 ? 0.0 : value;  // -0 is 0
}

/** Ids that should be somewhere but are not: the first few and how many. */
struct Unknown {
    std::vector<std::string> first;
    std::unordered_set<std::string, IdHash, std::equal_to<>> all;

    void add(std::string_view id) {
        if (all.find(id) != all.end()) return;
        all.emplace(id);
        if (first.size() < listed_ids) first.emplace_back(id);
    }
    std::string text() const {
        std::string out;
        for (const auto& id : first) out += (out.empty() ? "'" : ", '") + id + "'";
        if (all.size() > first.size())
            out += " and " + std::to_string(all.size() - first.size()) + " more";
        return out;
    }
};

/** Reads the id column into `ids` / `map`, checking for empty and duplicate ids. */
void add_id(const CsvReader& reader, std::string_view id, IdMap& map, std::vector<std::string>& ids,
            std::vector<std::size_t>& lines) {
    const auto [it, inserted] =
        map.try_emplace(std::string(id), static_cast<std::uint32_t>(ids.size()));
    if (!inserted) {
        throw InputError("the id '" + std::string(id) + "' is given twice, on line " +
                         std::to_string(lines[it->second]) + " and line " +
                         std::to_string(reader.line()) + ": ids must be unique")
            .set_file(reader.path());
    }
    ids.emplace_back(id);
    lines.push_back(reader.line());
}

/** The lines of the matrix holding the pair (from, to): scanned again, only for the message. */
std::vector<std::size_t> pair_lines(const std::string& path, std::string_view from,
                                    std::string_view to) {
    CsvReader reader(path);
    const std::vector<int> cols = required_columns(reader, {"from_id", "to_id"}, "matrix");
    std::vector<std::string_view> fields;
    std::vector<std::size_t> lines;
    while (reader.next(fields) && lines.size() < 2) {
        if (field(reader, fields, cols[0]) == from && field(reader, fields, cols[1]) == to)
            lines.push_back(reader.line());
    }
    return lines;
}

}  // namespace

OdProblem read_od_problem(const std::string& matrix_csv, const std::string& demand_csv,
                          const std::string& candidates_csv,
                          const std::vector<std::string>& existing, const OdOptions& options) {
    if (std::isnan(options.cutoff) || options.cutoff < 0.0) {
        throw UsageError("the cutoff " + format_number(options.cutoff) +
                         " is not a cost: give a number >= 0 in the matrix's unit");
    }
    OdProblem problem;
    std::vector<std::string_view> fields;

    // Demand points.
    IdMap demand_map;
    {
        CsvReader reader(demand_csv);
        const std::vector<int> cols =
            required_columns(reader, {"id", options.weight_field}, "demand file");
        std::vector<std::size_t> lines;
        while (reader.next(fields)) {
            const std::string_view id = id_field(reader, fields, cols[0]);
            problem.weight.push_back(number_field(reader, fields, cols[1]));
            add_id(reader, id, demand_map, problem.demand_ids, lines);
        }
        if (problem.demand_ids.empty()) {
            throw InputError(
                "the demand file has a header but no demand points: give one line "
                "per demand point (id, " +
                options.weight_field + ")")
                .set_file(demand_csv);
        }
    }

    // Candidates.
    IdMap candidate_map;
    const bool listed = !candidates_csv.empty();
    if (listed) {
        CsvReader reader(candidates_csv);
        const std::vector<int> cols = required_columns(reader, {"id"}, "candidates file");
        const int capacity_col = reader.column("capacity");
        const int cost_col = reader.column("cost");
        std::vector<std::size_t> lines;
        while (reader.next(fields)) {
            const std::string_view id = id_field(reader, fields, cols[0]);
            if (capacity_col >= 0)
                problem.capacity.push_back(number_field(reader, fields, capacity_col));
            if (cost_col >= 0) problem.cost.push_back(number_field(reader, fields, cost_col));
            add_id(reader, id, candidate_map, problem.candidate_ids, lines);
        }
        if (problem.candidate_ids.empty()) {
            throw InputError(
                "the candidates file has a header but no candidates: give one "
                "line per candidate site, or leave the file out to use every "
                "from_id of the matrix")
                .set_file(candidates_csv);
        }
    }

    // The matrix.
    std::vector<std::vector<TimeEntry>> rows(problem.candidate_ids.size());
    std::vector<std::uint64_t> dropped;  // (row, col) of pairs beyond the cutoff, for duplicates
    std::vector<std::uint8_t> in_matrix(problem.demand_ids.size(), 0);
    Unknown unknown_from, unknown_to;
    {
        CsvReader reader(matrix_csv);
        const std::vector<int> cols =
            required_columns(reader, {"from_id", "to_id", "cost"}, "matrix");
        std::string last_from;
        std::uint32_t last_row = no_index;
        bool have_last = false;
        while (reader.next(fields)) {
            ++problem.pairs_read;
            const std::string_view from = id_field(reader, fields, cols[0]);
            const std::string_view to = id_field(reader, fields, cols[1]);
            const double cost =
                number_field(reader, fields, cols[2], std::numeric_limits<float>::max());
            if (!have_last || from != last_from) {
                const auto it = candidate_map.find(from);
                if (it != candidate_map.end()) {
                    last_row = it->second;
                } else if (listed) {
                    unknown_from.add(from);
                    last_row = no_index;
                } else {
                    last_row = static_cast<std::uint32_t>(problem.candidate_ids.size());
                    candidate_map.emplace(std::string(from), last_row);
                    problem.candidate_ids.emplace_back(from);
                    rows.emplace_back();
                }
                last_from.assign(from);
                have_last = true;
            }
            const auto it = demand_map.find(to);
            if (it == demand_map.end()) {
                unknown_to.add(to);
                continue;
            }
            if (last_row == no_index) continue;
            const std::uint32_t col = it->second;
            in_matrix[col] = 1;
            if (cost > options.cutoff) {
                ++problem.pairs_beyond_cutoff;
                dropped.push_back(std::uint64_t{last_row} << 32 | col);
                continue;
            }
            rows[last_row].push_back({col, static_cast<float>(cost)});
        }
        if (problem.pairs_read == 0) {
            throw InputError(
                "the matrix has a header but no pairs: give one line per "
                "(from_id, to_id, cost)")
                .set_file(matrix_csv);
        }
    }
    if (!unknown_to.all.empty()) {
        throw InputError(std::to_string(unknown_to.all.size()) +
                         " to_id(s) of the matrix are not in the demand file " + demand_csv + ": " +
                         unknown_to.text() +
                         "; add them to the demand file or remove their lines from the matrix")
            .set_file(matrix_csv);
    }
    if (!unknown_from.all.empty()) {
        throw InputError(std::to_string(unknown_from.all.size()) +
                         " from_id(s) of the matrix are not in the candidates file " +
                         candidates_csv + ": " + unknown_from.text() +
                         "; add them to the candidates file or remove their lines from the "
                         "matrix")
            .set_file(matrix_csv);
    }

    // Sort the rows and find pairs given twice (kept or beyond the cutoff).
    const auto by_col = [](const TimeEntry& a, const TimeEntry& b) { return a.col < b.col; };
    std::uint32_t dup_row = no_index, dup_col = 0;
    for (std::uint32_t r = 0; r < rows.size() && dup_row == no_index; ++r) {
        auto& row = rows[r];
        if (!std::is_sorted(row.begin(), row.end(), by_col))
            std::sort(row.begin(), row.end(), by_col);
        for (std::size_t i = 1; i < row.size(); ++i) {
            if (row[i].col == row[i - 1].col) {
                dup_row = r;
                dup_col = row[i].col;
                break;
            }
        }
    }
    if (dup_row == no_index && !dropped.empty()) {
        std::sort(dropped.begin(), dropped.end());
        for (std::size_t i = 0; i < dropped.size() && dup_row == no_index; ++i) {
            const auto r = static_cast<std::uint32_t>(dropped[i] >> 32);
            const auto c = static_cast<std::uint32_t>(dropped[i] & 0xffffffffu);
            const auto& row = rows[r];
            const bool twice =
                (i > 0 && dropped[i - 1] == dropped[i]) ||
                std::binary_search(row.begin(), row.end(), TimeEntry{c, 0.0f}, by_col);
            if (twice) {
                dup_row = r;
                dup_col = c;
            }
        }
    }
    std::vector<std::uint64_t>().swap(dropped);
    if (dup_row != no_index) {
        const std::string& from = problem.candidate_ids[dup_row];
        const std::string& to = problem.demand_ids[dup_col];
        const std::vector<std::size_t> lines = pair_lines(matrix_csv, from, to);
        std::string where;
        if (lines.size() == 2)
            where =
                " on line " + std::to_string(lines[0]) + " and line " + std::to_string(lines[1]);
        throw InputError("the pair from_id '" + from + "', to_id '" + to + "' is given twice" +
                         where + ": keep one line per pair")
            .set_file(matrix_csv);
    }
    problem.table = TimeTable(std::move(rows), problem.demand_ids.size());
    for (std::uint8_t seen : in_matrix) problem.demand_not_in_matrix += seen == 0;

    // Existing sites.
    const std::string& candidate_file = listed ? candidates_csv : matrix_csv;
    std::vector<std::uint8_t> is_existing(problem.candidate_ids.size(), 0);
    for (const std::string& raw : existing) {
        const std::string_view id = detail::trim(raw);
        const auto it = candidate_map.find(id);
        if (it == candidate_map.end()) {
            throw InputError("the existing site '" + std::string(id) + "' is not a candidate: " +
                             (listed ? std::string("add it to the candidates file")
                                     : std::string("give it lines in the matrix (from_id)")) +
                             " or check the id (ids are text: '012' is not '12')")
                .set_file(candidate_file);
        }
        if (is_existing[it->second] != 0) {
            throw InputError("the existing site '" + std::string(id) +
                             "' is given twice: name each existing site once")
                .set_file(candidate_file);
        }
        is_existing[it->second] = 1;
        problem.existing.push_back(it->second);
    }
    return problem;
}

}  // namespace lifecircle::io
