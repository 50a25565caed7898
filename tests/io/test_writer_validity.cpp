// Polygons must be valid as the file stores them: after reprojection and after GeoJSON's
// rounding, read back with GDAL and checked with GEOS (OGRGeometry::IsValid), rings oriented
// as RFC 7946 asks.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <catch2/catch.hpp>

#include "core/layer.hpp"
#include "core/profile.hpp"
#include "core/snap.hpp"
#include "io/layer_writer.hpp"
#include "io/network.hpp"
#include "io/osm_facilities.hpp"
#include "maps/isochrones.hpp"
#include "tests/temp_dir.hpp"

namespace {

using lifecircle::Feature;
using lifecircle::Field;
using lifecircle::FieldType;
using lifecircle::GeometryKind;
using lifecircle::Layer;
using lifecircle::Value;
using lifecircle::io::write_layers;
using lifecircle::io::WriteOptions;
using lifecircle::test::TempDir;

struct OgrDeleter {
    void operator()(OGRGeometry* g) const { OGRGeometryFactory::destroyGeometry(g); }
};
using OgrPtr = std::unique_ptr<OGRGeometry, OgrDeleter>;

OgrPtr from_wkt(const std::string& wkt) {
    OGRGeometry* g = nullptr;
    REQUIRE(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) == OGRERR_NONE);
    return OgrPtr(g);
}

std::vector<unsigned char> wkb_of(const OGRGeometry& g) {
    std::vector<unsigned char> wkb(static_cast<std::size_t>(g.WkbSize()));
    REQUIRE(g.exportToWkb(wkbNDR, wkb.data(), wkbVariantIso) == OGRERR_NONE);
    return wkb;
}

bool quiet_is_valid(const OGRGeometry& g) {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const bool valid = g.IsValid() != 0;
    CPLPopErrorHandler();
    return valid;
}

/** Twice the signed area of a ring as stored (shoelace), positive when counter-clockwise. */
double signed_area2(const OGRLinearRing& ring) {
    double sum = 0.0;
    for (int i = 0; i + 1 < ring.getNumPoints(); ++i)
        sum += ring.getX(i) * ring.getY(i + 1) - ring.getX(i + 1) * ring.getY(i);
    return sum;
}

/** A feature read back: its geometry and its string fields. */
struct ReadBack {
    OgrPtr geometry;
    std::map<std::string, std::string> text;
    std::map<std::string, double> real;
};

/** Every feature of the first layer of a file, opened afresh with GDAL. */
std::vector<ReadBack> read_back(const std::filesystem::path& path) {
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(static_cast<GDALDataset*>(
        GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
    REQUIRE(ds != nullptr);
    OGRLayer* layer = ds->GetLayer(0);
    REQUIRE(layer != nullptr);
    std::vector<ReadBack> out;
    for (auto& f : *layer) {
        ReadBack r;
        if (f->GetGeometryRef() != nullptr) r.geometry.reset(f->GetGeometryRef()->clone());
        for (int i = 0; i < f->GetFieldCount(); ++i) {
            const OGRFieldDefn* d = f->GetFieldDefnRef(i);
            if (d->GetType() == OFTString) r.text[d->GetNameRef()] = f->GetFieldAsString(i);
            if (d->GetType() == OFTReal) r.real[d->GetNameRef()] = f->GetFieldAsDouble(i);
        }
        out.push_back(std::move(r));
    }
    return out;
}

/**
 * Checks what every polygon file must hold: MultiPolygon, valid by GEOS, and (when `rfc7946`)
 * exteriors counter-clockwise and holes clockwise as the coordinates were read.
 */
void check_polygons(const std::vector<ReadBack>& features, bool rfc7946) {
    for (std::size_t i = 0; i < features.size(); ++i) {
        INFO("feature " << i);
        REQUIRE(features[i].geometry != nullptr);
        const OGRGeometry& g = *features[i].geometry;
        REQUIRE(wkbFlatten(g.getGeometryType()) == wkbMultiPolygon);
        CHECK(quiet_is_valid(g));
        if (!rfc7946) continue;
        for (const OGRPolygon* p : *g.toMultiPolygon()) {
            CHECK(signed_area2(*p->getExteriorRing()) > 0.0);
            for (int h = 0; h < p->getNumInteriorRings(); ++h)
                CHECK(signed_area2(*p->getInteriorRing(h)) < 0.0);
        }
    }
}

Layer polygon_layer(const std::vector<std::string>& wkts) {
    Layer layer;
    layer.name = "cases";
    layer.kind = GeometryKind::polygon;
    layer.fields = {{"case", FieldType::string}};
    for (const std::string& wkt : wkts)
        layer.features.push_back({wkb_of(*from_wkt(wkt)), {Value{wkt.substr(0, 20)}}});
    return layer;
}

/** `g` with every coordinate rounded to 7 decimals on its own: what a plain writer stores. */
OgrPtr rounded_pointwise(const OGRGeometry& g) {
    OgrPtr copy(g.clone());
    for (OGRPolygon* p : *copy->toMultiPolygon())
        for (OGRLinearRing* ring : *p)
            for (int i = 0; i < ring->getNumPoints(); ++i)
                ring->setPoint(i, std::round(ring->getX(i) * 1e7) / 1e7,
                               std::round(ring->getY(i) * 1e7) / 1e7);
    return copy;
}

}  // namespace

// In units of the 7-decimal grid g = 1e-7° around (10°E, 45°N):
// - bow-tie: ring (0,0) (100,0.8) (100,100) (50,0.45) (0,100). The notch vertex (50,0.45) is
//   0.05 g above the bottom edge (at x = 50 the edge is at 0.4); rounded alone it goes to (50,0),
//   below the edge (now at 0.5 from (0,0)-(100,1)), so both notch edges cross it;
// - sliver: a 100 x 0.3 g strip beside a 100 x 100 g square: it collapses to a line;
// - clockwise: a 100 x 100 g square drawn clockwise with a clockwise 20 x 20 g hole.
TEST_CASE("writer: polygons that rounding would break are stored valid", "[writer_validity]") {
    auto c = [](double gx, double gy) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.9f %.9f", 10.0 + gx * 1e-7, 45.0 + gy * 1e-7);
        return std::string(buffer);
    };
    const std::string bowtie = "MULTIPOLYGON(((" + c(0, 0) + "," + c(100, 0.8) + "," + c(100, 100) +
                               "," + c(50, 0.45) + "," + c(0, 100) + "," + c(0, 0) + ")))";
    const std::string sliver = "MULTIPOLYGON(((" + c(0, 0) + "," + c(100, 0) + "," + c(100, 100) +
                               "," + c(0, 100) + "," + c(0, 0) + ")),((" + c(0, 200) + "," +
                               c(100, 200) + "," + c(100, 200.3) + "," + c(0, 200.3) + "," +
                               c(0, 200) + ")))";
    const std::string clockwise = "MULTIPOLYGON(((" + c(0, 0) + "," + c(0, 100) + "," +
                                  c(100, 100) + "," + c(100, 0) + "," + c(0, 0) + "),(" +
                                  c(40, 40) + "," + c(40, 60) + "," + c(60, 60) + "," + c(60, 40) +
                                  "," + c(40, 40) + ")))";
    // - thin: only a 100 x 0.2 g strip, nothing is left of it at 7 decimals.
    const std::string thin = "MULTIPOLYGON(((" + c(0, 0) + "," + c(100, 0) + "," + c(100, 0.2) +
                             "," + c(0, 0.2) + "," + c(0, 0) + ")))";
    const Layer layer = polygon_layer({bowtie, sliver, clockwise, thin});

    // The cases are real: valid as given, invalid (or collapsed) once rounded point by point.
    for (const std::string& wkt : {bowtie, sliver}) {
        const OgrPtr given = from_wkt(wkt);
        CHECK(quiet_is_valid(*given));
        CHECK_FALSE(quiet_is_valid(*rounded_pointwise(*given)));
    }

    TempDir dir("writer_validity");
    for (const char* name : {"cases.geojson", "cases.gpkg"}) {
        INFO(name);
        const std::filesystem::path path = dir.path() / name;
        write_layers(path.string(), {layer}, "EPSG:4326");
        const std::vector<ReadBack> features = read_back(path);
        REQUIRE(features.size() == 4);
        // Both formats orient rings the RFC 7946 way.
        check_polygons(features, true);
        const double cell2 = 1e-14;  // one grid cell, in square degrees
        // The bow-tie's area changes by what rounding moves: the notch vertex 0.45 g across a
        // 100 g base and (100,0.8) 0.2 g up, about 0.5 * 100 * (0.45 + 0.2) = 33 cells; allow
        // 50. The sliver's strip is gone in GeoJSON
        // and kept (full doubles) in GeoPackage; the hole is still a hole.
        const bool geojson = std::string(name).ends_with(".geojson");
        const double bowtie_area = from_wkt(bowtie)->toMultiPolygon()->get_Area();
        CHECK(features[0].geometry->toMultiPolygon()->get_Area() ==
              Approx(bowtie_area).margin(geojson ? 50 * cell2 : 1e-6 * bowtie_area));
        const auto& strips = *features[1].geometry->toMultiPolygon();
        CHECK(strips.getNumGeometries() == (geojson ? 1 : 2));
        CHECK(strips.getGeometryRef(0)->get_Area() == Approx(100 * 100 * cell2).epsilon(1e-6));
        const OGRPolygon& holed = *features[2].geometry->toMultiPolygon()->getGeometryRef(0);
        CHECK(holed.getNumInteriorRings() == 1);
        CHECK(holed.get_Area() == Approx((100 * 100 - 20 * 20) * cell2).epsilon(1e-6));
        // A polygon that collapses entirely stays a (now empty) MultiPolygon feature in GeoJSON.
        CHECK(features[3].geometry->IsEmpty() == geojson);
    }
}

TEST_CASE("writer: an invalid polygon given to the writer is repaired", "[writer_validity]") {
    // A square with a spike (a zero-width tail up from (5,10)) and a bow-tie: GEOS's repair
    // keeps the 100 deg² square (the spike becomes a line and is dropped) and the two 0.25 deg²
    // triangles of the bow-tie (about its crossing at (20.5, 0.5)).
    const Layer layer =
        polygon_layer({"MULTIPOLYGON(((0 0,10 0,10 10,5 10,5 20,5 10,0 10,0 0)),"
                       "((20 0,21 1,21 0,20 1,20 0)))"});
    TempDir dir("writer_validity");
    for (const char* name : {"bad.geojson", "bad.gpkg"}) {
        INFO(name);
        const std::filesystem::path path = dir.path() / name;
        write_layers(path.string(), {layer}, "EPSG:4326");
        const std::vector<ReadBack> features = read_back(path);
        REQUIRE(features.size() == 1);
        check_polygons(features, true);
        const OGRMultiPolygon& repaired = *features[0].geometry->toMultiPolygon();
        CHECK(repaired.getNumGeometries() == 3);
        CHECK(repaired.get_Area() == Approx(100.0 + 0.25 + 0.25).epsilon(1e-9));
    }
}

TEST_CASE("writer: Porto clinic isochrones are valid as written, nest and hold their clinic",
          "[writer_validity][porto]") {
    const std::string path = std::string(LIFECIRCLE_SHARED_DATA) + "/osm/porto_2020.osm.pbf";
    if (!std::filesystem::exists(path)) {
        WARN("skipped: " << path << " not found");
        return;
    }
    using namespace lifecircle;
    io::NetworkOptions network_options;
    network_options.profiles = {default_profile(Mode::walk, 3.6)};
    const io::Network network = io::load_network(path, network_options);
    const ProfileId walk = network.graph.profile_id(Mode::walk);
    const std::vector<io::OsmFacility> clinics =
        io::read_osm_facilities(path, io::FacilityKind::clinic);
    std::vector<Point> xy;
    for (const io::OsmFacility& c : clinics) xy.push_back({c.lon, c.lat});
    network.to_work(xy);
    const Snapper snapper(network.graph, walk, SnapOptions{});
    std::vector<maps::IsochroneFacility> facilities;
    std::map<std::string, OGRPoint> clinic_at;
    // Five clinics keep the test quick; written without repair, 4 of their 15 rings were invalid
    // in both formats (and 27 of 102 for all 34 clinics in GeoJSON).
    for (std::size_t i = 0; i < clinics.size() && facilities.size() < 5; ++i) {
        const Snap s = snapper.snap(xy[i]);
        if (!s.ok()) continue;
        maps::IsochroneFacility f;
        f.id = std::to_string(clinics[i].osm_id);
        f.accesses.push_back({xy[i], s});
        clinic_at.emplace(f.id, OGRPoint(clinics[i].lon, clinics[i].lat));
        facilities.push_back(std::move(f));
    }
    REQUIRE(facilities.size() == 5);

    TempDir dir("writer_validity");
    std::map<std::string, std::vector<ReadBack>> files;
    std::vector<std::string> stems;
    for (maps::AreaMethod method : {maps::AreaMethod::network, maps::AreaMethod::raster})
    for (maps::IsochroneShape shape :
         {maps::IsochroneShape::nested, maps::IsochroneShape::rings, maps::IsochroneShape::split}) {
        maps::IsochroneOptions options;
        options.breaks = {300.0, 600.0, 900.0};
        options.shape = shape;
        options.area.method = method;
        options.threads = 2;
        const Layer areas = maps::isochrone_layers(network.graph, walk, facilities, options).areas;
        REQUIRE(areas.features.size() == 15);
        const std::string stem = std::string(method == maps::AreaMethod::raster ? "raster_" : "network_") +
                                 (shape == maps::IsochroneShape::nested  ? "nested"
                                  : shape == maps::IsochroneShape::rings ? "rings"
                                                                         : "split");
        stems.push_back(stem);
        for (const char* extension : {".geojson", ".gpkg"}) {
            INFO(stem << extension);
            const std::filesystem::path file = dir.path() / (stem + extension);
            write_layers(file.string(), {areas}, network.work_crs);
            files[stem + extension] = read_back(file);
            REQUIRE(files[stem + extension].size() == 15);
            check_polygons(files[stem + extension], true);
        }
    }

    // Rounding to 7 decimals moves each vertex by under 1e-7°: per polygon the area may change
    // by at most about perimeter x 1e-7. Compared with the full-precision GeoPackage.
    for (const std::string& stem : stems) {
        const auto& rounded = files[stem + ".geojson"];
        const auto& full = files[stem + ".gpkg"];
        for (std::size_t i = 0; i < rounded.size(); ++i) {
            INFO(stem << " feature " << i);
            const double perimeter =
                OgrPtr(full[i].geometry->Boundary())->toMultiLineString()->get_Length();
            CHECK(std::abs(rounded[i].geometry->toMultiPolygon()->get_Area() -
                           full[i].geometry->toMultiPolygon()->get_Area()) <= perimeter * 1e-7);
        }
    }

    // Nested areas hold their clinic and grow; the inner one sticks out of the outer by no more
    // than rounding (a band of 1e-7° along the boundary).
    for (const std::string& stem : {std::string("network_nested"), std::string("raster_nested")})
    for (const char* extension : {".geojson", ".gpkg"}) {
        const auto& nested = files[stem + extension];
        for (std::size_t i = 0; i < nested.size(); ++i) {
            INFO(stem << extension << " feature " << i);
            const std::string id = nested[i].text.at("facility_id");
            CHECK(nested[i].geometry->Contains(&clinic_at.at(id)));
            if (i + 1 < nested.size() && nested[i + 1].text.at("facility_id") == id) {
                const OgrPtr outside(nested[i].geometry->Difference(nested[i + 1].geometry.get()));
                const double perimeter =
                    OgrPtr(nested[i].geometry->Boundary())->toMultiLineString()->get_Length();
                CHECK(OGR_G_Area(OGRGeometry::ToHandle(outside.get())) <= perimeter * 1e-7);
            }
        }
    }
}
