#include "studies/standard.hpp"

#include <cstdio>
#include <sstream>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "studies/transit.hpp"

namespace lifecircle::studies {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

planners::Standard StudyStandard::limits() const {
    planners::Standard s;
    s.max_seconds = max_seconds();
    if (metres) s.max_meters = *metres;
    return s;
}

std::string StudyStandard::describe() const {
    std::string out;
    if (minutes) out = number(*minutes) + " min";
    if (metres) {
        if (!out.empty()) out += " and ";
        out += number(*metres) + " m";
    }
    out += ' ';
    if (transit) {
        out += transit_words(*transit);
        out += ", walking";
    } else {
        out += mode_name(mode);
    }
    if (mode == Mode::walk) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " (%.1f km/h)", walk_speed_kmh);
        out += buf;
    }
    return out;
}

std::string StudyStandard::mode_label() const {
    return transit ? "transit" : std::string(mode_name(mode));
}

nlohmann::ordered_json StudyStandard::transit_json() const {
    if (!transit) return nullptr;
    const TransitSpec& t = transit->spec;
    return {{"gtfs", t.gtfs},
            {"departure", t.departure},
            {"window_minutes", t.window_minutes},
            {"departures", transit->router.departures.count},
            {"percentiles", t.percentiles},
            {"percentile", t.percentile},
            {"max_walk_minutes", transit->router.max_walk_seconds / 60.0},
            {"max_transfer_m", t.max_transfer_m},
            {"max_rides", t.max_rides},
            {"stops_unsnapped", transit->unsnapped_stops}};
}

std::string StudyStandard::direction_name() const {
    return direction == Direction::backward ? "to-facility" : "from-facility";
}

nlohmann::ordered_json standard_json(const ServiceStandard& s) {
    const auto opt = [](const std::optional<double>& v) { return v ? nlohmann::ordered_json(*v) : nullptr; };
    nlohmann::ordered_json j;
    j["name"] = s.name;
    j["title_en"] = s.title_en;
    j["title_zh"] = s.title_zh;
    j["kinds"] = s.kinds;
    j["demand"] = std::string(demand_group_name(s.demand));
    j["mode"] = std::string(mode_name(s.mode));
    j["minutes"] = opt(s.minutes);
    j["metres"] = opt(s.metres);
    j["metres_min"] = opt(s.metres_min);
    j["walk_speed_kmh"] = opt(s.walk_speed_kmh);
    j["target_share"] = opt(s.target_share);
    j["target_nature"] = s.target_nature.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.target_nature);
    j["advisory"] = s.advisory;
    j["slope"] = s.slope ? nlohmann::ordered_json(std::string(slope_model_name(*s.slope))) : nullptr;
    j["verified"] = s.verified;
    j["note"] = s.note;
    j["source"] = {{"document", s.source.document}, {"section", s.source.section}, {"year", s.source.year},
                   {"short", s.source.short_name},  {"quote", s.source.quote},     {"url", s.source.url}};
    return j;
}

Direction parse_direction(const std::string& text, const std::string& option) {
    if (text == "to-facility") return Direction::backward;
    if (text == "from-facility") return Direction::forward;
    throw UsageError(option + " must be to-facility or from-facility, not '" + text + "'");
}

StudyStandard resolve_standard(const StandardChoice& c) {
    const auto opt = [&](const std::string& name) {
        if (!c.command_line) return name;
        std::string o = "--" + name;
        for (char& ch : o)
            if (ch == '_') ch = '-';
        return o;
    };
    StudyStandard s;
    if (!c.name.empty()) {
        const std::vector<ServiceStandard> catalogue = standards_catalogue(c.standards_file);
        const ServiceStandard& st = find_standard(catalogue, c.name);
        s.name = st.name;
        s.title_en = st.title_en;
        s.title_zh = st.title_zh;
        s.source = st.source.short_name;
        s.verified = st.verified;
        s.mode = st.mode;
        s.minutes = st.minutes;
        s.metres = st.metres;
        if (st.walk_speed_kmh) s.walk_speed_kmh = *st.walk_speed_kmh;
        if (st.slope) s.slope = *st.slope;
        if (st.target_share) {
            s.target_share = st.target_share;
            s.target_source = st.source.short_name;
            s.target_nature = st.target_nature;
        }
        s.advisory = st.advisory;
        s.catalogue_limits = s.describe();
    }
    const bool catalogue = !s.name.empty();
    const auto changed = [&](const std::string& what, const std::string& from, const std::string& to) {
        if (catalogue && from != to) s.overrides.push_back(what + " " + from + " → " + to);
    };
    if (c.minutes) {
        check_option(Quantity::minutes, *c.minutes, opt("minutes"));
        changed("minutes", s.minutes ? number(*s.minutes) : "none", number(*c.minutes));
        s.minutes = c.minutes;
    }
    if (c.metres) {
        check_option(Quantity::metres, *c.metres, opt(c.command_line ? "max_meters" : "meters"));
        changed("metres", s.metres ? number(*s.metres) : "none", number(*c.metres));
        s.metres = c.metres;
    }
    if (c.mode) {
        changed("mode", std::string(mode_name(s.mode)), std::string(mode_name(*c.mode)));
        s.mode = *c.mode;
    }
    if (c.walk_speed_kmh) {
        check_option(Quantity::walk_speed_kmh, *c.walk_speed_kmh, opt(c.command_line ? "walk_speed" : "walk_speed_kmh"));
        changed("walking speed (km/h)", number(s.walk_speed_kmh), number(*c.walk_speed_kmh));
        s.walk_speed_kmh = *c.walk_speed_kmh;
    }
    if (c.direction) s.direction = *c.direction;
    if (c.slope) {
        changed("slope", std::string(slope_model_name(s.slope)), std::string(slope_model_name(*c.slope)));
        s.slope = *c.slope;
    }
    if (c.target_share) {
        check_option(Quantity::share, *c.target_share, opt("target_share"));
        s.target_share = c.target_share;
        s.target_source = "set by the user";
        s.target_nature = "scenario";
    }
    if (!s.minutes && !s.metres) {
        std::string why = "the standard needs a limit: ";  // (appended: GCC 12's -Wrestrict false positive)
        why += opt("minutes");
        why += " and/or ";
        why += opt(c.command_line ? "max_meters" : "meters");
        why += ", or a catalogue entry (";
        why += c.command_line ? "--standard" : "standard";
        why += "; see lifecircle standards)";
        throw UsageError(why);
    }
    return s;
}

namespace {

std::string number_text(const std::optional<double>& v) {
    if (!v) return "-";
    std::ostringstream out;
    out << *v;  // default formatting: 15, 1000, 0.9
    return out.str();
}

std::string kinds_text(const ServiceStandard& s) {
    if (s.kinds.empty()) return "any";
    std::string out;
    for (const std::string& k : s.kinds) out += (out.empty() ? "" : ",") + k;
    return out;
}

std::string metres_text(const ServiceStandard& s) {
    if (s.metres_min) return number_text(s.metres_min) + "-" + number_text(s.metres);
    return number_text(s.metres);
}

}  // namespace

std::vector<std::string> standard_row(const ServiceStandard& s) {
    return {s.name, kinds_text(s), std::string(demand_group_name(s.demand)), number_text(s.minutes), metres_text(s),
            std::string(mode_name(s.mode)), s.verified ? "yes" : "no", s.source.short_name};
}

}  // namespace lifecircle::studies
