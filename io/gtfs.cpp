#include "io/gtfs.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <unordered_map>
#include <utility>

#include <cpl_string.h>
#include <cpl_vsi.h>

#include "core/error.hpp"
#include "io/csv_table.hpp"
#include "io/gdal_common.hpp"
#include "io/text_format.hpp"

namespace lifecircle::io {

using transit::Time;

// ---------------------------------------------------------------------------------------------
// Dates and times
// ---------------------------------------------------------------------------------------------

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int digits_value(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

std::optional<Date> make_date(int y, int m, int d) {
    const std::chrono::year_month_day ymd{std::chrono::year(y),
                                          std::chrono::month(static_cast<unsigned>(m)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

}  // namespace

std::optional<Date> parse_gtfs_date(std::string_view text) {
    text = detail::trim(text);
    if (text.size() != 8 || !all_digits(text)) return std::nullopt;
    return make_date(digits_value(text.substr(0, 4)), digits_value(text.substr(4, 2)),
                     digits_value(text.substr(6, 2)));
}

std::optional<Date> parse_iso_date(std::string_view text) {
    text = detail::trim(text);
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
    if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
    return make_date(digits_value(y), digits_value(m), digits_value(d));
}

std::string format_date(Date date) {
    const std::chrono::year_month_day ymd(date);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string_view weekday_name(Date date) {
    static constexpr std::string_view names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                 "Thursday", "Friday", "Saturday"};
    return names[std::chrono::weekday(date).c_encoding()];
}

std::optional<Time> parse_gtfs_time(std::string_view text) {
    text = detail::trim(text);
    const auto c1 = text.find(':');
    if (c1 == std::string_view::npos || c1 == 0 || c1 > 3) return std::nullopt;
    if (text.size() != c1 + 6 || text[c1 + 3] != ':') return std::nullopt;
    const auto h = text.substr(0, c1), m = text.substr(c1 + 1, 2), s = text.substr(c1 + 4, 2);
    if (!all_digits(h) || !all_digits(m) || !all_digits(s)) return std::nullopt;
    const int mm = digits_value(m), ss = digits_value(s);
    if (mm > 59 || ss > 59) return std::nullopt;
    return digits_value(h) * 3600 + mm * 60 + ss;
}

std::string format_gtfs_time(Time seconds) {
    const bool negative = seconds < 0;
    const std::int64_t v = negative ? -std::int64_t{seconds} : seconds;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%02lld:%02lld:%02lld", negative ? "-" : "",
                  static_cast<long long>(v / 3600), static_cast<long long>(v / 60 % 60),
                  static_cast<long long>(v % 60));
    return buf;
}

std::optional<std::pair<Date, Time>> parse_departure(std::string_view text) {
    text = detail::trim(text);
    if (text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' '))
        return std::nullopt;
    const auto date = parse_iso_date(text.substr(0, 10));
    std::string time(text.substr(11));
    if (time.size() == 5) time += ":00";
    const auto t = parse_gtfs_time(time);
    if (!date || !t || time.size() != 8 || *t >= 24 * 3600) return std::nullopt;
    return std::pair{*date, *t};
}

bool GtfsService::runs_on(Date date) const {
    // Exceptions win over the calendar (calendar_dates.txt, exception_type 1 or 2).
    const auto it = std::lower_bound(exceptions.begin(), exceptions.end(), date,
                                     [](const auto& e, Date d) { return e.first < d; });
    if (it != exceptions.end() && it->first == date) return it->second;
    if (!has_calendar || date < start || date > end) return false;
    const unsigned iso = std::chrono::weekday(date).iso_encoding();  // Monday 1 ... Sunday 7
    return (weekdays >> (iso - 1)) & 1u;
}

std::string GtfsFeed::timezone() const {
    for (const GtfsAgency& a : agencies)
        if (!a.timezone.empty()) return a.timezone;
    return {};
}

// ---------------------------------------------------------------------------------------------
// CSV through GDAL's virtual file system (plain files and /vsizip/ alike)
// ---------------------------------------------------------------------------------------------

namespace {

/**
 * One GTFS table read record by record (RFC 4180): quoted fields may hold delimiters, ""
 * and line breaks; values outside quotes are trimmed. Streams in blocks.
 */
class CsvFile {
public:
    CsvFile(std::string vsi_path, std::string display)
        : m_vsi(std::move(vsi_path)), m_display(std::move(display)) {}
    ~CsvFile() {
        if (m_file != nullptr) VSIFCloseL(m_file);
    }
    CsvFile(const CsvFile&) = delete;
    CsvFile& operator=(const CsvFile&) = delete;

    /** Opens the file and reads its header; false if the file does not exist. */
    bool open() {
        VSIStatBufL st;
        if (VSIStatL(m_vsi.c_str(), &st) != 0) return false;
        m_file = VSIFOpenL(m_vsi.c_str(), "rb");
        if (m_file == nullptr)
            throw InputError("the file cannot be opened for reading").set_file(m_display);
        m_buffer.resize(block_size);
        fill();
        if (m_end - m_begin >= 3 &&
            std::equal(m_buffer.begin(), m_buffer.begin() + 3, "\xEF\xBB\xBF"))
            m_begin += 3;
        if (!next())
            throw InputError("the file is empty: it needs a header line naming its columns")
                .set_file(m_display);
        for (std::string_view f : m_fields) m_header.emplace_back(f);
        return true;
    }

    const std::string& display() const { return m_display; }
    /** Index of a column (case-insensitive), or -1. */
    int column(std::string_view name) const {
        for (std::size_t i = 0; i < m_header.size(); ++i)
            if (detail::ascii_lower(m_header[i]) == name) return static_cast<int>(i);
        return -1;
    }
    /** Index of a column the file must have; InputError naming the header otherwise. */
    int require(std::string_view name) const {
        const int c = column(name);
        if (c < 0) {
            std::string header;
            for (const std::string& h : m_header) header += (header.empty() ? "" : ", ") + h;
            throw InputError("line 1, field '" + std::string(name) +
                             "': the column is missing (the header names " + header +
                             "); add it, as the GTFS reference requires")
                .set_file(m_display);
        }
        return c;
    }
    /** The name of column c. */
    const std::string& name(int c) const { return m_header[static_cast<std::size_t>(c)]; }

    /** Reads the next non-blank record; false at the end. */
    bool next();
    /** Field c of the current record ("" for a missing column or a short record). */
    std::string_view get(int c) const {
        return c >= 0 && static_cast<std::size_t>(c) < m_fields.size()
                   ? m_fields[static_cast<std::size_t>(c)]
                   : std::string_view{};
    }
    /** The line the current record starts on (the header is line 1). */
    std::size_t line() const { return m_line; }

    /** Throws InputError for column c of the current record. */
    [[noreturn]] void fail(int c, const std::string& problem) const {
        fail_at(m_line, c >= 0 ? name(c) : std::string(), problem);
    }
    /** Throws InputError for a field of a given line. */
    [[noreturn]] void fail_at(std::size_t line, const std::string& field,
                              const std::string& problem) const {
        std::string where = "line " + std::to_string(line);
        if (!field.empty()) where += ", field '" + field + "'";
        throw InputError(where + ": " + problem).set_file(m_display);
    }

private:
    static constexpr std::size_t block_size = std::size_t{1} << 20;

    /** Reads more bytes after m_end (moving unread bytes to the front); false at the end. */
    bool fill() {
        if (m_eof) return false;
        if (m_begin > 0) {
            std::copy(m_buffer.begin() + static_cast<std::ptrdiff_t>(m_begin),
                      m_buffer.begin() + static_cast<std::ptrdiff_t>(m_end), m_buffer.begin());
            m_end -= m_begin;
            m_begin = 0;
        }
        const std::size_t got =
            VSIFReadL(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
        m_end += got;
        if (got == 0) m_eof = true;
        return got > 0;
    }

    std::string m_vsi;
    std::string m_display;
    VSILFILE* m_file = nullptr;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    std::size_t m_next_line = 1;
    std::size_t m_line = 0;
    std::vector<std::string> m_header;
    std::string m_record;  ///< the current record's unquoted field values, back to back
    std::vector<std::size_t> m_bounds;
    std::vector<std::string_view> m_fields;
};

bool CsvFile::next() {
    enum class State { field_start, unquoted, quoted, quote_in_quoted, after_quote };
    for (;;) {
        m_record.clear();
        m_bounds.assign(1, 0);
        m_line = m_next_line;
        std::size_t newlines = 0;
        bool consumed = false;
        State state = State::field_start;
        auto end_field = [&] {
            if (state == State::unquoted) {
                while (
                    m_record.size() > m_bounds.back() &&
                    (m_record.back() == ' ' || m_record.back() == '\t' || m_record.back() == '\r'))
                    m_record.pop_back();
            }
            m_bounds.push_back(m_record.size());
        };
        bool ended = false;
        while (!ended) {
            if (m_begin == m_end && !fill()) {
                if (!consumed) return false;
                if (state == State::quoted)
                    fail_at(m_line, "",
                            "a quote (\") opened on this line is never closed: close it");
                end_field();
                break;
            }
            consumed = true;
            const char c = m_buffer[m_begin++];
            switch (state) {
                case State::field_start:
                    if (c == '"') {
                        state = State::quoted;
                    } else if (c == ',') {
                        end_field();
                    } else if (c == '\n') {
                        end_field();
                        ended = true;
                    } else if (c != ' ' && c != '\t' && c != '\r') {
                        m_record.push_back(c);
                        state = State::unquoted;
                    }
                    break;
                case State::unquoted:
                    if (c == ',') {
                        end_field();
                        state = State::field_start;
                    } else if (c == '\n') {
                        end_field();
                        ended = true;
                    } else {
                        m_record.push_back(c);
                    }
                    break;
                case State::quoted:
                    if (c == '"') {
                        state = State::quote_in_quoted;
                    } else {
                        if (c == '\n') ++newlines;
                        m_record.push_back(c);
                    }
                    break;
                case State::quote_in_quoted:
                    if (c == '"') {
                        m_record.push_back('"');
                        state = State::quoted;
                        break;
                    }
                    state = State::after_quote;
                    [[fallthrough]];
                case State::after_quote:
                    if (c == ',') {
                        end_field();
                        state = State::field_start;
                    } else if (c == '\n') {
                        end_field();
                        ended = true;
                    } else if (c != ' ' && c != '\t' && c != '\r') {
                        fail_at(m_line, "",
                                "text after the closing quote of field " +
                                    std::to_string(m_bounds.size()) +
                                    ": put the whole value in quotes, doubling quotes inside");
                    }
                    break;
            }
        }
        m_next_line += 1 + newlines;
        const std::size_t count = m_bounds.size() - 1;
        if (count == 1 && m_bounds[1] == 0 && state != State::after_quote &&
            state != State::quote_in_quoted)
            continue;  // a blank line
        m_fields.clear();
        for (std::size_t i = 0; i < count; ++i)
            m_fields.emplace_back(m_record.data() + m_bounds[i], m_bounds[i + 1] - m_bounds[i]);
        if (!m_header.empty() && m_fields.size() > m_header.size()) {
            for (std::size_t i = m_header.size(); i < m_fields.size(); ++i) {
                if (!m_fields[i].empty())
                    fail_at(m_line, "",
                            "the record has " + std::to_string(m_fields.size()) +
                                " fields but the header names " + std::to_string(m_header.size()) +
                                ": quote values that hold commas, or add the column to the header");
            }
            m_fields.resize(m_header.size());
        }
        return true;
    }
}

// ---------------------------------------------------------------------------------------------
// Field values
// ---------------------------------------------------------------------------------------------

std::string in_quotes(std::string_view v) {
    // Appending (not "'" + string) sidesteps GCC 12's false -Wrestrict warning.
    std::string out = "'";
    out += v;
    out += '\'';
    return out;
}

/** A non-negative integer field (empty: `fallback`, or an error when there is none). */
std::int64_t read_count(const CsvFile& f, int c, std::optional<std::int64_t> fallback,
                        std::int64_t max, const std::string& what) {
    const std::string_view v = f.get(c);
    if (v.empty()) {
        if (fallback) return *fallback;
        f.fail(c, "empty; " + what);
    }
    std::int64_t x = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < 0 || x > max)
        f.fail(c, in_quotes(v) + " is not " + what);
    return x;
}

/** One of a few integer codes (empty: `fallback`, or an error when there is none). */
int read_code(const CsvFile& f, int c, std::optional<int> fallback, int max,
              const std::string& meaning) {
    return static_cast<int>(read_count(f, c, fallback, max, "a valid value: use " + meaning));
}

Time read_time(const CsvFile& f, int c) {
    const std::string_view v = f.get(c);
    const auto t = parse_gtfs_time(v);
    if (!t)
        f.fail(c, in_quotes(v) +
                      " is not a time: write H:MM:SS or HH:MM:SS (hours may pass 24, as 25:10:00)");
    return *t;
}

Date read_date(const CsvFile& f, int c) {
    const std::string_view v = f.get(c);
    const auto d = parse_gtfs_date(v);
    if (!d) f.fail(c, in_quotes(v) + " is not a date: write YYYYMMDD, as 20190513");
    return *d;
}

double read_coordinate(const CsvFile& f, int c, double limit, const std::string& what) {
    const std::string_view v = f.get(c);
    double x = 0.0;
    if (v.empty()) f.fail(c, "empty; the stop needs its " + what);
    if (!detail::parse_double(v, x) || !std::isfinite(x) || std::abs(x) > limit)
        f.fail(c, in_quotes(v) + " is not a " + what + " in degrees (WGS 84, within +-" +
                      detail::format_number(limit) + ")");
    return x;
}

/** An id field that must not be empty. */
std::string_view read_id(const CsvFile& f, int c, const std::string& what) {
    const std::string_view v = f.get(c);
    if (v.empty()) f.fail(c, "empty; every " + what + " needs an id");
    return v;
}

/** Ids of one table: position and line of each, refusing duplicates. */
class IdIndex {
public:
    /** Adds the current record's id; InputError if it was seen before. */
    std::uint32_t add(const CsvFile& f, int c, std::string_view id, const std::string& what) {
        const auto [it, added] = m_index.try_emplace(
            std::string(id), Entry{static_cast<std::uint32_t>(m_index.size()), f.line()});
        if (!added)
            f.fail(c, in_quotes(id) + " is used twice (first on line " +
                          std::to_string(it->second.line) + "): " + what + " ids must be unique");
        return it->second.index;
    }
    /** The position of an id, or nothing. */
    std::optional<std::uint32_t> find(std::string_view id) const {
        const auto it = m_index.find(std::string(id));
        if (it == m_index.end()) return std::nullopt;
        return it->second.index;
    }
    std::size_t size() const { return m_index.size(); }

private:
    struct Entry {
        std::uint32_t index;
        std::size_t line;
    };
    std::unordered_map<std::string, Entry> m_index;
};

/** A reference to an id of another table; InputError when it is not there. */
std::uint32_t resolve(const CsvFile& f, int c, const IdIndex& index, const std::string& table,
                      const std::string& what) {
    const std::string_view id = read_id(f, c, what);
    const auto i = index.find(id);
    if (!i)
        f.fail(c, "no " + what + " " + in_quotes(id) + " in " + table +
                      ": add it there, or fix the id");
    return *i;
}

/** Great-circle distance in metres between two (lon, lat) points (haversine). */
double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    constexpr double r = 6371008.8;
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    const double a =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(lat1 * rad) * std::cos(lat2 * rad) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2.0 * r * std::asin(std::min(1.0, std::sqrt(a)));
}

// ---------------------------------------------------------------------------------------------
// The feed's files
// ---------------------------------------------------------------------------------------------

/** Where a feed's files are: a VSI prefix and the prefix messages show. */
struct FeedLocation {
    std::string vsi;
    std::string display;
};

bool vsi_exists(const std::string& path) {
    VSIStatBufL st;
    return VSIStatL(path.c_str(), &st) == 0;
}

FeedLocation locate(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (std::filesystem::is_directory(p, ec)) {
        std::string base = path;
        if (base.back() != '/') base += '/';
        return {base, base};
    }
    if (!std::filesystem::is_regular_file(p, ec))
        throw InputError(
            "the GTFS feed does not exist: give a .zip file or a folder of GTFS .txt files")
            .set_file(path);
    const std::string root = "/vsizip/" + path;
    char** entries = VSIReadDir(root.c_str());
    if (entries == nullptr)
        throw InputError(
            "not a zip file: a GTFS feed is a .zip of .txt files (or a folder of them)")
            .set_file(path);
    FeedLocation at{root + "/", path + "/"};
    if (!vsi_exists(at.vsi + "stops.txt")) {
        // Some producers zip the folder rather than its files: accept one sub-folder.
        std::vector<std::string> folders;
        for (char** e = entries; *e != nullptr; ++e) {
            VSIStatBufL st;
            const std::string sub = root + "/" + *e;
            if (VSIStatL(sub.c_str(), &st) == 0 && VSI_ISDIR(st.st_mode) &&
                vsi_exists(sub + "/stops.txt"))
                folders.emplace_back(*e);
        }
        if (folders.size() == 1)
            at = {root + "/" + folders[0] + "/", path + "/" + folders[0] + "/"};
    }
    CSLDestroy(entries);
    return at;
}

/** Reads a feed's tables in order and checks them. */
class Reader {
public:
    Reader(FeedLocation at, GtfsFeed& feed) : m_at(std::move(at)), m_feed(feed) {}

    void read() {
        const char* required[] = {"stops.txt", "routes.txt", "trips.txt", "stop_times.txt"};
        for (const char* name : required) {
            if (!vsi_exists(m_at.vsi + name))
                throw InputError(
                    std::string("the feed has no ") + name +
                    ": a GTFS feed needs agency.txt, stops.txt, routes.txt, trips.txt, "
                    "stop_times.txt and calendar.txt or calendar_dates.txt, at the top "
                    "level of the zip (or folder)")
                    .set_file(m_feed.path);
        }
        if (!vsi_exists(m_at.vsi + "calendar.txt") && !vsi_exists(m_at.vsi + "calendar_dates.txt"))
            throw InputError(
                "the feed has neither calendar.txt nor calendar_dates.txt: one of them "
                "must say on which days its services run")
                .set_file(m_feed.path);
        read_agencies();
        read_stops();
        read_routes();
        read_calendar();
        read_calendar_dates();
        read_trips();
        read_shapes();
        read_stop_times();
        read_frequencies();
        date_range();
    }

private:
    std::unique_ptr<CsvFile> open(const std::string& name, bool required) {
        auto f = std::make_unique<CsvFile>(m_at.vsi + name, m_at.display + name);
        if (!f->open()) {
            if (required) throw InputError("the feed has no " + name).set_file(m_feed.path);
            return nullptr;
        }
        return f;
    }

    void read_agencies() {
        auto f = open("agency.txt", false);
        if (!f) {
            m_feed.notes.push_back(m_feed.name + ": no agency.txt (its time zone is unknown)");
            return;
        }
        const int id = f->column("agency_id"), name = f->column("agency_name"),
                  tz = f->column("agency_timezone");
        while (f->next())
            m_feed.agencies.push_back(
                {std::string(f->get(id)), std::string(f->get(name)), std::string(f->get(tz))});
    }

    void read_stops() {
        auto f = open("stops.txt", true);
        const int id = f->require("stop_id"), lat = f->require("stop_lat"),
                  lon = f->require("stop_lon"), name = f->column("stop_name"),
                  type = f->column("location_type"), parent = f->column("parent_station");
        while (f->next()) {
            GtfsStop s;
            s.id = read_id(*f, id, "stop");
            m_stops.add(*f, id, s.id, "stop");
            s.name = f->get(name);
            s.location_type = static_cast<std::uint8_t>(
                read_code(*f, type, 0, 4,
                          "0 (stop), 1 (station), 2 (entrance), 3 (node) or 4 (boarding area)"));
            if (s.location_type <= 2 || !f->get(lat).empty() || !f->get(lon).empty()) {
                s.lat = read_coordinate(*f, lat, 90.0, "latitude");
                s.lon = read_coordinate(*f, lon, 180.0, "longitude");
            } else {
                s.lat = s.lon = std::numeric_limits<double>::quiet_NaN();
            }
            s.parent_station = f->get(parent);
            m_feed.stops.push_back(std::move(s));
        }
    }

    void read_routes() {
        auto f = open("routes.txt", true);
        const int id = f->require("route_id"), type = f->require("route_type"),
                  agency = f->column("agency_id"), short_name = f->column("route_short_name"),
                  long_name = f->column("route_long_name");
        while (f->next()) {
            GtfsRoute r;
            r.id = read_id(*f, id, "route");
            m_routes.add(*f, id, r.id, "route");
            r.type = static_cast<int>(read_count(
                *f, type, std::nullopt, 1999,
                "a route type: 3 for a bus, 1 for a metro, 2 for rail (see the GTFS reference)"));
            r.agency_id = f->get(agency);
            r.short_name = f->get(short_name);
            r.long_name = f->get(long_name);
            m_feed.routes.push_back(std::move(r));
        }
    }

    GtfsService& service(std::string_view id) {
        const auto it = m_service_of.find(std::string(id));
        if (it != m_service_of.end()) return m_feed.services[it->second];
        m_service_of.emplace(std::string(id), static_cast<std::uint32_t>(m_feed.services.size()));
        m_feed.services.push_back(GtfsService{});
        m_feed.services.back().id = id;
        return m_feed.services.back();
    }

    void read_calendar() {
        auto f = open("calendar.txt", false);
        if (!f) return;
        const int id = f->require("service_id");
        static constexpr const char* days[] = {"monday", "tuesday",  "wednesday", "thursday",
                                               "friday", "saturday", "sunday"};
        int day[7];
        for (int d = 0; d < 7; ++d) day[d] = f->require(days[d]);
        const int start = f->require("start_date"), end = f->require("end_date");
        IdIndex seen;
        while (f->next()) {
            const std::string_view sid = read_id(*f, id, "service");
            seen.add(*f, id, sid, "service");
            GtfsService& s = service(sid);
            s.has_calendar = true;
            for (int d = 0; d < 7; ++d)
                if (read_code(*f, day[d], std::nullopt, 1,
                              "1 (runs that weekday) or 0 (does not)") == 1)
                    s.weekdays = static_cast<std::uint8_t>(s.weekdays | (1u << d));
            s.start = read_date(*f, start);
            s.end = read_date(*f, end);
            if (s.end < s.start)
                f->fail(end, format_date(s.end) + " is before the start_date " +
                                 format_date(s.start) + ": swap them");
        }
    }

    void read_calendar_dates() {
        auto f = open("calendar_dates.txt", false);
        if (!f) return;
        const int id = f->require("service_id"), date = f->require("date"),
                  type = f->require("exception_type");
        while (f->next()) {
            GtfsService& s = service(read_id(*f, id, "service"));
            const Date d = read_date(*f, date);
            const int t = static_cast<int>(read_count(
                *f, type, std::nullopt, 2, "an exception type: 1 (service added) or 2 (removed)"));
            if (t == 0)
                f->fail(type, "'0' is not an exception type: use 1 (service added) or 2 (removed)");
            s.exceptions.emplace_back(d, t == 1);
        }
        for (GtfsService& s : m_feed.services) {
            // The last row for a date wins, as a later correction would.
            std::stable_sort(s.exceptions.begin(), s.exceptions.end(),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
            std::vector<std::pair<Date, bool>> unique;
            for (const auto& e : s.exceptions) {
                if (!unique.empty() && unique.back().first == e.first) {
                    unique.back() = e;
                } else {
                    unique.push_back(e);
                }
            }
            s.exceptions = std::move(unique);
        }
    }

    void read_trips() {
        auto f = open("trips.txt", true);
        const int route = f->require("route_id"), svc = f->require("service_id"),
                  id = f->require("trip_id"), shape = f->column("shape_id");
        while (f->next()) {
            GtfsTrip t;
            t.route = resolve(*f, route, m_routes, "routes.txt", "route");
            const std::string_view sid = read_id(*f, svc, "service");
            const auto it = m_service_of.find(std::string(sid));
            if (it == m_service_of.end())
                f->fail(svc, "no service " + in_quotes(sid) +
                                 " in calendar.txt or calendar_dates.txt: add its days there, or "
                                 "fix the id");
            t.service = it->second;
            t.id = read_id(*f, id, "trip");
            m_trips.add(*f, id, t.id, "trip");
            t.shape_id = f->get(shape);
            m_trip_lines.push_back(f->line());
            m_feed.trips.push_back(std::move(t));
        }
        m_trips_file = f->display();
    }

    void read_shapes() {
        auto f = open("shapes.txt", false);
        if (f) {
            const int id = f->require("shape_id"), lat = f->require("shape_pt_lat"),
                      lon = f->require("shape_pt_lon"), seq = f->require("shape_pt_sequence");
            struct Row {
                std::uint32_t shape;
                std::int64_t seq;
                Point lonlat;
                std::size_t line;
            };
            std::vector<Row> rows;
            IdIndex shapes;
            std::vector<std::string> ids;
            while (f->next()) {
                const std::string_view sid = read_id(*f, id, "shape");
                auto s = shapes.find(sid);
                if (!s) {
                    s = shapes.add(*f, id, sid, "shape");
                    ids.emplace_back(sid);
                }
                Row r{*s,
                      read_count(*f, seq, std::nullopt, std::numeric_limits<std::int32_t>::max(),
                                 "a sequence number (a whole number, 0 or more)"),
                      {},
                      f->line()};
                r.lonlat.y = read_coordinate(*f, lat, 90.0, "latitude");
                r.lonlat.x = read_coordinate(*f, lon, 180.0, "longitude");
                rows.push_back(r);
            }
            std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
                return a.shape != b.shape ? a.shape < b.shape : a.seq < b.seq;
            });
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (i > 0 && rows[i].shape == rows[i - 1].shape && rows[i].seq == rows[i - 1].seq)
                    f->fail_at(std::max(rows[i].line, rows[i - 1].line), "shape_pt_sequence",
                               "shape " + in_quotes(ids[rows[i].shape]) + " has point " +
                                   std::to_string(rows[i].seq) + " twice (lines " +
                                   std::to_string(std::min(rows[i].line, rows[i - 1].line)) +
                                   " and " +
                                   std::to_string(std::max(rows[i].line, rows[i - 1].line)) +
                                   "): number its points uniquely");
                m_feed.shape_points.push_back(rows[i].lonlat);
                if (i + 1 == rows.size() || rows[i + 1].shape != rows[i].shape)
                    m_feed.shape_first.push_back(
                        static_cast<std::uint32_t>(m_feed.shape_points.size()));
            }
            m_feed.shape_ids = std::move(ids);
            m_shapes = std::move(shapes);
        }
        for (std::size_t t = 0; t < m_feed.trips.size(); ++t) {
            const std::string& sid = m_feed.trips[t].shape_id;
            if (!sid.empty() && !m_shapes.find(sid))
                throw InputError("line " + std::to_string(m_trip_lines[t]) +
                                 ", field 'shape_id': no shape " + in_quotes(sid) +
                                 (f ? " in shapes.txt" : " (the feed has no shapes.txt)") +
                                 ": add the shape, or leave the field empty")
                    .set_file(m_trips_file);
        }
    }

    void read_stop_times() {
        auto f = open("stop_times.txt", true);
        const int trip = f->require("trip_id"), stop = f->require("stop_id"),
                  seq = f->require("stop_sequence"), arr = f->require("arrival_time"),
                  dep = f->require("departure_time"), pickup = f->column("pickup_type"),
                  dropoff = f->column("drop_off_type"), dist = f->column("shape_dist_traveled");
        std::vector<Raw> rows;
        while (f->next()) {
            Raw r;
            r.trip = resolve(*f, trip, m_trips, "trips.txt", "trip");
            r.stop = resolve(*f, stop, m_stops, "stops.txt", "stop");
            const GtfsStop& s = m_feed.stops[r.stop];
            if (s.location_type != 0)
                f->fail(stop,
                        "stop " + in_quotes(s.id) + " has location_type " +
                            std::to_string(s.location_type) +
                            " (not a stop or platform): vehicles stop at stops (location_type 0)");
            r.seq = read_count(*f, seq, std::nullopt, std::numeric_limits<std::int32_t>::max(),
                               "a sequence number (a whole number, 0 or more)");
            r.arrival = f->get(arr).empty() ? no_value : read_time(*f, arr);
            r.departure = f->get(dep).empty() ? no_value : read_time(*f, dep);
            const std::string rule =
                "0 (regular), 1 (none), 2 (phone the agency) or 3 (ask the driver)";
            if (read_code(*f, pickup, 0, 3, rule) == 1)
                r.rules &= static_cast<std::uint8_t>(~transit::StopRule::board);
            if (read_code(*f, dropoff, 0, 3, rule) == 1)
                r.rules &= static_cast<std::uint8_t>(~transit::StopRule::alight);
            const std::string_view d = f->get(dist);
            if (!d.empty() &&
                (!detail::parse_double(d, r.dist) || !std::isfinite(r.dist) || r.dist < 0))
                f->fail(dist, in_quotes(d) +
                                  " is not a distance (a number, 0 or more, in the shape's unit)");
            r.line = f->line();
            rows.push_back(r);
        }
        std::stable_sort(rows.begin(), rows.end(), [](const Raw& a, const Raw& b) {
            return a.trip != b.trip ? a.trip < b.trip : a.seq < b.seq;
        });
        m_feed.stop_times.reserve(rows.size());
        std::size_t i = 0;
        std::size_t empty_trips = 0;
        for (std::uint32_t t = 0; t < m_feed.trips.size(); ++t) {
            std::size_t j = i;
            while (j < rows.size() && rows[j].trip == t) ++j;
            GtfsTrip& trip_row = m_feed.trips[t];
            trip_row.first_time = static_cast<std::uint32_t>(m_feed.stop_times.size());
            trip_row.time_count = static_cast<std::uint32_t>(j - i);
            if (j - i == 0) {
                ++empty_trips;
            } else if (j - i == 1) {
                f->fail_at(rows[i].line, "trip_id",
                           "trip " + in_quotes(trip_row.id) +
                               " has only this stop time: a trip needs at least two stops");
            } else {
                complete_trip(*f, trip_row, std::span<Raw>(rows.data() + i, j - i));
            }
            i = j;
        }
        if (empty_trips > 0)
            m_feed.notes.push_back(m_feed.name + ": " + std::to_string(empty_trips) +
                                   " trips have no stop times and never run");
    }

    /** A row of stop_times.txt before checking and interpolation. */
    struct Raw {
        std::uint32_t trip = 0;
        std::uint32_t stop = 0;
        std::int64_t seq = 0;
        Time arrival = 0;
        Time departure = 0;
        double dist = std::numeric_limits<double>::quiet_NaN();
        std::uint8_t rules = transit::StopRule::board_and_alight;
        std::size_t line = 0;
    };
    static constexpr Time no_value = std::numeric_limits<Time>::min();

    /** Checks one trip's stop times (sorted by sequence) and fills in the empty ones. */
    void complete_trip(const CsvFile& f, const GtfsTrip& trip, std::span<Raw> rows) {
        const std::string tid = in_quotes(trip.id);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            Raw& r = rows[k];
            if (k > 0 && r.seq == rows[k - 1].seq)
                f.fail_at(r.line, "stop_sequence",
                          "trip " + tid + " has stop_sequence " + std::to_string(r.seq) +
                              " twice (also on line " + std::to_string(rows[k - 1].line) +
                              "): number the stops of a trip uniquely");
            if (r.arrival == no_value) r.arrival = r.departure;
            if (r.departure == no_value) r.departure = r.arrival;
        }
        std::vector<std::uint8_t> timed(rows.size());
        for (std::size_t k = 0; k < rows.size(); ++k) timed[k] = rows[k].arrival != no_value;
        for (std::size_t k : {std::size_t{0}, rows.size() - 1}) {
            if (rows[k].arrival == no_value)
                f.fail_at(rows[k].line, "arrival_time",
                          "the " + std::string(k == 0 ? "first" : "last") + " stop of trip " + tid +
                              " has no time: the first and last stops of a trip must have "
                              "arrival and departure times");
        }
        // Times must not decrease along the trip.
        std::size_t previous = 0;
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const Raw& r = rows[k];
            if (r.arrival == no_value) continue;
            if (r.departure < r.arrival)
                f.fail_at(r.line, "departure_time",
                          format_gtfs_time(r.departure) + " is before the arrival " +
                              format_gtfs_time(r.arrival) + " at the same stop: fix one of them");
            if (k > 0 && r.arrival < rows[previous].departure)
                f.fail_at(r.line, "arrival_time",
                          format_gtfs_time(r.arrival) + " is before the departure " +
                              format_gtfs_time(rows[previous].departure) +
                              " from an earlier stop of trip " + tid + " (line " +
                              std::to_string(rows[previous].line) +
                              "): times along a trip must not decrease");
            previous = k;
        }
        // Distance along the trip: shape_dist_traveled if every stop has it, else straight lines.
        const bool by_shape =
            std::all_of(rows.begin(), rows.end(), [](const Raw& r) { return !std::isnan(r.dist); });
        std::vector<double> along(rows.size(), 0.0);
        for (std::size_t k = 1; k < rows.size(); ++k) {
            if (by_shape) {
                if (rows[k].dist < rows[k - 1].dist)
                    f.fail_at(rows[k].line, "shape_dist_traveled",
                              detail::format_number(rows[k].dist) +
                                  " is less than at the stop before (" +
                                  detail::format_number(rows[k - 1].dist) + ", line " +
                                  std::to_string(rows[k - 1].line) +
                                  "): distances along a trip must not decrease");
                along[k] = rows[k].dist;
            } else {
                const GtfsStop& a = m_feed.stops[rows[k - 1].stop];
                const GtfsStop& b = m_feed.stops[rows[k].stop];
                along[k] = along[k - 1] + haversine_m(a.lon, a.lat, b.lon, b.lat);
            }
        }
        std::size_t a = 0;
        for (std::size_t k = 1; k < rows.size(); ++k) {
            if (rows[k].arrival == no_value) continue;
            // Stops a+1 .. k-1 are empty: between a's departure and k's arrival.
            const double span = along[k] - along[a];
            for (std::size_t m = a + 1; m < k; ++m) {
                const double frac = span > 0.0
                                        ? (along[m] - along[a]) / span
                                        : static_cast<double>(m - a) / static_cast<double>(k - a);
                const double t = rows[a].departure + frac * (rows[k].arrival - rows[a].departure);
                rows[m].arrival = rows[m].departure = static_cast<Time>(std::lround(t));
                ++m_feed.interpolated;
            }
            a = k;
        }
        for (std::size_t k = 0; k < rows.size(); ++k) {
            GtfsStopTime st;
            st.stop = rows[k].stop;
            st.arrival = rows[k].arrival;
            st.departure = rows[k].departure;
            st.rules = rows[k].rules;
            st.timed = timed[k] != 0;
            m_feed.stop_times.push_back(st);
        }
    }

    void read_frequencies() {
        auto f = open("frequencies.txt", false);
        if (!f) return;
        const int trip = f->require("trip_id"), start = f->require("start_time"),
                  end = f->require("end_time"), headway = f->require("headway_secs"),
                  exact = f->column("exact_times");
        while (f->next()) {
            GtfsFrequency q;
            q.trip = resolve(*f, trip, m_trips, "trips.txt", "trip");
            q.start = read_time(*f, start);
            q.end = read_time(*f, end);
            q.headway =
                static_cast<Time>(read_count(*f, headway, std::nullopt, 86400 * 7,
                                             "a headway in seconds (a whole number above 0)"));
            if (q.headway == 0)
                f->fail(headway, "'0' is not a headway: vehicles must be at least a second apart");
            if (q.end <= q.start)
                f->fail(end, format_gtfs_time(q.end) + " is not after the start_time " +
                                 format_gtfs_time(q.start) + ": a frequency needs a time span");
            q.exact_times =
                read_code(*f, exact, 0, 1, "0 (frequency based) or 1 (exact times)") == 1;
            if (m_feed.trips[q.trip].time_count == 0)
                f->fail(trip, "trip " + in_quotes(m_feed.trips[q.trip].id) +
                                  " has no stop times: a frequency repeats a trip's stop times");
            m_feed.frequencies.push_back(q);
        }
    }

    void date_range() {
        for (const GtfsService& s : m_feed.services) {
            auto extend = [&](Date d) {
                if (!m_feed.first_date || d < *m_feed.first_date) m_feed.first_date = d;
                if (!m_feed.last_date || d > *m_feed.last_date) m_feed.last_date = d;
            };
            if (s.has_calendar) {
                for (Date d = s.start; d <= s.end; d += std::chrono::days{1}) {
                    if (s.runs_on(d)) {
                        extend(d);
                        break;
                    }
                }
                for (Date d = s.end; d >= s.start; d -= std::chrono::days{1}) {
                    if (s.runs_on(d)) {
                        extend(d);
                        break;
                    }
                }
            }
            for (const auto& e : s.exceptions)
                if (e.second) extend(e.first);
        }
    }

    FeedLocation m_at;
    GtfsFeed& m_feed;
    IdIndex m_stops;
    IdIndex m_routes;
    IdIndex m_trips;
    IdIndex m_shapes;
    std::unordered_map<std::string, std::uint32_t> m_service_of;
    std::vector<std::size_t> m_trip_lines;
    std::string m_trips_file;
};

}  // namespace

GtfsFeed read_gtfs(const std::string& path, const GtfsReadOptions& options) {
    detail::GdalMessages quiet;  // library code never prints: GDAL's complaints come here
    GtfsFeed feed;
    feed.path = path;
    feed.name = options.name.empty() ? std::filesystem::path(path).stem().string() : options.name;
    Reader reader(locate(path), feed);
    reader.read();
    return feed;
}

// ---------------------------------------------------------------------------------------------
// The schedule of a window
// ---------------------------------------------------------------------------------------------

TransitSchedule build_schedule(std::span<const GtfsFeed> feeds, const ServiceWindow& window) {
    constexpr Time day = 86400;
    auto floor_day = [](Time t) {
        return static_cast<int>(t >= 0 ? t / day : -((-t + day - 1) / day));
    };
    for (std::size_t i = 0; i < feeds.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (feeds[i].name == feeds[j].name)
                throw InputError("two feeds are named '" + feeds[i].name + "' (the other is " +
                                 feeds[j].path + "): give them different names")
                    .set_file(feeds[i].path);
            const std::string a = feeds[i].timezone(), b = feeds[j].timezone();
            if (!a.empty() && !b.empty() && a != b)
                throw InputError("its agencies keep time in " + a + " but feed '" + feeds[j].name +
                                 "' in " + b +
                                 ": times of feeds in different time zones cannot be combined; "
                                 "route them separately")
                    .set_file(feeds[i].path);
        }
    }
    const int first_day = floor_day(window.from);
    const int last_day = floor_day(std::max(window.from, window.to - 1));

    struct Kept {
        std::uint32_t feed;
        std::uint32_t trip;
        Time shift;
        bool frequency;
    };
    std::vector<Kept> kept;
    TransitSchedule out;
    for (std::uint32_t fi = 0; fi < feeds.size(); ++fi) {
        const GtfsFeed& feed = feeds[fi];
        FeedUse use;
        use.name = feed.name;
        // Does any service run on a day of the window?
        std::vector<std::uint8_t> on_window_day(feed.services.size(), 0);
        bool runs = false;
        for (int d = first_day; d <= last_day; ++d) {
            for (std::size_t s = 0; s < feed.services.size(); ++s) {
                if (feed.services[s].runs_on(window.date + std::chrono::days{d})) {
                    on_window_day[s] = 1;
                    runs = true;
                }
            }
        }
        if (!runs) {
            std::string days =
                format_date(window.date + std::chrono::days{first_day}) + " (" +
                std::string(weekday_name(window.date + std::chrono::days{first_day})) + ")";
            if (last_day > first_day)
                days = "any day from " + days + " to " +
                       format_date(window.date + std::chrono::days{last_day});
            std::string range =
                feed.first_date
                    ? "its services run from " + format_date(*feed.first_date) + " to " +
                          format_date(*feed.last_date) + "; choose a departure date in that range"
                    : "its calendar.txt and calendar_dates.txt give no day at all: add them";
            throw InputError("no service of this feed runs on " + days + ": " + range)
                .set_file(feed.path);
        }
        use.services =
            static_cast<std::size_t>(std::count(on_window_day.begin(), on_window_day.end(), 1));

        // Trips of the days whose times can reach into the window.
        Time latest = 0;
        for (const GtfsStopTime& st : feed.stop_times) latest = std::max(latest, st.arrival);
        for (const GtfsFrequency& q : feed.frequencies) {
            const auto times = feed.times(q.trip);
            latest = std::max(latest, q.end + times.back().arrival - times.front().departure);
        }
        const int from_day = floor_day(window.from - latest);
        const int to_day = floor_day(window.to);
        std::vector<std::uint8_t> has_frequency(feed.trips.size(), 0);
        for (const GtfsFrequency& q : feed.frequencies) has_frequency[q.trip] = 1;
        for (int d = from_day; d <= to_day; ++d) {
            const Date date = window.date + std::chrono::days{d};
            std::vector<std::uint8_t> active(feed.services.size(), 0);
            for (std::size_t s = 0; s < feed.services.size(); ++s)
                active[s] = feed.services[s].runs_on(date);
            const Time shift = d * day;
            auto keep = [&](std::uint32_t t, Time extra, bool frequency) {
                const auto times = feed.times(t);
                const Time first = times.front().departure + shift + extra;
                const Time last = times.back().arrival + shift + extra;
                if (first <= window.to && last >= window.from) {
                    kept.push_back({fi, t, shift + extra, frequency});
                    ++use.trips;
                    if (frequency) ++use.frequency_trips;
                }
            };
            for (std::uint32_t t = 0; t < feed.trips.size(); ++t) {
                if (feed.trips[t].time_count == 0 || !active[feed.trips[t].service] ||
                    has_frequency[t])
                    continue;
                keep(t, 0, false);
            }
            for (const GtfsFrequency& q : feed.frequencies) {
                if (!active[feed.trips[q.trip].service]) continue;
                const Time template_start = feed.times(q.trip).front().departure;
                for (Time start = q.start; start < q.end; start += q.headway)
                    keep(q.trip, start - template_start, true);
            }
        }
        if (use.trips == 0)
            out.notes.push_back(feed.name + ": no trip runs between " +
                                format_gtfs_time(window.from) + " and " +
                                format_gtfs_time(window.to) + " on " + format_date(window.date));
        out.feeds.push_back(use);
    }

    // Timetable stops: those a kept trip serves, in feed order.
    std::vector<std::vector<std::uint8_t>> used(feeds.size());
    for (std::size_t fi = 0; fi < feeds.size(); ++fi) used[fi].assign(feeds[fi].stops.size(), 0);
    for (const Kept& k : kept)
        for (const GtfsStopTime& st : feeds[k.feed].times(k.trip)) used[k.feed][st.stop] = 1;
    std::vector<std::vector<transit::StopId>> stop_index(feeds.size());
    for (std::size_t fi = 0; fi < feeds.size(); ++fi) {
        stop_index[fi].assign(feeds[fi].stops.size(), std::numeric_limits<transit::StopId>::max());
        for (std::size_t s = 0; s < feeds[fi].stops.size(); ++s) {
            if (!used[fi][s]) continue;
            stop_index[fi][s] = static_cast<transit::StopId>(out.stop_ids.size());
            const GtfsStop& stop = feeds[fi].stops[s];
            out.stop_ids.push_back(feeds[fi].name + ":" + stop.id);
            out.stop_names.push_back(stop.name);
            out.stop_lonlat.push_back({stop.lon, stop.lat});
        }
    }
    std::vector<std::uint32_t> route_offset(feeds.size() + 1, 0);
    for (std::size_t fi = 0; fi < feeds.size(); ++fi)
        route_offset[fi + 1] =
            route_offset[fi] + static_cast<std::uint32_t>(feeds[fi].routes.size());
    std::vector<transit::StopId> stops;
    std::vector<Time> arrival, departure;
    std::vector<std::uint8_t> rules;
    for (const Kept& k : kept) {
        const GtfsFeed& feed = feeds[k.feed];
        stops.clear();
        arrival.clear();
        departure.clear();
        rules.clear();
        for (const GtfsStopTime& st : feed.times(k.trip)) {
            stops.push_back(stop_index[k.feed][st.stop]);
            arrival.push_back(st.arrival + k.shift);
            departure.push_back(st.departure + k.shift);
            rules.push_back(st.rules);
        }
        out.trips.add(route_offset[k.feed] + feed.trips[k.trip].route, stops, arrival, departure,
                      rules);
    }
    out.timetable = transit::build_timetable(out.trips, out.stop_ids.size());
    return out;
}

}  // namespace lifecircle::io
