#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "core/layer.hpp"
#include "core/wkb.hpp"
#include "io/layer_writer.hpp"
#include "io/output.hpp"
#include "maps/style.hpp"
#include "tests/temp_dir.hpp"

using lifecircle::Error;
using lifecircle::GeometryKind;
using lifecircle::InputError;
using lifecircle::Layer;
using lifecircle::OutputError;
using lifecircle::UsageError;
using lifecircle::io::OutputPlan;
using lifecircle::io::OutputRequest;
using lifecircle::io::write_layers;
using lifecircle::io::WriteOptions;
using lifecircle::test::TempDir;

namespace fs = std::filesystem;

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

OutputRequest csv(const std::string& option, const std::string& path) {
    return {option, path, {".csv", ".gpkg"}, ".csv", false};
}
OutputRequest geo(const std::string& option, const std::string& path) {
    return {option, path, {".geojson", ".json", ".gpkg"}, ".geojson", true};
}

/** The message of the exception of type E that `f` throws ("" if none). */
template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

/** Two points in UTM 29N with a graduated style. */
Layer points_layer(const std::string& name) {
    Layer layer;
    layer.name = name;
    layer.kind = GeometryKind::point;
    layer.fields = {{"id", lifecircle::FieldType::string},
                    {"minutes", lifecircle::FieldType::real}};
    for (int i = 0; i < 2; ++i) {
        lifecircle::Feature f;
        f.wkb = lifecircle::wkb_point({500000.0 + 100.0 * i, 4300000.0});
        f.values = {std::string("p") + std::to_string(i), 5.0 * (i + 1)};
        layer.features.push_back(std::move(f));
    }
    layer.qml = lifecircle::maps::graduated_qml(GeometryKind::point, "minutes", {5, 10}, "min");
    return layer;
}

struct DatasetCloser {
    void operator()(GDALDataset* d) const { GDALClose(d); }
};
std::unique_ptr<GDALDataset, DatasetCloser> open_vector(const std::string& path) {
    return std::unique_ptr<GDALDataset, DatasetCloser>(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
}

}  // namespace

TEST_CASE("outputs are checked before anything is computed", "[output]") {
    const TempDir dir{"lifecircle_output"};
    const std::string input = dir.file("in.csv");
    write_text(input, "id,lon,lat\n");

    // A missing folder, a folder as the file, an unknown extension.
    CHECK(message_of<OutputError>([&] {
              OutputPlan({csv("--out", dir.file("no/such/od.csv"))}, {});
          }) == dir.file("no/such/od.csv") + ": cannot write: the folder '" + dir.file("no/such") +
                    "' does not exist; create it first");
    fs::create_directory(dir.file("folder.csv"));
    CHECK(message_of<OutputError>([&] {
              OutputPlan({csv("--out", dir.file("folder.csv"))}, {});
          }) == dir.file("folder.csv") + ": this is a folder; --out takes a file name");
    CHECK(message_of<UsageError>([&] { OutputPlan({csv("--out", dir.file("od.txt"))}, {}); }) ==
          dir.file("od.txt") +
              ": unsupported output format '.txt' for --out; accepted are .csv, .gpkg");

    // The same file as an input, by another spelling and through a hard link.
    const std::string other_spelling = (dir.path() / "." / "in.csv").string();
    CHECK(message_of<UsageError>([&] { OutputPlan({csv("--out", other_spelling)}, {input}); }) ==
          other_spelling + ": --out is the same file as the input '" + input +
              "'; inputs are never overwritten, choose another output name");
    fs::create_hard_link(input, dir.file("linked.csv"));
    CHECK_THROWS_AS(OutputPlan({csv("--out", dir.file("linked.csv"))}, {input}), UsageError);
    // A new file in the input's folder is fine.
    CHECK_NOTHROW(OutputPlan({csv("--out", dir.file("od.csv"))}, {input}));
    CHECK(read_text(input) == "id,lon,lat\n");
}

TEST_CASE("two outputs naming one file share it when it is a GeoPackage", "[output]") {
    const TempDir dir{"lifecircle_output"};
    const std::string a = dir.file("a.gpkg");
    const std::string a_again = (dir.path() / "." / "a.gpkg").string();
    const OutputPlan shared({geo("--out", a), geo("--lines", a_again)}, {});
    CHECK(shared.files().size() == 1);
    CHECK(shared.file_of(0) == 0);
    CHECK(shared.file_of(1) == 0);

    CHECK(message_of<UsageError>([&] {
              OutputPlan(
                  {geo("--out", dir.file("b.geojson")), geo("--lines", dir.file("./b.geojson"))},
                  {});
          }) == dir.file("./b.geojson") +
                    ": --lines and --out name the same file; only a .gpkg can hold both, give them "
                    "different names");
    // Both to standard output.
    CHECK_THROWS_AS(OutputPlan({geo("--out", "-"), geo("--lines", "-")}, {}), UsageError);
    // Their QGIS style sidecars would collide: a.geojson and a.json both load a.qml.
    CHECK_THAT(message_of<UsageError>([&] {
                   OutputPlan(
                       {geo("--out", dir.file("c.geojson")), geo("--lines", dir.file("c.json"))},
                       {});
               }),
               Catch::Contains("would share the QGIS style file " + dir.file("c.qml")));
    CHECK(OutputPlan::sidecar_path("/x/a.b.geojson") ==
          "/x/a.b.qml");  // QGIS: completeBaseName + .qml
}

TEST_CASE("commit replaces all targets or none", "[output]") {
    const TempDir dir{"lifecircle_output"};
    const std::string one = dir.file("one.csv");
    const std::string two = dir.file("two.csv");
    write_text(one, "old one");
    write_text(two, "old two");
    {
        OutputPlan plan({csv("--out", one), csv("--other", two)}, {});
        write_text(plan.stage(0), "new one");
        write_text(plan.stage(1), "new two");
        // A non-empty folder now stands where the second file was: refused, nothing replaced.
        fs::remove(two);
        fs::create_directory(two);
        write_text(two + "/x", "x");
        CHECK(message_of<OutputError>([&] { plan.commit(); }) ==
              two + ": is now a folder, not a regular file: something put it there while lifecircle was "
                    "working, and lifecircle only replaces regular files; no output was replaced");
    }
    CHECK(read_text(one) == "old one");
    CHECK(dir.entries() ==
          std::vector<std::string>{"one.csv", "two.csv"});  // no temporary, no backup

    fs::remove_all(two);
    {
        OutputPlan plan({csv("--out", one), csv("--other", two)}, {});
        write_text(plan.stage(0), "new one");
        write_text(plan.stage(1), "new two");
        plan.commit();
    }
    CHECK(read_text(one) == "new one");
    CHECK(read_text(two) == "new two");
    CHECK(dir.entries() == std::vector<std::string>{"one.csv", "two.csv"});

    // Not committed (an exception on the way): targets untouched, temporaries gone.
    {
        OutputPlan plan({csv("--out", one)}, {});
        write_text(plan.stage(0), "never");
    }
    CHECK(read_text(one) == "new one");
    CHECK(dir.entries() == std::vector<std::string>{"one.csv", "two.csv"});
}

TEST_CASE("devices and symlinks are written through, never renamed over", "[output]") {
    const TempDir dir{"lifecircle_output"};
    {
        OutputPlan plan({csv("--out", "/dev/null")}, {});
        REQUIRE(plan.files().front().stream);
        CHECK(plan.files().front().format == ".csv");
        write_text(plan.stage(0), "rows\n");
        plan.commit();
    }
    CHECK(fs::is_character_file("/dev/null"));
    const OutputPlan dash({csv("--out", "-")}, {});
    CHECK(dash.files().front().stream);
    // A GeoPackage cannot be streamed.
    CHECK_THAT(message_of<UsageError>([&] {
                   OutputPlan({{"--out", "-", {".gpkg"}, "", false}}, {});
               }),
               Catch::Contains("--out cannot be written to a stream"));

    // A symlink to a regular file: the file gets the new content, the link stays a link.
    const std::string real = dir.file("real.csv");
    write_text(real, "old");
    fs::create_symlink(real, dir.file("link.csv"));
    {
        OutputPlan plan({csv("--out", dir.file("link.csv"))}, {});
        write_text(plan.stage(0), "new");
        plan.commit();
    }
    CHECK(fs::is_symlink(dir.file("link.csv")));
    CHECK(read_text(real) == "new");
}

TEST_CASE("a folder given as an input file is a clear input error", "[output]") {
    const TempDir dir{"lifecircle_output"};
    CHECK(message_of<InputError>([&] {
              lifecircle::io::check_input_path(dir.path().string(), "--from");
          }) == dir.path().string() +
                    ": this is a folder; --from takes a file (a FileGDB folder must end in .gdb)");
    fs::create_directory(dir.file("roads.gdb"));
    CHECK_NOTHROW(lifecircle::io::check_input_path(dir.file("roads.gdb"), "--network"));
}

TEST_CASE("style sidecars are named after their file and never clobber a foreign file",
          "[output]") {
    const TempDir dir{"lifecircle_output"};
    const Layer layer = points_layer("areas");
    const std::string path = dir.file("areas.geojson");
    CHECK(write_layers(path, {layer}, "EPSG:32629").empty());
    const std::string ours = read_text(dir.file("areas.qml"));
    // The mark is the second line, after the DOCTYPE; the rest is the layer's style.
    const auto first_eol = ours.find('\n');
    const auto second_eol = ours.find('\n', first_eol + 1);
    CHECK(ours.substr(first_eol + 1, second_eol - first_eol - 1) ==
          "<!-- written by lifecircle, replaced on every run -->");
    CHECK(ours.substr(0, first_eol + 1) + ours.substr(second_eol + 1) == layer.qml);
    // Ours is replaced on a rerun.
    CHECK(write_layers(path, {layer}, "EPSG:32629").empty());
    CHECK(read_text(dir.file("areas.qml")) == ours);

    // A user's own style is left alone, with a note.
    write_text(dir.file("areas.qml"), "<qgis>my style</qgis>\n");
    const std::vector<std::string> notes = write_layers(path, {layer}, "EPSG:32629");
    REQUIRE(notes.size() == 1);
    CHECK(notes[0] ==
          "left " + dir.file("areas.qml") +
              " alone: lifecircle did not write it; delete or rename it to get the QGIS style");
    CHECK(read_text(dir.file("areas.qml")) == "<qgis>my style</qgis>\n");
    CHECK(dir.entries() == std::vector<std::string>{"areas.geojson", "areas.qml"});
}

TEST_CASE("GeoPackage reruns are byte-identical", "[output]") {
    const TempDir dir{"lifecircle_output"};
    const std::vector<Layer> layers = {points_layer("areas"), points_layer("lines")};
    write_layers(dir.file("first.gpkg"), layers, "EPSG:32629");
    // GDAL's own timestamps have millisecond resolution; make sure the clock moved.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_layers(dir.file("second.gpkg"), layers, "EPSG:32629");
    const std::string first = read_text(dir.file("first.gpkg"));
    CHECK(first.size() > 10000);
    CHECK(first == read_text(dir.file("second.gpkg")));
}

TEST_CASE("updating a GeoPackage adds or replaces only our layers", "[output]") {
    const TempDir dir{"lifecircle_output"};
    const std::string path = dir.file("plan.gpkg");
    write_layers(path, {points_layer("theirs")}, "EPSG:32629");
    WriteOptions update;
    update.update = true;
    write_layers(path, {points_layer("ours")}, "EPSG:32629", update);
    Layer changed = points_layer("ours");
    changed.features.pop_back();
    write_layers(path, {changed}, "EPSG:32629", update);
    {
        auto dataset = open_vector(path);
        REQUIRE(dataset != nullptr);
        REQUIRE(dataset->GetLayerByName("theirs") != nullptr);
        REQUIRE(dataset->GetLayerByName("ours") != nullptr);
        CHECK(dataset->GetLayerByName("theirs")->GetFeatureCount() == 2);
        CHECK(dataset->GetLayerByName("ours")->GetFeatureCount() == 1);
        OGRLayer* styles = dataset->GetLayerByName("layer_styles");
        REQUIRE(styles != nullptr);
        CHECK(styles->GetFeatureCount() == 2);  // one per layer: the old "ours" style was replaced
    }
    CHECK(dir.entries() == std::vector<std::string>{"plan.gpkg"});

    // Without --update the file is replaced whole.
    write_layers(path, {points_layer("ours")}, "EPSG:32629");
    auto dataset = open_vector(path);
    REQUIRE(dataset != nullptr);
    CHECK(dataset->GetLayerByName("theirs") == nullptr);
}

TEST_CASE("a table without geometry goes into a GeoPackage only", "[output]") {
    const TempDir dir{"lifecircle_output"};
    Layer table;
    table.name = "matrix";
    table.kind = GeometryKind::none;
    table.fields = {{"from_id", lifecircle::FieldType::string},
                    {"minutes", lifecircle::FieldType::real}};
    table.features.push_back({{}, {std::string("a"), 1.5}});
    write_layers(dir.file("od.gpkg"), {table}, "EPSG:4326");
    {
        auto dataset = open_vector(dir.file("od.gpkg"));
        REQUIRE(dataset != nullptr);
        OGRLayer* layer = dataset->GetLayerByName("matrix");
        REQUIRE(layer != nullptr);
        CHECK(layer->GetGeomType() == wkbNone);
        CHECK(layer->GetFeatureCount() == 1);
    }
    CHECK_THAT(message_of<OutputError>(
                   [&] { write_layers(dir.file("od.geojson"), {table}, "EPSG:4326"); }),
               Catch::Contains("GeoJSON cannot hold a table without geometry; write a .gpkg"));
    table.features.front().wkb = lifecircle::wkb_point({0, 0});
    CHECK_THAT(
        message_of<OutputError>([&] { write_layers(dir.file("od2.gpkg"), {table}, "EPSG:4326"); }),
        Catch::Contains("a table (no geometry) layer cannot hold a geometry"));
}
