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
        bool update = false;
        std::string layer_name = "facilities";
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("--network", a->network, "OpenStreetMap file (.osm.pbf, .osm, .osm.bz2, .osm.gz)")->required();
    cmd->add_option("--kind", a->kind, "hospital, clinic, community-health, kindergarten, meal-point or elderly-care")
        ->required();
    cmd->add_option("--out", a->out, "Output points: .geojson (- = standard output) or .gpkg")->required();
    cmd->add_flag("--update", a->update, "Add or replace only this layer in an existing .gpkg, keeping its other "
                                         "layers (without it an existing file is replaced whole)");
    cmd->add_option("--layer-name", a->layer_name, "Layer name")->capture_default_str();
    add_quiet_option(*cmd);
    cmd->callback([&run, a] {
        run = [a] {
            io::OutputPlan plan = plan_outputs({{"--out", a->out, {".geojson", ".json", ".gpkg"}, ".geojson", false}},
                                               {{"--network", a->network}});
            const auto kind = io::parse_facility_kind(a->kind);
            if (!kind)
                throw UsageError("--kind must be hospital, clinic, community-health, kindergarten, meal-point or "
                                 "elderly-care, not '" + a->kind + "'");
            const std::vector<io::OsmFacility> found = io::read_osm_facilities(a->network, *kind);
            Layer layer;
            layer.name = a->layer_name;
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
            io::WriteOptions wo;
            wo.update = a->update;
            for (const std::string& n : io::write_layers(plan, 0, {std::move(layer)}, "EPSG:4326", wo))
                print_note("note: " + n);
            plan.commit();
            print_note("facilities: " + std::to_string(found.size()) + " " + a->kind + " written to " + a->out);
            return 0;
        };
    });
}

}  // namespace lifecircle::cli
