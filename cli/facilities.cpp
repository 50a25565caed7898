#include "cli/common.hpp"
#include "cli/verbs.hpp"
#include "core/error.hpp"
#include "io/layer_writer.hpp"
#include "io/osm_facilities.hpp"
#include "core/wkb.hpp"

namespace lifecircle::cli {

void add_facilities(CLI::App& app, Runner& run) {
    auto* cmd = app.add_subcommand("facilities", "Extract facilities of one kind (clinics, kindergartens, meal points "
                                                 "...) from an OpenStreetMap file as points");
    struct Args {
        std::string network;
        std::string kind;
        std::string out;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--network", a->network, "OpenStreetMap file (.osm.pbf, .osm, .osm.bz2, .osm.gz)")->required();
    cmd->add_option("--kind", a->kind, "hospital, clinic, community-health, kindergarten, meal-point or elderly-care")
        ->required();
    cmd->add_option("--out", a->out, "Output points: .geojson or .gpkg")->required();
    cmd->callback([&run, a] {
        run = [a] {
            const auto kind = io::parse_facility_kind(a->kind);
            if (!kind)
                throw UsageError("--kind must be hospital, clinic, community-health, kindergarten, meal-point or "
                                 "elderly-care, not '" + a->kind + "'");
            const std::vector<io::OsmFacility> found = io::read_osm_facilities(a->network, *kind);
            Layer layer;
            layer.name = "facilities";
            layer.kind = GeometryKind::point;
            layer.fields = {{"id", FieldType::string},      {"osm_type", FieldType::string},
                            {"osm_id", FieldType::integer}, {"name", FieldType::string},
                            {"name_zh", FieldType::string}, {"kind", FieldType::string},
                            {"capacity", FieldType::string}, {"matched_tag", FieldType::string}};
            for (const io::OsmFacility& f : found) {
                Feature feature;
                feature.wkb = wkb_point({f.lon, f.lat});
                feature.values = {f.osm_type + "/" + std::to_string(f.osm_id),
                                  f.osm_type,
                                  static_cast<std::int64_t>(f.osm_id),
                                  f.name,
                                  f.name_zh,
                                  a->kind,
                                  f.capacity.empty() ? Value{} : Value{f.capacity},
                                  f.matched_tag};
                layer.features.push_back(std::move(feature));
            }
            io::write_layers(a->out, {std::move(layer)}, "EPSG:4326");
            print_note("facilities: " + std::to_string(found.size()) + " " + a->kind + " written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
