#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "maps/qgis_project.hpp"
#include "maps/style.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::GeometryKind;
using lifecircle::maps::ProjectLayer;
using lifecircle::maps::qgis_layer_id;
using lifecircle::maps::qgis_project_xml;
using lifecircle::maps::QgisProject;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/** "生活圈 & <test> "q"": Chinese and every XML special character. */
const std::string tricky_title = "\xE7\x94\x9F\xE6\xB4\xBB\xE5\x9C\x88 & <test> \"q\" 'a'";

QgisProject sample_project() {
    QgisProject p;
    p.title = tricky_title;
    p.min_lon = 116.30;
    p.min_lat = 39.98;
    p.max_lon = 116.32;
    p.max_lat = 39.99;
    ProjectLayer clinics;
    clinics.layer_name = "clinics";
    clinics.title = "\xE8\xAF\x8A\xE6\x89\x80 <clinics>";  // 诊所
    clinics.kind = GeometryKind::point;
    clinics.qml = lifecircle::maps::categorized_qml(
        GeometryKind::point, "type",
        {{"clinic", "Clinic", 0, 90, 200}, {"hospital", "Hospital", 200, 0, 0}});
    clinics.group = "15-minute medical circle";
    ProjectLayer iso;
    iso.layer_name = "isochrones";
    iso.title = "Isochrones";
    iso.kind = GeometryKind::polygon;
    iso.qml = lifecircle::maps::graduated_qml(GeometryKind::polygon, "minutes", {5, 10, 15}, "min");
    iso.group = "15-minute medical circle";
    ProjectLayer roads;
    roads.layer_name = "roads & paths";
    roads.kind = GeometryKind::line;
    roads.visible = false;
    ProjectLayer table;
    table.layer_name = "summary";
    table.kind = GeometryKind::none;
    p.layers = {clinics, iso, roads, table};
    return p;
}

/** The <maplayer> element of the layer with id `id`. */
std::string maplayer_of(const std::string& xml, const std::string& id) {
    const std::size_t at = xml.find("<id>" + id + "</id>");
    if (at == std::string::npos) return {};
    const std::size_t start = xml.rfind("<maplayer ", at);
    const std::size_t end = xml.find("</maplayer>", at);
    return xml.substr(start, end - start);
}

/** Parses `xml` with Python's xml.etree; returns the exit code and the parsed title. */
int parse_with_python(const lifecircle::test::TempDir& dir, const std::string& xml,
                      std::string& title) {
    const std::string file = dir.write("project.qgs", xml);
    const std::string out = dir.file("title.txt");
    const std::string command =
        "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; r = "
        "E.parse(sys.argv[1]).getroot(); "
        "assert r.tag == 'qgis'; open(sys.argv[2], 'w', "
        "encoding='utf-8').write(r.find('title').text)\" '" +
        file + "' '" + out + "'";
    const int rc = std::system(command.c_str());
    title = read_file(out);
    return rc;
}

}  // namespace

TEST_CASE("QGIS project: well-formed, escaped and deterministic", "[qgs]") {
    const QgisProject project = sample_project();
    const std::string xml = qgis_project_xml(project);
    CHECK(xml == qgis_project_xml(project));

    lifecircle::test::TempDir dir("qgs");
    std::string title;
    REQUIRE(parse_with_python(dir, xml, title) == 0);
    CHECK(title == tricky_title);
    CHECK(xml.find("&amp; &lt;test&gt; &quot;q&quot;") != std::string::npos);
    CHECK(xml.find("\xE8\xAF\x8A\xE6\x89\x80 &lt;clinics&gt;") != std::string::npos);
    // Control characters XML cannot hold are dropped.
    QgisProject bell = project;
    bell.title = "a\x01" "b\x1F";
    CHECK(qgis_project_xml(bell).find("<title>ab</title>") != std::string::npos);
    // No timestamps or users.
    CHECK(xml.find("saveDateTime") == std::string::npos);
    CHECK(xml.find("<creation>") == std::string::npos);
}

TEST_CASE("QGIS project: relative datasources, ids, renderers", "[qgs]") {
    const QgisProject project = sample_project();
    const std::string xml = qgis_project_xml(project);
    CHECK(xml.find("<datasource>./lifecircle.gpkg|layername=clinics</datasource>") !=
          std::string::npos);
    CHECK(xml.find("<datasource>./lifecircle.gpkg|layername=roads &amp; paths</datasource>") !=
          std::string::npos);
    CHECK(xml.find("/tmp") == std::string::npos);
    CHECK(xml.find("<Absolute type=\"bool\">false</Absolute>") != std::string::npos);

    const std::string clinics_id = qgis_layer_id("clinics");
    CHECK(clinics_id.rfind("clinics_", 0) == 0);
    CHECK(clinics_id.size() == std::string("clinics_").size() + 8);
    CHECK(qgis_layer_id("roads & paths").rfind("roads___paths_", 0) == 0);

    const std::string clinics = maplayer_of(xml, clinics_id);
    REQUIRE_FALSE(clinics.empty());
    CHECK(clinics.find("geometry=\"Point\"") != std::string::npos);
    CHECK(clinics.find("<renderer-v2 type=\"categorizedSymbol\" attr=\"type\"") !=
          std::string::npos);
    CHECK(clinics.find("<provider encoding=\"UTF-8\">ogr</provider>") != std::string::npos);
    CHECK(clinics.find("<authid>EPSG:4326</authid>") != std::string::npos);

    const std::string iso = maplayer_of(xml, qgis_layer_id("isochrones"));
    CHECK(iso.find("<renderer-v2 type=\"graduatedSymbol\" attr=\"minutes\"") != std::string::npos);
    CHECK(iso.find("<layerOpacity>0.6</layerOpacity>") != std::string::npos);
    CHECK(iso.find("wkbType=\"MultiPolygon\"") != std::string::npos);
    CHECK(iso.find("layerGeometryType") == std::string::npos);

    const std::string roads = maplayer_of(xml, qgis_layer_id("roads & paths"));
    CHECK(roads.find("<renderer-v2 type=\"singleSymbol\"") != std::string::npos);
    CHECK(roads.find("<layername>roads &amp; paths</layername>") != std::string::npos);

    const std::string table = maplayer_of(xml, qgis_layer_id("summary"));
    CHECK(table.find("geometry=\"No geometry\"") != std::string::npos);
    CHECK(table.find("renderer-v2") == std::string::npos);

    // The project CRS and the initial view.
    const std::size_t crs = xml.find("<projectCrs>");
    CHECK(xml.find("<authid>EPSG:3857</authid>", crs) < xml.find("</projectCrs>"));
    CHECK(xml.find("<DefaultViewExtent xmin=\"129") != std::string::npos);
    CHECK(xml.find("<mapcanvas name=\"theMapCanvas\"") != std::string::npos);
}

TEST_CASE("QGIS project: legend groups, order and visibility", "[qgs]") {
    QgisProject project = sample_project();
    std::string xml = qgis_project_xml(project);
    const std::size_t group = xml.find("<layer-tree-group name=\"15-minute medical circle\"");
    REQUIRE(group != std::string::npos);
    const std::size_t clinics = xml.find("<layer-tree-layer id=\"" + qgis_layer_id("clinics"));
    const std::size_t iso = xml.find("<layer-tree-layer id=\"" + qgis_layer_id("isochrones"));
    const std::size_t roads = xml.find("<layer-tree-layer id=\"" + qgis_layer_id("roads & paths"));
    CHECK(group < clinics);
    CHECK(clinics < iso);
    CHECK(iso < roads);
    CHECK(xml.find("</layer-tree-group>", group) < roads);
    CHECK(xml.find("checked=\"Qt::Unchecked\"", roads) < xml.find("</layer-tree-layer>", roads));
    CHECK(xml.find("<custom-order enabled=\"0\">") != std::string::npos);

    // A group split by another layer: the group gathers its layers, the drawing order stays.
    std::swap(project.layers[1], project.layers[2]);
    xml = qgis_project_xml(project);
    CHECK(xml.find("<custom-order enabled=\"1\">") != std::string::npos);
    const std::size_t order = xml.find("<custom-order");
    CHECK(xml.find(qgis_layer_id("roads & paths"), order) <
          xml.find(qgis_layer_id("isochrones"), order));

    // The same table twice gets distinct ids.
    project.layers.push_back(project.layers[0]);
    xml = qgis_project_xml(project);
    CHECK(xml.find("<id>" + qgis_layer_id("clinics") + "_2</id>") != std::string::npos);
}

TEST_CASE("QGIS project: a project layer from an output layer", "[qgs]") {
    lifecircle::Layer layer;
    layer.name = "gaps";
    layer.kind = GeometryKind::polygon;
    layer.qml = lifecircle::maps::graduated_qml(GeometryKind::polygon, "people", {10, 20}, "");
    const ProjectLayer p = lifecircle::maps::project_layer(layer, "Gaps", "Group", false);
    CHECK(p.layer_name == "gaps");
    CHECK(p.kind == GeometryKind::polygon);
    CHECK(p.qml == layer.qml);
    CHECK(p.title == "Gaps");
    CHECK(p.group == "Group");
    CHECK_FALSE(p.visible);
}

TEST_CASE("QGIS project: bad input is refused", "[qgs]") {
    QgisProject project = sample_project();
    project.gpkg_file = "/abs/lifecircle.gpkg";
    CHECK_THROWS_AS(qgis_project_xml(project), std::invalid_argument);
    project = sample_project();
    project.layers[0].layer_name = "a|b";
    CHECK_THROWS_AS(qgis_project_xml(project), std::invalid_argument);
    project = sample_project();
    project.layers[0].qml = "<notqgis/>";
    CHECK_THROWS_AS(qgis_project_xml(project), std::invalid_argument);
    project = sample_project();
    project.layers[0].qml = "<qgis><renderer-v2 type=\"x\"></qgis>";
    CHECK_THROWS_AS(qgis_project_xml(project), std::invalid_argument);
    project = sample_project();
    project.min_lon = std::numeric_limits<double>::quiet_NaN();
    CHECK(qgis_project_xml(project).find("DefaultViewExtent") == std::string::npos);
}

TEST_CASE("QGIS project: everything in the QML is carried over", "[qgs]") {
    QgisProject project = sample_project();
    project.layers[1].qml =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        "<!-- a comment with <renderer-v2> in it -->\n"
        "<qgis version=\"3.28.0\" labelsEnabled='1' minScale=\"50000\" styleCategories=\"All\">\n"
        "  <renderer-v2 type=\"graduatedSymbol\" "
        "attr=\"minutes\"><ranges/><symbols/></renderer-v2>\n"
        "  <labeling type=\"simple\"><settings><text-style fieldName=\"name &amp; "
        "id\"/></settings></labeling>\n"
        "  <mapTip><![CDATA[<b>[% \"name\" %]</b>]]></mapTip>\n"
        "  <layerOpacity>0.6</layerOpacity>\n"
        "  <layerGeometryType>2</layerGeometryType>\n"
        "</qgis>\n";
    const std::string xml = qgis_project_xml(project);
    const std::string iso = maplayer_of(xml, qgis_layer_id("isochrones"));
    CHECK(iso.find("labelsEnabled='1'") != std::string::npos);
    CHECK(iso.find("labelsEnabled=\"0\"") == std::string::npos);
    CHECK(iso.find("minScale=\"50000\"") != std::string::npos);
    CHECK(iso.find("styleCategories") == std::string::npos);
    CHECK(
        iso.find("<labeling type=\"simple\"><settings><text-style fieldName=\"name &amp; id\"/>") !=
        std::string::npos);
    CHECK(iso.find("<mapTip><![CDATA[<b>[% \"name\" %]</b>]]></mapTip>") != std::string::npos);
    CHECK(iso.find("<layerOpacity>0.6</layerOpacity>") != std::string::npos);
    CHECK(iso.find("layerGeometryType") == std::string::npos);
    CHECK(iso.find("a comment") == std::string::npos);
    lifecircle::test::TempDir dir("qgs_qml");
    std::string title;
    CHECK(parse_with_python(dir, xml, title) == 0);
}

/**
 * Test-only helper for tests/qgis/test_qgis_project.sh: writes a project described by the JSON
 * file in LIFECIRCLE_QGS_JSON:
 *   {"title": ..., "gpkg": "lifecircle.gpkg", "out": "DIR/lifecircle.qgs",
 *    "extent": [min_lon, min_lat, max_lon, max_lat],
 *    "layers": [{"name": ..., "title": ..., "kind": "point|line|polygon|none",
 *                "qml_file": "PATH or empty", "group": ..., "visible": true}]}
 */
TEST_CASE("QGIS project: write from a JSON description", "[.qgs-write]") {
    const char* path = std::getenv("LIFECIRCLE_QGS_JSON");
    if (path == nullptr) FAIL("set LIFECIRCLE_QGS_JSON to a project description");
    const nlohmann::json j = nlohmann::json::parse(read_file(path));
    QgisProject project;
    project.title = j.value("title", "");
    project.gpkg_file = j.value("gpkg", "lifecircle.gpkg");
    if (j.contains("extent")) {
        project.min_lon = j["extent"][0];
        project.min_lat = j["extent"][1];
        project.max_lon = j["extent"][2];
        project.max_lat = j["extent"][3];
    }
    for (const auto& l : j.at("layers")) {
        ProjectLayer layer;
        layer.layer_name = l.at("name");
        layer.title = l.value("title", "");
        const std::string kind = l.value("kind", "polygon");
        layer.kind = kind == "point"  ? GeometryKind::point
                     : kind == "line" ? GeometryKind::line
                     : kind == "none" ? GeometryKind::none
                                      : GeometryKind::polygon;
        const std::string qml_file = l.value("qml_file", "");
        if (!qml_file.empty()) layer.qml = read_file(qml_file);
        layer.group = l.value("group", "");
        layer.visible = l.value("visible", true);
        project.layers.push_back(std::move(layer));
    }
    const std::string out = j.at("out");
    std::ofstream(out, std::ios::binary) << qgis_project_xml(project);
    REQUIRE(std::filesystem::file_size(out) > 0);
}

TEST_CASE("QGIS project: an OpenStreetMap XYZ base map, switched off, beneath the layers", "[qgs]") {
    QgisProject p = sample_project();
    p.layers.push_back(lifecircle::maps::osm_basemap_layer("OpenStreetMap 底图（在线）base map"));
    const std::string xml = qgis_project_xml(p);
    const std::string id = qgis_layer_id("osm_basemap");
    // In the legend, last (drawn at the bottom), unchecked, read by the web tile provider.
    const std::size_t node = xml.find("<layer-tree-layer id=\"" + id + "\"");
    REQUIRE(node != std::string::npos);
    const std::string tree = xml.substr(node, xml.find('>', node) - node);
    CHECK(tree.find("providerKey=\"wms\"") != std::string::npos);
    CHECK(tree.find("checked=\"Qt::Unchecked\"") != std::string::npos);
    CHECK(xml.rfind("<layer id=\"") == xml.find("<layer id=\"" + id + "\""));
    // A raster layer in Pseudo-Mercator with the tile URL as its data source, escaped.
    const std::size_t layer = xml.find("<maplayer type=\"raster\"");
    REQUIRE(layer != std::string::npos);
    const std::string ml = xml.substr(layer, xml.find("</maplayer>", layer) - layer);
    CHECK(ml.find("<datasource>type=xyz&amp;url=https://tile.openstreetmap.org/{z}/{x}/{y}.png&amp;zmax=19") !=
          std::string::npos);
    CHECK(ml.find("<provider>wms</provider>") != std::string::npos);
    CHECK(ml.find("<authid>EPSG:3857</authid>") != std::string::npos);
    CHECK(ml.find("<rasterrenderer type=\"singlebandcolordata\"") != std::string::npos);
    CHECK(ml.find("|layername=") == std::string::npos);
    CHECK(xml == qgis_project_xml(p));
}
