#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "core/layer.hpp"
#include "core/wkb.hpp"
#include "maps/report.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::FieldType;
using lifecircle::GeometryKind;
using lifecircle::Layer;
using lifecircle::Point;
using lifecircle::Value;
using namespace lifecircle::maps;

namespace {

using Ring = std::vector<Point>;

Ring box_ring(double x0, double y0, double x1, double y1) {
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}};
}

/**
 * A made-up district, 10 km × 5 km in a metric work CRS:
 *
 *     y=5000 +----+----+----+----+----+   blocks: 5 × 2, graduated by covered_pct
 *            | 40 | 65 | 80 | 95 |100 |   service area: (1000,500)-(7000,4500) with a
 *     y=2500 +----+--[hole]---+----+----+   hole (3000,2000)-(4500,3000) (a rail yard)
 *            | 55 | 75 | 90 | 30 | 60 |   roads: y=1250, y=3750 and x=2000..8000
 *          0 +----+----+----+----+----+   facilities: 3 circles, suggested sites: 2 stars
 *            0                        10000
 */
struct Sample {
    Layer blocks, service_area, roads, facilities, sites;
    Report report;

    Sample() {
        blocks.name = "blocks";
        blocks.kind = GeometryKind::polygon;
        blocks.fields = {{"name", FieldType::string}, {"covered_pct", FieldType::real}};
        const double pct[2][5] = {{55, 75, 90, 30, 60}, {40, 65, 80, 95, 100}};
        for (int row = 0; row < 2; ++row) {
            for (int col = 0; col < 5; ++col) {
                const std::vector<std::vector<Ring>> poly{
                    {box_ring(col * 2000, row * 2500, (col + 1) * 2000, (row + 1) * 2500)}};
                blocks.features.push_back(
                    {lifecircle::wkb_multipolygon(poly),
                     {Value{"社区 " + std::to_string(row * 5 + col + 1)}, Value{pct[row][col]}}});
            }
        }
        // One block without a value: drawn in the fallback fill.
        blocks.features.back().values[1] = std::monostate{};

        service_area.name = "service_area";
        const std::vector<std::vector<Ring>> sa{
            {box_ring(1000, 500, 7000, 4500), box_ring(3000, 2000, 4500, 3000)}};
        service_area.features.push_back({lifecircle::wkb_multipolygon(sa), {}});

        roads.name = "roads";
        roads.kind = GeometryKind::line;
        const std::vector<Ring> lines{{{0, 1250}, {10000, 1250}},
                                      {{0, 3750}, {5000, 3900}, {10000, 3750}},
                                      {{2000, 0}, {2000, 5000}},
                                      {{8000, 0}, {8000, 5000}}};
        roads.features.push_back({lifecircle::wkb_multilinestring(lines), {}});

        facilities.name = "facilities";
        facilities.kind = GeometryKind::point;
        facilities.fields = {{"name", FieldType::string}};
        for (const Point p : {Point{2000, 1250}, Point{4200, 3800}, Point{8000, 3750}}) {
            facilities.features.push_back({lifecircle::wkb_point(p), {Value{"社区卫生服务中心"}}});
        }
        sites.name = "suggested_sites";
        sites.kind = GeometryKind::point;
        for (const Point p : {Point{9000, 1250}, Point{1000, 4200}}) {
            sites.features.push_back({lifecircle::wkb_point(p), {}});
        }

        SvgStyle graduated;
        graduated.fill = "#dddddd";
        graduated.stroke = "#ffffff";
        graduated.fill_opacity = 0.85;
        graduated.field = "covered_pct";
        graduated.breaks = {50, 70, 85, 100};
        graduated.colours = {"#d73027", "#fc8d59", "#91cf60", "#1a9850"};
        SvgStyle area;
        area.fill = "#4575b4";
        area.fill_opacity = 0.25;
        area.stroke = "#313695";
        area.stroke_width = 2;
        SvgStyle road;
        road.stroke = "#555555";
        road.stroke_width = 2.5;
        SvgStyle facility;
        facility.fill = "#ffffff";
        facility.fill_opacity = 1;
        facility.stroke = "#b2182b";
        facility.stroke_width = 2;
        facility.point_radius = 5;
        SvgStyle site;
        site.fill = "#ffd700";
        site.fill_opacity = 1;
        site.stroke = "#222222";
        site.point_radius = 7;
        site.point_shape = "star";

        ReportMap coverage{"15 分钟生活圈覆盖 (15-minute coverage)",
                           {{&blocks, graduated, "覆盖率 Covered share (%)"},
                            {&service_area, area, "15 分钟服务区 Service area"},
                            {&roads, road, "道路 Roads"},
                            {&facilities, facility, "社区卫生服务中心"},
                            {&sites, site, "建议新址 Suggested sites"}},
                           "Walking, 15 min. Grey: no residents."};
        ReportMap network{
            "路网与设施 Roads & facilities",
            {{&roads, road, "道路 Roads"}, {&facilities, facility, "社区卫生服务中心"}},
            ""};
        ReportTable table{"设施一览 Facilities",
                          {"设施 Facility", "Capacity", "Covered <share>"},
                          {{"社区卫生服务中心 A&B", "1,200", "85.0%"},
                           {"\"Quoted\" & 'single' <b>bold</b>", "300", "42.5%"},
                           {"短行 short row"}},
                          "Source: OpenStreetMap contributors & 2026 census <estimate>."};
        report.title = "某区 15 分钟社区生活圈评估 — Lifecircle plan";
        report.subtitle = "社区卫生服务中心 · walking 15 min · sample data";
        report.sections = {
            {"概况 Overview",
             "Ten blocks, three facilities and two suggested sites.\nSecond line.\n\n"
             "A new paragraph with <angle> & ampersand.",
             {coverage},
             {}},
            {"设施 Facilities", "", {network}, {table}},
        };
        report.footer =
            "© OpenStreetMap contributors, ODbL 1.0.\nParameters: walk 4.5 km/h, 15 min.";
    }
    Sample(const Sample&) = delete;
    Sample& operator=(const Sample&) = delete;
};

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
    return n;
}

/** The markup of the `<g>` of layer `name` (the first map it appears in). */
std::string layer_group(const std::string& html, const std::string& name) {
    const std::size_t start = html.find("data-layer=\"" + name + "\"");
    REQUIRE(start != std::string::npos);
    const std::size_t end = html.find("</g>", start);
    REQUIRE(end != std::string::npos);
    return html.substr(start, end - start);
}

/** All numbers of attribute `name` ("d" gives x y pairs flattened). */
std::vector<double> attribute_numbers(const std::string& markup, const std::string& name) {
    std::vector<double> out;
    const std::regex re("[ ]" + name + "=\"([^\"]*)\"");
    const std::regex num("-?[0-9]+(\\.[0-9]+)?");
    for (auto it = std::sregex_iterator(markup.begin(), markup.end(), re);
         it != std::sregex_iterator(); ++it) {
        const std::string v = (*it)[1];
        for (auto n = std::sregex_iterator(v.begin(), v.end(), num); n != std::sregex_iterator();
             ++n) {
            out.push_back(std::stod((*n)[0]));
        }
    }
    return out;
}

int run(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("report_html is deterministic, offline and escaped", "[report]") {
    const Sample sample;
    const std::string html = report_html(sample.report);
    CHECK(html == report_html(sample.report));

    CHECK(html.rfind("<!DOCTYPE html>\n", 0) == 0);
    CHECK(html.find("<meta charset=\"utf-8\"/>") != std::string::npos);
    CHECK(html.find("\"Noto Sans CJK SC\"") != std::string::npos);
    // Nothing to fetch: no addresses at all, no scripts, imports or url() references other than
    // the frames' clip paths inside the page.
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(count(html, "url(") == count(html, "url(#frame-"));
    CHECK(count(html, "url(#frame-") == 2);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);

    // One svg per map, each an image labelled with its title, each with a caption.
    CHECK(count(html, "<svg") == 2);
    CHECK(count(html, "role=\"img\"") == 2);
    CHECK(count(html, "<figcaption>") == 2);
    CHECK(html.find("aria-label=\"路网与设施 Roads &amp; facilities\"") != std::string::npos);

    // Chinese verbatim (UTF-8 bytes, not entities).
    CHECK(html.find("<h1>某区 15 分钟社区生活圈评估 — Lifecircle plan</h1>") != std::string::npos);
    CHECK(html.find("<td>社区卫生服务中心 A&amp;B</td>") != std::string::npos);
    CHECK(html.find("\xE7\xA4\xBE\xE5\x8C\xBA\xE5\x8D\xAB\xE7\x94\x9F") != std::string::npos);

    // Escaping in cells, headers, text and notes.
    CHECK(html.find("<td>&quot;Quoted&quot; &amp; &apos;single&apos; &lt;b&gt;bold&lt;/b&gt;</td>") !=
          std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("<th>Covered &lt;share&gt;</th>") != std::string::npos);
    CHECK(html.find("A new paragraph with &lt;angle&gt; &amp; ampersand.") != std::string::npos);
    CHECK(html.find("census &lt;estimate&gt;.</p>") != std::string::npos);
    CHECK(html.find("three facilities and two suggested sites.<br/>Second line.</p>") !=
          std::string::npos);
    // The short row is padded to three cells; numbers are right-aligned.
    CHECK(html.find("<tr><td>短行 short row</td><td></td><td></td></tr>") != std::string::npos);
    CHECK(html.find("<td class=\"num\">1,200</td><td class=\"num\">85.0%</td>") !=
          std::string::npos);
}

TEST_CASE("report maps: holes, extents, scale bar and legend", "[report]") {
    const Sample sample;
    const std::string html = report_html(sample.report);

    // The service area with a hole is one even-odd path with two subpaths.
    const std::string area = layer_group(html, "service_area");
    CHECK(count(area, "<path") == 1);
    CHECK(count(area, "fill-rule=\"evenodd\"") == 1);
    CHECK(count(area, "M") == 2);
    CHECK(count(area, "Z") == 2);

    // Ten blocks (graduated), one road path, three circles, two stars.
    CHECK(count(layer_group(html, "blocks"), "<path") == 10);
    CHECK(count(layer_group(html, "roads"), "<path") == 1);
    CHECK(count(layer_group(html, "facilities"), "<circle") == 3);
    CHECK(count(layer_group(html, "suggested_sites"), "<path") == 2);
    // Graduated: 30 and 40 are red, 100 is green, the NULL block is the fallback grey.
    const std::string blocks = layer_group(html, "blocks");
    CHECK(count(blocks, "fill=\"#d73027\"") == 2);  // 30 and 40
    CHECK(count(blocks, "fill=\"#fc8d59\"") == 3);  // 55, 60, 65
    CHECK(count(blocks, "fill=\"#1a9850\"") == 2);  // 90, 95 (100 is the NULL block)
    CHECK(count(blocks, "fill=\"#dddddd\"") == 1);

    // Every drawn coordinate lies in the 800 × 560 frame at (20, 20), so inside the viewBox.
    for (const char* name : {"blocks", "service_area", "roads", "facilities", "suggested_sites"}) {
        const std::string g = layer_group(html, name);
        const std::vector<double> d = attribute_numbers(g, "d");
        for (std::size_t i = 0; i + 1 < d.size(); i += 2) {
            CHECK(d[i] >= 20 - 20);
            CHECK(d[i] <= 820 + 20);
            CHECK(d[i + 1] >= 20 - 20);
            CHECK(d[i + 1] <= 580 + 20);
        }
        for (double x : attribute_numbers(g, "cx")) CHECK((x >= 20 && x <= 820));
        for (double y : attribute_numbers(g, "cy")) CHECK((y >= 20 && y <= 580));
    }
    // The whole 10 km × 5 km district, padded 5 % of 10 km (500 m) on every side, is 11 km ×
    // 6 km; the frame scale is min(800/11000, 560/6000) = 0.0727 px/m, so the frame shows 11 km
    // across; a fifth is 2.2 km, and the largest 1-2-5 length not above it is 2 km (145.5 px).
    CHECK(html.find("class=\"scale-label\" x=\"181.5\" y=\"557\" font-size=\"12\" "
                    "text-anchor=\"middle\" fill=\"#222222\">2 km</text>") != std::string::npos);
    // The district is 10 km wide, 800 px for 11 km: x = 20 + 500 · 800/11000 = 56.4 for x = 0.
    CHECK(blocks.find("d=\"M56.4 ") != std::string::npos);

    // Legend: one row per class of the graduated layer, one per single-symbol layer.
    CHECK(html.find(">≤ 50</text>") != std::string::npos);
    CHECK(html.find(">50 – 70</text>") != std::string::npos);
    CHECK(html.find(">85 – 100</text>") != std::string::npos);
    CHECK(html.find(">建议新址 Suggested sites</text>") != std::string::npos);
    CHECK(count(html, "class=\"north-arrow\"") == 2);
    CHECK(count(html, "class=\"scale-bar\"") == 2);
}

TEST_CASE("report maps: a small extent gets a scale bar in metres", "[report]") {
    // 900 m × 300 m, padded 45 m: 990 m × 390 m; scale min(800/990, 560/390) = 0.808 px/m, so
    // the frame shows 990 m across; a fifth is 198 m, rounded down to 100 m.
    Layer park;
    park.name = "park";
    const std::vector<std::vector<Ring>> poly{{box_ring(500000, 3000000, 500900, 3000300)}};
    park.features.push_back({lifecircle::wkb_multipolygon(poly), {}});
    park.features.push_back({{}, {}});  // no geometry: ignored
    Report r;
    r.title = "t";
    r.sections.push_back({"s", "", {{"公园 Park", {{&park, {}, "Park"}}, ""}}, {}});
    const std::string html = report_html(r);
    CHECK(html.find(">100 m</text>") != std::string::npos);
    CHECK(html.find("viewBox=\"0 0 1100 600\"") != std::string::npos);

    // A legend label too long for the 260 px panel widens the picture rather than being cut:
    // 30 CJK characters at 13 px are estimated at 390 px, from x = 840 + 26: 1256 + 10 margin.
    std::string long_label;
    for (int i = 0; i < 30; ++i) long_label += "园";
    r.sections[0].maps[0].layers[0].legend = long_label;
    CHECK(report_html(r).find("viewBox=\"0 0 1266 600\"") != std::string::npos);

    // A map with nothing to draw still has its frame and says so.
    Layer empty;
    empty.name = "empty";
    r.sections[0].maps[0].layers = {{&empty, {}, "nothing"}};
    CHECK(report_html(r).find("No features") != std::string::npos);
}

TEST_CASE("report_html rejects bad styles and malformed geometry", "[report]") {
    Layer pts;
    pts.name = "pts";
    pts.kind = GeometryKind::point;
    pts.fields = {{"n", FieldType::integer}};
    pts.features.push_back({lifecircle::wkb_point({1, 2}), {Value{std::int64_t{3}}}});
    Report r;
    r.sections.push_back({"s", "", {{"m", {{&pts, {}, "x"}}, ""}}, {}});
    auto& style = r.sections[0].maps[0].layers[0].style;

    style.point_shape = "hexagon";
    CHECK_THROWS_WITH(report_html(r), Catch::Contains("unknown point shape 'hexagon'"));
    style.point_shape = "square";
    CHECK_NOTHROW(report_html(r));

    style.field = "n";
    style.breaks = {1, 2};
    style.colours = {"#000000"};
    CHECK_THROWS_WITH(report_html(r), Catch::Contains("one colour per break"));
    style.breaks = {2, 1};
    style.colours = {"#000000", "#111111"};
    CHECK_THROWS_WITH(report_html(r), Catch::Contains("strictly ascending"));
    style.field = "missing";
    style.breaks = {1, 2};
    CHECK_THROWS_WITH(report_html(r), Catch::Contains("has no field 'missing'"));
    style = {};

    pts.features[0].wkb.resize(10);
    CHECK_THROWS_WITH(report_html(r),
                      Catch::Contains("layer 'pts' feature 0: malformed WKB: truncated"));
    r.sections[0].maps[0].layers[0].layer = nullptr;
    CHECK_THROWS_AS(report_html(r), std::invalid_argument);
}

TEST_CASE("report_html reads big-endian and single-part WKB", "[report]") {
    // Big-endian Polygon with one ring (a triangle), as some writers produce it.
    std::vector<unsigned char> wkb{0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4};
    const auto put = [&wkb](double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        for (int i = 7; i >= 0; --i) wkb.push_back(static_cast<unsigned char>(bits >> (8 * i)));
    };
    for (const Point p : {Point{0, 0}, Point{100, 0}, Point{0, 100}, Point{0, 0}}) {
        put(p.x);
        put(p.y);
    }
    Layer tri;
    tri.name = "tri";
    tri.features.push_back({wkb, {}});
    Report r;
    r.sections.push_back({"s", "", {{"m", {{&tri, {}, ""}}, ""}}, {}});
    const std::string g = layer_group(report_html(r), "tri");
    CHECK(count(g, "<path") == 1);
    CHECK(count(g, "M") == 1);
}

TEST_CASE("report_html output is well-formed XML", "[report]") {
    const Sample sample;
    std::string html = report_html(sample.report);
    // Invalid UTF-8 and control characters are replaced or dropped, not passed through.
    Report bad;
    bad.title = std::string("bad \xFF byte \x01 here");
    const std::string bad_html = report_html(bad);
    CHECK(bad_html.find("<h1>bad \xEF\xBF\xBD byte  here</h1>") != std::string::npos);

    if (!std::filesystem::exists("/usr/bin/python3")) {
        WARN("/usr/bin/python3 missing: XML well-formedness not checked");
        return;
    }
    const lifecircle::test::TempDir dir("lifecircle_report");
    for (const auto& [name, text] : {std::pair{"sample.html", html}, {"bad.html", bad_html}}) {
        const std::string path = dir.write(name, text);
        INFO(path);
        CHECK(run("/usr/bin/python3 -c \"import xml.etree.ElementTree as E,sys; "
                  "E.parse(sys.argv[1])\" '" +
                  path + "'") == 0);
    }
}

TEST_CASE("report sample renders in headless Chromium", "[report]") {
    // Writes the sample to a fixed path (kept, to open by hand) and, when
    // LIFECIRCLE_CHECK_REPORT names tests/report/check_report.sh, loads it in headless Chromium.
    const Sample sample;
    const std::string path =
        (std::filesystem::temp_directory_path() / "lifecircle_report_sample.html").string();
    std::ofstream(path, std::ios::binary) << report_html(sample.report);
    REQUIRE(std::filesystem::file_size(path) > 0);
    const char* script = std::getenv("LIFECIRCLE_CHECK_REPORT");
    if (script == nullptr || *script == '\0') return;
    const int rc = run("bash '" + std::string(script) + "' '" + path + "'");
    if (rc == 77) {
        WARN("chromium not installed: browser check skipped");
        return;
    }
    CHECK(rc == 0);
}

// ---------------------------------------------------------------------------------------------
// A planning meeting's report (issue 18): framed on residents and facilities, labels, panels
// side by side with one legend, callouts, folded tables.

namespace {

Layer point_layer(const std::string& name, const std::vector<std::pair<Point, std::string>>& points) {
    Layer l;
    l.name = name;
    l.kind = GeometryKind::point;
    l.fields = {{"name", FieldType::string}};
    for (const auto& [p, label] : points) l.features.push_back({lifecircle::wkb_point(p), {Value{label}}});
    return l;
}

Layer line_layer(const std::string& name, const std::vector<std::pair<std::vector<Point>, std::string>>& lines) {
    Layer l;
    l.name = name;
    l.kind = GeometryKind::line;
    l.fields = {{"name", FieldType::string}};
    for (const auto& [line, label] : lines) {
        const std::vector<std::vector<Point>> parts{line};
        l.features.push_back({lifecircle::wkb_multilinestring(parts), {Value{label}}});
    }
    return l;
}

/** The numbers of every `cx`/`cy` pair in a group. */
std::vector<std::pair<double, double>> centres(const std::string& g) {
    const std::vector<double> x = attribute_numbers(g, "cx"), y = attribute_numbers(g, "cy");
    std::vector<std::pair<double, double>> out;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) out.emplace_back(x[i], y[i]);
    return out;
}

}  // namespace

TEST_CASE("report: a map is framed on its residents and facilities, not the whole network", "[report]") {
    // Residents in 1 km × 0.5 km of a 20 km road network; a facility beside them.
    const Layer roads = line_layer("roads", {{{{-10000, -8000}, {10000, 8000}}, "长安街"}, {{{0, 250}, {1000, 250}}, "建设路"}});
    const Layer residents = point_layer("residents", {{{0, 0}, ""}, {{1000, 0}, ""}, {{0, 500}, ""}, {{1000, 500}, ""}});
    const Layer facilities = point_layer("facilities", {{{500, 600}, "社区卫生服务中心"}});
    Report r;
    ReportMap m;
    m.title = "frame";
    m.layers.push_back({&roads, {"none", "#999999", 1, 1, 2, "circle", "", {}, {}}, "roads", false, "roads", "roads"});
    m.layers.push_back({&residents, {"#2c7fb8", "#ffffff", 1, 1, 3, "circle", "", {}, {}}, "residents", true, "residents"});
    SvgStyle fs{"#08306b", "#ffffff", 1, 1, 5, "circle", "", {}, {}};
    fs.label_field = "name";
    m.layers.push_back({&facilities, fs, "facility", true, "facilities"});
    r.sections.push_back({"s", "", {m}, {}});
    const std::string html = report_html(r);
    // The residents and the facility span the frame on its binding axis: 1000 m + 5 % a side.
    std::vector<std::pair<double, double>> drawn = centres(layer_group(html, "residents"));
    for (const auto& c : centres(layer_group(html, "facilities"))) drawn.push_back(c);
    REQUIRE(drawn.size() == 5);
    double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;
    for (const auto& [x, y] : drawn) {
        x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        CHECK((x >= 20 && x <= 820 && y >= 20 && y <= 580));
    }
    CHECK(std::max((x1 - x0) / 800.0, (y1 - y0) / 560.0) > 0.85);
    // The long road is clipped to the frame and named where it crosses it; the facility is labelled.
    CHECK(html.find("clip-path=\"url(#frame-1)\"") != std::string::npos);
    CHECK(html.find("<clipPath id=\"frame-1\"><rect x=\"20\" y=\"20\" width=\"800\" height=\"560\"/></clipPath>") !=
          std::string::npos);
    CHECK(count(html, "class=\"label\"") == 1);
    CHECK(html.find(">社区卫生服务中心</text>") != std::string::npos);
    // 1000 m across 800 px with 5 % padding: a 200 m scale bar.
    CHECK(html.find(">200 m</text>") != std::string::npos);
}

TEST_CASE("report: labels along lines and beside points never overlap, and stay in the frame", "[report]") {
    // Three facilities at one corner: their labels go right, left, above; roads named along them.
    const Layer facilities =
        point_layer("f", {{{400, 300}, "甲医院"}, {{400, 300}, "乙医院"}, {{400, 300}, "丙医院"}, {{400, 300}, "丁医院"},
                          {{400, 300}, "戊医院"}, {{2000, 1000}, "Clínica do Bonfim"}, {{0, 0}, ""}});
    const Layer roads = line_layer("r", {{{{0, 500}, {700, 500}, {2000, 520}}, "滨河路"}, {{{1600, 0}, {1600, 1000}}, "中心大街"},
                                        {{{1200, 700}, {1200, 740}}, "短路"}});
    Report r;
    ReportMap m;
    m.title = "labels";
    SvgStyle ls{"none", "#555555", 2, 1, 2, "circle", "", {}, {}};
    ls.label_field = "name";
    m.layers.push_back({&roads, ls, "roads"});
    SvgStyle fs{"#08306b", "#ffffff", 1, 1, 5, "circle", "", {}, {}};
    fs.label_field = "name";
    m.layers.push_back({&facilities, fs, "facility"});
    r.sections.push_back({"s", "", {m}, {}});
    const std::string html = report_html(r);
    const std::size_t at = html.find("<g class=\"labels\">");
    const std::string labels = html.substr(at, html.find("</g>", at) - at);
    INFO(labels);
    // Four places around the shared point, then no room: the fifth is left out. Both long roads
    // are named along their longest stretch (the vertical one turned a quarter); the 40 m road
    // is too short to carry its name.
    CHECK(count(labels, "医院</text>") == 4);
    CHECK(labels.find(">Clínica do Bonfim</text>") != std::string::npos);
    CHECK(labels.find(">滨河路</text>") != std::string::npos);
    CHECK(std::regex_search(labels, std::regex("transform=\"rotate\\((-90|90)(\\.0)? [0-9.]+ [0-9.]+\\)\">中心大街</text>")));
    CHECK(labels.find(">短路</text>") == std::string::npos);
    for (double x : attribute_numbers(labels, "x")) CHECK((x >= 20 && x <= 820));
    for (double y : attribute_numbers(labels, "y")) CHECK((y >= 20 && y <= 580));
    // A label field the layer lacks is an error naming both.
    m.layers.back().style.label_field = "title";
    r.sections = {{"s", "", {m}, {}}};
    CHECK_THROWS_WITH(report_html(r), "report: layer 'f' has no field 'title' to label with");
}

TEST_CASE("report: one name is written once where a facility is mapped twice, and again far away", "[report]") {
    // Two points of one kindergarten 50 m apart (an OSM node and its building), the same name
    // again across the map, and a neighbour with its own name.
    const Layer facilities = point_layer("f", {{{700, 500}, "São Vicente de Paulo"},
                                               {{700, 560}, "São Vicente de Paulo"},
                                               {{700, 200}, "Infantário Pica-Pau"},
                                               {{1900, 900}, "São Vicente de Paulo"}});
    Report r;
    ReportMap m;
    m.title = "names";
    SvgStyle fs{"#08306b", "#ffffff", 1, 1, 5, "circle", "", {}, {}};
    fs.label_field = "name";
    m.layers.push_back({&facilities, fs, "facility"});
    r.sections.push_back({"s", "", {m}, {}});
    const std::string html = report_html(r);
    const std::size_t at = html.find("<g class=\"labels\">");
    const std::string labels = html.substr(at, html.find("</g>", at) - at);
    INFO(labels);
    CHECK(count(labels, ">São Vicente de Paulo</text>") == 2);
    CHECK(count(labels, ">Infantário Pica-Pau</text>") == 1);
}

TEST_CASE("report: variants side by side share one frame and one legend, callouts, folded tables, language",
          "[report]") {
    const Layer today = point_layer("residents", {{{0, 0}, ""}, {{1000, 800}, ""}});
    const Layer after = point_layer("residents", {{{0, 0}, ""}, {{2000, 800}, ""}});
    Layer gaps;
    gaps.name = "gaps";
    gaps.kind = GeometryKind::polygon;
    gaps.fields = {{"uncovered", FieldType::real}};
    gaps.features.push_back({lifecircle::wkb_multipolygon(std::vector<std::vector<Ring>>{{box_ring(0, 0, 100, 100)}}), {Value{12.0}}});
    SvgStyle gs{"#cccccc", "none", 0, 0.7, 3, "circle", "uncovered", {5, 20}, {"#fcae91", "#de2d26"}};
    gs.class_labels = {"≤ 5 人 persons", "5 – 20 人 persons"};
    const SvgStyle dots{"#2c7fb8", "#ffffff", 1, 1, 3, "circle", "", {}, {}};
    ReportComparison cmp;
    cmp.title = "现状与方案 today and the options";
    cmp.maps.push_back({"现状 today", {{&gaps, gs, "盲区 gaps", false, "gaps", "clinics_gaps"}, {&today, dots, "居民 residents", true, "residents"}}, "74.1%"});
    cmp.maps.push_back({"方案A option A", {{&gaps, gs, "盲区 gaps", false, "gaps", "clinics_a_gaps"}, {&after, dots, "居民 residents", true, "residents"}}, "76.5%"});
    ReportSection sec{"服务 service", "text", {}, {}};
    sec.comparisons.push_back(cmp);
    sec.callouts.push_back({"verdict not-met", "达标判定 Verdict", "现状 today: 74.1% — 未达标 below the target"});
    ReportTable t{"其他人群 other groups", {"group", "share"}, {{"pop_60plus", "46.0%"}}, "", true};
    sec.tables.push_back(t);
    Report r;
    r.lang = "zh";
    r.sections.push_back(sec);
    const std::string html = report_html(r);
    CHECK(html.find("<html lang=\"zh\">") != std::string::npos);
    CHECK(count(html, "<div class=\"panel\">") == 2);
    CHECK(count(html, "class=\"map panel-map\"") == 2);
    // One frame for both: the second panel's wider residents decide it, so today's point at
    // (1000, 800) is not where the first panel alone would put it (at the frame's edge).
    const std::size_t second = html.find("<div class=\"panel\">", html.find("<div class=\"panel\">") + 1);
    const auto first_dots = centres(layer_group(html.substr(0, second), "residents"));
    const auto second_dots = centres(layer_group(html.substr(second), "residents"));
    REQUIRE(first_dots.size() == 2);
    REQUIRE(second_dots.size() == 2);
    CHECK(first_dots[0] == second_dots[0]);  // (0, 0) in the same place in both
    CHECK(first_dots[1].first < second_dots[1].first);
    // One legend under the panels, each layer once, the classes with their units and data for a
    // check against QGIS.
    CHECK(count(html, "<div class=\"legend\">") == 1);
    CHECK(count(html, "<span>盲区 gaps</span>") == 1);
    CHECK(html.find("<li class=\"legend-class\" data-layer=\"clinics_gaps\" data-field=\"uncovered\" data-upper=\"20\" "
                    "data-colour=\"#de2d26\">") != std::string::npos);
    CHECK(html.find("<span>5 – 20 人 persons</span>") != std::string::npos);
    CHECK(html.find("<div class=\"legend-title\">图例 Legend</div>") != std::string::npos);
    CHECK(html.find("<div class=\"callout verdict not-met\">") != std::string::npos);
    CHECK(html.find("<details class=\"table\">\n<summary>其他人群 other groups</summary>") != std::string::npos);
    CHECK(html.find("@page{size:A4 portrait") != std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);
    // Chinese first or English first.
    r.chinese_first = false;
    CHECK(report_html(r).find("<div class=\"legend-title\">Legend 图例</div>") != std::string::npos);
}
